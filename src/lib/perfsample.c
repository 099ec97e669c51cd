/* See perfsample.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include "lib/bpf.h"
#include "lib/cli.h"
#include "lib/perfsample.h"

static int open_cpu_clock(int cpu, unsigned freq)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.size = sizeof(attr),
		.freq = 1,
		.sample_freq = freq,
	};

	return (int)syscall(__NR_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

int perf_sampler_attach(struct perf_sampler *ps, struct bpf_program *prog, unsigned freq_hz,
			int only_cpu)
{
	int ncpus = wbpf_ncpus();

	memset(ps, 0, sizeof(*ps));
	ps->links = calloc(ncpus, sizeof(*ps->links));
	ps->fds = calloc(ncpus, sizeof(*ps->fds));
	if (!ps->links || !ps->fds) {
		perf_sampler_detach(ps);
		return cli_fail("out of memory");
	}
	for (int cpu = 0; cpu < ncpus; cpu++) {
		int fd, err;

		if (only_cpu >= 0 && cpu != only_cpu)
			continue;
		if ((fd = open_cpu_clock(cpu, freq_hz)) < 0) {
			err = errno;
			if (err == ENODEV) /* possible but offline CPU */
				continue;
			perf_sampler_detach(ps);
			return cli_fail("perf_event_open(cpu-clock) on CPU %d failed: %s%s", cpu,
					strerror(err),
					err == EACCES || err == EPERM
						? ": run as root, or lower kernel.perf_event_paranoid"
						: "");
		}
		ps->fds[ps->n] = fd;
		ps->links[ps->n] = bpf_program__attach_perf_event(prog, fd);
		if (!ps->links[ps->n]) {
			err = errno;
			close(fd);
			perf_sampler_detach(ps);
			return cli_fail("attaching to the perf event of CPU %d failed: %s", cpu,
					strerror(err));
		}
		ps->n++;
	}
	if (!ps->n) {
		perf_sampler_detach(ps);
		return cli_fail(only_cpu >= 0 ? "CPU %d is offline" : "no online CPU to sample",
				only_cpu);
	}
	return 0;
}

void perf_sampler_detach(struct perf_sampler *ps)
{
	for (int i = 0; i < ps->n; i++) {
		bpf_link__destroy(ps->links[i]);
		close(ps->fds[i]);
	}
	free(ps->links);
	free(ps->fds);
	memset(ps, 0, sizeof(*ps));
}
