/* cachestat: page-cache hits, misses, dirtied pages and hit ratio per interval, with
 * Buffers and Cached from /proc/meminfo. Built on the filemap and writeback tracepoints
 * (no kprobes). Options and output follow bcc's cachestat.
 *
 * What counts as what (pages, not events):
 *   an access  a page looked up in the page cache: the range of each read()
 *              (filemap:mm_filemap_get_pages, index..last_index), each mmap fault
 *              (mm_filemap_fault) and each fault-around range (mm_filemap_map_pages)
 *   a miss     a page inserted into the cache for a read (mm_filemap_add_to_page_cache,
 *              once per folio, 1 << order pages), minus pages a write created (folios
 *              seen dirtied soon after their insertion: a write to a new page is no miss)
 *   a hit      an access that was not a miss: accesses - misses, at least 0
 *   dirtied    pages marked dirty (writeback:writeback_dirty_folio)
 * Known gaps:
 *   - readahead inserts pages before they are read: within one interval misses can lead
 *     accesses, so a sequential first read shows a ratio near 0 (as it should: every
 *     page came from disk), and a short interval may show 0 hits for a cached read
 *   - fault-around counts its whole range, mapped or not; a fault after fault-around
 *     counts its page twice (mmap hit ratios read slightly high)
 *   - reads that bypass the page cache's read path are not accesses: O_DIRECT, tmpfs and
 *     shmem (shmem_file_read_iter), splice/sendfile from some file systems, readahead(2)
 *     and fadvise(WILLNEED) inserts count as misses without accesses
 *   - with -p, readahead done by kernel threads on the process's behalf is not its own
 *   - write_added uses an LRU of 8192 recent folios: a write-created folio dirtied after
 *     8192 later insertions counts as a miss.
 * bcc's libbpf-tools cachestat does not load here (it needs kprobes) and, on 5.16+
 * kernels, undercounts misses: it counts insertion events, one per folio. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "lib/bpf.h"
#include "lib/cli.h"
#include "lib/out.h"
#include "lib/pidwatch.h"
#include "lib/procfs.h"
#include "lib/proctask.h"
#include "lib/toprows.h"
#include "mem/cachestat.h"
#include "mem/cachestat_collect.h"
#include "cachestat.skel.h"
#include "lib/sort.h"

/* ---- collector ---- */

struct cachestat_collector {
	struct cachestat_bpf *skel;
	bool per_process;
	struct toprows rows;          /* -P: (pid, counts) read from the BPF side */
	struct cachestat_proc *procs; /* -P: the rows as samples, sorted */
	size_t nprocs;
};

/* A row of proc_counts as toprows stores it. */
struct proc_row {
	uint32_t pid;
	uint32_t pad;
	struct cachestat_counts counts;
};

void cachestat_derive(struct cachestat_sample *s)
{
	uint64_t read_adds = s->added > s->write_added ? s->added - s->write_added : 0;

	s->misses = read_adds;
	s->hits = s->accessed > read_adds ? s->accessed - read_adds : 0;
	s->hit_ratio_pct = s->hits + s->misses ? 100.0 * s->hits / (s->hits + s->misses) : NAN;
}

static int cachestat_load(struct cachestat_collector *c, const struct cachestat_opts *o,
			  bool use_btf)
{
	struct cachestat_bpf *skel = cachestat_bpf__open();
	int err;

	c->skel = skel;
	if (!skel)
		return -errno;
	skel->rodata->filter_pid = o->pid > 0;
	skel->rodata->targ_pid = (uint32_t)o->pid;
	skel->rodata->per_process = o->per_process;
	if (!o->per_process) {
		bpf_map__set_max_entries(skel->maps.proc_counts, 1);
		bpf_map__set_max_entries(skel->maps.comms, 1);
	}
	wbpf_pick(skel->progs.get_pages_btf, skel->progs.get_pages_raw, use_btf);
	wbpf_pick(skel->progs.map_pages_btf, skel->progs.map_pages_raw, use_btf);
	wbpf_pick(skel->progs.fault_btf, skel->progs.fault_raw, use_btf);
	wbpf_pick(skel->progs.add_btf, skel->progs.add_raw, use_btf);
	wbpf_pick(skel->progs.dirty_btf, skel->progs.dirty_raw, use_btf);
	wbpf_pick(skel->progs.exec_btf, skel->progs.exec_raw, use_btf);
	if (!o->per_process) { /* names only matter per process */
		bpf_program__set_autoload(skel->progs.exec_btf, false);
		bpf_program__set_autoload(skel->progs.exec_raw, false);
	}
	err = cachestat_bpf__load(skel);
	if (!err)
		err = cachestat_bpf__attach(skel);
	return err;
}

