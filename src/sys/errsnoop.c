/* errsnoop: each failing syscall as it happens, with its process, errno and the cheap
 * arguments (paths of the open/stat/mount families, the file behind an fd). The command
 * that finds "mount() returns ENOSPC" in seconds (case C7). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "lib/bpf.h"
#include "lib/cli.h"
#include "lib/evsummary.h"
#include "lib/out.h"
#include "lib/pidwatch.h"
#include "lib/syscalls.h"
#include "sys/errsnoop.h"
#include "errsnoop.skel.h"

/* Syscalls whose arguments are paths (index of the first and second path argument, -1
 * for none). Matched by name against the system's syscall table. */
static const struct {
	const char *name;
	int first, second;
} path_syscalls[] = {
	{"open", 0, -1}, {"openat", 1, -1}, {"openat2", 1, -1}, {"creat", 0, -1},
	{"stat", 0, -1}, {"lstat", 0, -1}, {"newfstatat", 1, -1}, {"statx", 1, -1},
	{"access", 0, -1}, {"faccessat", 1, -1}, {"faccessat2", 1, -1}, {"execve", 0, -1},
	{"execveat", 1, -1}, {"mkdir", 0, -1}, {"mkdirat", 1, -1}, {"rmdir", 0, -1},
	{"unlink", 0, -1}, {"unlinkat", 1, -1}, {"rename", 0, 1}, {"renameat", 1, 3},
	{"renameat2", 1, 3}, {"link", 0, 1}, {"linkat", 1, 3}, {"symlink", 0, 1},
	{"symlinkat", 0, 2}, {"readlink", 0, -1}, {"readlinkat", 1, -1}, {"chdir", 0, -1},
	{"chroot", 0, -1}, {"chmod", 0, -1}, {"fchmodat", 1, -1}, {"chown", 0, -1},
	{"lchown", 0, -1}, {"fchownat", 1, -1}, {"truncate", 0, -1}, {"mknod", 0, -1},
	{"mknodat", 1, -1}, {"mount", 0, 1}, {"umount2", 0, -1}, {"swapon", 0, -1},
	{"swapoff", 0, -1}, {"pivot_root", 0, 1}, {"statfs", 0, -1}, {"utimensat", 1, -1},
	{"utimes", 0, -1}, {"utime", 0, -1}, {"getxattr", 0, -1}, {"lgetxattr", 0, -1},
	{"setxattr", 0, -1}, {"lsetxattr", 0, -1}, {"listxattr", 0, -1},
	{"removexattr", 0, -1}, {"inotify_add_watch", 1, -1}, {"open_tree", 1, -1},
	{"move_mount", 1, 3}, {"fsopen", 0, -1}, {"fspick", 1, -1}, {"mount_setattr", 1, -1},
	{"name_to_handle_at", 1, -1}, {"acct", 0, -1}, {"uselib", 0, -1},
};

/* Syscalls whose first argument is a file descriptor worth naming (from /proc/PID/fd). */
static const char *const fd_syscalls[] = {
	"read", "write", "pread64", "pwrite64", "readv", "writev", "preadv", "pwritev",
	"preadv2", "pwritev2", "fsync", "fdatasync", "fallocate", "ftruncate", "fstatfs",
	"getdents64", "ioctl", "fcntl", "lseek", "flock", "sync_file_range", "fchmod",
	"fchown", "fsetxattr", "fgetxattr", "copy_file_range", "sendfile", "splice",
	"syncfs", NULL,
};

struct errsnoop {
	struct cli_common common;
	pid_t pid;
	char comm[16];
	int errno_filter;
	long nr_filter;
	unsigned long duration_s;
	struct syscall_names names;
	bool fd_first[SYSCALL_NR_MAX];
	struct errsnoop_bpf *skel;
	struct ring_buffer *rb;
	uint64_t events, boot_offset_ns;
};

static const struct cli_opt options[] = {
	{'p', "pid", "PID", "trace this process only"},
	{'c', "comm", "COMM", "trace processes with this command name only"},
	{'e', "errno", "ERRNO", "only calls failing with this errno (ENOSPC or 28)"},
	{'s', "syscall", "NAME", "only this syscall (mount, openat, ...)"},
	{'d', "duration", "SECONDS", "stop after this many seconds"},
	{0},
};

