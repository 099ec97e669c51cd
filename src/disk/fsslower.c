/* fsslower: read, write, open and fsync calls slower than a threshold, with process, file
 * system, file name, offset and size, timed on the raw_syscalls tracepoints with the file
 * resolved in BPF (no kprobes). ext4slower, xfsslower (and any <fs>slower alias) trace
 * one file system, as bcc's tools of those names. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "lib/bpf.h"
#include "lib/cli.h"
#include "lib/out.h"
#include "lib/pidwatch.h"
#include "lib/snoop.h"
#include "render/heatmap_opt.h"
#include "disk/fsslower.h"
#include "disk/fscommon.h"
#include "fsslower.skel.h"

struct fsslower {
	struct cli_common common;
	double min_ms;
	const char *fs;
	char alias_fs[FS_NAME_LEN];
	pid_t pid;
	uint64_t start_ns;
	struct snoop_counts counts;
	struct fsslower_bpf *skel;
	struct ring_buffer *rb;
	const char *heatmap_path; /* --heatmap */
	struct heatmap *heatmap;
};

static const struct cli_opt options[] = {
	{'m', "min-ms", "MS", "show calls slower than this many milliseconds (default 10; 0: all)"},
	{'t', "type", "FS", "this file system type only (ext4, xfs, tmpfs, ...)"},
	{CLI_LONG_ONLY + 1, "heatmap", "FILE", "also write a latency heat map (time x latency in us) as SVG"},
	{'p', "pid", "PID", "calls of this process only"},
	{0},
};

const struct cli_spec fsslower_spec = {
	.name = "fsslower",
	.summary = "slow file system reads, writes, opens, fsyncs with file names (ext4slower, xfsslower)",
	.usage = "[-m MS] [-t FS] [-p PID] [--heatmap FILE] [--json] [interval [count]]",
	.description =
		"Prints each read/write (and variants), open/openat and fsync/fdatasync that took\n"
		"longer than -m milliseconds, timed from syscall entry to exit on\n"
		"raw_syscalls:sys_enter/sys_exit, with the file (its last path component) and\n"
		"file system resolved in BPF from the descriptor. Invoked as ext4slower,\n"
		"xfsslower (or <fs>slower) it traces that type only. T is R(ead), W(rite),\n"
		"O(pen) or S(ync); BYTES is the call's result (bytes, or the fd for an open).\n"
		"With an interval, a line per interval reports events lost because the ring\n"
		"buffer was full (never hidden). Cases C1, C11.",
	.opts = options,
	.examples = "  whyslow fsslower                # slower than 10 ms, until Ctrl-C\n"
		    "  whyslow ext4slower -m 1         # ext4, slower than 1 ms\n"
		    "  whyslow fsslower -m 0 -p 1234 --json 10 1  # every call of 1234 for 10 s\n",
	.interval = true,
};

static int on_option(void *arg, int key, const char *val)
{
	struct fsslower *f = arg;

	switch (key) {
	case 'm': f->min_ms = cli_parse_double(val, "threshold (ms)", 0, 1e9); break;
	case 't': f->fs = val; break;
	case CLI_LONG_ONLY + 1: f->heatmap_path = val; break;
	case 'p': f->pid = cli_parse_pid(val); break;
	}
	return 0;
}

static int handle_event(void *ctx, void *data, size_t size)
{
	static const char letters[] = "?RWOS";
	struct fsslower *f = ctx;
	const struct fsslower_event *e = data;
	double t;

	if (size < sizeof(*e))
		return 0;
	f->counts.events++;
	t = (double)(e->end_ns - f->start_ns) / 1e9;
	if (f->heatmap)
		heatmap_add(f->heatmap, t, e->latency_ns / 1e3);
	if (f->common.json) {
		struct json j;
		json_begin(&j, stdout, "fsslower");
		json_double(&j, "time_s", t);
		json_str(&j, "comm", e->comm);
		json_u64(&j, "pid", e->pid);
		json_str(&j, "op", fs_op_name(e->op));
		json_str(&j, "fs", e->fs);
		json_str(&j, "file", e->file);
		json_i64(&j, "ret", e->ret);
		if (e->op == FS_READ || e->op == FS_WRITE)
			json_u64(&j, "offset", e->pos);
		json_double(&j, "latency_ms", e->latency_ns / 1e6);
		json_end(&j);
		return 0;
	}
	printf("%-9.3f %-14.14s %-7u %c %-7lld %-8llu %8.2f %-6.6s %s\n", t, e->comm, e->pid,
	       letters[e->op < FS_OP_COUNT ? e->op : 0], (long long)e->ret,
	       (e->op == FS_READ || e->op == FS_WRITE) ? (unsigned long long)e->pos / 1024 : 0,
	       e->latency_ns / 1e6, e->fs, e->file);
	return 0;
}

