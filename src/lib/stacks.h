/* Stacks: read BPF stack traces (BPF_MAP_TYPE_STACK_TRACE maps filled by bpf_get_stackid,
 * or buffers filled by bpf_get_stack), symbolize them with syms.h, and print them as
 * folded lines for flame graphs (flamegraph.pl format: "comm;root;...;leaf count", user
 * frames then kernel frames, kernel frames suffixed "_[k]", as bcc's tools write them) or
 * as bcc-style multi-line stacks (leaf first, kernel then user, "--" between).
 *
 * Shared by every command that prints stacks (profile, offcputime, skbdrop -s, tcpretrans
 * -s, lockstat...). Nothing here knows about a command. */
#ifndef WHYSLOW_STACKS_H
#define WHYSLOW_STACKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <linux/types.h>
#include "bpf/stackmap.h"
#include "lib/out.h"

struct ksyms;
struct usyms;

/* The symbol tables a command needs; either may be NULL (frames then print "[unknown]"). */
struct stack_syms {
	struct ksyms *ksyms;
	struct usyms *usyms;
	bool offsets; /* "func+0x1a" instead of "func" */
};

/* Loads kallsyms (kernel) and a user-symbol cache (user). Returns 0, or -1 when kallsyms
 * cannot be read (the caller says so; user-only stacks still work). */
int stack_syms_open(struct stack_syms *ss, bool kernel, bool user);
void stack_syms_close(struct stack_syms *ss);
/* Reads a process's mappings and the symbols of its executable files now, so that its
 * stacks still resolve after it exits (commands given -p PID call it at start). */
void stack_syms_warm(struct stack_syms *ss, pid_t pid);

/* Name of one frame: the symbol (pointing into the symbol tables, or into buf when an
 * offset is added), "[unknown]" when there is none. Valid until stack_syms_close or the
 * next use of buf. User frames of a process that has exited also come out "[unknown]". */
const char *stack_kernel_frame(const struct stack_syms *ss, uint64_t addr, char *buf,
			       size_t size);
const char *stack_user_frame(struct stack_syms *ss, pid_t pid, uint64_t addr, char *buf,
			     size_t size);

/* Number of frames in a bpf_get_stack buffer (up to the first zero address). */
unsigned stack_depth(const uint64_t *ips, unsigned max);
/* Stack-trace maps come alone (DEFINE_STACK_MAP) or as a pair (DEFINE_STACK_MAPS): the
 * map, and a smaller one taking the stacks that collide in it, whose ids carry
 * STACK_ID_FALLBACK. Below, fallback_fd is the second map's descriptor, -1 for none. */

/* Where stack `id` lives: returns its key in its map, and sets *fallback when that map is
 * the fallback one; -1 when id < 0 (bpf_get_stackid failed: no stack). */
int64_t stack_id_key(int64_t id, bool *fallback);
/* Reads stack `id` into ips[STACK_MAX_DEPTH]; returns its number of frames, 0 when id < 0
 * (bpf_get_stackid failed), the id is gone, or it names a fallback map there is not. */
unsigned stack_map_read(int map_fd, int fallback_fd, int64_t id, uint64_t *ips);
/* Deletes every stack of both maps (ids are reused only once freed). */
void stack_map_clear(int map_fd, int fallback_fd);

/* One sampled stack: addresses leaf first, as the kernel gives them. An error is the
 * negative result of bpf_get_stackid/bpf_get_stack (0 if none): -EFAULT means there was
 * no such stack (a kernel thread has no user stack) and is silently empty; any other
 * error shows as "[Missed User Stack]" / "[Missed Kernel Stack]". */
struct stack_ref {
	const char *comm;
	pid_t pid;
	const uint64_t *user;
	unsigned nuser;
	int user_err;
	const uint64_t *kernel;
	unsigned nkernel;
	int kernel_err;
};

/* Index of the first kernel frame worth showing (leaf first): the frames before it are
 * the tracing glue (the BPF program, bpf_trace_run, __traceiter_) every printer drops. */
