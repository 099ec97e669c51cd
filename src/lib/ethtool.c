/* ethtool ioctls; see ethtool.h. */
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include "lib/ethtool.h"

static int ethtool_call(const char *ifname, void *cmd)
{
	struct ifreq ifr;
	int fd, err = 0;

	if (strlen(ifname) >= sizeof(ifr.ifr_name))
		return -ENODEV;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, ifname, strlen(ifname));
	ifr.ifr_data = cmd;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
		err = -errno;
	close(fd);
	return err;
}

static int stats_count(const char *ifname, uint32_t *n)
{
	union { /* the header and room for the one count asked for (data[] is flexible) */
		struct ethtool_sset_info hdr;
		uint8_t raw[sizeof(struct ethtool_sset_info) + sizeof(uint32_t)];
	} sset;
	int err;

	memset(&sset, 0, sizeof(sset));
	sset.hdr.cmd = ETHTOOL_GSSET_INFO;
	sset.hdr.sset_mask = 1ull << ETH_SS_STATS;
	err = ethtool_call(ifname, &sset);

	if (err)
		return err;
	if (!(sset.hdr.sset_mask & (1ull << ETH_SS_STATS)) || sset.hdr.data[0] == 0)
		return -EOPNOTSUPP;
	*n = sset.hdr.data[0];
	return *n > 1u << 16 ? -E2BIG : 0;
}

int ethtool_read_counters(const char *ifname, struct ethtool_counters *c)
{
	struct ethtool_gstrings *strings = NULL;
	struct ethtool_stats *stats = NULL;
	uint32_t n, cap;
	int err;

	memset(c, 0, sizeof(*c));
	if (!if_nametoindex(ifname))
		return -ENODEV;
	if ((err = stats_count(ifname, &n)))
		return err;
	/* the kernel writes as many as the driver has at the time of each call, whatever len
	 * says: room for the set to grow in between (ethtool -L adding queues) */
	cap = n * 2 + 64;
	strings = calloc(1, sizeof(*strings) + (size_t)cap * ETH_GSTRING_LEN);
	stats = calloc(1, sizeof(*stats) + (size_t)cap * sizeof(uint64_t));
	c->names = calloc(n, sizeof(*c->names));
	c->values = calloc(n, sizeof(*c->values));
	if (!strings || !stats || !c->names || !c->values) {
		err = -ENOMEM;
		goto out;
	}
	strings->cmd = ETHTOOL_GSTRINGS;
	strings->string_set = ETH_SS_STATS;
	strings->len = n;
	stats->cmd = ETHTOOL_GSTATS;
	stats->n_stats = n;
	if ((err = ethtool_call(ifname, strings)) || (err = ethtool_call(ifname, stats)))
		goto out;
	if (strings->len > cap || stats->n_stats > cap) {
		err = -EAGAIN; /* grew past the room given: not to be trusted */
		goto out;
	}
	/* the set can change between calls (a queue added): keep what both agree on */
	c->n = n < strings->len ? n : strings->len;
	if (stats->n_stats < c->n)
		c->n = stats->n_stats;
	for (unsigned i = 0; i < c->n; i++) {
		memcpy(c->names[i], strings->data + (size_t)i * ETH_GSTRING_LEN, ETH_GSTRING_LEN);
		c->names[i][ETH_GSTRING_LEN] = '\0';
		c->values[i] = stats->data[i];
	}
out:
	free(strings);
	free(stats);
	if (err)
		ethtool_counters_free(c);
	return err;
}

void ethtool_counters_free(struct ethtool_counters *c)
{
	free(c->names);
	free(c->values);
	memset(c, 0, sizeof(*c));
}

bool ethtool_counter(const struct ethtool_counters *c, const char *name, uint64_t *value)
{
	for (unsigned i = 0; i < c->n; i++)
		if (strcmp(c->names[i], name) == 0) {
			*value = c->values[i];
			return true;
		}
	return false;
}

int ethtool_read_rings(const char *ifname, struct ethtool_rings *r)
{
	struct ethtool_ringparam ring = {.cmd = ETHTOOL_GRINGPARAM};
	int err;

	memset(r, 0, sizeof(*r));
	if (!if_nametoindex(ifname))
		return -ENODEV;
	if ((err = ethtool_call(ifname, &ring)))
		return err;
	r->rx = ring.rx_pending;
	r->rx_max = ring.rx_max_pending;
	r->tx = ring.tx_pending;
	r->tx_max = ring.tx_max_pending;
	return 0;
}

/* Reads the decimal queue number at s; returns the characters used, 0 if none. */
static size_t parse_queue(const char *s, unsigned *queue)
{
	size_t i = 0;
	unsigned long v = 0;

	while (s[i] >= '0' && s[i] <= '9' && i < 6)
		v = v * 10 + (unsigned long)(s[i++] - '0');
	*queue = (unsigned)v;
	return i;
}

bool ethtool_queue_stat(const char *name, bool *rx, unsigned *queue, char *field,
			size_t field_size)
{
	static const char *const prefixes[] = {"_queue_", "-", ""};
	const char *p;
	size_t used;

	if (strncmp(name, "rx", 2) == 0)
		*rx = true;
	else if (strncmp(name, "tx", 2) == 0)
		*rx = false;
	else
		return false;
	for (size_t k = 0; k < sizeof(prefixes) / sizeof(prefixes[0]); k++) {
		size_t plen = strlen(prefixes[k]);
		if (strncmp(name + 2, prefixes[k], plen) != 0)
			continue;
		p = name + 2 + plen;
		used = parse_queue(p, queue);
		if (!used || (p[used] != '_' && p[used] != '.') || !p[used + 1])
			continue;
		snprintf(field, field_size, "%s", p + used + 1);
		return true;
	}
	return false;
}
