/* The doctor's own sweep (sweep.bpf.c): collector API. Never prints. */
#ifndef WHYSLOW_DOCTOR_SWEEP_COLLECT_H
#define WHYSLOW_DOCTOR_SWEEP_COLLECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/types.h>
#include "lib/hist.h"
#include "lib/stacks.h"
#include "doctor/sweep.h"

struct sweep_disk {
	uint32_t dev; /* major << 20 | minor */
	uint64_t count, total_ns;
	struct hist lat_us;
};

struct sweep_proc {
	uint32_t tgid;
	char comm[16];
	uint64_t count, total_ns;
	struct hist wait_us;
};

struct sweep_stopped {
	uint32_t tgid;
	struct sweep_stop s; /* stop_ts != 0: still stopped at the read */
};

#define SWEEP_TOP_STALLED 8      /* threads kept in each ranking */
#define SWEEP_STACK_FRAMES 24    /* frames kept of a stalled thread's top D-state stack */

/* A thread that spent time off-CPU, with its process's heaviest D-state kernel stack. */
struct sweep_stalled {
	uint32_t tid;
	struct sweep_offcpu o;             /* o.comm from /proc when the thread still lives */
	uint64_t stack_d_us;               /* D time of the process under that stack, 0: none */
	unsigned nframes;
	char frames[SWEEP_STACK_FRAMES][64]; /* symbolized, leaf first, tracing glue dropped */
};

struct sweep_result {
	uint64_t now_ns;     /* CLOCK_MONOTONIC at the read (the BPF clock) */
	unsigned ndisks;
	struct sweep_disk disks[SWEEP_MAX_DISKS];
	struct sweep_lat runq_total_raw;
	struct hist runq_total;
	struct sweep_proc *procs; /* by total wait, largest first */
	size_t nprocs, cap;
	unsigned nstopped;
	struct sweep_stopped stopped[SWEEP_MAX_STOPPED];
	/* off-CPU: all threads, then the worst stalled by D-state time and by D + sleep */
	struct sweep_offcpu_total offcpu_total;
	uint64_t offcpu_threads;            /* threads seen blocking */
	unsigned nstalled_d, nstalled_total;
	struct sweep_stalled stalled_d[SWEEP_TOP_STALLED];
	struct sweep_stalled stalled_total[SWEEP_TOP_STALLED];
	struct stack_samples d_stacks;      /* D-state us per (process, kernel stack), addresses */
	uint64_t d_stacks_missed_us;        /* D time whose stack was lost or not taken (budget) */
};

struct sweep;
/* pid > 0: run-queue waits and signals of that process only. 0 or -errno. */
int sweep_open(pid_t pid, struct sweep **out);
int sweep_read(struct sweep *s, struct sweep_result *r);
void sweep_result_free(struct sweep_result *r);
void sweep_close(struct sweep *s);

#endif
