/* whyslow check: the 60-second checklist in one screen.
 *
 * Two snapshots of /proc and /sys, window_ms apart, turned into the figures of uptime,
 * vmstat, mpstat, pidstat, iostat -x, free, sar -n DEV/EDEV/TCP/ETCP (with sysstat's own
 * formulas, so the numbers agree with theirs), plus the kernel log, driver counters and
 * ring sizes through the ethtool ioctls, and readings: the conclusions an expert draws
 * from those numbers, each naming the whyslow command that digs deeper. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <net/if.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include "check/check.h"
#include "lib/cli.h"
#include "lib/ethtool.h"
#include "lib/sort.h"

/* Thresholds of the readings. One table, so that doctor and the tests see the same
 * numbers; each cites the case of CASES.md it serves. */
static const struct {
	double disk_await_ms;      /* C2: r_await/w_await above this is slow for any device
				    * (a disk seek is ~10 ms; C2's slow disk showed 434 ms) */
	double disk_min_iops;      /* C2: below this many I/O per second, one slow I/O is noise */
	double disk_queue_long;    /* C1/C2: aqu-sz at or above: saturation (queueing);
				    * below: the device itself is slow (C2 saw 0.97) */
	double disk_util_busy_pct; /* C1: %util above this with a long queue: saturated */
	double io_small_kb;        /* C1: average request below this on a busy disk: small I/O */
	double runq_per_cpu;       /* C13: runnable tasks per CPU above this: CPU saturation */
	double cpu_soft_pct;       /* C4/C8: one CPU's %soft (or %irq) at least this... */
	double cpu_soft_ratio;     /* ...and this many times the mean of the other CPUs */
	double cpu_hot_pct;        /* C13: one CPU busier than this (usr+sys+irq+soft)... */
	double cpu_cool_pct;       /* ...while the others average below this: a single hot CPU */
	double steal_pct;          /* C13: %steal of all CPUs: the hypervisor takes the CPU */
	double swap_kb_per_s;      /* C1: swap-in or swap-out above this, kB/s */
	double mem_available_pct;  /* C12: MemAvailable below this share of MemTotal */
	double cache_turnover_s;   /* C1: page cache replaced by disk reads in less than this */
	double cache_read_kb_per_s;/* C1: ...while reading at least this much */
	double nic_loss_per_s;     /* C4: rx missed/fifo/drop counters rising at least */
	double softnet_per_s;      /* C4/C8: softnet drops or time_squeeze per second */
	double retrans_pct;        /* C4: retransmitted share of sent segments... */
	double retrans_per_s;      /* ...with at least this many retransmits per second */
	double listen_drop_per_s;  /* C4: SYNs or accepts dropped at a full listen queue */
	unsigned d_state_tasks;    /* C13: tasks in D state at least (they inflate the load) */
	double kmsg_recent_s;      /* C12: kernel log lines this recent raise a flag */
	double psi_io_full_pct;    /* C1/C2: every runnable task stalled on I/O this share */
	double psi_mem_some_pct;   /* C1/C12: some task stalled on memory this share */
} T = {
	.disk_await_ms = 20,
	.disk_min_iops = 1,
	.disk_queue_long = 2,
	.disk_util_busy_pct = 90,
	.io_small_kb = 8,
	.runq_per_cpu = 1.0,
	.cpu_soft_pct = 20,
	.cpu_soft_ratio = 3,
	.cpu_hot_pct = 90,
	.cpu_cool_pct = 40,
	.steal_pct = 10,
	.swap_kb_per_s = 1,
	.mem_available_pct = 10,
	.cache_turnover_s = 60,
	.cache_read_kb_per_s = 1024,
	.nic_loss_per_s = 1,
	.softnet_per_s = 1,
	.retrans_pct = 1,
	.retrans_per_s = 1,
	.listen_drop_per_s = 1,
	.d_state_tasks = 1,
	.kmsg_recent_s = 3600,
	.psi_io_full_pct = 10,
	.psi_mem_some_pct = 10,
};

#define MAX_DISK_LINES 512
#define MAX_PROCS 65536
#define MAX_THREADS_SCANNED 20000
#define MAX_LOSS_COUNTERS 16
/* how often the run queue is sampled through the window: an average of ten samples over
 * two seconds, without waking up more than the checklist needs */
#define RUNNABLE_SAMPLE_NS 200000000ull

/* --- snapshots --- */

struct nic_driver {
	bool link_read;         /* speed and duplex were asked (at a window's end) */
	int64_t speed_mbps;     /* -1 when unknown or down, as /sys/class/net/NIC/speed */
	bool full_duplex;
	bool stats_ok, ring_ok;
	int stats_errno;
	unsigned nloss;
	char loss_name[MAX_LOSS_COUNTERS][ETH_GSTRING_LEN + 1];
	uint64_t loss_value[MAX_LOSS_COUNTERS];
	struct ethtool_ringparam ring;
};

struct proc_sample {
	pid_t pid;
	char state;
	int64_t num_threads;
	uint64_t starttime, utime, stime;
	char comm[PROCFS_COMM];
	int fd; /* its /proc/PID/stat kept open for the next snapshot, or -1 */
};

/* The system files of a snapshot. They stay open from one snapshot to the next, which
 * reads them again from offset 0 (seq_file starts over): an open is a path walk. */
enum sys_file {
	SF_STAT, SF_DISKSTATS, SF_MEMINFO, SF_VMSTAT, SF_NETDEV, SF_SNMP, SF_NETSTAT,
	SF_SOFTIRQS, SF_SOFTNET, SF_PSI_CPU, SF_PSI_MEMORY, SF_PSI_IO, SF_COUNT
};
static const char *const sys_paths[SF_COUNT] = {
	"/proc/stat", "/proc/diskstats", "/proc/meminfo", "/proc/vmstat", "/proc/net/dev",
	"/proc/net/snmp", "/proc/net/netstat", "/proc/softirqs", "/proc/net/softnet_stat",
	"/proc/pressure/cpu", "/proc/pressure/memory", "/proc/pressure/io",
};

struct snapshot {
	uint64_t t_ns;
	bool sys_open[SF_COUNT];
	int sys_fd[SF_COUNT];
	bool sock_open;         /* the socket of the ethtool ioctls, also passed on */
	int sock;
	struct procfs_stat stat;
	struct procfs_cpu_times cpus[CHECK_MAX_CPUS];
	bool mem_ok, vm_ok;
	struct procfs_meminfo mem;
	struct procfs_vmstat vm;
	unsigned ndisks, disks_dropped;
	struct procfs_disk disks[MAX_DISK_LINES];
	unsigned nnet, nets_dropped;
	struct procfs_netdev net[CHECK_MAX_NICS];
	struct nic_driver drv[CHECK_MAX_NICS];
	bool tcp_ok;
	struct procfs_tcp tcp;
	bool sirq_ok;
	struct procfs_softirqs sirq;
	unsigned nsoftnet;
	struct procfs_softnet softnet[CHECK_MAX_CPUS];
	bool psi_ok[3];
	struct procfs_psi psi[3]; /* cpu, memory, io */
	unsigned nprocs;
	struct proc_sample *procs;
	/* runnable tasks sampled through the window (from /proc/loadavg) */
	double runnable_sum;
	unsigned runnable_n, runnable_max;
	bool loadavg_ok;                /* the newest sample, for the load averages */
	struct procfs_loadavg loadavg;
	bool loadavg_open;              /* /proc/loadavg stays open: ~11 samples a window */
	int loadavg_fd;
};

/* strlcpy: copies what fits, always terminated (snprintf("%s") draws truncation warnings) */
static void set_str(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = 0;
}

/* Reads system file `which` whole into a malloc'd buffer (NUL-terminated), re-using the
 * descriptor prev kept open, and keeps it open in s. NULL if it cannot be read. */
static char *read_sys(struct snapshot *s, struct snapshot *prev, enum sys_file which)
{
	char *buf;
	int fd;

	if (prev && prev->sys_open[which]) {
		fd = prev->sys_fd[which];
		prev->sys_open[which] = false;
	} else if ((fd = open(sys_paths[which], O_RDONLY | O_CLOEXEC)) < 0) {
		return NULL;
	}
	if (!(buf = procfs_read_fd(fd, 16384, NULL))) {
		close(fd);
		return NULL;
	}
	s->sys_fd[which] = fd;
	s->sys_open[which] = true;
	return buf;
}

static ssize_t read_at_start(int fd, char *buf, size_t size);

static void sample_runnable(struct snapshot *s)
{
	char buf[128];
	struct procfs_loadavg la;

	if (!s->loadavg_open) {
		s->loadavg_fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
		if (s->loadavg_fd < 0)
			return;
		s->loadavg_open = true;
	}
	if (read_at_start(s->loadavg_fd, buf, sizeof(buf)) <= 0 || procfs_parse_loadavg(buf, &la))
		return;
	s->loadavg = la;
	s->loadavg_ok = true;
	unsigned r = la.running > 0 ? la.running - 1 : 0; /* ourselves, reading */
	s->runnable_sum += r;
	s->runnable_n++;
	if (r > s->runnable_max)
		s->runnable_max = r;
}

/* Driver counters that mean "the NIC had a packet and lost it before the stack saw it". */
bool check_is_rx_loss_counter(const char *name)
{
	static const char *const parts[] = {"missed", "fifo", "no_buf", "nobuf", "no_dma",
					    "discard", "drop", "overrun", "alloc_fail"};
	char lower[ETH_GSTRING_LEN + 1];
	size_t i;

	for (i = 0; name[i] && i < ETH_GSTRING_LEN; i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	lower[i] = 0;
	/* receive side only: tx_* counters are about our own sends */
	if (strstr(lower, "tx") == lower || strstr(lower, "_tx_") || strstr(lower, "xdp"))
		return false;
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (strstr(lower, parts[i]))
			return true;
	return false;
}

static int ethtool_ioctl(int fd, const char *ifname, void *cmd)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	set_str(ifr.ifr_name, sizeof(ifr.ifr_name), ifname);
	ifr.ifr_data = cmd;
	return ioctl(fd, SIOCETHTOOL, &ifr) < 0 ? -errno : 0;
}

/* ethtool -S (only the receive-loss counters are kept) and ethtool -g. */
static void nic_driver_read(int fd, const char *ifname, struct nic_driver *d)
{
	struct ethtool_counters c;
	int err;

	memset(d, 0, sizeof(*d));
	d->ring.cmd = ETHTOOL_GRINGPARAM;
	d->ring_ok = fd >= 0 && ethtool_ioctl(fd, ifname, &d->ring) == 0;
	if ((err = ethtool_read_counters(ifname, &c))) {
		d->stats_errno = err == -E2BIG ? EOPNOTSUPP : -err;
		return;
	}
	d->stats_ok = true;
	for (unsigned i = 0; i < c.n && d->nloss < MAX_LOSS_COUNTERS; i++) {
		if (!check_is_rx_loss_counter(c.names[i]))
			continue;
		set_str(d->loss_name[d->nloss], sizeof(d->loss_name[d->nloss]), c.names[i]);
		d->loss_value[d->nloss++] = c.values[i];
	}
	ethtool_counters_free(&c);
}

static int cmp_proc_pid(const void *a, const void *b)
{
	const struct proc_sample *x = a, *y = b;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* How many /proc/PID/stat files stay open from one snapshot to the next: re-reading an
 * open one (pread at 0 makes the kernel write it anew) costs half of opening it again,
 * and the process scans are most of check's CPU time. */
static unsigned max_kept_fds(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur < 256)
		return 0;
	return rl.rlim_cur - 128 > 8192 ? 8192 : (unsigned)(rl.rlim_cur - 128);
}

static ssize_t read_at_start(int fd, char *buf, size_t size)
{
	ssize_t n;

	do
		n = pread(fd, buf, size - 1, 0);
	while (n < 0 && errno == EINTR);
	buf[n > 0 ? n : 0] = 0;
	return n;
}

static struct proc_sample *find_proc_mut(struct snapshot *s, pid_t pid);

/* Every process's /proc/PID/stat. With prev, the files prev kept open are re-read and
 * taken over; the ones left in prev belong to processes that exited. */