static int poll_events(void *arg, int timeout_ms)
{
	struct fsslower *f = arg;
	int err = snoop_poll(f->rb, timeout_ms, !f->common.json);

	pidwatch_stop_if_gone(f->pid);
	return err;
}

static int tick(void *arg, bool last)
{
	struct fsslower *f = arg;

	(void)last;
	ring_buffer__consume(f->rb);
	snoop_read_losses(&f->counts, bpf_map__fd(f->skel->maps.lost), f->skel->obj);
	snoop_print_summary("fsslower", f->common.json, &f->counts);
	return 0;
}

static int load(struct fsslower *f, bool use_btf)
{
	struct fsslower_bpf *skel = fsslower_bpf__open();
	int err;

	f->skel = skel;
	if (!skel)
		return -errno;
	skel->rodata->min_ns = (uint64_t)(f->min_ms * 1e6);
	fs_calls_setup(skel, f->fs, f->pid, use_btf, FS_ALL_OPS);
	err = fsslower_bpf__load(skel);
	if (!err)
		err = fsslower_bpf__attach(skel);
	return err;
}

int cmd_fsslower(int argc, char **argv)
{
	static const char *const tracepoints[] = {"raw_syscalls", "sys_enter", "raw_syscalls",
						  "sys_exit", NULL};
	struct fsslower f = {.min_ms = 10};
	struct cli_loop_ops ops = {.tick = tick, .poll = poll_events};
	bool use_btf = wbpf_prefer_tp_btf();
	int err;

	cli_parse(&fsslower_spec, argc, argv, &f.common, on_option, &f);
	fs_apply_alias(argv[0], "slower", "fsslower", &f.fs, f.alias_fs, sizeof(f.alias_fs));
	wbpf_init(f.common.verbose);
	if ((err = wbpf_check_prereqs()) || (err = wbpf_require_tracepoints(tracepoints)))
		return err;
	if (f.fs && (err = fs_check_type(f.fs)))
		return err;
	err = load(&f, use_btf);
	if (err && use_btf) { /* kernels without tp_btf for these hooks: raw tracepoints */
		fsslower_bpf__destroy(f.skel);
		err = load(&f, false);
	}
	if (err) {
		fsslower_bpf__destroy(f.skel);
		return wbpf_load_error("fsslower's BPF programs", err);
	}
	f.rb = ring_buffer__new(bpf_map__fd(f.skel->maps.events), handle_event, &f, NULL);
	if (!f.rb) {
		err = -errno;
		fsslower_bpf__destroy(f.skel);
		return cli_fail("opening the ring buffer failed: %s", strerror(-err));
	}
	if (f.heatmap_path && (err = open_heatmap(&f.heatmap, "File system call latency"))) {
		ring_buffer__free(f.rb);
		fsslower_bpf__destroy(f.skel);
		return err;
	}
	f.start_ns = cli_now_ns();
	fprintf(stderr, "Tracing %s operations slower than %g ms... Hit Ctrl-C to end.\n",
		f.fs ? f.fs : "file system", f.min_ms);
	if (!f.common.json)
		printf("%-9s %-14s %-7s %1s %-7s %-8s %8s %-6s %s\n", "TIME(s)", "COMM", "PID", "T",
		       "BYTES", "OFF_KB", "LAT(ms)", "FS", "FILENAME");
	err = cli_run_loop(&f.common, &ops, &f);
	if (f.heatmap && heatmap_write_svg(f.heatmap, f.heatmap_path) && !err)
		err = EXIT_RUNTIME;
	heatmap_free(f.heatmap);
	ring_buffer__free(f.rb);
	fsslower_bpf__destroy(f.skel);
	return err;
}
