/* bitesize: block I/O size histograms per submitting process (and per disk with -D), from
 * block:block_io_start and the bio merge tracepoints, one program per I/O (see
 * bitesize.bpf.c). Options and output follow bcc's bitesize. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <bpf/bpf.h>
#include "lib/bpf.h"
#include "lib/blockdev.h"
#include "lib/cli.h"
#include "lib/histmap.h"
#include "lib/out.h"
#include "lib/pidwatch.h"
#include "disk/bitesize.h"
#include "bitesize.skel.h"

struct bitesize {
	struct cli_common common;
	bool timestamp, per_disk, filter_dev;
	dev_t dev;
	char disk[64];
	const char *comm;
	pid_t pid;
	struct bitesize_bpf *skel;
	struct hist_set set;
	const char *entry_comm; /* the name of the table entry being labelled, else NULL */
	struct bitesize_entry *entries; /* one table index, all CPUs */
};

static const struct cli_opt options[] = {
	{'T', "timestamp", NULL, "include a timestamp with each interval"},
	{'D', "disks", NULL, "one histogram per process and disk"},
	{'c', "comm", "COMM", "only processes with this name"},
	{'d', "disk", "DISK", "trace this disk only (name like sda, or MAJ:MIN)"},
	{'p', "pid", "PID", "trace I/O issued by this process only"},
	{0},
};

const struct cli_spec bitesize_spec = {
	.name = "bitesize",
	.summary = "block I/O size histograms per issuing process (per disk with -D)",
	.usage = "[-T] [-D] [-c COMM] [-d DISK] [-p PID] [--json] [interval [count]]",
	.description =
		"Counts each block I/O a process submits to a disk in a log2 histogram of\n"
		"kilobytes, under that process: one count per bio as the disk's request queue\n"
		"receives it, after the block layer split it to the device's limits\n"
		"(max_sectors_kb), taken in the submitter's context when it starts a request\n"
		"(block:block_io_start) or is merged into one (block:block_bio_backmerge and\n"
		"frontmerge). These are the process's I/O sizes, not the sizes of the merged\n"
		"requests the device receives: eight adjacent 4 KiB writes merged into one 32 KiB\n"
		"request count as eight 4 KiB I/Os (iostat's rareq-sz/wareq-sz and biosnoop show\n"
		"the merged request; bcc's bitesize counts requests at issue, under whichever\n"
		"task runs then, often a kworker). Bio-based devices (dm, md) count at the disks\n"
		"below them. Not seen: discards merged into a multi-range discard, and flushes\n"
		"the kernel issues by itself. Small random I/O versus large sequential I/O per\n"
		"process; a normal size with a high latency points at the disk, not the\n"
		"application (case C1).",
	.opts = options,
	.examples = "  whyslow bitesize                # until Ctrl-C\n"
		    "  whyslow bitesize -D 5 1         # per process and disk, for 5 s\n"
		    "  whyslow bitesize -c postgres    # postgres processes only\n",
	.interval = true,
};

static int on_option(void *arg, int key, const char *val)
{
	struct bitesize *b = arg;

	switch (key) {
	case 'T': b->timestamp = true; break;
	case 'D': b->per_disk = true; break;
	case 'c': b->comm = val; break;
	case 'd':
		b->dev = cli_parse_disk(val, b->disk, sizeof(b->disk));
		b->filter_dev = true;
		break;
	case 'p': b->pid = cli_parse_pid(val); break;
	}
	return 0;
}

static bool label_key(const void *k, struct hist_item *item, void *arg)
{
	const struct bitesize_key *key = k;
	const struct bitesize *b = arg;
	struct bitesize_comm comm = {.comm = "[unknown]"};
	char disk[64];

	/* a table entry carries its name; a hash key's was written by the kernel side when
	 * the key was created (an LRU map: evicted by 8192 newer processes, [unknown]) */
	if (b->entry_comm)
		memcpy(comm.comm, b->entry_comm, sizeof(comm.comm));
	else
		bpf_map_lookup_elem(bpf_map__fd(b->skel->maps.comms), &key->pid, &comm);
	if (b->comm && strncmp(comm.comm, b->comm, sizeof(comm.comm)) != 0)
		return false;
	snprintf(item->comm, sizeof(item->comm), "%.16s", comm.comm);
	if (b->per_disk) {
		blockdev_name(key->dev, disk, sizeof(disk));
		snprintf(item->label, sizeof(item->label), "%s (%u) %s", item->comm, key->pid, disk);
	} else {
		item->has_id = true;
		item->id = key->pid;
		snprintf(item->label, sizeof(item->label), "%s (%u)", item->comm, key->pid);
	}
	item->sort_key = ((uint64_t)key->pid << 32) | key->dev;
	return true;
}

/* Adds one CPU's table entry to the item of its key, or to a new item. */
static void add_entry(struct bitesize *b, const struct bitesize_entry *e)
{
	uint64_t sort_key = ((uint64_t)e->key.pid << 32) | e->key.dev;
	struct hist_set *set = &b->set;
	struct hist_item *it;

	for (size_t i = 0; i < set->n; i++) {
		if (set->items[i].sort_key == sort_key) {
			hist_add_slots(&set->items[i].hist, (const uint64_t *)e->slots, BITESIZE_SLOTS);
			return;
		}
	}
	if (!(it = hist_set_add(set, BITESIZE_SLOTS)))
		return;
	hist_add_slots(&it->hist, (const uint64_t *)e->slots, BITESIZE_SLOTS);
	b->entry_comm = e->comm;
	if (label_key(&e->key, it, b))
		set->n++;
	b->entry_comm = NULL;
}