static void scan_procs(struct snapshot *s, struct snapshot *prev)
{
	DIR *dir = opendir("/proc");
	struct dirent *de;
	unsigned cap = 0, kept = 0, max_kept = max_kept_fds();

	s->nprocs = 0;
	if (!dir)
		return;
	while ((de = readdir(dir)) && s->nprocs < MAX_PROCS) {
		char path[300], buf[1024];
		struct procfs_pid_stat ps;
		struct proc_sample *old;
		ssize_t n = -1;
		int fd = -1;
		size_t len;

		if (!all_digits(de->d_name))
			continue;
		old = prev ? find_proc_mut(prev, (pid_t)atoi(de->d_name)) : NULL;
		if (old && old->fd >= 0 && (n = read_at_start(old->fd, buf, sizeof(buf))) > 0) {
			fd = old->fd;
			old->fd = -1;
		} else {
			/* "PID/stat" relative to /proc spares a path walk */
			len = strlen(de->d_name);
			if (len > sizeof(path) - 6)
				continue;
			memcpy(path, de->d_name, len);
			memcpy(path + len, "/stat", 6);
			fd = openat(dirfd(dir), path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue; /* it exited */
			n = read_at_start(fd, buf, sizeof(buf));
		}
		if (n <= 0 || procfs_parse_pid_stat(buf, &ps)) {
			close(fd);
			continue;
		}
		if (s->nprocs == cap) {
			unsigned ncap = cap ? cap * 2 : 512;
			struct proc_sample *p = realloc(s->procs, ncap * sizeof(*p));
			if (!p) {
				close(fd);
				break;
			}
			s->procs = p;
			cap = ncap;
		}
		struct proc_sample *p = &s->procs[s->nprocs++];
		p->pid = ps.pid;
		p->state = ps.state;
		p->num_threads = ps.num_threads;
		p->starttime = ps.starttime;
		p->utime = ps.utime;
		p->stime = ps.stime;
		set_str(p->comm, sizeof(p->comm), ps.comm);
		p->fd = -1;
		if (kept < max_kept) {
			p->fd = fd;
			kept++;
		} else {
			close(fd);
		}
	}
	closedir(dir);
	/* readdir of /proc gives PIDs in ascending order; sort anyway, bsearch relies on it */
	sort_rows(s->procs, s->nprocs, sizeof(*s->procs), cmp_proc_pid);
}

/* ethtool's speed and duplex, as /sys/class/net/NIC/{speed,duplex} give them (those
 * answer only for a NIC that is up) in two ioctls instead of two file reads */
static void nic_link_read(int fd, const char *ifname, struct nic_driver *d)
{
	struct ifreq ifr;
	struct ethtool_cmd cmd;

	d->link_read = true;
	d->speed_mbps = -1;
	d->full_duplex = false;
	memset(&ifr, 0, sizeof(ifr));
	set_str(ifr.ifr_name, sizeof(ifr.ifr_name), ifname);
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0 || !(ifr.ifr_flags & IFF_UP))
		return;
	memset(&cmd, 0, sizeof(cmd));
	cmd.cmd = ETHTOOL_GSET;
	if (ethtool_ioctl(fd, ifname, &cmd))
		return;
	/* ethtool_cmd_speed() of the header shifts an int: UB for SPEED_UNKNOWN (-1) */
	int32_t speed = (int32_t)((uint32_t)cmd.speed_hi << 16 | cmd.speed);
	if (speed > 0)
		d->speed_mbps = speed;
	d->full_duplex = cmd.duplex == DUPLEX_FULL;
}

static void take_snapshot(struct snapshot *s, struct snapshot *prev)
{
	char *buf, *buf2;
	int fd;

	s->t_ns = cli_now_ns();
	if ((buf = read_sys(s, prev, SF_STAT))) {
		procfs_parse_stat(buf, &s->stat, s->cpus, CHECK_MAX_CPUS);
		free(buf);
	}
	if ((buf = read_sys(s, prev, SF_DISKSTATS))) {
		int n = procfs_parse_diskstats(buf, s->disks, MAX_DISK_LINES, &s->disks_dropped);
		s->ndisks = n > 0 ? (unsigned)n : 0;
		free(buf);
	}
	if ((buf = read_sys(s, prev, SF_MEMINFO))) {
		s->mem_ok = procfs_parse_meminfo(buf, &s->mem) == 0;
		free(buf);
	}
	if ((buf = read_sys(s, prev, SF_VMSTAT))) {
		s->vm_ok = procfs_parse_vmstat(buf, &s->vm) == 0;
		free(buf);
	}
	if ((buf = read_sys(s, prev, SF_NETDEV))) {
		int n = procfs_parse_netdev(buf, s->net, CHECK_MAX_NICS, &s->nets_dropped);
		s->nnet = n > 0 ? (unsigned)n : 0;
		free(buf);
	}
	if (prev && prev->sock_open) {
		fd = prev->sock;
		prev->sock_open = false;
	} else {
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	}
	if (fd >= 0) {
		s->sock = fd;
		s->sock_open = true;
	}
	for (unsigned i = 0; i < s->nnet; i++) {
		nic_driver_read(fd, s->net[i].name, &s->drv[i]);
		if (prev) /* a window ends here: its figures need the link speed */
			nic_link_read(fd, s->net[i].name, &s->drv[i]);
	}
	if ((buf = read_sys(s, prev, SF_SNMP))) {
		buf2 = read_sys(s, prev, SF_NETSTAT);
		s->tcp_ok = procfs_parse_tcp(buf, buf2, &s->tcp) == 0;
		free(buf2);
		free(buf);
	}
	if ((buf = read_sys(s, prev, SF_SOFTIRQS))) {
		s->sirq_ok = procfs_parse_softirqs(buf, &s->sirq) == 0;
		free(buf);
	}
	if ((buf = read_sys(s, prev, SF_SOFTNET))) {
		int n = procfs_parse_softnet(buf, s->softnet, CHECK_MAX_CPUS);
		s->nsoftnet = n > 0 ? (unsigned)n : 0;
		free(buf);
	}
	for (int i = 0; i < 3; i++) {
		buf = read_sys(s, prev, SF_PSI_CPU + i);
		s->psi_ok[i] = buf && buf[0] && procfs_parse_psi(buf, &s->psi[i]) == 0;
		free(buf);
	}
	scan_procs(s, prev);
	sample_runnable(s);
}

/* Frees a snapshot and closes its files; with keep_files, leaves them to the kernel: a
 * command about to exit spares ~160 close() calls (the exit closes them anyway). */
static void snapshot_release(struct snapshot *s, bool keep_files)
{
	procfs_softirqs_free(&s->sirq);
	if (!keep_files) {
		if (s->loadavg_open)
			close(s->loadavg_fd);
		for (int i = 0; i < SF_COUNT; i++)
			if (s->sys_open[i])
				close(s->sys_fd[i]);
		if (s->sock_open)
			close(s->sock);
		for (unsigned i = 0; i < s->nprocs; i++)
			if (s->procs[i].fd >= 0)
				close(s->procs[i].fd);
	}
	s->loadavg_open = s->sock_open = false;
	memset(s->sys_open, 0, sizeof(s->sys_open));
	free(s->procs);
	s->procs = NULL;
	s->nprocs = 0;
}

static void snapshot_free(struct snapshot *s)
{
	snapshot_release(s, false);
}

/* --- computing the figures --- */

static double per_s(uint64_t prev, uint64_t cur, double itv_ms)
{
	return cur >= prev && itv_ms > 0 ? (double)(cur - prev) * 1000.0 / itv_ms : 0;
}

static uint64_t delta(uint64_t prev, uint64_t cur)
{
	return cur >= prev ? cur - prev : 0;
}

void check_disk_compute(const struct procfs_disk *p, const struct procfs_disk *c,
			double itv_ms, struct check_disk *o)
{
	uint64_t rd = delta(p->rd_ios, c->rd_ios), wr = delta(p->wr_ios, c->wr_ios);
	uint64_t dc = delta(p->dc_ios, c->dc_ios), fl = delta(p->fl_ios, c->fl_ios);

	memset(o, 0, sizeof(*o));
	set_str(o->name, sizeof(o->name), c->name);
	o->r_per_s = per_s(p->rd_ios, c->rd_ios, itv_ms);
	o->w_per_s = per_s(p->wr_ios, c->wr_ios, itv_ms);
	o->d_per_s = per_s(p->dc_ios, c->dc_ios, itv_ms);
	o->f_per_s = per_s(p->fl_ios, c->fl_ios, itv_ms);
	/* sectors are 512 bytes whatever the device's block size */
	o->rkb_per_s = per_s(p->rd_sectors, c->rd_sectors, itv_ms) / 2;
	o->wkb_per_s = per_s(p->wr_sectors, c->wr_sectors, itv_ms) / 2;
	o->dkb_per_s = per_s(p->dc_sectors, c->dc_sectors, itv_ms) / 2;
	o->rrqm_per_s = per_s(p->rd_merges, c->rd_merges, itv_ms);
	o->wrqm_per_s = per_s(p->wr_merges, c->wr_merges, itv_ms);
	/* sysstat: rareq-sz = delta rd_sectors / 2 / delta rd_ios, r_await = delta rd_ticks /
	 * delta rd_ios, aqu-sz = delta time_in_queue / interval, %util = delta io_ticks /
	 * interval * 100 (ticks are milliseconds) */
	o->rareq_kb = rd ? (double)delta(p->rd_sectors, c->rd_sectors) / 2 / rd : 0;
	o->wareq_kb = wr ? (double)delta(p->wr_sectors, c->wr_sectors) / 2 / wr : 0;
	o->r_await_ms = rd ? (double)delta(p->rd_ticks, c->rd_ticks) / rd : 0;
	o->w_await_ms = wr ? (double)delta(p->wr_ticks, c->wr_ticks) / wr : 0;
	o->d_await_ms = dc ? (double)delta(p->dc_ticks, c->dc_ticks) / dc : 0;
	o->f_await_ms = fl ? (double)delta(p->fl_ticks, c->fl_ticks) / fl : 0;
	o->aqu_sz = itv_ms > 0 ? (double)delta(p->time_in_queue, c->time_in_queue) / itv_ms : 0;
	o->util_pct = itv_ms > 0 ? (double)delta(p->io_ticks, c->io_ticks) / itv_ms * 100 : 0;
	if (o->util_pct > 100)
		o->util_pct = 100;
}

static uint64_t minus(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

void check_cpu_compute(const struct procfs_cpu_times *p, const struct procfs_cpu_times *c,
		       struct check_cpu *o)
{
	/* mpstat: guest time is inside user (and guest_nice inside nice), so usr and nice
	 * exclude them and the total leaves them out. The total is summed from the clamped
	 * per-field deltas: for counters that only grow it equals mpstat's difference of
	 * sums, and no share can pass 100% when one goes backwards (CPU hot-unplug). */
	uint64_t usr = delta(minus(p->user, p->guest), minus(c->user, c->guest));
	uint64_t nice = delta(minus(p->nice, p->guest_nice), minus(c->nice, c->guest_nice));
	uint64_t sys = delta(p->system, c->system), idle = delta(p->idle, c->idle);
	uint64_t iowait = delta(p->iowait, c->iowait), irq = delta(p->irq, c->irq);
	uint64_t soft = delta(p->softirq, c->softirq), steal = delta(p->steal, c->steal);
	uint64_t guest = delta(p->guest, c->guest), gnice = delta(p->guest_nice, c->guest_nice);
	/* summed in double: garbage near 2^64 must not wrap into a small total */
	double tot = (double)usr + guest + nice + gnice + sys + idle + iowait + irq + soft + steal;
	double d = tot > 0 ? tot : 1;

	memset(o, 0, sizeof(*o));
	o->cpu = c->cpu;
	if (tot <= 0) {
		o->idle_pct = 100; /* an offline or tickless-idle CPU, as mpstat shows it */
		return;
	}
	o->usr_pct = usr * 100.0 / d;
	o->nice_pct = nice * 100.0 / d;
	o->sys_pct = sys * 100.0 / d;
	o->iowait_pct = iowait * 100.0 / d;
	o->irq_pct = irq * 100.0 / d;
	o->soft_pct = soft * 100.0 / d;
	o->steal_pct = steal * 100.0 / d;
	o->guest_pct = guest * 100.0 / d;
	o->gnice_pct = gnice * 100.0 / d;
	o->idle_pct = idle * 100.0 / d;
}

double check_ifutil(double rx, double tx, int64_t speed_mbps, bool full_duplex)
{
	/* sar: full duplex counts the busier direction, half duplex both together */
	double bits_per_s = (double)speed_mbps * 1000000.0;

	if (speed_mbps <= 0)
		return 0;
	if (full_duplex)
		return (rx > tx ? rx : tx) * 800.0 / bits_per_s;
	return (rx + tx) * 800.0 / bits_per_s;
}

/* diskstats writes cciss/c0d0 where /sys/block has cciss!c0d0 */
static void sys_block_name(char *dev, size_t size, const char *name)
{
	set_str(dev, size, name);
	for (char *p = dev; *p; p++)
		if (*p == '/')
			*p = '!';
}

bool check_is_whole_disk(const char *name, const char *sys_block)
{
	char path[512], dev[PROCFS_DISK_NAME];

	sys_block_name(dev, sizeof(dev), name);
	snprintf(path, sizeof(path), "%s/%s", sys_block ? sys_block : "/sys/block", dev);
	return access(path, F_OK) == 0;
}

static int cmp_block_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

int check_block_names_load(struct check_block_names *s, const char *sys_block)
{
	DIR *dir = opendir(sys_block ? sys_block : "/sys/block");
	struct dirent *de;
	unsigned cap = 0;

	memset(s, 0, sizeof(*s));
	if (!dir)
		return -1;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.' || strlen(de->d_name) >= PROCFS_DISK_NAME)
			continue;
		if (s->n == cap) {
			unsigned ncap = cap ? cap * 2 : 64;
			char(*p)[PROCFS_DISK_NAME] = realloc(s->names, ncap * sizeof(*p));
			if (!p)
				break;
			s->names = p;
			cap = ncap;
		}
		strcpy(s->names[s->n++], de->d_name);
	}
	closedir(dir);
	sort_rows(s->names, s->n, sizeof(*s->names), cmp_block_name);
	return 0;
}

bool check_block_names_has(const struct check_block_names *s, const char *name)
{
	char dev[PROCFS_DISK_NAME];

	if (!s->n)
		return false;
	sys_block_name(dev, sizeof(dev), name);
	return bsearch(dev, s->names, s->n, sizeof(*s->names), cmp_block_name) != NULL;
}

