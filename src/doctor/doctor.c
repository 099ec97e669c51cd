/* whyslow doctor: attaches every collector at once, samples the host (check's checklist
 * in a thread) for -d seconds, turns what it saw into evidence, runs the rules and prints
 * the ranked findings (text, --json, --html FILE).
 *
 * Collectors run in-process (never as child programs). One that cannot attach is noted
 * and its rules stay quiet: a doctor on partial evidence beats none. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lib/blockdev.h"
#include "lib/stacks.h"
#include "lib/bpf.h"
#include "lib/cli.h"
#include "lib/syms.h"
#include "lib/syscalls.h"
#include "check/check.h"
#include "mem/cachestat_collect.h"
#include "mem/mmaplock.h"
#include "mem/oomkill.h"
#include "cpu/profile.h"
#include "irq/softirqs.h"
#include "render/flamegraph.h"
#include "net/netout.h"
#include "net/skbdrop.h"
#include "net/tcpretrans.h"
#include "sys/lockstat.h"
#include "sys/syscount.h"
#include "doctor/doctor.h"
#include "doctor/sweep_collect.h"
#include "lib/sort.h"

struct doctor {
	struct cli_common common;
	unsigned duration_s;
	pid_t pid;
	const char *html;
	struct doctor_evidence *ev;
	/* collectors; NULL when they did not attach */
	struct sweep *sweep;
	struct cachestat_collector *cache;
	struct mmaplock *mmap;
	struct oomkill *oom;
	struct softirqs_collector *softirqs;
	struct skbdrop_collector *drops;
	struct tcpretrans_collector *retrans;
	struct syscount *sys;
	struct lockstat *locks;
	struct profile_collector profile; /* with --html only */
	bool profiling;
	struct check_result *check;
	int check_err;
};

static const struct cli_opt options[] = {
	{'d', "duration", "SECONDS", "how long to sample (default 10)"},
	{'p', "pid", "PID", "focus on this process (the one users complain about)"},
	{CLI_LONG_ONLY + 1, "html", "FILE", "also write a self-contained HTML report to FILE"},
	{0},
};

const struct cli_spec doctor_spec = {
	.name = "doctor",
	.summary = "one sweep of every collector, findings ranked with their evidence and next steps",
	.usage = "[-d SECONDS] [-p PID] [--json] [--html FILE]",
	.description =
		"Runs the checklist (check) and, at the same time, the collectors of the other\n"
		"commands in this process: block latency per disk, page cache, run-queue wait,\n"
		"off-CPU time of the worst stalled threads (D state with its kernel stack),\n"
		"SIGSTOP stops, mmap-lock waits, softirq time per CPU and timer, NIC and softnet\n"
		"counters, TCP retransmits, packet drops by reason, failing syscalls by errno, OOM\n"
		"kills, kernel lock contention. Rules (one per case of the case book) turn the\n"
		"evidence into findings: id, severity, a title naming the culprit, the numbers,\n"
		"the explanation and the next commands to run. A healthy host gets a short\n"
		"\"no problem found\" with its headline numbers.",
	.opts = options,
	.examples = "  whyslow doctor                     # 10 s sweep of the whole host\n"
		    "  whyslow doctor -d 5 -p 1234        # 5 s, focused on process 1234\n"
		    "  whyslow doctor --json              # findings as one JSON object\n"
		    "  whyslow doctor --html report.html  # and a page to share\n",
	.interval = false,
};

static int on_option(void *arg, int key, const char *val)
{
	struct doctor *d = arg;

	switch (key) {
	case 'd': d->duration_s = (unsigned)cli_parse_ulong(val, "duration (seconds)", 1, 3600); break;
	case 'p': d->pid = cli_parse_pid(val); break;
	case CLI_LONG_ONLY + 1: d->html = val; break;
	}
	return 0;
}

