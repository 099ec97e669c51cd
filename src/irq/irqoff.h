/* Layouts shared by irqoff's kernel and user sides. */
#ifndef WHYSLOW_IRQOFF_H
#define WHYSLOW_IRQOFF_H

#define IRQOFF_VECS 16

enum irqoff_kind {
	IRQOFF_HARDIRQ = 0, /* a timer sample came late: interrupts were off (or the vCPU stalled) */
	IRQOFF_SOFTIRQ = 1, /* a raised softirq waited that long to run */
};

struct irqoff_event {
	__u64 ts_ns;
	__u64 duration_ns;
	__u32 cpu;
	__u32 pid;          /* the task on the CPU when it ended (hardirq) or during the wait */
	__s32 stack_id;     /* kernel stack there, -1 if none */
	__u8 kind;
	__u8 vec;           /* softirq vector (IRQOFF_SOFTIRQ) */
	__u16 pad;
	char comm[16];
};

/* Per CPU: the sampler's last tick and the softirqs raised but not yet run. */
struct irqoff_cpu {
	__u64 last_sample_ns;
	__u64 pending_since[IRQOFF_VECS];
	/* the last sample taken while some softirq was pending */
	__u64 seen_ns;
	__u32 seen_pid;
	__s32 seen_stack_id;
	char seen_comm[16];
};

#endif
