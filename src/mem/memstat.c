/* memstat: per-process RSS, PSS, swap and anonymous/file split from
 * /proc/PID/smaps_rollup, not /proc/PID/smaps (case C5). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/cli.h"
#include "lib/out.h"
#include "lib/procfs.h"
#include "lib/proctask.h"
#include "mem/memstat.h"
#include "lib/sort.h"

int memstat_parse_rollup(const char *text, struct memstat_usage *out)
{
	static const struct {
		const char *key;
		size_t offset;
	} fields[] = {
		{"Rss:", offsetof(struct memstat_usage, rss_kb)},
		{"Pss:", offsetof(struct memstat_usage, pss_kb)},
		{"Pss_Anon:", offsetof(struct memstat_usage, pss_anon_kb)},
		{"Pss_File:", offsetof(struct memstat_usage, pss_file_kb)},
		{"Pss_Shmem:", offsetof(struct memstat_usage, pss_shmem_kb)},
		{"Anonymous:", offsetof(struct memstat_usage, anon_kb)},
		{"Swap:", offsetof(struct memstat_usage, swap_kb)},
		{"SwapPss:", offsetof(struct memstat_usage, swap_pss_kb)},
		{"Locked:", offsetof(struct memstat_usage, locked_kb)},
	};
	bool have_rss = false;

	memset(out, 0, sizeof(*out));
	for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
			size_t n = strlen(fields[i].key);
			char *end;
			unsigned long long v;

			if (strncmp(line, fields[i].key, n))
				continue;
			v = strtoull(line + n, &end, 10);
			if (end == line + n)
				break;
			*(uint64_t *)((char *)out + fields[i].offset) = v;
			if (i == 0)
				have_rss = true;
			break;
		}
	}
	out->file_kb = out->rss_kb > out->anon_kb ? out->rss_kb - out->anon_kb : 0;
	return have_rss ? 0 : -1;
}

static bool read_proc(pid_t pid, struct memstat_proc *p)
{
	char path[64], buf[4096];

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	if (procfs_read_file(path, buf, sizeof(buf)) < 0 || memstat_parse_rollup(buf, &p->usage))
		return false;
	p->pid = pid;
	if (!proctask_comm(pid, 0, p->comm, sizeof(p->comm)))
		snprintf(p->comm, sizeof(p->comm), "?");
	return true;
}

ssize_t memstat_collect(pid_t pid, struct memstat_proc **out)
{
	size_t n = 0, cap = 256;
	struct memstat_proc *procs = malloc(cap * sizeof(*procs));
	struct dirent *d;
	DIR *dir;

	if (!procs)
		return -ENOMEM;
	if (pid > 0) {
		*out = procs;
		return read_proc(pid, procs) ? 1 : -ESRCH;
	}
	if (!(dir = opendir("/proc"))) {
		free(procs);
		return -errno;
	}
	while ((d = readdir(dir))) {
		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		if (n == cap) {
			struct memstat_proc *bigger = realloc(procs, (cap *= 2) * sizeof(*procs));
			if (!bigger)
				break;
			procs = bigger;
		}
		if (read_proc(atoi(d->d_name), &procs[n]))
			n++;
	}
	closedir(dir);
	*out = procs;
	return n;
}

/* --- command --- */

enum sort_key { SORT_PSS, SORT_RSS, SORT_ANON, SORT_SWAP };

struct memstat_cmd {
	struct cli_common common;
	pid_t pid;
	unsigned long top;
	enum sort_key sort;
	bool timestamp;
};

static const struct cli_opt options[] = {
	{'p', "pid", "PID", "this process only"},
	{'s', "sort", "KEY", "sort by pss (default), rss, anon or swap"},
	{'n', "top", "N", "processes shown (default 20; 0 for all)"},
	{'T', "timestamp", NULL, "include a timestamp with each interval"},
	{0},
};

const struct cli_spec memstat_spec = {
	.name = "memstat",
	.summary = "per-process RSS, PSS, swap, anonymous/file split (from smaps_rollup, cheap)",
	.usage = "[-p PID] [-s pss|rss|anon|swap] [-n N] [-T] [--json] [interval [count]]",
	.description =
		"Reads /proc/PID/smaps_rollup of every process (or one): RSS, PSS (shared pages\n"
		"divided among their users) split into anonymous, file and shmem, swap, and the\n"
		"anonymous/file split of RSS. Not /proc/PID/smaps: that file prints ~20 lines per\n"
		"mapping while holding the process's mmap lock, and a monitor reading it of a\n"
		"process with many mappings stalls the process's mmap/munmap/page faults for tens\n"
		"of milliseconds (case C5; see mmaplock). smaps_rollup walks the same page tables\n"
		"but prints one summary and lets go of the lock when someone waits for it; it is\n"
		"still not free on huge processes, so keep intervals long.",
	.opts = options,
	.examples = "  whyslow memstat                  # top 20 by PSS, once\n"
		    "  whyslow memstat -s swap -n 5     # the 5 largest users of swap\n"
		    "  whyslow memstat -p 1234 60       # one process every minute\n",
	.interval = true,
};

