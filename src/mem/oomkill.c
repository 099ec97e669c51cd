/* oomkill: each OOM kill with its victim, the task that triggered it and the victim's
 * memory; and each hung task the kernel's detector reports (case C12). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "lib/bpf.h"
#include "lib/cli.h"
#include "lib/evsummary.h"
#include "lib/out.h"
#include "mem/oomkill.h"
#include "oomkill.skel.h"

/* --- collector --- */

struct oomkill {
	struct oomkill_bpf *skel;
	struct ring_buffer *rb;
	oomkill_event_fn fn;
	void *ctx;
	bool has_hung;
};

static int on_ring_event(void *ctx, void *data, size_t size)
{
	struct oomkill *o = ctx;

	if (size >= sizeof(struct oomkill_event) && o->fn)
		o->fn(data, o->ctx);
	return 0;
}

static int oomkill_load(struct oomkill *o, bool use_btf)
{
	struct oomkill_bpf *skel = oomkill_bpf__open();
	int err;

	o->skel = skel;
	if (!skel)
		return -errno;
	wbpf_pick(skel->progs.victim_btf, skel->progs.victim_raw, use_btf);
	wbpf_pick(skel->progs.hang_btf, skel->progs.hang_raw, use_btf);
	if (!o->has_hung) {
		bpf_program__set_autoload(skel->progs.hang_btf, false);
		bpf_program__set_autoload(skel->progs.hang_raw, false);
	}
	err = oomkill_bpf__load(skel);
	if (!err)
		err = oomkill_bpf__attach(skel);
	return err;
}

int oomkill_open(bool force_raw_tp, oomkill_event_fn fn, void *ctx, struct oomkill **out)
{
	struct oomkill *o = calloc(1, sizeof(*o));
	bool use_btf = !force_raw_tp && wbpf_prefer_tp_btf();
	int err;

	if (!o)
		return -ENOMEM;
	o->fn = fn;
	o->ctx = ctx;
	o->has_hung = wbpf_tracepoint_exists("sched", "sched_process_hang");
	err = oomkill_load(o, use_btf);
	if (err && use_btf) {
		oomkill_bpf__destroy(o->skel);
		err = oomkill_load(o, false);
	}
	if (!err) {
		o->rb = ring_buffer__new(bpf_map__fd(o->skel->maps.events), on_ring_event, o, NULL);
		if (!o->rb)
			err = -errno;
	}
	if (err) {
		oomkill_bpf__destroy(o->skel);
		free(o);
		return err;
	}
	*out = o;
	return 0;
}

int oomkill_poll(struct oomkill *o, int timeout_ms)
{
	int n = ring_buffer__poll(o->rb, timeout_ms);

	return n < 0 ? n : 0;
}

uint64_t oomkill_lost(struct oomkill *o)
{
	return wbpf_lost_events(bpf_map__fd(o->skel->maps.lost));
}

bool oomkill_has_hung(struct oomkill *o)
{
	return o->has_hung;
}

void oomkill_close(struct oomkill *o)
{
	if (!o)
		return;
	ring_buffer__free(o->rb);
	oomkill_bpf__destroy(o->skel);
	free(o);
}

/* --- command --- */

struct oomkill_cmd {
	struct cli_common common;
	unsigned long duration_s;
	struct oomkill *collector;
	uint64_t kills, hangs;
	long page_kb;
};

static const struct cli_opt options[] = {
	{'d', "duration", "SECONDS", "stop after this many seconds"},
	{0},
};

const struct cli_spec oomkill_spec = {
	.name = "oomkill",
	.summary = "each OOM kill (victim, trigger, memory) and each hung task the kernel reports",
	.usage = "[-d SECONDS] [--json]",
	.description =
		"Prints each OOM kill as the kernel chooses its victim (oom:mark_victim): the\n"
		"victim's PID, name, UID, oom_score_adj and memory (total VM, anonymous, file and\n"
		"shmem RSS, swap, page tables), and the task whose allocation ran the OOM killer\n"
		"(inside a memory cgroup, usually one of its members). Also each hung task the\n"
		"kernel's detector reports (sched:sched_process_hang, after\n"
		"kernel.hung_task_timeout_secs in D state without running; it reports a task again\n"
		"at each check while it stays hung). Waits in the block layer for a bio (direct\n"
		"I/O, submit_bio_wait) wake every hung_task_timeout_secs/2 on purpose and are never\n"
		"reported: for a slow disk see biosnoop and offcputime. Case C12; `check` scans the\n"
		"kernel log for the kills that happened before.",
	.opts = options,
	.examples = "  whyslow oomkill                 # until Ctrl-C\n"
		    "  whyslow oomkill --json -d 60    # one JSON line per event, for a minute\n",
	.interval = false,
};

