/* Layouts shared by lockstat's kernel and user sides, and (outside the BPF build) the
 * collector API that lockstat's printer and the doctor use. */
#ifndef WHYSLOW_LOCKSTAT_H
#define WHYSLOW_LOCKSTAT_H

#ifndef __bpf__
#include <linux/types.h> /* __u32 and friends; the BPF side has them from vmlinux.h */
#endif

#define LOCKSTAT_SLOTS 27 /* = LOG2_SLOTS, microseconds */

/* contention_begin's flags (include/trace/events/lock.h, LCB_F_*). */
#define LOCKSTAT_F_SPIN (1u << 0)
#define LOCKSTAT_F_READ (1u << 1)
#define LOCKSTAT_F_WRITE (1u << 2)
#define LOCKSTAT_F_RT (1u << 3)
#define LOCKSTAT_F_PERCPU (1u << 4)
#define LOCKSTAT_F_MUTEX (1u << 5)
/* ours: the lock is the waiter's own mm->mmap_lock */
#define LOCKSTAT_F_MMAP_LOCK (1u << 16)

struct lockstat_lock_key {
	__u64 addr;
	__u32 flags;
	__u32 pad;
};

struct lockstat_stack_key {
	__s32 stack_id; /* kernel stack of the waiter at contention_begin */
	__u32 flags;
};

struct lockstat_stat {
	__u64 count;
	__u64 total_ns;
	__u64 slots[LOCKSTAT_SLOTS];
};

#ifndef __bpf__
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "lib/hist.h"

struct lockstat_opts {
	pid_t pid;          /* waiters of this process only */
	bool stacks;        /* collect waiter stacks */
	bool force_raw_tp;
};

struct lockstat_row {
	uint64_t addr;      /* the lock (0 for rows by stack) */
	uint32_t flags;
	char name[96];      /* symbol of a static lock, "mmap_lock", or "" */
	char caller[96];    /* first function outside the locking code (rows by stack) */
	unsigned nframes;
	uint64_t frames[32];
	uint64_t count, total_ns;
	struct hist wait_us;
};

struct lockstat_result {
	struct lockstat_row *locks;   /* by total wait, largest first */
	size_t nlocks;
	struct lockstat_row *stacks;  /* by total wait */
	size_t nstacks;
	uint64_t lost;                /* begins and ends the kernel skipped since the last read
				       * with clear (recursion misses: some were nested waits,
				       * ignored anyway) */
};

struct lockstat;
int lockstat_open(const struct lockstat_opts *opts, struct lockstat **out);
int lockstat_read(struct lockstat *l, struct lockstat_result *res, bool clear);
void lockstat_result_free(struct lockstat_result *res);
void lockstat_close(struct lockstat *l);
/* "spinlock", "rwsem:write", "mutex", ... from the flags. */
const char *lockstat_type(uint32_t flags, char *buf, size_t size);
#endif

#endif
