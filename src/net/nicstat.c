/* nicstat: per interface and per queue packets, bytes, errors, drops, fifo and missed
 * counters, driver counters (ethtool -S), ring sizes (ethtool -g) and per-CPU softnet
 * drops and time squeezes, as rates per interval (case C4: rx_missed rising while the
 * ring is small and NET_RX softirq is starved). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lib/cli.h"
#include "lib/out.h"
#include "net/nicstat.h"
#include "lib/sort.h"

const char *const nicstat_field_names[NIC_FIELDS] = {
	"rx_packets", "tx_packets", "rx_bytes", "tx_bytes", "rx_errors", "tx_errors",
	"rx_dropped", "tx_dropped", "rx_fifo_errors", "tx_fifo_errors", "rx_missed_errors",
	"rx_over_errors",
};

/* --- the collector --- */

static int read_if(const char *name, struct nicstat_if *nif)
{
	char path[256], buf[64];

	memset(nif, 0, sizeof(*nif));
	snprintf(nif->name, sizeof(nif->name), "%s", name);
	for (int f = 0; f < NIC_FIELDS; f++) {
		int64_t v;
		snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/%s", name,
			 nicstat_field_names[f]);
		if (procfs_read_i64(path, &v) == 0)
			nif->counters[f] = (uint64_t)v;
		else if (f == 0 && procfs_read_file(path, buf, sizeof(buf)) < 0)
			return -ENODEV; /* gone between listing and reading */
	}
	nif->driver_err = ethtool_read_counters(name, &nif->driver);
	nif->rings_err = ethtool_read_rings(name, &nif->rings);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct nicstat_if *)a)->name, ((const struct nicstat_if *)b)->name);
}

int nicstat_sample(const char *only_if, struct nicstat_sample *s)
{
	static char buf[1 << 16];
	DIR *dir;
	struct dirent *de;
	int n;

	memset(s, 0, sizeof(*s));
	s->time_ns = cli_now_ns();
	dir = opendir("/sys/class/net");
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		struct nicstat_if *ifs;
		if (de->d_name[0] == '.' || (only_if && strcmp(de->d_name, only_if) != 0))
			continue;
		ifs = realloc(s->ifs, (s->nifs + 1) * sizeof(*ifs));
		if (!ifs)
			break;
		s->ifs = ifs;
		if (read_if(de->d_name, &s->ifs[s->nifs]) == 0)
			s->nifs++;
	}
	closedir(dir);
	if (only_if && !s->nifs) { /* listed, then gone before it was read */
		free(s->ifs);
		s->ifs = NULL;
		return -ENODEV;
	}
	sort_rows(s->ifs, s->nifs, sizeof(*s->ifs), by_name);
	if (procfs_read_file("/proc/net/softnet_stat", buf, sizeof(buf)) > 0 &&
	    (n = procfs_parse_softnet(buf, s->softnet, NICSTAT_MAX_CPUS)) > 0)
		s->ncpus = (unsigned)n;
	return 0;
}

void nicstat_sample_free(struct nicstat_sample *s)
{
	for (unsigned i = 0; i < s->nifs; i++)
		ethtool_counters_free(&s->ifs[i].driver);
	free(s->ifs);
	s->ifs = NULL;
	s->nifs = 0;
}

const struct nicstat_if *nicstat_find(const struct nicstat_sample *s, const char *name)
{
	for (unsigned i = 0; i < s->nifs; i++)
		if (strcmp(s->ifs[i].name, name) == 0)
			return &s->ifs[i];
	return NULL;
}

/* --- the command --- */

struct nicstat {
	struct cli_common common;
	const char *iface, *netns;
	bool timestamp, all_driver;
	struct nicstat_sample prev;
	bool warned_no_driver;
};

static const struct cli_opt options[] = {
	{'i', "interface", "IFACE", "this interface only"},
	{'n', "netns", "NAME", "interfaces of network namespace NAME (ip netns)"},
	{'a', "all", NULL, "every driver counter, not only those that changed"},
	{'T', "timestamp", NULL, "include a timestamp with each interval"},
	{0},
};

