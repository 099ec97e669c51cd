/* Layouts shared by mmaplock's kernel and user sides, and (outside the BPF build) the
 * collector API that mmaplock's printer and the doctor use. */
#ifndef WHYSLOW_MMAPLOCK_H
#define WHYSLOW_MMAPLOCK_H

#ifndef __bpf__
#include <linux/types.h> /* __u32 and friends; the BPF side has them from vmlinux.h */
#endif

#define MMAPLOCK_SLOTS 27 /* = LOG2_SLOTS, microseconds */

/* A holder of an mm's lock as events report it. */
struct mmaplock_task {
	__u32 tgid, tid;
	__u64 since_ns;
	char comm[16];
};

/* A holder as the kernel side keeps it. Every CPU that takes or drops a lock updates these
 * records, with no lock between them, so a copy can mix two updates: the task is one 64-bit
 * word (bpf_get_current_pid_tgid(), tgid high) so that a PID is never paired with another
 * task's thread id or name. Names live in the comms map, each written by its own task. */
struct mmaplock_owner {
	__u64 pid_tgid;
	__u64 since_ns;
};

/* Who holds an mm's lock: the writer, or the reader that has held it longest; and who
 * released it last (last.since_ns is when it released it). */
struct mmaplock_holders {
	struct mmaplock_owner writer, reader;
	struct mmaplock_owner last;
	__u64 last_held_ns;  /* how long the last releaser had held it (0: unknown) */
	__u32 last_write;
	__u32 pad;
};

/* Wait-time statistics of one process. */
struct mmaplock_stat {
	__u64 count;
	__u64 total_ns;
	__u64 slots[MMAPLOCK_SLOTS];
};

/* Wait time of a waiter blamed on a holder (tgid 0: no holder seen). */
struct mmaplock_blame_key {
	__u32 waiter_tgid, holder_tgid;
};

struct mmaplock_blame {
	__u64 count;
	__u64 total_ns;
};

struct mmaplock_comm {
	char comm[16];
};

/* A wait over the threshold. */
struct mmaplock_event {
	__u64 wait_ns;
	__u64 held_ns;      /* how long the holder had held it when the wait ended */
	__u32 tgid, tid;
	char comm[16];
	__u8 write;         /* the waiter wanted the write lock */
	__u8 holder_write;  /* the holder held it for writing */
	__u8 pad[6];
	struct mmaplock_task holder;
};

#ifndef __bpf__
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "lib/hist.h"

struct mmaplock_opts {
	pid_t pid;              /* waiters of this process only (holders: any) */
	uint64_t threshold_ns;  /* waits at least this long become events */
	bool force_raw_tp;
};

struct mmaplock_proc {
	uint32_t tgid;
	char comm[16];
	uint64_t count, total_ns;
	struct hist wait_us;
};

struct mmaplock_blame_row {
	uint32_t waiter_tgid, holder_tgid;
	char waiter_comm[16], holder_comm[16];
	char holder_cmdline[256];
	uint64_t count, total_ns;
};

struct mmaplock_result {
	struct mmaplock_proc *procs;   /* sorted by total wait, largest first */
	size_t nprocs;
	struct mmaplock_blame_row *blame; /* sorted by total wait */
	size_t nblame;
	uint64_t lost_events;
};

struct mmaplock;
typedef void (*mmaplock_event_fn)(const struct mmaplock_event *e, void *ctx);
/* Loads and attaches; events over the threshold go to fn (may be NULL). 0 or -errno. */
int mmaplock_open(const struct mmaplock_opts *opts, mmaplock_event_fn fn, void *ctx,
		  struct mmaplock **out);
/* Delivers pending events to fn, waiting up to timeout_ms. */
int mmaplock_poll(struct mmaplock *m, int timeout_ms);
int mmaplock_read(struct mmaplock *m, struct mmaplock_result *res, bool clear);
void mmaplock_result_free(struct mmaplock_result *res);
void mmaplock_close(struct mmaplock *m);
#endif

#endif