int cachestat_open(const struct cachestat_opts *o, struct cachestat_collector **out)
{
	static const char *const hooks[] = {"filemap", "mm_filemap_get_pages", "filemap",
					    "mm_filemap_map_pages", "filemap", "mm_filemap_fault",
					    "filemap", "mm_filemap_add_to_page_cache", "writeback",
					    "writeback_dirty_folio", NULL};
	struct cachestat_collector *c;
	bool use_btf = !o->force_raw_tp && wbpf_prefer_tp_btf();
	int err;

	for (int i = 0; hooks[i]; i += 2)
		if (!wbpf_tracepoint_exists(hooks[i], hooks[i + 1]))
			return -ENOENT;
	if (!(c = calloc(1, sizeof(*c))))
		return -ENOMEM;
	c->per_process = o->per_process;
	toprows_init(&c->rows, sizeof(uint32_t), sizeof(struct cachestat_counts));
	err = cachestat_load(c, o, use_btf);
	if (err && use_btf) { /* kernels without tp_btf for these hooks: raw tracepoints */
		cachestat_bpf__destroy(c->skel);
		err = cachestat_load(c, o, false);
	}
	if (err) {
		cachestat_bpf__destroy(c->skel);
		free(c);
		return err;
	}
	*out = c;
	return 0;
}

static void sample_of(const struct cachestat_counts *counts, struct cachestat_sample *s)
{
	s->accessed = counts->accessed;
	s->added = counts->added;
	s->write_added = counts->write_added;
	s->dirtied = counts->dirtied;
	s->events = counts->events;
	cachestat_derive(s);
}

static int by_accessed_desc(const void *pa, const void *pb)
{
	const struct cachestat_proc *a = pa, *b = pb;

	if (a->s.accessed + a->s.added != b->s.accessed + b->s.added)
		return a->s.accessed + a->s.added < b->s.accessed + b->s.added ? 1 : -1;
	return a->pid - b->pid;
}

/* The process's name now (one that exec'd after its first access has a new one), or the
 * one BPF saw when the process is gone. */
static void proc_name(const struct cachestat_collector *c, uint32_t pid, char *buf, size_t size)
{
	struct cachestat_comm name = {{0}};

	if (proctask_comm((pid_t)pid, 0, buf, size))
		return;
	bpf_map_lookup_elem(bpf_map__fd(c->skel->maps.comms), &pid, &name);
	snprintf(buf, size, "%.15s", name.comm[0] ? name.comm : "?");
}

/* -P: reads and clears the per-process counters into c->procs, summed into total. */
static int read_processes(struct cachestat_collector *c, struct cachestat_counts *total)
{
	int n = toprows_read(&c->rows, bpf_map__fd(c->skel->maps.proc_counts), true);
	struct cachestat_proc *procs;

	if (n < 0)
		return n;
	procs = realloc(c->procs, (n ? n : 1) * sizeof(*procs));
	if (!procs)
		return -ENOMEM;
	c->procs = procs;
	c->nprocs = n;
	for (int i = 0; i < n; i++) {
		const struct proc_row *r = toprows_key(&c->rows, i);

		memset(&procs[i], 0, sizeof(procs[i]));
		procs[i].pid = r->pid;
		proc_name(c, r->pid, procs[i].comm, sizeof(procs[i].comm));
		sample_of(&r->counts, &procs[i].s);
		total->accessed += r->counts.accessed;
		total->added += r->counts.added;
		total->write_added += r->counts.write_added;
		total->dirtied += r->counts.dirtied;
		total->events += r->counts.events;
	}
	sort_rows(procs, n, sizeof(*procs), by_accessed_desc);
	return 0;
}

int cachestat_read(struct cachestat_collector *c, struct cachestat_sample *s)
{
	int fd = bpf_map__fd(c->skel->maps.counts), err;
	uint64_t words[sizeof(struct cachestat_counts) / 8];
	struct cachestat_counts counts;
	struct procfs_meminfo mi;
	char buf[8192];
	uint32_t zero = 0;

	memset(s, 0, sizeof(*s));
	if ((err = wbpf_percpu_sum(fd, &zero, words, sizeof(words) / 8)) ||
	    (err = wbpf_percpu_zero(fd, &zero, sizeof(words) / 8)))
		return err;
	memcpy(&counts, words, sizeof(counts));
	if (c->per_process && (err = read_processes(c, &counts)))
		return err;
	sample_of(&counts, s);
	if (procfs_read_file("/proc/meminfo", buf, sizeof(buf)) > 0 &&
	    procfs_parse_meminfo(buf, &mi) == 0) {
		s->buffers_kb = mi.buffers;
		s->cached_kb = mi.cached;
	}
	return 0;
}