const struct cli_spec nicstat_spec = {
	.name = "nicstat",
	.summary = "NIC rates: packets, bytes, errors, drops, missed, per queue, rings, softnet",
	.usage = "[-i IFACE] [-n NETNS] [-a] [-T] [--json] [interval [count]]",
	.description =
		"Every interval (default 1 s): per interface, packets, kilobytes, errors, drops,\n"
		"FIFO overruns and missed packets per second (/sys/class/net/IF/statistics), the\n"
		"driver's own counters that changed (ethtool -S: per-queue packets and drops,\n"
		"rx_missed, no-buffer counters), the ring sizes in use and their maximum\n"
		"(ethtool -g), and per CPU the packets the softnet backlog dropped and the\n"
		"NET_RX runs that ran out of budget (time_squeeze, /proc/net/softnet_stat).\n"
		"Missed packets rising with a ring below its maximum: raise it (ethtool -G) and\n"
		"look for what delays NET_RX softirq on that CPU (softirqs -C, case C4).",
	.opts = options,
	.examples = "  whyslow nicstat                 # every interface, every second\n"
		    "  whyslow nicstat -i eth0 5       # eth0 every 5 s\n"
		    "  whyslow nicstat -n blue -a      # namespace blue, all driver counters\n",
	.interval = true,
};

static int on_option(void *arg, int key, const char *val)
{
	struct nicstat *n = arg;

	switch (key) {
	case 'i':
		if (!*val || strlen(val) >= NICSTAT_IFNAME || strchr(val, '/'))
			cli_usage_error("'%s' is not an interface name", val);
		n->iface = val;
		break;
	case 'n': n->netns = val; break;
	case 'a': n->all_driver = true; break;
	case 'T': n->timestamp = true; break;
	}
	return 0;
}

static double rate(uint64_t now, uint64_t before, double secs)
{
	return now >= before && secs > 0 ? (double)(now - before) / secs : 0;
}

/* Driver counters worth a line: those that changed (all with -a), skipping per-queue
 * ones (printed by queue) unless -a. */
static bool driver_shown(const struct nicstat *n, const char *name, uint64_t now, uint64_t before)
{
	bool rx;
	unsigned q;
	char field[ETHTOOL_NAME_LEN + 1];

	if (n->all_driver)
		return true;
	if (ethtool_queue_stat(name, &rx, &q, field, sizeof(field)))
		return false;
	return now != before;
}

static void print_if_json(struct nicstat *n, const struct nicstat_if *cur,
			  const struct nicstat_if *old, double secs, struct json *j)
{
	char field[ETHTOOL_NAME_LEN + 1];

	(void)n;
	json_object_open(j, NULL);
	json_str(j, "name", cur->name);
	for (int f = 0; f < NIC_FIELDS; f++)
		json_u64(j, nicstat_field_names[f], cur->counters[f]);
	json_object_open(j, "per_s");
	for (int f = 0; f < NIC_FIELDS; f++)
		json_double(j, nicstat_field_names[f],
			    old ? rate(cur->counters[f], old->counters[f], secs) : 0);
	json_object_close(j);
	if (!cur->rings_err) {
		json_object_open(j, "ring");
		json_u64(j, "rx", cur->rings.rx);
		json_u64(j, "rx_max", cur->rings.rx_max);
		json_u64(j, "tx", cur->rings.tx);
		json_u64(j, "tx_max", cur->rings.tx_max);
		json_object_close(j);
	}
	if (cur->driver_err) {
		json_str(j, "driver_stats", strerror(-cur->driver_err));
		json_object_close(j);
		return;
	}
	json_object_open(j, "driver");
	for (unsigned i = 0; i < cur->driver.n; i++)
		json_u64(j, cur->driver.names[i], cur->driver.values[i]);
	json_object_close(j);
	json_array_open(j, "queues");
	for (unsigned i = 0; i < cur->driver.n; i++) {
		bool rx;
		unsigned q;
		uint64_t before = 0;
		if (!ethtool_queue_stat(cur->driver.names[i], &rx, &q, field, sizeof(field)))
			continue;
		json_object_open(j, NULL);
		json_str(j, "dir", rx ? "rx" : "tx");
		json_u64(j, "queue", q);
		json_str(j, "counter", field);
		json_u64(j, "value", cur->driver.values[i]);
		if (old && ethtool_counter(&old->driver, cur->driver.names[i], &before))
			json_double(j, "per_s", rate(cur->driver.values[i], before, secs));
		json_object_close(j);
	}
	json_array_close(j);
	json_object_close(j);
}