void check_block_names_free(struct check_block_names *s)
{
	free(s->names);
	s->names = NULL;
	s->n = 0;
}

static const struct procfs_disk *find_disk(const struct snapshot *s, const struct procfs_disk *d)
{
	for (unsigned i = 0; i < s->ndisks; i++)
		if (s->disks[i].major == d->major && s->disks[i].minor == d->minor &&
		    strcmp(s->disks[i].name, d->name) == 0)
			return &s->disks[i];
	return NULL;
}

static void compute_disks(struct check_result *r, const struct snapshot *a,
			  const struct snapshot *b, double itv_ms, const struct check_options *o)
{
	struct check_block_names whole;

	/* one read of /sys/block rather than a path lookup per diskstats line: a host with
	 * loop devices lists dozens, each lookup a walk through sysfs symlinks */
	if (!o->partitions)
		check_block_names_load(&whole, NULL);
	r->ndisks = 0;
	for (unsigned i = 0; i < b->ndisks && r->ndisks < CHECK_MAX_DISKS; i++) {
		const struct procfs_disk *c = &b->disks[i], *p = find_disk(a, c);
		if (!p)
			continue;
		if (!o->partitions && !check_block_names_has(&whole, c->name))
			continue;
		/* iostat leaves out devices that never did any I/O (unused loop devices) */
		if (!o->all_devices && !c->rd_ios && !c->wr_ios && !c->dc_ios && !c->fl_ios)
			continue;
		check_disk_compute(p, c, itv_ms, &r->disks[r->ndisks++]);
	}
	if (!o->partitions)
		check_block_names_free(&whole);
}

static const struct procfs_cpu_times *find_cpu(const struct snapshot *s, int cpu)
{
	for (unsigned i = 0; i < s->stat.ncpus; i++)
		if (s->cpus[i].cpu == cpu)
			return &s->cpus[i];
	return NULL;
}

static int softirq_vec(const struct procfs_softirqs *s, const char *name)
{
	for (unsigned v = 0; v < s->nvecs; v++)
		if (strcmp(s->names[v], name) == 0)
			return (int)v;
	return -1;
}

static void compute_cpus(struct check_result *r, const struct snapshot *a,
			 const struct snapshot *b, double itv_ms)
{
	const struct procfs_cpu_times *p = &a->stat.total, *c = &b->stat.total;
	uint64_t tot = delta(procfs_cpu_total(p), procfs_cpu_total(c));
	double d = tot ? (double)tot : 1;
	bool sirq = a->sirq_ok && b->sirq_ok && a->sirq.ncpus == b->sirq.ncpus &&
		    a->sirq.nvecs == b->sirq.nvecs;
	int net_rx = sirq ? softirq_vec(&b->sirq, "NET_RX") : -1;
	int timer = sirq ? softirq_vec(&b->sirq, "TIMER") : -1;

	check_cpu_compute(p, c, &r->all);
	r->ncpus = 0;
	for (unsigned i = 0; i < b->stat.ncpus; i++) {
		const struct procfs_cpu_times *pc = find_cpu(a, b->cpus[i].cpu);
		if (!pc)
			continue;
		struct check_cpu *o = &r->cpus[r->ncpus++];
		check_cpu_compute(pc, &b->cpus[i], o);
		unsigned cpu = (unsigned)o->cpu;
		if (!sirq || cpu >= b->sirq.ncpus)
			continue;
		for (unsigned v = 0; v < b->sirq.nvecs; v++) {
			o->softirq_per_s[v] = per_s(procfs_softirq(&a->sirq, v, cpu),
						    procfs_softirq(&b->sirq, v, cpu), itv_ms);
			o->softirq_total_per_s += o->softirq_per_s[v];
		}
		if (net_rx >= 0)
			o->softirq_net_rx_per_s = per_s(procfs_softirq(&a->sirq, net_rx, cpu),
							procfs_softirq(&b->sirq, net_rx, cpu), itv_ms);
		if (timer >= 0)
			o->softirq_timer_per_s = per_s(procfs_softirq(&a->sirq, timer, cpu),
						       procfs_softirq(&b->sirq, timer, cpu), itv_ms);
	}
	r->nsoftirq_vecs = 0;
	if (sirq) {
		r->nsoftirq_vecs = b->sirq.nvecs;
		for (unsigned v = 0; v < b->sirq.nvecs; v++) {
			memcpy(r->softirq_names[v], b->sirq.names[v], PROCFS_SOFTIRQ_NAME);
			r->softirq_per_s[v] = 0;
			for (unsigned cpu = 0; cpu < b->sirq.ncpus; cpu++)
				r->softirq_per_s[v] += per_s(procfs_softirq(&a->sirq, v, cpu),
							     procfs_softirq(&b->sirq, v, cpu), itv_ms);
		}
	}
	/* vmstat's CPU columns: us = user + nice, sy = system + irq + softirq */
	r->vm.us = (delta(p->user, c->user) + delta(p->nice, c->nice)) * 100.0 / d;
	r->vm.sy = (delta(p->system, c->system) + delta(p->irq, c->irq) +
		    delta(p->softirq, c->softirq)) * 100.0 / d;
	r->vm.id = delta(p->idle, c->idle) * 100.0 / d;
	r->vm.wa = delta(p->iowait, c->iowait) * 100.0 / d;
	r->vm.st = delta(p->steal, c->steal) * 100.0 / d;
	r->vm.in_per_s = per_s(a->stat.intr, b->stat.intr, itv_ms);
	r->vm.cs_per_s = per_s(a->stat.ctxt, b->stat.ctxt, itv_ms);
}

static void compute_memory(struct check_result *r, const struct snapshot *a,
			   const struct snapshot *b, double itv_ms)
{
	const struct procfs_meminfo *m = &b->mem;
	struct check_memory *o = &r->mem;
	long page_kb = sysconf(_SC_PAGESIZE) / 1024;

	if (page_kb <= 0)
		page_kb = 4;
	if (b->mem_ok) {
		/* free(1) of procps 4: used = total - available; buff/cache = Buffers +
		 * Cached + SReclaimable */
		o->total_kb = m->mem_total;
		o->free_kb = m->mem_free;
		o->available_kb = m->mem_available;
		o->used_kb = m->mem_total > m->mem_available ? m->mem_total - m->mem_available : 0;
		o->shared_kb = m->shmem;
		o->buffers_kb = m->buffers;
		o->cache_kb = m->cached + m->sreclaimable;
		o->page_cache_kb = m->cached;
		o->dirty_kb = m->dirty;
		o->writeback_kb = m->writeback;
		o->swap_total_kb = m->swap_total;
		o->swap_free_kb = m->swap_free;
		o->swap_used_kb = m->swap_total > m->swap_free ? m->swap_total - m->swap_free : 0;
		o->available_pct = m->mem_total ? m->mem_available * 100.0 / m->mem_total : 0;
	}
	if (a->vm_ok && b->vm_ok) {
		r->vm.si_kb_per_s = per_s(a->vm.pswpin, b->vm.pswpin, itv_ms) * page_kb;
		r->vm.so_kb_per_s = per_s(a->vm.pswpout, b->vm.pswpout, itv_ms) * page_kb;
		r->vm.bi_kb_per_s = per_s(a->vm.pgpgin, b->vm.pgpgin, itv_ms);
		r->vm.bo_kb_per_s = per_s(a->vm.pgpgout, b->vm.pgpgout, itv_ms);
		r->vm.majflt_per_s = per_s(a->vm.pgmajfault, b->vm.pgmajfault, itv_ms);
		r->vm.pgscan_per_s = per_s(a->vm.pgscan_kswapd + a->vm.pgscan_direct,
					   b->vm.pgscan_kswapd + b->vm.pgscan_direct, itv_ms);
		r->vm.allocstall_per_s = per_s(a->vm.allocstall, b->vm.allocstall, itv_ms);
		r->vm.oom_kills = delta(a->vm.oom_kill, b->vm.oom_kill);
	}
}

static void compute_nics(struct check_result *r, const struct snapshot *a,
			 const struct snapshot *b, double itv_ms)
{
	r->nnics = 0;
	for (unsigned i = 0; i < b->nnet && r->nnics < CHECK_MAX_NICS; i++) {
		const struct procfs_netdev *c = &b->net[i], *p = NULL;
		const struct nic_driver *dc = &b->drv[i], *dp = NULL;
		struct check_nic *o;

		for (unsigned k = 0; k < a->nnet; k++)
			if (strcmp(a->net[k].name, c->name) == 0) {
				p = &a->net[k];
				dp = &a->drv[k];
			}
		if (!p)
			continue;
		o = &r->nics[r->nnics++];
		memset(o, 0, sizeof(*o));
		set_str(o->name, sizeof(o->name), c->name);
		/* b ends a window: take_snapshot read the link */
		o->speed_mbps = dc->link_read ? dc->speed_mbps : -1;
		o->full_duplex = dc->link_read && dc->full_duplex;
		o->rxpck_per_s = per_s(p->rx_packets, c->rx_packets, itv_ms);
		o->txpck_per_s = per_s(p->tx_packets, c->tx_packets, itv_ms);
		double rxb = per_s(p->rx_bytes, c->rx_bytes, itv_ms);
		double txb = per_s(p->tx_bytes, c->tx_bytes, itv_ms);
		o->rxkb_per_s = rxb / 1024;
		o->txkb_per_s = txb / 1024;
		o->rxcmp_per_s = per_s(p->rx_compressed, c->rx_compressed, itv_ms);
		o->txcmp_per_s = per_s(p->tx_compressed, c->tx_compressed, itv_ms);
		o->rxmcst_per_s = per_s(p->rx_multicast, c->rx_multicast, itv_ms);
		o->ifutil_pct = check_ifutil(rxb, txb, o->speed_mbps, o->full_duplex);
		o->rxerr_per_s = per_s(p->rx_errs, c->rx_errs, itv_ms);
		o->txerr_per_s = per_s(p->tx_errs, c->tx_errs, itv_ms);
		o->coll_per_s = per_s(p->tx_colls, c->tx_colls, itv_ms);
		o->rxdrop_per_s = per_s(p->rx_drop, c->rx_drop, itv_ms);
		o->txdrop_per_s = per_s(p->tx_drop, c->tx_drop, itv_ms);
		o->txcarr_per_s = per_s(p->tx_carrier, c->tx_carrier, itv_ms);
		o->rxfram_per_s = per_s(p->rx_frame, c->rx_frame, itv_ms);
		o->rxfifo_per_s = per_s(p->rx_fifo, c->rx_fifo, itv_ms);
		o->txfifo_per_s = per_s(p->tx_fifo, c->tx_fifo, itv_ms);
		if (dc->ring_ok) {
			o->ring = true;
			o->rx_ring = dc->ring.rx_pending;
			o->rx_ring_max = dc->ring.rx_max_pending;
			o->tx_ring = dc->ring.tx_pending;
			o->tx_ring_max = dc->ring.tx_max_pending;
		}
		if (dc->stats_ok && dp && dp->stats_ok) {
			double best = -1;
			o->driver_stats = true;
			for (unsigned k = 0; k < dc->nloss; k++) {
				uint64_t before = 0;
				for (unsigned m = 0; m < dp->nloss; m++)
					if (strcmp(dp->loss_name[m], dc->loss_name[k]) == 0)
						before = dp->loss_value[m];
				double rate = per_s(before, dc->loss_value[k], itv_ms);
				o->rx_missed_total += dc->loss_value[k];
				o->rx_missed_per_s += rate;
				if (rate > best) {
					best = rate;
					snprintf(o->rx_missed_name, sizeof(o->rx_missed_name), "%s",
						 dc->loss_name[k]);
				}
			}
		} else if (strcmp(c->name, "lo") != 0) {
			snprintf(o->note, sizeof(o->note), "no driver statistics (%s)",
				 dc->stats_errno == EOPNOTSUPP ? "not offered by the driver, a virtual NIC?"
							       : strerror(dc->stats_errno));
		}
	}
	/* softnet_stat: per CPU, summed; the worst CPU named */
	struct check_softnet *sn = &r->softnet;
	double worst = 0;
	memset(sn, 0, sizeof(*sn));
	sn->worst_cpu = -1;
	for (unsigned i = 0; i < b->nsoftnet; i++) {
		const struct procfs_softnet *c = &b->softnet[i], *p = NULL;
		for (unsigned k = 0; k < a->nsoftnet; k++)
			if (a->softnet[k].cpu == c->cpu)
				p = &a->softnet[k];
		sn->dropped_total += c->dropped;
		sn->squeezed_total += c->time_squeeze;
		if (!p)
			continue;
		sn->processed_per_s += per_s(p->processed, c->processed, itv_ms);
		double bad = per_s(p->dropped, c->dropped, itv_ms) +
			     per_s(p->time_squeeze, c->time_squeeze, itv_ms);
		sn->dropped_per_s += per_s(p->dropped, c->dropped, itv_ms);
		sn->squeezed_per_s += per_s(p->time_squeeze, c->time_squeeze, itv_ms);
		if (bad > worst) {
			worst = bad;
			sn->worst_cpu = (int)c->cpu;
		}
	}
}

static double per_s_i(int64_t prev, int64_t cur, double itv_ms)
{
	return prev >= 0 && cur >= prev && itv_ms > 0 ? (double)(cur - prev) * 1000.0 / itv_ms : 0;
}

