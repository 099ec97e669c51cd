/* filetop: top files by bytes read and written, per process, every interval, from the
 * read/write syscalls with the file resolved in BPF (no kprobes on vfs_read/vfs_write).
 * Options and output follow bcc's filetop. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "lib/blockdev.h"
#include "lib/bpf.h"
#include "lib/cli.h"
#include "lib/out.h"
#include "lib/pidwatch.h"
#include "lib/toprows.h"
#include "disk/filetop.h"
#include "disk/fscommon.h"
#include "filetop.skel.h"

/* A row as toprows stores it. */
struct filetop_row {
	struct filetop_key key;
	struct filetop_value value;
};

enum sort_by { SORT_ALL, SORT_READS, SORT_WRITES, SORT_RBYTES, SORT_WBYTES };

struct filetop {
	struct cli_common common;
	bool no_clear, all_files;
	unsigned long max_rows;
	enum sort_by sort;
	pid_t pid;
	struct filetop_bpf *skel;
	struct toprows rows;
};

/* The names of a row's key (from the BPF side's names map), "?" if evicted. */
static struct filetop_names row_names(const struct filetop *f, const struct filetop_key *key)
{
	struct filetop_names n;

	if (bpf_map_lookup_elem(bpf_map__fd(f->skel->maps.names), key, &n) != 0)
		snprintf(n.comm, sizeof(n.comm), "?"), snprintf(n.file, sizeof(n.file), "?");
	n.comm[sizeof(n.comm) - 1] = n.file[sizeof(n.file) - 1] = 0;
	return n;
}

static const struct cli_opt options[] = {
	{'a', "all-files", NULL, "include sockets, pipes and devices, not only regular files"},
	{'C', "noclear", NULL, "don't clear the screen"},
	{'r', "maxrows", "ROWS", "print at most this many rows (default 20)"},
	{'s', "sort", "KEY", "sort by all (bytes read+written, default), reads, writes, rbytes, wbytes"},
	{'p', "pid", "PID", "files of this process only"},
	{0},
};

const struct cli_spec filetop_spec = {
	.name = "filetop",
	.summary = "top files by bytes read and written, per process, every interval",
	.usage = "[-a] [-C] [-r ROWS] [-s KEY] [-p PID] [--json] [interval [count]]",
	.description =
		"Every interval (default 1 s), the files read and written most, per process,\n"
		"with call counts and bytes (the results of read/write, pread/pwrite, readv/\n"
		"writev and variants), from raw_syscalls:sys_enter/sys_exit with the file\n"
		"resolved in BPF from the descriptor. Answers \"which tables does this database\n"
		"read\" (case C11). I/O through mmap, sendfile, splice, io_uring or in-kernel\n"
		"users (NFS server, loop devices) is not seen; T is R (regular), S (socket) or O.",
	.opts = options,
	.examples = "  whyslow filetop                 # every second until Ctrl-C\n"
		    "  whyslow filetop -p 1234 -s rbytes 5\n"
		    "  whyslow filetop -a -C --json 1 10\n",
	.interval = true,
};

static int on_option(void *arg, int key, const char *val)
{
	static const char *const sorts[] = {"all", "reads", "writes", "rbytes", "wbytes"};
	struct filetop *f = arg;

	switch (key) {
	case 'a': f->all_files = true; break;
	case 'C': f->no_clear = true; break;
	case 'r': f->max_rows = cli_parse_ulong(val, "row count", 1, 100000); break;
	case 'p': f->pid = cli_parse_pid(val); break;
	case 's':
		for (size_t i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++)
			if (strcmp(val, sorts[i]) == 0) {
				f->sort = i;
				return 0;
			}
		cli_usage_error("unknown sort key '%s': use all, reads, writes, rbytes or wbytes", val);
	}
	return 0;
}

static enum sort_by sort_key; /* qsort has no context: the command is single-threaded */

static uint64_t sort_value(const struct filetop_value *v)
{
	switch (sort_key) {
	case SORT_READS: return v->reads;
	case SORT_WRITES: return v->writes;
	case SORT_RBYTES: return v->read_bytes;
	case SORT_WBYTES: return v->write_bytes;
	default: return v->read_bytes + v->write_bytes;
	}
}

static int by_key_desc(const void *pa, const void *pb)
{
	const struct filetop_row *a = pa, *b = pb;
	uint64_t va = sort_value(&a->value), vb = sort_value(&b->value);

	if (va != vb)
		return va < vb ? 1 : -1;
	return a->key.pid < b->key.pid ? -1 : a->key.pid > b->key.pid;
}

static const char *kind_letter(uint32_t kind)
{
	return kind == FS_KIND_REGULAR ? "R" : kind == FS_KIND_SOCKET ? "S" : "O";
}

