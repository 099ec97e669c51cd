/* Layouts shared by runqlat's kernel and user sides. */
#ifndef WHYSLOW_RUNQLAT_H
#define WHYSLOW_RUNQLAT_H

#define RUNQLAT_SLOTS 27 /* = LOG2_SLOTS */

struct runqlat_hist {
	__u64 slots[RUNQLAT_SLOTS];
};

struct runqlat_comm {
	char comm[16];
};

#endif
