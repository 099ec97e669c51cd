/* Layouts shared by bitesize's kernel and user sides. */
#ifndef WHYSLOW_BITESIZE_H
#define WHYSLOW_BITESIZE_H

#define BITESIZE_SLOTS 27 /* = LOG2_SLOTS, in kilobytes */

struct bitesize_key {
	__u32 pid; /* thread group id of the submitter */
	__u32 dev; /* major << 20 | minor of the disk with -D, else 0 */
};

struct bitesize_hist {
	__u64 slots[BITESIZE_SLOTS];
};

/* The name of a process, written when one of its keys is created (not per I/O). */
struct bitesize_comm {
	char comm[16];
};

/* A per-CPU direct-mapped table in front of the hash: entry bitesize_index(key) of this
 * CPU belongs to the first key that lands there in an interval (user space empties the
 * table each interval); other keys that land there take the hash. */
#define BITESIZE_TABLE_BITS 7
#define BITESIZE_TABLE (1u << BITESIZE_TABLE_BITS)

struct bitesize_entry {
	struct bitesize_key key;
	__u32 used; /* 1 once key is set */
	__u32 pad;
	char comm[16];
	__u64 slots[BITESIZE_SLOTS];
};

/* Fibonacci hashing of (dev, pid): one multiply, no helper call. */
static inline __u32 bitesize_index(const struct bitesize_key *key)
{
	__u64 v = ((__u64)key->dev << 32) | key->pid;

	return (__u32)((v * 0x9E3779B97F4A7C15ull) >> (64 - BITESIZE_TABLE_BITS));
}

#endif
