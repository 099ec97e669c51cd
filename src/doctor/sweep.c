/* doctor's own sweep, user side: loads sweep.bpf.c (tp_btf, raw_tp fallback) and reads
 * its maps into the evidence: block latency per disk, run-queue wait in all and per
 * process, SIGSTOP stops per process, off-CPU time per thread with the D-state stacks of
 * the worst stalled. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "lib/blockdev.h"
#include "lib/bpf.h"
#include "lib/cli.h"
#include "lib/proctask.h"
#include "lib/stacks.h"
#include "doctor/sweep.h"
#include "doctor/sweep_collect.h"
#include "sweep.skel.h"
#include "lib/sort.h"

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
	/* names follow exec and prctl(PR_SET_NAME) */
	wbpf_pick_optional(skel->progs.rename_btf, skel->progs.rename_raw, use_btf, true, "task",
			   "task_rename");
	bpf_map__set_autocreate(skel->maps.task_ts, use_btf);
	bpf_map__set_autocreate(skel->maps.tid_ts, !use_btf);
	bpf_map__set_autocreate(skel->maps.offcpu_task_start, use_btf);
	bpf_map__set_autocreate(skel->maps.offcpu_tid_start, !use_btf);
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

/* --- off-CPU --- */

struct walk_offcpu {
	struct sweep_result *r;
	struct sweep_stalled *all; /* every thread in the map (at most SWEEP_MAX_TASKS) */
	size_t n;
};

static void add_offcpu(const void *key, const void *value, void *arg)
{
	struct walk_offcpu *w = arg;
	const struct sweep_offcpu *o = value;

	if (w->n >= SWEEP_MAX_TASKS || (!o->d_ns && !o->sleep_ns))
		return;
	w->all[w->n].tid = *(const uint32_t *)key;
	w->all[w->n].o = *o;
	w->n++;
}

static int by_d_time(const void *a, const void *b)
{
	const struct sweep_stalled *x = a, *y = b;

	return x->o.d_ns < y->o.d_ns ? 1 : x->o.d_ns > y->o.d_ns ? -1 : 0;
}

static int by_offcpu_time(const void *a, const void *b)
{
	const struct sweep_stalled *x = a, *y = b;
	uint64_t tx = x->o.d_ns + x->o.sleep_ns, ty = y->o.d_ns + y->o.sleep_ns;

	return tx < ty ? 1 : tx > ty ? -1 : 0;
}

/* The thread's current name when it still runs (one named before its exec, or renamed). */
static void refresh_comm(struct sweep_stalled *t)
{
	proctask_comm((pid_t)t->o.tgid, (pid_t)t->tid, t->o.comm, sizeof(t->o.comm));
}

/* The heaviest D-state stack of the thread's process, symbolized, leaf first. */
static void top_d_stack(struct stack_syms *ss, const struct stack_samples *stacks,
			struct sweep_stalled *t)
{
	const struct stack_sample *best = NULL;
	char buf[512];

	for (size_t i = 0; i < stacks->n; i++)
		if ((uint32_t)stacks->items[i].pid == t->o.tgid && stacks->items[i].nkernel &&
		    (!best || stacks->items[i].value > best->value))
			best = &stacks->items[i];
	if (!best)
		return;
	struct stack_ref st = stack_sample_ref(best);
	t->stack_d_us = best->value;
	for (unsigned i = stack_kernel_first(ss, &st);
	     i < st.nkernel && t->nframes < SWEEP_STACK_FRAMES; i++)
		snprintf(t->frames[t->nframes++], sizeof(t->frames[0]), "%.63s",
			 stack_kernel_frame(ss, st.kernel[i], buf, sizeof(buf)));
}

static unsigned pick_stalled(struct walk_offcpu *w, int (*order)(const void *, const void *),
			     bool d_only, struct sweep_stalled *out)
{
	unsigned n = 0;

	sort_rows(w->all, w->n, sizeof(w->all[0]), order);
	for (size_t i = 0; i < w->n && n < SWEEP_TOP_STALLED; i++)
		if (!d_only || w->all[i].o.d_ns)
			out[n++] = w->all[i];
	return n;
}

static int read_offcpu(struct sweep *s, struct sweep_result *r)
{
	struct walk_offcpu w = {.r = r, .all = calloc(SWEEP_MAX_TASKS, sizeof(*w.all))};
	uint64_t total[sizeof(struct sweep_offcpu_total) / 8];
	struct stack_syms ss = {0};
	uint32_t zero = 0;
	int err;

	if (!w.all)
		return -ENOMEM;
	err = wbpf_hash_walk(bpf_map__fd(s->skel->maps.offcpu_tasks), sizeof(uint32_t),
			     sizeof(struct sweep_offcpu), false, false, add_offcpu, &w);
	if (err >= 0)
		err = wbpf_percpu_sum(bpf_map__fd(s->skel->maps.offcpu_total), &zero, total,
				      sizeof(total) / 8);
	if (err >= 0)
		err = stack_counts_read(bpf_map__fd(s->skel->maps.d_stack_us),
					bpf_map__fd(s->skel->maps.d_stacks),
					bpf_map__fd(s->skel->maps.d_stacks_fallback), &r->d_stacks,
					&r->d_stacks_missed_us);
	if (err < 0) {
		free(w.all);
		return err;
	}
	memcpy(&r->offcpu_total, total, sizeof(r->offcpu_total));
	r->offcpu_threads = w.n;
	r->nstalled_total = pick_stalled(&w, by_offcpu_time, false, r->stalled_total);
	r->nstalled_d = pick_stalled(&w, by_d_time, true, r->stalled_d);
	free(w.all);
	if (r->nstalled_d) /* kallsyms only when a stack will be shown */
		stack_syms_open(&ss, true, false);
	for (unsigned i = 0; i < r->nstalled_d; i++) {
		refresh_comm(&r->stalled_d[i]);
		top_d_stack(&ss, &r->d_stacks, &r->stalled_d[i]);
	}
	for (unsigned i = 0; i < r->nstalled_total; i++) {
		refresh_comm(&r->stalled_total[i]);
		if (r->stalled_total[i].o.d_ns)
			top_d_stack(&ss, &r->d_stacks, &r->stalled_total[i]);
	}
	stack_syms_close(&ss);
	return 0;
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
	if (err >= 0)
		err = read_offcpu(s, r);
	if (err < 0)
		return err;
	memcpy(&r->runq_total_raw, total, sizeof(r->runq_total_raw));
	lat_to_hist(&r->runq_total_raw, &r->runq_total);
	sort_rows(r->procs, r->nprocs, sizeof(r->procs[0]), by_total_wait);
	return 0;
}

void sweep_result_free(struct sweep_result *r)
{
	free(r->procs);
	r->procs = NULL;
	r->nprocs = r->cap = 0;
	stack_samples_free(&r->d_stacks);
}

void sweep_close(struct sweep *s)
{
	if (!s)
		return;
	sweep_bpf__destroy(s->skel);
	free(s);
}
