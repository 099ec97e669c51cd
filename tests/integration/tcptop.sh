#!/usr/bin/env bash
# tcptop over a veth pair: the bytes it sums per connection equal what the test client
# sent and received (and the server the reverse), exactly, for tp_btf and raw_tp; -p
# filters; bad input.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/netlib.sh"
need_root
need_cmd jq

out=$($WS tcptop -p 999999999 2>&1); rc=$?
assert_eq "$rc" 2 "exit status for an unknown PID"
out=$($WS tcptop -r 0 2>&1); rc=$?
assert_eq "$rc" 2 "exit status for -r 0"

make_netpair
run_once() { # label env send reply
  local log=$TMP/top$1.json err=$TMP/top$1.err lport
  env $2 $WS tcptop --json 1 >"$log" 2>"$err" &
  local pid=$!
  wait_attached "$err"
  start_server 5204 "$4" 1
  in_a "$WORKLOADS/netpair" client "$IP_B" 5204 "$3" 1 >"$TMP/client.out" || fail "client failed"
  sleep 1.2  # one more interval flushes the last bytes
  stop_tracer $pid
  lport=$(awk '/^conn/ {print $2}' "$TMP/client.out")
  sum() { jq -s --argjson ns "$1" --argjson p "$2" --arg f "$3" \
    '[.[].connections[] | select(.netns == $ns and .lport == $p) | .[$f]] | add // 0' "$log"; }
  assert_eq "$(sum "$NETNS_A" "$lport" tx_bytes)" "$3" "$1: client bytes sent"
  assert_eq "$(sum "$NETNS_A" "$lport" rx_bytes)" "$4" "$1: client bytes received"
  assert_eq "$(sum "$NETNS_B" 5204 rx_bytes)" "$3" "$1: server bytes received"
  assert_eq "$(sum "$NETNS_B" 5204 tx_bytes)" "$4" "$1: server bytes sent"
  assert_eq "$(jq -r --argjson ns "$NETNS_A" '.connections[] | select(.netns == $ns) | .comm' "$log" | sort -u)" \
    netpair "$1: process name"
}
run_once btf "" 5000000 1000000
run_once raw "WHYSLOW_FORCE_RAW_TP=1" 1500000 300000

# -p: only the chosen process
sleep 30 & sleeper=$!
on_exit "kill $sleeper"
$WS tcptop --json -p $sleeper 1 >"$TMP/p.json" 2>"$TMP/p.err" &
pid=$!
wait_attached "$TMP/p.err"
start_server 5204 1000 1
in_a "$WORKLOADS/netpair" client "$IP_B" 5204 100000 1 >/dev/null || fail "client failed"
sleep 1.2
stop_tracer $pid
assert_eq "$(jq -s '[.[].connections[]] | length' "$TMP/p.json")" 0 "-p of an idle process: connections"
exit 0
