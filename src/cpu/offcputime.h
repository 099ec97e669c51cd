/* Layouts shared by offcputime's kernel and user sides, and its collector API. */
#ifndef WHYSLOW_OFFCPUTIME_H
#define WHYSLOW_OFFCPUTIME_H

/* Where a task was when it left the CPU: stored per task at switch-out. */
struct offcpu_start {
	__u64 ts;
	__s32 user_stack_id;
	__s32 kernel_stack_id;
};

/* Off-CPU time is summed (in microseconds, per CPU) under struct stack_key
 * (bpf/stackmap.h): process, the stacks it blocked in, thread name. */

#ifndef __bpf__
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "lib/stacks.h"

struct offcputime_bpf;

struct offcputime_opts {
	pid_t pid;                /* 0: every process */
	pid_t tid;                /* -t: this thread only (0: every thread) */
	bool user_threads_only;   /* -u */
	bool kernel_threads_only; /* -k */
	bool user_only, kernel_only; /* -U, -K: which stacks */
	uint64_t min_us, max_us;  /* -m, -M: off-CPU periods kept (max 0: no limit) */
	long state;               /* --state: -1 any, else the task state at switch-out */
};
struct offcputime_collector {
	struct offcputime_opts opts;
	struct offcputime_bpf *skel;
	bool tp_btf; /* which program set is attached */
};
/* Returns 0, or prints one line and returns EXIT_RUNTIME. */
int offcputime_open(struct offcputime_collector *oc, const struct offcputime_opts *opts);
/* Appends the off-CPU time (value: microseconds) per stack since the last read; clears. */
int offcputime_read(struct offcputime_collector *oc, struct stack_samples *out,
		    uint64_t *missed);
void offcputime_close(struct offcputime_collector *oc);
#endif

#endif
