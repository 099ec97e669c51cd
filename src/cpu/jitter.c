/* jitter: the ticker of case C6, built in. Threads pinned to chosen CPUs loop "work W ms
 * of CPU time, sleep S ms"; a loop longer than the threshold is a stall, and each stall is
 * explained from what BPF saw meanwhile: the tasks that ran on that CPU and for how long,
 * the ticker's own run-queue wait versus off-CPU (and stopped) time, the signals its
 * process received with their senders, and softirq/hardirq time on the CPU. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "lib/bpf.h"
#include "lib/cli.h"
#include "lib/out.h"
#include "lib/pidwatch.h"
#include "lib/proctask.h"
#include "lib/signames.h"
#include "cpu/jitter.h"
#include "jitter.skel.h"
#include "lib/sort.h"

#define MAX_STALLS_QUEUED 1024
#define MAX_RAN 64

struct stall {
	int cpu;
	uint64_t t0, t1; /* loop start and end, CLOCK_MONOTONIC ns */
	uint64_t runnable_ns, offcpu_ns, stopped_ns, softirq_ns, hardirq_ns;
	uint32_t tid;
};

struct ticker {
	struct jitter *jt;
	pthread_t thread;
	int cpu;
	uint32_t slot;
	uint64_t loops, stalls, max_loop_ns, sum_loop_ns;
	bool started, failed;
};

struct jitter {
	struct cli_common common;
	unsigned work_ms, sleep_ms, threshold_ms, duration_s;
	pid_t pid; /* -p: explain this process's threads instead of running tickers */
	uint32_t *pid_tids; /* -p: threads registered, slot = index */
	unsigned npid_tids;
	struct ring_buffer *stall_rb;
	int ncpus;
	bool *use_cpu;
	struct jitter_bpf *skel;
	/* the mapped arrays */
	const struct jitter_switch *switches;
	const struct jitter_signal *signals;
	const volatile struct jitter_cpu *cpus;
	const volatile struct jitter_thread *threads;
	size_t map_len[4];
	struct ticker *tickers;
	int ntickers;
	atomic_bool stop;
	/* stalls found by tickers, reported by the main thread */
	pthread_mutex_t lock;
	struct stall queue[MAX_STALLS_QUEUED];
	unsigned nqueued;
	uint64_t dropped, reported;
};

static const struct cli_opt options[] = {
	{'w', "work", "MS", "CPU time each loop burns (default 10)"},
	{'s', "sleep", "MS", "sleep after the work (default 10)"},
	{'c', "cpus", "LIST", "CPUs to run a ticker on, e.g. 0 or 0,2-3 (default: all)"},
	{'t', "threshold", "MS", "a loop longer than this is a stall (default 25)"},
	{'d', "duration", "SECONDS", "run this long (default: until Ctrl-C)"},
	{'p', "pid", "PID", "explain stalls of this process's threads (no ticker): any "
			    "involuntary absence (run-queue wait, stop) over the threshold"},
	{0},
};

