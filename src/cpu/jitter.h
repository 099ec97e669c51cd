/* Layouts shared by jitter's kernel and user sides. The maps holding them are arrays that
 * user space maps into memory (BPF_F_MMAPABLE): the ticker threads read their counters at
 * every loop boundary without a system call, and the stall reports read the rings. */
#ifndef WHYSLOW_JITTER_H
#define WHYSLOW_JITTER_H

#define JITTER_SWITCH_RING 2048 /* switches remembered per CPU (a power of two) */
#define JITTER_SIGNAL_RING 64   /* signals to the watched process remembered per CPU */
#define JITTER_MAX_THREADS 256

/* One context switch on a CPU: at ts, `prev_pid` left it and `pid` was switched in. Who
 * ran between two records is the task that left at the second: that is `pid` of the first
 * almost always, but this kernel (6.18 in a VM) also emits sched_switch for a `next` that
 * never runs (the next record shows the same prev still leaving, with no switch back). */
struct jitter_switch {
	__u64 ts;
	__u32 pid, tgid;
	char comm[16];
	__u32 prev_pid, pad;
};

/* A signal sent to the watched process (generated on the sender's CPU). */
struct jitter_signal {
	__u64 ts;
	__u32 sender_pid, target_tid;
	__s32 sig;
	__u32 pad;
	char sender_comm[16];
};

/* Per CPU, written only by that CPU. 64 bytes: no two CPUs share a cache line. */
struct jitter_cpu {
	__u64 switches;    /* switch_ring records written (index = switches % RING) */
	__u64 signals;     /* signal_ring records written */
	__u64 softirq_ns, hardirq_ns; /* cumulative */
	__u64 softirq_start, hardirq_start;
	/* the last switch: its next and when; a watched next's slot + 1 (0: not watched) */
	__u32 cur_tid, cur_slot;
	__u64 cur_ts;
};

/* Per watched thread: cumulative time off-CPU split by why. */
struct jitter_thread {
	__u64 runnable_ns; /* waiting for a CPU (woken or preempted) */
	__u64 offcpu_ns;   /* sleeping, blocked or stopped */
	__u64 stopped_ns;  /* of which stopped (SIGSTOP, ptrace) */
	__u64 since;       /* when the current off-CPU period began, 0 while running */
	__u32 runnable;    /* the current period is a run-queue wait */
	__u32 stopped;     /* the current period is a stop */
	/* -p mode: the current involuntary absence (preempted, stopped, or woken and not yet
	 * running), with the counters as they were when it began */
	__u64 stall_start;
	__u64 stall_runnable, stall_stopped, stall_softirq, stall_hardirq;
	__u32 stall_cpu;
	__u32 pad;
	__u64 in_ts;       /* its last switch-in */
	__u64 pad2[2];
};

/* -p mode: an involuntary absence of a watched thread longer than the threshold. */
struct jitter_stall {
	__u64 start, end;
	__u64 runnable_ns, stopped_ns, softirq_ns, hardirq_ns;
	__u32 tid, cpu;
};

#ifndef __bpf__
#include <stdbool.h>
#include <stdint.h>

struct jitter_ran {
	uint32_t pid;
	char comm[16];
	uint64_t ns;
};

/* Who ran on a CPU between t0 and t1, from its switch ring (`count` records written):
 * up to max entries, largest first, the thread `tid` and the idle task left out (idle
 * time goes to *idle_ns). *partial: the ring no longer reaches back to t0. */
int jitter_who_ran(const struct jitter_switch *ring, uint64_t count, uint64_t t0,
		   uint64_t t1, uint32_t tid, struct jitter_ran *ran, int max, bool *partial,
		   uint64_t *idle_ns);
#endif

#endif