static void note(struct doctor_evidence *ev, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void note(struct doctor_evidence *ev, const char *fmt, ...)
{
	va_list ap;

	if (ev->nnotes >= sizeof(ev->notes) / sizeof(ev->notes[0]))
		return;
	va_start(ap, fmt);
	vsnprintf(ev->notes[ev->nnotes++], sizeof(ev->notes[0]), fmt, ap);
	va_end(ap);
}

static void copy_comm(char *dst, const char *src)
{
	snprintf(dst, 16, "%.15s", src);
}

/* --- attaching --- */

static void on_hung(struct doctor_evidence *ev, const struct oomkill_event *e)
{
	unsigned i;

	ev->hung_reports++;
	for (i = 0; i < ev->nhung && ev->hung[i].tid != e->victim_tid; i++)
		;
	if (i == ev->nhung) {
		if (ev->nhung >= DOC_MAX_ITEMS)
			return;
		ev->nhung++;
		ev->hung[i].tid = e->victim_tid;
		ev->hung[i].tgid = e->victim_tgid;
		copy_comm(ev->hung[i].comm, e->victim_comm);
	}
	ev->hung[i].reports++;
}

static void on_oom(const struct oomkill_event *e, void *arg)
{
	struct doctor_evidence *ev = arg;
	uint64_t page_kb = (uint64_t)sysconf(_SC_PAGESIZE) / 1024;
	struct ev_oom *o;

	if (e->kind == OOMKILL_HUNG)
		on_hung(ev, e);
	if (e->kind != OOMKILL_KILL || ev->nooms >= DOC_MAX_ITEMS)
		return;
	o = &ev->ooms[ev->nooms++];
	o->victim_tgid = e->victim_tgid;
	o->trigger_tgid = e->trigger_tgid;
	copy_comm(o->victim_comm, e->victim_comm);
	copy_comm(o->trigger_comm, e->trigger_comm);
	o->anon_kb = e->anon_pages * page_kb;
	o->file_kb = e->file_pages * page_kb;
	o->total_vm_kb = e->total_vm_pages * page_kb;
}

static void open_collectors(struct doctor *d)
{
	struct doctor_evidence *ev = d->ev;
	bool raw = !wbpf_prefer_tp_btf();
	int err;

	struct cachestat_opts co = {.pid = d->pid, .force_raw_tp = raw};
	if ((err = cachestat_open(&co, &d->cache)))
		note(ev, "page cache (cachestat) not attached: %s", strerror(-err));
	struct mmaplock_opts mo = {.pid = d->pid, .threshold_ns = UINT64_MAX, .force_raw_tp = raw};
	if ((err = mmaplock_open(&mo, NULL, NULL, &d->mmap)))
		note(ev, "mmap lock (mmaplock) not attached: %s", strerror(-err));
	if ((err = oomkill_open(raw, on_oom, ev, &d->oom)))
		note(ev, "OOM kills (oomkill) not attached: %s", strerror(-err));
	struct softirqs_options so = {.timers = true, .cpu = -1};
	if (!(d->softirqs = softirqs_collector_open(&so)))
		note(ev, "softirqs not attached");
	if (!(d->drops = skbdrop_collector_open(false)))
		note(ev, "packet drops (skbdrop) not attached");
	if (!(d->retrans = tcpretrans_collector_open()))
		note(ev, "TCP retransmits (tcpretrans) not attached");
	struct syscount_opts sy = {.pid = d->pid, .failures = true, .per_process = true,
				   .force_raw_tp = raw};
	if ((err = syscount_open(&sy, &d->sys)))
		note(ev, "failing syscalls (syscount) not attached: %s", strerror(-err));
	struct lockstat_opts lo = {.pid = d->pid, .force_raw_tp = raw};
	if ((err = lockstat_open(&lo, &d->locks)))
		note(ev, "lock contention (lockstat) not attached: %s", strerror(-err));
	if ((err = sweep_open(d->pid, &d->sweep)))
		note(ev, "block, run-queue, off-CPU and signal sweep not attached: %s",
		     strerror(-err));
	/* stacks only for the page that can show them: a CPU flame graph */
	struct profile_opts po = {.freq_hz = 49, .pid = d->pid, .cpu = -1};
	if (d->html && !(d->profiling = profile_open(&d->profile, &po) == 0))
		note(ev, "CPU stacks (profile) not sampled: no flame graph");
}

/* Zeroes what the collectors counted while the others were still loading, so that every
 * count covers the same window. */
static void start_window(struct doctor *d)
{
	struct cachestat_sample cs;
	struct mmaplock_result mr = {0};
	struct softirqs_result sr = {0};
	struct skbdrop_result dr = {0};
	struct tcpretrans_result tr = {0};
	struct syscount_result sc = {0};
	struct lockstat_result lr = {0};

	if (d->cache)
		cachestat_read(d->cache, &cs);
	if (d->mmap && !mmaplock_read(d->mmap, &mr, true))
		mmaplock_result_free(&mr);
	if (d->softirqs && !softirqs_collector_read(d->softirqs, true, &sr))
		softirqs_result_free(&sr);
	if (d->drops && !skbdrop_collector_read(d->drops, true, &dr))
		skbdrop_result_free(&dr);
	if (d->retrans && !tcpretrans_collector_read(d->retrans, true, &tr))
		tcpretrans_result_free(&tr);
	if (d->sys && !syscount_read(d->sys, &sc, true))
		syscount_result_free(&sc);
	if (d->locks && !lockstat_read(d->locks, &lr, true))
		lockstat_result_free(&lr);
}

static void close_collectors(struct doctor *d)
{
	if (d->profiling)
		profile_close(&d->profile);
	sweep_close(d->sweep);
	lockstat_close(d->locks);
	syscount_close(d->sys);
	tcpretrans_collector_close(d->retrans);
	skbdrop_collector_close(d->drops);
	softirqs_collector_close(d->softirqs);
	oomkill_close(d->oom);
	mmaplock_close(d->mmap);
	cachestat_close(d->cache);
}

static void *check_thread(void *arg)
{
	struct doctor *d = arg;

	d->check_err = check_collect(d->check, d->duration_s * 1000);
	return NULL;
}

/* --- evidence --- */

static int by_await(const void *a, const void *b)
{
	const struct check_disk *x = *(const struct check_disk *const *)a;
	const struct check_disk *y = *(const struct check_disk *const *)b;
	double ax = fmax(x->r_await_ms, x->w_await_ms), ay = fmax(y->r_await_ms, y->w_await_ms);

	return ax < ay ? 1 : ax > ay ? -1 : 0;
}

static void evidence_check(struct doctor *d)
{
	struct doctor_evidence *ev = d->ev;
	const struct check_result *r = d->check;

	if (d->check_err) {
		note(ev, "checklist (/proc) unreadable");
		return;
	}
	ev->have_check = true;
	ev->ncpus = r->ncpus;
	ev->cpu_busy_pct = 100 - r->all.idle_pct - r->all.iowait_pct;
	ev->cpu_iowait_pct = r->all.iowait_pct;
	for (unsigned i = 0; i < r->ncpus && i < DOC_MAX_CPUS; i++)
		ev->cpu_busy[i] = 100 - r->cpus[i].idle_pct - r->cpus[i].iowait_pct;
	ev->runnable_avg = r->load.runnable_avg;
	ev->runnable_max = r->load.runnable_max;
	ev->psi_cpu_some_pct = r->load.psi_cpu_some_pct;
	ev->psi_mem_some_pct = r->load.psi_mem_some_pct;
	ev->psi_mem_full_pct = r->load.psi_mem_full_pct;
	ev->psi_io_some_pct = r->load.psi_io_some_pct;
	ev->mem_total_mb = r->mem.total_kb / 1024.0;
	ev->mem_available_pct = r->mem.available_pct;
	ev->page_cache_mb = r->mem.page_cache_kb / 1024.0;
	ev->swap_in_kb_s = r->vm.si_kb_per_s;
	ev->swap_out_kb_s = r->vm.so_kb_per_s;
	ev->pgscan_per_s = r->vm.pgscan_per_s;
	ev->majflt_per_s = r->vm.majflt_per_s;
	ev->allocstall_per_s = r->vm.allocstall_per_s;
	ev->vm_oom_kills = r->vm.oom_kills;
	ev->nd_state = r->nd_state;
	if (r->nprocs) {
		ev->top_pid = r->procs[0].pid;
		copy_comm(ev->top_comm, r->procs[0].comm);
		ev->top_cpu_pct = r->procs[0].cpu_pct;
	}
	/* the disks that did I/O, slowest first (a host may list dozens of loop devices) */
	const struct check_disk *order[CHECK_MAX_DISKS];
	unsigned nactive = 0;
	for (unsigned i = 0; i < r->ndisks && i < CHECK_MAX_DISKS; i++)
		if (r->disks[i].r_per_s + r->disks[i].w_per_s > 0)
			order[nactive++] = &r->disks[i];
	sort_rows(order, nactive, sizeof(order[0]), by_await);
	for (unsigned i = 0; i < nactive && ev->ndisks < DOC_MAX_DISKS; i++) {
		const struct check_disk *c = order[i];
		struct ev_disk *e = &ev->disks[ev->ndisks++];
		snprintf(e->name, sizeof(e->name), "%s", c->name);
		e->r_per_s = c->r_per_s;
		e->w_per_s = c->w_per_s;
		e->r_await_ms = c->r_await_ms;
		e->w_await_ms = c->w_await_ms;
		e->aqu_sz = c->aqu_sz;
		e->util_pct = c->util_pct;
		e->rareq_kb = c->rareq_kb;
		e->rkb_per_s = c->rkb_per_s;
		ev->disk_read_mb += c->rkb_per_s * r->window_ms / 1000.0 / 1024;
		hist_init_log2(&e->lat_us, SWEEP_SLOTS);
	}
	for (unsigned i = 0; i < r->nnics && ev->nnics < DOC_MAX_ITEMS; i++) {
		const struct check_nic *c = &r->nics[i];
		if (c->rx_missed_per_s + c->rxfifo_per_s + c->rxdrop_per_s <= 0)
			continue;
		struct ev_nic *n = &ev->nics[ev->nnics++];
		snprintf(n->name, sizeof(n->name), "%s", c->name);
		n->rx_missed_per_s = c->rx_missed_per_s;
		n->rxdrop_per_s = c->rxdrop_per_s;
		n->rxfifo_per_s = c->rxfifo_per_s;
		snprintf(n->missed_name, sizeof(n->missed_name), "%s", c->rx_missed_name);
		n->ring = c->ring;
		n->rx_ring = c->rx_ring;
		n->rx_ring_max = c->rx_ring_max;
	}
	ev->softnet_drop_per_s = r->softnet.dropped_per_s;
	ev->softnet_squeeze_per_s = r->softnet.squeezed_per_s;
	ev->have_tcp = r->tcp_ok;
	ev->tcp_retrans_per_s = r->tcp.retrans_per_s;
	ev->tcp_retrans_pct = r->tcp.retrans_pct;
	ev->tcp_oseg_per_s = r->tcp.oseg_per_s;
	/* kernel log: only lines written during the sweep are news */
	ev->kmsg_readable = r->kmsg.readable;
	for (unsigned i = 0; i < r->kmsg.nlines && i < CHECK_MAX_KMSG; i++) {
		const struct check_kmsg_line *l = &r->kmsg.lines[i];
		if (l->age_s > ev->duration_s + 1)
			continue;
		switch (l->kind) {
		case KMSG_HUNG: ev->kmsg_hung++; break;
		case KMSG_LOCKUP: ev->kmsg_lockup++; break;
		case KMSG_IO_ERROR: ev->kmsg_io_error++; break;
		case KMSG_OOM: ev->kmsg_oom++; break;
		case KMSG_SEGFAULT: ev->kmsg_segfault++; break;
		default: continue;
		}
		snprintf(ev->kmsg_last, sizeof(ev->kmsg_last), "%s", l->text);
	}
}

/* --- off-CPU (the sweep) --- */

/* Frames that only say "it slept": the compact stack starts past them. io_schedule stays:
 * it says the sleep was for I/O. */
static bool scheduler_frame(const char *name)
{
	static const char *const frames[] = {
		"__schedule", "schedule", "schedule_idle", "schedule_preempt_disabled",
		"schedule_timeout", "schedule_hrtimeout_range", "schedule_hrtimeout_range_clock",
		"preempt_schedule_common", "__cond_resched"};

	for (size_t i = 0; i < sizeof(frames) / sizeof(frames[0]); i++)
		if (!strcmp(name, frames[i]))
			return true;
	return false;
}

/* "io_schedule < folio_wait_bit_common < filemap_read < vfs_read": up to four frames */
static void compact_stack(const struct sweep_stalled *t, char *buf, size_t size)
{
	unsigned i = 0, shown = 0;
	size_t len = 0;

	buf[0] = '\0';
	while (i + 1 < t->nframes && scheduler_frame(t->frames[i]))
		i++;
	for (; i < t->nframes && shown < 4 && len < size; i++, shown++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", shown ? " < " : "",
					t->frames[i]);
}

static void offcpu_entry(const struct sweep_stalled *t, struct ev_offcpu *e)
{
	e->tid = t->tid;
	e->tgid = t->o.tgid;
	copy_comm(e->comm, t->o.comm);
	e->d_count = t->o.d_count;
	e->d_ms = t->o.d_ns / 1e6;
	e->sleep_ms = t->o.sleep_ns / 1e6;
	e->d_max_ms = t->o.d_max_ns / 1e6;
	e->stack_d_ms = t->stack_d_us / 1e3;
	compact_stack(t, e->d_stack, sizeof(e->d_stack));
	e->nframes = t->nframes < DOC_STACK_FRAMES ? t->nframes : DOC_STACK_FRAMES;
	for (unsigned i = 0; i < e->nframes; i++)
		snprintf(e->frames[i], sizeof(e->frames[i]), "%s", t->frames[i]);
}

static char *flamegraph_svg(struct stack_syms *ss, const struct stack_samples *samples,
			    const char *title, const char *subtitle);

static void evidence_offcpu(struct doctor *d, const struct sweep_result *r)
{
	struct doctor_evidence *ev = d->ev;

	ev->have_offcpu = true;
	ev->offcpu_d_ms = r->offcpu_total.d_ns / 1e6;
	ev->offcpu_sleep_ms = r->offcpu_total.sleep_ns / 1e6;
	ev->offcpu_d_count = r->offcpu_total.d_count;
	ev->offcpu_threads = r->offcpu_threads;
	ev->offcpu_d_nostack_ms = r->d_stacks_missed_us / 1e3;
	for (unsigned i = 0; i < r->nstalled_d && ev->noffcpu_d < DOC_MAX_PROCS; i++)
		offcpu_entry(&r->stalled_d[i], &ev->offcpu_d[ev->noffcpu_d++]);
	for (unsigned i = 0; i < r->nstalled_total && ev->noffcpu_total < DOC_MAX_PROCS; i++)
		offcpu_entry(&r->stalled_total[i], &ev->offcpu_total[ev->noffcpu_total++]);
	if (d->html && r->d_stacks.total) {
		struct stack_syms ss = {0};
		stack_syms_open(&ss, true, false);
		ev->d_flamegraph_svg = flamegraph_svg(
			&ss, &r->d_stacks, "Off-CPU: D-state (uninterruptible) time during the sweep",
			"kernel stacks where threads blocked in D state (I/O, locks), width = time");
		ev->d_flamegraph_ms = r->d_stacks.total / 1e3;
		stack_syms_close(&ss);
	}
}

static void evidence_sweep(struct doctor *d)
{
	struct doctor_evidence *ev = d->ev;
	struct sweep_result *r = calloc(1, sizeof(*r));

	if (!r || sweep_read(d->sweep, r)) {
		note(ev, "reading the sweep's maps failed");
		if (r)
			sweep_result_free(r);
		free(r);
		return;
	}
	evidence_offcpu(d, r);
	for (unsigned i = 0; i < r->ndisks; i++) {
		char name[32];
		blockdev_name(r->disks[i].dev, name, sizeof(name));
		for (unsigned k = 0; k < ev->ndisks; k++) {
			struct ev_disk *e = &ev->disks[k];
			if (strcmp(e->name, name))
				continue;
			e->ios = r->disks[i].count;
			e->lat_us = r->disks[i].lat_us;
			e->lat_p50_ms = hist_percentile(&e->lat_us, 50) / 1000;
			e->lat_p99_ms = hist_percentile(&e->lat_us, 99) / 1000;
			e->lat_avg_ms = r->disks[i].total_ns / 1e6 / r->disks[i].count;
		}
	}
	ev->have_runq = true;
	ev->runq_count = r->runq_total_raw.count;
	ev->runq_hist = r->runq_total;
	ev->runq_p50_ms = hist_percentile(&r->runq_total, 50) / 1000;
	ev->runq_p99_ms = hist_percentile(&r->runq_total, 99) / 1000;
	ev->runq_avg_ms = ev->runq_count ? r->runq_total_raw.total_ns / 1e6 / ev->runq_count : 0;
	for (size_t i = 0; i < r->nprocs && ev->nrunq < DOC_MAX_PROCS; i++) {
		const struct sweep_proc *p = &r->procs[i];
		struct ev_proc_wait *w = &ev->runq[ev->nrunq++];
		w->tgid = p->tgid;
		copy_comm(w->comm, p->comm);
		w->count = p->count;
		w->total_ms = p->total_ns / 1e6;
		w->avg_ms = w->total_ms / p->count;
		w->p99_ms = hist_percentile(&p->wait_us, 99) / 1000;
		w->max_ms = hist_max(&p->wait_us) / 1000.0;
	}
	ev->have_signals = true;
	for (unsigned i = 0; i < r->nstopped; i++) {
		const struct sweep_stopped *s = &r->stopped[i];
		double stopped = s->s.stopped_ns / 1e6, max = s->s.max_stop_ns / 1e6;
		if (s->s.stop_ts && r->now_ns > s->s.stop_ts) { /* still stopped now */
			double open_ms = (r->now_ns - s->s.stop_ts) / 1e6;
			stopped += open_ms;
			max = fmax(max, open_ms);
		}
		/* keep the longest stops */
		unsigned slot = ev->nstops;
		if (slot >= DOC_MAX_ITEMS) {
			slot = 0;
			for (unsigned k = 1; k < ev->nstops; k++)
				if (ev->stops[k].max_stop_ms < ev->stops[slot].max_stop_ms)
					slot = k;
			if (ev->stops[slot].max_stop_ms >= max)
				continue;
		} else {
			ev->nstops++;
		}
		struct ev_stop *e = &ev->stops[slot];
		e->target_tgid = s->tgid;
		e->sender_tgid = s->s.sender_tgid;
		copy_comm(e->target_comm, s->s.target_comm);
		copy_comm(e->sender_comm, s->s.sender_comm);
		e->stops = s->s.stops;
		e->conts = s->s.conts;
		e->kills = s->s.kills;
		e->stopped_ms = stopped;
		e->max_stop_ms = max;
	}
	sweep_result_free(r);
	free(r);
}

/* --- memory cgroups at their limit (case C1 in a container) --- */

static bool read_u64_file(const char *dir, const char *name, uint64_t *v)
{
	char path[512], buf[64];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(f = fopen(path, "r")))
		return false;
	ok = fgets(buf, sizeof(buf), f) && sscanf(buf, "%" SCNu64, v) == 1; /* "max": false */
	fclose(f);
	return ok;
}

