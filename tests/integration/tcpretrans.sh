#!/usr/bin/env bash
# tcpretrans over a veth pair whose receiver drops 10% of TCP packets (iptables, random):
# the retransmitted segments the tracer reports for the sender's namespace equal the
# kernel's RetransSegs delta there (exact: both count the same skbs' segments), and -c
# agrees with the events. Also: the raw_tp fallback, and bad input.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/netlib.sh"
need_root
need_cmd iptables
need_cmd jq

# bad input first (no setup needed)
out=$($WS tcpretrans --bogus 2>&1); rc=$?
assert_eq "$rc" 2 "exit status for an unknown option"
out=$($WS tcpretrans 5 2>&1); rc=$?
assert_eq "$rc" 2 "exit status for an interval without -c"
assert_contains "$out" "needs -c"
out=$($WS tcpretrans -l 2>&1); rc=$?
assert_eq "$rc" 2 "exit status for -l without kprobes"
assert_contains "$out" "kprobe"

make_netpair
in_b iptables -A INPUT -p tcp --dport 5201 -m statistic --mode random --probability 0.1 -j DROP ||
  skip "iptables statistic match unavailable"

run_once() { # label env [-s]
  local log=$TMP/trace$1.json err=$TMP/trace$1.err before after events segs
  env $2 $WS tcpretrans ${3:-} --json >"$log" 2>"$err" &
  local pid=$!
  wait_attached "$err"
  start_server 5201 0 1
  before=$(tcp_counter "$NS_A" RetransSegs)
  in_a "$WORKLOADS/netpair" client "$IP_B" 5201 4000000 1 >"$TMP/client.out" || fail "client failed"
  after=$(tcp_counter "$NS_A" RetransSegs)
  sleep 0.3
  stop_tracer $pid
  events=$(jq -s --argjson ns "$NETNS_A" '[.[] | select(.netns == $ns and .err == 0)] | length' "$log")
  segs=$(jq -s --argjson ns "$NETNS_A" '[.[] | select(.netns == $ns and .err == 0) | .segs] | add // 0' "$log")
  note "$1: $events retransmitted skbs holding $segs segments; RetransSegs delta $((after - before))"
  [ "$((after - before))" -gt 0 ] || fail "$1: no retransmits happened: the drop rule did not work"
  assert_eq "$segs" "$((after - before))" "$1: segments retransmitted vs RetransSegs delta"
  assert_contains "$(jq -r 'select(.rport == 5201) | .state' "$log" | sort -u)" "ESTABLISHED"
  assert_eq "$(jq -s 'map(select(.summary)) | .[0].lost_events' "$log")" 0 "$1: lost events"
  if [ -n "${3:-}" ]; then
    assert_contains "$(jq -r 'select(.kernel_stack) | .kernel_stack | join(" ")' "$log" | head -3)" \
      "tcp_retransmit_skb\|tcp_retransmit_timer\|tcp_xmit_retransmit_queue" "$1: kernel stacks (-s)"
  fi
}
run_once btf "" -s
run_once raw "WHYSLOW_FORCE_RAW_TP=1"

# -c: counts per flow over an interval
start_server 5201 0 1
$WS tcpretrans -c --json 30 1 >"$TMP/count.json" 2>"$TMP/count.err" &
pid=$!
wait_attached "$TMP/count.err"
before=$(tcp_counter "$NS_A" RetransSegs)
in_a "$WORKLOADS/netpair" client "$IP_B" 5201 4000000 1 >/dev/null || fail "client failed"
after=$(tcp_counter "$NS_A" RetransSegs)
stop_tracer $pid
segs=$(jq --argjson ns "$NETNS_A" '[.flows[] | select(.netns == $ns) | .segs] | add // 0' "$TMP/count.json")
assert_eq "$segs" "$((after - before))" "-c: segments vs RetransSegs delta"
exit 0