const struct cli_spec jitter_spec = {
	.name = "jitter",
	.summary = "ticker threads that catch stalls and explain each: who ran, run-queue wait, stops, signals, irqs",
	.usage = "[-w MS] [-s MS] [-c CPUS] [-t MS] [-d SECONDS] [-p PID] [--json]",
	.description =
		"Runs a ticker thread pinned to each chosen CPU: work W ms of CPU time, sleep S\n"
		"ms, again. A loop over the threshold is a stall: the program stalled, not the\n"
		"ticker's own work. For each stall it says what the kernel saw meanwhile, from\n"
		"sched_switch, sched_wakeup, signal_generate and the irq tracepoints: the tasks\n"
		"that ran on that CPU and for how long, the ticker's time runnable (waiting for\n"
		"the CPU: saturation, case C13) versus off-CPU and stopped (SIGSTOP: case C6),\n"
		"the signals the process received with their senders, and softirq and hardirq\n"
		"time. JSON: one object per stall, then a summary object. With -p PID there is\n"
		"no ticker: a stall is any time a thread of PID spends off-CPU without choosing\n"
		"to (waiting for a CPU, or stopped) beyond the threshold; sleeps do not count.",
	.opts = options,
	.examples = "  whyslow jitter -c 0 -d 10          # one ticker on CPU 0 for 10 s\n"
		    "  whyslow jitter -w 5 -s 5 -t 15     # finer loops, tighter threshold\n"
		    "  whyslow jitter --json -d 30 > stalls.json\n"
		    "  whyslow jitter -p 1234 -t 50      # stalls of process 1234's threads\n",
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* "0,2-3" into use_cpu[]; one clear line on bad input. */
static void parse_cpus(struct jitter *jt, const char *list)
{
	char *copy = strdup(list), *save = NULL, *tok;

	if (!copy)
		cli_usage_error("out of memory");
	memset(jt->use_cpu, 0, jt->ncpus * sizeof(*jt->use_cpu));
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *dash = strchr(tok, '-');
		int lo, hi;

		if (dash)
			*dash = '\0';
		lo = cli_parse_cpu(tok);
		hi = dash ? cli_parse_cpu(dash + 1) : lo;
		if (hi < lo)
			cli_usage_error("CPU range %d-%d is backwards", lo, hi);
		for (int c = lo; c <= hi && c < jt->ncpus; c++)
			jt->use_cpu[c] = true;
	}
	free(copy);
}

static int on_option(void *arg, int key, const char *val)
{
	struct jitter *jt = arg;

	switch (key) {
	case 'w': jt->work_ms = cli_parse_ulong(val, "work (ms)", 1, 10000); break;
	case 's': jt->sleep_ms = cli_parse_ulong(val, "sleep (ms)", 0, 10000); break;
	case 't': jt->threshold_ms = cli_parse_ulong(val, "threshold (ms)", 1, 100000); break;
	case 'd': jt->duration_s = cli_parse_ulong(val, "duration (seconds)", 1, 86400); break;
	case 'c': parse_cpus(jt, val); break;
	case 'p': jt->pid = cli_parse_pid(val); break;
	}
	return 0;
}

/* --- the tickers --- */

static void burn_cpu(unsigned ms)
{
	uint64_t start = thread_cpu_ns(), goal = start + ms * 1000000ull;
	volatile unsigned long x = 0;

	while (thread_cpu_ns() < goal)
		for (int i = 0; i < 20000; i++)
			x = x * 6364136223846793005ul + 1;
}

struct snapshot {
	uint64_t runnable, offcpu, stopped, softirq, hardirq;
};

static void take(const struct ticker *tk, struct snapshot *s)
{
	const volatile struct jitter_thread *th = &tk->jt->threads[tk->slot];
	const volatile struct jitter_cpu *cs = &tk->jt->cpus[tk->cpu];

	s->runnable = th->runnable_ns;
	s->offcpu = th->offcpu_ns;
	s->stopped = th->stopped_ns;
	s->softirq = cs->softirq_ns;
	s->hardirq = cs->hardirq_ns;
}

static void queue_stall(struct jitter *jt, const struct stall *st)
{
	pthread_mutex_lock(&jt->lock);
	if (jt->nqueued < MAX_STALLS_QUEUED)
		jt->queue[jt->nqueued++] = *st;
	else
		jt->dropped++;
	pthread_mutex_unlock(&jt->lock);
}

