#!/usr/bin/env bash
# nicstat inside a test namespace: its counters for a veth equal /sys/class/net's once
# traffic stops, its per-second rates add up to the counters' change, veth's driver
# counters and queues show; lo's missing driver statistics are said once; a namespace or
# an interface deleted under it ends the run with a clear message; bad input (unknown
# interface, unknown namespace).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/netlib.sh"
need_root
need_cmd jq

out=$($WS nicstat -i no-such-if0 1 1 2>&1); rc=$?
assert_eq "$rc" 2 "exit status for an unknown interface"
assert_contains "$out" "no interface no-such-if0"
out=$($WS nicstat -n no-such-netns-$$ 1 1 2>&1); rc=$?
assert_eq "$rc" 2 "exit status for an unknown namespace"
assert_contains "$out" "no network namespace"
out=$($WS nicstat -i ../x 1 1 2>&1); rc=$?
assert_eq "$rc" 2 "exit status for a bad interface name"

make_netpair
sys() { in_a cat "/sys/class/net/$VETH_A/statistics/$1"; }
before_rx=$(sys rx_packets); before_tx=$(sys tx_bytes)
$WS nicstat -n "$NS_A" -i "$VETH_A" --json 1 4 >"$TMP/nic.json" 2>"$TMP/nic.err" &
pid=$!
wait_attached "$TMP/nic.err"
start_server 5207 100000 1
in_a "$WORKLOADS/netpair" client "$IP_B" 5207 3000000 1 >/dev/null || fail "client failed"
wait $pid || fail "nicstat failed: $(cat "$TMP/nic.err")"
last() { jq -s --arg f "$1" '.[-1].interfaces[0][$f]' "$TMP/nic.json"; }
assert_eq "$(last rx_packets)" "$(sys rx_packets)" "rx_packets vs /sys/class/net"
assert_eq "$(last tx_packets)" "$(sys tx_packets)" "tx_packets vs /sys/class/net"
assert_eq "$(last rx_bytes)" "$(sys rx_bytes)" "rx_bytes vs /sys/class/net"
assert_eq "$(last tx_bytes)" "$(sys tx_bytes)" "tx_bytes vs /sys/class/net"
assert_eq "$(last rx_dropped)" "$(sys rx_dropped)" "rx_dropped vs /sys/class/net"
# rates times interval lengths add up to the change (to the rounding of printed decimals)
sum=$(jq -s '[.[] | .interfaces[0].per_s.tx_bytes * .interval_s] | add' "$TMP/nic.json")
d=$(( $(sys tx_bytes) - before_tx ))
assert_between "$sum" "$(( d - d / 1000 - 2 ))" "$(( d + d / 1000 + 2 ))" "tx_bytes from rates x intervals (change $d)"
note "rx packets during the run: $(( $(sys rx_packets) - before_rx ))"
assert_eq "$(jq -s '.[-1].interfaces[0].driver | has("peer_ifindex")' "$TMP/nic.json")" true "veth driver counter peer_ifindex"
[ "$(jq -s '.[-1].interfaces[0].queues | length' "$TMP/nic.json")" -gt 0 ] || fail "no per-queue counters for veth"
assert_eq "$(jq -s '.[-1].softnet | length' "$TMP/nic.json")" "$(nproc)" "softnet rows (one per CPU)"

# a device without driver statistics: said once, not an error
out=$($WS nicstat -i lo 1 1 2>&1); rc=$?
assert_eq "$rc" 0 "exit status on lo"
assert_contains "$out" "lo has no driver statistics"

# the namespace is deleted under a running nicstat: one clear line, exit 1
ip netns add wsnet-c-$$; on_exit "ip netns del wsnet-c-$$"
$WS nicstat -n wsnet-c-$$ 1 >"$TMP/ns.out" 2>"$TMP/ns.err" &
pid=$!
wait_attached "$TMP/ns.err"
ip netns del wsnet-c-$$
wait $pid; rc=$?
assert_eq "$rc" 1 "exit status when the namespace is deleted"
assert_contains "$(cat "$TMP/ns.err")" "namespace wsnet-c-$$ was deleted"

# the interface goes away under a running nicstat: one clear line, exit 1
$WS nicstat -n "$NS_A" -i "$VETH_A" 1 >"$TMP/gone.out" 2>"$TMP/gone.err" &
pid=$!
wait_attached "$TMP/gone.err"
in_a ip link del "$VETH_A"
wait $pid; rc=$?
assert_eq "$rc" 1 "exit status when the interface disappears"
assert_contains "$(cat "$TMP/gone.err")" "disappeared"
exit 0
