/* Stack-trace map layout shared by BPF programs and src/lib/stacks.c. Plain C, so that both
 * sides include it: the depth decides the value size of every BPF_MAP_TYPE_STACK_TRACE map
 * (bpf_get_stackid) and the size of bpf_get_stack buffers. */
#ifndef WHYSLOW_BPF_STACKMAP_H
#define WHYSLOW_BPF_STACKMAP_H

/* PERF_MAX_STACK_DEPTH, the kernel's default for kernel.perf_event_max_stack. */
#define STACK_MAX_DEPTH 127

/* A stack id with this bit set is a bucket of the fallback map of a pair defined by
 * DEFINE_STACK_MAPS (see stack_id_get). Ids are bucket indexes, below max_entries rounded
 * up to a power of two: far below this bit, and it leaves an __s32 id positive. */
#define STACK_ID_FALLBACK (1 << 30)

/* The key most stack-counting commands sum under (profile, offcputime, ...): a process,
 * the ids of its user and kernel stacks in a stack-trace map (negative: the error of
 * bpf_get_stackid, -EFAULT meaning there was no such stack), and the thread's name. With
 * a per-CPU hash of u64 values under it, stack_counts_read() in lib/stacks.h reads it. */
struct stack_key {
	__u32 pid;
	__s32 user_stack_id;
	__s32 kernel_stack_id;
	char comm[16];
};

#ifdef __bpf__
/* A stack-trace map named `name` holding up to `entries` distinct stacks. */
#define DEFINE_STACK_MAP(name, entries)                                                    \
	struct {                                                                           \
		__uint(type, BPF_MAP_TYPE_STACK_TRACE);                                    \
		__uint(max_entries, entries);                                              \
		__type(key, __u32);                                                        \
		__uint(value_size, STACK_MAX_DEPTH * sizeof(__u64));                       \
	} name SEC(".maps")

/* A stack-trace map `name` and, a quarter of its size, `name##_fallback` for the stacks
 * that collide in it (see stack_id_get). */
#define DEFINE_STACK_MAPS(name, entries)                                                   \
	DEFINE_STACK_MAP(name, entries);                                                   \
	DEFINE_STACK_MAP(name##_fallback, (entries) / 4)

#define STACK_EEXIST 17 /* EEXIST, which vmlinux.h does not carry */

/* bpf_get_stackid into `map`, or into `fallback` when the stack collides there.
 *
 * The kernel's stack map has no chaining: a stack hashing to a bucket that holds another
 * stack is refused with -EEXIST (unless BPF_F_REUSE_STACKID, which would overwrite a stack
 * that counted samples still point to). With a few hundred distinct stacks in 16k buckets
 * the birthday effect makes some collisions likely in every run; the few stacks refused
 * get a second chance in the smaller map, whose ids carry STACK_ID_FALLBACK. The common
 * case costs one comparison more. A stack refused by both is still -EEXIST: mainly a third
 * stack of one bucket, since bucket indexes are the low bits of one hash (seeded with 0 in
 * every map), so the stacks of a bucket of `map` share a bucket of `fallback` whenever
 * both walks give the same frames (always in perf-event programs; in a tracepoint program
 * the kernel stack starts at the calling instruction, which differs). */
static __always_inline long stack_id_get(void *ctx, void *map, void *fallback, __u64 flags)
{
	long id = bpf_get_stackid(ctx, map, flags);

	if (id == -STACK_EEXIST) {
		id = bpf_get_stackid(ctx, fallback, flags);
		if (id >= 0)
			id |= STACK_ID_FALLBACK;
	}
	return id;
}

/* stack_id_get on the pair `name`, `name##_fallback` defined by DEFINE_STACK_MAPS. */
#define STACK_ID_GET(ctx, name, flags) stack_id_get(ctx, &name, &name##_fallback, flags)
#endif

#endif