static void *tick_loop(void *arg)
{
	struct ticker *tk = arg;
	struct jitter *jt = tk->jt;
	uint32_t tid = (uint32_t)gettid();
	struct timespec nap = {jt->sleep_ms / 1000, (jt->sleep_ms % 1000) * 1000000L};
	cpu_set_t set;
	char name[16];

	CPU_ZERO(&set);
	CPU_SET(tk->cpu, &set);
	snprintf(name, sizeof(name), "jitter/%d", tk->cpu);
	prctl(PR_SET_NAME, name);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set) ||
	    bpf_map_update_elem(bpf_map__fd(jt->skel->maps.watched), &tid, &tk->slot, BPF_ANY)) {
		tk->failed = true;
		return NULL;
	}
	tk->started = true;
	while (!atomic_load(&jt->stop)) {
		struct snapshot a, b;
		uint64_t t0 = now_ns(), t1, loop;

		take(tk, &a);
		burn_cpu(jt->work_ms);
		if (jt->sleep_ms)
			nanosleep(&nap, NULL);
		t1 = now_ns();
		take(tk, &b);
		loop = t1 - t0;
		tk->loops++;
		tk->sum_loop_ns += loop;
		if (loop > tk->max_loop_ns)
			tk->max_loop_ns = loop;
		if (loop > jt->threshold_ms * 1000000ull) {
			struct stall st = {
				.cpu = tk->cpu, .t0 = t0, .t1 = t1, .tid = tid,
				.runnable_ns = b.runnable - a.runnable,
				.offcpu_ns = b.offcpu - a.offcpu,
				.stopped_ns = b.stopped - a.stopped,
				.softirq_ns = b.softirq - a.softirq,
				.hardirq_ns = b.hardirq - a.hardirq,
			};
			tk->stalls++;
			queue_stall(jt, &st);
		}
	}
	return NULL;
}

/* --- explaining a stall --- */

static void add_ran(struct jitter_ran *ran, int *n, int max, uint32_t pid, const char *comm,
		    uint64_t ns)
{
	for (int i = 0; i < *n; i++)
		if (ran[i].pid == pid) {
			ran[i].ns += ns;
			return;
		}
	if (*n < max) {
		/* comm is a record's 16-byte field or a short literal ("?"): copy no further
		 * than its end */
		size_t len = strnlen(comm, sizeof(ran[*n].comm) - 1);

		ran[*n].pid = pid;
		memcpy(ran[*n].comm, comm, len);
		ran[*n].comm[len] = '\0';
		ran[*n].ns = ns;
		(*n)++;
	}
}

static int by_ns(const void *a, const void *b)
{
	const struct jitter_ran *x = a, *y = b;

	return x->ns < y->ns ? 1 : x->ns > y->ns ? -1 : 0;
}

/* The name of pid from the newest record at or before index i that switched it in. */
static const char *comm_of(const struct jitter_switch *ring, uint64_t first, uint64_t i,
			   uint32_t pid)
{
	for (uint64_t k = i + 1; k-- > first;) {
		const struct jitter_switch *r = &ring[k & (JITTER_SWITCH_RING - 1)];
		if (r->pid == pid)
			return r->comm;
	}
	return "?";
}

int jitter_who_ran(const struct jitter_switch *ring, uint64_t count, uint64_t t0,
		   uint64_t t1, uint32_t tid, struct jitter_ran *ran, int max, bool *partial,
		   uint64_t *idle_ns)
{
	uint64_t first = count > JITTER_SWITCH_RING ? count - JITTER_SWITCH_RING + 1 : 0;
	uint64_t end = t1;
	uint32_t runner = 0; /* the task that left the CPU at `end` */
	bool have_runner = false;
	int n = 0;

	*partial = false;
	*idle_ns = 0;
	/* walk back from the newest record; record i covers [ts_i, ts_{i+1}), run by the task
	 * that left the CPU at ts_{i+1} (the newest record's own next when nothing followed) */
	for (uint64_t i = count; i-- > first;) {
		const struct jitter_switch *rec = &ring[i & (JITTER_SWITCH_RING - 1)];
		uint64_t from = rec->ts > t0 ? rec->ts : t0;
		uint32_t pid = have_runner ? runner : rec->pid;

		runner = rec->prev_pid;
		have_runner = true;
		if (rec->ts >= t1)
			continue;
		if (end > from) {
			if (pid == 0)
				*idle_ns += end - from;
			else if (pid != tid)
				add_ran(ran, &n, max, pid,
					pid == rec->pid ? rec->comm : comm_of(ring, first, i, pid),
					end - from);
		}
		end = rec->ts;
		if (rec->ts <= t0) {
			sort_rows(ran, n, sizeof(*ran), by_ns);
			return n;
		}
	}
	*partial = true;
	sort_rows(ran, n, sizeof(*ran), by_ns);
	return n;
}

