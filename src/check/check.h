/* whyslow check: the 60-second checklist (uptime, dmesg, vmstat, mpstat, pidstat, iostat -x,
 * free, sar -n DEV/EDEV/TCP/ETCP, top) from /proc and /sys over one window, with readings.
 *
 * The collector fills a struct check_result and prints nothing; check_print_text() and
 * check_print_json() print it. `doctor` calls check_collect() in-process. */
#ifndef WHYSLOW_CHECK_H
#define WHYSLOW_CHECK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "lib/out.h"
#include "lib/procfs.h"

#define CHECK_MAX_CPUS 1024
#define CHECK_MAX_DISKS 128
#define CHECK_MAX_NICS 256  /* a container host has a veth per container */
#define CHECK_MAX_PROCS 8     /* top CPU users kept */
#define CHECK_MAX_DSTATE 16   /* D-state tasks kept (all are counted) */
#define CHECK_MAX_KMSG 12     /* kernel log lines kept (the most recent) */
#define CHECK_MAX_FLAGS 48
#define CHECK_MAX_NOTES 16

struct check_load {
	double avg1, avg5, avg15;
	double runnable_avg;    /* runnable tasks sampled over the window, this one excluded */
	unsigned runnable_max;
	unsigned blocked;       /* procs_blocked: tasks in D state waiting for I/O (now) */
	unsigned d_state;       /* tasks found in D state in the process scan (now) */
	unsigned tasks;         /* all tasks (threads) */
	unsigned ncpus;         /* online CPUs */
	/* PSI: share of the window in which some (full) tasks stalled, in percent */
	bool psi;
	double psi_cpu_some_pct, psi_mem_some_pct, psi_mem_full_pct, psi_io_some_pct,
		psi_io_full_pct;
};

struct check_vmstat { /* vmstat 1 columns over the window */
	double r, b;                 /* runnable (average) and blocked */
	double si_kb_per_s, so_kb_per_s; /* swap in/out, kB/s, as vmstat */
	double bi_kb_per_s, bo_kb_per_s; /* block in/out, kB/s (pgpgin/pgpgout) */
	double in_per_s, cs_per_s;   /* interrupts, context switches */
	double us, sy, id, wa, st;   /* percent of all CPUs; us includes nice */
	double majflt_per_s, pgscan_per_s, allocstall_per_s;
	uint64_t oom_kills;          /* during the window */
};

struct check_cpu { /* mpstat -P ALL */
	int cpu;
	double usr_pct, nice_pct, sys_pct, iowait_pct, irq_pct, soft_pct, steal_pct, guest_pct,
		gnice_pct, idle_pct;
	double softirq_net_rx_per_s, softirq_timer_per_s, softirq_total_per_s;
	double softirq_per_s[PROCFS_SOFTIRQ_VECS]; /* by vector, as check_result names them */
};

struct check_disk { /* iostat -x, sysstat's formulas */
	char name[PROCFS_DISK_NAME];
	double r_per_s, w_per_s, d_per_s, f_per_s;
	double rkb_per_s, wkb_per_s, dkb_per_s;
	double rrqm_per_s, wrqm_per_s;
	double rareq_kb, wareq_kb;
	double r_await_ms, w_await_ms, d_await_ms, f_await_ms;
	double aqu_sz, util_pct;
};

struct check_nic { /* sar -n DEV,EDEV plus ethtool and softnet */
	char name[PROCFS_IFNAME];
	int64_t speed_mbps;  /* -1 when unknown (virtual NICs) */
	bool full_duplex;
	double rxpck_per_s, txpck_per_s, rxkb_per_s, txkb_per_s, rxcmp_per_s, txcmp_per_s,
		rxmcst_per_s;
	double ifutil_pct;   /* 0 when the speed is unknown, as sar */
	double rxerr_per_s, txerr_per_s, coll_per_s, rxdrop_per_s, txdrop_per_s,
		txcarr_per_s, rxfram_per_s, rxfifo_per_s, txfifo_per_s;
	/* driver counters (ethtool -S): sum of those named *missed*, *fifo*, *drop*,
	 * *no_buf*, *discard* on the receive side */
	bool driver_stats;
	uint64_t rx_missed_total;
	double rx_missed_per_s;
	char rx_missed_name[48]; /* the counter that rose most, e.g. rx_missed_errors */
	/* ring sizes (ethtool -g) */
	bool ring;
	uint32_t rx_ring, rx_ring_max, tx_ring, tx_ring_max;
	char note[96];       /* "no ethtool statistics (virtual NIC)" and the like */
};

struct check_softnet {
	double processed_per_s, dropped_per_s, squeezed_per_s;
	uint64_t dropped_total, squeezed_total;
	int worst_cpu; /* CPU with most drops+squeezes in the window, -1 if none */
};

struct check_tcp { /* sar -n TCP,ETCP and TcpExt */
	double active_per_s, passive_per_s, iseg_per_s, oseg_per_s;
	double atmptf_per_s, estres_per_s, retrans_per_s, isegerr_per_s, orsts_per_s;
	double retrans_pct; /* retransmitted of sent segments */
	int64_t curr_estab;
	uint64_t listen_overflows, listen_drops, lost_retransmit, timeouts; /* in the window */
	bool tcpext;
};

struct check_memory { /* free -k, and what moved in the window */
	uint64_t total_kb, used_kb, free_kb, shared_kb, buffers_kb, cache_kb, available_kb,
		dirty_kb, writeback_kb, swap_total_kb, swap_used_kb, swap_free_kb;
	uint64_t page_cache_kb; /* Cached: file pages only */
	double available_pct;
};

