/* User-side helpers shared by fsdist, fsslower and filetop. */
#ifndef WHYSLOW_FSCOMMON_H
#define WHYSLOW_FSCOMMON_H

#include <stdbool.h>
#include <stdint.h>
#include "disk/fsops.h"

/* Fills op_of[FS_MAX_SYSCALL] (syscall number -> enum fs_op) and
 * is_positional[FS_MAX_SYSCALL] with this architecture's numbers, for the operations in
 * op_mask (bits 1 << FS_READ, ...; FS_ALL_OPS for all). */
#define FS_ALL_OPS ((1u << FS_OP_COUNT) - 1)
void fs_fill_syscalls(volatile uint8_t *op_of, volatile bool *is_positional, unsigned op_mask);

/* "read", "write", "open", "fsync". */
const char *fs_op_name(unsigned op);

/* The file system an alias names: fs_alias_type("ext4slower", "slower") is "ext4";
 * NULL when argv0 is the base command itself ("fsslower") or does not end in suffix. */
const char *fs_alias_type(const char *argv0, const char *suffix, char *buf, size_t size);

/* Whether /proc/filesystems text lists fs ("nodev\ttmpfs\n\text4\n"). */
bool fs_type_listed(const char *proc_filesystems, const char *fs);

/* Checks that the kernel knows file system type fs: 0, or a one-line error and
 * EXIT_RUNTIME (not built or module not loaded). */
int fs_check_type(const char *fs);

#endif