unsigned stack_kernel_first(const struct stack_syms *ss, const struct stack_ref *st);

/* The folded line without its count: "comm;u_root;...;u_leaf;k_root_[k];...;k_leaf_[k]",
 * with "-" between user and kernel frames if delimiter. Semicolons inside names become ':'
 * and line breaks spaces, so the line stays parseable. malloc'd; NULL when out of memory. */
char *stack_fold(struct stack_syms *ss, const struct stack_ref *st, bool delimiter);

/* bcc-style multi-line stack: kernel frames leaf first, "--" if both, user frames leaf
 * first, "-                comm (pid)", then the value, then an empty line. */
void stack_print(struct stack_syms *ss, const struct stack_ref *st, uint64_t value,
		 FILE *f);

/* JSON: "user_stack":[leaf..root], "kernel_stack":[leaf..root] into the open object. */
void stack_json(struct stack_syms *ss, const struct stack_ref *st, struct json *j);

/* Folded lines summed by text: different addresses in one function fold into one line. */
struct folded_entry {
	char *line;
	uint64_t count;
	uint32_t hash;
};
struct folded_set {
	struct folded_entry *entries;
	size_t n, cap;
	uint32_t *slots; /* open addressing: 0 empty, else entry index + 1 */
	size_t nslots;
};
void folded_set_init(struct folded_set *fs);
void folded_set_free(struct folded_set *fs);
/* Adds count to line (copied). Returns 0, or -1 when out of memory. */
int folded_set_add(struct folded_set *fs, const char *line, uint64_t count);
/* Sorts entries by line (ties impossible), or by count, highest first, then line. */
void folded_set_sort(struct folded_set *fs, bool by_count);
/* Writes "line count\n" per entry in their current order. */
void folded_set_write(const struct folded_set *fs, FILE *f);

/* --- collected stacks: what a collector hands to printers (and to the doctor) --- */

/* One stack with its value (samples, or microseconds off-CPU). user and kernel point into
 * one allocation owned by the sample. */
struct stack_sample {
	pid_t pid;
	char comm[16];
	uint64_t value;
	int user_err, kernel_err;
	unsigned nuser, nkernel;
	uint64_t *user, *kernel;
};
struct stack_samples {
	struct stack_sample *items;
	size_t n, cap;
	uint64_t total; /* sum of the values */
};
/* Copies the addresses. Returns 0, or -1 when out of memory. */
int stack_samples_add(struct stack_samples *s, const struct stack_ref *st, uint64_t value);
/* Ascending by value (as bcc prints: the heaviest stack last, next to the prompt). */
void stack_samples_sort(struct stack_samples *s);
void stack_samples_free(struct stack_samples *s);
struct stack_ref stack_sample_ref(const struct stack_sample *sample);

/* Reads a per-CPU hash of struct stack_key -> u64 (summed over CPUs) and the stack-trace
 * maps its ids point into (fallback_fd -1 for none), appends one sample per key to out, and
 * clears the hash and the stack maps. *missed (if not NULL) gets the total value of keys
 * whose stack was lost (map full or hash collision). Returns 0 or -errno. */
int stack_counts_read(int counts_fd, int stacks_fd, int fallback_fd, struct stack_samples *out,
		      uint64_t *missed);

/* Symbolizes every sample into folded lines summed by text (sorted by line). */
int stack_samples_fold(struct stack_syms *ss, const struct stack_samples *s, bool delimiter,
		       struct folded_set *out);
/* Text: folded lines (sorted by line) or multi-line stacks in the samples' order. */
void stack_samples_print(struct stack_syms *ss, const struct stack_samples *s, bool folded,
			 bool delimiter, FILE *f);
/* JSON: "stacks":[{"pid","comm",value_key,"user_stack","kernel_stack"}...], heaviest
 * first, at most max_stacks of them (0: all). */
void stack_samples_json(struct stack_syms *ss, const struct stack_samples *s,
			const char *value_key, size_t max_stacks, struct json *j);

#endif
