#!/usr/bin/env bash
# check's network figures against sar -n DEV,EDEV,TCP,ETCP over the same window, inside a
# network namespace of our own (its counters see only this test's traffic), and the
# retransmit reading.
#   1. agreement: a bulk TCP stream through a 20 Mbit/s token bucket (tbf sets the rate,
#      not the shared CPUs) plus short connections opened one after another
#   2. C4: the receiver drops 10% of the stream's packets (iptables statistic): retrans/s
#      agrees with sar's and tcp_retrans fires; a quiet namespace raises no network reading
#   3. C4/C10: datagrams larger than the receiving side's MTU are dropped by the veth
#      (counted in its rx_drop): rxdrop/s agrees with sar -n EDEV and nic_drops fires
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/netlib.sh"
source "$(dirname "$0")/check_lib.inc"
need_root; need_cmd jq; need_cmd sar sysstat; need_cmd tc iproute2; need_cmd iptables
[ -x "$WORKLOADS/netpair" ] || skip "netpair workload not built ($WORKLOADS)"
make_netpair
in_a tc qdisc add dev "$VETH_A" root tbf rate 20mbit burst 32kbit latency 400ms ||
  skip "no tbf qdisc"
CHECK_NS=$NS_A

# sar_avg HEADER_WORD COLUMN [IFACE]: a value from sar's "Average:" block whose header
# holds HEADER_WORD
sar_avg() {
  awk -v key="$1" -v col="$2" -v ifc="${3:-}" '
    /^$/ { hdr = 0; next }
    $1 == "Average:" {
      if (index($0, key)) { hdr = 1; for (i = 1; i <= NF; i++) idx[$i] = i; next }
      if (hdr && (ifc == "" || $2 == ifc)) { print $(idx[col]); exit }
    }' "$TMP/sysstat.out"
}
nic() { jq -r --arg n "$VETH_A" --arg k "$1" '.nics[]|select(.name==$n)|.[$k]' "$TMP/check.json"; }
tcp() { jq -r --arg k "$1" '.tcp[$k]' "$TMP/check.json"; }

# background traffic, each in a session of its own so that stopping it takes its children
bg=()
start_bg() { setsid "$@" >/dev/null 2>&1 & bg+=($!); }
stop_bg() {
  local p
  for p in "${bg[@]}"; do kill -- "-$p" 2>/dev/null; done
  for p in "${bg[@]}"; do wait "$p" 2>/dev/null; done
  bg=()
}
on_exit stop_bg
# serve PORT REPLY_BYTES: a netpair server in namespace B, stopped with the rest
serve() {
  setsid ip netns exec "$NS_B" "$WORKLOADS/netpair" server "$1" "$2" 1000000 >"$TMP/server$1.out" 2>&1 &
  bg+=($!)
  local i
  for i in $(seq 1 100); do grep -q ready "$TMP/server$1.out" && return 0; sleep 0.05; done
  fail "netpair server did not start: $(cat "$TMP/server$1.out")"
}

