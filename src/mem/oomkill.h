/* Layouts shared by oomkill's kernel and user sides, and (outside the BPF build) the
 * collector API that oomkill's printer and the doctor use. */
#ifndef WHYSLOW_OOMKILL_H
#define WHYSLOW_OOMKILL_H

#ifndef __bpf__
#include <linux/types.h> /* __u32 and friends; the BPF side has them from vmlinux.h */
#endif

enum oomkill_kind { OOMKILL_KILL = 1, OOMKILL_HUNG = 2 };

struct oomkill_event {
	__u64 ts_ns;
	__u32 kind;            /* enum oomkill_kind */
	__u32 victim_tgid, victim_tid;
	__u32 trigger_tgid, trigger_tid; /* the task that ran the OOM killer / hung-task check */
	__u32 uid;             /* the victim's */
	__s32 oom_score_adj;
	__u32 pad;
	__u64 total_vm_pages;
	__u64 anon_pages, file_pages, shmem_pages, swap_entries;
	__u64 pgtables_bytes;
	char victim_comm[16];
	char trigger_comm[16];
};

#ifndef __bpf__
#include <stdbool.h>
#include <stdint.h>

struct oomkill;
typedef void (*oomkill_event_fn)(const struct oomkill_event *e, void *ctx);
/* Loads and attaches (hung tasks only where the kernel has sched_process_hang). */
int oomkill_open(bool force_raw_tp, oomkill_event_fn fn, void *ctx, struct oomkill **out);
int oomkill_poll(struct oomkill *o, int timeout_ms);
uint64_t oomkill_lost(struct oomkill *o);
bool oomkill_has_hung(struct oomkill *o);
void oomkill_close(struct oomkill *o);
#endif

#endif
