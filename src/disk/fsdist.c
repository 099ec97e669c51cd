/* fsdist: latency histograms of read, write, open and fsync per file system type, timed
 * on the raw_syscalls tracepoints with the file resolved in BPF (no kprobes). ext4dist,
 * xfsdist (and any <fs>dist alias) trace one file system, as bcc's tools of those names. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "lib/bpf.h"
#include "lib/cli.h"
#include "lib/histmap.h"
#include "lib/out.h"
#include "lib/pidwatch.h"
#include "disk/fsdist.h"
#include "disk/fscommon.h"
#include "fsdist.skel.h"

struct fsdist {
	struct cli_common common;
	bool timestamp, ms;
	const char *fs;
	char alias_fs[FS_NAME_LEN];
	pid_t pid;
	struct fsdist_bpf *skel;
	struct hist_set set;
};

static const struct cli_opt options[] = {
	{'T', "timestamp", NULL, "include a timestamp with each interval"},
	{'m', "milliseconds", NULL, "histograms in milliseconds"},
	{'t', "type", "FS", "this file system type only (ext4, xfs, tmpfs, ...)"},
	{'p', "pid", "PID", "calls of this process only"},
	{0},
};

const struct cli_spec fsdist_spec = {
	.name = "fsdist",
	.summary = "file system latency histograms of read, write, open, fsync per type (ext4dist, xfsdist)",
	.usage = "[-T] [-m] [-t FS] [-p PID] [--json] [interval [count]]",
	.description =
		"Times read/write (and pread, readv, ... variants), open/openat and\n"
		"fsync/fdatasync from syscall entry to exit (raw_syscalls:sys_enter/sys_exit),\n"
		"resolving the file from its descriptor in BPF to find its file system type, and\n"
		"prints a histogram per type and operation. Invoked as ext4dist, xfsdist (or\n"
		"<fs>dist) it traces that type only, like -t. The time includes the VFS and page\n"
		"cache, which is what the application waits for. Failed calls are not counted\n"
		"(except fsync). Cases C1, C11.",
	.opts = options,
	.examples = "  whyslow fsdist                  # every file system, until Ctrl-C\n"
		    "  whyslow ext4dist -m 5 1         # ext4, in ms, for 5 s\n"
		    "  whyslow fsdist -t tmpfs -p 1234 --json 1 10\n",
	.interval = true,
};

static int on_option(void *arg, int key, const char *val)
{
	struct fsdist *f = arg;

	switch (key) {
	case 'T': f->timestamp = true; break;
	case 'm': f->ms = true; break;
	case 't': f->fs = val; break;
	case 'p': f->pid = cli_parse_pid(val); break;
	}
	return 0;
}

static bool label_key(const void *k, struct hist_item *item, void *arg)
{
	const struct fsdist_key *key = k;

	(void)arg;
	snprintf(item->label, sizeof(item->label), "%.16s %s", key->fs, fs_op_name(key->op));
	item->sort_key = key->op;
	return true;
}

static int print_interval(void *arg, bool last)
{
	struct fsdist *f = arg;
	struct json j;
	int err;

	(void)last;
	err = histmap_read_keyed(bpf_map__fd(f->skel->maps.hists), sizeof(struct fsdist_key),
				 FSDIST_SLOTS, true, label_key, f, &f->set);
	if (err)
		return cli_fail("reading the histogram maps failed: %s", strerror(-err));
	if (f->common.json) {
		json_begin(&j, stdout, cli_command);
		json_u64(&j, "interval_s", f->common.interval_s);
		if (f->fs)
			json_str(&j, "fs", f->fs);
		hist_set_json(&f->set, "fs_operation", "latency", f->ms ? "ms" : "us", &j);
		json_end(&j);
		return 0;
	}
	if (f->timestamp)
		out_timestamp_line(stdout);
	else
		putchar('\n');
	hist_set_print(&f->set, "operation", f->ms ? "msecs" : "usecs", stdout);
	fflush(stdout);
	return 0;
}

static int poll_pid(void *arg, int timeout_ms)
{
	return pidwatch_sleep(((struct fsdist *)arg)->pid, timeout_ms);
}

static int load(struct fsdist *f, bool use_btf)
{
	struct fsdist_bpf *skel = fsdist_bpf__open();
	int err;

	f->skel = skel;
	if (!skel)
		return -errno;
	skel->rodata->targ_ms = f->ms;
	fs_calls_setup(skel, f->fs, f->pid, use_btf, FS_ALL_OPS);
	err = fsdist_bpf__load(skel);
	if (!err)
		err = fsdist_bpf__attach(skel);
	return err;
}

int cmd_fsdist(int argc, char **argv)
{
	static const char *const tracepoints[] = {"raw_syscalls", "sys_enter", "raw_syscalls",
						  "sys_exit", NULL};
	struct fsdist f = {0};
	struct cli_loop_ops ops = {.tick = print_interval};
	bool use_btf = wbpf_prefer_tp_btf();
	int err;

	cli_parse(&fsdist_spec, argc, argv, &f.common, on_option, &f);
	fs_apply_alias(argv[0], "dist", "fsdist", &f.fs, f.alias_fs, sizeof(f.alias_fs));
	if (f.pid)
		ops.poll = poll_pid;
	wbpf_init(f.common.verbose);
	if ((err = wbpf_check_prereqs()) || (err = wbpf_require_tracepoints(tracepoints)))
		return err;
	if (f.fs && (err = fs_check_type(f.fs)))
		return err;
	err = load(&f, use_btf);
	if (err && use_btf) { /* kernels without tp_btf for these hooks: raw tracepoints */
		fsdist_bpf__destroy(f.skel);
		err = load(&f, false);
	}
	if (err) {
		fsdist_bpf__destroy(f.skel);
		return wbpf_load_error("fsdist's BPF programs", err);
	}
	fprintf(stderr, "Tracing %s operation latency... Hit Ctrl-C to end.\n", f.fs ? f.fs : "file system");
	/* histmap_read_keyed qsorts the items even when there are none: keep the array
	 * non-NULL so that an empty interval is no undefined behaviour (UBSan) */
	f.set.items = calloc(16, sizeof(*f.set.items));
	f.set.cap = f.set.items ? 16 : 0;
	err = cli_run_loop(&f.common, &ops, &f);
	hist_set_free(&f.set);
	fsdist_bpf__destroy(f.skel);
	return err;
}
