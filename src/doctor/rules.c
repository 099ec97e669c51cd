/* doctor's rules: every rule in one place. Each rule is a pure function of the evidence
 * (doctor.h) with its thresholds named in the table T below, and cites the case of
 * ../shared/CASES.md whose numbers it recognises. A rule adds at most a few findings;
 * doctor_diagnose() ranks them: root causes before the symptoms they cause (a table
 * priority), then severity, then how far past the threshold.
 *
 * Reading a rule: "fires when" is the condition, the title names the culprit with the
 * number a person would quote, the explanation uses the case book's words, and `next`
 * lists the whyslow commands that dig deeper. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "doctor/doctor.h"
#include "lib/sort.h"

static const struct thresholds {
	/* C1 page-cache thrash: enough misses to matter, and a ratio that collapsed (the case:
	 * 74% fell to 7-12%; a working set that fits stays near 100%) */
	double cache_min_miss_mb;      /* pages added for reads in the window, MB */
	double cache_hit_warn_pct;
	double cache_hit_crit_pct;
	/* C2 device latency: a slow device has high await with a short queue (the case:
	 * r_await 434 ms, aqu-sz short; the lab: 105 ms at queue 0.97; healthy disks: a few ms,
	 * spinning ones 10-20 ms) */
	double disk_min_ios_per_s;
	double disk_await_ms;
	double disk_await_crit_ms;
	double disk_queue_long;        /* aqu-sz from which waiting in line explains latency */
	/* C1 saturation: busy all the window with a queue */
	double disk_util_pct;
	double disk_sat_await_ms;
	/* CPU saturation: a CPU busy nearly all the time and tasks waiting behind it */
	double cpu_busy_pct;
	double runq_p99_ms;            /* run-queue wait p99 that users feel */
	double runnable_per_cpu;       /* runnable tasks per CPU (check's sampling): 2 = half wait */
	double runq_proc_avg_ms;       /* one process's average wait */
	double runq_proc_share;        /* ... summing to this share of the window */
	uint64_t runq_min_waits;
	/* C6: a stop of this length is a stall (the case: hundreds of ms; the ticker calls
	 * a 25 ms gap a stall) */
	double stop_ms;
	double stop_crit_ms;
	/* C5: mmap-lock waits (the case measured 60-72 ms waits); or, whatever the longest
	 * wait, this share of the window spent waiting (on 6.18 a quiet host splits the
	 * same stall into thousands of 1-8 ms waits) */
	double mmap_total_ms;
	double mmap_max_ms;
	double mmap_share;
	/* C7: failures with errnos that mean a resource ran out */
	uint64_t syserr_min;
	/* C4, C8: softirq time on one CPU (the case: TIMER runs of 65-130 ms) */
	double softirq_pct;
	double softirq_max_ms;
	/* C4: receive losses per second on an interface */
	double nic_loss_per_s;
	double softnet_per_s;
	/* C10 drops, TCP retransmits (segments, as RetransSegs) */
	uint64_t drops_min;
	uint64_t retrans_min_segs;
	double retrans_pct;            /* without the collector: the host's share */
	/* memory */
	double psi_mem_some_pct;
	double mem_available_pct;
	double swap_kb_per_s;
	/* C14 lock contention: wait per second of window */
	double lock_wait_ms_per_s;
	uint64_t lock_min_waits;       /* a few long waits are a holder's slowness, not contention */
} T = {
	.cache_min_miss_mb = 32,
	.cache_hit_warn_pct = 60,
	.cache_hit_crit_pct = 20,
	.disk_min_ios_per_s = 5,
	.disk_await_ms = 30,
	.disk_await_crit_ms = 200,
	.disk_queue_long = 4,
	.disk_util_pct = 80,
	.disk_sat_await_ms = 20,
	.cpu_busy_pct = 90,
	.runq_p99_ms = 20,
	.runnable_per_cpu = 2,
	.runq_proc_avg_ms = 5,
	.runq_proc_share = 0.1,
	.runq_min_waits = 50,
	.stop_ms = 50,
	.stop_crit_ms = 200,
	.mmap_total_ms = 100,
	.mmap_max_ms = 10,
	.mmap_share = 0.2,
	.syserr_min = 3,
	.softirq_pct = 40,
	.softirq_max_ms = 20,
	.nic_loss_per_s = 1,
	.softnet_per_s = 1,
	.drops_min = 20,
	.retrans_min_segs = 50,
	.retrans_pct = 1,
	.psi_mem_some_pct = 20,
	.mem_available_pct = 5,
	.swap_kb_per_s = 1024,
	.lock_wait_ms_per_s = 100,
	.lock_min_waits = 100,
};

/* --- building findings --- */

struct rule;
typedef void (*rule_fn)(const struct rule *rule, const struct doctor_evidence *ev,
			struct doctor_findings *out);

struct rule {
	const char *id;
	const char *cases;
	int priority;      /* root causes above the symptoms they cause */
	rule_fn fn;
};