static uint64_t delta_i(int64_t prev, int64_t cur)
{
	return prev >= 0 && cur >= prev ? (uint64_t)(cur - prev) : 0;
}

static void compute_tcp(struct check_result *r, const struct snapshot *a,
			const struct snapshot *b, double itv_ms)
{
	const struct procfs_tcp *p = &a->tcp, *c = &b->tcp;
	struct check_tcp *o = &r->tcp;

	memset(o, 0, sizeof(*o));
	r->tcp_ok = a->tcp_ok && b->tcp_ok;
	if (!r->tcp_ok)
		return;
	o->active_per_s = per_s_i(p->active_opens, c->active_opens, itv_ms);
	o->passive_per_s = per_s_i(p->passive_opens, c->passive_opens, itv_ms);
	o->iseg_per_s = per_s_i(p->in_segs, c->in_segs, itv_ms);
	o->oseg_per_s = per_s_i(p->out_segs, c->out_segs, itv_ms);
	o->atmptf_per_s = per_s_i(p->attempt_fails, c->attempt_fails, itv_ms);
	o->estres_per_s = per_s_i(p->estab_resets, c->estab_resets, itv_ms);
	o->retrans_per_s = per_s_i(p->retrans_segs, c->retrans_segs, itv_ms);
	o->isegerr_per_s = per_s_i(p->in_errs, c->in_errs, itv_ms);
	o->orsts_per_s = per_s_i(p->out_rsts, c->out_rsts, itv_ms);
	o->retrans_pct = o->oseg_per_s > 0 ? o->retrans_per_s * 100 / o->oseg_per_s : 0;
	o->curr_estab = c->curr_estab;
	o->tcpext = c->listen_overflows >= 0;
	o->listen_overflows = delta_i(p->listen_overflows, c->listen_overflows);
	o->listen_drops = delta_i(p->listen_drops, c->listen_drops);
	o->lost_retransmit = delta_i(p->lost_retransmit, c->lost_retransmit);
	o->timeouts = delta_i(p->timeouts, c->timeouts);
}

static void compute_load(struct check_result *r, const struct snapshot *a,
			 const struct snapshot *b, double itv_ms)
{
	struct check_load *l = &r->load;
	double share[5] = {0};

	/* the sample that ends b's snapshot, taken a moment ago */
	if (b->loadavg_ok) {
		l->avg1 = b->loadavg.avg1;
		l->avg5 = b->loadavg.avg5;
		l->avg15 = b->loadavg.avg15;
		l->tasks = b->loadavg.tasks;
	}
	l->runnable_avg = b->runnable_n ? b->runnable_sum / b->runnable_n : 0;
	l->runnable_max = b->runnable_max;
	l->blocked = (unsigned)b->stat.procs_blocked;
	l->ncpus = b->stat.ncpus;
	r->vm.r = l->runnable_avg;
	r->vm.b = l->blocked;
	/* PSI totals are microseconds stalled: the share of the window, in percent */
	l->psi = a->psi_ok[0] && b->psi_ok[0];
	const struct procfs_psi_line *pl[5][2] = {
		{&a->psi[0].some, &b->psi[0].some}, {&a->psi[1].some, &b->psi[1].some},
		{&a->psi[1].full, &b->psi[1].full}, {&a->psi[2].some, &b->psi[2].some},
		{&a->psi[2].full, &b->psi[2].full}};
	for (int i = 0; i < 5; i++) {
		int file = i == 0 ? 0 : i <= 2 ? 1 : 2;
		if (a->psi_ok[file] && b->psi_ok[file] && pl[i][0]->present && itv_ms > 0)
			share[i] = delta(pl[i][0]->total_us, pl[i][1]->total_us) / (itv_ms * 10.0);
		if (share[i] > 100)
			share[i] = 100;
	}
	l->psi_cpu_some_pct = share[0];
	l->psi_mem_some_pct = share[1];
	l->psi_mem_full_pct = share[2];
	l->psi_io_some_pct = share[3];
	l->psi_io_full_pct = share[4];
}

static const struct proc_sample *find_proc(const struct snapshot *s, pid_t pid)
{
	struct proc_sample key = {.pid = pid};

	if (!s->nprocs) /* bsearch's base is declared never null */
		return NULL;
	return bsearch(&key, s->procs, s->nprocs, sizeof(key), cmp_proc_pid);
}

static struct proc_sample *find_proc_mut(struct snapshot *s, pid_t pid)
{
	struct proc_sample key = {.pid = pid};

	if (!s->nprocs) /* bsearch's base is declared never null */
		return NULL;
	return bsearch(&key, s->procs, s->nprocs, sizeof(key), cmp_proc_pid);
}

static void read_wchan(const char *path, char *out, size_t size)
{
	char buf[128];

	if (procfs_read_record(path, buf, sizeof(buf)) <= 0 || procfs_parse_wchan(buf, out, size))
		snprintf(out, size, "%s", geteuid() == 0 ? "-" : "? (needs root)");
}

static void add_d_state(struct check_result *r, pid_t pid, pid_t tid, const char *comm)
{
	char path[96];

	r->nd_state++;
	if (r->nd_state > CHECK_MAX_DSTATE)
		return;
	struct check_proc *d = &r->d_state[r->nd_state - 1];
	memset(d, 0, sizeof(*d));
	d->pid = tid;
	d->state = 'D';
	set_str(d->comm, sizeof(d->comm), comm);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/wchan", (int)pid, (int)tid);
	read_wchan(path, d->wchan, sizeof(d->wchan));
}

/* D-state tasks: every process's main thread from the scan, and the other threads of
 * multi-threaded processes (a blocked worker thread is as telling as a process). */
static void scan_d_state(struct check_result *r, const struct snapshot *b)
{
	unsigned threads = 0;

	r->nd_state = 0;
	for (unsigned i = 0; i < b->nprocs; i++) {
		const struct proc_sample *p = &b->procs[i];
		if (p->state == 'D')
			add_d_state(r, p->pid, p->pid, p->comm);
		if (p->num_threads <= 1 || threads >= MAX_THREADS_SCANNED)
			continue;
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/task", (int)p->pid);
		DIR *dir = opendir(path);
		struct dirent *de;
		if (!dir)
			continue;
		while ((de = readdir(dir)) && threads < MAX_THREADS_SCANNED) {
			char spath[300], buf[1024];
			struct procfs_pid_stat ts;
			if (!all_digits(de->d_name) || atoi(de->d_name) == p->pid)
				continue;
			threads++;
			/* "TID/stat" relative to the task directory spares a path walk */
			snprintf(spath, sizeof(spath), "%s/stat", de->d_name);
			if (procfs_read_record_at(dirfd(dir), spath, buf, sizeof(buf)) > 0 &&
			    procfs_parse_pid_stat(buf, &ts) == 0 && ts.state == 'D')
				add_d_state(r, p->pid, ts.pid, ts.comm);
		}
		closedir(dir);
	}
	r->load.d_state = r->nd_state;
}

static void compute_procs(struct check_result *r, const struct snapshot *a,
			  const struct snapshot *b, double itv_ms)
{
	long hz = sysconf(_SC_CLK_TCK);
	double ticks = (hz > 0 ? hz : 100) * itv_ms / 1000.0;

	r->nprocs = 0;
	r->nprocs_scanned = b->nprocs;
	for (unsigned i = 0; i < b->nprocs; i++) {
		const struct proc_sample *c = &b->procs[i], *p = find_proc(a, c->pid);
		/* pidstat: only tasks present in both samples, and the same task (start time) */
		if (!p || p->starttime != c->starttime || ticks <= 0)
			continue;
		uint64_t du = delta(p->utime, c->utime), ds = delta(p->stime, c->stime);
		if (!du && !ds)
			continue;
		struct check_proc cp = {.pid = c->pid, .state = c->state};
		set_str(cp.comm, sizeof(cp.comm), c->comm);
		cp.usr_pct = du * 100.0 / ticks;
		cp.sys_pct = ds * 100.0 / ticks;
		cp.cpu_pct = cp.usr_pct + cp.sys_pct;
		/* insertion into the top list, busiest first */
		unsigned pos = r->nprocs;
		while (pos > 0 && r->procs[pos - 1].cpu_pct < cp.cpu_pct)
			pos--;
		if (pos >= CHECK_MAX_PROCS)
			continue;
		unsigned last = r->nprocs < CHECK_MAX_PROCS ? r->nprocs : CHECK_MAX_PROCS - 1;
		memmove(&r->procs[pos + 1], &r->procs[pos], (last - pos) * sizeof(cp));
		r->procs[pos] = cp;
		if (r->nprocs < CHECK_MAX_PROCS)
			r->nprocs++;
	}
}

/* --- kernel log --- */

/* The first rule that a line contains decides its kind (rules before others: a soft
 * lockup report starts "BUG: soft lockup"). */
static const struct {
	const char *needle;
	enum check_kmsg_kind kind;
} kmsg_rules[] = {
	/* one line per OOM kill ("Out of memory: Killed process", "Memory cgroup out
	 * of memory: Killed process"); the other lines of the report are context */
	{"Killed process", KMSG_OOM},
	{"blocked for more than", KMSG_HUNG},
	{"soft lockup", KMSG_LOCKUP},
	{"hard LOCKUP", KMSG_LOCKUP},
	{"detected stall", KMSG_LOCKUP},
	{"self-detected stall", KMSG_LOCKUP},
	{"I/O error", KMSG_IO_ERROR},
	{"critical medium error", KMSG_IO_ERROR},
	{"EXT4-fs error", KMSG_IO_ERROR},
	{"Remounting filesystem read-only", KMSG_IO_ERROR},
	{"timing out command", KMSG_IO_ERROR},
	{"NETDEV WATCHDOG", KMSG_NIC},
	{"Link is Down", KMSG_NIC},
	{"link is not ready", KMSG_NIC},
	{"Tx Unit Hang", KMSG_NIC},
	{"Reset adapter", KMSG_NIC},
	{"reset adapter", KMSG_NIC},
	{"transmit queue", KMSG_NIC},
	{" segfault at ", KMSG_SEGFAULT},
	{"general protection fault", KMSG_SEGFAULT},
	{"traps: ", KMSG_SEGFAULT},
	{"BUG: ", KMSG_OTHER},
	{"Oops: ", KMSG_OTHER},
	{"Kernel panic", KMSG_OTHER},
};
#define KMSG_NRULES (sizeof(kmsg_rules) / sizeof(kmsg_rules[0]))
_Static_assert(KMSG_NRULES <= 32, "rule sets are 32-bit masks");

/* Rules by a hash of their first two characters: one pass over a line finds every rule
 * it contains, where a strstr per rule made 24 passes (check classifies each of the
 * thousands of records in the kernel's buffer). */
#define KMSG_PAIRS 1024
static uint32_t kmsg_rules_at[KMSG_PAIRS];
static uint8_t kmsg_rule_len[KMSG_NRULES];
static pthread_once_t kmsg_rules_once = PTHREAD_ONCE_INIT;

static unsigned kmsg_pair(const char *p)
{
	return ((unsigned char)p[0] * 31u + (unsigned char)p[1]) % KMSG_PAIRS;
}

static void kmsg_rules_index(void)
{
	for (unsigned i = 0; i < KMSG_NRULES; i++) {
		kmsg_rule_len[i] = (uint8_t)strlen(kmsg_rules[i].needle); /* all are >= 2 */
		kmsg_rules_at[kmsg_pair(kmsg_rules[i].needle)] |= 1u << i;
	}
}

enum check_kmsg_kind check_kmsg_classify(const char *t)
{
	size_t n = strlen(t);
	unsigned best = KMSG_NRULES;

	pthread_once(&kmsg_rules_once, kmsg_rules_index);
	for (size_t i = 0; i + 1 < n && best > 0; i++) {
		uint32_t m = kmsg_rules_at[kmsg_pair(t + i)];
		/* lowest rule first; one below the best found so far can still win */
		for (; m; m &= m - 1) {
			unsigned r = (unsigned)__builtin_ctz(m);
			if (r >= best)
				break;
			if (kmsg_rule_len[r] <= n - i &&
			    memcmp(t + i, kmsg_rules[r].needle, kmsg_rule_len[r]) == 0) {
				best = r;
				break;
			}
		}
	}
	return best < KMSG_NRULES ? kmsg_rules[best].kind : KMSG_KINDS;
}

const char *check_kmsg_kind_name(enum check_kmsg_kind k)
{
	static const char *const names[KMSG_KINDS] = {"oom_kill", "hung_task", "lockup",
						      "io_error", "nic",      "segfault",
						      "kernel_bug"};
	return k < KMSG_KINDS ? names[k] : "none";
}

/* Reads every record in the kernel's buffer without consuming it: each open file of
 * /dev/kmsg has its own position, and O_NONBLOCK ends the loop at the newest record. */
