/* Layouts shared by bitesize's kernel and user sides. */
#ifndef WHYSLOW_BITESIZE_H
#define WHYSLOW_BITESIZE_H

#define BITESIZE_SLOTS 27 /* = LOG2_SLOTS, in kilobytes */

struct bitesize_key {
	__u32 pid;  /* the issuer's thread group id */
	__u32 dev;  /* major << 20 | minor with -D, else 0 */
	char comm[16];
};

struct bitesize_hist {
	__u64 slots[BITESIZE_SLOTS];
};

#endif
