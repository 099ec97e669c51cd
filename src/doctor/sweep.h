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

#endif
