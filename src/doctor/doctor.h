/* whyslow doctor: one sweep of every collector at once, rules that turn the evidence into
 * ranked findings in the case book's words (../shared/CASES.md), and a report (text,
 * JSON, self-contained HTML).
 *
 * The evidence is plain numbers, filled by doctor.c from the collectors (check, cachestat,
 * mmaplock, oomkill, softirqs, skbdrop, tcpretrans, syscount, lockstat and the doctor's own
 * sweep.bpf.c). Rules (rules.c) are pure functions of the evidence, so unit tests feed them
 * hand-made evidence with a case's numbers. */
#ifndef WHYSLOW_DOCTOR_H
#define WHYSLOW_DOCTOR_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "lib/hist.h"

#define DOC_MAX_DISKS 16
#define DOC_MAX_PROCS 8
#define DOC_MAX_CPUS 64
#define DOC_MAX_ITEMS 8
#define DOC_MAX_FINDINGS 32
#define DOC_MAX_FIELDS 12
#define DOC_MAX_NEXT 4
#define DOC_NAME 64
#define DOC_STACK_FRAMES 24

/* --- evidence --- */

struct ev_disk {
	char name[64];
	double r_per_s, w_per_s, r_await_ms, w_await_ms, aqu_sz, util_pct, rareq_kb, rkb_per_s;
	uint64_t ios;            /* completed requests timed by the sweep */
	double lat_p50_ms, lat_p99_ms, lat_avg_ms;
	struct hist lat_us;      /* issue to completion */
};

struct ev_proc_wait {        /* a process and how long it waited (run queue, mmap lock) */
	uint32_t tgid;
	char comm[16];
	uint64_t count;
	double total_ms, avg_ms, p99_ms, max_ms;
};

struct ev_stop {             /* C6 */
	uint32_t target_tgid, sender_tgid;
	char target_comm[16], sender_comm[16];
	uint64_t stops, conts, kills;
	double stopped_ms, max_stop_ms;
};

struct ev_mmaplock {         /* C5 */
	uint32_t waiter_tgid, holder_tgid;
	char waiter_comm[16], holder_comm[16], holder_cmdline[96];
	uint64_t count;
	double total_ms, max_ms;
};

struct ev_syserr {           /* C7 */
	uint32_t tgid;
	char comm[16];
	char syscall[32];
	char errname[16];
	int err;
	uint64_t count;
};

struct ev_softirq_cpu {      /* C4, C8: the busiest vector of one CPU */
	int cpu;
	char vec[16];
	double time_pct;         /* of the window, on that CPU */
	double max_ms;
	uint64_t count;
};

struct ev_nic {              /* C4 */
	char name[32];
	double rx_missed_per_s, rxdrop_per_s, rxfifo_per_s;
	char missed_name[48];
	bool ring;
	uint32_t rx_ring, rx_ring_max;
};

struct ev_drop_reason {      /* C10 */
	char reason[48];
	uint64_t drops;
};

struct ev_lock {             /* C14 */
	char name[96];
	char type[32];
	uint64_t count;
	double total_ms, max_ms;
};

struct ev_oom {              /* C12 */
	uint32_t victim_tgid, trigger_tgid;
	char victim_comm[16], trigger_comm[16];
	uint64_t anon_kb, file_kb, total_vm_kb;
};

struct ev_hung {             /* C12: a thread the hung-task detector reported */
	uint32_t tid, tgid;
	char comm[16];
	unsigned reports;        /* the detector reports it again at every check */
};

struct ev_offcpu {           /* a thread blocked off-CPU during the window */
	uint32_t tid, tgid;
	char comm[16];
	uint64_t d_count;        /* D-state waits */
	double d_ms, sleep_ms;   /* D (uninterruptible: I/O, locks) and other sleep */
	double d_max_ms;
	double stack_d_ms;       /* D time of its process under its top D stack, 0: none */
	char d_stack[160];       /* that stack compact: leaf-most frames past the scheduler */
	unsigned nframes;
	char frames[DOC_STACK_FRAMES][64]; /* the whole stack, leaf first */
};

/* What each collector reported; `have_*` false when it could not attach (the reason is
 * in notes, and the rules that need it stay quiet). */
struct doctor_evidence {
	char host[64];
	double duration_s;
	pid_t focus_pid;              /* -p, 0 for the whole host */

	/* check: CPU, load, memory */
	bool have_check;
	unsigned ncpus;
	double cpu_busy_pct;          /* all CPUs, 100 - idle - iowait */
	double cpu_iowait_pct;
	double cpu_busy[DOC_MAX_CPUS];  /* per CPU, 100 - idle - iowait */
	double runnable_avg;          /* tasks runnable (check's sampling) */
	unsigned runnable_max;
	double psi_cpu_some_pct, psi_mem_some_pct, psi_mem_full_pct, psi_io_some_pct;
	double mem_available_pct, mem_total_mb, page_cache_mb;
	double swap_in_kb_s, swap_out_kb_s, pgscan_per_s, majflt_per_s, allocstall_per_s;
	uint64_t vm_oom_kills;
	unsigned nd_state;
	char top_comm[16];            /* busiest process (check's top) */
	uint32_t top_pid;
	double top_cpu_pct;

	/* disks: check's iostat figures, sweep's latency histograms */
	unsigned ndisks;
	struct ev_disk disks[DOC_MAX_DISKS];

	/* page cache */
	bool have_cache;
	uint64_t cache_accessed, cache_hits, cache_misses; /* pages */
	double cache_hit_pct;         /* NaN: no accesses */
	double disk_read_mb;          /* read from all disks in the window */
	char memcg[96];               /* a memory cgroup at its limit (the focused process's, or
	                               * the one that hit its limit most), "" if none */
	double memcg_limit_mb;