static double ms(uint64_t ns)
{
	return ns / 1e6;
}

/* Signals to the process generated during the stall or up to a threshold before it: a
 * stop takes effect only when the thread next runs, which on a busy CPU is a while after
 * the signal was sent. The rings are live (BPF keeps writing them): records are copied,
 * never the slot BPF writes next, and a record overwritten during the copy is dropped. */
static void each_signal(struct jitter *jt, const struct stall *st,
			void (*fn)(const struct jitter_signal *, void *), void *ctx)
{
	struct jitter_signal recs[JITTER_SIGNAL_RING * 8];
	uint64_t index[JITTER_SIGNAL_RING * 8];
	size_t n = 0;

	for (int cpu = 0; cpu < jt->ncpus; cpu++) {
		uint64_t count = jt->cpus[cpu].signals, now_count;
		uint64_t first = count >= JITTER_SIGNAL_RING ? count - JITTER_SIGNAL_RING + 1 : 0;
		size_t cpu_first = n, kept;

		__atomic_thread_fence(__ATOMIC_ACQUIRE); /* records up to count are written */
		for (uint64_t i = first; i < count && n < sizeof(recs) / sizeof(recs[0]); i++) {
			recs[n] = jt->signals[(size_t)cpu * JITTER_SIGNAL_RING + (i & (JITTER_SIGNAL_RING - 1))];
			index[n] = i;
			if (recs[n].ts + jt->threshold_ms * 1000000ull >= st->t0 && recs[n].ts <= st->t1)
				n++;
		}
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		now_count = jt->cpus[cpu].signals;
		if (now_count < first + JITTER_SIGNAL_RING)
			continue;
		/* record i's slot is rewritten from the time index i + RING is written on */
		kept = cpu_first;
		for (size_t k = cpu_first; k < n; k++)
			if (index[k] + JITTER_SIGNAL_RING > now_count) {
				recs[kept] = recs[k];
				index[kept++] = index[k];
			}
		n = kept;
	}
	/* in time order across CPUs */
	for (size_t i = 1; i < n; i++)
		for (size_t k = i; k > 0 && recs[k - 1].ts > recs[k].ts; k--) {
			struct jitter_signal t = recs[k];
			recs[k] = recs[k - 1];
			recs[k - 1] = t;
		}
	for (size_t i = 0; i < n; i++)
		fn(&recs[i], ctx);
}

struct signal_out {
	struct json *j; /* JSON, or text to f */
	FILE *f;
	int n;
	uint64_t t0;
};

static void signal_out(const struct jitter_signal *s, void *ctx)
{
	struct signal_out *o = ctx;
	const char *effect = signal_effect(s->sig);
	char name[32], comm[17];

	memcpy(comm, s->sender_comm, 16);
	comm[16] = '\0';
	signal_name(s->sig, name, sizeof(name));
	if (o->j) {
		json_object_open(o->j, NULL);
		json_str(o->j, "sig", name);
		json_u64(o->j, "sender_pid", s->sender_pid);
		json_str(o->j, "sender_comm", comm);
		/* negative: sent just before the loop began */
		json_double(o->j, "at_ms", ((double)s->ts - (double)o->t0) / 1e6);
		json_object_close(o->j);
		return;
	}
	fprintf(o->f, "%s %s from %u (%s)%s%s", o->n++ ? "," : "    signals:", name,
		s->sender_pid, comm, effect ? " " : "", effect ? effect : "");
}

/* The stalled thread's name, from /proc (threads of -p PID) or the ticker's own. */
static void thread_comm(const struct jitter *jt, const struct stall *st, char *buf, size_t size)
{
	snprintf(buf, size, "jitter/%d", st->cpu);
	if (jt->pid && !proctask_comm(jt->pid, (pid_t)st->tid, buf, size))
		snprintf(buf, size, "?");
}

/* Runners whose switch-in the ring no longer holds: named from /proc while they live. */
static void name_unseen(struct jitter_ran *ran, int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(ran[i].comm, "?") == 0)
			proctask_comm((pid_t)ran[i].pid, 0, ran[i].comm, sizeof(ran[i].comm));
}

