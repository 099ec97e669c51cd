/* Unit tests of the disk and page-cache commands' pure parts. */
#include <math.h>
#include "unit.h"
#include "mem/cachestat_collect.h"

TEST(cachestat_derive_thrash)
{
	/* measured: 3 reads of 192 MiB through 32 MiB, plus cat's own exec */
	struct cachestat_sample s = {.accessed = 148087, .added = 147456};

	cachestat_derive(&s);
	CHECK_EQ_U64(s.misses, 147456);
	CHECK_EQ_U64(s.hits, 631);
	CHECK_NEAR(s.hit_ratio_pct, 0.4261, 0.001);
}

TEST(cachestat_derive_writes_are_not_misses)
{
	struct cachestat_sample s = {.added = 4096, .write_added = 4096, .dirtied = 4096};

	cachestat_derive(&s);
	CHECK_EQ_U64(s.misses, 0);
	CHECK_EQ_U64(s.hits, 0);
	CHECK(isnan(s.hit_ratio_pct)); /* nothing read: no ratio, not 0% or 100% */
}

TEST(cachestat_derive_readahead_ahead_of_reads)
{
	/* readahead inserted more than was read this interval: no negative hits */
	struct cachestat_sample s = {.accessed = 100, .added = 512};

	cachestat_derive(&s);
	CHECK_EQ_U64(s.hits, 0);
	CHECK_EQ_U64(s.misses, 512);
	CHECK_NEAR(s.hit_ratio_pct, 0.0, 1e-9);
}

TEST(cachestat_derive_all_cached)
{
	struct cachestat_sample s = {.accessed = 81965};

	cachestat_derive(&s);
	CHECK_EQ_U64(s.hits, 81965);
	CHECK_NEAR(s.hit_ratio_pct, 100.0, 1e-9);
}

TEST(cachestat_derive_write_added_beyond_added)
{
	/* an interval boundary between insertion and dirtying: never underflow */
	struct cachestat_sample s = {.accessed = 10, .added = 2, .write_added = 5};

	cachestat_derive(&s);
	CHECK_EQ_U64(s.misses, 0);
	CHECK_EQ_U64(s.hits, 10);
}

/* ---- fsdist/fsslower/filetop helpers ---- */
#include <sys/syscall.h>
#include "disk/fscommon.h"
#include "lib/toprows.h"

TEST(fs_alias_type_names)
{
	char buf[FS_NAME_LEN];

	CHECK_STR(fs_alias_type("ext4dist", "dist", buf, sizeof(buf)), "ext4");
	CHECK_STR(fs_alias_type("xfsslower", "slower", buf, sizeof(buf)), "xfs");
	CHECK(fs_alias_type("fsdist", "dist", buf, sizeof(buf)) == NULL);
	CHECK(fs_alias_type("fsslower", "slower", buf, sizeof(buf)) == NULL);
	CHECK(fs_alias_type("dist", "dist", buf, sizeof(buf)) == NULL);
	CHECK(fs_alias_type("ext4dist", "slower", buf, sizeof(buf)) == NULL);
	CHECK(fs_alias_type("averyveryverylongfsdist", "dist", buf, sizeof(buf)) == NULL);
}

TEST(fs_type_listed_proc_filesystems)
{
	const char *text = "nodev\tsysfs\nnodev\ttmpfs\n\text3\n\text4\nnodev\tfuse\n";

	CHECK(fs_type_listed(text, "ext4"));
	CHECK(fs_type_listed(text, "tmpfs"));
	CHECK(fs_type_listed(text, "fuse"));
	CHECK(!fs_type_listed(text, "ext"));   /* no prefix matches */
	CHECK(!fs_type_listed(text, "xfs"));
	CHECK(!fs_type_listed(text, "nodev"));
	CHECK(!fs_type_listed("", "ext4"));
	CHECK(fs_type_listed("\text4", "ext4")); /* no final newline */
}

TEST(fs_fill_syscalls_masks)
{
	uint8_t op_of[FS_MAX_SYSCALL] = {0};
	bool positional[FS_MAX_SYSCALL] = {0};

	fs_fill_syscalls(op_of, positional, FS_ALL_OPS);
	CHECK_EQ_U64(op_of[SYS_read], FS_READ);
	CHECK_EQ_U64(op_of[SYS_pwrite64], FS_WRITE);
	CHECK_EQ_U64(op_of[SYS_openat], FS_OPEN);
	CHECK_EQ_U64(op_of[SYS_fdatasync], FS_FSYNC);
	CHECK(positional[SYS_pread64] && !positional[SYS_read]);
	CHECK_EQ_U64(op_of[SYS_close], FS_NONE);

	memset(op_of, 0, sizeof(op_of));
	fs_fill_syscalls(op_of, positional, 1u << FS_READ | 1u << FS_WRITE);
	CHECK_EQ_U64(op_of[SYS_readv], FS_READ);
	CHECK_EQ_U64(op_of[SYS_openat], FS_NONE);
	CHECK_EQ_U64(op_of[SYS_fsync], FS_NONE);
	CHECK_STR(fs_op_name(FS_FSYNC), "fsync");
	CHECK_STR(fs_op_name(99), "?");
}

TEST(toprows_layout_matches_struct)
{
	struct k { uint32_t a, b, c; char s[16]; }; /* 28 bytes: padded to 32 */
	struct v { uint64_t x, y; };
	struct row { struct k key; struct v value; };
	struct toprows t;

	toprows_init(&t, sizeof(struct k), sizeof(struct v));
	CHECK_EQ_U64(t.row_size, sizeof(struct row));
	toprows_free(&t);
}

TEST(fs_apply_alias_sets_type)
{
	char buf[FS_NAME_LEN];
	const char *fs = NULL;

	fs_apply_alias("ext4dist", "dist", "fsdist", &fs, buf, sizeof(buf));
	CHECK_STR(fs, "ext4");
	fs = "xfs"; /* -t xfs given to xfsslower: the same type, accepted */
	fs_apply_alias("xfsslower", "slower", "fsslower", &fs, buf, sizeof(buf));
	CHECK_STR(fs, "xfs");
	fs = "tmpfs"; /* the generic command keeps -t */
	fs_apply_alias("fsdist", "dist", "fsdist", &fs, buf, sizeof(buf));
	CHECK_STR(fs, "tmpfs");
}

TEST(fs_set_filter_copies_and_truncates)
{
	char targ[FS_NAME_LEN] = {0};

	CHECK(fs_set_filter(targ, "ext4"));
	CHECK_STR(targ, "ext4");
	CHECK(!fs_set_filter(targ, NULL));
	memset(targ, 0, sizeof(targ));
	CHECK(fs_set_filter(targ, "averyveryverylongname"));
	CHECK_EQ_U64(strlen(targ), FS_NAME_LEN - 1);
}

/* ---- lib/pidwatch ---- */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include "lib/pidwatch.h"

TEST(pidwatch_pid_gone)
{
	pid_t child;

	CHECK(!pid_gone(0));       /* no PID given: nothing to watch */
	CHECK(!pid_gone(getpid()));
	child = fork();
	if (child == 0)
		_exit(0);
	/* a zombie counts as gone: it will do no more I/O */
	for (int i = 0; i < 200 && !pid_gone(child); i++)
		usleep(5000);
	CHECK(pid_gone(child));
	waitpid(child, NULL, 0);
	CHECK(pid_gone(child));    /* reaped: no such process */
}