static struct doctor_finding *finding(struct doctor_findings *out, const struct rule *rule,
				      enum doctor_severity sev, double excess, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static struct doctor_finding *finding(struct doctor_findings *out, const struct rule *rule,
				      enum doctor_severity sev, double excess, const char *fmt, ...)
{
	static struct doctor_finding spare; /* absorbs findings past the bound */
	struct doctor_finding *f;
	va_list ap;

	f = out->n < DOC_MAX_FINDINGS ? &out->f[out->n++] : &spare;
	memset(f, 0, sizeof(*f));
	f->id = rule->id;
	f->cases = rule->cases;
	f->severity = sev;
	/* excess: how many times past the threshold; under 1, so it only orders ties */
	f->score = rule->priority + 10.0 * sev + fmin(fmax(excess, 0), 9.0) / 10;
	va_start(ap, fmt);
	vsnprintf(f->title, sizeof(f->title), fmt, ap);
	va_end(ap);
	return f;
}

static void explain(struct doctor_finding *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void explain(struct doctor_finding *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->explanation, sizeof(f->explanation), fmt, ap);
	va_end(ap);
}

static void num(struct doctor_finding *f, const char *key, double v)
{
	if (f->nfields >= DOC_MAX_FIELDS)
		return;
	struct doctor_field *d = &f->fields[f->nfields++];
	snprintf(d->key, sizeof(d->key), "%s", key);
	d->num = v;
}

static void text(struct doctor_finding *f, const char *key, const char *v)
{
	if (f->nfields >= DOC_MAX_FIELDS)
		return;
	struct doctor_field *d = &f->fields[f->nfields++];
	snprintf(d->key, sizeof(d->key), "%s", key);
	d->is_text = true;
	snprintf(d->text, sizeof(d->text), "%.*s", (int)sizeof(d->text) - 1, v);
}

static void next(struct doctor_finding *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void next(struct doctor_finding *f, const char *fmt, ...)
{
	va_list ap;

	if (f->nnext >= DOC_MAX_NEXT)
		return;
	va_start(ap, fmt);
	vsnprintf(f->next[f->nnext++], sizeof(f->next[0]), fmt, ap);
	va_end(ap);
}

static double per_s(const struct doctor_evidence *ev, double x)
{
	return ev->duration_s > 0 ? x / ev->duration_s : 0;
}

/* A finding that cannot blame another process (a process stopping itself, waiting for
 * its own threads, a holder never seen) ranks below the symptoms of other causes. */
#define WEAK_BLAME_PENALTY 40

/* --- the rules, in the order of the list --- */

/* C1: the working set does not fit in the page cache: misses are many and the hit ratio
 * collapsed. */
static void rule_page_cache_thrash(const struct rule *rule, const struct doctor_evidence *ev,
				   struct doctor_findings *out)
{
	double miss_mb = ev->cache_misses * 4096.0 / (1 << 20);

	if (!ev->have_cache || isnan(ev->cache_hit_pct) || miss_mb < T.cache_min_miss_mb ||
	    ev->cache_hit_pct >= T.cache_hit_warn_pct)
		return;
	bool cg = ev->memcg[0] && ev->memcg_limit_mb > 0;
	char where[160] = "";
	if (cg)
		snprintf(where, sizeof(where), " (memory cgroup %s)", ev->memcg);
	struct doctor_finding *f = finding(
		out, rule, ev->cache_hit_pct < T.cache_hit_crit_pct ? SEV_CRITICAL : SEV_WARNING,
		(T.cache_hit_warn_pct - ev->cache_hit_pct) / 10,
		"page cache hit ratio %.0f%% while reading %.0f MB with only %.0f MB of cache%s: the working set does not fit",
		ev->cache_hit_pct, miss_mb, cg ? ev->memcg_limit_mb : ev->page_cache_mb, where);
	if (cg) {
		text(f, "memory_cgroup", ev->memcg);
		num(f, "memory_cgroup_limit_mb", ev->memcg_limit_mb);
	}
	num(f, "hit_ratio_pct", ev->cache_hit_pct);
	num(f, "pages_accessed", (double)ev->cache_accessed);
	num(f, "pages_missed", (double)ev->cache_misses);
	num(f, "missed_mb", miss_mb);
	num(f, "disk_read_mb", ev->disk_read_mb);
	num(f, "page_cache_mb", ev->page_cache_mb);
	explain(f, "Most reads miss the page cache and go to disk: the data read again and again "
		   "is larger than the cache that can hold it (the host's free memory, or the "
		   "memory cgroup's limit), so each pass evicts what the next pass needs. The "
		   "disk then looks loaded (long queues, 16-127 ms latencies) without being "
		   "broken. Fix: more memory for the cache, or process the data in parts that fit "
		   "(case C1).");
	next(f, "whyslow cachestat 1");
	next(f, "whyslow biolatency -D");
	next(f, "whyslow bitesize");
}

/* C2: latency without queueing: the device itself is slow. */
static void rule_disk_device_latency(const struct rule *rule, const struct doctor_evidence *ev,
				     struct doctor_findings *out)
{
	for (unsigned i = 0; i < ev->ndisks; i++) {
		const struct ev_disk *d = &ev->disks[i];
		bool reads = d->r_per_s >= T.disk_min_ios_per_s && d->r_await_ms >= T.disk_await_ms;
		bool writes = d->w_per_s >= T.disk_min_ios_per_s && d->w_await_ms >= T.disk_await_ms;
		if ((!reads && !writes) || d->aqu_sz >= T.disk_queue_long)
			continue;
		double await = reads ? d->r_await_ms : d->w_await_ms;
		struct doctor_finding *f = finding(
			out, rule, await >= T.disk_await_crit_ms ? SEV_CRITICAL : SEV_WARNING,
			await / T.disk_await_ms,
			"%s: %s take %.0f ms with a queue of %.2f: the device itself is slow, not loaded",
			d->name, reads ? "reads" : "writes", await, d->aqu_sz);
		text(f, "disk", d->name);
		num(f, reads ? "r_await_ms" : "w_await_ms", await);
		num(f, "aqu_sz", d->aqu_sz);
		num(f, reads ? "r_per_s" : "w_per_s", reads ? d->r_per_s : d->w_per_s);
		num(f, "util_pct", d->util_pct);
		if (d->ios) {
			num(f, "device_latency_p50_ms", d->lat_p50_ms);
			num(f, "device_latency_p99_ms", d->lat_p99_ms);
		}
		explain(f, "Each request waits long although few are queued (Little's law: a queue "
			   "of %.2f at %.0f I/O per second means each one takes the device %.0f ms). "
			   "Load does not explain it: the device, or what lies beneath it (a "
			   "throttled or failing backing store), is slow (case C2).",
			d->aqu_sz, d->r_per_s + d->w_per_s, await);
		next(f, "whyslow biolatency -D");
		next(f, "whyslow biosnoop -d %s", d->name);
		next(f, "whyslow check");
	}
}

/* C1: the disk is busy all the window and requests wait in line. */
static void rule_disk_saturation(const struct rule *rule, const struct doctor_evidence *ev,
				 struct doctor_findings *out)
{
	for (unsigned i = 0; i < ev->ndisks; i++) {
		const struct ev_disk *d = &ev->disks[i];
		double await = fmax(d->r_await_ms, d->w_await_ms);
		if (d->util_pct < T.disk_util_pct || d->aqu_sz < T.disk_queue_long ||
		    await < T.disk_sat_await_ms)
			continue;
		struct doctor_finding *f = finding(
			out, rule, SEV_WARNING, d->aqu_sz / T.disk_queue_long,
			"%s: saturated, %.0f%% busy with %.1f requests queued (await %.0f ms)",
			d->name, d->util_pct, d->aqu_sz, await);
		text(f, "disk", d->name);
		num(f, "util_pct", d->util_pct);
		num(f, "aqu_sz", d->aqu_sz);
		num(f, "r_await_ms", d->r_await_ms);
		num(f, "w_await_ms", d->w_await_ms);
		num(f, "r_per_s", d->r_per_s);
		num(f, "read_kb_per_io", d->rareq_kb);
		explain(f, "The disk is loaded, not broken: requests queue behind each other, so "
			   "latency grows with the queue. Find who issues the I/O and why (a working "
			   "set that no longer fits in the page cache re-reads the disk: case C1).");
		next(f, "whyslow biotop");
		next(f, "whyslow cachestat 1");
		next(f, "whyslow biolatency -D -Q");
	}
}

static const struct ev_proc_wait *worst_waiter(const struct doctor_evidence *ev)
{
	return ev->nrunq ? &ev->runq[0] : NULL;
}

static int busiest_cpu(const struct doctor_evidence *ev)
{
	int best = -1;

	for (unsigned i = 0; i < ev->ncpus && i < DOC_MAX_CPUS; i++)
		if (best < 0 || ev->cpu_busy[i] > ev->cpu_busy[best])
			best = (int)i;
	return best;
}

/* Tasks wait for a CPU: the run-queue p99 of all tasks is long, or one process (the
 * worst waiter) waits long on average and for a good share of the window. */
static bool runq_waits(const struct doctor_evidence *ev)
{
	if (!ev->have_runq || ev->runq_count < T.runq_min_waits)
		return false;
	if (ev->runq_p99_ms >= T.runq_p99_ms)
		return true;
	for (unsigned i = 0; i < ev->nrunq; i++) {
		const struct ev_proc_wait *w = &ev->runq[i];
		if (w->count >= T.runq_min_waits && w->avg_ms >= T.runq_proc_avg_ms &&
		    w->total_ms >= T.runq_proc_share * ev->duration_s * 1000)
			return true;
	}
	return false;
}

/* CPU saturation: a CPU is busy all the time and runnable tasks wait behind it. */
static void rule_cpu_saturation(const struct rule *rule, const struct doctor_evidence *ev,
				struct doctor_findings *out)
{
	int cpu = busiest_cpu(ev);
	const struct ev_proc_wait *w = worst_waiter(ev);

	/* waits measured, or simply more runnable tasks than the CPUs can take turns on */
	bool queued = ev->ncpus && ev->runnable_avg >= T.runnable_per_cpu * ev->ncpus;
	if (!ev->have_check || cpu < 0 || ev->cpu_busy[cpu] < T.cpu_busy_pct ||
	    (!runq_waits(ev) && !queued))
		return;
	unsigned hot = 0;
	for (unsigned i = 0; i < ev->ncpus && i < DOC_MAX_CPUS; i++)
		hot += ev->cpu_busy[i] >= T.cpu_busy_pct;
	char who[64] = "";
	if (w)
		snprintf(who, sizeof(who), "; most waiting: PID %u (%s)", w->tgid, w->comm);
	struct doctor_finding *f;
	if (hot == ev->ncpus)
		f = finding(out, rule, SEV_WARNING, ev->runq_p99_ms / T.runq_p99_ms,
			    "all %u CPUs %.0f%% busy, runnable tasks wait %.0f ms (p99) for a CPU%s",
			    ev->ncpus, ev->cpu_busy_pct, ev->runq_p99_ms, who);
	else
		f = finding(out, rule, SEV_WARNING, ev->runq_p99_ms / T.runq_p99_ms,
			    "CPU %d %.0f%% busy, runnable tasks wait %.0f ms (p99) for it%s",
			    cpu, ev->cpu_busy[cpu], ev->runq_p99_ms, who);
	num(f, "cpu_busy_pct", ev->cpu_busy_pct);
	num(f, "busiest_cpu", cpu);
	num(f, "busiest_cpu_busy_pct", ev->cpu_busy[cpu]);
	num(f, "runnable_avg", ev->runnable_avg);
	num(f, "runq_p99_ms", ev->runq_p99_ms);
	num(f, "runq_waits", (double)ev->runq_count);
	if (w) {
		num(f, "worst_pid", w->tgid);
		text(f, "worst_comm", w->comm);
		num(f, "worst_wait_total_ms", w->total_ms);
	}
	if (ev->top_pid) {
		num(f, "top_cpu_pid", ev->top_pid);
		text(f, "top_cpu_comm", ev->top_comm);
		num(f, "top_cpu_pct", ev->top_cpu_pct);
	}
	explain(f, "More tasks want %s than it can run: they wait in the run queue, and the "
		   "wait adds to every request's latency. CPU utilisation alone hides this "
		   "(case C13); the run-queue wait shows it. %s",
		hot == ev->ncpus ? "the CPUs" : "that CPU",
		hot < ev->ncpus ? "The other CPUs have room: tasks pinned to one CPU (taskset, "
				  "cpusets, IRQ affinity) cannot move there." :
				  "Find the hogs and spread, limit or move the work.");
	next(f, "whyslow runqlat -P");
	next(f, "whyslow profile -C %d", cpu);
	next(f, "whyslow check");
}

/* Run-queue latency without a saturated CPU: priorities, cgroup CPU limits, or bursts. */
static void rule_runqueue_latency(const struct rule *rule, const struct doctor_evidence *ev,
				  struct doctor_findings *out)
{
	int cpu = busiest_cpu(ev);
	const struct ev_proc_wait *w = worst_waiter(ev);

	if (!runq_waits(ev) || (cpu >= 0 && ev->cpu_busy[cpu] >= T.cpu_busy_pct) || !w ||
	    w->avg_ms < T.runq_proc_avg_ms)
		return;
	struct doctor_finding *f = finding(
		out, rule, SEV_WARNING, ev->runq_p99_ms / T.runq_p99_ms,
		"PID %u (%s) waits %.1f ms on average for a CPU (p99 of all tasks %.0f ms) while no CPU is saturated",
		w->tgid, w->comm, w->avg_ms, ev->runq_p99_ms);
	num(f, "pid", w->tgid);
	text(f, "comm", w->comm);
	num(f, "wait_avg_ms", w->avg_ms);
	num(f, "wait_max_ms", w->max_ms);
	num(f, "waits", (double)w->count);
	num(f, "runq_p99_ms", ev->runq_p99_ms);
	num(f, "cpu_busy_pct", ev->cpu_busy_pct);
	explain(f, "Runnable tasks wait for a CPU although the CPUs are not busy all the time: "
		   "bursts of work, priorities, or a cgroup CPU limit (throttling) delay them. A "
		   "stopped or blocked task does not wait here; it is off-CPU (cases C6, C13).");
	next(f, "whyslow runqlat -P");
	next(f, "whyslow offcputime -p %u", w->tgid);
}

/* C6: a process stopped by SIGSTOP from another: every thread hangs. */
static void rule_sigstop_stall(const struct rule *rule, const struct doctor_evidence *ev,
			       struct doctor_findings *out)
{
	unsigned fired = 0;

	for (unsigned i = 0; i < ev->nstops && fired < 3; i++) {
		const struct ev_stop *s = &ev->stops[i];
		if (!s->stops || s->max_stop_ms < T.stop_ms)
			continue;
		fired++;
		bool own = s->sender_tgid == s->target_tgid;
		char sender[48];
		if (own)
			snprintf(sender, sizeof(sender), "itself");
		else
			snprintf(sender, sizeof(sender), "PID %u (%s)", s->sender_tgid, s->sender_comm);
		struct doctor_finding *f = finding(
			out, rule, s->max_stop_ms >= T.stop_crit_ms ? SEV_CRITICAL : SEV_WARNING,
			s->max_stop_ms / T.stop_ms,
			"PID %u (%s) stopped %llu time%s for up to %.0f ms by SIGSTOP from %s",
			s->target_tgid, s->target_comm, (unsigned long long)s->stops,
			s->stops == 1 ? "" : "s", s->max_stop_ms, sender);
		if (own) /* job control of its own, not case C6's outside agent */
			f->score -= WEAK_BLAME_PENALTY;
		num(f, "pid", s->target_tgid);
		text(f, "comm", s->target_comm);
		num(f, "sender_pid", s->sender_tgid);
		text(f, "sender_comm", s->sender_comm);
		num(f, "sigstop", (double)s->stops);
		num(f, "sigcont", (double)s->conts);
		num(f, "stopped_ms", s->stopped_ms);
		num(f, "max_stop_ms", s->max_stop_ms);
		num(f, "stopped_pct", ev->duration_s > 0 ? s->stopped_ms / (ev->duration_s * 10) : 0);
		explain(f, "While stopped, every thread of the process hangs: wall time is large, "
			   "CPU time tiny, CPU use low everywhere, and pinning CPUs does not help. "
			   "The stop is not a run-queue wait; it comes from the sender (in the case, a "
			   "\"process monitoring\" agent scanning /proc). Stop the sender doing it "
			   "(case C6).");
		next(f, "whyslow sigsnoop -s SIGSTOP");
		next(f, "whyslow jitter -p %u", s->target_tgid);
		next(f, "whyslow offcputime -p %u", s->target_tgid);
	}
}

/* The D-state (uninterruptible) time of a process's threads among the worst stalled, and
 * the thread that stalled most; NULL when none of its threads is among them. */
static const struct ev_offcpu *stalled_process(const struct doctor_evidence *ev, uint32_t tgid,
					       double *d_ms)
{
	const struct ev_offcpu *worst = NULL;

	*d_ms = 0;
	for (unsigned i = 0; ev->have_offcpu && i < ev->noffcpu_d; i++) {
		if (ev->offcpu_d[i].tgid != tgid)
			continue;
		*d_ms += ev->offcpu_d[i].d_ms;
		if (!worst)
			worst = &ev->offcpu_d[i];
	}
	return worst;
}

/* C5: a process waits for its own mmap lock, held by a reader of /proc/PID/smaps or
 * another writer. */
static void rule_mmap_lock_contention(const struct rule *rule, const struct doctor_evidence *ev,
				      struct doctor_findings *out)
{
	for (unsigned i = 0; i < ev->nmmap && i < 2; i++) {
		const struct ev_mmaplock *m = &ev->mmap[i];
		double max_ms = m->max_ms;
		for (unsigned k = 0; k < ev->nmmap_procs; k++)
			if (ev->mmap_procs[k].tgid == m->waiter_tgid)
				max_ms = fmax(max_ms, ev->mmap_procs[k].max_ms);
		double share = ev->duration_s > 0 ? m->total_ms / (ev->duration_s * 1000) : 0;
		if (m->total_ms < T.mmap_total_ms || (max_ms < T.mmap_max_ms && share < T.mmap_share))
			continue;
		char holder[160];
		bool own = m->holder_tgid == m->waiter_tgid;
		if (own) /* its own threads: a design matter of the process, not case C5's reader */
			snprintf(holder, sizeof(holder), "held by its own threads");
		else if (m->holder_tgid)
			snprintf(holder, sizeof(holder), "held by PID %u (%s%s%s)", m->holder_tgid,
				 m->holder_comm, m->holder_cmdline[0] ? ": " : "", m->holder_cmdline);
		else
			snprintf(holder, sizeof(holder), "(holder not seen)");
		struct doctor_finding *f = finding(
			out, rule, SEV_WARNING, fmax(max_ms / T.mmap_max_ms, share / T.mmap_share),
			"PID %u (%s) waited %.0f ms for its mmap lock %s",
			m->waiter_tgid, m->waiter_comm, m->total_ms, holder);
		if (own || !m->holder_tgid) /* no other process to blame: a weaker finding */
			f->score -= WEAK_BLAME_PENALTY;
		num(f, "pid", m->waiter_tgid);
		text(f, "comm", m->waiter_comm);
		num(f, "holder_pid", m->holder_tgid);
		text(f, "holder_comm", m->holder_comm);
		text(f, "holder_cmdline", m->holder_cmdline);
		num(f, "waits", (double)m->count);
		num(f, "wait_total_ms", m->total_ms);
		num(f, "wait_max_ms", max_ms);
		num(f, "wait_share_pct", share * 100);
		double d_ms;
		const struct ev_offcpu *stalled = stalled_process(ev, m->waiter_tgid, &d_ms);
		if (stalled) { /* where its threads slept, as the sweep's off-CPU stacks saw it */
			num(f, "d_state_ms", d_ms);
			text(f, "top_d_stack", stalled->d_stack);
		}
		explain(f, "The process needs its mmap lock (to map, unmap or fault memory) while "
			   "another task holds it. Reading /proc/PID/smaps (atop -R and other "
			   "monitors) walks the whole page table under that lock, so a process with a "
			   "large address space stalls while it is read (case C5).");
		next(f, "whyslow mmaplock -p %u", m->waiter_tgid);
		next(f, "whyslow syscount -L -p %u", m->waiter_tgid);
		next(f, "whyslow offcputime -p %u", m->waiter_tgid);
	}
}

bool doctor_resource_errno(int err)
{
	switch (err) {
	case ENOSPC: case EDQUOT: case EMFILE: case ENFILE: case ENOMEM: case EIO: case EROFS:
	case ENOBUFS: case EMLINK: case EOVERFLOW:
		return true;
	}
	return false;
}

/* C7: syscalls fail because a resource ran out ("No space left on device" with free disk
 * space: the mount count at fs.mount-max, a full tmpfs, descriptors, memory). */
static void rule_syscall_errors(const struct rule *rule, const struct doctor_evidence *ev,
				struct doctor_findings *out)
{
	unsigned fired = 0;

	for (unsigned i = 0; i < ev->nsyserr && fired < 2; i++) {
		const struct ev_syserr *e = &ev->syserr[i];
		if (e->count < T.syserr_min || !doctor_resource_errno(e->err))
			continue;
		bool mount_max = e->err == ENOSPC && !strcmp(e->syscall, "mount") && ev->mount_max;
		struct doctor_finding *f;
		if (mount_max && ev->mount_count)
			f = finding(out, rule, SEV_CRITICAL, (double)e->count / T.syserr_min,
				    "mount() from PID %u (%s) fails with ENOSPC: mount count %llu at fs.mount-max %llu",
				    e->tgid, e->comm, (unsigned long long)ev->mount_count,
				    (unsigned long long)ev->mount_max);
		else if (mount_max) /* the process (and its namespace) went before we counted */
			f = finding(out, rule, SEV_CRITICAL, (double)e->count / T.syserr_min,
				    "mount() from PID %u (%s) failed %llu times with ENOSPC: its mount namespace is at fs.mount-max %llu",
				    e->tgid, e->comm, (unsigned long long)e->count,
				    (unsigned long long)ev->mount_max);
		else
			f = finding(out, rule, SEV_WARNING, (double)e->count / T.syserr_min,
				    "%s() from PID %u (%s) failed %llu times with %s",
				    e->syscall, e->tgid, e->comm, (unsigned long long)e->count,
				    e->errname);
		fired++;
		num(f, "pid", e->tgid);
		text(f, "comm", e->comm);
		text(f, "syscall", e->syscall);
		text(f, "errno", e->errname);
		num(f, "failures", (double)e->count);
		num(f, "failures_per_s", per_s(ev, (double)e->count));
		if (mount_max) {
			num(f, "mount_count", (double)ev->mount_count);
			num(f, "mount_max", (double)ev->mount_max);
			explain(f, "ENOSPC does not always mean a full disk: mount() returns it when the "
				   "mount namespace already holds fs.mount-max mounts (count_mounts "
				   "returns -28). Free disk space and inodes do not help; unmount what "
				   "leaked, or raise fs.mount-max (case C7).");
		} else if (e->err == ENOSPC) {
			explain(f, "The file system the process writes to is full (a tmpfs counts: it "
				   "is limited by its size= option, not by the disk). Search for the "
				   "failing call with the errno, then for what fills the space (case C7).");
		} else {
			explain(f, "A resource ran out: the kernel refuses the call with %s. Name the "
				   "failing call and process first, then the limit behind the errno "
				   "(case C7).", e->errname);
		}
		next(f, "whyslow errsnoop -p %u", e->tgid);
		next(f, "whyslow syscount -e %s -P", e->errname);
	}
}

/* C4, C8: one CPU spends its time in softirq (a vector, or one timer function). */
static void rule_softirq_hog(const struct rule *rule, const struct doctor_evidence *ev,
			     struct doctor_findings *out)
{
	for (unsigned i = 0; i < ev->nsoftirq; i++) {
		const struct ev_softirq_cpu *s = &ev->softirq[i];
		if (s->time_pct < T.softirq_pct && s->max_ms < T.softirq_max_ms)
			continue;
		bool timer = !strcmp(s->vec, "timer") && ev->timer_fn[0];
		struct doctor_finding *f = finding(
			out, rule, SEV_WARNING, fmax(s->time_pct / T.softirq_pct, s->max_ms / T.softirq_max_ms),
			"%s softirq on CPU %d ran up to %.0f ms (%.0f%% of the CPU)%s%s%s: packets handled there wait",
			s->vec, s->cpu, s->max_ms, s->time_pct, timer ? " (function " : "",
			timer ? ev->timer_fn : "", timer ? ")" : "");
		num(f, "cpu", s->cpu);
		text(f, "vector", s->vec);
		num(f, "time_pct", s->time_pct);
		num(f, "max_ms", s->max_ms);
		num(f, "runs", (double)s->count);
		if (timer) {
			text(f, "timer_function", ev->timer_fn);
			num(f, "timer_max_ms", ev->timer_max_ms);
		}
		explain(f, "Softirqs run before anything else on their CPU: while one runs long, "
			   "the packets, timers and tasks of that CPU wait (case C8: an ipvs timer "
			   "walking every rule for 65-130 ms). A softirq thread blocked from draining "
			   "the NIC ring makes the ring overflow (case C4).");
		next(f, "whyslow softirqs -d -C %d", s->cpu);
		next(f, "whyslow softirqs --timers -C %d", s->cpu);
		next(f, "whyslow profile -C %d", s->cpu);
	}
}

/* C4: the NIC's receive ring overflows (rx_missed rising). */
static void rule_nic_ring_overflow(const struct rule *rule, const struct doctor_evidence *ev,
				   struct doctor_findings *out)
{
	for (unsigned i = 0; i < ev->nnics; i++) {
		const struct ev_nic *n = &ev->nics[i];
		double loss = n->rx_missed_per_s + n->rxfifo_per_s;
		if (loss < T.nic_loss_per_s)
			continue;
		struct doctor_finding *f;
		if (n->ring)
			f = finding(out, rule, SEV_CRITICAL, loss / T.nic_loss_per_s,
				    "%s: %s rising %.0f/s: the rx ring (size %u, max %u) overflows",
				    n->name, n->missed_name[0] ? n->missed_name : "rx_fifo", loss,
				    n->rx_ring, n->rx_ring_max);
		else
			f = finding(out, rule, SEV_CRITICAL, loss / T.nic_loss_per_s,
				    "%s: %s rising %.0f/s: the receive ring overflows",
				    n->name, n->missed_name[0] ? n->missed_name : "rx_fifo", loss);
		text(f, "interface", n->name);
		num(f, "rx_missed_per_s", n->rx_missed_per_s);
		num(f, "rx_fifo_per_s", n->rxfifo_per_s);
		if (n->ring) {
			num(f, "rx_ring", n->rx_ring);
			num(f, "rx_ring_max", n->rx_ring_max);
		}
		explain(f, "The NIC drops packets it has no ring slot for: the softirq that drains the "
			   "ring did not run in time. Raise the ring (ethtool -G %s rx %u) and find what "
			   "blocks NET_RX softirq on the CPU that takes the interrupts (case C4).",
			n->name, n->rx_ring_max ? n->rx_ring_max : 4096);
		next(f, "whyslow nicstat");
		next(f, "whyslow softirqs -d");
		next(f, "whyslow check");
	}
	if (ev->softnet_drop_per_s + ev->softnet_squeeze_per_s >= T.softnet_per_s &&
	    ev->softnet_drop_per_s >= T.softnet_per_s) {
		struct doctor_finding *f = finding(
			out, rule, SEV_WARNING, ev->softnet_drop_per_s / T.softnet_per_s,
			"softnet backlog drops %.0f/s (time_squeeze %.0f/s): NET_RX softirq cannot keep up",
			ev->softnet_drop_per_s, ev->softnet_squeeze_per_s);
		num(f, "softnet_drops_per_s", ev->softnet_drop_per_s);
		num(f, "time_squeeze_per_s", ev->softnet_squeeze_per_s);
		explain(f, "Packets queued for the kernel's network stack overflow the per-CPU "
			   "backlog: the softirq that processes them is late or too slow (case C4).");
		next(f, "whyslow softirqs -d");
		next(f, "whyslow skbdrop");
	}
}

/* C4, C10: TCP retransmits segments: loss on the path or at a receiver. */
static void rule_tcp_retransmits(const struct rule *rule, const struct doctor_evidence *ev,
				 struct doctor_findings *out)
{
	uint64_t segs = ev->have_retrans ? ev->retrans_segs : 0;

	if (!segs && ev->have_tcp)
		segs = (uint64_t)(ev->tcp_retrans_per_s * ev->duration_s + 0.5);
	/* the host's share only counts its own namespace; the collector sees them all */
	if (segs < T.retrans_min_segs ||
	    (!ev->have_retrans && ev->tcp_retrans_pct < T.retrans_pct))
		return;
	char share[48] = "";
	if (ev->have_tcp && ev->tcp_retrans_pct > 0)
		snprintf(share, sizeof(share), " (%.1f%% of the host's sent)", ev->tcp_retrans_pct);
	struct doctor_finding *f = finding(
		out, rule, SEV_WARNING, (double)segs / T.retrans_min_segs,
		"%llu TCP segments retransmitted%s%s%s", (unsigned long long)segs, share,
		ev->retrans_flow[0] ? ", most on " : "", ev->retrans_flow);
	num(f, "retrans_segs", (double)segs);
	num(f, "retrans_skbs", (double)ev->retrans_events);
	num(f, "retrans_per_s", per_s(ev, (double)segs));
	num(f, "retrans_pct", ev->tcp_retrans_pct);
	if (ev->retrans_flow[0]) {
		text(f, "top_flow", ev->retrans_flow);
		num(f, "top_flow_segs", (double)ev->retrans_flow_segs);
	}
	explain(f, "Segments were lost and sent again; each loss costs a round trip or a "
		   "retransmission timeout, which users see as latency spikes. Look for where "
		   "the packets are dropped: a NIC ring (case C4), a firewall rule or a middlebox "
		   "(case C10). One retransmitted skb can carry many segments (TSO): both counts "
		   "are shown.");
	next(f, "whyslow tcpretrans");
	next(f, "whyslow skbdrop");
}

/* Drop reasons that are routine on a healthy host (closed sockets, filters, packets for
 * other hosts), not a sign of trouble. */
static bool routine_drop(const char *reason)
{
	static const char *const routine[] = {"NOT_SPECIFIED", "SOCKET_FILTER", "OTHERHOST",
					      "NO_SOCKET",     "TCP_OLD_DATA",  "SOCKET_CLOSE",
					      "TCP_OFO_DROP",  "TCP_ZEROWINDOW", "TCP_CLOSE",
					      "UNHANDLED_PROTO", "IPV6DISABLED", "TCP_FLAGS",
					      "TCP_OLD_SEQUENCE", "TCP_INVALID_SEQUENCE",
					      "IP_NOPROTO", "PKT_TOO_SMALL", NULL};

	for (unsigned i = 0; routine[i]; i++)
		if (!strcmp(reason, routine[i]))
			return true;
	return false;
}

/* C10: packets dropped by the kernel, named by its drop reason. */
static void rule_packet_drops(const struct rule *rule, const struct doctor_evidence *ev,
			      struct doctor_findings *out)
{
	for (unsigned i = 0; i < ev->ndrop_reasons && i < 3; i++) {
		const struct ev_drop_reason *d = &ev->drop_reasons[i];
		if (d->drops < T.drops_min || routine_drop(d->reason))
			continue;
		struct doctor_finding *f = finding(
			out, rule, SEV_WARNING, (double)d->drops / T.drops_min,
			"%llu packets dropped by the kernel with reason %s (%llu drops in all)",
			(unsigned long long)d->drops, d->reason, (unsigned long long)ev->drops_total);
		text(f, "reason", d->reason);
		num(f, "drops", (double)d->drops);
		num(f, "drops_per_s", per_s(ev, (double)d->drops));
		num(f, "drops_total", (double)ev->drops_total);
		explain(f, "The kernel freed these packets instead of delivering them, and says why: "
			   "NETFILTER_DROP is a firewall rule, QDISC_DROP a full queue, "
			   "VXLAN_INVALID_HDR a header a middlebox changed (case C10). Dropped TCP "
			   "segments come back as retransmits.");
		next(f, "whyslow skbdrop -s");
		next(f, "whyslow check");
		break; /* one finding: the top reason, the others are in skbdrop */
	}
}

/* C1, C12: memory is short: tasks stall on reclaim, or swap. */
static void rule_memory_pressure(const struct rule *rule, const struct doctor_evidence *ev,
				 struct doctor_findings *out)
{
	bool psi = ev->psi_mem_some_pct >= T.psi_mem_some_pct;
	bool low = ev->mem_total_mb > 0 && ev->mem_available_pct < T.mem_available_pct;
	bool swap = ev->swap_in_kb_s >= T.swap_kb_per_s || ev->swap_out_kb_s >= T.swap_kb_per_s;

	if (!ev->have_check || (!psi && !low && !swap))
		return;
	struct doctor_finding *f = finding(
		out, rule, SEV_WARNING, ev->psi_mem_some_pct / T.psi_mem_some_pct,
		"tasks stalled on memory %.0f%% of the time (PSI), %.0f%% of memory available, swap %.0f/%.0f kB/s in/out",
		ev->psi_mem_some_pct, ev->mem_available_pct, ev->swap_in_kb_s, ev->swap_out_kb_s);
	num(f, "psi_mem_some_pct", ev->psi_mem_some_pct);
	num(f, "psi_mem_full_pct", ev->psi_mem_full_pct);
	num(f, "mem_available_pct", ev->mem_available_pct);
	num(f, "swap_in_kb_per_s", ev->swap_in_kb_s);
	num(f, "swap_out_kb_per_s", ev->swap_out_kb_s);
	num(f, "pgscan_per_s", ev->pgscan_per_s);
	num(f, "major_faults_per_s", ev->majflt_per_s);
	explain(f, "Tasks wait for memory: the kernel reclaims pages (from the host or from a "
		   "memory cgroup at its limit) and they fault back in. A working set larger than "
		   "the cache thrashes it (case C1); with nothing left to reclaim, the OOM killer "
		   "comes next (case C12).");
	next(f, "whyslow cachestat 1");
	next(f, "whyslow oomkill");
	next(f, "whyslow check");
}

/* C12: the OOM killer killed a process. */
static void rule_oom_kill(const struct rule *rule, const struct doctor_evidence *ev,
			  struct doctor_findings *out)
{
	if (ev->nooms) {
		const struct ev_oom *o = &ev->ooms[0];
		struct doctor_finding *f = finding(
			out, rule, SEV_CRITICAL, ev->nooms,
			"the OOM killer killed PID %u (%s, %.0f MB anonymous memory)%s",
			o->victim_tgid, o->victim_comm, o->anon_kb / 1024.0,
			ev->nooms > 1 ? " and others" : "");
		num(f, "oom_kills", ev->nooms);
		num(f, "victim_pid", o->victim_tgid);
		text(f, "victim_comm", o->victim_comm);
		num(f, "trigger_pid", o->trigger_tgid);
		text(f, "trigger_comm", o->trigger_comm);
		num(f, "anon_mb", o->anon_kb / 1024.0);
		num(f, "file_mb", o->file_kb / 1024.0);
		num(f, "total_vm_mb", o->total_vm_kb / 1024.0);
		explain(f, "Memory (of the host or of a memory cgroup) ran out and the kernel killed "
			   "a process to free it. The victim is the biggest, not always the guilty one: "
			   "the trigger is the task that asked for memory when none was left (case C12).");
		next(f, "whyslow oomkill");
		next(f, "whyslow check");
	} else if (ev->vm_oom_kills) {
		struct doctor_finding *f = finding(
			out, rule, SEV_CRITICAL, (double)ev->vm_oom_kills,
			"%llu OOM kill(s) during the sweep",
			(unsigned long long)ev->vm_oom_kills);
		num(f, "oom_kills", (double)ev->vm_oom_kills);
		explain(f, "Memory ran out and the kernel killed processes (counted in "
			   "/proc/vmstat oom_kill; case C12).");
		next(f, "whyslow oomkill");
	}
}

/* C12: the kernel reported hung tasks, lockups or I/O errors during the sweep. Hung tasks
 * come from the detector's tracepoint as well as the log: after hung_task_warnings reports
 * (10 per boot by default) the kernel stops logging them, not detecting them. */
static void rule_kernel_errors(const struct rule *rule, const struct doctor_evidence *ev,
			       struct doctor_findings *out)
{
	unsigned hung = ev->hung_reports > ev->kmsg_hung ? ev->hung_reports : ev->kmsg_hung;
	unsigned serious = hung + ev->kmsg_lockup + ev->kmsg_io_error;
	enum doctor_severity sev = ev->kmsg_lockup || ev->kmsg_io_error ? SEV_CRITICAL : SEV_WARNING;
	struct doctor_finding *f;

	if (!serious)
		return;
	if (ev->nhung) {
		const struct ev_hung *h = &ev->hung[0];
		f = finding(out, rule, sev, serious,
			    "hung task: PID %u (%s) blocked in D state past hung_task_timeout_secs "
			    "(%u report%s of %u task%s; %u lockup, %u I/O error line(s))",
			    h->tgid, h->comm, ev->hung_reports, ev->hung_reports == 1 ? "" : "s",
			    ev->nhung, ev->nhung == 1 ? "" : "s", ev->kmsg_lockup, ev->kmsg_io_error);
		num(f, "hung_pid", h->tgid);
		num(f, "hung_tid", h->tid);
		text(f, "hung_comm", h->comm);
		num(f, "hung_task_reports", ev->hung_reports);
		num(f, "hung_tasks", ev->nhung);
	} else {
		f = finding(out, rule, sev, serious,
			    "kernel log: %u hung task, %u lockup, %u I/O error line(s) during the sweep",
			    ev->kmsg_hung, ev->kmsg_lockup, ev->kmsg_io_error);
	}
	num(f, "hung_task_lines", ev->kmsg_hung);
	num(f, "lockup_lines", ev->kmsg_lockup);
	num(f, "io_error_lines", ev->kmsg_io_error);
	if (ev->kmsg_last[0])
		text(f, "last_line", ev->kmsg_last);
	explain(f, "The kernel itself reports trouble: a hung task (blocked over "
		   "hung_task_timeout_secs in D state), a soft or hard lockup (a CPU stuck in the "
		   "kernel), or I/O errors from a device (case C12).");
	if (ev->nhung) /* where it waits, while it still does */
		next(f, "cat /proc/%u/task/%u/stack", ev->hung[0].tgid, ev->hung[0].tid);
	next(f, "dmesg -T | tail -50");
	next(f, "whyslow offcputime");
	next(f, "whyslow check");
}

/* C14: tasks wait for a kernel lock (spinlock, mutex, rwsem) a large share of the time. */
static void rule_lock_contention(const struct rule *rule, const struct doctor_evidence *ev,
				 struct doctor_findings *out)
{
	for (unsigned i = 0; i < ev->nlocks && i < 1; i++) {
		const struct ev_lock *l = &ev->locks[i];
		double rate = per_s(ev, l->total_ms);
		if (rate < T.lock_wait_ms_per_s || l->count < T.lock_min_waits ||
		    strstr(l->name, "mmap_lock"))
			continue;
		struct doctor_finding *f = finding(
			out, rule, SEV_WARNING, rate / T.lock_wait_ms_per_s,
			"tasks waited %.0f ms per second for the %s %s (%llu waits, longest %.1f ms)",
			rate, l->type, l->name[0] ? l->name : "(unnamed lock)",
			(unsigned long long)l->count, l->max_ms);
		text(f, "lock", l->name);
		text(f, "type", l->type);
		num(f, "waits", (double)l->count);
		num(f, "wait_total_ms", l->total_ms);
		num(f, "wait_ms_per_s", rate);
		num(f, "wait_max_ms", l->max_ms);
		explain(f, "Tasks spend their time waiting for one kernel lock instead of working. "
			   "Find the callers (stacks) and shard the lock, shorten what runs under it, "
			   "or take it less often (case C14).");
		next(f, "whyslow lockstat -s");
		next(f, "whyslow offcputime");
	}
}

/* The table: one entry per rule. Priorities rank root causes above the symptoms they
 * cause when both fire (a thrashing cache causes a saturated disk; a drop causes a
 * retransmit; a stop causes no run-queue wait but latency). */
static const struct rule rules[] = {
	{"oom-kill", "C12", 90, rule_oom_kill},
	{"sigstop-stall", "C6", 85, rule_sigstop_stall},
	{"page-cache-thrash", "C1", 80, rule_page_cache_thrash},
	{"mmap-lock-contention", "C5", 78, rule_mmap_lock_contention},
	{"nic-ring-overflow", "C4", 76, rule_nic_ring_overflow},
	{"disk-device-latency", "C2", 74, rule_disk_device_latency},
	{"packet-drops", "C10", 72, rule_packet_drops},
	{"syscall-errors", "C7", 70, rule_syscall_errors},
	{"kernel-errors", "C12", 68, rule_kernel_errors},
	{"cpu-saturation", "C13", 60, rule_cpu_saturation},
	{"softirq-hog", "C8", 58, rule_softirq_hog},
	{"disk-saturation", "C1", 55, rule_disk_saturation},
	{"tcp-retransmits", "C4", 50, rule_tcp_retransmits},
	{"memory-pressure", "C1", 45, rule_memory_pressure},
	{"lock-contention", "C14", 40, rule_lock_contention},
	{"runqueue-latency", "C6", 35, rule_runqueue_latency},
};

#define NRULES (sizeof(rules) / sizeof(rules[0]))
#define FOCUS_BONUS 20 /* above any priority gap between two rules of one severity */

unsigned doctor_rule_count(void)
{
	return NRULES;
}

const char *doctor_rule_id(unsigned i)
{
	return i < NRULES ? rules[i].id : NULL;
}

const char *doctor_rule_case(unsigned i)
{
	return i < NRULES ? rules[i].cases : NULL;
}

const char *doctor_severity_name(enum doctor_severity s)
{
	return s == SEV_CRITICAL ? "critical" : s == SEV_WARNING ? "warning" : "info";
}

static int by_score(const void *a, const void *b)
{
	const struct doctor_finding *x = a, *y = b;

	return x->score < y->score ? 1 : x->score > y->score ? -1 : 0;
}

void doctor_diagnose(const struct doctor_evidence *ev, struct doctor_findings *out)
{
	out->n = 0;
	for (unsigned i = 0; i < NRULES; i++)
		rules[i].fn(&rules[i], ev, out);
	/* -p: the process users complain about comes first */
	for (unsigned i = 0; ev->focus_pid && i < out->n; i++)
		for (unsigned k = 0; k < out->f[i].nfields; k++)
			if (!out->f[i].fields[k].is_text && !strcmp(out->f[i].fields[k].key, "pid") &&
			    out->f[i].fields[k].num == ev->focus_pid)
				out->f[i].score += FOCUS_BONUS;
	sort_rows(out->f, out->n, sizeof(out->f[0]), by_score);
}