/* Limit and usage of a memory cgroup directory, v1 or v2; false without a limit. */
static bool memcg_limit(const char *dir, uint64_t *limit, uint64_t *usage, uint64_t *hits)
{
	*hits = 0;
	if (read_u64_file(dir, "memory.limit_in_bytes", limit)) { /* v1 */
		read_u64_file(dir, "memory.failcnt", hits);
		return read_u64_file(dir, "memory.usage_in_bytes", usage);
	}
	if (read_u64_file(dir, "memory.max", limit)) { /* v2 */
		char path[512], key[32];
		unsigned long long n;
		snprintf(path, sizeof(path), "%s/memory.events", dir);
		FILE *f = fopen(path, "r");
		while (f && fscanf(f, "%31s %llu", key, &n) == 2)
			if (!strcmp(key, "max"))
				*hits = n;
		if (f)
			fclose(f);
		return read_u64_file(dir, "memory.current", usage);
	}
	return false;
}

static bool memcg_tight(struct doctor_evidence *ev, const char *dir, uint64_t *hits)
{
	uint64_t limit, usage;

	return memcg_limit(dir, &limit, &usage, hits) && limit < ev->mem_total_mb * 1048576 &&
	       usage >= limit / 10 * 9;
}

static void note_memcg(struct doctor_evidence *ev, const char *root, const char *dir)
{
	uint64_t limit, usage, hits;

	if (!memcg_limit(dir, &limit, &usage, &hits))
		return;
	snprintf(ev->memcg, sizeof(ev->memcg), "%.95s", dir + strlen(root));
	ev->memcg_limit_mb = limit / 1048576.0;
}

