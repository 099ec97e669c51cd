/* A BPF program attached to a cpu-clock software perf event on each CPU (or one), sampling
 * at a frequency. Software events work where hardware counters do not (VMs). Used by
 * profile and runqlen. */
#ifndef WHYSLOW_PERFSAMPLE_H
#define WHYSLOW_PERFSAMPLE_H

#include <bpf/libbpf.h>

struct perf_sampler {
	struct bpf_link **links;
	int *fds;
	int n;
};

/* Attaches prog to a cpu-clock event at freq_hz on every online CPU, or on cpu only if
 * cpu >= 0. Returns 0, or prints one line and returns EXIT_RUNTIME (everything attached
 * so far is detached). */
int perf_sampler_attach(struct perf_sampler *ps, struct bpf_program *prog, unsigned freq_hz,
			int cpu);
void perf_sampler_detach(struct perf_sampler *ps);

#endif
