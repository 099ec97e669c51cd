/* Layouts shared by schedlat's kernel and user sides. */
#ifndef WHYSLOW_SCHEDLAT_H
#define WHYSLOW_SCHEDLAT_H

/* Where a task stands: on a CPU since, or waiting for one since (0: neither). */
struct schedlat_state {
	__u64 on_cpu_since;
	__u64 waiting_since;
};

/* Per thread, summed since the last read. Only the CPU switching the thread in or out
 * writes it, and a thread is switched on one CPU at a time: no atomics needed. */
struct schedlat_stats {
	__u64 runtime_ns;
	__u64 switches;      /* times switched in */
	__u64 delay_ns;      /* total wait for a CPU */
	__u64 delays;        /* waits counted */
	__u64 max_delay_ns;
	__u64 max_delay_at;  /* start of the longest wait, CLOCK_MONOTONIC ns */
	__u32 pid;           /* process (tgid) */
	char comm[16];
};

#endif
