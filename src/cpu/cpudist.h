/* Layouts shared by cpudist's kernel and user sides. */
#ifndef WHYSLOW_CPUDIST_H
#define WHYSLOW_CPUDIST_H

#define CPUDIST_SLOTS 27 /* = LOG2_SLOTS */

struct cpudist_hist {
	__u64 slots[CPUDIST_SLOTS];
};

struct cpudist_comm {
	char comm[16];
};

#endif
