/* Parsers for /proc and /sys text. Every parser walks the buffer line by line with the
 * helpers below and never trusts the input: the fuzzer runs them on random bytes. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lib/procfs.h"

/* --- readers --- */

ssize_t procfs_read_file(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	int fd;

	if (size == 0)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (len < size - 1) {
		ssize_t n = read(fd, buf + len, size - 1 - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int err = errno;
			close(fd);
			buf[len] = 0;
			return -err;
		}
		if (n == 0)
			break;
		len += n;
	}
	buf[len] = 0;
	close(fd);
	return len;
}

ssize_t procfs_read_record(const char *path, char *buf, size_t size)
{
	return procfs_read_record_at(AT_FDCWD, path, buf, size);
}

ssize_t procfs_read_record_at(int dirfd, const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	if (size == 0)
		return -EINVAL;
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do
		n = read(fd, buf, size - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		int err = errno;
		close(fd);
		buf[0] = 0;
		return -err;
	}
	buf[n] = 0;
	close(fd);
	return n;
}

char *procfs_read_fd(int fd, size_t hint, size_t *len_out)
{
	size_t cap = hint > 1 ? hint : 2, len = 0;
	char *buf = malloc(cap);

	while (buf) {
		if (len + 1 >= cap) {
			char *bigger = realloc(buf, cap * 2);
			if (!bigger) {
				free(buf);
				buf = NULL;
				errno = ENOMEM;
				break;
			}
			buf = bigger;
			cap *= 2;
		}
		ssize_t n = pread(fd, buf + len, cap - 1 - len, (off_t)len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;
			free(buf);
			buf = NULL;
			errno = err;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (buf) {
		buf[len] = 0;
		if (len_out)
			*len_out = len;
	}
	return buf;
}

char *procfs_read_alloc(const char *path, size_t *len_out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;
	char *buf;

	if (fd < 0)
		return NULL;
	buf = procfs_read_fd(fd, 16384, len_out);
	err = errno;
	close(fd);
	errno = err;
	return buf;
}

int procfs_read_i64(const char *path, int64_t *value)
{
	char buf[64], *end;
	long long v;

	if (procfs_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (end == buf || errno)
		return -1;
	*value = v;
	return 0;
}

/* --- tokenizing helpers (bounded by an end pointer, not by NUL) --- */

/* The line starting at p: returns its end (the '\n' or the buffer's NUL). */
static const char *line_end(const char *p)
{
	const char *nl = strchr(p, '\n');
	return nl ? nl : p + strlen(p);
}

static const char *next_line(const char *end)
{
	return *end ? end + 1 : end;
}

static const char *skip_blanks(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* Parses an unsigned decimal number at *pp (after blanks); advances *pp. Saturates rather
 * than overflowing. Returns 0, or -1 if no digit is there. */
static int take_u64(const char **pp, const char *end, uint64_t *v)
{
	const char *p = skip_blanks(*pp, end);
	uint64_t x = 0;

	if (p >= end || *p < '0' || *p > '9')
		return -1;
	while (p < end && *p >= '0' && *p <= '9') {
		unsigned d = *p++ - '0';
		/* below this bound no digit can overflow: the exact test (a division) only
		 * for 19-digit numbers; check parses some 10,000 numbers per run */
		if (x <= (UINT64_MAX - 9) / 10)
			x = x * 10 + d;
		else
			x = x > (UINT64_MAX - d) / 10 ? UINT64_MAX : x * 10 + d;
	}
	*pp = p;
	*v = x;
	return 0;
}

static int take_i64(const char **pp, const char *end, int64_t *v)
{
	const char *p = skip_blanks(*pp, end);
	bool neg = false;
	uint64_t x;

	if (p < end && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	if (take_u64(&p, end, &x) < 0)
		return -1;
	if (x > INT64_MAX)
		x = INT64_MAX;
	*v = neg ? -(int64_t)x : (int64_t)x;
	*pp = p;
	return 0;
}

static int take_hex(const char **pp, const char *end, uint64_t *v)
{
	const char *p = skip_blanks(*pp, end);
	uint64_t x = 0;
	int n = 0;

	while (p < end && n < 16) {
		char c = *p;
		unsigned d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			break;
		x = x * 16 + d;
		p++;
		n++;
	}
	if (!n)
		return -1;
	*pp = p;
	*v = x;
	return 0;
}

/* Parses a decimal with an optional fraction ("12.34"), locale-free. */
static int take_double(const char **pp, const char *end, double *v)
{
	const char *p = skip_blanks(*pp, end);
	uint64_t ip, frac = 0, scale = 1;

	if (take_u64(&p, end, &ip) < 0)
		return -1;
	if (p < end && *p == '.') {
		p++;
		while (p < end && *p >= '0' && *p <= '9') {
			if (scale < 1000000000000ULL) {
				frac = frac * 10 + (*p - '0');
				scale *= 10;
			}
			p++;
		}
	}
	*v = (double)ip + (double)frac / (double)scale;
	*pp = p;
	return 0;
}

/* Copies the next blank-separated word into out (truncating); returns its length or -1. */
static int take_word(const char **pp, const char *end, char *out, size_t size)
{
	const char *p = skip_blanks(*pp, end), *start = p;
	size_t n;

	while (p < end && *p != ' ' && *p != '\t')
		p++;
	if (p == start)
		return -1;
	n = (size_t)(p - start);
	if (size) {
		size_t c = n < size - 1 ? n : size - 1;
		memcpy(out, start, c);
		out[c] = 0;
	}
	*pp = p;
	return (int)n;
}

/* Does the line [p, end) start with key followed by one of the characters in seps? */
static const char *after_key(const char *p, const char *end, const char *key, const char *seps)
{
	size_t k = strlen(key);

	if ((size_t)(end - p) <= k || memcmp(p, key, k) != 0 || !strchr(seps, p[k]))
		return NULL;
	return p + k + 1;
}

static void copy_bounded(char *out, size_t size, const char *start, size_t n)
{
	if (!size)
		return;
	if (n > size - 1)
		n = size - 1;
	memcpy(out, start, n);
	out[n] = 0;
}

/* --- /proc/loadavg --- */

int procfs_parse_loadavg(const char *buf, struct procfs_loadavg *la)
{
	const char *p = buf, *end = line_end(buf);
	uint64_t running, tasks, last;

	memset(la, 0, sizeof(*la));
	if (take_double(&p, end, &la->avg1) || take_double(&p, end, &la->avg5) ||
	    take_double(&p, end, &la->avg15) || take_u64(&p, end, &running) || p >= end ||
	    *p++ != '/' || take_u64(&p, end, &tasks) || take_u64(&p, end, &last))
		return -1;
	la->running = running > UINT32_MAX ? UINT32_MAX : running;
	la->tasks = tasks > UINT32_MAX ? UINT32_MAX : tasks;
	la->last_pid = last > UINT32_MAX ? UINT32_MAX : last;
	return 0;
}

/* --- /proc/stat --- */

static int parse_cpu_times(const char *p, const char *end, struct procfs_cpu_times *t)
{
	uint64_t *fields[] = {&t->user, &t->nice, &t->system, &t->idle, &t->iowait,
			      &t->irq, &t->softirq, &t->steal, &t->guest, &t->guest_nice};
	unsigned n = 0;

	/* old kernels give 4 (2.4), 7 (2.6), 8 (2.6.11), 9 or 10 fields: missing are 0 */
	for (unsigned i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		*fields[i] = 0;
		if (n == i && take_u64(&p, end, fields[i]) == 0)
			n++;
	}
	return n >= 4 ? 0 : -1;
}

int procfs_parse_stat(const char *buf, struct procfs_stat *st, struct procfs_cpu_times *cpus,
		      unsigned max_cpus)
{
	bool seen_total = false;

	memset(st, 0, sizeof(*st));
	st->total.cpu = -1;
	for (const char *p = buf; *p; p = next_line(line_end(p))) {
		const char *end = line_end(p), *q;
		uint64_t v;

		if ((q = after_key(p, end, "cpu", " \t"))) {
			seen_total = parse_cpu_times(q, end, &st->total) == 0;
		} else if (end - p > 3 && memcmp(p, "cpu", 3) == 0 && p[3] >= '0' && p[3] <= '9') {
			struct procfs_cpu_times t;
			q = p + 3;
			if (take_u64(&q, end, &v) || v > 1u << 20 || parse_cpu_times(q, end, &t))
				continue;
			t.cpu = (int)v;
			if (st->ncpus < max_cpus)
				cpus[st->ncpus++] = t;
			else
				st->cpus_dropped++;
		} else if ((q = after_key(p, end, "intr", " "))) {
			take_u64(&q, end, &st->intr);
		} else if ((q = after_key(p, end, "ctxt", " "))) {
			take_u64(&q, end, &st->ctxt);
		} else if ((q = after_key(p, end, "btime", " "))) {
			take_u64(&q, end, &st->btime);
		} else if ((q = after_key(p, end, "processes", " "))) {
			take_u64(&q, end, &st->processes);
		} else if ((q = after_key(p, end, "procs_running", " "))) {
			take_u64(&q, end, &st->procs_running);
		} else if ((q = after_key(p, end, "procs_blocked", " "))) {
			take_u64(&q, end, &st->procs_blocked);
		}
	}
	return seen_total ? 0 : -1;
}

uint64_t procfs_cpu_total(const struct procfs_cpu_times *t)
{
	return t->user + t->nice + t->system + t->idle + t->iowait + t->irq + t->softirq +
	       t->steal;
}

/* --- key/value files: a table of (name, offset) per struct --- */

struct kv_field {
	const char *name;
	size_t offset;
	bool *flag; /* set when seen, may be NULL */
};

/* Lines "Name: 123 kB" (meminfo) or "name 123" (vmstat). Returns the number of fields set. */
static int parse_kv(const char *buf, void *base, const struct kv_field *fields, unsigned n)
{
	int found = 0;

	for (const char *p = buf; *p; p = next_line(line_end(p))) {
		const char *end = line_end(p), *sep = p;
		size_t klen;

		while (sep < end && *sep != ':' && *sep != ' ' && *sep != '\t')
			sep++;
		klen = (size_t)(sep - p);
		if (!klen || sep >= end)
			continue;
		for (unsigned i = 0; i < n; i++) {
			if (strlen(fields[i].name) != klen || memcmp(fields[i].name, p, klen))
				continue;
			const char *q = sep + (*sep == ':');
			uint64_t v;
			if (take_u64(&q, end, &v) == 0) {
				memcpy((char *)base + fields[i].offset, &v, sizeof(v));
				found++;
			}
			break;
		}
	}
	return found;
}

int procfs_find_u64(const char *buf, const char *key, uint64_t *value)
{
	struct kv_field f = {key, 0, NULL};
	uint64_t v = 0;

	if (parse_kv(buf, &v, &f, 1) != 1)
		return -1;
	*value = v;
	return 0;
}

#define KV(type, cname, member) {cname, offsetof(type, member), NULL}

int procfs_parse_meminfo(const char *buf, struct procfs_meminfo *m)
{
	static const struct kv_field f[] = {
		KV(struct procfs_meminfo, "MemTotal", mem_total),
		KV(struct procfs_meminfo, "MemFree", mem_free),
		KV(struct procfs_meminfo, "Buffers", buffers),
		KV(struct procfs_meminfo, "Cached", cached),
		KV(struct procfs_meminfo, "SwapCached", swap_cached),
		KV(struct procfs_meminfo, "Active(file)", active_file),
		KV(struct procfs_meminfo, "Inactive(file)", inactive_file),
		KV(struct procfs_meminfo, "Dirty", dirty),
		KV(struct procfs_meminfo, "Writeback", writeback),
		KV(struct procfs_meminfo, "SwapTotal", swap_total),
		KV(struct procfs_meminfo, "SwapFree", swap_free),
		KV(struct procfs_meminfo, "Shmem", shmem),
		KV(struct procfs_meminfo, "Slab", slab),
		KV(struct procfs_meminfo, "SReclaimable", sreclaimable),
	};
	uint64_t avail;

	memset(m, 0, sizeof(*m));
	if (parse_kv(buf, m, f, sizeof(f) / sizeof(f[0])) == 0 || m->mem_total == 0)
		return -1;
	if (procfs_find_u64(buf, "MemAvailable", &avail) == 0) {
		m->mem_available = avail;
		m->has_available = true;
	} else {
		/* pre-3.14 estimate, as procps does: free + page cache + reclaimable slab */
		m->mem_available = m->mem_free + m->cached + m->buffers + m->sreclaimable;
	}
	return 0;
}

int procfs_parse_vmstat(const char *buf, struct procfs_vmstat *v)
{
	static const struct kv_field f[] = {
		KV(struct procfs_vmstat, "pgpgin", pgpgin),
		KV(struct procfs_vmstat, "pgpgout", pgpgout),
		KV(struct procfs_vmstat, "pswpin", pswpin),
		KV(struct procfs_vmstat, "pswpout", pswpout),
		KV(struct procfs_vmstat, "pgfault", pgfault),
		KV(struct procfs_vmstat, "pgmajfault", pgmajfault),
		KV(struct procfs_vmstat, "pgscan_kswapd", pgscan_kswapd),
		KV(struct procfs_vmstat, "pgscan_direct", pgscan_direct),
		KV(struct procfs_vmstat, "pgsteal_kswapd", pgsteal_kswapd),
		KV(struct procfs_vmstat, "pgsteal_direct", pgsteal_direct),
		KV(struct procfs_vmstat, "allocstall", allocstall),
		KV(struct procfs_vmstat, "oom_kill", oom_kill),
		KV(struct procfs_vmstat, "workingset_refault_file", workingset_refault_file),
	};
	uint64_t x;

	memset(v, 0, sizeof(*v));
	if (parse_kv(buf, v, f, sizeof(f) / sizeof(f[0])) == 0)
		return -1;
	/* 4.x split allocstall per zone; sum the parts where the total is missing */
	if (!v->allocstall) {
		const char *zones[] = {"allocstall_dma", "allocstall_dma32", "allocstall_normal",
				       "allocstall_movable"};
		for (unsigned i = 0; i < 4; i++)
			if (procfs_find_u64(buf, zones[i], &x) == 0)
				v->allocstall += x;
	}
	/* before 4.20 the refault counter had no _file suffix */
	if (!v->workingset_refault_file && procfs_find_u64(buf, "workingset_refault", &x) == 0)
		v->workingset_refault_file = x;
	return 0;
}

/* --- /proc/diskstats --- */

static bool is_number_word(const char *p, const char *end)
{
	const char *q = p;
	uint64_t v;

	return take_u64(&q, end, &v) == 0 && (q >= end || *q == ' ' || *q == '\t');
}

int procfs_parse_diskstats_line(const char *line, size_t len, struct procfs_disk *d)
{
	const char *p = line, *end = line + len, *name_start, *name_end;
	uint64_t major, minor, v[17];
	unsigned n = 0;

	memset(d, 0, sizeof(*d));
	if (take_u64(&p, end, &major) || take_u64(&p, end, &minor) || major > UINT32_MAX ||
	    minor > UINT32_MAX)
		return -1;
	/* The name is the first word and any words after it that are not numbers: a name
	 * never holds a blank in practice, but one that did would not shift the fields. */
	name_start = p = skip_blanks(p, end);
	if (p >= end)
		return -1;
	while (p < end && *p != ' ' && *p != '\t')
		p++;
	name_end = p;
	for (;;) {
		const char *q = skip_blanks(p, end);
		if (q >= end || is_number_word(q, end))
			break;
		while (q < end && *q != ' ' && *q != '\t')
			q++;
		name_end = p = q;
	}
	/* newer kernels may append fields: read what we know and ignore the rest */
	while (n < 17 && take_u64(&p, end, &v[n]) == 0)
		n++;
	if (n != 4 && n < 11)
		return -1;
	d->major = major;
	d->minor = minor;
	copy_bounded(d->name, sizeof(d->name), name_start, (size_t)(name_end - name_start));
	d->nfields = n;
	if (n == 4) {
		/* 2.6.x partitions: reads, read sectors, writes, write sectors */
		d->rd_ios = v[0];
		d->rd_sectors = v[1];
		d->wr_ios = v[2];
		d->wr_sectors = v[3];
		return 0;
	}
	d->rd_ios = v[0];
	d->rd_merges = v[1];
	d->rd_sectors = v[2];
	d->rd_ticks = v[3];
	d->wr_ios = v[4];
	d->wr_merges = v[5];
	d->wr_sectors = v[6];
	d->wr_ticks = v[7];
	d->in_flight = v[8];
	d->io_ticks = v[9];
	d->time_in_queue = v[10];
	if (n >= 15) {
		d->dc_ios = v[11];
		d->dc_merges = v[12];
		d->dc_sectors = v[13];
		d->dc_ticks = v[14];
	}
	if (n >= 17) {
		d->fl_ios = v[15];
		d->fl_ticks = v[16];
	}
	return 0;
}

int procfs_parse_diskstats(const char *buf, struct procfs_disk *d, unsigned max,
			   unsigned *dropped)
{
	unsigned n = 0, extra = 0;

	for (const char *p = buf; *p; p = next_line(line_end(p))) {
		struct procfs_disk one;
		if (procfs_parse_diskstats_line(p, (size_t)(line_end(p) - p), &one))
			continue;
		if (n < max)
			d[n++] = one;
		else
			extra++;
	}
	if (dropped)
		*dropped = extra;
	return (int)n;
}

/* --- /proc/net/dev --- */

int procfs_parse_netdev(const char *buf, struct procfs_netdev *n, unsigned max,
			unsigned *dropped)
{
	unsigned count = 0, extra = 0;

	for (const char *p = buf; *p; p = next_line(line_end(p))) {
		const char *end = line_end(p), *colon, *start, *q;
		struct procfs_netdev d;
		uint64_t *f[] = {&d.rx_bytes, &d.rx_packets, &d.rx_errs, &d.rx_drop,
				 &d.rx_fifo, &d.rx_frame, &d.rx_compressed, &d.rx_multicast,
				 &d.tx_bytes, &d.tx_packets, &d.tx_errs, &d.tx_drop,
				 &d.tx_fifo, &d.tx_colls, &d.tx_carrier, &d.tx_compressed};
		unsigned i;

		/* interface names cannot hold ':' (dev_valid_name), so the first one ends it;
		 * the header lines have '|' where a device line has the colon */
		colon = memchr(p, ':', (size_t)(end - p));
		if (!colon || memchr(p, '|', (size_t)(end - p)))
			continue;
		start = skip_blanks(p, colon);
		if (start == colon)
			continue;
		memset(&d, 0, sizeof(d));
		copy_bounded(d.name, sizeof(d.name), start, (size_t)(colon - start));
		q = colon + 1;
		for (i = 0; i < 16; i++)
			if (take_u64(&q, end, f[i]))
				break;
		if (i < 16)
			continue;
		if (count < max)
			n[count++] = d;
		else
			extra++;
	}
	if (dropped)
		*dropped = extra;
	return (int)count;
}

/* --- /proc/net/snmp, /proc/net/netstat --- */

int procfs_snmp_get(const char *buf, const char *proto, const char *name, int64_t *value)
{
	size_t plen = strlen(proto), nlen = strlen(name);

	for (const char *p = buf; *p; p = next_line(line_end(p))) {
		const char *hend = line_end(p), *v, *vend, *h;
		unsigned idx = 0;

		if ((size_t)(hend - p) <= plen || memcmp(p, proto, plen) || p[plen] != ':')
			continue;
		/* the header line; the values are on the next line with the same prefix */
		v = next_line(hend);
		vend = line_end(v);
		if ((size_t)(vend - v) <= plen || memcmp(v, proto, plen) || v[plen] != ':')
			continue;
		h = p + plen + 1;
		for (;;) {
			char word[64];
			int wl = take_word(&h, hend, word, sizeof(word));
			if (wl < 0)
				break;
			if ((size_t)wl == nlen && strcmp(word, name) == 0) {
				const char *q = v + plen + 1;
				int64_t x = 0;
				for (unsigned i = 0; i <= idx; i++)
					if (take_i64(&q, vend, &x))
						return -1;
				*value = x;
				return 0;
			}
			idx++;
		}
		p = v; /* skip the value line */
	}
	return -1;
}

int procfs_parse_tcp(const char *snmp, const char *netstat, struct procfs_tcp *t)
{
	static const struct {
		const char *name;
		size_t off;
	} tcp[] = {
		{"ActiveOpens", offsetof(struct procfs_tcp, active_opens)},
		{"PassiveOpens", offsetof(struct procfs_tcp, passive_opens)},
		{"AttemptFails", offsetof(struct procfs_tcp, attempt_fails)},
		{"EstabResets", offsetof(struct procfs_tcp, estab_resets)},
		{"CurrEstab", offsetof(struct procfs_tcp, curr_estab)},
		{"InSegs", offsetof(struct procfs_tcp, in_segs)},
		{"OutSegs", offsetof(struct procfs_tcp, out_segs)},
		{"RetransSegs", offsetof(struct procfs_tcp, retrans_segs)},
		{"InErrs", offsetof(struct procfs_tcp, in_errs)},
		{"OutRsts", offsetof(struct procfs_tcp, out_rsts)},
	}, ext[] = {
		{"ListenOverflows", offsetof(struct procfs_tcp, listen_overflows)},
		{"ListenDrops", offsetof(struct procfs_tcp, listen_drops)},
		{"TCPLostRetransmit", offsetof(struct procfs_tcp, lost_retransmit)},
		{"TCPTimeouts", offsetof(struct procfs_tcp, timeouts)},
		{"TCPSynRetrans", offsetof(struct procfs_tcp, syn_retrans)},
		{"TCPFastRetrans", offsetof(struct procfs_tcp, fast_retrans)},
		{"TCPSlowStartRetrans", offsetof(struct procfs_tcp, slow_start_retrans)},
		{"TCPBacklogDrop", offsetof(struct procfs_tcp, tcp_backlog_drop)},
	};
	int found = 0;

	for (size_t i = 0; i < sizeof(tcp) / sizeof(tcp[0]); i++) {
		int64_t v = 0;
		if (procfs_snmp_get(snmp, "Tcp", tcp[i].name, &v) == 0)
			found++;
		memcpy((char *)t + tcp[i].off, &v, sizeof(v));
	}
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		int64_t v = -1;
		if (netstat)
			procfs_snmp_get(netstat, "TcpExt", ext[i].name, &v);
		memcpy((char *)t + ext[i].off, &v, sizeof(v));
	}
	return found ? 0 : -1;
}

/* --- /proc/softirqs --- */

int procfs_parse_softirqs(const char *buf, struct procfs_softirqs *s)
{
	const char *p = buf, *end = line_end(buf), *q;
	unsigned ncpus = 0;
	char word[32];

	memset(s, 0, sizeof(*s));
	/* header: "    CPU0       CPU1 ..." */
	for (q = p; take_word(&q, end, word, sizeof(word)) > 0;) {
		if (strncmp(word, "CPU", 3))
			return -1;
		ncpus++;
	}
	if (!ncpus || ncpus > 65536)
		return -1;
	s->ncpus = ncpus;
	s->counts = calloc((size_t)PROCFS_SOFTIRQ_VECS * ncpus, sizeof(uint64_t));
	if (!s->counts)
		return -1;
	for (p = next_line(end); *p && s->nvecs < PROCFS_SOFTIRQ_VECS; p = next_line(end)) {
		const char *colon, *start;
		end = line_end(p);
		colon = memchr(p, ':', (size_t)(end - p));
		if (!colon)
			continue;
		start = skip_blanks(p, colon);
		if (start == colon)
			continue;
		copy_bounded(s->names[s->nvecs], PROCFS_SOFTIRQ_NAME, start, (size_t)(colon - start));
		q = colon + 1;
		for (unsigned c = 0; c < ncpus; c++)
			if (take_u64(&q, end, &s->counts[(size_t)s->nvecs * ncpus + c]))
				break; /* missing columns stay 0 */
		s->nvecs++;
	}
	if (!s->nvecs) {
		procfs_softirqs_free(s);
		return -1;
	}
	return 0;
}

void procfs_softirqs_free(struct procfs_softirqs *s)
{
	free(s->counts);
	s->counts = NULL;
	s->ncpus = s->nvecs = 0;
}

/* --- /proc/net/softnet_stat --- */

int procfs_parse_softnet(const char *buf, struct procfs_softnet *s, unsigned max)
{
	unsigned n = 0;

	for (const char *p = buf; *p && n < max; p = next_line(line_end(p))) {
		const char *end = line_end(p), *q = p;
		uint64_t col[13];
		unsigned c = 0;

		while (c < 13 && take_hex(&q, end, &col[c]) == 0)
			c++;
		if (c < 3)
			continue;
		memset(&s[n], 0, sizeof(s[n]));
		s[n].processed = col[0];
		s[n].dropped = col[1];
		s[n].time_squeeze = col[2];
		s[n].received_rps = c > 9 ? col[9] : 0;
		s[n].flow_limit = c > 10 ? col[10] : 0;
		/* 5.10 added backlog length (col 11) and the CPU id (col 12): lines skip
		 * offline CPUs, so without it the line number is only a guess */
		s[n].cpu = c > 12 && col[12] < (1u << 20) ? (unsigned)col[12] : n;
		n++;
	}
	return (int)n;
}

/* --- /proc/pressure/{cpu,memory,io} --- */

static int parse_psi_line(const char *p, const char *end, struct procfs_psi_line *l)
{
	char word[48];

	while (take_word(&p, end, word, sizeof(word)) > 0) {
		const char *eq = strchr(word, '='), *v;
		if (!eq)
			continue;
		v = eq + 1;
		const char *vend = v + strlen(v);
		if (!strncmp(word, "avg10=", 6))
			take_double(&v, vend, &l->avg10);
		else if (!strncmp(word, "avg60=", 6))
			take_double(&v, vend, &l->avg60);
		else if (!strncmp(word, "avg300=", 7))
			take_double(&v, vend, &l->avg300);
		else if (!strncmp(word, "total=", 6) && take_u64(&v, vend, &l->total_us) == 0)
			l->present = true;
	}
	return l->present ? 0 : -1;
}

int procfs_parse_psi(const char *buf, struct procfs_psi *psi)
{
	memset(psi, 0, sizeof(*psi));
	for (const char *p = buf; *p; p = next_line(line_end(p))) {
		const char *end = line_end(p), *q;
		if ((q = after_key(p, end, "some", " ")))
			parse_psi_line(q, end, &psi->some);
		else if ((q = after_key(p, end, "full", " ")))
			parse_psi_line(q, end, &psi->full);
	}
	return psi->some.present ? 0 : -1;
}

/* --- /proc/PID/stat --- */

int procfs_parse_pid_stat(const char *buf, struct procfs_pid_stat *s)
{
	const char *end = line_end(buf), *p = buf, *open, *close;
	uint64_t f[40];
	int64_t pid;
	unsigned n = 0;

	memset(s, 0, sizeof(*s));
	s->processor = -1;
	if (take_i64(&p, end, &pid) || pid <= 0 || pid > INT32_MAX)
		return -1;
	/* comm is whatever lies between the first '(' and the LAST ')': a task may name
	 * itself "a) R (b" and fool a parser that stops at the first ')' */
	open = memchr(p, '(', (size_t)(end - p));
	if (!open)
		return -1;
	close = NULL;
	for (const char *q = end; q > open; q--)
		if (q[-1] == ')') {
			close = q - 1;
			break;
		}
	if (!close || close <= open)
		return -1;
	copy_bounded(s->comm, sizeof(s->comm), open + 1, (size_t)(close - open - 1));
	p = skip_blanks(close + 1, end);
	if (p >= end)
		return -1;
	s->pid = (pid_t)pid;
	s->state = *p++;
	/* fields from 4 (ppid) on; some are negative (priority, nice, tty_nr), kept as signed */
	for (; n < 40; n++) {
		int64_t v;
		if (take_i64(&p, end, &v))
			break;
		f[n] = (uint64_t)v;
	}
	if (n < 11)
		return -1;
	/* f[0] is field 4 of proc(5) */
#define F(num) f[(num) - 4]
	s->ppid = (pid_t)F(4);
	s->minflt = F(10);
	s->majflt = F(12);
	if (n > 15 - 4) {
		s->utime = F(14);
		s->stime = F(15);
	}
	if (n > 20 - 4) {
		s->priority = (int64_t)F(18);
		s->nice = (int64_t)F(19);
		s->num_threads = (int64_t)F(20);
	}
	if (n > 24 - 4) {
		s->starttime = F(22);
		s->vsize = F(23);
		s->rss_pages = F(24);
	}
	if (n > 39 - 4)
		s->processor = (int)F(39);
	if (n > 42 - 4)
		s->delayacct_blkio_ticks = F(42);
#undef F
	return 0;
}

/* --- /proc/PID/status --- */

int procfs_parse_pid_status(const char *buf, struct procfs_pid_status *s)
{
	bool have_name = false;

	memset(s, 0, sizeof(*s));
	for (const char *p = buf; *p; p = next_line(line_end(p))) {
		const char *end = line_end(p), *q;
		uint64_t v;
		int64_t i;

		if ((q = after_key(p, end, "Name", ":"))) {
			/* the name runs to the end of the line (the kernel escapes '\n' and '\\') */
			while (q < end && (*q == '\t' || *q == ' '))
				q++;
			copy_bounded(s->name, sizeof(s->name), q, (size_t)(end - q));
			have_name = true;
		} else if ((q = after_key(p, end, "State", ":"))) {
			q = skip_blanks(q, end);
			s->state = q < end ? *q : 0;
		} else if ((q = after_key(p, end, "Tgid", ":")) && !take_i64(&q, end, &i)) {
			s->tgid = (pid_t)i;
		} else if ((q = after_key(p, end, "Pid", ":")) && !take_i64(&q, end, &i)) {
			s->pid = (pid_t)i;
		} else if ((q = after_key(p, end, "PPid", ":")) && !take_i64(&q, end, &i)) {
			s->ppid = (pid_t)i;
		} else if ((q = after_key(p, end, "Uid", ":")) && !take_u64(&q, end, &v)) {
			s->uid = (uid_t)v;
		} else if ((q = after_key(p, end, "VmRSS", ":")) && !take_u64(&q, end, &v)) {
			s->vm_rss_kb = v;
		} else if ((q = after_key(p, end, "Threads", ":")) && !take_u64(&q, end, &v)) {
			s->threads = v;
		} else if ((q = after_key(p, end, "voluntary_ctxt_switches", ":")) &&
			   !take_u64(&q, end, &v)) {
			s->voluntary_ctxt = v;
		} else if ((q = after_key(p, end, "nonvoluntary_ctxt_switches", ":")) &&
			   !take_u64(&q, end, &v)) {
			s->nonvoluntary_ctxt = v;
		}
	}
	return have_name ? 0 : -1;
}

/* --- /proc/PID/wchan --- */

int procfs_parse_wchan(const char *buf, char *out, size_t size)
{
	const char *end = line_end(buf), *p = skip_blanks(buf, end), *q = p;

	while (q < end && *q != ' ' && *q != '\t' && *q != '\r')
		q++;
	if (q == p || (q - p == 1 && *p == '0')) {
		if (size)
			out[0] = 0;
		return -1;
	}
	copy_bounded(out, size, p, (size_t)(q - p));
	return 0;
}

/* --- /dev/kmsg --- */

int procfs_parse_kmsg(const char *rec, size_t len, struct procfs_kmsg *k)
{
	const char *end = rec + len, *p = rec, *semi, *text_end;
	uint64_t prio, seq, usec;

	memset(k, 0, sizeof(*k));
	semi = memchr(rec, ';', len);
	if (!semi)
		return -1;
	if (take_u64(&p, semi, &prio) || p >= semi || *p++ != ',' ||
	    take_u64(&p, semi, &seq) || p >= semi || *p++ != ',' || take_u64(&p, semi, &usec))
		return -1;
	k->level = prio & 7;
	k->facility = (unsigned)((prio >> 3) > 1023 ? 1023 : prio >> 3);
	k->seq = seq;
	k->ts_usec = usec;
	/* the text ends at the first newline; continuation lines (" KEY=value") follow */
	text_end = memchr(semi + 1, '\n', (size_t)(end - semi - 1));
	if (!text_end)
		text_end = end;
	copy_bounded(k->text, sizeof(k->text), semi + 1, (size_t)(text_end - semi - 1));
	/* a record never holds a NUL, but a fuzzed one might: stop the text there */
	return 0;
}