static void report(struct jitter *jt, const struct stall *st)
{
	struct jitter_ran ran[MAX_RAN];
	uint64_t idle_ns;
	bool partial;
	int n = jitter_who_ran(&jt->switches[(size_t)st->cpu * JITTER_SWITCH_RING],
				jt->cpus[st->cpu].switches, st->t0, st->t1, st->tid, ran, MAX_RAN,
				&partial, &idle_ns);
	char comm[32];

	name_unseen(ran, n);
	thread_comm(jt, st, comm, sizeof(comm));
	jt->reported++;
	if (jt->common.json) {
		struct json j;

		json_begin(&j, stdout, "jitter");
		json_u64(&j, "cpu", st->cpu);
		json_u64(&j, "tid", st->tid);
		json_str(&j, "comm", comm);
		json_double(&j, "duration_ms", ms(st->t1 - st->t0));
		json_double(&j, "runnable_ms", ms(st->runnable_ns));
		json_double(&j, "offcpu_ms", ms(st->offcpu_ns));
		json_double(&j, "stopped_ms", ms(st->stopped_ns));
		json_double(&j, "softirq_ms", ms(st->softirq_ns));
		json_double(&j, "hardirq_ms", ms(st->hardirq_ns));
		json_double(&j, "idle_ms", ms(idle_ns));
		json_bool(&j, "ran_partial", partial);
		json_array_open(&j, "ran");
		for (int i = 0; i < n; i++) {
			json_object_open(&j, NULL);
			json_u64(&j, "pid", ran[i].pid);
			json_str(&j, "comm", ran[i].comm);
			json_double(&j, "ms", ms(ran[i].ns));
			json_object_close(&j);
		}
		json_array_close(&j);
		json_array_open(&j, "signals");
		struct signal_out o = {.j = &j, .t0 = st->t0};
		each_signal(jt, st, signal_out, &o);
		json_array_close(&j);
		json_end(&j);
		return;
	}
	printf("STALL cpu %d %s (%u): %s %.1f ms (threshold %u): runnable %.1f ms, off-CPU "
	       "%.1f ms (stopped %.1f ms), softirq %.2f ms, hardirq %.2f ms\n",
	       st->cpu, comm, st->tid, jt->pid ? "away" : "loop", ms(st->t1 - st->t0),
	       jt->threshold_ms, ms(st->runnable_ns),
	       ms(st->offcpu_ns), ms(st->stopped_ns), ms(st->softirq_ns), ms(st->hardirq_ns));
	struct signal_out o = {.f = stdout, .t0 = st->t0};
	each_signal(jt, st, signal_out, &o);
	if (o.n)
		putchar('\n');
	printf("    ran on cpu %d:%s idle %.1f ms", st->cpu, partial ? " (partial: ring wrapped)" : "",
	       ms(idle_ns));
	for (int i = 0; i < n && i < 8; i++)
		printf(", %s (%u) %.1f ms", ran[i].comm, ran[i].pid, ms(ran[i].ns));
	if (n > 8)
		printf(", %d more", n - 8);
	putchar('\n');
	fflush(stdout);
}

static int drain(void *arg, int timeout_ms)
{
	struct jitter *jt = arg;
	struct timespec nap = {timeout_ms / 1000, (timeout_ms % 1000) * 1000000L};
	struct stall batch[MAX_STALLS_QUEUED];
	unsigned n;

	if (timeout_ms)
		nanosleep(&nap, NULL);
	pthread_mutex_lock(&jt->lock);
	n = jt->nqueued;
	memcpy(batch, jt->queue, n * sizeof(*batch));
	jt->nqueued = 0;
	pthread_mutex_unlock(&jt->lock);
	for (unsigned i = 0; i < n; i++)
		report(jt, &batch[i]);
	for (int i = 0; i < jt->ntickers; i++)
		if (jt->tickers[i].failed)
			return -EIO;
	return 0;
}

/* --- -p: the threads of an existing process --- */