	/* run queue */
	bool have_runq;
	uint64_t runq_count;
	double runq_p50_ms, runq_p99_ms, runq_avg_ms;
	struct hist runq_hist;        /* all waits, microseconds */
	unsigned nrunq;
	struct ev_proc_wait runq[DOC_MAX_PROCS]; /* by total wait */

	/* off-CPU time (the sweep, at the same sched_switch hook): blocked threads */
	bool have_offcpu;
	double offcpu_d_ms, offcpu_sleep_ms;          /* all threads */
	uint64_t offcpu_d_count, offcpu_threads;
	double offcpu_d_nostack_ms;   /* D time without a stack (past the walks' budget) */
	unsigned noffcpu_d, noffcpu_total;
	struct ev_offcpu offcpu_d[DOC_MAX_PROCS];     /* by D time, only threads with some */
	struct ev_offcpu offcpu_total[DOC_MAX_PROCS]; /* by D + sleep */
	char *d_flamegraph_svg;       /* with --html: D-state stacks as a flame graph, or NULL */
	double d_flamegraph_ms;

	/* signals */
	bool have_signals;
	unsigned nstops;
	struct ev_stop stops[DOC_MAX_ITEMS];

	/* mmap lock */
	bool have_mmaplock;
	unsigned nmmap;
	struct ev_mmaplock mmap[DOC_MAX_ITEMS];   /* waiter blamed on holder, by total wait */
	unsigned nmmap_procs;
	struct ev_proc_wait mmap_procs[DOC_MAX_ITEMS]; /* waiters, by total wait */

	/* syscalls */
	bool have_syscalls;
	uint64_t syserr_total;
	unsigned nsyserr;
	struct ev_syserr syserr[DOC_MAX_ITEMS];   /* by count */
	uint64_t mount_count, mount_max;          /* of the top failing mount()'s namespace */

	/* softirqs */
	bool have_softirq;
	unsigned nsoftirq;
	struct ev_softirq_cpu softirq[DOC_MAX_CPUS];
	char timer_fn[64];            /* the timer function that ran longest */
	double timer_max_ms;

	/* network */
	unsigned nnics;
	struct ev_nic nics[DOC_MAX_ITEMS];
	double softnet_drop_per_s, softnet_squeeze_per_s;
	bool have_tcp;                /* check's TCP counters */
	double tcp_retrans_per_s, tcp_retrans_pct, tcp_oseg_per_s;
	bool have_retrans;            /* tcpretrans collector */
	uint64_t retrans_events, retrans_segs;
	char retrans_flow[96];        /* the flow with most retransmitted segments */
	uint64_t retrans_flow_segs;
	bool have_drops;
	uint64_t drops_total;
	unsigned ndrop_reasons;
	struct ev_drop_reason drop_reasons[DOC_MAX_ITEMS];

	/* locks */
	bool have_locks;
	unsigned nlocks;
	struct ev_lock locks[DOC_MAX_ITEMS];

	/* OOM and the kernel log */
	bool have_oom;
	unsigned nooms;
	struct ev_oom ooms[DOC_MAX_ITEMS];
	/* hung tasks from sched_process_hang: seen even after the kernel stops logging them
	 * (hung_task_warnings, 10 per boot by default) */
	unsigned hung_reports, nhung;
	struct ev_hung hung[DOC_MAX_ITEMS];
	bool kmsg_readable;
	/* kernel log lines written during the window (older ones are history, not news) */
	unsigned kmsg_hung, kmsg_lockup, kmsg_io_error, kmsg_oom, kmsg_segfault;
	char kmsg_last[160];          /* the most recent of them */

	/* with --html: on-CPU stacks sampled at 49 Hz during the sweep, as a flame graph */
	char *cpu_flamegraph_svg;     /* malloc'd SVG text, or NULL */
	uint64_t cpu_samples;

	unsigned nnotes;
	char notes[16][120];          /* collectors that did not attach, and why */
};

/* --- findings --- */

enum doctor_severity { SEV_INFO, SEV_WARNING, SEV_CRITICAL };

struct doctor_field {       /* one number (or word) of evidence, the unit in the key */
	char key[40];
	bool is_text;
	double num;
	char text[96];
};

struct doctor_finding {
	const char *id;             /* stable: "disk-device-latency" */
	const char *cases;          /* "C2" */
	enum doctor_severity severity;
	double score;               /* ranking: higher first (severity, then how far past) */
	char title[200];            /* one line, the culprit named */
	char explanation[480];      /* in the case book's terms */
	unsigned nfields;
	struct doctor_field fields[DOC_MAX_FIELDS];
	unsigned nnext;
	char next[DOC_MAX_NEXT][96];
};

struct doctor_findings {
	unsigned n;
	struct doctor_finding f[DOC_MAX_FINDINGS];
};

/* rules.c: every rule runs over the evidence; findings come out ranked. */
void doctor_diagnose(const struct doctor_evidence *ev, struct doctor_findings *out);
/* For tests and --list-rules: the rules, in table order. */
unsigned doctor_rule_count(void);
const char *doctor_rule_id(unsigned i);
const char *doctor_rule_case(unsigned i);
const char *doctor_severity_name(enum doctor_severity s);
/* errnos that say a resource ran out (ENOSPC, EMFILE, ENOMEM...), not routine failures */
bool doctor_resource_errno(int err);

/* report.c */
void doctor_report_text(const struct doctor_evidence *ev, const struct doctor_findings *fs,
			FILE *f);
void doctor_report_json(const struct doctor_evidence *ev, const struct doctor_findings *fs,
			FILE *f);
/* Self-contained HTML page; returns 0 or -errno. */
int doctor_report_html(const struct doctor_evidence *ev, const struct doctor_findings *fs,
		       const char *path);

#endif