const struct cli_spec errsnoop_spec = {
	.name = "errsnoop",
	.summary = "each failing syscall as it happens: process, syscall, errno, paths and fds",
	.usage = "[-p PID] [-c COMM] [-e ERRNO] [-s SYSCALL] [-d SECONDS] [--json]",
	.description =
		"Prints every syscall that returns an error, from raw_syscalls:sys_exit: time,\n"
		"PID, command, syscall, errno and the cheap arguments: the paths of the open,\n"
		"stat, mount, rename... families and the file behind the fd of read/write-like\n"
		"calls. `errsnoop -e ENOSPC` shows who gets \"No space left on device\" and on\n"
		"what: a full file system (write) or mount() beyond fs.mount-max (case C7).\n"
		"syscount -x counts the same failures instead of listing them.",
	.opts = options,
	.examples = "  whyslow errsnoop -e ENOSPC          # every ENOSPC, with the path\n"
		    "  whyslow errsnoop -s mount           # failing mounts\n"
		    "  whyslow errsnoop -p 1234 -d 10      # one process for 10 seconds\n",
	.interval = false,
};

static int on_option(void *arg, int key, const char *val)
{
	struct errsnoop *s = arg;

	switch (key) {
	case 'p': s->pid = cli_parse_pid(val); break;
	case 'c':
		if (strlen(val) >= sizeof(s->comm))
			cli_usage_error("command name '%s' is longer than the kernel's 15 characters", val);
		strcpy(s->comm, val);
		break;
	case 'e':
		if ((s->errno_filter = errno_parse(val)) < 0)
			cli_usage_error("unknown errno '%s': give a name such as ENOSPC or a number 1-4095", val);
		break;
	case 's':
		if ((s->nr_filter = syscall_nr(&s->names, val)) < 0)
			cli_usage_error("unknown syscall '%s' (whyslow syscount -l lists them)", val);
		break;
	case 'd': s->duration_s = cli_parse_ulong(val, "duration", 1, 86400 * 365); break;
	}
	return 0;
}

/* An argument as a number if small, else in hex (pointers, flags). */
static void format_arg(uint64_t v, char *buf, size_t size)
{
	if (v < 1000000 || ((int64_t)v > -1000000 && (int64_t)v < 0))
		snprintf(buf, size, "%lld", (long long)v);
	else
		snprintf(buf, size, "0x%llx", (unsigned long long)v);
}

static void fd_path(const struct errsnoop_event *e, char *buf, size_t size)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%u/fd/%llu", e->tid, (unsigned long long)e->args[0]);
	n = readlink(link, buf, size - 1);
	buf[n > 0 ? n : 0] = 0;
}

static void print_event(struct errsnoop *s, const struct errsnoop_event *e)
{
	char sc[32], en[32], file[256] = "", args[3][24], now[16];
	const char *syscall = syscall_name(&s->names, e->nr, sc, sizeof(sc));
	const char *err = errno_name(e->err, en, sizeof(en));

	if (e->nr >= 0 && e->nr < SYSCALL_NR_MAX && s->fd_first[e->nr] && (int64_t)e->args[0] >= 0)
		fd_path(e, file, sizeof(file));
	for (int i = 0; i < 3; i++)
		format_arg(e->args[i], args[i], sizeof(args[i]));
	if (s->common.json) {
		struct json j;

		json_begin(&j, stdout, "errsnoop");
		json_u64(&j, "time_ns", e->ts_ns);
		json_u64(&j, "pid", e->tgid);
		json_u64(&j, "tid", e->tid);
		json_str(&j, "comm", e->comm);
		json_str(&j, "syscall", syscall);
		json_i64(&j, "nr", e->nr);
		json_str(&j, "errno", err);
		json_i64(&j, "ret", -e->err);
		json_array_open(&j, "args");
		for (int i = 0; i < 6; i++)
			json_u64(&j, NULL, e->args[i]);
		json_array_close(&j);
		json_array_open(&j, "paths");
		for (int i = 0; i < 2; i++)
			if (e->str[i][0])
				json_str(&j, NULL, e->str[i]);
		json_array_close(&j);
		if (file[0])
			json_str(&j, "fd_path", file);
		json_end(&j);
		return;
	}
	cli_strftime_now(now, sizeof(now));
	printf("%-8s %-7u %-7u %-16s %-16s %-12s", now, e->tgid, e->tid, e->comm, syscall, err);
	if (e->str[0][0] || e->str[1][0]) {
		for (int i = 0; i < 2; i++)
			if (e->str[i][0])
				printf(" \"%s\"", e->str[i]);
	} else {
		printf(" (%s, %s, %s)", args[0], args[1], args[2]);
	}
	if (file[0])
		printf(" fd %lld -> %s", (long long)e->args[0], file);
	putchar('\n');
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct errsnoop *s = ctx;

	if (size < sizeof(struct errsnoop_event))
		return 0;
	s->events++;
	print_event(s, data);
	return 0;
}