static void print_if_text(struct nicstat *n, const struct nicstat_if *cur,
			  const struct nicstat_if *old, double secs)
{
	const uint64_t *c = cur->counters, *o = old ? old->counters : cur->counters;
	char ring[48] = "-";

	if (!cur->rings_err)
		snprintf(ring, sizeof(ring), "%u/%u %u/%u", cur->rings.rx, cur->rings.rx_max,
			 cur->rings.tx, cur->rings.tx_max);
	printf("%-12s %9.0f %9.0f %9.1f %9.1f %7.0f %7.0f %7.0f %7.0f %7.0f %7.0f  %s\n",
	       cur->name, rate(c[NIC_RX_PACKETS], o[NIC_RX_PACKETS], secs),
	       rate(c[NIC_TX_PACKETS], o[NIC_TX_PACKETS], secs),
	       rate(c[NIC_RX_BYTES], o[NIC_RX_BYTES], secs) / 1024,
	       rate(c[NIC_TX_BYTES], o[NIC_TX_BYTES], secs) / 1024,
	       rate(c[NIC_RX_ERRORS], o[NIC_RX_ERRORS], secs) +
		       rate(c[NIC_TX_ERRORS], o[NIC_TX_ERRORS], secs),
	       rate(c[NIC_RX_DROPPED], o[NIC_RX_DROPPED], secs),
	       rate(c[NIC_TX_DROPPED], o[NIC_TX_DROPPED], secs),
	       rate(c[NIC_RX_FIFO], o[NIC_RX_FIFO], secs) + rate(c[NIC_TX_FIFO], o[NIC_TX_FIFO], secs),
	       rate(c[NIC_RX_MISSED], o[NIC_RX_MISSED], secs),
	       rate(c[NIC_RX_OVER], o[NIC_RX_OVER], secs), ring);
	if (cur->driver_err || !old)
		return;
	for (unsigned i = 0; i < cur->driver.n; i++) {
		uint64_t before = cur->driver.values[i];
		bool rx;
		unsigned q;
		char field[ETHTOOL_NAME_LEN + 1];
		ethtool_counter(&old->driver, cur->driver.names[i], &before);
		if (ethtool_queue_stat(cur->driver.names[i], &rx, &q, field, sizeof(field)) &&
		    !n->all_driver) {
			if (cur->driver.values[i] != before)
				printf("  %s queue %-3u %-24s %12.0f/s\n", rx ? "rx" : "tx", q, field,
				       rate(cur->driver.values[i], before, secs));
			continue;
		}
		if (driver_shown(n, cur->driver.names[i], cur->driver.values[i], before))
			printf("  driver %-32s %12.0f/s  (total %llu)\n", cur->driver.names[i],
			       rate(cur->driver.values[i], before, secs),
			       (unsigned long long)cur->driver.values[i]);
	}
}

static void print_softnet(const struct nicstat_sample *cur, const struct nicstat_sample *old,
			  double secs, struct json *j)
{
	if (j)
		json_array_open(j, "softnet");
	else
		printf("\n%-4s %12s %10s %14s\n", "CPU", "processed/s", "dropped/s", "time_squeeze/s");
	for (unsigned i = 0; i < cur->ncpus; i++) {
		const struct procfs_softnet *c = &cur->softnet[i], *o = c;
		for (unsigned k = 0; k < old->ncpus; k++)
			if (old->softnet[k].cpu == c->cpu)
				o = &old->softnet[k];
		if (j) {
			json_object_open(j, NULL);
			json_u64(j, "cpu", c->cpu);
			json_u64(j, "processed", c->processed);
			json_u64(j, "dropped", c->dropped);
			json_u64(j, "time_squeeze", c->time_squeeze);
			json_double(j, "dropped_per_s", rate(c->dropped, o->dropped, secs));
			json_double(j, "time_squeeze_per_s", rate(c->time_squeeze, o->time_squeeze, secs));
			json_object_close(j);
		} else {
			printf("%-4u %12.0f %10.0f %14.0f\n", c->cpu,
			       rate(c->processed, o->processed, secs), rate(c->dropped, o->dropped, secs),
			       rate(c->time_squeeze, o->time_squeeze, secs));
		}
	}
	if (j)
		json_array_close(j);
}

static bool netns_exists(const char *name)
{
	char path[300];

	snprintf(path, sizeof(path), "/var/run/netns/%s", name);
	return access(path, F_OK) == 0;
}