const struct cachestat_proc *cachestat_processes(const struct cachestat_collector *c, size_t *n)
{
	*n = c->nprocs;
	return c->procs;
}

void cachestat_close(struct cachestat_collector *c)
{
	if (!c)
		return;
	cachestat_bpf__destroy(c->skel);
	toprows_free(&c->rows);
	free(c->procs);
	free(c);
}

/* ---- command ---- */

struct cachestat {
	struct cli_common common;
	bool timestamp;
	unsigned long max_rows;
	struct cachestat_opts opts;
	struct cachestat_collector *col;
	struct cachestat_sample total;
};

static const struct cli_opt options[] = {
	{'T', "timestamp", NULL, "include a timestamp column"},
	{'p', "pid", "PID", "page-cache activity of this process only"},
	{'P', "processes", NULL, "also a table per process, most pages accessed first"},
	{'r', "maxrows", "ROWS", "with -P, print at most this many processes (default 20)"},
	{0},
};

const struct cli_spec cachestat_spec = {
	.name = "cachestat",
	.summary = "page-cache hits, misses, dirtied pages, hit ratio, buffers and cache size",
	.usage = "[-T] [-p PID] [-P [-r ROWS]] [--json] [interval [count]]",
	.description =
		"Counts pages, from tracepoints: an access is a page looked up by read()\n"
		"(filemap:mm_filemap_get_pages, its index range), by an mmap fault\n"
		"(mm_filemap_fault) or by fault-around (mm_filemap_map_pages, its range); a miss\n"
		"is a page inserted into the cache for a read (mm_filemap_add_to_page_cache,\n"
		"1 << order pages per folio, less the folios a write created, seen dirtied right\n"
		"after insertion); a hit is an access that was not a miss; dirtied pages come\n"
		"from writeback:writeback_dirty_folio. BUFFERS_MB and CACHED_MB are /proc/meminfo.\n"
		"Gaps: readahead inserts pages before they are read, so misses can lead accesses\n"
		"within an interval; O_DIRECT, tmpfs/shmem reads and fadvise/readahead(2) are not\n"
		"accesses; fault-around counts its whole range. A falling ratio while reading a\n"
		"file larger than the cache means the working set does not fit (case C1).\n"
		"(bcc's libbpf-tools cachestat needs kprobes, and on 5.16+ counts one miss per\n"
		"folio instead of per page.)",
	.opts = options,
	.examples = "  whyslow cachestat 1             # every second until Ctrl-C\n"
		    "  whyslow cachestat -T 5 12       # every 5 s for a minute, with times\n"
		    "  whyslow cachestat -p 1234 --json 1 10\n"
		    "  whyslow cachestat -P 5          # and which processes hit and miss\n",
	.interval = true,
};

static int on_option(void *arg, int key, const char *val)
{
	struct cachestat *c = arg;

	switch (key) {
	case 'T': c->timestamp = true; break;
	case 'p': c->opts.pid = cli_parse_pid(val); break;
	case 'P': c->opts.per_process = true; break;
	case 'r': c->max_rows = cli_parse_ulong(val, "row count", 1, 100000); break;
	}
	return 0;
}

static void ratio_text(double pct, char *buf, size_t size)
{
	if (isnan(pct))
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%.2f%%", pct);
}

static void json_processes(struct cachestat *c, struct json *j)
{
	size_t n;
	const struct cachestat_proc *p = cachestat_processes(c->col, &n);

	json_array_open(j, "processes");
	for (size_t i = 0; i < n && i < c->max_rows; i++) {
		json_object_open(j, NULL);
		json_i64(j, "pid", p[i].pid);
		json_str(j, "comm", p[i].comm);
		json_u64(j, "hits", p[i].s.hits);
		json_u64(j, "misses", p[i].s.misses);
		json_u64(j, "dirtied", p[i].s.dirtied);
		json_double(j, "hit_ratio_pct", p[i].s.hit_ratio_pct);
		json_object_close(j);
	}
	json_array_close(j);
}

