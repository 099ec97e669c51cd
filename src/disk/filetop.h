/* Layouts shared by filetop's kernel and user sides. */
#ifndef WHYSLOW_FILETOP_H
#define WHYSLOW_FILETOP_H

#include "disk/fsops.h"

struct filetop_key {
	__u64 ino;
	__u32 dev;   /* the inode's super block s_dev (major << 20 | minor) */
	__u32 pid;
	__u32 kind;  /* enum fs_file_kind */
	__u32 pad;
};

/* Names of a key, written once when the key first appears in an interval (so that the
 * hot path hashes 24 bytes, not the names). */
struct filetop_names {
	char comm[16];
	char file[FS_FILE_LEN];
};

struct filetop_value {
	__u64 reads, writes, read_bytes, write_bytes;
};

#endif