struct check_proc {
	pid_t pid;
	char comm[PROCFS_COMM];
	char state;
	double cpu_pct, usr_pct, sys_pct; /* pidstat: of one CPU */
	char wchan[64];
};

enum check_kmsg_kind {
	KMSG_OOM, KMSG_HUNG, KMSG_LOCKUP, KMSG_IO_ERROR, KMSG_NIC, KMSG_SEGFAULT, KMSG_OTHER,
	KMSG_KINDS
};

struct check_kmsg_line {
	enum check_kmsg_kind kind;
	double age_s;    /* seconds before the end of the window */
	char text[200];
};

struct check_kmsg {
	bool readable;   /* false without root (dmesg_restrict) or without /dev/kmsg */
	unsigned counts[KMSG_KINDS];        /* matches in the whole kernel log buffer */
	unsigned recent_counts[KMSG_KINDS]; /* of those, within the recent window */
	unsigned nlines;
	struct check_kmsg_line lines[CHECK_MAX_KMSG];
};

struct check_flag {
	char id[32];       /* stable identifier, e.g. "disk_latency" */
	char subject[32];  /* what it is about: "vda", "cpu1", "eth0", "" */
	char reason[200];  /* one line with the numbers */
	char dig[64];      /* the whyslow command that digs deeper */
	const char *cases; /* "C2" */
};

struct check_result {
	unsigned window_ms;  /* measured, not requested */
	bool root;
	bool show_all;       /* text: idle and less busy devices too (-a) */
	struct check_load load;
	struct check_vmstat vm;
	unsigned ncpus;
	struct check_cpu all;             /* the "all" line */
	struct check_cpu cpus[CHECK_MAX_CPUS];
	char softirq_names[PROCFS_SOFTIRQ_VECS][PROCFS_SOFTIRQ_NAME];
	unsigned nsoftirq_vecs;
	double softirq_per_s[PROCFS_SOFTIRQ_VECS]; /* summed over CPUs */
	unsigned ndisks;
	struct check_disk disks[CHECK_MAX_DISKS];
	struct check_memory mem;
	unsigned nnics;
	struct check_nic nics[CHECK_MAX_NICS];
	struct check_softnet softnet;
	bool tcp_ok;
	struct check_tcp tcp;
	unsigned nprocs;                  /* top CPU users, busiest first */
	struct check_proc procs[CHECK_MAX_PROCS];
	unsigned nprocs_scanned;
	unsigned nd_state;                /* D-state tasks found (all) */
	struct check_proc d_state[CHECK_MAX_DSTATE];
	struct check_kmsg kmsg;
	unsigned nflags;
	struct check_flag flags[CHECK_MAX_FLAGS];
	unsigned nnotes;
	char notes[CHECK_MAX_NOTES][120]; /* missing files, missing privileges */
};

/* Options that change what is collected (the command line sets them; doctor keeps the
 * defaults). */
struct check_options {
	bool partitions;    /* show partitions too (iostat -p ALL) */
	bool all_devices;   /* show idle devices and interfaces too */
};

/* Samples the system, waits window_ms, samples again and fills r (readings included).
 * Returns 0, or -1 when /proc itself is unreadable. r is large: allocate it. */
int check_collect(struct check_result *r, unsigned window_ms);
int check_collect_opts(struct check_result *r, unsigned window_ms,
		       const struct check_options *opts);

void check_print_text(const struct check_result *r, FILE *f);
void check_print_json(const struct check_result *r, struct json *j);

/* --- pieces exposed for unit tests and for doctor --- */

/* sysstat's iostat -x figures from two diskstats samples itv_ms apart. */
void check_disk_compute(const struct procfs_disk *prev, const struct procfs_disk *cur,
			double itv_ms, struct check_disk *out);
/* mpstat's percentages from two samples of one CPU. */
void check_cpu_compute(const struct procfs_cpu_times *prev, const struct procfs_cpu_times *cur,
		       struct check_cpu *out);
/* sar's %ifutil: rx/tx in bytes per second, speed in Mb/s. */
double check_ifutil(double rx_bytes_per_s, double tx_bytes_per_s, int64_t speed_mbps,
		    bool full_duplex);
/* Classifies a kernel log line; KMSG_KINDS when it does not matter. */
enum check_kmsg_kind check_kmsg_classify(const char *text);
const char *check_kmsg_kind_name(enum check_kmsg_kind kind);
/* Is a driver counter name one of the receive-side loss counters? */
bool check_is_rx_loss_counter(const char *name);
/* Applies the reading rules to a filled result (clears and refills r->flags). */
void check_readings(struct check_result *r);
/* Is a diskstats name a whole device (listed in /sys/block) rather than a partition?
 * sys_block may be NULL to use /sys/block. */
bool check_is_whole_disk(const char *name, const char *sys_block);
/* The same test for many names: the names in a /sys/block directory (NULL: /sys/block),
 * read once and sorted. load returns -1 (and an empty set) when it cannot be read. */
struct check_block_names {
	unsigned n;
	char (*names)[PROCFS_DISK_NAME];
};
int check_block_names_load(struct check_block_names *s, const char *sys_block);
bool check_block_names_has(const struct check_block_names *s, const char *name);
void check_block_names_free(struct check_block_names *s);

#endif
