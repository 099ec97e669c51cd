/* Layouts shared by runqlen's kernel and user sides. */
#ifndef WHYSLOW_RUNQLEN_H
#define WHYSLOW_RUNQLEN_H

#define RUNQLEN_SLOTS 64 /* linear: 0, 1, ... 63 and more */

/* Per CPU (a per-CPU array of one element): samples by run-queue length. */
struct runqlen_hist {
	__u64 slots[RUNQLEN_SLOTS];
};

#endif
