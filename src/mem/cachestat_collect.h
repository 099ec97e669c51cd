/* cachestat's collector, for in-process use (doctor) and the command: page-cache hits,
 * misses and dirtied pages from tracepoints, plus Buffers/Cached from /proc/meminfo.
 * The collector never prints. */
#ifndef WHYSLOW_CACHESTAT_COLLECT_H
#define WHYSLOW_CACHESTAT_COLLECT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct cachestat_opts {
	pid_t pid;          /* > 0: only page-cache activity of this process */
	bool per_process;   /* also count per process (cachestat_processes) */
	bool force_raw_tp;  /* use raw tracepoints even where tp_btf works */
};

/* One interval. hits and misses are derived (see cachestat_derive). */
struct cachestat_sample {
	uint64_t accessed, added, write_added, dirtied, events; /* pages (events: hook hits) */
	uint64_t hits, misses;
	double hit_ratio_pct;  /* NaN when there were no accesses and no misses */
	uint64_t buffers_kb, cached_kb; /* /proc/meminfo at the end of the interval */
};

/* One process's interval (per_process mode). */
struct cachestat_proc {
	pid_t pid;
	char comm[16];
	struct cachestat_sample s; /* buffers_kb and cached_kb are not set per process */
};

struct cachestat_collector;

/* Loads and attaches. Returns 0, or a negative errno (the libbpf log holds detail;
 * -ENOENT: a needed tracepoint is missing). */
int cachestat_open(const struct cachestat_opts *opts, struct cachestat_collector **out);
/* Reads the counts since the last read (or open) into s and clears them. In
 * per_process mode s is the sum of the processes, which cachestat_processes then lists
 * (most pages accessed first; valid until the next read). */
int cachestat_read(struct cachestat_collector *c, struct cachestat_sample *s);
const struct cachestat_proc *cachestat_processes(const struct cachestat_collector *c,
						 size_t *n);
void cachestat_close(struct cachestat_collector *c);

/* The arithmetic, pure (unit-tested): misses are pages added for reads (added minus
 * those a write created), hits the accessed pages that were not misses, never negative;
 * the ratio is hits / (hits + misses). */
void cachestat_derive(struct cachestat_sample *s);

#endif
