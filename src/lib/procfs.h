/* Parsers for /proc and /sys text: pure functions over NUL-terminated buffers, so that
 * tests feed them fixtures and the fuzzer feeds them garbage. Each returns 0 (or a count)
 * on success and -1 when the text is not what the kernel writes; none of them allocates
 * except where noted, and none reads a file. procfs_read_file() does the reading. */
#ifndef WHYSLOW_PROCFS_H
#define WHYSLOW_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* --- small file readers --- */

/* Reads a whole file (at most size-1 bytes) into buf, NUL-terminated. Returns the length,
 * or -errno. /proc files come one page per read() at most, so this loops to the end. */
ssize_t procfs_read_file(const char *path, char *buf, size_t size);
/* One read() of at most size-1 bytes: for files the kernel writes in one piece of less
 * than a page (/proc/PID/stat, /proc/loadavg, wchan: single_open files), where the read
 * that would return 0 only costs a syscall. check reads /proc/PID/stat of every task. */
ssize_t procfs_read_record(const char *path, char *buf, size_t size);
/* The same relative to a directory (a /proc file descriptor spares a path walk per task). */
ssize_t procfs_read_record_at(int dirfd, const char *path, char *buf, size_t size);
/* Reads a whole file of any size into a malloc'd buffer (NUL-terminated); *len gets its
 * length. Returns NULL with errno set on failure. */
char *procfs_read_alloc(const char *path, size_t *len);
/* The same from an open descriptor, from offset 0 on (pread: a /proc or /sys file kept
 * open is read afresh each time), with a first buffer of hint bytes (kallsyms is
 * megabytes, most files a few kB). The descriptor stays open. */
char *procfs_read_fd(int fd, size_t hint, size_t *len);
/* Reads a file holding one number ("10000\n"); returns 0, or -1 if missing or not a number. */
int procfs_read_i64(const char *path, int64_t *value);

/* --- /proc/loadavg: "0.20 0.18 0.12 1/80 11206" --- */
struct procfs_loadavg {
	double avg1, avg5, avg15;
	unsigned running;  /* runnable tasks now, the reader included */
	unsigned tasks;    /* all tasks (threads) */
	unsigned last_pid;
};
int procfs_parse_loadavg(const char *buf, struct procfs_loadavg *la);

/* --- /proc/stat --- */
/* Jiffies (USER_HZ) per CPU. guest is already counted in user, guest_nice in nice. */
struct procfs_cpu_times {
	int cpu; /* -1 for the "cpu" total line */
	uint64_t user, nice, system, idle, iowait, irq, softirq, steal, guest, guest_nice;
};
struct procfs_stat {
	struct procfs_cpu_times total;
	unsigned ncpus;  /* "cpuN" lines parsed (offline CPUs have none) */
	unsigned cpus_dropped; /* "cpuN" lines beyond the caller's array */
	uint64_t intr, ctxt, btime, processes, procs_running, procs_blocked;
};
/* cpus receives up to max_cpus per-CPU lines, in file order. */
int procfs_parse_stat(const char *buf, struct procfs_stat *st, struct procfs_cpu_times *cpus,
		      unsigned max_cpus);
/* Sum of the times, as mpstat's total: user + nice + system + idle + iowait + irq +
 * softirq + steal (guest time is inside user and nice). */
uint64_t procfs_cpu_total(const struct procfs_cpu_times *t);

/* --- /proc/meminfo (kB) --- */
struct procfs_meminfo {
	uint64_t mem_total, mem_free, mem_available, buffers, cached, swap_cached, active_file,
		inactive_file, dirty, writeback, swap_total, swap_free, shmem, slab,
		sreclaimable;
	bool has_available; /* MemAvailable appeared in 3.14 */
};
int procfs_parse_meminfo(const char *buf, struct procfs_meminfo *m);

/* --- /proc/vmstat (pages and events) --- */
struct procfs_vmstat {
	uint64_t pgpgin, pgpgout, pswpin, pswpout, pgfault, pgmajfault, pgscan_kswapd,
		pgscan_direct, pgsteal_kswapd, pgsteal_direct, allocstall, oom_kill,
		workingset_refault_file;
};
int procfs_parse_vmstat(const char *buf, struct procfs_vmstat *v);

/* Generic "key value" and "key: value kB" line lookup, for keys the structs lack. */
int procfs_find_u64(const char *buf, const char *key, uint64_t *value);

/* --- /proc/diskstats --- */
#define PROCFS_DISK_NAME 64
struct procfs_disk {
	unsigned major, minor;
	char name[PROCFS_DISK_NAME];
	unsigned nfields; /* numbers after the name: 4 (old partitions), 11, 15 (discard), 17 (flush) */
	uint64_t rd_ios, rd_merges, rd_sectors, rd_ticks;
	uint64_t wr_ios, wr_merges, wr_sectors, wr_ticks;
	uint64_t in_flight, io_ticks, time_in_queue;
	uint64_t dc_ios, dc_merges, dc_sectors, dc_ticks; /* 4.18+ */
	uint64_t fl_ios, fl_ticks;                        /* 5.5+ */
};
/* Parses one line; returns 0, or -1 if it is not a diskstats line. */
int procfs_parse_diskstats_line(const char *line, size_t len, struct procfs_disk *d);
/* Parses the whole file into d[0..max); returns the number of devices stored. Lines that
 * do not parse are skipped; *dropped (if not NULL) counts devices beyond max. */
