/* Layouts shared by fsdist's kernel and user sides. */
#ifndef WHYSLOW_FSDIST_H
#define WHYSLOW_FSDIST_H

#include "disk/fsops.h"

#define FSDIST_SLOTS 27 /* = LOG2_SLOTS */

struct fsdist_key {
	char fs[FS_NAME_LEN]; /* file system type */
	__u32 op;             /* enum fs_op */
	__u32 pad;
};

struct fsdist_hist {
	__u64 slots[FSDIST_SLOTS];
};

#endif