static void print_json(struct filetop *f)
{
	struct json j;

	json_begin(&j, stdout, "filetop");
	json_u64(&j, "interval_s", f->common.interval_s);
	json_array_open(&j, "rows");
	for (size_t i = 0; i < f->rows.n && i < f->max_rows; i++) {
		const struct filetop_row *r = toprows_key(&f->rows, i);
		struct filetop_names n = row_names(f, &r->key);
		json_object_open(&j, NULL);
		json_u64(&j, "pid", r->key.pid);
		json_str(&j, "comm", n.comm);
		json_str(&j, "file", n.file);
		json_str(&j, "type", kind_letter(r->key.kind));
		json_u64(&j, "inode", r->key.ino);
		json_u64(&j, "reads", r->value.reads);
		json_u64(&j, "writes", r->value.writes);
		json_u64(&j, "read_bytes", r->value.read_bytes);
		json_u64(&j, "write_bytes", r->value.write_bytes);
		json_object_close(&j);
	}
	json_array_close(&j);
	json_end(&j);
}

static void print_text(struct filetop *f)
{
	toprows_print_header(stdout, !f->no_clear);
	printf("%-7s %-16s %-6s %-6s %-7s %-7s %1s %s\n", "PID", "COMM", "READS", "WRITES",
	       "R_Kb", "W_Kb", "T", "FILE");
	for (size_t i = 0; i < f->rows.n && i < f->max_rows; i++) {
		const struct filetop_row *r = toprows_key(&f->rows, i);
		struct filetop_names n = row_names(f, &r->key);
		printf("%-7u %-16.16s %-6llu %-6llu %-7llu %-7llu %1s %s\n", r->key.pid, n.comm,
		       (unsigned long long)r->value.reads, (unsigned long long)r->value.writes,
		       (unsigned long long)r->value.read_bytes / 1024,
		       (unsigned long long)r->value.write_bytes / 1024, kind_letter(r->key.kind),
		       n.file);
	}
	if (f->rows.n > f->max_rows)
		printf("(%zu more rows)\n", f->rows.n - f->max_rows);
	putchar('\n');
	fflush(stdout);
}

static int tick(void *arg, bool last)
{
	struct filetop *f = arg;
	int err;

	(void)last;
	err = toprows_read(&f->rows, bpf_map__fd(f->skel->maps.counts), true);
	if (err < 0)
		return cli_fail("reading the file counts failed: %s", strerror(-err));
	sort_key = f->sort;
	toprows_sort(&f->rows, by_key_desc);
	if (f->common.json)
		print_json(f);
	else
		print_text(f);
	return 0;
}

static int poll_pid(void *arg, int timeout_ms)
{
	return pidwatch_sleep(((struct filetop *)arg)->pid, timeout_ms);
}

static int load(struct filetop *f, bool use_btf)
{
	struct filetop_bpf *skel = filetop_bpf__open();
	int err;

	f->skel = skel;
	if (!skel)
		return -errno;
	skel->rodata->regular_only = !f->all_files;
	fs_calls_setup(skel, NULL, f->pid, use_btf, 1u << FS_READ | 1u << FS_WRITE);
	err = filetop_bpf__load(skel);
	if (!err)
		err = filetop_bpf__attach(skel);
	return err;
}

int cmd_filetop(int argc, char **argv)
{
	static const char *const tracepoints[] = {"raw_syscalls", "sys_enter", "raw_syscalls",
						  "sys_exit", NULL};
	struct filetop f = {.max_rows = 20};
	struct cli_loop_ops ops = {.tick = tick};
	bool use_btf = wbpf_prefer_tp_btf();
	int err;

	cli_parse(&filetop_spec, argc, argv, &f.common, on_option, &f);
	toprows_init(&f.rows, sizeof(struct filetop_key), sizeof(struct filetop_value));
	if (!f.common.interval_s)
		f.common.interval_s = 1; /* as bcc: a table every second by default */
	if (f.pid)
		ops.poll = poll_pid;
	wbpf_init(f.common.verbose);
	if ((err = wbpf_check_prereqs()) || (err = wbpf_require_tracepoints(tracepoints)))
		return err;
	err = load(&f, use_btf);
	if (err && use_btf) { /* kernels without tp_btf for these hooks: raw tracepoints */
		filetop_bpf__destroy(f.skel);
		err = load(&f, false);
	}
	if (err) {
		filetop_bpf__destroy(f.skel);
		return wbpf_load_error("filetop's BPF programs", err);
	}
	fprintf(stderr, "Tracing file reads and writes... Output every %u s. Hit Ctrl-C to end.\n",
		f.common.interval_s);
	err = cli_run_loop(&f.common, &ops, &f);
	toprows_free(&f.rows);
	filetop_bpf__destroy(f.skel);
	return err;
}
