/* doctor's own sweep, user side: loads sweep.bpf.c (tp_btf, raw_tp fallback) and reads
 * its maps into the evidence: block latency per disk, run-queue wait in all and per
 * process, SIGSTOP stops per process. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "lib/blockdev.h"
#include "lib/bpf.h"
#include "lib/cli.h"
#include "doctor/sweep.h"
#include "doctor/sweep_collect.h"
#include "sweep.skel.h"

struct sweep {
	struct sweep_bpf *skel;
	uint64_t opened_ns;
};

static int load(struct sweep_bpf **out, pid_t pid, bool use_btf)
{
	struct sweep_bpf *skel = sweep_bpf__open();
	int err;

	*out = skel;
	if (!skel)
		return -errno;
	skel->rodata->filter_tgid = pid > 0;
	skel->rodata->targ_tgid = (uint32_t)pid;
	wbpf_pick(skel->progs.rq_issue_btf, skel->progs.rq_issue_raw, use_btf);
	wbpf_pick(skel->progs.rq_complete_btf, skel->progs.rq_complete_raw, use_btf);
	wbpf_pick(skel->progs.wakeup_btf, skel->progs.wakeup_raw, use_btf);
	wbpf_pick(skel->progs.wakeup_new_btf, skel->progs.wakeup_new_raw, use_btf);
	wbpf_pick(skel->progs.switch_btf, skel->progs.switch_raw, use_btf);
	wbpf_pick(skel->progs.signal_btf, skel->progs.signal_raw, use_btf);
	bpf_map__set_autocreate(skel->maps.task_ts, use_btf);
	bpf_map__set_autocreate(skel->maps.tid_ts, !use_btf);
	err = sweep_bpf__load(skel);
	if (!err)
		err = sweep_bpf__attach(skel);
	return err;
}

int sweep_open(pid_t pid, struct sweep **out)
{
	static const char *const tracepoints[] = {
		"block", "block_rq_issue", "block", "block_rq_complete", "sched", "sched_wakeup",
		"sched", "sched_wakeup_new", "sched", "sched_switch", "signal", "signal_generate",
		NULL};
	struct sweep *s = calloc(1, sizeof(*s));
	bool use_btf = wbpf_prefer_tp_btf();
	int err;

	if (!s)
		return -ENOMEM;
	for (unsigned i = 0; tracepoints[i]; i += 2)
		if (!wbpf_tracepoint_exists(tracepoints[i], tracepoints[i + 1])) {
			free(s);
			return -ENOENT;
		}
	err = load(&s->skel, pid, use_btf);
	if (err && use_btf) { /* tp_btf or task storage refused: raw tracepoints */
		sweep_bpf__destroy(s->skel);
		err = load(&s->skel, pid, false);
	}
	if (err) {
		sweep_bpf__destroy(s->skel);
		free(s);
		return err < 0 ? err : -EINVAL;
	}
	s->opened_ns = cli_now_ns();
	*out = s;
	return 0;
}

static void lat_to_hist(const struct sweep_lat *l, struct hist *h)
{
	hist_init_log2(h, SWEEP_SLOTS);
	hist_add_slots(h, (const uint64_t *)l->slots, SWEEP_SLOTS);
}


static void add_disk(const void *key, const void *value, void *arg)
{
	struct sweep_result *r = arg;
	const struct sweep_lat *l = value;
	struct sweep_disk *d;

	if (r->ndisks >= SWEEP_MAX_DISKS || !l->count)
		return;
	d = &r->disks[r->ndisks++];
	d->dev = *(const uint32_t *)key;
	d->count = l->count;
	d->total_ns = l->total_ns;
	lat_to_hist(l, &d->lat_us);
}

struct walk_procs {
	struct sweep_result *r;
	int comms_fd;
};

static void add_proc(const void *key, const void *value, void *arg)
{
	struct walk_procs *w = arg;
	const struct sweep_lat *l = value;
	struct sweep_proc *p;
	struct sweep_comm name = {{0}};
	uint32_t tgid = *(const uint32_t *)key;

	if (!l->count)
		return;
	if (w->r->nprocs == w->r->cap) {
		size_t cap = w->r->cap ? 2 * w->r->cap : 64;
		p = realloc(w->r->procs, cap * sizeof(*p));
		if (!p)
			return;
		w->r->procs = p;
		w->r->cap = cap;
	}
	p = &w->r->procs[w->r->nprocs++];
	memset(p, 0, sizeof(*p));
	p->tgid = tgid;
	bpf_map_lookup_elem(w->comms_fd, &tgid, &name);
	snprintf(p->comm, sizeof(p->comm), "%.15s", name.comm[0] ? name.comm : "?");
	p->count = l->count;
	p->total_ns = l->total_ns;
	lat_to_hist(l, &p->wait_us);
}

static void add_stop(const void *key, const void *value, void *arg)
{
	struct sweep_result *r = arg;
	const struct sweep_stop *s = value;
	struct sweep_stopped *o;

	if (r->nstopped >= SWEEP_MAX_STOPPED)
		return;
	o = &r->stopped[r->nstopped++];
	o->tgid = *(const uint32_t *)key;
	o->s = *s;
}

static int by_total_wait(const void *a, const void *b)
{
	const struct sweep_proc *x = a, *y = b;

	return x->total_ns < y->total_ns ? 1 : x->total_ns > y->total_ns ? -1 : 0;
}

int sweep_read(struct sweep *s, struct sweep_result *r)
{
	struct walk_procs w = {.r = r, .comms_fd = bpf_map__fd(s->skel->maps.comms)};
	uint64_t total[sizeof(struct sweep_lat) / 8];
	uint32_t zero = 0;
	int err;

	memset(r, 0, sizeof(*r));
	r->now_ns = cli_now_ns();
	err = wbpf_hash_walk(bpf_map__fd(s->skel->maps.disk_lat), sizeof(uint32_t),
			     sizeof(struct sweep_lat), true, false, add_disk, r);
	if (err >= 0)
		err = wbpf_hash_walk(bpf_map__fd(s->skel->maps.runq_lat), sizeof(uint32_t),
				     sizeof(struct sweep_lat), true, false, add_proc, &w);
	if (err >= 0)
		err = wbpf_hash_walk(bpf_map__fd(s->skel->maps.stops), sizeof(uint32_t),
				     sizeof(struct sweep_stop), false, false, add_stop, r);
	if (err >= 0)
		err = wbpf_percpu_sum(bpf_map__fd(s->skel->maps.runq_total), &zero, total,
				      sizeof(struct sweep_lat) / 8);
	if (err < 0)
		return err;
	memcpy(&r->runq_total_raw, total, sizeof(r->runq_total_raw));
	lat_to_hist(&r->runq_total_raw, &r->runq_total);
	qsort(r->procs, r->nprocs, sizeof(r->procs[0]), by_total_wait);
	return 0;
}

void sweep_result_free(struct sweep_result *r)
{
	free(r->procs);
	r->procs = NULL;
	r->nprocs = r->cap = 0;
}

void sweep_close(struct sweep *s)
{
	if (!s)
		return;
	sweep_bpf__destroy(s->skel);
	free(s);
}
