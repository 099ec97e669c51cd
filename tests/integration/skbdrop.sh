#!/usr/bin/env bash
# skbdrop over a veth pair: an iptables rule dropping 10% of TCP packets at random makes
# NETFILTER_DROP drops in the receiver's namespace, as many as the rule's packet counter
# (exact); a tbf qdisc with a tiny limit makes QDISC_DROP drops, as many as tc's dropped
# counter. tcpdrop (TCP only) and -c counts, the raw_tp fallback, and bad input.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/netlib.sh"
need_root
need_cmd iptables
need_cmd tc
need_cmd jq

out=$($WS skbdrop --bogus 2>&1); rc=$?
assert_eq "$rc" 2 "exit status for an unknown option"
out=$($WS skbdrop 2 2>&1); rc=$?
assert_eq "$rc" 2 "exit status for an interval without -c"
assert_contains "$out" "needs -c"
out=$($WS tcpdrop -c -s 2>&1); rc=$?
assert_eq "$rc" 2 "exit status for -c with -s"

make_netpair
in_b iptables -A INPUT -p tcp --dport 5202 -m statistic --mode random --probability 0.1 -j DROP ||
  skip "iptables statistic match unavailable"
rule_drops() { in_b iptables -L INPUT -v -x -n | awk '/DROP/ && /5202/ {print $1}'; }
# After the client returns, the kernel may still retransmit a dropped FIN or ACK (RTO
# backoff): wait until the rule's counter stops moving, so tracer and counter see the same.
drops_settled() {
  local prev now i
  prev=$(rule_drops)
  for i in $(seq 10); do sleep 1; now=$(rule_drops); [ "$now" = "$prev" ] && return 0; prev=$now; done
  note "the rule's counter was still moving after 10 s"
}

# 1. each drop, with its reason and kernel stack (-s), in the receiver's namespace
$WS skbdrop -s --json >"$TMP/drops.json" 2>"$TMP/drops.err" &
pid=$!
wait_attached "$TMP/drops.err"
start_server 5202 0 1
in_a "$WORKLOADS/netpair" client "$IP_B" 5202 2000000 1 >/dev/null || fail "client failed"
drops_settled
stop_tracer $pid
expected=$(rule_drops)
[ "$expected" -gt 0 ] || fail "the iptables rule dropped nothing"
got=$(jq -s --argjson ns "$NETNS_B" '[.[] | select(.netns == $ns and .reason == "NETFILTER_DROP")] | length' "$TMP/drops.json")
assert_eq "$got" "$expected" "NETFILTER_DROP events vs the rule's packet counter"
assert_eq "$(jq -r --argjson ns "$NETNS_B" 'select(.netns == $ns and .reason == "NETFILTER_DROP") | "\(.protocol) \(.raddr) \(.rport)"' "$TMP/drops.json" | sort -u)" \
  "TCP $IP_B 5202" "protocol, destination address and port of the dropped packets"
loc=$(jq -r --argjson ns "$NETNS_B" 'select(.netns == $ns and .reason == "NETFILTER_DROP") | .location' "$TMP/drops.json" | sort -u | head -1)
assert_contains "$loc" "nf_hook_slow\|nft_do_chain\|ipt_do_table" "drop location"
note "drop location: $loc"
assert_eq "$(jq -s 'map(select(.summary)) | .[0].lost_events' "$TMP/drops.json")" 0 "lost events"
stack=$(jq -r --argjson ns "$NETNS_B" 'select(.netns == $ns and .reason == "NETFILTER_DROP") | .kernel_stack | join(" ")' "$TMP/drops.json" | head -1)
assert_contains "$stack" "nf_hook_slow" "kernel stack of a NETFILTER_DROP"

# 2. tcpdrop -c, raw_tp fallback: counts by reason and location
in_b iptables -Z INPUT
WHYSLOW_FORCE_RAW_TP=1 $WS tcpdrop -c --json 30 1 >"$TMP/count.json" 2>"$TMP/count.err" &
pid=$!
wait_attached "$TMP/count.err"
start_server 5202 0 1
in_a "$WORKLOADS/netpair" client "$IP_B" 5202 2000000 1 >/dev/null || fail "client failed"
drops_settled
stop_tracer $pid
expected=$(rule_drops)
got=$(jq --argjson ns "$NETNS_B" '[.drops[] | select(.netns == $ns and .reason == "NETFILTER_DROP") | .count] | add // 0' "$TMP/count.json")
assert_eq "$got" "$expected" "tcpdrop -c (raw_tp): NETFILTER_DROP count vs the rule's counter"

# 3. qdisc drops: tbf with a tiny queue on the sender's side, UDP faster than its rate
in_a tc qdisc add dev "$VETH_A" root tbf rate 1mbit burst 1600 limit 3000 || skip "tbf qdisc unavailable"
$WS skbdrop -c --json 30 1 >"$TMP/qdisc.json" 2>"$TMP/qdisc.err" &
pid=$!
wait_attached "$TMP/qdisc.err"
in_a "$WORKLOADS/netpair" udp "$IP_B" 5203 2000 1000 >"$TMP/udp.out" || fail "udp sender failed"
sleep 0.2
stop_tracer $pid
expected=$(in_a tc -s qdisc show dev "$VETH_A" | awk '/dropped/ { sub(",", "", $7); print $7; exit }')
[ "${expected:-0}" -gt 0 ] || fail "tbf dropped nothing: $(in_a tc -s qdisc show dev "$VETH_A")"
got=$(jq --argjson ns "$NETNS_A" '[.drops[] | select(.netns == $ns and (.reason | startswith("QDISC"))) | .count] | add // 0' "$TMP/qdisc.json")
assert_eq "$got" "$expected" "QDISC_* drops vs tc's dropped counter"
note "qdisc drop reasons: $(jq -r --argjson ns "$NETNS_A" '[.drops[] | select(.netns == $ns) | .reason] | unique | join(",")' "$TMP/qdisc.json")"
exit 0
