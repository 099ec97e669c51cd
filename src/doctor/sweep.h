/* Layouts shared by the doctor's own sweep (kernel and user side): the signals no other
 * command's collector exposes in the shape the rules need. Block latency per disk (the
 * biolatency command has no collector API yet), run-queue wait per process (runqlat has
 * none either) and SIGSTOP/SIGCONT pairs with the time the target spent stopped. */
#ifndef WHYSLOW_DOCTOR_SWEEP_H
#define WHYSLOW_DOCTOR_SWEEP_H

#define SWEEP_SLOTS 27 /* = LOG2_SLOTS, microseconds */
#define SWEEP_MAX_DISKS 64
#define SWEEP_MAX_PROCS 4096
#define SWEEP_MAX_STOPPED 1024
#define SWEEP_MAX_TASKS 8192     /* threads whose off-CPU time is kept */
#define SWEEP_MAX_D_STACKS 1024  /* distinct D-state kernel stacks */
#define SWEEP_D_STACKS_PER_S 500 /* stack walks per CPU per second, at most (sweep.bpf.c) */

/* Per disk (key: dev, major << 20 | minor) and per process (key: tgid). */
struct sweep_lat {
	__u64 count;
	__u64 total_ns;
	__u64 slots[SWEEP_SLOTS];
};

struct sweep_comm {
	char comm[16];
};

/* Per signalled process (key: target tgid): SIGSTOP to SIGCONT. Signals are rare, so a
 * plain hash updated in place is enough (no per-CPU copy). */
struct sweep_stop {
	__u64 stop_ts;        /* when the pending SIGSTOP was generated, 0 when running */
	__u64 stops, conts, kills;
	__u64 stopped_ns;     /* total of finished stops */
	__u64 max_stop_ns;
	__u32 sender_tgid;    /* who sent the last SIGSTOP */
	__u32 pad;
	char sender_comm[16];
	char target_comm[16];
};

/* Off-CPU time of one thread (key: tid), from switch-out to switch-in, split by the state
 * it left the CPU in: D (TASK_UNINTERRUPTIBLE without TASK_NOLOAD: I/O and lock waits,
 * what load average counts) and the rest (interruptible sleep, stopped...). Only the
 * thread's own switch-in updates it, one CPU at a time: a plain hash, no atomics. */
struct sweep_offcpu {
	__u32 tgid;
	__u32 pad;
	__u64 d_ns, sleep_ns;
	__u64 d_count, sleep_count;
	__u64 d_max_ns;
	char comm[16];           /* the thread's, refreshed at each D-state wait */
};

/* All threads together, per CPU; untracked_ns: off-CPU time of threads the bounded
 * per-thread map had no room for. */
struct sweep_offcpu_total {
	__u64 d_ns, sleep_ns;
	__u64 d_count, sleep_count;
	__u64 untracked_ns;
};

/* Per CPU: credit for stack walks (a token bucket counted in nanoseconds). */
struct sweep_stack_budget {
	__u64 last_ns, credit_ns;
};

/* When a thread left the CPU (task storage with tp_btf, a hash by tid with raw_tp). */
struct sweep_offcpu_start {
	__u64 ts;
	__s32 kernel_stack_id;   /* D only: where it blocked; -EFAULT otherwise */
	__u32 uninterruptible;
};

#endif
