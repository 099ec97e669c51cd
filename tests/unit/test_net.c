/* Unit tests of the net commands' shared helpers: enum names from BTF, address text. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <bpf/btf.h>
#include "unit.h"
#include "lib/btfenum.h"
#include "lib/inet.h"
#include "lib/ethtool.h"

/* A BTF object with one enum, built in memory: the answer does not depend on the kernel. */
static struct btf *btf_with_enum(void)
{
	struct btf *btf = btf__new_empty();
	int id = btf__add_enum(btf, "skb_drop_reason", 4);

	btf__add_enum_value(btf, "SKB_NOT_DROPPED_YET", 0);
	btf__add_enum_value(btf, "SKB_CONSUMED", 1);
	btf__add_enum_value(btf, "SKB_DROP_REASON_NOT_SPECIFIED", 2);
	btf__add_enum_value(btf, "SKB_DROP_REASON_NETFILTER_DROP", 12);
	(void)id;
	return btf;
}

TEST(btfenum_names_stripped_of_prefix)
{
	struct btf *btf = btf_with_enum();
	struct btfenum *e = btfenum_from_btf(btf, "skb_drop_reason", "SKB_DROP_REASON_", NULL);
	char buf[32];

	CHECK(e != NULL);
	CHECK_EQ_U64(btfenum_count(e), 4);
	CHECK(strcmp(btfenum_name(e, 12), "NETFILTER_DROP") == 0);
	CHECK(strcmp(btfenum_name(e, 1), "SKB_CONSUMED") == 0); /* no prefix: kept whole */
	CHECK(btfenum_name(e, 99) == NULL);
	CHECK_EQ_I64(btfenum_value(e, "NOT_SPECIFIED"), 2);
	CHECK_EQ_I64(btfenum_value(e, "NOPE"), -1);
	CHECK(strcmp(btfenum_format(e, 99, "reason ", buf, sizeof(buf)), "reason 99") == 0);
	CHECK(strcmp(btfenum_format(e, 12, "reason ", buf, sizeof(buf)), "NETFILTER_DROP") == 0);
	CHECK(btfenum_from_btf(btf, "no_such_enum", NULL, NULL) == NULL);
	btfenum_free(e);
	btf__free(btf);
}

TEST(btfenum_suffix)
{
	struct btf *btf = btf__new_empty();
	struct btfenum *e;

	btf__add_enum(btf, "vecs", 4);
	btf__add_enum_value(btf, "HI_SOFTIRQ", 0);
	btf__add_enum_value(btf, "NET_RX_SOFTIRQ", 3);
	e = btfenum_from_btf(btf, "vecs", NULL, "_SOFTIRQ");
	CHECK(e && strcmp(btfenum_name(e, 3), "NET_RX") == 0);
	CHECK(e && strcmp(btfenum_name(e, 0), "HI") == 0);
	btfenum_free(e);
	btf__free(btf);
	CHECK(btfenum_format(NULL, 7, "vec ", (char[16]){0}, 16) != NULL);
}

TEST(btfenum_kernel_drop_reasons)
{
	struct btfenum *e = btfenum_load("skb_drop_reason", "SKB_DROP_REASON_", NULL);

	if (!e) /* no kernel BTF readable here: the in-memory tests above still ran */
		return;
	CHECK(btfenum_value(e, "NETFILTER_DROP") > 2);
	CHECK(btfenum_value(e, "QDISC_DROP") > 2);
	btfenum_free(e);
}

TEST(inet_text)
{
	unsigned char a[16] = {0};
	char buf[INET_ENDPOINT_STRLEN];

	inet_pton(AF_INET, "10.1.2.3", a);
	CHECK(strcmp(inet_addr_str(AF_INET, a, buf, sizeof(buf)), "10.1.2.3") == 0);
	CHECK(strcmp(inet_endpoint_str(AF_INET, a, 80, buf, sizeof(buf)), "10.1.2.3:80") == 0);
	inet_pton(AF_INET6, "fd00::1", a);
	CHECK(strcmp(inet_endpoint_str(AF_INET6, a, 443, buf, sizeof(buf)), "[fd00::1]:443") == 0);
	CHECK(strcmp(inet_addr_str(0, a, buf, sizeof(buf)), "?") == 0);
	CHECK(strcmp(inet_tcp_state_name(1), "ESTABLISHED") == 0);
	CHECK(strcmp(inet_tcp_state_name(12), "NEW_SYN_RECV") == 0);
	CHECK(strcmp(inet_tcp_state_name(200), "UNKNOWN") == 0);
}

TEST(inet_ports)
{
	uint16_t p[4];

	CHECK_EQ_I64(inet_parse_ports("80,443", p, 4), 2);
	CHECK_EQ_U64(p[1], 443);
	CHECK_EQ_I64(inet_parse_ports("80,", p, 4), 1);
	CHECK_EQ_I64(inet_parse_ports("0", p, 4), -1);
	CHECK_EQ_I64(inet_parse_ports("70000", p, 4), -1);
	CHECK_EQ_I64(inet_parse_ports("1,2,3,4,5", p, 4), -1);
	CHECK_EQ_I64(inet_parse_ports("x", p, 4), -1);
	CHECK_EQ_I64(inet_parse_ports("", p, 4), -1);
}

TEST(ethtool_queue_names)
{
	char field[32];
	unsigned q;
	bool rx;

	CHECK(ethtool_queue_stat("rx_queue_3_packets", &rx, &q, field, sizeof(field)));
	CHECK(rx && q == 3 && strcmp(field, "packets") == 0);
	CHECK(ethtool_queue_stat("tx_queue_12_xdp_tx_drops", &rx, &q, field, sizeof(field)));
	CHECK(!rx && q == 12 && strcmp(field, "xdp_tx_drops") == 0);
	CHECK(ethtool_queue_stat("rx-0.bytes", &rx, &q, field, sizeof(field)));
	CHECK(rx && q == 0 && strcmp(field, "bytes") == 0);
	CHECK(ethtool_queue_stat("rx5_cache_full", &rx, &q, field, sizeof(field)));
	CHECK(rx && q == 5 && strcmp(field, "cache_full") == 0);
	CHECK(!ethtool_queue_stat("rx_missed_errors", &rx, &q, field, sizeof(field)));
	CHECK(!ethtool_queue_stat("peer_ifindex", &rx, &q, field, sizeof(field)));
	CHECK(!ethtool_queue_stat("rx_queue_3_", &rx, &q, field, sizeof(field)));
	CHECK(!ethtool_queue_stat("rx", &rx, &q, field, sizeof(field)));
}

TEST(ethtool_loopback_has_no_driver_stats)
{
	struct ethtool_counters c;
	struct ethtool_rings r;

	CHECK_EQ_I64(ethtool_read_counters("no-such-if0", &c), -ENODEV);
	CHECK_EQ_I64(ethtool_read_rings("no-such-if0", &r), -ENODEV);
	CHECK_EQ_I64(ethtool_read_counters("a-name-far-too-long-for-ifnamsiz", &c), -ENODEV);
	/* lo has no ethtool statistics and no rings: an error, not a crash */
	CHECK(ethtool_read_counters("lo", &c) < 0);
	CHECK(ethtool_read_rings("lo", &r) < 0);
	CHECK_EQ_U64(c.n, 0);
}
