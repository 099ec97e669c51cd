#!/usr/bin/env bash
# softirqs: a bulk transfer over a veth pair pinned to CPU 1 runs NET_RX there; the
# tracer's NET_RX count on CPU 1 is at least /proc/softirqs' delta over a window inside
# the tracer's (exact lower bound: both count softirq runs), with time and distributions
# that agree with the counts; --timers names timer functions whose time fits inside
# TIMER softirq time; the raw_tp fallback; bad input.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/netlib.sh"
need_root
need_cmd jq
need_cmd taskset util-linux
[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs"

out=$($WS softirqs -c 4096 2>&1); rc=$?
assert_eq "$rc" 2 "exit status for a CPU that does not exist"
out=$($WS softirqs -c x 2>&1); rc=$?
assert_eq "$rc" 2 "exit status for a CPU that is not a number"

netrx_cpu1() { awk '$1 == "NET_RX:" {print $3}' /proc/softirqs; }
make_netpair

run_once() { # label env
  local log=$TMP/si$1.json err=$TMP/si$1.err before after
  env $2 $WS softirqs -C -d --timers --json 60 1 >"$log" 2>"$err" &
  local pid=$!
  wait_attached "$err"
  start_server 5206 0 1 taskset -c 1
  before=$(netrx_cpu1)
  in_a taskset -c 1 "$WORKLOADS/netpair" client "$IP_B" 5206 20000000 1 >/dev/null || fail "client failed"
  after=$(netrx_cpu1)
  stop_tracer $pid
  local count time hcount
  count=$(jq '.cpus[] | select(.cpu == 1) | .softirqs[] | select(.softirq == "net_rx") | .count' "$log")
  time=$(jq '.cpus[] | select(.cpu == 1) | .softirqs[] | select(.softirq == "net_rx") | .time_ns' "$log")
  hcount=$(jq '.cpus[] | select(.cpu == 1) | .softirqs[] | select(.softirq == "net_rx") | .duration.total' "$log")
  note "$1: NET_RX on CPU 1: $count runs, $time ns; /proc/softirqs delta $((after - before))"
  [ "$((after - before))" -gt 10 ] || fail "$1: the transfer raised almost no NET_RX on CPU 1"
  assert_between "$count" "$((after - before))" "$(( (after - before) * 10 + 50000 ))" "$1: NET_RX runs on CPU 1 (>= /proc/softirqs delta)"
  assert_between "$time" 1000 1e12 "$1: NET_RX time on CPU 1 (ns)"
  assert_eq "$hcount" "$count" "$1: runs in the NET_RX histogram vs its count"
  local ttime stime
  ttime=$(jq '[.timers[].time_ns] | add // 0' "$log")
  stime=$(jq '[.cpus[].softirqs[] | select(.softirq == "timer") | .time_ns] | add // 0' "$log")
  [ "$(jq '.timers | length' "$log")" -gt 0 ] || fail "$1: no timer function seen"
  assert_between "$ttime" 0 "$((stime + 1000000))" "$1: timer functions' time (ns) within TIMER softirq time $stime"
  note "$1: busiest timer: $(jq -r '.timers[0] | "\(.function) \(.count) runs"' "$log")"
}
run_once btf ""
run_once raw "WHYSLOW_FORCE_RAW_TP=1"

# -c 1: only CPU 1 has counts
$WS softirqs -C -c 1 --json 1 1 >"$TMP/c1.json" 2>/dev/null || fail "softirqs -c 1 failed"
assert_eq "$(jq '[.cpus[].cpu] | unique | join(",")' -r "$TMP/c1.json")" 1 "-c 1: CPUs shown"
exit 0
