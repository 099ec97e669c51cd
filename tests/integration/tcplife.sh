#!/usr/bin/env bash
# tcplife and tcpconnect over a veth pair: each of N connections the test opens shows up
# once, with the right ports, process and bytes each way; a refused connect shows as
# failed; the raw_tp fallback; the -t and -T time columns; bad input.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/netlib.sh"
need_root
need_cmd jq
N=5

out=$($WS tcplife -L 0 2>&1); rc=$?
assert_eq "$rc" 2 "exit status for port 0"
out=$($WS tcpconnect -P 80,x 2>&1); rc=$?
assert_eq "$rc" 2 "exit status for a bad port list"
out=$($WS tcplife -p 999999999 2>&1); rc=$?
assert_eq "$rc" 2 "exit status for an unknown PID"
out=$($WS tcplife 5 2>&1); rc=$?
assert_eq "$rc" 2 "exit status for an interval (tcplife takes none)"

make_netpair
run_once() { # label env
  env $2 $WS tcplife --json >"$TMP/life$1.json" 2>"$TMP/life$1.err" &
  local life=$!
  env $2 $WS tcpconnect --json >"$TMP/conn$1.json" 2>"$TMP/conn$1.err" &
  local conn=$!
  wait_attached "$TMP/life$1.err"; wait_attached "$TMP/conn$1.err"
  start_server 5205 2000 $N
  ip netns exec "$NS_A" "$WORKLOADS/netpair" client "$IP_B" 5205 10000 $N >"$TMP/client.out" &
  local client=$!
  wait $client || fail "client failed"
  ip netns exec "$NS_A" "$WORKLOADS/netpair" client "$IP_B" 5299 1 1 >/dev/null 2>&1 # refused
  sleep 0.3
  stop_tracer $life; stop_tracer $conn
  local lports
  lports=$(awk '/^conn/ {print $2}' "$TMP/client.out" | sort -n | tr '\n' ' ')
  # tcplife: the client's N sockets, each with its port, bytes and process
  assert_eq "$(jq -r --argjson ns "$NETNS_A" 'select(.netns == $ns and .rport == 5205) | .lport' "$TMP/life$1.json" | sort -n | tr '\n' ' ')" \
    "$lports" "$1: tcplife client-side local ports"
  assert_eq "$(jq -r --argjson ns "$NETNS_A" 'select(.netns == $ns and .rport == 5205) | "\(.comm) \(.pid) \(.tx_bytes) \(.rx_bytes)"' "$TMP/life$1.json" | sort -u | awk '{print $1, ($2 == '"$client"'), $3, $4}')" \
    "netpair 1 10002 2001" "$1: tcplife comm, pid, bytes acked (SYN + data + FIN) and received (data + FIN)"
  # the server's N accepted sockets, named after the server (it closed them)
  assert_eq "$(jq -r --argjson ns "$NETNS_B" 'select(.netns == $ns and .lport == 5205) | .comm' "$TMP/life$1.json" | sort | uniq -c | awk '{print $1, $2}')" \
    "$N netpair" "$1: tcplife server-side sockets"
  # tcpconnect: N established plus one refused, from the client
  assert_eq "$(jq -r --argjson ns "$NETNS_A" 'select(.netns == $ns and .rport == 5205 and .result == "established") | .lport' "$TMP/conn$1.json" | sort -n | tr '\n' ' ')" \
    "$lports" "$1: tcpconnect local ports"
  assert_eq "$(jq -r --argjson ns "$NETNS_A" 'select(.netns == $ns and .rport == 5205) | "\(.comm) \(.pid == '"$client"')"' "$TMP/conn$1.json" | sort -u)" \
    "netpair true" "$1: tcpconnect process"
  assert_eq "$(jq -r --argjson ns "$NETNS_A" 'select(.netns == $ns and .rport == 5299) | .result' "$TMP/conn$1.json")" \
    failed "$1: refused connect"
  assert_between "$(jq -s --argjson ns "$NETNS_A" '[.[] | select(.netns == $ns and .rport == 5205) | .latency_ms] | max' "$TMP/conn$1.json")" \
    0.001 1000 "$1: largest connect latency (ms)"
}
run_once btf ""
run_once raw "WHYSLOW_FORCE_RAW_TP=1"

# -t (bcc's): a TIME(s) column of seconds since tracing began, after -T's HH:MM:SS; the
# N connects start a second after the tracers attach, so each stamp lies in [1, elapsed]
$WS tcplife -T -t -D 5206 >"$TMP/lifet.txt" 2>"$TMP/lifet.err" &
life=$!
$WS tcpconnect -t -P 5206 >"$TMP/connt.txt" 2>"$TMP/connt.err" &
conn=$!
wait_attached "$TMP/lifet.err"; wait_attached "$TMP/connt.err"
start=$(date +%s.%N)
sleep 1
start_server 5206 2000 $N
ip netns exec "$NS_A" "$WORKLOADS/netpair" client "$IP_B" 5206 10000 $N >/dev/null || fail "client failed"
sleep 0.3
stop_tracer $life; stop_tracer $conn
elapsed=$(echo "$(date +%s.%N) - $start" | bc)
assert_eq "$(head -1 "$TMP/lifet.txt" | awk '{print $1, $2, $3}')" "TIME TIME(s) PID" "tcplife -T -t header"
assert_eq "$(head -1 "$TMP/connt.txt" | awk '{print $1, $2}')" "TIME(s) PID" "tcpconnect -t header"
assert_eq "$(awk 'NR > 1 && $1 ~ /^[0-9][0-9]:[0-9][0-9]:[0-9][0-9]$/ && $2 >= 0.9 && $2 <= '"$elapsed"'' "$TMP/lifet.txt" | wc -l)" \
  $N "tcplife -T -t lines with a clock time and seconds in [0.9, $elapsed]"
assert_eq "$(awk 'NR > 1 && $1 >= 0.9 && $1 <= '"$elapsed"' && $2 ~ /^[0-9]+$/' "$TMP/connt.txt" | wc -l)" \
  $N "tcpconnect -t lines with seconds in [0.9, $elapsed]"
assert_eq "$(awk 'NR > 1 {print $1}' "$TMP/connt.txt" | sort -c -g && echo sorted)" sorted "tcpconnect -t stamps in order"
exit 0