static int poll_events(void *arg, int timeout_ms)
{
	struct errsnoop *s = arg;
	int n = ring_buffer__poll(s->rb, timeout_ms);

	if (n >= 0) /* events are submitted without a wakeup until 64 KiB wait */
		n = ring_buffer__consume(s->rb);
	if (!s->common.json)
		fflush(stdout);
	pidwatch_stop_if_gone(s->pid);
	return n < 0 ? n : 0;
}

static int finish(void *arg, bool last)
{
	struct errsnoop *s = arg;
	uint64_t lost;

	(void)last;
	ring_buffer__consume(s->rb);
	lost = wbpf_lost_events(bpf_map__fd(s->skel->maps.lost));
	event_summary("errsnoop", s->common.json, s->events, lost);
	return 0;
}

static void fill_tables(struct errsnoop *s, uint8_t *str_args)
{
	for (size_t i = 0; i < sizeof(path_syscalls) / sizeof(path_syscalls[0]); i++) {
		long nr = syscall_nr(&s->names, path_syscalls[i].name);
		if (nr >= 0 && nr < ERRSNOOP_NR_MAX)
			str_args[nr] = (uint8_t)((path_syscalls[i].first + 1) |
						 ((path_syscalls[i].second + 1) << 4));
	}
	for (size_t i = 0; fd_syscalls[i]; i++) {
		long nr = syscall_nr(&s->names, fd_syscalls[i]);
		if (nr >= 0)
			s->fd_first[nr] = true;
	}
}

static int load(struct errsnoop *s, bool use_btf)
{
	struct errsnoop_bpf *skel = errsnoop_bpf__open();
	int err;

	s->skel = skel;
	if (!skel)
		return -errno;
	skel->rodata->filter_tgid = s->pid > 0;
	skel->rodata->targ_tgid = (uint32_t)s->pid;
	skel->rodata->filter_comm = s->comm[0] != 0;
	memcpy((char *)skel->rodata->targ_comm, s->comm, sizeof(s->comm));
	skel->rodata->targ_errno = s->errno_filter;
	skel->rodata->targ_nr = (int32_t)s->nr_filter;
	fill_tables(s, (uint8_t *)skel->rodata->str_args);
	wbpf_pick(skel->progs.sys_exit_btf, skel->progs.sys_exit_raw, use_btf);
	err = errsnoop_bpf__load(skel);
	if (!err)
		err = errsnoop_bpf__attach(skel);
	return err;
}

int cmd_errsnoop(int argc, char **argv)
{
	struct errsnoop s = {.nr_filter = -1};
	struct cli_loop_ops ops = {.tick = finish, .poll = poll_events};
	bool use_btf = wbpf_prefer_tp_btf();
	int err;

	if (!syscall_names_load(&s.names))
		fprintf(stderr, "whyslow errsnoop: warning: no syscall names (install linux-libc-dev "
				"for asm/unistd_64.h): numbers only, no paths\n");
	cli_parse(&errsnoop_spec, argc, argv, &s.common, on_option, &s);
	ops.duration_ms = s.duration_s * 1000;
	wbpf_init(s.common.verbose);
	if ((err = wbpf_check_prereqs()) ||
	    (err = wbpf_require_tracepoints((const char *const[]){"raw_syscalls", "sys_exit", NULL})))
		goto out;
	err = load(&s, use_btf);
	if (err && use_btf) {
		errsnoop_bpf__destroy(s.skel);
		err = load(&s, false);
	}
	if (err) {
		errsnoop_bpf__destroy(s.skel);
		s.skel = NULL;
		err = wbpf_load_error("errsnoop's BPF programs", err);
		goto out;
	}
	s.rb = ring_buffer__new(bpf_map__fd(s.skel->maps.events), on_event, &s, NULL);
	if (!s.rb) {
		err = cli_fail("creating the ring buffer reader failed: %s", strerror(errno));
		goto out;
	}
	fprintf(stderr, "Tracing failing syscalls... Hit Ctrl-C to end.\n");
	if (!s.common.json) {
		printf("%-8s %-7s %-7s %-16s %-16s %-12s %s\n", "TIME", "PID", "TID", "COMM",
		       "SYSCALL", "ERRNO", "ARGS");
	}
	err = cli_run_loop(&s.common, &ops, &s);
out:
	ring_buffer__free(s.rb);
	errsnoop_bpf__destroy(s.skel);
	syscall_names_free(&s.names);
	return err;
}
