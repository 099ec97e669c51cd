/* The ethtool ioctls a monitoring tool needs (what `ethtool -S` and `ethtool -g` print):
 * driver statistics by name, and ring sizes. Plus a pure parser that finds the queue in
 * per-queue statistic names, whose spelling differs between drivers. */
#ifndef WHYSLOW_ETHTOOL_H
#define WHYSLOW_ETHTOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ETHTOOL_NAME_LEN 32 /* ETH_GSTRING_LEN */

struct ethtool_counters {
	unsigned n;
	char (*names)[ETHTOOL_NAME_LEN + 1];
	uint64_t *values;
};

/* ethtool -S IFNAME. Returns 0, or -errno: -EOPNOTSUPP when the driver has no statistics
 * (loopback, some virtual devices), -ENODEV when there is no such interface. */
int ethtool_read_counters(const char *ifname, struct ethtool_counters *c);
void ethtool_counters_free(struct ethtool_counters *c);
/* Value of a counter by exact name; false if absent. */
bool ethtool_counter(const struct ethtool_counters *c, const char *name, uint64_t *value);

struct ethtool_rings {
	uint32_t rx, rx_max, tx, tx_max;
};
/* ethtool -g IFNAME. Returns 0 or -errno (-EOPNOTSUPP for drivers without rings). */
int ethtool_read_rings(const char *ifname, struct ethtool_rings *r);

/* Splits a per-queue statistic name: "rx_queue_3_packets" (virtio, many), "rx-3.bytes"
 * (mlx5 style "rx3_bytes" too), "tx_queue_0_drops". On success *rx tells the direction,
 * *queue the number, field gets the rest ("packets"). False for other names. */
bool ethtool_queue_stat(const char *name, bool *rx, unsigned *queue, char *field,
			size_t field_size);

#endif
