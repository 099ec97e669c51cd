/* See fscommon.h. */
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include "lib/cli.h"
#include "lib/procfs.h"
#include "disk/fscommon.h"

void fs_fill_syscalls(volatile uint8_t *op_of, volatile bool *is_positional, unsigned op_mask)
{
	static const struct {
		long nr;
		uint8_t op;
		bool positional;
	} calls[] = {
		{SYS_read, FS_READ, false},	  {SYS_write, FS_WRITE, false},
		{SYS_pread64, FS_READ, true},	  {SYS_pwrite64, FS_WRITE, true},
		{SYS_readv, FS_READ, false},	  {SYS_writev, FS_WRITE, false},
		{SYS_preadv, FS_READ, true},	  {SYS_pwritev, FS_WRITE, true},
#ifdef SYS_preadv2
		{SYS_preadv2, FS_READ, true},	  {SYS_pwritev2, FS_WRITE, true},
#endif
#ifdef SYS_open
		{SYS_open, FS_OPEN, false},
#endif
		{SYS_openat, FS_OPEN, false},
#ifdef SYS_openat2
		{SYS_openat2, FS_OPEN, false},
#endif
		{SYS_fsync, FS_FSYNC, false},	  {SYS_fdatasync, FS_FSYNC, false},
	};

	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		if (calls[i].nr < 0 || calls[i].nr >= FS_MAX_SYSCALL || !(op_mask & (1u << calls[i].op)))
			continue;
		op_of[calls[i].nr] = calls[i].op;
		is_positional[calls[i].nr] = calls[i].positional;
	}
}

const char *fs_op_name(unsigned op)
{
	static const char *const names[] = {"?", "read", "write", "open", "fsync"};

	return op < FS_OP_COUNT ? names[op] : "?";
}

const char *fs_alias_type(const char *argv0, const char *suffix, char *buf, size_t size)
{
	size_t n = strlen(argv0), s = strlen(suffix);

	if (n <= s || strcmp(argv0 + n - s, suffix) != 0 || n - s >= size)
		return NULL;
	if (n - s == 2 && strncmp(argv0, "fs", 2) == 0)
		return NULL; /* fsdist, fsslower: the generic command */
	memcpy(buf, argv0, n - s);
	buf[n - s] = 0;
	return buf;
}

void fs_apply_alias(const char *argv0, const char *suffix, const char *base_command,
		    const char **fs, char *buf, size_t size)
{
	if (!fs_alias_type(argv0, suffix, buf, size))
		return;
	if (*fs && strcmp(*fs, buf) != 0)
		cli_usage_error("%s traces %s only: use %s -t %s", argv0, buf, base_command, *fs);
	*fs = buf;
}

bool fs_set_filter(volatile char *targ_fs, const char *fs)
{
	for (int i = 0; fs && i < FS_NAME_LEN - 1 && fs[i]; i++)
		targ_fs[i] = fs[i];
	return fs != NULL;
}

bool fs_type_listed(const char *text, const char *fs)
{
	size_t len = strlen(fs);

	for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		const char *name = strchr(line, '\t');
		const char *end = strchr(line, '\n');
		if (!name || (end && name > end))
			continue;
		name++;
		if (strncmp(name, fs, len) == 0 && (name[len] == '\n' || name[len] == 0))
			return true;
	}
	return false;
}

int fs_check_type(const char *fs)
{
	char buf[8192];

	if (strlen(fs) >= FS_NAME_LEN)
		return cli_fail("file system type '%s' is too long (at most %d characters)", fs,
				FS_NAME_LEN - 1);
	if (procfs_read_file("/proc/filesystems", buf, sizeof(buf)) < 0)
		return 0; /* cannot tell: trace anyway */
	if (!fs_type_listed(buf, fs))
		return cli_fail("file system type '%s' is not known to this kernel (not built, or its "
				"module is not loaded: see /proc/filesystems)", fs);
	return 0;
}
