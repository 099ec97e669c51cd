/* The doctor's own sweep (sweep.bpf.c): collector API. Never prints. */
#ifndef WHYSLOW_DOCTOR_SWEEP_COLLECT_H
#define WHYSLOW_DOCTOR_SWEEP_COLLECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/types.h>
#include "lib/hist.h"
#include "doctor/sweep.h"

struct sweep_disk {
	uint32_t dev; /* major << 20 | minor */
	uint64_t count, total_ns;
	struct hist lat_us;
};

struct sweep_proc {
	uint32_t tgid;
	char comm[16];
	uint64_t count, total_ns;
	struct hist wait_us;
};

struct sweep_stopped {
	uint32_t tgid;
	struct sweep_stop s; /* stop_ts != 0: still stopped at the read */
};

struct sweep_result {
	uint64_t now_ns;     /* CLOCK_MONOTONIC at the read (the BPF clock) */
	unsigned ndisks;
	struct sweep_disk disks[SWEEP_MAX_DISKS];
	struct sweep_lat runq_total_raw;
	struct hist runq_total;
	struct sweep_proc *procs; /* by total wait, largest first */
	size_t nprocs, cap;
	unsigned nstopped;
	struct sweep_stopped stopped[SWEEP_MAX_STOPPED];
};

struct sweep;
/* pid > 0: run-queue waits and signals of that process only. 0 or -errno. */
int sweep_open(pid_t pid, struct sweep **out);
int sweep_read(struct sweep *s, struct sweep_result *r);
void sweep_result_free(struct sweep_result *r);
void sweep_close(struct sweep *s);

#endif