int procfs_parse_diskstats(const char *buf, struct procfs_disk *d, unsigned max,
			   unsigned *dropped);

/* --- /proc/net/dev --- */
#define PROCFS_IFNAME 32
struct procfs_netdev {
	char name[PROCFS_IFNAME];
	uint64_t rx_bytes, rx_packets, rx_errs, rx_drop, rx_fifo, rx_frame, rx_compressed,
		rx_multicast;
	uint64_t tx_bytes, tx_packets, tx_errs, tx_drop, tx_fifo, tx_colls, tx_carrier,
		tx_compressed;
};
int procfs_parse_netdev(const char *buf, struct procfs_netdev *n, unsigned max,
			unsigned *dropped);

/* --- /proc/net/snmp and /proc/net/netstat: header line, value line, same prefix --- */
/* Looks up field `name` of section `proto` ("Tcp", "TcpExt", "Udp"); 0 or -1. */
int procfs_snmp_get(const char *buf, const char *proto, const char *name, int64_t *value);
struct procfs_tcp {
	int64_t active_opens, passive_opens, attempt_fails, estab_resets, curr_estab, in_segs,
		out_segs, retrans_segs, in_errs, out_rsts;
	/* TcpExt, from /proc/net/netstat (-1 when absent) */
	int64_t listen_overflows, listen_drops, lost_retransmit, timeouts, syn_retrans,
		fast_retrans, slow_start_retrans, tcp_backlog_drop;
};
/* snmp is required; netstat may be NULL (TcpExt fields then stay -1). */
int procfs_parse_tcp(const char *snmp, const char *netstat, struct procfs_tcp *t);

/* --- /proc/softirqs --- */
#define PROCFS_SOFTIRQ_VECS 16
#define PROCFS_SOFTIRQ_NAME 16
struct procfs_softirqs {
	unsigned ncpus, nvecs;
	char names[PROCFS_SOFTIRQ_VECS][PROCFS_SOFTIRQ_NAME];
	uint64_t *counts; /* nvecs rows of ncpus columns; malloc'd by the parser */
};
int procfs_parse_softirqs(const char *buf, struct procfs_softirqs *s);
void procfs_softirqs_free(struct procfs_softirqs *s);
static inline uint64_t procfs_softirq(const struct procfs_softirqs *s, unsigned vec,
				      unsigned cpu)
{
	return s->counts[(size_t)vec * s->ncpus + cpu];
}

/* --- /proc/net/softnet_stat: one line of hex per online CPU --- */
struct procfs_softnet {
	unsigned cpu; /* from the 13th column where the kernel gives it (5.10+), else the line */
	uint64_t processed, dropped, time_squeeze, received_rps, flow_limit;
};
int procfs_parse_softnet(const char *buf, struct procfs_softnet *s, unsigned max);

/* --- /proc/pressure/{cpu,memory,io} --- */
struct procfs_psi_line {
	bool present;
	double avg10, avg60, avg300;
	uint64_t total_us;
};
struct procfs_psi {
	struct procfs_psi_line some, full;
};
int procfs_parse_psi(const char *buf, struct procfs_psi *p);

/* --- /proc/PID/stat --- */
#define PROCFS_COMM 64
struct procfs_pid_stat {
	pid_t pid, ppid;
	char comm[PROCFS_COMM]; /* may hold spaces and parentheses */
	char state;
	uint64_t minflt, majflt, utime, stime; /* utime and stime in clock ticks */
	int64_t priority, nice;
	int64_t num_threads;
	uint64_t starttime;
	uint64_t vsize, rss_pages;
	int processor; /* -1 if the line is too short */
	uint64_t delayacct_blkio_ticks;
};
int procfs_parse_pid_stat(const char *buf, struct procfs_pid_stat *s);

/* --- /proc/PID/status (the few fields check needs) --- */
struct procfs_pid_status {
	char name[PROCFS_COMM];
	char state;
	pid_t tgid, pid, ppid;
	uid_t uid; /* real */
	uint64_t vm_rss_kb, threads, voluntary_ctxt, nonvoluntary_ctxt;
};
int procfs_parse_pid_status(const char *buf, struct procfs_pid_status *s);

/* --- /proc/PID/wchan: a symbol name, or "0" when running or hidden --- */
/* Copies the symbol into out (empty when "0" or blank); returns 0, -1 when empty. */
int procfs_parse_wchan(const char *buf, char *out, size_t size);

/* --- /dev/kmsg records: "prio,seq,usec,flags[,..];text\n[ KEY=value\n]..." --- */
struct procfs_kmsg {
	unsigned level;    /* 0 emerg .. 7 debug */
	unsigned facility; /* 0 kernel, 1 user, ... */
	uint64_t seq;
	uint64_t ts_usec;  /* since boot, CLOCK_MONOTONIC-like (printk time) */
	char text[512];    /* the message, \xNN escapes kept as the kernel writes them */
};
int procfs_parse_kmsg(const char *rec, size_t len, struct procfs_kmsg *k);

#endif
