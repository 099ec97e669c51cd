/* User-side helpers shared by fsdist, fsslower and filetop. */
#ifndef WHYSLOW_FSCOMMON_H
#define WHYSLOW_FSCOMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lib/bpf.h"
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

/* For aliases (ext4dist, xfsslower): sets *fs to the alias's file system (kept in buf),
 * or exits with a usage error if -t named another one. */
void fs_apply_alias(const char *argv0, const char *suffix, const char *base_command,
		    const char **fs, char *buf, size_t size);

/* Copies a file-system filter into the BPF side's targ_fs; returns whether there is one. */
bool fs_set_filter(volatile char *targ_fs, const char *fs);

/* Fills the settings DEFINE_FS_CALLS declares (bpf/fsfile.h) and picks the tp_btf or
 * raw_tp programs of FS_SYSCALL_PROGRAMS. fs may be NULL (every file system). */
#define fs_calls_setup(skel, fs, pid, use_btf, op_mask)                                    \
	do {                                                                               \
		fs_fill_syscalls((skel)->rodata->op_of, (skel)->rodata->is_positional,      \
				 (op_mask));                                               \
		(skel)->rodata->filter_fs = fs_set_filter((skel)->rodata->targ_fs, (fs));  \
		(skel)->rodata->filter_pid = (pid) > 0;                                    \
		(skel)->rodata->targ_pid = (uint32_t)(pid);                                \
		wbpf_pick((skel)->progs.sys_enter_btf, (skel)->progs.sys_enter_raw, (use_btf)); \
		wbpf_pick((skel)->progs.sys_exit_btf, (skel)->progs.sys_exit_raw, (use_btf)); \
		bpf_map__set_autocreate((skel)->maps.fs_call_ts, (use_btf));               \
		bpf_map__set_autocreate((skel)->maps.fs_calls, !(use_btf));                \
	} while (0)

/* Whether /proc/filesystems text lists fs ("nodev\ttmpfs\n\text4\n"). */
bool fs_type_listed(const char *proc_filesystems, const char *fs);

/* Checks that the kernel knows file system type fs: 0, or a one-line error and
 * EXIT_RUNTIME (not built or module not loaded). */
int fs_check_type(const char *fs);

#endif