# 1. agreement
serve 5001 0
serve 5003 100
start_bg ip netns exec "$NS_A" "$WORKLOADS/netpair" client "$IP_B" 5001 100000000000 1
start_bg ip netns exec "$NS_A" bash -c "while :; do $WORKLOADS/netpair client $IP_B 5003 1000 1; sleep 0.05; done"
sleep 1
side_by_side 2 sar -n DEV,EDEV,TCP,ETCP 2 1
jq -c --arg n "$VETH_A" '.nics[]|select(.name==$n)' "$TMP/check.json"
[ -n "$(nic rxpck_per_s)" ] || fail "$VETH_A missing from check's nics[]"
for pair in rxpck_per_s:rxpck/s txpck_per_s:txpck/s rxkb_per_s:rxkB/s txkb_per_s:txkB/s \
            rxcmp_per_s:rxcmp/s txcmp_per_s:txcmp/s rxmcst_per_s:rxmcst/s ifutil_pct:%ifutil; do
  agree "$VETH_A ${pair#*:}" "$(nic "${pair%%:*}")" "$(sar_avg rxpck/s "${pair#*:}" "$VETH_A")"
done
for pair in rxerr_per_s:rxerr/s txerr_per_s:txerr/s coll_per_s:coll/s rxdrop_per_s:rxdrop/s \
            txdrop_per_s:txdrop/s txcarr_per_s:txcarr/s rxfram_per_s:rxfram/s \
            rxfifo_per_s:rxfifo/s txfifo_per_s:txfifo/s; do
  agree "$VETH_A ${pair#*:}" "$(nic "${pair%%:*}")" "$(sar_avg rxerr/s "${pair#*:}" "$VETH_A")"
done
for pair in active_per_s:active/s passive_per_s:passive/s iseg_per_s:iseg/s oseg_per_s:oseg/s; do
  agree "tcp ${pair#*:}" "$(tcp "${pair%%:*}")" "$(sar_avg active/s "${pair#*:}")"
done
for pair in atmptf_per_s:atmptf/s estres_per_s:estres/s retrans_per_s:retrans/s \
            isegerr_per_s:isegerr/s orsts_per_s:orsts/s; do
  agree "tcp ${pair#*:}" "$(tcp "${pair%%:*}")" "$(sar_avg atmptf/s "${pair#*:}")"
done
assert_between "$(nic txkb_per_s)" 1500 2600 "$VETH_A txkB/s through a 20 Mbit/s bucket"
assert_between "$(tcp active_per_s)" 1 1000 "TCP connections opened per second"
jq -e --arg n "$VETH_A" '.nics[]|select(.name==$n)|.speed_mbps == 10000' "$TMP/check.json" >/dev/null ||
  fail "veth speed not read from /sys/class/net"
# veth offers driver statistics (rx_queue_0_drops) but no ring sizes: noted, not fatal
jq -e --arg n "$VETH_A" '.nics[]|select(.name==$n)|.ring == null' "$TMP/check.json" >/dev/null ||
  note "veth reports ring sizes on this kernel"
has_flag tcp_retrans && fail "tcp_retrans fired without loss: $(show_flags)"
stop_bg

# a quiet namespace: no network reading
in_a "$WS" check -d 1 --json >"$TMP/check.json" || fail "check failed"
for id in tcp_retrans tcp_listen_drops nic_drops nic_ring_overflow softnet_backlog; do
  has_flag "$id" && fail "$id fired in a quiet namespace: $(show_flags)"
done

# 2. loss on the path
in_b iptables -A INPUT -p tcp --dport 5002 -m statistic --mode random --probability 0.1 -j DROP ||
  skip "iptables statistic match unavailable"
serve 5002 0
start_bg ip netns exec "$NS_A" "$WORKLOADS/netpair" client "$IP_B" 5002 100000000000 1
sleep 1
side_by_side 4 sar -n TCP,ETCP 4 1 # bursty retransmits: a longer window halves the edge effects
show_flags
for pair in iseg_per_s:iseg/s oseg_per_s:oseg/s; do
  agree "tcp ${pair#*:} (lossy)" "$(tcp "${pair%%:*}")" "$(sar_avg active/s "${pair#*:}")"
done
agree "tcp retrans/s (lossy)" "$(tcp retrans_per_s)" "$(sar_avg atmptf/s retrans/s)"
assert_between "$(tcp retrans_pct)" 1 30 "retransmitted share of sent segments (%), 10% loss"
has_flag tcp_retrans || fail "tcp_retrans did not fire at 10% loss"
stop_bg

# 3. receive drops: A sends 4000-byte datagrams, B's MTU is 1500
in_b iptables -F INPUT
in_a ip link set "$VETH_A" mtu 9000 || fail "cannot raise the MTU"
start_bg ip netns exec "$NS_A" bash -c "while :; do $WORKLOADS/netpair udp $IP_B 9 20 4000; sleep 0.02; done"
sleep 1
CHECK_NS=$NS_B
side_by_side 2 sar -n EDEV 2 1
show_flags
nicb() { jq -r --arg n "$VETH_B" --arg k "$1" '.nics[]|select(.name==$n)|.[$k]' "$TMP/check.json"; }
agree "$VETH_B rxdrop/s" "$(nicb rxdrop_per_s)" "$(sar_avg rxerr/s rxdrop/s "$VETH_B")"
agree "$VETH_B rxerr/s" "$(nicb rxerr_per_s)" "$(sar_avg rxerr/s rxerr/s "$VETH_B")"
assert_between "$(nicb rxdrop_per_s)" 50 100000 "$VETH_B rxdrop/s"
has_flag nic_drops "$VETH_B" || fail "nic_drops did not fire for $VETH_B"
stop_bg
echo "check_net: all checks passed"
