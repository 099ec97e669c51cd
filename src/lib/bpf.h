/* BPF helpers shared by every command: libbpf log routing, prerequisites (root, BTF),
 * feature probes by real attach, tp_btf/raw_tp selection, and map readers. */
#ifndef WHYSLOW_BPF_H
#define WHYSLOW_BPF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <bpf/libbpf.h>

/* Routes libbpf's messages: warnings and debug only with verbose (-v), else they are
 * kept and the last few lines are shown when a load fails. Call once. */
void wbpf_init(bool verbose);
/* The last lines libbpf logged (for error messages), or "". */
const char *wbpf_last_log(void);

/* Root/caps, BTF, tracefs. Each prints a dedicated one-line error and returns EXIT_RUNTIME,
 * or returns 0. */
int wbpf_check_prereqs(void);

/* Whether the kernel has tracepoint `name` (e.g. "sched_switch"), from BTF (the
 * btf_trace_<name> typedef); falls back to tracefs events/<category>/<name>. */
bool wbpf_tracepoint_exists(const char *category, const char *name);
/* Fails with "tracepoint CAT:NAME is missing" unless every listed one exists. */
int wbpf_require_tracepoints(const char *const *cat_name_pairs /* NULL-terminated */);

enum wbpf_feature {
	WBPF_TP_BTF,	 /* typed raw tracepoints (BTF args, direct reads) */
	WBPF_RAW_TP,	 /* raw tracepoints */
	WBPF_KPROBE,	 /* kprobes: optional richer paths only */
	WBPF_FENTRY,	 /* fentry/fexit trampolines: optional faster paths only */
	WBPF_UPROBE,	 /* uprobes on user functions (funclatency, funcslower) */
	WBPF_PERF_CLOCK, /* BPF on the cpu-clock software event (profile) */
	WBPF_FEATURE_COUNT
};
/* Probed once per process by loading and attaching a dummy program; cached. */
int wbpf_uprobe_target(int x); /* a function of ours the uprobe probe attaches to */
bool wbpf_have(enum wbpf_feature f);
const char *wbpf_feature_name(enum wbpf_feature f);

/* Chooses between two programs of the same handler: the tp_btf one if the kernel takes
 * it, else the raw_tp one (the other one's autoload is turned off). Returns true if the
 * tp_btf program was chosen. */
/* false when WHYSLOW_FORCE_RAW_TP is set: tests use it to run the raw_tp fallback path */
bool wbpf_prefer_tp_btf(void);

bool wbpf_pick(struct bpf_program *tp_btf_prog, struct bpf_program *raw_tp_prog, bool use_btf);

/* wbpf_pick for an optional pair: neither is loaded unless `want` and the tracepoint
 * CATEGORY:NAME exists. */
void wbpf_pick_optional(struct bpf_program *tp_btf_prog, struct bpf_program *raw_tp_prog,
			bool use_btf, bool want, const char *category, const char *name);

/* Loads a skeleton-opened object with a one-line error that names the likely cause.
 * `what` names the command's kernel part. */
int wbpf_load_error(const char *what, int err);

int wbpf_ncpus(void); /* possible CPUs, as per-CPU maps size their values */

/* Sums a per-CPU value of n u64 words across CPUs: out[i] = sum over CPUs of word i. */
int wbpf_percpu_sum(int map_fd, const void *key, uint64_t *out, unsigned n);
/* Sets a per-CPU value of n u64 words to zero on every CPU. */
int wbpf_percpu_zero(int map_fd, const void *key, unsigned n);

/* Walks a hash map: calls fn(key, value, ctx) for each element; per-CPU values arrive
 * summed as u64 words (value_size must be a multiple of 8 for per-CPU maps). With clear,
 * the walked elements are deleted afterwards. Returns the number of elements or < 0. */
typedef void (*wbpf_walk_fn)(const void *key, const void *value, void *ctx);
int wbpf_hash_walk(int map_fd, size_t key_size, size_t value_size, bool percpu,
		   bool clear, wbpf_walk_fn fn, void *ctx);

/* Ring buffer loss counter convention: BPF programs count failed reservations in a per-CPU
 * array map named "lost" (u64 at index 0); this returns the sum. */
uint64_t wbpf_lost_events(int lost_map_fd);

/* Runs of an object's programs the kernel skipped because a program of the object was
 * already running on that CPU (an interrupt hit the same hook): bpf_prog_info's
 * recursion_misses, summed. Events lost this way are reported, like ring-buffer drops. */
uint64_t wbpf_recursion_misses(struct bpf_object *obj);

#endif