static void print_processes(struct cachestat *c)
{
	size_t n;
	const struct cachestat_proc *p = cachestat_processes(c->col, &n);
	char ratio[16];

	printf("  %-7s %-16s %10s %10s %10s %9s\n", "PID", "COMM", "HITS", "MISSES", "DIRTIES",
	       "HITRATIO");
	for (size_t i = 0; i < n && i < c->max_rows; i++) {
		ratio_text(p[i].s.hit_ratio_pct, ratio, sizeof(ratio));
		printf("  %-7d %-16s %10llu %10llu %10llu %9s\n", p[i].pid, p[i].comm,
		       (unsigned long long)p[i].s.hits, (unsigned long long)p[i].s.misses,
		       (unsigned long long)p[i].s.dirtied, ratio);
	}
	if (n > c->max_rows)
		printf("  (%zu more processes)\n", n - c->max_rows);
}

static void print_sample(struct cachestat *c, const struct cachestat_sample *s)
{
	char now[16], ratio[16];

	if (c->common.json) {
		struct json j;
		json_begin(&j, stdout, "cachestat");
		json_u64(&j, "interval_s", c->common.interval_s);
		if (c->opts.pid)
			json_i64(&j, "pid", c->opts.pid);
		json_u64(&j, "hits", s->hits);
		json_u64(&j, "misses", s->misses);
		json_u64(&j, "dirtied", s->dirtied);
		json_double(&j, "hit_ratio_pct", s->hit_ratio_pct);
		json_u64(&j, "buffers_mb", s->buffers_kb / 1024);
		json_u64(&j, "cached_mb", s->cached_kb / 1024);
		json_u64(&j, "accessed_pages", s->accessed);
		json_u64(&j, "added_pages", s->added);
		json_u64(&j, "write_added_pages", s->write_added);
		if (c->opts.per_process)
			json_processes(c, &j);
		json_end(&j);
		return;
	}
	ratio_text(s->hit_ratio_pct, ratio, sizeof(ratio));
	if (c->timestamp) {
		cli_strftime_now(now, sizeof(now));
		printf("%-8s ", now);
	}
	printf("%10llu %10llu %10llu %9s %11llu %10llu\n", (unsigned long long)s->hits,
	       (unsigned long long)s->misses, (unsigned long long)s->dirtied, ratio,
	       (unsigned long long)s->buffers_kb / 1024, (unsigned long long)s->cached_kb / 1024);
	if (c->opts.per_process)
		print_processes(c);
	fflush(stdout);
}

static int tick(void *arg, bool last)
{
	struct cachestat *c = arg;
	struct cachestat_sample s;
	int err = cachestat_read(c->col, &s);

	(void)last;
	if (err)
		return cli_fail("reading the page-cache counters failed: %s", strerror(-err));
	print_sample(c, &s);
	return 0;
}

static int poll_pid(void *arg, int timeout_ms)
{
	return pidwatch_sleep(((struct cachestat *)arg)->opts.pid, timeout_ms);
}

int cmd_cachestat(int argc, char **argv)
{
	static const char *const tracepoints[] = {"filemap", "mm_filemap_get_pages", "filemap",
						  "mm_filemap_map_pages", "filemap", "mm_filemap_fault",
						  "filemap", "mm_filemap_add_to_page_cache", "writeback",
						  "writeback_dirty_folio", NULL};
	struct cachestat c = {.max_rows = 20};
	struct cli_loop_ops ops = {.tick = tick};
	int err;

	cli_parse(&cachestat_spec, argc, argv, &c.common, on_option, &c);
	if (c.opts.pid)
		ops.poll = poll_pid;
	c.opts.force_raw_tp = !wbpf_prefer_tp_btf();
	wbpf_init(c.common.verbose);
	if ((err = wbpf_check_prereqs()) || (err = wbpf_require_tracepoints(tracepoints)))
		return err;
	err = cachestat_open(&c.opts, &c.col);
	if (err)
		return wbpf_load_error("cachestat's BPF programs", err);
	fprintf(stderr, "Tracing page cache%s... Hit Ctrl-C to end.\n", c.opts.pid ? " of one process" : "");
	if (!c.common.json) {
		if (c.timestamp)
			printf("%-8s ", "TIME");
		printf("%10s %10s %10s %9s %11s %10s\n", "HITS", "MISSES", "DIRTIES", "HITRATIO",
		       "BUFFERS_MB", "CACHED_MB");
	}
	err = cli_run_loop(&c.common, &ops, &c);
	cachestat_close(c.col);
	return err;
}
