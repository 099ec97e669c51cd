/* Layouts shared by syscount's kernel and user sides, and (outside the BPF build) the
 * collector API that syscount's printer and the doctor use. */
#ifndef WHYSLOW_SYSCOUNT_H
#define WHYSLOW_SYSCOUNT_H

#ifndef __bpf__
#include <linux/types.h> /* __u32 and friends; the BPF side has them from vmlinux.h */
#endif

#define SYSCOUNT_SLOTS 27    /* = LOG2_SLOTS */
#define SYSCOUNT_NR_MAX 1024 /* = SYSCALL_NR_MAX: syscall numbers counted in the array */

/* Key of the keyed map. Fields the mode does not key on are 0 (nr: -1 per process). */
struct syscount_key {
	__u32 tgid;
	__s32 nr;
	__s32 err; /* positive errno, 0 for success */
	__u32 pad;
};

/* Counts of one key; slots (log2 of microseconds) and total_ns only with -L. */
struct syscount_stat {
	__u64 count;
	__u64 total_ns;
	__u64 slots[SYSCOUNT_SLOTS];
};

struct syscount_comm {
	char comm[16];
};

#ifndef __bpf__
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "lib/hist.h"

/* What to count. */
struct syscount_opts {
	pid_t pid;          /* 0: every process */
	char comm[16];      /* "": every command name */
	int errno_filter;   /* count only calls failing with this errno (implies failures) */
	bool failures;      /* count failed calls only, keyed also by errno */
	bool latency;       /* time each call (sys_enter to sys_exit) */
	bool per_process;   /* key by process */
	bool force_raw_tp;  /* use raw_tp even if tp_btf works */
};

/* One row: a syscall, a process, or (failure modes) either with its errno. */
struct syscount_row {
	uint32_t tgid;      /* per process only */
	char comm[16];
	int32_t nr;         /* -1 when keyed by process only */
	int32_t err;        /* failure modes */
	uint64_t count;
	uint64_t total_ns;  /* latency only */
	struct hist latency_us;
};

struct syscount_result {
	struct syscount_row *rows; /* sorted: by total_ns with latency, else by count */
	size_t n, cap;
	uint64_t total_count;
};

struct syscount;
/* Loads and attaches. Returns 0, or a negative errno (the caller reports it). */
int syscount_open(const struct syscount_opts *opts, struct syscount **out);
/* Reads every counter into res (replacing its rows); clear zeroes them after reading. */
int syscount_read(struct syscount *s, struct syscount_result *res, bool clear);
void syscount_result_free(struct syscount_result *res);
void syscount_close(struct syscount *s);
#endif

#endif