/* The memory cgroup of the focused process if it is at its limit, else the one at its
 * limit that hit it most often (v1 failcnt, v2 "max" events), two levels deep. */
static void evidence_memcg(struct doctor *d)
{
	static const char *const roots[] = {"/sys/fs/cgroup/memory", "/sys/fs/cgroup"};
	struct doctor_evidence *ev = d->ev;
	char best[512] = "", path[512];
	const char *best_root = NULL;
	uint64_t best_hits = 0, hits;

	for (unsigned r = 0; r < 2 && !best_root; r++) {
		if (d->pid) { /* /proc/PID/cgroup: "N:memory:/path" (v1) or "0::/path" (v2) */
			char line[512], *p;
			snprintf(path, sizeof(path), "/proc/%d/cgroup", d->pid);
			FILE *f = fopen(path, "r");
			while (f && fgets(line, sizeof(line), f)) {
				line[strcspn(line, "\n")] = 0;
				if (!(p = strchr(line, ':')))
					continue;
				bool v1 = !strncmp(p + 1, "memory:", 7), v2 = !strncmp(p + 1, ":", 1);
				if ((r == 0 && v1) || (r == 1 && v2)) {
					snprintf(path, sizeof(path), "%s%s", roots[r], strchr(p + 1, ':') + 1);
					if (memcg_tight(ev, path, &hits)) {
						snprintf(best, sizeof(best), "%s", path);
						best_root = roots[r];
					}
				}
			}
			if (f)
				fclose(f);
			continue;
		}
		DIR *top = opendir(roots[r]);
		struct dirent *a;
		while (top && (a = readdir(top))) {
			if (a->d_type != DT_DIR || a->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", roots[r], a->d_name);
			if (memcg_tight(ev, path, &hits) && hits >= best_hits) {
				best_hits = hits;
				snprintf(best, sizeof(best), "%s", path);
				best_root = roots[r];
			}
		}
		if (top)
			closedir(top);
	}
	if (best_root)
		note_memcg(ev, best_root, best);
}

static void evidence_cache(struct doctor *d)
{
	struct cachestat_sample s;

	if (cachestat_read(d->cache, &s))
		return;
	d->ev->have_cache = true;
	d->ev->cache_accessed = s.accessed;
	d->ev->cache_hits = s.hits;
	d->ev->cache_misses = s.misses;
	d->ev->cache_hit_pct = s.hit_ratio_pct;
	evidence_memcg(d);
}

static int by_known_holder(const void *a, const void *b)
{
	const struct ev_mmaplock *x = a, *y = b;

	if (!x->holder_tgid != !y->holder_tgid)
		return x->holder_tgid ? -1 : 1;
	return x->total_ms < y->total_ms ? 1 : x->total_ms > y->total_ms ? -1 : 0;
}

static void evidence_mmaplock(struct doctor *d)
{
	struct doctor_evidence *ev = d->ev;
	struct mmaplock_result r = {0};

	if (mmaplock_read(d->mmap, &r, false))
		return;
	ev->have_mmaplock = true;
	for (size_t i = 0; i < r.nblame && ev->nmmap < DOC_MAX_ITEMS; i++) {
		const struct mmaplock_blame_row *b = &r.blame[i];
		struct ev_mmaplock *m = &ev->mmap[ev->nmmap++];
		m->waiter_tgid = b->waiter_tgid;
		m->holder_tgid = b->holder_tgid;
		copy_comm(m->waiter_comm, b->waiter_comm);
		copy_comm(m->holder_comm, b->holder_comm);
		snprintf(m->holder_cmdline, sizeof(m->holder_cmdline), "%.*s",
			 (int)sizeof(m->holder_cmdline) - 1, b->holder_cmdline);
		m->count = b->count;
		m->total_ms = b->total_ns / 1e6;
	}
	for (size_t i = 0; i < r.nprocs && ev->nmmap_procs < DOC_MAX_ITEMS; i++) {
		const struct mmaplock_proc *p = &r.procs[i];
		struct ev_proc_wait *w = &ev->mmap_procs[ev->nmmap_procs++];
		w->tgid = p->tgid;
		copy_comm(w->comm, p->comm);
		w->count = p->count;
		w->total_ms = p->total_ns / 1e6;
		w->avg_ms = p->count ? w->total_ms / p->count : 0;
		w->p99_ms = hist_percentile(&p->wait_us, 99) / 1000;
		w->max_ms = hist_max(&p->wait_us) / 1000.0;
	}
	/* waits blamed on a holder we saw come before those whose holder went unseen */
	sort_rows(ev->mmap, ev->nmmap, sizeof(ev->mmap[0]), by_known_holder);
	/* a blamed pair's longest wait: its waiter's histogram maximum */
	for (unsigned i = 0; i < ev->nmmap; i++)
		for (unsigned k = 0; k < ev->nmmap_procs; k++)
			if (ev->mmap_procs[k].tgid == ev->mmap[i].waiter_tgid)
				ev->mmap[i].max_ms = ev->mmap_procs[k].max_ms;
	mmaplock_result_free(&r);
}

/* Mounts in the namespace of a process, and fs.mount-max (case C7). */
static void mount_counts(struct doctor_evidence *ev, uint32_t tgid)
{
	char path[64], line[4096];
	FILE *f;

	f = fopen("/proc/sys/fs/mount-max", "r");
	if (f) {
		unsigned long long max = 0;
		if (fscanf(f, "%llu", &max) == 1)
			ev->mount_max = max;
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/%u/mountinfo", tgid);
	f = fopen(path, "r");
	if (!f)
		return;
	ev->mount_count = 0;
	while (fgets(line, sizeof(line), f))
		if (strchr(line, '\n'))
			ev->mount_count++;
	fclose(f);
}

static void evidence_syscalls(struct doctor *d)
{
	struct doctor_evidence *ev = d->ev;
	struct syscount_result r = {0};
	struct syscall_names names = {0};

	if (syscount_read(d->sys, &r, false))
		return;
	ev->have_syscalls = true;
	ev->syserr_total = r.total_count;
	syscall_names_load(&names);
	/* two passes over rows sorted by count: resource errnos first, then routine ones
	 * (a host fails thousands of open()s with ENOENT every second) */
	for (size_t k = 0; k < 2 * r.n && ev->nsyserr < DOC_MAX_ITEMS; k++) {
		const struct syscount_row *row = &r.rows[k % r.n];
		if (doctor_resource_errno(row->err) != (k < r.n))
			continue;
		struct ev_syserr *e = &ev->syserr[ev->nsyserr++];
		e->tgid = row->tgid;
		copy_comm(e->comm, row->comm);
		char buf[32];
		snprintf(e->syscall, sizeof(e->syscall), "%s",
			 syscall_name(&names, row->nr, buf, sizeof(buf)));
		e->err = row->err;
		snprintf(e->errname, sizeof(e->errname), "%.15s",
			 errno_name(row->err, buf, sizeof(buf)));
		e->count = row->count;
		if (!ev->mount_max && row->err == ENOSPC && !strcmp(e->syscall, "mount"))
			mount_counts(ev, row->tgid);
	}
	syscall_names_free(&names);
	syscount_result_free(&r);
}

static void evidence_softirqs(struct doctor *d)
{
	struct doctor_evidence *ev = d->ev;
	struct softirqs_result r = {0};
	double window_ns = ev->duration_s * 1e9;

	if (softirqs_collector_read(d->softirqs, false, &r))
		return;
	ev->have_softirq = true;
	for (unsigned c = 0; c < r.ncpus && ev->nsoftirq < DOC_MAX_CPUS; c++) {
		const struct softirqs_cpu *s = &r.cpus[c];
		unsigned best = 0;
		for (unsigned v = 1; v < SOFTIRQS_VECS; v++)
			if (s->time_ns[v] > s->time_ns[best])
				best = v;
		if (!s->count[best])
			continue;
		struct ev_softirq_cpu *e = &ev->softirq[ev->nsoftirq++];
		e->cpu = (int)c;
		snprintf(e->vec, sizeof(e->vec), "%s", softirqs_vec_name(best));
		e->time_pct = window_ns > 0 ? 100.0 * s->time_ns[best] / window_ns : 0;
		e->max_ms = s->max_ns[best] / 1e6;
		e->count = s->count[best];
	}
	if (r.ntimers && r.timers[0].t.max_ns >= 1000000) { /* name it only when it matters */
		struct ksyms *ks = ksyms_load();
		struct sym sym;
		if (ks && ksyms_lookup(ks, r.timers[0].function, &sym) && sym.name)
			snprintf(ev->timer_fn, sizeof(ev->timer_fn), "%s", sym.name);
		else
			snprintf(ev->timer_fn, sizeof(ev->timer_fn), "0x%llx",
				 (unsigned long long)r.timers[0].function);
		ev->timer_max_ms = r.timers[0].t.max_ns / 1e6;
		ksyms_free(ks);
	}
	softirqs_result_free(&r);
}

static int by_drops(const void *a, const void *b)
{
	const struct ev_drop_reason *x = a, *y = b;

	return x->drops < y->drops ? 1 : x->drops > y->drops ? -1 : 0;
}

static void evidence_net(struct doctor *d)
{
	struct doctor_evidence *ev = d->ev;

	if (d->drops) {
		struct skbdrop_result r = {0};
		struct ev_drop_reason all[64];
		unsigned n = 0;
		if (!skbdrop_collector_read(d->drops, false, &r)) {
			ev->have_drops = true;
			ev->drops_total = r.total;
			for (size_t i = 0; i < r.n; i++) { /* sum locations and namespaces by reason */
				char name[48];
				skbdrop_reason_name(r.counts[i].key.reason, name, sizeof(name));
				unsigned k = 0;
				while (k < n && strcmp(all[k].reason, name))
					k++;
				if (k == n) {
					if (n == 64)
						continue;
					snprintf(all[n].reason, sizeof(all[n].reason), "%s", name);
					all[n++].drops = 0;
				}
				all[k].drops += r.counts[i].drops;
			}
			sort_rows(all, n, sizeof(all[0]), by_drops);
			for (unsigned k = 0; k < n && k < DOC_MAX_ITEMS; k++)
				ev->drop_reasons[ev->ndrop_reasons++] = all[k];
			skbdrop_result_free(&r);
		}
	}
	if (d->retrans) {
		struct tcpretrans_result r = {0};
		if (!tcpretrans_collector_read(d->retrans, false, &r)) {
			ev->have_retrans = true;
			ev->retrans_events = r.total.events;
			ev->retrans_segs = r.total.segs;
			if (r.n) {
				char l[64], rm[64];
				net_flow_end(&r.flows[0].key.flow, 1, l, sizeof(l));
				net_flow_end(&r.flows[0].key.flow, 0, rm, sizeof(rm));
				snprintf(ev->retrans_flow, sizeof(ev->retrans_flow), "%.45s -> %.45s", l, rm);
				ev->retrans_flow_segs = r.flows[0].count.segs;
			}
			tcpretrans_result_free(&r);
		}
	}
}

static void evidence_locks(struct doctor *d)
{
	struct doctor_evidence *ev = d->ev;
	struct lockstat_result r = {0};

	if (lockstat_read(d->locks, &r, false))
		return;
	ev->have_locks = true;
	for (size_t i = 0; i < r.nlocks && ev->nlocks < DOC_MAX_ITEMS; i++) {
		const struct lockstat_row *row = &r.locks[i];
		struct ev_lock *l = &ev->locks[ev->nlocks++];
		snprintf(l->name, sizeof(l->name), "%s", row->name);
		lockstat_type(row->flags, l->type, sizeof(l->type));
		l->count = row->count;
		l->total_ms = row->total_ns / 1e6;
		l->max_ms = hist_max(&row->wait_us) / 1000.0;
	}
	lockstat_result_free(&r);
}

/* Stacks as a flame graph SVG (render/flamegraph.h), kept in memory for the HTML page:
 * malloc'd text, or NULL. */
static char *flamegraph_svg(struct stack_syms *ss, const struct stack_samples *samples,
			    const char *title, const char *subtitle)
{
	struct folded_set folded;
	struct flamegraph_opts o;
	char *text = NULL, *svg = NULL, path[] = "/tmp/whyslow-doctor-fg-XXXXXX";
	size_t text_len = 0, svg_len = 0;
	FILE *f;
	int fd;

	folded_set_init(&folded);
	if (stack_samples_fold(ss, samples, false, &folded) ||
	    !(f = open_memstream(&text, &text_len)))
		goto out;
	folded_set_write(&folded, f);
	fclose(f);
	if ((fd = mkstemp(path)) < 0)
		goto out;
	close(fd);
	flamegraph_opts_default(&o);
	o.title = title;
	o.subtitle = subtitle;
	if ((f = fmemopen(text, text_len, "r"))) {
		if (!flamegraph_write_file(path, f, &o)) {
			FILE *in = fopen(path, "r");
			FILE *out = open_memstream(&svg, &svg_len);
			int c;
			while (in && out && (c = fgetc(in)) != EOF)
				fputc(c, out);
			if (in)
				fclose(in);
			if (out)
				fclose(out);
		}
		fclose(f);
	}
	unlink(path);
out:
	free(text);
	folded_set_free(&folded);
	return svg;
}

/* The sampled on-CPU stacks as a flame graph. */
static void evidence_flamegraph(struct doctor *d)
{
	struct stack_samples samples = {0};
	struct stack_syms ss = {0};
	uint64_t missed = 0;

	if (!profile_read(&d->profile, &samples, &missed) && samples.total) {
		stack_syms_open(&ss, true, true);
		d->ev->cpu_flamegraph_svg = flamegraph_svg(&ss, &samples,
							   "CPU profile during the sweep",
							   "on-CPU stacks sampled at 49 Hz on every CPU");
		d->ev->cpu_samples = samples.total;
	}
	stack_syms_close(&ss);
	stack_samples_free(&samples);
}

static void gather(struct doctor *d)
{
	evidence_check(d);
	if (d->sweep)
		evidence_sweep(d);
	if (d->cache)
		evidence_cache(d);
	if (d->mmap)
		evidence_mmaplock(d);
	if (d->sys)
		evidence_syscalls(d);
	if (d->softirqs)
		evidence_softirqs(d);
	evidence_net(d);
	if (d->locks)
		evidence_locks(d);
	d->ev->have_oom = d->oom != NULL;
	if (d->profiling)
		evidence_flamegraph(d);
}

/* --- the command --- */

static int sweep_window(struct doctor *d)
{
	pthread_t thread;
	uint64_t start = cli_now_ns(), end = start + d->duration_s * 1000000000ull;

	start_window(d);
	if (pthread_create(&thread, NULL, check_thread, d))
		return cli_fail("cannot start the checklist thread: %s", strerror(errno));
	while (!cli_stop && cli_now_ns() < end) {
		if (d->oom)
			oomkill_poll(d->oom, 100);
		else
			usleep(100000);
	}
	/* Ctrl-C: the checklist still finishes its window; the evidence stays consistent */
	pthread_join(thread, NULL);
	if (d->oom)
		oomkill_poll(d->oom, 0);
	d->ev->duration_s = (cli_now_ns() - start) / 1e9;
	return 0;
}

int cmd_doctor(int argc, char **argv)
{
	struct doctor d = {.duration_s = 10};
	struct doctor_findings *fs;
	int err;

	cli_parse(&doctor_spec, argc, argv, &d.common, on_option, &d);
	wbpf_init(d.common.verbose);
	if ((err = wbpf_check_prereqs()))
		return err;
	d.ev = calloc(1, sizeof(*d.ev));
	d.check = calloc(1, sizeof(*d.check));
	fs = calloc(1, sizeof(*fs));
	if (!d.ev || !d.check || !fs) {
		free(d.ev);
		free(d.check);
		free(fs);
		return cli_fail("out of memory");
	}
	gethostname(d.ev->host, sizeof(d.ev->host) - 1);
	d.ev->focus_pid = d.pid;
	d.ev->cache_hit_pct = NAN;
	cli_install_signals();
	open_collectors(&d);
	if (!d.common.json)
		fprintf(stderr, "Sweeping for %u s%s...\n", d.duration_s,
			d.pid ? " (focused on one process)" : "");
	err = sweep_window(&d);
	if (!err) {
		gather(&d);
		doctor_diagnose(d.ev, fs);
		if (d.common.json)
			doctor_report_json(d.ev, fs, stdout);
		else
			doctor_report_text(d.ev, fs, stdout);
		if (d.html && (err = doctor_report_html(d.ev, fs, d.html)))
			err = cli_fail("cannot write %s: %s", d.html, strerror(-err));
	}
	close_collectors(&d);
	free(d.ev->cpu_flamegraph_svg);
	free(d.ev->d_flamegraph_svg);
	free(fs);
	free(d.check);
	free(d.ev);
	return err;
}