static int on_option(void *arg, int key, const char *val)
{
	struct oomkill_cmd *c = arg;

	if (key == 'd')
		c->duration_s = cli_parse_ulong(val, "duration", 1, 86400 * 365);
	return 0;
}

static void print_event(const struct oomkill_event *e, void *arg)
{
	struct oomkill_cmd *c = arg;
	bool kill = e->kind == OOMKILL_KILL;
	unsigned long long kb = c->page_kb;
	char now[16];

	kill ? c->kills++ : c->hangs++;
	if (c->common.json) {
		struct json j;

		json_begin(&j, stdout, "oomkill");
		json_str(&j, "event", kill ? "oom_kill" : "hung_task");
		json_u64(&j, "pid", e->victim_tgid);
		json_u64(&j, "tid", e->victim_tid);
		json_str(&j, "comm", e->victim_comm);
		json_u64(&j, "trigger_pid", e->trigger_tgid);
		json_str(&j, "trigger_comm", e->trigger_comm);
		if (kill) {
			json_u64(&j, "uid", e->uid);
			json_i64(&j, "oom_score_adj", e->oom_score_adj);
			json_u64(&j, "total_vm_kb", e->total_vm_pages * kb);
			json_u64(&j, "anon_rss_kb", e->anon_pages * kb);
			json_u64(&j, "file_rss_kb", e->file_pages * kb);
			json_u64(&j, "shmem_rss_kb", e->shmem_pages * kb);
			json_u64(&j, "swap_kb", e->swap_entries * kb);
			json_u64(&j, "pgtables_kb", e->pgtables_bytes / 1024);
		}
		json_end(&j);
		return;
	}
	cli_strftime_now(now, sizeof(now));
	if (kill)
		printf("%s OOM kill of PID %u (\"%s\", uid %u, oom_score_adj %d), triggered by PID %u "
		       "(\"%s\"): total-vm %llu kB, anon-rss %llu kB, file-rss %llu kB, shmem-rss "
		       "%llu kB, swap %llu kB, pgtables %llu kB\n",
		       now, e->victim_tgid, e->victim_comm, e->uid, e->oom_score_adj, e->trigger_tgid,
		       e->trigger_comm, e->total_vm_pages * kb, e->anon_pages * kb, e->file_pages * kb,
		       e->shmem_pages * kb, e->swap_entries * kb,
		       (unsigned long long)e->pgtables_bytes / 1024);
	else
		printf("%s hung task: PID %u TID %u (\"%s\") blocked in D state beyond "
		       "kernel.hung_task_timeout_secs (reported by %s)\n",
		       now, e->victim_tgid, e->victim_tid, e->victim_comm, e->trigger_comm);
	fflush(stdout);
}

static int poll_events(void *arg, int timeout_ms)
{
	return oomkill_poll(((struct oomkill_cmd *)arg)->collector, timeout_ms);
}

static int finish(void *arg, bool last)
{
	struct oomkill_cmd *c = arg;
	uint64_t lost;

	(void)last;
	oomkill_poll(c->collector, 0);
	lost = oomkill_lost(c->collector);
	event_summary("oomkill", c->common.json, c->kills + c->hangs, lost);
	return 0;
}

int cmd_oomkill(int argc, char **argv)
{
	struct oomkill_cmd c = {.page_kb = sysconf(_SC_PAGESIZE) / 1024};
	struct cli_loop_ops ops = {.tick = finish, .poll = poll_events};
	int err;

	cli_parse(&oomkill_spec, argc, argv, &c.common, on_option, &c);
	ops.duration_ms = c.duration_s * 1000;
	wbpf_init(c.common.verbose);
	if ((err = wbpf_check_prereqs()) ||
	    (err = wbpf_require_tracepoints((const char *const[]){"oom", "mark_victim", NULL})))
		return err;
	if ((err = oomkill_open(false, print_event, &c, &c.collector)))
		return wbpf_load_error("oomkill's BPF programs", err);
	fprintf(stderr, "Tracing OOM kills%s... Hit Ctrl-C to end.\n",
		oomkill_has_hung(c.collector) ? " and hung tasks" : " (this kernel has no hung-task tracepoint)");
	err = cli_run_loop(&c.common, &ops, &c);
	oomkill_close(c.collector);
	return err;
}
