/* nicstat's collector: samples of interface, driver (ethtool), ring and softnet counters;
 * the command prints rates between two samples. No BPF: these are the kernel's own
 * counters, read as ip -s, ethtool -S, ethtool -g and /proc/net/softnet_stat do. */
#ifndef WHYSLOW_NICSTAT_H
#define WHYSLOW_NICSTAT_H

#include <stdbool.h>
#include <stdint.h>
#include "lib/ethtool.h"
#include "lib/procfs.h"

/* /sys/class/net/IF/statistics files read for every interface, in this order. */
enum nicstat_field {
	NIC_RX_PACKETS, NIC_TX_PACKETS, NIC_RX_BYTES, NIC_TX_BYTES, NIC_RX_ERRORS,
	NIC_TX_ERRORS, NIC_RX_DROPPED, NIC_TX_DROPPED, NIC_RX_FIFO, NIC_TX_FIFO, NIC_RX_MISSED,
	NIC_RX_OVER, NIC_FIELDS
};
extern const char *const nicstat_field_names[NIC_FIELDS]; /* "rx_packets", ... */

#define NICSTAT_IFNAME 16
#define NICSTAT_MAX_CPUS 1024

struct nicstat_if {
	char name[NICSTAT_IFNAME];
	uint64_t counters[NIC_FIELDS];
	struct ethtool_counters driver; /* n == 0 when driver_err */
	int driver_err;                 /* -errno of ethtool -S, 0 if read */
	struct ethtool_rings rings;
	int rings_err;
};

struct nicstat_sample {
	uint64_t time_ns; /* CLOCK_MONOTONIC */
	struct nicstat_if *ifs;
	unsigned nifs;
	struct procfs_softnet softnet[NICSTAT_MAX_CPUS];
	unsigned ncpus;
};

/* Samples every interface (only_if == NULL) or one. Returns 0, -ENODEV when only_if does
 * not exist, or another -errno. */
int nicstat_sample(const char *only_if, struct nicstat_sample *s);
void nicstat_sample_free(struct nicstat_sample *s);
/* The interface of a sample by name, or NULL. */
const struct nicstat_if *nicstat_find(const struct nicstat_sample *s, const char *name);

#endif
