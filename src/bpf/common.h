/* Shared by BPF programs. Include after vmlinux.h and bpf_helpers.h. */
#ifndef WHYSLOW_BPF_COMMON_H
#define WHYSLOW_BPF_COMMON_H

#define TASK_RUNNING 0
#define TASK_COMM_LEN 16

/* Number of log2 slots kept in BPF. 27 slots reach 2^27 units (134 s in us). */
#define LOG2_SLOTS 27

/* floor(log2(v)) for v > 0, by halving the search range; no loops, no branches the
 * verifier has to walk. */
static __always_inline __u32 log2_u32(__u32 v)
{
	__u32 r, shift;

	r = (v > 0xFFFF) << 4;
	v >>= r;
	shift = (v > 0xFF) << 3;
	v >>= shift;
	r |= shift;
	shift = (v > 0xF) << 2;
	v >>= shift;
	r |= shift;
	shift = (v > 0x3) << 1;
	v >>= shift;
	r |= shift;
	r |= (v >> 1);
	return r;
}

static __always_inline __u32 log2_u64(__u64 v)
{
	__u32 hi = v >> 32;

	return hi ? log2_u32(hi) + 32 : log2_u32(v);
}

/* Slot of value v: 0 for 0 and 1, else floor(log2(v)), capped to the last slot.
 * Must agree with hist_slot_of() in src/lib/hist.c. */
static __always_inline __u32 log2_slot(__u64 v)
{
	__u32 slot = log2_u64(v);

	return slot < LOG2_SLOTS ? slot : LOG2_SLOTS - 1;
}

/* A count of events the BPF side could not deliver (ring buffer full). Per-CPU: no shared
 * atomic on the hot path. User space sums it with wbpf_lost_events(). */
#define DEFINE_LOST_COUNTER                                                                \
	struct {                                                                           \
		__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);                                   \
		__uint(max_entries, 1);                                                    \
		__type(key, __u32);                                                        \
		__type(value, __u64);                                                      \
	} lost SEC(".maps");                                                               \
	static __always_inline void count_lost(void)                                       \
	{                                                                                  \
		__u32 zero = 0;                                                            \
		__u64 *n = bpf_map_lookup_elem(&lost, &zero);                              \
		if (n)                                                                     \
			(*n)++;                                                            \
	}

/* Adds n to this CPU's u64 at key in a per-CPU hash, creating the key. Two CPUs can both
 * miss a new key: the second update then fails (-EEXIST) and its n goes to the element
 * the first made, instead of being lost. */
static __always_inline void percpu_add_u64(void *map, const void *key, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(map, key);

	if (!v) {
		if (!bpf_map_update_elem(map, key, &n, BPF_NOEXIST))
			return;
		v = bpf_map_lookup_elem(map, key);
		if (!v)
			return;
	}
	*v += n;
}

#endif
