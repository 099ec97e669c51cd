/* Unit tests of the syscall/lock/memory area: syscall and errno names (src/lib/syscalls.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "lib/syscalls.h"
#include "lib/proctask.h"
#include "mem/memstat.h"
#include <unistd.h>

TEST(syscalls_parse_fixture)
{
	struct syscall_names sn = {0};
	size_t len;
	char *text = unit_read_fixture("sys_unistd.h", &len);
	char buf[32];

	if (!text)
		return;
	CHECK_EQ_U64(syscall_names_parse(&sn, text, len), 3);
	CHECK(!strcmp(syscall_name(&sn, 0, buf, sizeof(buf)), "read"));
	CHECK(!strcmp(syscall_name(&sn, 1, buf, sizeof(buf)), "write")); /* first wins */
	CHECK(!strcmp(syscall_name(&sn, 165, buf, sizeof(buf)), "mount"));
	CHECK(!strcmp(syscall_name(&sn, 2, buf, sizeof(buf)), "syscall_2"));
	CHECK(!strcmp(syscall_name(&sn, -1, buf, sizeof(buf)), "syscall_-1"));
	CHECK_EQ_I64(syscall_nr(&sn, "mount"), 165);
	CHECK_EQ_I64(syscall_nr(&sn, "sys_write"), 1);
	CHECK_EQ_I64(syscall_nr(&sn, "syscall_77"), 77);
	CHECK_EQ_I64(syscall_nr(&sn, "syscall_x"), -1);
	CHECK_EQ_I64(syscall_nr(&sn, "weird"), -1);
	CHECK_EQ_I64(syscall_nr(&sn, "nosuch"), -1);
	syscall_names_free(&sn);
	free(text);
}

TEST(syscalls_system_header)
{
	struct syscall_names sn;
	char buf[32];

	if (!syscall_names_load(&sn)) /* linux-libc-dev missing: nothing to check */
		return;
	CHECK(sn.count > 300);
	CHECK(!strcmp(syscall_name(&sn, syscall_nr(&sn, "openat"), buf, sizeof(buf)), "openat"));
	syscall_names_free(&sn);
}

TEST(errno_names)
{
	char buf[32];

	CHECK(!strcmp(errno_name(ENOSPC, buf, sizeof(buf)), "ENOSPC"));
	CHECK(!strcmp(errno_name(4000, buf, sizeof(buf)), "errno_4000"));
	CHECK_EQ_I64(errno_parse("ENOSPC"), ENOSPC);
	CHECK_EQ_I64(errno_parse("enospc"), ENOSPC);
	CHECK_EQ_I64(errno_parse("-EAGAIN"), EAGAIN);
	CHECK_EQ_I64(errno_parse("28"), 28);
	CHECK_EQ_I64(errno_parse("errno_512"), 512);
	CHECK_EQ_I64(errno_parse("0"), -1);
	CHECK_EQ_I64(errno_parse("4096"), -1);
	CHECK_EQ_I64(errno_parse("ENOTANERRNO"), -1);
	CHECK_EQ_I64(errno_parse("28x"), -1);
}

TEST(proctask_cmdline_join)
{
	char buf[32] = "cat\0/proc/1/smaps\0\0";
	char self[256];

	CHECK_EQ_U64(proctask_join_args(buf, 19), 17);
	CHECK(!strcmp(buf, "cat /proc/1/smaps"));
	buf[0] = 0;
	CHECK_EQ_U64(proctask_join_args(buf, 1), 0);
	CHECK(strstr(proctask_cmdline(getpid(), self, sizeof(self)), "unit") != NULL);
	CHECK(!strcmp(proctask_cmdline(999999999, self, sizeof(self)), ""));
}

/* names from /proc/PID/comm and /proc/PID/task/TID/comm, cut to the buffer; a gone
 * process leaves the buffer as it was */
TEST(proctask_comm_names)
{
	char name[16], small[4] = "xyz";
	char *exe = realpath("/proc/self/exe", NULL), *base = exe ? strrchr(exe, '/') : NULL;
	char want[16];

	snprintf(want, sizeof(want), "%.15s", base ? base + 1 : "unit");
	CHECK(proctask_comm(getpid(), 0, name, sizeof(name)) && !strcmp(name, want));
	CHECK(proctask_comm(getpid(), getpid(), name, sizeof(name)) && !strcmp(name, want));
	CHECK(proctask_comm(getpid(), 0, small, sizeof(small)) && strlen(small) == 3 &&
	      !strncmp(small, want, 3));
	strcpy(name, "kept");
	CHECK(!proctask_comm(999999999, 0, name, sizeof(name)) && !strcmp(name, "kept"));
	free(exe);
}

TEST(memstat_rollup_fixture)
{
	struct memstat_usage u;
	char *text = unit_read_fixture("sys_smaps_rollup.txt", NULL);

	if (!text)
		return;
	CHECK_EQ_I64(memstat_parse_rollup(text, &u), 0);
	CHECK_EQ_U64(u.rss_kb, 1780);
	CHECK_EQ_U64(u.pss_kb, 181);
	CHECK_EQ_U64(u.pss_anon_kb, 112);
	CHECK_EQ_U64(u.pss_file_kb, 69);
	CHECK_EQ_U64(u.anon_kb, 112);
	CHECK_EQ_U64(u.file_kb, 1780 - 112);
	CHECK_EQ_U64(u.swap_kb, 0);
	CHECK_EQ_I64(memstat_parse_rollup("", &u), -1); /* kernel thread */
	CHECK_EQ_I64(memstat_parse_rollup("Rss: x kB\n", &u), -1);
	CHECK_EQ_I64(memstat_parse_rollup("Swap: 5 kB\nRss: 7 kB", &u), 0);
	CHECK_EQ_U64(u.swap_kb, 5);
	CHECK_EQ_U64(u.rss_kb, 7);
	free(text);
}