static void read_kmsg(struct check_kmsg *k)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	char rec[8192];
	uint64_t now_us = cli_now_ns() / 1000;
	unsigned ring = 0;

	memset(k, 0, sizeof(*k));
	if (fd < 0)
		return;
	k->readable = true;
	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);
		struct procfs_kmsg m;
		if (n < 0 && errno == EPIPE)
			continue; /* overwritten while we read: the next read resyncs */
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		rec[n] = 0;
		if (procfs_parse_kmsg(rec, (size_t)n, &m))
			continue;
		enum check_kmsg_kind kind = check_kmsg_classify(m.text);
		if (kind == KMSG_KINDS)
			continue;
		double age = now_us > m.ts_usec ? (now_us - m.ts_usec) / 1e6 : 0;
		k->counts[kind]++;
		if (age <= T.kmsg_recent_s)
			k->recent_counts[kind]++;
		/* keep the newest lines: a ring, unrolled when printing */
		struct check_kmsg_line *l = &k->lines[ring % CHECK_MAX_KMSG];
		l->kind = kind;
		l->age_s = age;
		set_str(l->text, sizeof(l->text), m.text);
		ring++;
	}
	close(fd);
	k->nlines = ring < CHECK_MAX_KMSG ? ring : CHECK_MAX_KMSG;
	if (ring > CHECK_MAX_KMSG) { /* rotate so that lines[0] is the oldest kept */
		struct check_kmsg_line tmp[CHECK_MAX_KMSG];
		for (unsigned i = 0; i < CHECK_MAX_KMSG; i++)
			tmp[i] = k->lines[(ring + i) % CHECK_MAX_KMSG];
		memcpy(k->lines, tmp, sizeof(tmp));
	}
}

/* --- readings --- */

