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

#endif