static int on_option(void *arg, int key, const char *val)
{
	struct memstat_cmd *c = arg;

	switch (key) {
	case 'p': c->pid = cli_parse_pid(val); break;
	case 's':
		if (!strcmp(val, "pss")) c->sort = SORT_PSS;
		else if (!strcmp(val, "rss")) c->sort = SORT_RSS;
		else if (!strcmp(val, "anon")) c->sort = SORT_ANON;
		else if (!strcmp(val, "swap")) c->sort = SORT_SWAP;
		else cli_usage_error("unknown sort key '%s': use pss, rss, anon or swap", val);
		break;
	case 'n': c->top = cli_parse_ulong(val, "top N", 0, 10000000); break;
	case 'T': c->timestamp = true; break;
	}
	return 0;
}

static enum sort_key sort_by;

static uint64_t sort_value(const struct memstat_proc *p)
{
	switch (sort_by) {
	case SORT_RSS: return p->usage.rss_kb;
	case SORT_ANON: return p->usage.anon_kb;
	case SORT_SWAP: return p->usage.swap_kb;
	default: return p->usage.pss_kb;
	}
}

static int proc_cmp(const void *a, const void *b)
{
	uint64_t x = sort_value(a), y = sort_value(b);

	return x < y ? 1 : x > y ? -1 : ((const struct memstat_proc *)a)->pid - ((const struct memstat_proc *)b)->pid;
}

static int tick(void *arg, bool last)
{
	struct memstat_cmd *c = arg;
	struct memstat_proc *procs = NULL;
	ssize_t n = memstat_collect(c->pid, &procs);
	size_t shown;

	(void)last;
	if (n < 0) {
		free(procs);
		if (n == -ESRCH) {
			cli_warn("process %d exited", c->pid);
			cli_stop = 1;
			return 0;
		}
		return cli_fail("reading /proc failed: %s", strerror((int)-n));
	}
	sort_by = c->sort;
	sort_rows(procs, n, sizeof(*procs), proc_cmp);
	shown = c->top && c->top < (size_t)n ? c->top : (size_t)n;
	if (c->common.json) {
		struct json j;

		json_begin(&j, stdout, "memstat");
		json_array_open(&j, "processes");
		for (size_t i = 0; i < shown; i++) {
			const struct memstat_usage *u = &procs[i].usage;

			json_object_open(&j, NULL);
			json_u64(&j, "pid", procs[i].pid);
			json_str(&j, "comm", procs[i].comm);
			json_u64(&j, "rss_kb", u->rss_kb);
			json_u64(&j, "pss_kb", u->pss_kb);
			json_u64(&j, "pss_anon_kb", u->pss_anon_kb);
			json_u64(&j, "pss_file_kb", u->pss_file_kb);
			json_u64(&j, "pss_shmem_kb", u->pss_shmem_kb);
			json_u64(&j, "anon_kb", u->anon_kb);
			json_u64(&j, "file_kb", u->file_kb);
			json_u64(&j, "swap_kb", u->swap_kb);
			json_u64(&j, "swap_pss_kb", u->swap_pss_kb);
			json_object_close(&j);
		}
		json_array_close(&j);
		json_end(&j);
	} else {
		if (c->timestamp)
			out_timestamp_line(stdout);
		else if (c->common.interval_s)
			putchar('\n');
		printf("%-7s %-16s %10s %10s %10s %10s %10s %10s\n", "PID", "COMM", "RSS(kB)",
		       "PSS(kB)", "ANON(kB)", "FILE(kB)", "SHMEM_PSS", "SWAP(kB)");
		for (size_t i = 0; i < shown; i++) {
			const struct memstat_usage *u = &procs[i].usage;

			printf("%-7d %-16s %10llu %10llu %10llu %10llu %10llu %10llu\n", procs[i].pid,
			       procs[i].comm, (unsigned long long)u->rss_kb, (unsigned long long)u->pss_kb,
			       (unsigned long long)u->anon_kb, (unsigned long long)u->file_kb,
			       (unsigned long long)u->pss_shmem_kb, (unsigned long long)u->swap_kb);
		}
		fflush(stdout);
	}
	free(procs);
	return 0;
}

int cmd_memstat(int argc, char **argv)
{
	struct memstat_cmd c = {.top = 20};
	struct cli_loop_ops ops = {.tick = tick};

	cli_parse(&memstat_spec, argc, argv, &c.common, on_option, &c);
	if (!c.common.interval_s) /* a snapshot, once */
		return tick(&c, true);
	return cli_run_loop(&c.common, &ops, &c);
}