static void note(struct check_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void note(struct check_result *r, const char *fmt, ...)
{
	va_list ap;

	if (r->nnotes >= CHECK_MAX_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(r->notes[r->nnotes++], sizeof(r->notes[0]), fmt, ap);
	va_end(ap);
}

static void flag(struct check_result *r, const char *id, const char *subject, const char *dig,
		 const char *cases, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void flag(struct check_result *r, const char *id, const char *subject, const char *dig,
		 const char *cases, const char *fmt, ...)
{
	va_list ap;
	struct check_flag *f;

	if (r->nflags >= CHECK_MAX_FLAGS)
		return;
	f = &r->flags[r->nflags++];
	set_str(f->id, sizeof(f->id), id);
	set_str(f->subject, sizeof(f->subject), subject ? subject : "");
	set_str(f->dig, sizeof(f->dig), dig);
	f->cases = cases;
	va_start(ap, fmt);
	vsnprintf(f->reason, sizeof(f->reason), fmt, ap);
	va_end(ap);
}

/* Devices whose reads are counted again below them (loop over a file, device mapper,
 * md) or that are memory (zram, ram): their traffic would count twice, or is no disk
 * I/O at all, in the page cache reading. */
static bool is_layered_disk(const char *name)
{
	static const char *const prefixes[] = {"loop", "dm-", "md", "zram", "ram"};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}

static void read_disks(struct check_result *r)
{
	double read_kb_per_s = 0;

	for (unsigned i = 0; i < r->ndisks; i++) {
		const struct check_disk *d = &r->disks[i];
		double iops = d->r_per_s + d->w_per_s;
		bool r_slow = d->r_per_s >= T.disk_min_iops && d->r_await_ms > T.disk_await_ms;
		bool w_slow = d->w_per_s >= T.disk_min_iops && d->w_await_ms > T.disk_await_ms;
		double size_kb = iops > 0 ? (d->rkb_per_s + d->wkb_per_s) / iops : 0;

		if (!is_layered_disk(d->name))
			read_kb_per_s += d->rkb_per_s;
		if (r_slow || w_slow) {
			double await = r_slow ? d->r_await_ms : d->w_await_ms;
			const char *dir = r_slow ? "r_await" : "w_await";
			if (d->aqu_sz >= T.disk_queue_long)
				flag(r, "disk_saturated", d->name, "biolatency -D -Q", "C1",
				     "%s: %s %.0f ms with a long queue (aqu-sz %.1f, %%util %.0f, %.0f KB I/O): saturated, I/O waits in line",
				     d->name, dir, await, d->aqu_sz, d->util_pct, size_kb);
			else
				flag(r, "disk_latency", d->name, "biolatency -D", "C2",
				     "%s: %s %.0f ms with a short queue (aqu-sz %.2f, %.0f KB I/O): the device itself is slow, not loaded",
				     d->name, dir, await, d->aqu_sz, size_kb);
		} else if (d->util_pct >= T.disk_util_busy_pct && d->aqu_sz >= T.disk_queue_long) {
			flag(r, "disk_saturated", d->name, "biolatency -D -Q", "C1",
			     "%s: %%util %.0f with aqu-sz %.1f: busy all the window and queueing",
			     d->name, d->util_pct, d->aqu_sz);
		}
		if (d->util_pct >= 50 && iops >= 100 && size_kb > 0 && size_kb < T.io_small_kb)
			flag(r, "disk_small_io", d->name, "bitesize", "C1",
			     "%s: %.0f I/O per second of %.1f KB on average: many small I/Os keep it %.0f%% busy",
			     d->name, iops, size_kb, d->util_pct);
	}
	/* C1: the page cache turns over faster than the data is re-read */
	double cache_kb = (double)r->mem.page_cache_kb;
	if (read_kb_per_s >= T.cache_read_kb_per_s && cache_kb > 0 &&
	    cache_kb / read_kb_per_s < T.cache_turnover_s)
		flag(r, "page_cache_small", "", "cachestat", "C1",
		     "reading %.0f MB/s from disk with %.0f MB of page cache: the cache turns over every %.0f s; a working set larger than that misses",
		     read_kb_per_s / 1024, cache_kb / 1024, cache_kb / read_kb_per_s);
}

static void read_cpus(struct check_result *r)
{
	unsigned n = r->ncpus;

	if (r->load.runnable_avg > T.runq_per_cpu * (n ? n : 1))
		flag(r, "runqueue", "", "runqlat", "C13",
		     "%.1f runnable tasks on average (max %u) for %u CPUs: tasks wait for a CPU",
		     r->load.runnable_avg, r->load.runnable_max, n);
	if (r->all.steal_pct >= T.steal_pct)
		flag(r, "cpu_steal", "", "runqlat", "C13",
		     "%%steal %.1f: the hypervisor runs others on our CPUs", r->all.steal_pct);
	if (n < 2)
		return;
	for (unsigned i = 0; i < n; i++) {
		const struct check_cpu *c = &r->cpus[i];
		double soft_others = 0, irq_others = 0, busy_others = 0;
		for (unsigned k = 0; k < n; k++) {
			if (k == i)
				continue;
			soft_others += r->cpus[k].soft_pct;
			irq_others += r->cpus[k].irq_pct;
			busy_others += 100 - r->cpus[k].idle_pct - r->cpus[k].iowait_pct;
		}
		soft_others /= n - 1;
		irq_others /= n - 1;
		busy_others /= n - 1;
		char subject[16];
		snprintf(subject, sizeof(subject), "cpu%d", c->cpu);
		if (c->soft_pct >= T.cpu_soft_pct && c->soft_pct >= T.cpu_soft_ratio * soft_others)
			flag(r, "cpu_softirq_hot", subject, "softirqs", "C4 C8",
			     "CPU %d spends %.0f%% in softirq, the others %.1f%% on average: its softirq work (NET_RX %.0f/s) delays what runs there",
			     c->cpu, c->soft_pct, soft_others, c->softirq_net_rx_per_s);
		if (c->irq_pct >= T.cpu_soft_pct && c->irq_pct >= T.cpu_soft_ratio * irq_others)
			flag(r, "cpu_irq_hot", subject, "hardirqs", "C4 C8",
			     "CPU %d spends %.0f%% in hard interrupts, the others %.1f%%: spread the IRQs (smp_affinity)",
			     c->cpu, c->irq_pct, irq_others);
		double busy = 100 - c->idle_pct - c->iowait_pct;
		if (busy >= T.cpu_hot_pct && busy_others < T.cpu_cool_pct)
			flag(r, "cpu_single_hot", subject, "profile -C", "C13",
			     "CPU %d is %.0f%% busy while the others average %.0f%%: one thread or one IRQ does the work",
			     c->cpu, busy, busy_others);
	}
}

static void read_memory(struct check_result *r)
{
	const struct check_memory *m = &r->mem;

	if (r->vm.si_kb_per_s >= T.swap_kb_per_s || r->vm.so_kb_per_s >= T.swap_kb_per_s)
		flag(r, "swapping", "", "offcputime", "C1",
		     "swap-in %.0f kB/s, swap-out %.0f kB/s: memory is short and tasks wait for swap",
		     r->vm.si_kb_per_s, r->vm.so_kb_per_s);
	if (m->total_kb && m->available_pct < T.mem_available_pct)
		flag(r, "memory_low", "", "oomkill", "C12",
		     "MemAvailable %.0f MB is %.1f%% of %.0f MB: reclaim and OOM kills come next",
		     m->available_kb / 1024.0, m->available_pct, m->total_kb / 1024.0);
	if (r->vm.oom_kills)
		flag(r, "oom_kill", "", "oomkill", "C12", "%llu OOM kill(s) during the window",
		     (unsigned long long)r->vm.oom_kills);
	if (r->load.psi_mem_some_pct >= T.psi_mem_some_pct)
		flag(r, "memory_pressure", "", "cachestat", "C1 C12",
		     "tasks stalled on memory %.0f%% of the window (PSI): reclaim or refaults slow them",
		     r->load.psi_mem_some_pct);
}

static void read_network(struct check_result *r)
{
	for (unsigned i = 0; i < r->nnics; i++) {
		const struct check_nic *n = &r->nics[i];
		/* /proc/net/dev's drop column already holds rx_missed_errors, and a driver's
		 * own counters overlap both: the larger view, not the sum */
		double kernel_view = n->rxdrop_per_s + n->rxfifo_per_s;
		double loss = kernel_view > n->rx_missed_per_s ? kernel_view : n->rx_missed_per_s;
		char driver[96] = "";
		if (n->driver_stats && n->rx_missed_name[0])
			snprintf(driver, sizeof(driver), ", driver %s %.0f/s", n->rx_missed_name,
				 n->rx_missed_per_s);
		if (loss < T.nic_loss_per_s)
			continue;
		if (n->ring && n->rx_ring < n->rx_ring_max)
			flag(r, "nic_ring_overflow", n->name, "nicstat", "C4",
			     "%s: %.0f received packets/s lost (rx_drop %.0f/s, rx_fifo %.0f/s%s) with the rx ring at %u of max %u: raise it (ethtool -G %s rx %u) and find what delays NET_RX softirq",
			     n->name, loss, n->rxdrop_per_s, n->rxfifo_per_s, driver, n->rx_ring,
			     n->rx_ring_max, n->name, n->rx_ring_max);
		else
			flag(r, "nic_drops", n->name, "nicstat", "C4 C10",
			     "%s: %.0f received packets/s lost (rx_drop %.0f/s, rx_fifo %.0f/s%s)%s",
			     n->name, loss, n->rxdrop_per_s, n->rxfifo_per_s, driver,
			     n->ring ? "; the rx ring is already at its maximum"
				     : "; the driver gives no ring sizes");
	}
	if (r->softnet.dropped_per_s + r->softnet.squeezed_per_s >= T.softnet_per_s) {
		char subject[16];
		snprintf(subject, sizeof(subject), "cpu%d", r->softnet.worst_cpu);
		flag(r, "softnet_backlog", subject, "softirqs", "C4 C8",
		     "softnet: %.0f drops/s and %.0f time_squeeze/s (worst CPU %d): NET_RX softirq cannot keep up",
		     r->softnet.dropped_per_s, r->softnet.squeezed_per_s, r->softnet.worst_cpu);
	}
	if (r->tcp_ok && r->tcp.retrans_per_s >= T.retrans_per_s && r->tcp.retrans_pct >= T.retrans_pct)
		flag(r, "tcp_retrans", "", "tcpretrans", "C4",
		     "%.0f TCP retransmits/s, %.1f%% of %.0f segments sent: loss on the path or at a receiver",
		     r->tcp.retrans_per_s, r->tcp.retrans_pct, r->tcp.oseg_per_s);
	double itv_s = r->window_ms / 1000.0;
	if (r->tcp_ok && itv_s > 0 &&
	    (r->tcp.listen_overflows + r->tcp.listen_drops) / itv_s >= T.listen_drop_per_s)
		flag(r, "tcp_listen_drops", "", "tcpdrop", "C4",
		     "%llu listen queue overflows, %llu listen drops in %.1f s: a server accepts too slowly (backlog)",
		     (unsigned long long)r->tcp.listen_overflows, (unsigned long long)r->tcp.listen_drops,
		     itv_s);
}

static void read_tasks(struct check_result *r)
{
	if (r->nd_state >= T.d_state_tasks) {
		char who[120] = "";
		size_t len = 0;
		for (unsigned i = 0; i < r->nd_state && i < 3 && i < CHECK_MAX_DSTATE; i++) {
			int k = snprintf(who + len, sizeof(who) - len, "%s%s in %s", i ? ", " : "",
					 r->d_state[i].comm, r->d_state[i].wchan);
			if (k < 0 || (size_t)k >= sizeof(who) - len) {
				who[len] = '\0'; /* whole names only; the count says how many */
				break;
			}
			len += (size_t)k;
		}
		flag(r, "d_state", "", "offcputime", "C12 C13",
		     "%u task(s) in uninterruptible sleep (%s): they count in the load average without using CPU",
		     r->nd_state, who);
	}
	if (r->load.avg1 > r->ncpus && r->nd_state > 0 &&
	    r->load.runnable_avg < r->ncpus)
		flag(r, "load_not_cpu", "", "offcputime", "C13",
		     "load %.2f above %u CPUs while only %.1f tasks are runnable: D-state tasks raise it, not CPU demand",
		     r->load.avg1, r->ncpus, r->load.runnable_avg);
	if (r->load.psi_io_full_pct >= T.psi_io_full_pct)
		flag(r, "io_pressure", "", "biolatency -D", "C1 C2",
		     "all non-idle tasks stalled on I/O %.0f%% of the window (PSI io full)",
		     r->load.psi_io_full_pct);
	/* the command that digs deeper into each kind of kernel log line */
	static const char *const dig[KMSG_KINDS] = {"oomkill",  "offcputime", "profile -C",
						    "biosnoop", "nicstat",    "sigsnoop",
						    "doctor"};
	for (int k = 0; k < KMSG_KINDS; k++) {
		if (!r->kmsg.recent_counts[k])
			continue;
		char id[32];
		snprintf(id, sizeof(id), "kernel_log_%s", check_kmsg_kind_name(k));
		flag(r, id, "", dig[k], "C12", "kernel log: %u %s line(s) in the last %.0f min",
		     r->kmsg.recent_counts[k], check_kmsg_kind_name(k), T.kmsg_recent_s / 60);
	}
}

void check_readings(struct check_result *r)
{
	r->nflags = 0;
	read_disks(r);
	read_cpus(r);
	read_memory(r);
	read_network(r);
	read_tasks(r);
}

/* --- the collector --- */

static void compute_all(struct check_result *r, struct snapshot *a, struct snapshot *b,
			const struct check_options *o)
{
	double itv_ms = (b->t_ns - a->t_ns) / 1e6;

	r->window_ms = (unsigned)(itv_ms + 0.5);
	r->root = geteuid() == 0;
	r->show_all = o->all_devices;
	compute_load(r, a, b, itv_ms);
	compute_cpus(r, a, b, itv_ms);
	compute_disks(r, a, b, itv_ms, o);
	compute_memory(r, a, b, itv_ms);
	compute_nics(r, a, b, itv_ms);
	compute_tcp(r, a, b, itv_ms);
	compute_procs(r, a, b, itv_ms);
	scan_d_state(r, b);
	read_kmsg(&r->kmsg);
	r->nnotes = 0;
	if (!r->load.psi)
		note(r, "no PSI: /proc/pressure is missing (kernel without CONFIG_PSI or psi=0)");
	if (!r->kmsg.readable)
		note(r, "kernel log skipped: /dev/kmsg needs root (or CAP_SYSLOG with dmesg_restrict)");
	if (!r->root)
		note(r, "not root: wchan of other users' tasks is hidden");
	if (!b->sirq_ok)
		note(r, "no /proc/softirqs");
	if (!r->tcp_ok)
		note(r, "no TCP counters (/proc/net/snmp)");
	if (b->disks_dropped)
		note(r, "%u block devices beyond the first %d not shown", b->disks_dropped, MAX_DISK_LINES);
	if (b->nets_dropped)
		note(r, "%u interfaces beyond the first %d not shown", b->nets_dropped, CHECK_MAX_NICS);
	if (b->stat.cpus_dropped)
		note(r, "%u CPUs beyond %d not shown", b->stat.cpus_dropped, CHECK_MAX_CPUS);
	check_readings(r);
}

struct collect_state {
	struct snapshot *a, *b;
	struct check_options opts;
};

int check_collect_opts(struct check_result *r, unsigned window_ms,
		       const struct check_options *opts)
{
	struct snapshot *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	uint64_t end;
	int rc = -1;

	if (!a || !b)
		goto out;
	memset(r, 0, sizeof(*r));
	take_snapshot(a, NULL);
	if (!a->stat.ncpus && !a->stat.total.user && !a->stat.total.idle)
		goto out; /* no /proc */
	end = a->t_ns + (uint64_t)window_ms * 1000000ull;
	b->runnable_sum = a->runnable_sum;
	b->runnable_n = a->runnable_n;
	b->runnable_max = a->runnable_max;
	for (uint64_t now; (now = cli_now_ns()) < end;) {
		uint64_t left = end - now, step = RUNNABLE_SAMPLE_NS;
		struct timespec ts;
		if (left < step)
			step = left;
		ts.tv_sec = step / 1000000000ull;
		ts.tv_nsec = step % 1000000000ull;
		nanosleep(&ts, NULL);
		if (cli_now_ns() < end)
			sample_runnable(b);
	}
	take_snapshot(b, a);
	compute_all(r, a, b, opts);
	rc = 0;
out:
	if (a)
		snapshot_free(a);
	if (b)
		snapshot_free(b);
	free(a);
	free(b);
	return rc;
}

int check_collect(struct check_result *r, unsigned window_ms)
{
	static const struct check_options defaults;
	return check_collect_opts(r, window_ms, &defaults);
}

/* --- printing: text --- */

static const char *human_age(double s, char *buf, size_t size)
{
	if (s < 120)
		snprintf(buf, size, "%.0fs", s);
	else if (s < 7200)
		snprintf(buf, size, "%.0fm", s / 60);
	else if (s < 172800)
		snprintf(buf, size, "%.1fh", s / 3600);
	else
		snprintf(buf, size, "%.0fd", s / 86400);
	return buf;
}

static bool disk_active(const struct check_disk *d)
{
	return d->r_per_s > 0 || d->w_per_s > 0 || d->d_per_s > 0 || d->f_per_s > 0 ||
	       d->util_pct > 0;
}

static bool nic_active(const struct check_nic *n)
{
	return n->rxpck_per_s > 0 || n->txpck_per_s > 0 || n->rxdrop_per_s > 0 ||
	       n->rx_missed_per_s > 0 || n->rxerr_per_s > 0;
}

static void print_cpus(const struct check_result *r, FILE *f)
{
	/* on big machines show the 8 busiest CPUs; JSON has them all */
	unsigned order[CHECK_MAX_CPUS], n = r->ncpus, shown = n <= 8 ? n : 8;

	for (unsigned i = 0; i < n; i++)
		order[i] = i;
	if (n > 8)
		for (unsigned i = 0; i < shown; i++)
			for (unsigned k = i + 1; k < n; k++)
				if (r->cpus[order[k]].idle_pct < r->cpus[order[i]].idle_pct) {
					unsigned t = order[i];
					order[i] = order[k];
					order[k] = t;
				}
	fprintf(f, "CPU     %%usr  %%nice  %%sys %%iowait  %%irq %%soft %%steal %%guest %%idle   softirq/s  NET_RX/s   TIMER/s\n");
	const struct check_cpu *rows[CHECK_MAX_CPUS + 1];
	rows[0] = &r->all;
	for (unsigned i = 0; i < shown; i++)
		rows[i + 1] = &r->cpus[order[i]];
	for (unsigned i = 0; i <= shown; i++) {
		const struct check_cpu *c = rows[i];
		char name[8];
		if (i == 0)
			snprintf(name, sizeof(name), "all");
		else
			snprintf(name, sizeof(name), "%d", c->cpu);
		fprintf(f, "%-5s %6.1f %6.1f %5.1f %7.1f %5.1f %5.1f %6.1f %6.1f %5.1f", name,
			c->usr_pct, c->nice_pct, c->sys_pct, c->iowait_pct, c->irq_pct, c->soft_pct,
			c->steal_pct, c->guest_pct, c->idle_pct);
		if (i == 0)
			fprintf(f, "\n");
		else
			fprintf(f, " %11.0f %9.0f %9.0f\n", c->softirq_total_per_s,
				c->softirq_net_rx_per_s, c->softirq_timer_per_s);
	}
	if (n > shown)
		fprintf(f, "      (%u more CPUs, less busy; --json lists all)\n", n - shown);
}

/* Marks in keep[] the rows to print: all of them with -a, else the `limit` busiest of
 * the active ones (score > 0), so that a host with many devices stays on one screen.
 * Rows keep their kernel order. Returns how many active rows were left out. */
static unsigned pick_rows(const double *score, unsigned n, unsigned limit, bool all, bool *keep)
{
	unsigned active = 0, kept = 0;

	for (unsigned i = 0; i < n; i++) {
		keep[i] = all || score[i] > 0;
		active += keep[i];
	}
	if (all || active <= limit)
		return 0;
	for (unsigned i = 0; i < n; i++) {
		unsigned busier = 0;
		if (!keep[i])
			continue;
		for (unsigned k = 0; k < n && busier < limit; k++)
			if (score[k] > score[i] || (score[k] == score[i] && k < i && score[k] > 0))
				busier++;
		keep[i] = busier < limit && kept < limit;
		kept += keep[i];
	}
	return active - kept;
}

static void print_disks(const struct check_result *r, FILE *f, bool all)
{
	double score[CHECK_MAX_DISKS] = {0}; /* gcc -O2 cannot see the loop fills it */
	bool keep[CHECK_MAX_DISKS];
	unsigned shown = 0, more;

	for (unsigned i = 0; i < r->ndisks; i++)
		score[i] = disk_active(&r->disks[i])
				   ? r->disks[i].util_pct * 1000 + r->disks[i].r_per_s + r->disks[i].w_per_s + 1
				   : 0;
	more = pick_rows(score, r->ndisks, 10, all, keep);
	for (unsigned i = 0; i < r->ndisks; i++) {
		const struct check_disk *d = &r->disks[i];
		if (!keep[i])
			continue;
		if (!shown++)
			fprintf(f, "DISK            r/s     w/s    rkB/s    wkB/s rareq-sz wareq-sz r_await w_await  aqu-sz  %%util\n");
		fprintf(f, "%-12.12s %6.1f %7.1f %8.1f %8.1f %8.1f %8.1f %7.2f %7.2f %7.2f %6.1f\n",
			d->name, d->r_per_s, d->w_per_s, d->rkb_per_s, d->wkb_per_s, d->rareq_kb,
			d->wareq_kb, d->r_await_ms, d->w_await_ms, d->aqu_sz, d->util_pct);
	}
	if (more)
		fprintf(f, "       (%u more active devices, less busy; -a or --json lists all)\n", more);
	if (!shown)
		fprintf(f, "DISK   no disk did I/O in the window (%u devices)\n", r->ndisks);
}

static void print_nics(const struct check_result *r, FILE *f, bool all)
{
	double score[CHECK_MAX_NICS] = {0}; /* gcc -O2 cannot see the loop fills it */
	bool keep[CHECK_MAX_NICS];
	unsigned shown = 0, more;

	for (unsigned i = 0; i < r->nnics; i++) {
		const struct check_nic *n = &r->nics[i];
		score[i] = nic_active(n) ? n->rxpck_per_s + n->txpck_per_s + 1 +
					   1000 * (n->rxdrop_per_s + n->rx_missed_per_s + n->rxerr_per_s)
					 : 0;
	}
	more = pick_rows(score, r->nnics, 8, all, keep);
	for (unsigned i = 0; i < r->nnics; i++) {
		const struct check_nic *n = &r->nics[i];
		char ring[24] = "-", util[12] = "-";
		if (!keep[i])
			continue;
		if (!shown++)
			fprintf(f, "NIC         rxpck/s  txpck/s   rxkB/s   txkB/s %%ifutil rxerr/s rxdrop/s txdrop/s rxfifo/s drvloss/s rx ring\n");
		if (n->ring)
			snprintf(ring, sizeof(ring), "%u/%u", n->rx_ring, n->rx_ring_max);
		if (n->speed_mbps > 0)
			snprintf(util, sizeof(util), "%.2f", n->ifutil_pct);
		fprintf(f, "%-10.10s %8.1f %8.1f %8.1f %8.1f %7s %7.1f %8.1f %8.1f %8.1f ", n->name,
			n->rxpck_per_s, n->txpck_per_s, n->rxkb_per_s, n->txkb_per_s, util,
			n->rxerr_per_s, n->rxdrop_per_s, n->txdrop_per_s, n->rxfifo_per_s);
		if (n->driver_stats)
			fprintf(f, "%9.1f", n->rx_missed_per_s);
		else
			fprintf(f, "%9s", "n/a");
		fprintf(f, " %s\n", ring);
	}
	if (more)
		fprintf(f, "       (%u more active interfaces, less busy; -a or --json lists all)\n", more);
	if (!shown)
		fprintf(f, "NIC    no traffic in the window (%u interfaces)\n", r->nnics);
	fprintf(f, "softnet  processed %.0f/s  dropped %.0f/s  time_squeeze %.0f/s  (since boot: %llu dropped, %llu squeezed)\n",
		r->softnet.processed_per_s, r->softnet.dropped_per_s, r->softnet.squeezed_per_s,
		(unsigned long long)r->softnet.dropped_total,
		(unsigned long long)r->softnet.squeezed_total);
}

/* Appends item to line if the result still fits; returns whether it did. */
static bool append_fits(char *line, size_t size, const char *item)
{
	size_t len = strlen(line), n = strlen(item);

	if (len + n + 1 > size)
		return false;
	memcpy(line + len, item, n + 1);
	return true;
}

/* Prints text after prefix, breaking at blanks so that no line passes width columns;
 * continuation lines start with indent. */
static void print_wrapped(FILE *f, const char *prefix, const char *indent, const char *text,
			  size_t width)
{
	const char *p = text;
	const char *lead = prefix;

	while (*p) {
		size_t room = width - strlen(lead), n = strlen(p);
		if (n > room) {
			n = room;
			while (n > 0 && p[n] != ' ')
				n--;
			if (n == 0)
				n = room; /* one long word: cut it */
		}
		fprintf(f, "%s%.*s\n", lead, (int)n, p);
		p += n;
		while (*p == ' ')
			p++;
		lead = indent;
	}
}

void check_print_text(const struct check_result *r, FILE *f)
{
	const struct check_load *l = &r->load;
	const struct check_vmstat *v = &r->vm;
	const struct check_memory *m = &r->mem;
	const struct check_tcp *t = &r->tcp;
	char now[16], age[16];
	bool all = r->show_all;

	cli_strftime_now(now, sizeof(now));
	fprintf(f, "whyslow check at %s over %.2f s, %u CPUs%s\n", now, r->window_ms / 1000.0,
		r->ncpus, r->root ? "" : " (not root: some sections limited, see notes)");
	fprintf(f, "LOAD   %.2f %.2f %.2f  runnable %.1f (max %u)  D-state %u (io %u)  tasks %u",
		l->avg1, l->avg5, l->avg15, l->runnable_avg, l->runnable_max, l->d_state,
		l->blocked, l->tasks);
	if (l->psi)
		fprintf(f, "  PSI cpu %.0f%% mem %.0f/%.0f%% io %.0f/%.0f%%\n",
			l->psi_cpu_some_pct, l->psi_mem_some_pct, l->psi_mem_full_pct,
			l->psi_io_some_pct, l->psi_io_full_pct);
	else
		fprintf(f, "  PSI n/a\n");
	fprintf(f, "VMSTAT r %.1f b %.0f  si %.0f so %.0f bi %.0f bo %.0f kB/s  in %.0f cs %.0f /s  us %.0f sy %.0f id %.0f wa %.0f st %.0f  majflt %.0f/s\n",
		v->r, v->b, v->si_kb_per_s, v->so_kb_per_s, v->bi_kb_per_s, v->bo_kb_per_s,
		v->in_per_s, v->cs_per_s, v->us, v->sy, v->id, v->wa, v->st, v->majflt_per_s);
	fprintf(f, "MEM MB total %.0f used %.0f free %.0f buff/cache %.0f (file %.0f) avail %.0f (%.0f%%) dirty %.0f wback %.0f swap %.0f/%.0f\n",
		m->total_kb / 1024.0, m->used_kb / 1024.0, m->free_kb / 1024.0,
		(m->buffers_kb + m->cache_kb) / 1024.0, m->page_cache_kb / 1024.0,
		m->available_kb / 1024.0, m->available_pct, m->dirty_kb / 1024.0,
		m->writeback_kb / 1024.0, m->swap_used_kb / 1024.0, m->swap_total_kb / 1024.0);
	print_cpus(r, f);
	print_disks(r, f, all);
	print_nics(r, f, all);
	if (r->tcp_ok) {
		fprintf(f, "TCP    active %.1f/s passive %.1f/s iseg %.0f/s oseg %.0f/s retrans %.1f/s (%.2f%% of oseg) estab %lld\n",
			t->active_per_s, t->passive_per_s, t->iseg_per_s, t->oseg_per_s,
			t->retrans_per_s, t->retrans_pct, (long long)t->curr_estab);
		fprintf(f, "ETCP   atmptf %.1f/s estres %.1f/s orsts %.1f/s isegerr %.1f/s  listen overflows %llu drops %llu (in window)\n",
			t->atmptf_per_s, t->estres_per_s, t->orsts_per_s, t->isegerr_per_s,
			(unsigned long long)t->listen_overflows, (unsigned long long)t->listen_drops);
	}
	if (r->nprocs) {
		char line[121] = "TOP   ";
		for (unsigned i = 0; i < r->nprocs; i++) {
			char item[96];
			snprintf(item, sizeof(item), " %d %.15s %.0f%%(%c)", r->procs[i].pid,
				 r->procs[i].comm, r->procs[i].cpu_pct, r->procs[i].state);
			if (!append_fits(line, sizeof(line), item))
				break;
		}
		fprintf(f, "%s\n", line);
	}
	if (r->nd_state) {
		char line[121];
		unsigned i;
		snprintf(line, sizeof(line), "D-STATE %u:", r->nd_state);
		for (i = 0; i < r->nd_state && i < CHECK_MAX_DSTATE; i++) {
			char item[128];
			snprintf(item, sizeof(item), " %d %.15s [%.40s]", r->d_state[i].pid,
				 r->d_state[i].comm, r->d_state[i].wchan);
			/* keep room for " ..." */
			if (strlen(line) + strlen(item) > sizeof(line) - 5 ||
			    !append_fits(line, sizeof(line), item))
				break;
		}
		fprintf(f, "%s%s\n", line, i < r->nd_state ? " ..." : "");
	}
	if (!r->kmsg.readable) {
		fprintf(f, "KLOG   skipped: needs root\n");
	} else {
		unsigned total = 0;
		for (int k = 0; k < KMSG_KINDS; k++)
			total += r->kmsg.counts[k];
		fprintf(f, "KLOG   %u line(s) of interest in the kernel log", total);
		for (int k = 0; k < KMSG_KINDS; k++)
			if (r->kmsg.counts[k])
				fprintf(f, ", %s %u", check_kmsg_kind_name(k), r->kmsg.counts[k]);
		fprintf(f, "\n");
		unsigned first = r->kmsg.nlines > 4 ? r->kmsg.nlines - 4 : 0;
		for (unsigned i = first; i < r->kmsg.nlines; i++)
			fprintf(f, "  %5s ago  %.104s\n",
				human_age(r->kmsg.lines[i].age_s, age, sizeof(age)),
				r->kmsg.lines[i].text);
	}
	if (!r->nflags)
		fprintf(f, "READINGS: nothing stands out\n");
	else
		fprintf(f, "READINGS (%u):\n", r->nflags);
	for (unsigned i = 0; i < r->nflags; i++) {
		const struct check_flag *fl = &r->flags[i];
		char line[400];
		snprintf(line, sizeof(line), "%s: %s -> whyslow %s", fl->id, fl->reason, fl->dig);
		print_wrapped(f, " ! ", "     ", line, 120);
	}
	for (unsigned i = 0; i < r->nnotes; i++)
		fprintf(f, "note: %s\n", r->notes[i]);
}

/* --- printing: JSON --- */

/* "NET_RX" -> "net_rx", for JSON keys */
static void lower_key(char *key, size_t size, const char *name)
{
	size_t k;

	for (k = 0; name[k] && k < size - 1; k++)
		key[k] = (char)tolower((unsigned char)name[k]);
	key[k] = 0;
}

static void json_cpu(struct json *j, const struct check_result *r, const struct check_cpu *c,
		     bool all)
{
	json_object_open(j, NULL);
	if (all)
		json_str(j, "cpu", "all");
	else
		json_i64(j, "cpu", c->cpu);
	json_double(j, "usr_pct", c->usr_pct);
	json_double(j, "nice_pct", c->nice_pct);
	json_double(j, "sys_pct", c->sys_pct);
	json_double(j, "iowait_pct", c->iowait_pct);
	json_double(j, "irq_pct", c->irq_pct);
	json_double(j, "soft_pct", c->soft_pct);
	json_double(j, "steal_pct", c->steal_pct);
	json_double(j, "guest_pct", c->guest_pct);
	json_double(j, "gnice_pct", c->gnice_pct);
	json_double(j, "idle_pct", c->idle_pct);
	if (!all) {
		json_double(j, "softirq_total_per_s", c->softirq_total_per_s);
		json_double(j, "net_rx_softirq_per_s", c->softirq_net_rx_per_s);
		json_double(j, "timer_softirq_per_s", c->softirq_timer_per_s);
		json_object_open(j, "softirqs_per_s");
		for (unsigned v = 0; v < r->nsoftirq_vecs; v++) {
			char key[PROCFS_SOFTIRQ_NAME + 1];
			lower_key(key, sizeof(key), r->softirq_names[v]);
			json_double(j, key, c->softirq_per_s[v]);
		}
		json_object_close(j);
	}
	json_object_close(j);
}

static void json_proc(struct json *j, const struct check_proc *p, bool wchan)
{
	char st[2] = {p->state, 0};

	json_object_open(j, NULL);
	json_i64(j, "pid", p->pid);
	json_str(j, "comm", p->comm);
	json_str(j, "state", st);
	if (wchan)
		json_str(j, "wchan", p->wchan);
	else {
		json_double(j, "cpu_pct", p->cpu_pct);
		json_double(j, "usr_pct", p->usr_pct);
		json_double(j, "sys_pct", p->sys_pct);
	}
	json_object_close(j);
}

void check_print_json(const struct check_result *r, struct json *j)
{
	const struct check_load *l = &r->load;
	const struct check_vmstat *v = &r->vm;
	const struct check_memory *m = &r->mem;
	const struct check_tcp *t = &r->tcp;

	json_u64(j, "window_ms", r->window_ms);
	json_bool(j, "root", r->root);
	json_object_open(j, "load");
	json_double(j, "avg1", l->avg1);
	json_double(j, "avg5", l->avg5);
	json_double(j, "avg15", l->avg15);
	json_double(j, "runnable_avg", l->runnable_avg);
	json_u64(j, "runnable_max", l->runnable_max);
	json_u64(j, "d_state", l->d_state);
	json_u64(j, "blocked", l->blocked);
	json_u64(j, "tasks", l->tasks);
	json_u64(j, "ncpus", r->ncpus);
	if (l->psi) {
		json_object_open(j, "psi");
		json_double(j, "cpu_some_pct", l->psi_cpu_some_pct);
		json_double(j, "memory_some_pct", l->psi_mem_some_pct);
		json_double(j, "memory_full_pct", l->psi_mem_full_pct);
		json_double(j, "io_some_pct", l->psi_io_some_pct);
		json_double(j, "io_full_pct", l->psi_io_full_pct);
		json_object_close(j);
	} else {
		json_null(j, "psi");
	}
	json_object_close(j);

	json_object_open(j, "vmstat");
	json_double(j, "r", v->r);
	json_double(j, "b", v->b);
	json_double(j, "si_kb_per_s", v->si_kb_per_s);
	json_double(j, "so_kb_per_s", v->so_kb_per_s);
	json_double(j, "bi_kb_per_s", v->bi_kb_per_s);
	json_double(j, "bo_kb_per_s", v->bo_kb_per_s);
	json_double(j, "in_per_s", v->in_per_s);
	json_double(j, "cs_per_s", v->cs_per_s);
	json_double(j, "us_pct", v->us);
	json_double(j, "sy_pct", v->sy);
	json_double(j, "id_pct", v->id);
	json_double(j, "wa_pct", v->wa);
	json_double(j, "st_pct", v->st);
	json_double(j, "majflt_per_s", v->majflt_per_s);
	json_double(j, "pgscan_per_s", v->pgscan_per_s);
	json_double(j, "allocstall_per_s", v->allocstall_per_s);
	json_u64(j, "oom_kills", v->oom_kills);
	json_object_close(j);

	json_array_open(j, "cpus");
	json_cpu(j, r, &r->all, true);
	for (unsigned i = 0; i < r->ncpus; i++)
		json_cpu(j, r, &r->cpus[i], false);
	json_array_close(j);

	json_object_open(j, "softirqs_per_s");
	for (unsigned i = 0; i < r->nsoftirq_vecs; i++) {
		char key[PROCFS_SOFTIRQ_NAME + 1];
		lower_key(key, sizeof(key), r->softirq_names[i]);
		json_double(j, key, r->softirq_per_s[i]);
	}
	json_object_close(j);

	json_array_open(j, "disks");
	for (unsigned i = 0; i < r->ndisks; i++) {
		const struct check_disk *d = &r->disks[i];
		json_object_open(j, NULL);
		json_str(j, "name", d->name);
		json_double(j, "r_per_s", d->r_per_s);
		json_double(j, "w_per_s", d->w_per_s);
		json_double(j, "d_per_s", d->d_per_s);
		json_double(j, "f_per_s", d->f_per_s);
		json_double(j, "rkb_per_s", d->rkb_per_s);
		json_double(j, "wkb_per_s", d->wkb_per_s);
		json_double(j, "dkb_per_s", d->dkb_per_s);
		json_double(j, "rrqm_per_s", d->rrqm_per_s);
		json_double(j, "wrqm_per_s", d->wrqm_per_s);
		json_double(j, "rareq_kb", d->rareq_kb);
		json_double(j, "wareq_kb", d->wareq_kb);
		json_double(j, "r_await_ms", d->r_await_ms);
		json_double(j, "w_await_ms", d->w_await_ms);
		json_double(j, "d_await_ms", d->d_await_ms);
		json_double(j, "f_await_ms", d->f_await_ms);
		json_double(j, "aqu_sz", d->aqu_sz);
		json_double(j, "util_pct", d->util_pct);
		json_object_close(j);
	}
	json_array_close(j);

	json_object_open(j, "memory");
	json_u64(j, "total_kb", m->total_kb);
	json_u64(j, "used_kb", m->used_kb);
	json_u64(j, "free_kb", m->free_kb);
	json_u64(j, "shared_kb", m->shared_kb);
	json_u64(j, "buffers_kb", m->buffers_kb);
	json_u64(j, "cache_kb", m->cache_kb);
	json_u64(j, "page_cache_kb", m->page_cache_kb);
	json_u64(j, "available_kb", m->available_kb);
	json_double(j, "available_pct", m->available_pct);
	json_u64(j, "dirty_kb", m->dirty_kb);
	json_u64(j, "writeback_kb", m->writeback_kb);
	json_u64(j, "swap_total_kb", m->swap_total_kb);
	json_u64(j, "swap_used_kb", m->swap_used_kb);
	json_u64(j, "swap_free_kb", m->swap_free_kb);
	json_object_close(j);

	json_array_open(j, "nics");
	for (unsigned i = 0; i < r->nnics; i++) {
		const struct check_nic *n = &r->nics[i];
		json_object_open(j, NULL);
		json_str(j, "name", n->name);
		if (n->speed_mbps > 0)
			json_i64(j, "speed_mbps", n->speed_mbps);
		else
			json_null(j, "speed_mbps");
		json_str(j, "duplex", n->full_duplex ? "full" : "half_or_unknown");
		json_double(j, "rxpck_per_s", n->rxpck_per_s);
		json_double(j, "txpck_per_s", n->txpck_per_s);
		json_double(j, "rxkb_per_s", n->rxkb_per_s);
		json_double(j, "txkb_per_s", n->txkb_per_s);
		json_double(j, "rxcmp_per_s", n->rxcmp_per_s);
		json_double(j, "txcmp_per_s", n->txcmp_per_s);
		json_double(j, "rxmcst_per_s", n->rxmcst_per_s);
		json_double(j, "ifutil_pct", n->ifutil_pct);
		json_double(j, "rxerr_per_s", n->rxerr_per_s);
		json_double(j, "txerr_per_s", n->txerr_per_s);
		json_double(j, "coll_per_s", n->coll_per_s);
		json_double(j, "rxdrop_per_s", n->rxdrop_per_s);
		json_double(j, "txdrop_per_s", n->txdrop_per_s);
		json_double(j, "txcarr_per_s", n->txcarr_per_s);
		json_double(j, "rxfram_per_s", n->rxfram_per_s);
		json_double(j, "rxfifo_per_s", n->rxfifo_per_s);
		json_double(j, "txfifo_per_s", n->txfifo_per_s);
		if (n->driver_stats) {
			json_object_open(j, "driver");
			json_u64(j, "rx_loss_total", n->rx_missed_total);
			json_double(j, "rx_loss_per_s", n->rx_missed_per_s);
			json_str(j, "rx_loss_counter", n->rx_missed_name[0] ? n->rx_missed_name : NULL);
			json_object_close(j);
		} else {
			json_null(j, "driver");
		}
		if (n->ring) {
			json_object_open(j, "ring");
			json_u64(j, "rx", n->rx_ring);
			json_u64(j, "rx_max", n->rx_ring_max);
			json_u64(j, "tx", n->tx_ring);
			json_u64(j, "tx_max", n->tx_ring_max);
			json_object_close(j);
		} else {
			json_null(j, "ring");
		}
		if (n->note[0])
			json_str(j, "note", n->note);
		json_object_close(j);
	}
	json_array_close(j);

	json_object_open(j, "softnet");
	json_double(j, "processed_per_s", r->softnet.processed_per_s);
	json_double(j, "dropped_per_s", r->softnet.dropped_per_s);
	json_double(j, "time_squeeze_per_s", r->softnet.squeezed_per_s);
	json_u64(j, "dropped_total", r->softnet.dropped_total);
	json_u64(j, "time_squeeze_total", r->softnet.squeezed_total);
	json_object_close(j);

	if (r->tcp_ok) {
		json_object_open(j, "tcp");
		json_double(j, "active_per_s", t->active_per_s);
		json_double(j, "passive_per_s", t->passive_per_s);
		json_double(j, "iseg_per_s", t->iseg_per_s);
		json_double(j, "oseg_per_s", t->oseg_per_s);
		json_double(j, "atmptf_per_s", t->atmptf_per_s);
		json_double(j, "estres_per_s", t->estres_per_s);
		json_double(j, "retrans_per_s", t->retrans_per_s);
		json_double(j, "isegerr_per_s", t->isegerr_per_s);
		json_double(j, "orsts_per_s", t->orsts_per_s);
		json_double(j, "retrans_pct", t->retrans_pct);
		json_i64(j, "curr_estab", t->curr_estab);
		if (t->tcpext) {
			json_u64(j, "listen_overflows", t->listen_overflows);
			json_u64(j, "listen_drops", t->listen_drops);
			json_u64(j, "lost_retransmit", t->lost_retransmit);
			json_u64(j, "timeouts", t->timeouts);
		}
		json_object_close(j);
	} else {
		json_null(j, "tcp");
	}

	json_array_open(j, "processes");
	for (unsigned i = 0; i < r->nprocs; i++)
		json_proc(j, &r->procs[i], false);
	json_array_close(j);
	json_u64(j, "d_state_count", r->nd_state);
	json_array_open(j, "d_state");
	for (unsigned i = 0; i < r->nd_state && i < CHECK_MAX_DSTATE; i++)
		json_proc(j, &r->d_state[i], true);
	json_array_close(j);

	json_object_open(j, "kernel_log");
	json_bool(j, "readable", r->kmsg.readable);
	if (r->kmsg.readable) {
		json_object_open(j, "counts");
		for (int k = 0; k < KMSG_KINDS; k++)
			json_u64(j, check_kmsg_kind_name(k), r->kmsg.counts[k]);
		json_object_close(j);
		json_array_open(j, "lines");
		for (unsigned i = 0; i < r->kmsg.nlines; i++) {
			json_object_open(j, NULL);
			json_str(j, "kind", check_kmsg_kind_name(r->kmsg.lines[i].kind));
			json_double(j, "age_s", r->kmsg.lines[i].age_s);
			json_str(j, "text", r->kmsg.lines[i].text);
			json_object_close(j);
		}
		json_array_close(j);
	}
	json_object_close(j);

	json_array_open(j, "flags");
	for (unsigned i = 0; i < r->nflags; i++) {
		const struct check_flag *fl = &r->flags[i];
		json_object_open(j, NULL);
		json_str(j, "id", fl->id);
		json_str(j, "subject", fl->subject);
		json_str(j, "reason", fl->reason);
		json_str(j, "dig", fl->dig);
		json_str(j, "cases", fl->cases);
		json_object_close(j);
	}
	json_array_close(j);
	json_array_open(j, "notes");
	for (unsigned i = 0; i < r->nnotes; i++)
		json_str(j, NULL, r->notes[i]);
	json_array_close(j);
}

/* --- the command --- */

enum { OPT_ALL = 'a', OPT_WINDOW = 'd', OPT_INTERVAL = 'i', OPT_PART = 'p' };

static const struct cli_opt check_opts[] = {
	{OPT_WINDOW, "duration", "SECONDS", "sample window of one report (default 2)"},
	{OPT_INTERVAL, "interval", "SECONDS", "repeat: one report every SECONDS (as [interval])"},
	{OPT_PART, "partitions", NULL, "show partitions too (iostat -p ALL)"},
	{OPT_ALL, "all", NULL, "show idle disks and interfaces too"},
	{0},
};

const struct cli_spec check_spec = {
	.name = "check",
	.summary = "the 60-second checklist in one screen: load, vmstat, mpstat, iostat -x, free, sar -n, dmesg",
	.usage = "[-d SECONDS] [-p] [-a] [--json] [interval [count]]",
	.description =
		"Samples /proc and /sys twice over a window (2 s unless -d or an interval says\n"
		"otherwise) and shows what uptime, dmesg, vmstat 1, mpstat -P ALL, pidstat,\n"
		"iostat -xz, free, sar -n DEV,EDEV,TCP,ETCP and top would, with sysstat's formulas,\n"
		"plus driver counters and ring sizes (ethtool ioctls), softnet drops and PSI.\n"
		"Readings name what stands out (slow device versus saturated one, run queue,\n"
		"a hot softirq CPU, swapping, NIC ring overflows, retransmits, D-state tasks,\n"
		"kernel log errors) and the whyslow command that digs deeper. Works without\n"
		"root: the kernel log and other users' wchan are then skipped, and it says so.",
	.opts = check_opts,
	.examples = "  whyslow check                  # one 2-second window\n"
		    "  whyslow check -d 10            # a 10-second window\n"
		    "  whyslow check 5 3              # three reports, 5 s each\n"
		    "  whyslow check --json | jq '.flags[]'   # the readings only\n",
	.interval = true,
};

struct check_ctx {
	unsigned window_s;
	bool window_set;
	long interval_s;
	struct check_options opts;
	const struct cli_common *common;
	struct snapshot *a, *b;
	struct check_result *r;
	uint64_t next_sample_ns;
	uint64_t end_ns, step_ns; /* the window's end, no later than the loop's own deadline */
	unsigned long reports;
};

static int on_option(void *vctx, int key, const char *arg)
{
	struct check_ctx *c = vctx;

	switch (key) {
	case OPT_WINDOW:
		c->window_s = (unsigned)cli_parse_ulong(arg, "window (-d)", 1, 3600);
		c->window_set = true;
		break;
	case OPT_INTERVAL:
		c->interval_s = (long)cli_parse_ulong(arg, "interval (-i)", 1, 3600);
		break;
	case OPT_PART:
		c->opts.partitions = true;
		break;
	case OPT_ALL:
		c->opts.all_devices = true;
		break;
	}
	return 0;
}

static void print_result(struct check_ctx *c)
{
	if (c->common->json) {
		struct json j;
		json_begin(&j, stdout, "check");
		check_print_json(c->r, &j);
		json_end(&j);
	} else {
		check_print_text(c->r, stdout);
		if (c->common->count != 1)
			fputc('\n', stdout);
	}
	fflush(stdout);
}

/* The loop waits at most 100 ms at a time, for pollers of events; check has none, and it
 * knows when the window ends, so it sleeps on to its next run-queue sample (or that end)
 * when that comes later: half the wakeups (11 in a 2-second window), each ~20 us of CPU.
 * Never past end_ns, which is no later than the loop's deadline; a signal still ends
 * the sleep. */
static int check_poll(void *vctx, int timeout_ms)
{
	struct check_ctx *c = vctx;
	uint64_t now = cli_now_ns(), wake = now + (uint64_t)timeout_ms * 1000000ull;
	uint64_t want = c->next_sample_ns < c->end_ns ? c->next_sample_ns : c->end_ns;
	struct timespec ts;

	if (want > wake)
		wake = want;
	ts.tv_sec = (time_t)(wake / 1000000000ull);
	ts.tv_nsec = (long)(wake % 1000000000ull);
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	if (cli_now_ns() >= c->next_sample_ns) {
		sample_runnable(c->b);
		c->next_sample_ns += RUNNABLE_SAMPLE_NS;
		if (c->next_sample_ns < cli_now_ns()) /* stopped (SIGSTOP) for a while */
			c->next_sample_ns = cli_now_ns() + RUNNABLE_SAMPLE_NS;
	}
	return 0;
}

static int check_tick(void *vctx, bool last)
{
	struct check_ctx *c = vctx;
	struct snapshot *t;

	/* a tick right after another (Ctrl-C at a boundary) has nothing to report */
	if (cli_now_ns() - c->a->t_ns < 200000000ull)
		return 0;
	take_snapshot(c->b, c->a);
	/* the result and the snapshots are large and calloc'ed: clear them only for a
	 * next window, since every page touched is a page fault (check counts its CPU) */
	if (c->reports++)
		memset(c->r, 0, sizeof(*c->r));
	compute_all(c->r, c->a, c->b, &c->opts);
	print_result(c);
	if (last)
		return 0;
	c->end_ns += c->step_ns;
	/* this window's end is the next one's start */
	t = c->a;
	c->a = c->b;
	c->b = t;
	snapshot_free(c->b);
	memset(c->b, 0, sizeof(*c->b));
	return 0;
}

int cmd_check(int argc, char **argv)
{
	struct cli_common common;
	struct check_ctx c = {.window_s = 2};
	int rc;

	cli_parse(&check_spec, argc, argv, &common, on_option, &c);
	if (c.interval_s && !common.interval_s)
		common.interval_s = (unsigned)c.interval_s;
	if (common.interval_s && c.window_set)
		cli_usage_error("-d sets the window of a single report; with an interval, the interval is the window");
	c.common = &common;
	c.a = calloc(1, sizeof(*c.a));
	c.b = calloc(1, sizeof(*c.b));
	c.r = calloc(1, sizeof(*c.r));
	if (!c.a || !c.b || !c.r) {
		free(c.a);
		free(c.b);
		free(c.r);
		return cli_fail("out of memory");
	}
	take_snapshot(c.a, NULL);
	if (!c.a->stat.ncpus) {
		rc = cli_fail("cannot read /proc/stat: is /proc mounted?");
		goto out;
	}
	struct cli_loop_ops ops = {
		.tick = check_tick,
		.poll = check_poll,
		.duration_ms = (uint64_t)c.window_s * 1000,
	};
	if (!common.interval_s)
		common.count = 1;
	/* taken before the loop takes its own: our window ends no later than the loop's */
	c.step_ns = (common.interval_s ? common.interval_s : c.window_s) * 1000000000ull;
	c.end_ns = cli_now_ns() + c.step_ns;
	c.next_sample_ns = cli_now_ns() + RUNNABLE_SAMPLE_NS / 2;
	rc = cli_run_loop(&common, &ops, &c);
out:
	snapshot_release(c.a, true);
	snapshot_release(c.b, true);
	free(c.a);
	free(c.b);
	free(c.r);
	return rc;
}