/* Merges the per-CPU table into b->set (read after the hash) and empties each entry
 * read, so that keys claim entries afresh each interval; like every per-CPU counter
 * cleared from user space, an I/O counted between the read and the clear is lost. */
static int read_table(struct bitesize *b)
{
	int fd = bpf_map__fd(b->skel->maps.table), ncpus = wbpf_ncpus();

	for (__u32 i = 0; i < BITESIZE_TABLE; i++) {
		bool used = false;

		if (bpf_map_lookup_elem(fd, &i, b->entries))
			return -errno;
		for (int cpu = 0; cpu < ncpus; cpu++) {
			if (!b->entries[cpu].used)
				continue;
			used = true;
			add_entry(b, &b->entries[cpu]);
		}
		if (!used)
			continue;
		memset(b->entries, 0, (size_t)ncpus * sizeof(*b->entries));
		if (bpf_map_update_elem(fd, &i, b->entries, BPF_ANY))
			return -errno;
	}
	hist_set_sort(&b->set);
	return 0;
}

static int print_interval(void *arg, bool last)
{
	struct bitesize *b = arg;
	struct json j;
	int err;

	(void)last;
	err = histmap_read_keyed(bpf_map__fd(b->skel->maps.hists), sizeof(struct bitesize_key),
				 BITESIZE_SLOTS, true, label_key, b, &b->set);
	if (!err)
		err = read_table(b);
	if (err)
		return cli_fail("reading the histogram maps failed: %s", strerror(-err));
	if (b->common.json) {
		json_begin(&j, stdout, "bitesize");
		json_u64(&j, "interval_s", b->common.interval_s);
		if (b->filter_dev)
			json_str(&j, "disk", b->disk);
		hist_set_json(&b->set, b->per_disk ? "process_disk" : "pid", "size", "kbytes", &j);
		json_end(&j);
		return 0;
	}
	if (b->timestamp)
		out_timestamp_line(stdout);
	else
		putchar('\n');
	hist_set_print(&b->set, b->per_disk ? "Process Name, Disk" : "Process Name", "Kbytes",
		       stdout);
	fflush(stdout);
	return 0;
}

static int poll_pid(void *arg, int timeout_ms)
{
	return pidwatch_sleep(((struct bitesize *)arg)->pid, timeout_ms);
}

static int load(struct bitesize *b, bool use_btf, bool have_io_start)
{
	struct bitesize_bpf *skel = bitesize_bpf__open();
	int err;

	b->skel = skel;
	if (!skel)
		return -errno;
	skel->rodata->targ_per_disk = b->per_disk;
	skel->rodata->filter_dev = b->filter_dev;
	skel->rodata->targ_dev = kdev_make(major(b->dev), minor(b->dev));
	skel->rodata->filter_pid = b->pid > 0;
	skel->rodata->targ_pid = (uint32_t)b->pid;
	/* a bio starting a request: block_io_start (6.5+), else block_getrq */
	wbpf_pick(skel->progs.io_start_btf, skel->progs.io_start_raw, use_btf);
	wbpf_pick(skel->progs.getrq_btf, skel->progs.getrq_raw, use_btf);
	if (have_io_start) {
		bpf_program__set_autoload(skel->progs.getrq_btf, false);
		bpf_program__set_autoload(skel->progs.getrq_raw, false);
	} else {
		bpf_program__set_autoload(skel->progs.io_start_btf, false);
		bpf_program__set_autoload(skel->progs.io_start_raw, false);
	}
	wbpf_pick(skel->progs.backmerge_btf, skel->progs.backmerge_raw, use_btf);
	wbpf_pick(skel->progs.frontmerge_btf, skel->progs.frontmerge_raw, use_btf);
	err = bitesize_bpf__load(skel);
	if (!err)
		err = bitesize_bpf__attach(skel);
	return err;
}

int cmd_bitesize(int argc, char **argv)
{
	static const char *const tracepoints[] = {"block", "block_getrq", "block",
						  "block_bio_backmerge", "block",
						  "block_bio_frontmerge", NULL};
	struct bitesize b = {0};
	struct cli_loop_ops ops = {.tick = print_interval};
	bool use_btf = wbpf_prefer_tp_btf(), have_io_start;
	int err;

	cli_parse(&bitesize_spec, argc, argv, &b.common, on_option, &b);
	if (b.pid)
		ops.poll = poll_pid;
	wbpf_init(b.common.verbose);
	if ((err = wbpf_check_prereqs()) || (err = wbpf_require_tracepoints(tracepoints)))
		return err;
	have_io_start = wbpf_tracepoint_exists("block", "block_io_start");
	err = load(&b, use_btf, have_io_start);
	if (err && use_btf) { /* kernels without tp_btf for these hooks: raw tracepoints */
		bitesize_bpf__destroy(b.skel);
		err = load(&b, false, have_io_start);
	}
	if (err) {
		bitesize_bpf__destroy(b.skel);
		return wbpf_load_error("bitesize's BPF programs", err);
	}
	fprintf(stderr, "Tracing block I/O sizes%s%s... Hit Ctrl-C to end.\n",
		b.filter_dev ? " on " : "", b.filter_dev ? b.disk : "");
	b.entries = calloc(wbpf_ncpus(), sizeof(*b.entries));
	if (!b.entries) {
		bitesize_bpf__destroy(b.skel);
		return cli_fail("out of memory");
	}
	err = cli_run_loop(&b.common, &ops, &b);
	free(b.entries);
	hist_set_free(&b.set);
	bitesize_bpf__destroy(b.skel);
	return err;
}