static int tick(void *arg, bool last)
{
	struct nicstat *n = arg;
	struct nicstat_sample cur;
	double secs;
	struct json j;
	int err;

	(void)last;
	if (n->netns && !netns_exists(n->netns)) /* we hold it alive: say so and stop */
		return cli_fail("network namespace %s was deleted (ip netns del): stopping", n->netns);
	err = nicstat_sample(n->iface, &cur);
	if (err == -ENODEV)
		return cli_fail("interface %s disappeared (the device or its namespace was removed)",
				n->iface);
	if (err)
		return cli_fail("reading interface counters failed: %s", strerror(-err));
	secs = (double)(cur.time_ns - n->prev.time_ns) / 1e9;
	if (n->common.json) {
		json_begin(&j, stdout, "nicstat");
		json_double(&j, "interval_s", secs);
		json_array_open(&j, "interfaces");
		for (unsigned i = 0; i < cur.nifs; i++)
			print_if_json(n, &cur.ifs[i], nicstat_find(&n->prev, cur.ifs[i].name), secs, &j);
		json_array_close(&j);
		print_softnet(&cur, &n->prev, secs, &j);
		json_end(&j);
	} else {
		if (n->timestamp)
			out_timestamp_line(stdout);
		else
			putchar('\n');
		printf("%-12s %9s %9s %9s %9s %7s %7s %7s %7s %7s %7s  %s\n", "IFACE", "rxpkt/s",
		       "txpkt/s", "rxKB/s", "txKB/s", "err/s", "rxdrp/s", "txdrp/s", "fifo/s",
		       "miss/s", "over/s", "RING rx/max tx/max");
		for (unsigned i = 0; i < cur.nifs; i++) {
			const struct nicstat_if *old = nicstat_find(&n->prev, cur.ifs[i].name);
			print_if_text(n, &cur.ifs[i], old, secs);
			if (cur.ifs[i].driver_err == -EOPNOTSUPP && n->iface && !n->warned_no_driver) {
				printf("  (%s has no driver statistics: ethtool -S is not supported by "
				       "its driver)\n", cur.ifs[i].name);
				n->warned_no_driver = true;
			}
		}
		print_softnet(&cur, &n->prev, secs, NULL);
		fflush(stdout);
	}
	nicstat_sample_free(&n->prev);
	n->prev = cur;
	return 0;
}

static int mount_sysfs(void)
{
	if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return -1;
	umount2("/sys", MNT_DETACH);
	return mount("sysfs", "/sys", "sysfs", 0, NULL);
}

static int enter_netns(const char *name)
{
	char path[300];
	int fd;

	if (!*name || strchr(name, '/'))
		cli_usage_error("'%s' is not a network namespace name (see ip netns list)", name);
	snprintf(path, sizeof(path), "/var/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		cli_usage_error("no network namespace %s (see ip netns list)", name);
	if (setns(fd, CLONE_NEWNET)) {
		close(fd);
		return cli_fail("entering network namespace %s failed: %s", name, strerror(errno));
	}
	close(fd);
	/* /sys/class/net shows the namespace of the mount of /sys: remount it privately */
	if (unshare(CLONE_NEWNS) || mount_sysfs())
		return cli_fail("remounting /sys for namespace %s failed: %s", name, strerror(errno));
	return 0;
}

int cmd_nicstat(int argc, char **argv)
{
	struct nicstat n = {0};
	struct cli_loop_ops ops = {.tick = tick};
	int err;

	cli_parse(&nicstat_spec, argc, argv, &n.common, on_option, &n);
	if (!n.common.interval_s) { /* like nicstat and sar: every second */
		n.common.interval_s = 1;
		n.common.count = -1;
	}
	if (n.netns && (err = enter_netns(n.netns)))
		return err;
	err = nicstat_sample(n.iface, &n.prev);
	if (err == -ENODEV)
		cli_usage_error("no interface %s%s%s (see ip link)", n.iface,
				n.netns ? " in namespace " : "", n.netns ? n.netns : "");
	if (err)
		return cli_fail("reading interface counters failed: %s", strerror(-err));
	fprintf(stderr, "Watching %s... Hit Ctrl-C to end.\n", n.iface ? n.iface : "interfaces");
	err = cli_run_loop(&n.common, &ops, &n);
	nicstat_sample_free(&n.prev);
	return err;
}