static int on_stall(void *ctx, void *data, size_t size)
{
	struct jitter *jt = ctx;
	const struct jitter_stall *e = data;
	struct stall st;

	if (size < sizeof(*e))
		return 0;
	st = (struct stall){
		.cpu = (int)e->cpu, .t0 = e->start, .t1 = e->end, .tid = e->tid,
		.runnable_ns = e->runnable_ns, .offcpu_ns = e->stopped_ns,
		.stopped_ns = e->stopped_ns, .softirq_ns = e->softirq_ns,
		.hardirq_ns = e->hardirq_ns,
	};
	if (st.cpu < 0 || st.cpu >= jt->ncpus)
		return 0;
	report(jt, &st);
	return 0;
}

/* Registers threads of the process not seen yet (it may start more at any time). */
static void register_threads(struct jitter *jt)
{
	char path[64];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)jt->pid);
	if (!(dir = opendir(path)))
		return;
	while ((d = readdir(dir)) && jt->npid_tids < JITTER_MAX_THREADS) {
		uint32_t tid = (uint32_t)strtoul(d->d_name, NULL, 10), slot;
		bool known = false;

		for (unsigned i = 0; tid && i < jt->npid_tids && !known; i++)
			known = jt->pid_tids[i] == tid;
		if (!tid || known)
			continue;
		slot = jt->npid_tids;
		if (bpf_map_update_elem(bpf_map__fd(jt->skel->maps.watched), &tid, &slot, BPF_ANY) == 0)
			jt->pid_tids[jt->npid_tids++] = tid;
	}
	closedir(dir);
}

static int poll_pid(void *arg, int timeout_ms)
{
	struct jitter *jt = arg;
	int n = ring_buffer__poll(jt->stall_rb, timeout_ms);

	register_threads(jt);
	pidwatch_stop_if_gone(jt->pid);
	return n < 0 && n != -EINTR ? n : 0;
}

static int summary_pid(struct jitter *jt)
{
	ring_buffer__consume(jt->stall_rb);
	if (jt->common.json) {
		struct json j;

		json_begin(&j, stdout, "jitter");
		json_bool(&j, "summary", true);
		json_i64(&j, "pid", jt->pid);
		json_u64(&j, "threads", jt->npid_tids);
		json_u64(&j, "stalls", jt->reported);
		json_end(&j);
		return 0;
	}
	printf("\n%llu stalls over %u ms in %u threads of process %d\n",
	       (unsigned long long)jt->reported, jt->threshold_ms, jt->npid_tids, (int)jt->pid);
	fflush(stdout);
	return 0;
}

static int summary(void *arg, bool last)
{
	struct jitter *jt = arg;

	(void)last;
	if (jt->pid)
		return summary_pid(jt);
	atomic_store(&jt->stop, true);
	for (int i = 0; i < jt->ntickers; i++)
		pthread_join(jt->tickers[i].thread, NULL);
	drain(jt, 0);
	if (jt->common.json) {
		struct json j;

		json_begin(&j, stdout, "jitter");
		json_bool(&j, "summary", true);
		json_u64(&j, "stalls", jt->reported);
		json_u64(&j, "stalls_dropped", jt->dropped);
		json_array_open(&j, "cpus");
		for (int i = 0; i < jt->ntickers; i++) {
			const struct ticker *tk = &jt->tickers[i];
			json_object_open(&j, NULL);
			json_u64(&j, "cpu", tk->cpu);
			json_u64(&j, "loops", tk->loops);
			json_u64(&j, "stalls", tk->stalls);
			json_double(&j, "max_loop_ms", ms(tk->max_loop_ns));
			json_double(&j, "mean_loop_ms", tk->loops ? ms(tk->sum_loop_ns / tk->loops) : 0);
			json_object_close(&j);
		}
		json_array_close(&j);
		json_end(&j);
		return 0;
	}
	printf("\n%-5s %8s %8s %12s %12s\n", "CPU", "LOOPS", "STALLS", "MAX_MS", "MEAN_MS");
	for (int i = 0; i < jt->ntickers; i++) {
		const struct ticker *tk = &jt->tickers[i];
		printf("%-5d %8llu %8llu %12.1f %12.1f\n", tk->cpu, (unsigned long long)tk->loops,
		       (unsigned long long)tk->stalls, ms(tk->max_loop_ns),
		       tk->loops ? ms(tk->sum_loop_ns / tk->loops) : 0.0);
	}
	if (jt->dropped)
		printf("%llu stalls not explained (queue full)\n", (unsigned long long)jt->dropped);
	fflush(stdout);
	return 0;
}

