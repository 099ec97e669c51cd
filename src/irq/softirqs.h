/* Layouts shared by softirqs's kernel and user sides, and its collector API. */
#ifndef WHYSLOW_SOFTIRQS_H
#define WHYSLOW_SOFTIRQS_H

#define SOFTIRQS_VECS 16  /* NR_SOFTIRQS is 10; room for more */
#define SOFTIRQS_SLOTS 27 /* = LOG2_SLOTS */

/* The sums of one vector on one CPU, side by side so that an exit touches one cache
 * line: with time, count and max in three separate arrays an exit cost ~40 ns more. */
struct softirqs_vec {
	__u64 time_ns;
	__u64 count;
	__u64 max_ns;
	__u64 pad;
};

/* The BPF map's value, one per CPU (a per-CPU array of one element). */
struct softirqs_pcpu {
	__u64 start_ns;                /* of the running vector, 0 when none */
	__u32 start_vec;
	__u32 pad;
	struct softirqs_vec vec[SOFTIRQS_VECS];
	__u64 hist[SOFTIRQS_VECS][SOFTIRQS_SLOTS]; /* with -d: log2 of us (ns with -N) */
};

/* What the collector returns per CPU (read from struct softirqs_pcpu). */
struct softirqs_cpu {
	__u64 start_ns;                /* of the running vector, 0 when none */
	__u32 start_vec;
	__u32 pad;
	__u64 time_ns[SOFTIRQS_VECS];
	__u64 count[SOFTIRQS_VECS];
	__u64 max_ns[SOFTIRQS_VECS];
	__u64 hist[SOFTIRQS_VECS][SOFTIRQS_SLOTS]; /* with -d: log2 of us (ns with -N) */
};

/* --timers: time per timer function (timer:timer_expire_entry/exit). */
struct softirqs_timer_start {
	__u64 start_ns;
	__u64 function;
};
struct softirqs_timer {
	__u64 time_ns;
	__u64 count;
	__u64 max_ns;
};

#ifndef __bpf__
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Collector (softirqs command, doctor): per CPU and vector time, count, max, histograms;
 * per timer function. */
struct softirqs_timer_row {
	uint64_t function; /* kernel address; name it with ksyms */
	struct softirqs_timer t;
};
struct softirqs_result {
	unsigned ncpus;
	struct softirqs_cpu *cpus; /* ncpus entries (start fields meaningless) */
	struct softirqs_timer_row *timers; /* highest time first */
	size_t ntimers;
};
struct softirqs_options {
	bool dist, ns, timers;
	int cpu; /* -1: all */
};
struct softirqs_collector;
struct softirqs_collector *softirqs_collector_open(const struct softirqs_options *o);
int softirqs_collector_read(struct softirqs_collector *c, bool clear, struct softirqs_result *out);
void softirqs_result_free(struct softirqs_result *r);
void softirqs_collector_close(struct softirqs_collector *c);
/* Vector name as /proc/softirqs spells it, lower case ("net_rx"); "vecN" if unknown. */
const char *softirqs_vec_name(unsigned vec);
#endif

#endif
