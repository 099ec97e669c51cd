/* Layouts shared by profile's kernel and user sides, and its collector API. */
#ifndef WHYSLOW_PROFILE_H
#define WHYSLOW_PROFILE_H

/* Samples are counted per CPU under struct stack_key (bpf/stackmap.h): process (tgid, as
 * bcc's profile shows), user and kernel stack ids, thread name. */

#ifndef __bpf__
#include <stdbool.h>
#include <sys/types.h>
#include "lib/perfsample.h"
#include "lib/stacks.h"

struct profile_bpf;

/* Collector: open and attach with the settings, read (and clear) the samples, close.
 * Used by the profile command and in-process by doctor. */
struct profile_opts {
	unsigned freq_hz;  /* samples per second per CPU (default 49) */
	pid_t pid;         /* 0: every process */
	pid_t tid;         /* -L: this thread only (0: every thread) */
	int cpu;           /* -1: every CPU */
	bool user_only, kernel_only, include_idle;
};
struct profile_collector {
	struct profile_opts opts;
	struct profile_bpf *skel;
	struct perf_sampler sampler;
};
/* Returns 0, or prints one line and returns EXIT_RUNTIME. */
int profile_open(struct profile_collector *pc, const struct profile_opts *opts);
/* Moves the samples taken since the last read into out (appended); clears the maps.
 * *missed counts samples whose stack could not be stored (stack map full). */
int profile_read(struct profile_collector *pc, struct stack_samples *out, uint64_t *missed);
void profile_close(struct profile_collector *pc);
#endif

#endif