/* --- setup --- */

static void *map_array(struct bpf_map *map, size_t *len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	void *p;

	*len = ((size_t)bpf_map__value_size(map) * bpf_map__max_entries(map) + page - 1) / page * page;
	p = mmap(NULL, *len, PROT_READ, MAP_SHARED, bpf_map__fd(map), 0);
	return p == MAP_FAILED ? NULL : p;
}

static int load(struct jitter *jt, bool use_btf)
{
	struct jitter_bpf *skel = jitter_bpf__open();
	int err;

	jt->skel = skel;
	if (!skel)
		return -errno;
	skel->rodata->targ_tgid = (uint32_t)(jt->pid ? jt->pid : getpid());
	skel->rodata->pid_mode = jt->pid > 0;
	skel->rodata->threshold_ns = jt->threshold_ms * 1000000ull;
	bpf_map__set_max_entries(skel->maps.switch_ring, jt->ncpus * JITTER_SWITCH_RING);
	bpf_map__set_max_entries(skel->maps.signal_ring, jt->ncpus * JITTER_SIGNAL_RING);
	bpf_map__set_max_entries(skel->maps.cpu_state, jt->ncpus);
	wbpf_pick(skel->progs.switch_btf, skel->progs.switch_raw, use_btf);
	wbpf_pick(skel->progs.wakeup_btf, skel->progs.wakeup_raw, use_btf);
	wbpf_pick(skel->progs.signal_btf, skel->progs.signal_raw, use_btf);
	wbpf_pick(skel->progs.softirq_entry_btf, skel->progs.softirq_entry_raw, use_btf);
	wbpf_pick(skel->progs.softirq_exit_btf, skel->progs.softirq_exit_raw, use_btf);
	wbpf_pick(skel->progs.hardirq_entry_btf, skel->progs.hardirq_entry_raw, use_btf);
	wbpf_pick(skel->progs.hardirq_exit_btf, skel->progs.hardirq_exit_raw, use_btf);
	err = jitter_bpf__load(skel);
	if (!err)
		err = jitter_bpf__attach(skel);
	return err;
}

static void unmap_all(struct jitter *jt)
{
	const void *maps[4] = {jt->switches, jt->signals, (const void *)jt->cpus,
			       (const void *)jt->threads};

	for (int i = 0; i < 4; i++)
		if (maps[i])
			munmap((void *)maps[i], jt->map_len[i]);
}

static int start_tickers(struct jitter *jt)
{
	jt->tickers = calloc(jt->ncpus, sizeof(*jt->tickers));
	if (!jt->tickers)
		return cli_fail("out of memory");
	for (int cpu = 0; cpu < jt->ncpus; cpu++) {
		struct ticker *tk;

		if (!jt->use_cpu[cpu])
			continue;
		tk = &jt->tickers[jt->ntickers];
		tk->jt = jt;
		tk->cpu = cpu;
		tk->slot = (uint32_t)jt->ntickers;
		if (pthread_create(&tk->thread, NULL, tick_loop, tk))
			return cli_fail("cannot start the ticker thread for CPU %d", cpu);
		jt->ntickers++;
	}
	for (int i = 0; i < 200; i++) { /* up to 2 s for every ticker to be pinned */
		int ready = 0;
		for (int k = 0; k < jt->ntickers; k++) {
			if (jt->tickers[k].failed)
				return cli_fail("the ticker for CPU %d could not pin itself or register: "
						"is the CPU online?", jt->tickers[k].cpu);
			ready += jt->tickers[k].started;
		}
		if (ready == jt->ntickers)
			return 0;
		usleep(10000);
	}
	return cli_fail("the ticker threads did not start");
}

int cmd_jitter(int argc, char **argv)
{
	static const char *const tracepoints[] = {
		"sched", "sched_switch", "sched", "sched_wakeup", "signal", "signal_generate",
		"irq", "softirq_entry", "irq", "softirq_exit", "irq", "irq_handler_entry",
		"irq", "irq_handler_exit", NULL};
	struct jitter jt = {.work_ms = 10, .sleep_ms = 10, .threshold_ms = 25};
	struct cli_loop_ops ops = {.tick = summary, .poll = drain};
	bool use_btf = wbpf_prefer_tp_btf();
	int err;

	jt.ncpus = wbpf_ncpus();
	jt.use_cpu = calloc(jt.ncpus, sizeof(*jt.use_cpu));
	if (!jt.use_cpu)
		return cli_fail("out of memory");
	for (int c = 0; c < jt.ncpus; c++)
		jt.use_cpu[c] = true;
	cli_parse(&jitter_spec, argc, argv, &jt.common, on_option, &jt);
	if (!jt.pid && jt.work_ms + jt.sleep_ms >= jt.threshold_ms)
		cli_usage_error("the threshold (%u ms) must exceed work + sleep (%u + %u ms)",
				jt.threshold_ms, jt.work_ms, jt.sleep_ms);
	ops.duration_ms = (uint64_t)jt.duration_s * 1000;
	pthread_mutex_init(&jt.lock, NULL);
	wbpf_init(jt.common.verbose);
	if ((err = wbpf_check_prereqs()) || (err = wbpf_require_tracepoints(tracepoints)))
		goto out;
	err = load(&jt, use_btf);
	if (err && use_btf) {
		jitter_bpf__destroy(jt.skel);
		err = load(&jt, false);
	}
	if (err) {
		err = wbpf_load_error("jitter's BPF programs", err);
		goto out;
	}
	jt.switches = map_array(jt.skel->maps.switch_ring, &jt.map_len[0]);
	jt.signals = map_array(jt.skel->maps.signal_ring, &jt.map_len[1]);
	jt.cpus = map_array(jt.skel->maps.cpu_state, &jt.map_len[2]);
	jt.threads = map_array(jt.skel->maps.threads, &jt.map_len[3]);
	if (!jt.switches || !jt.signals || !jt.cpus || !jt.threads) {
		err = cli_fail("mapping the BPF arrays into memory failed: %s", strerror(errno));
		goto out;
	}
	if (jt.pid) {
		jt.pid_tids = calloc(JITTER_MAX_THREADS, sizeof(*jt.pid_tids));
		jt.stall_rb = ring_buffer__new(bpf_map__fd(jt.skel->maps.stalls), on_stall, &jt, NULL);
		if (!jt.pid_tids || !jt.stall_rb) {
			err = cli_fail("setting up the stall reader failed: %s", strerror(errno));
			goto out;
		}
		register_threads(&jt);
		ops.poll = poll_pid;
		fprintf(stderr, "Watching %u threads of process %d (stall > %u ms)... Hit Ctrl-C "
				"to end.\n", jt.npid_tids, (int)jt.pid, jt.threshold_ms);
		err = cli_run_loop(&jt.common, &ops, &jt);
		goto out;
	}
	if ((err = start_tickers(&jt))) {
		atomic_store(&jt.stop, true);
		for (int i = 0; i < jt.ntickers; i++)
			pthread_join(jt.tickers[i].thread, NULL);
		goto out;
	}
	fprintf(stderr, "Watching %d ticker%s (work %u ms, sleep %u ms, stall > %u ms)... "
			"Hit Ctrl-C to end.\n", jt.ntickers, jt.ntickers == 1 ? "" : "s", jt.work_ms,
		jt.sleep_ms, jt.threshold_ms);
	err = cli_run_loop(&jt.common, &ops, &jt);
out:
	ring_buffer__free(jt.stall_rb);
	free(jt.pid_tids);
	unmap_all(&jt);
	jitter_bpf__destroy(jt.skel);
	free(jt.tickers);
	free(jt.use_cpu);
	return err;
}
