#!/usr/bin/env bash
# cpudist on a 10 ms sleeper: about 100 off-CPU periods a second of about 10 ms each (-O),
# and on-CPU slices of microseconds; checked on tp_btf and the raw_tp fallback.
source "$(dirname "$0")/lib.sh"
need_root; need_cmd jq

check_run() {
  local label=$1; shift
  "$WORKLOADS/sched" sleeper 3 10000 >/dev/null & local s=$!
  on_exit "kill $s"
  sleep 0.3
  "$@" "$WS" cpudist -O -p "$s" --json 1 1 >"$TMP/$label.off" 2>"$TMP/$label.err" || fail "$label: cpudist -O failed: $(cat "$TMP/$label.err")"
  "$@" "$WS" cpudist -p "$s" --json 1 1 >"$TMP/$label.on" 2>"$TMP/$label.err" || fail "$label: cpudist failed: $(cat "$TMP/$label.err")"
  wait $s
  assert_eq "$(jq -r .offcpu.unit "$TMP/$label.off")" us "$label: unit"
  # about 100 of each a second; a preemption splits a slice (and makes an off-CPU period)
  # on a busy host, hence the headroom above 100
  assert_between "$(jq .offcpu.total "$TMP/$label.off")" 40 130 "$label: off-CPU periods in 1 s of a 10 ms sleeper"
  assert_between "$(jq .offcpu.p50 "$TMP/$label.off")" 8000 40000 "$label: median off-CPU period (us)"
  assert_between "$(jq .oncpu.total "$TMP/$label.on")" 40 130 "$label: on-CPU slices in 1 s"
  assert_between "$(jq .oncpu.p50 "$TMP/$label.on")" 0 2000 "$label: median on-CPU slice (us)"
}
check_run tp_btf env
check_run raw_tp env WHYSLOW_FORCE_RAW_TP=1

# -P: one histogram per process, named; -m and text
"$WORKLOADS/sched" sleeper 2 10000 >/dev/null & s=$!
on_exit "kill $s"
wait_exec $s sched
"$WS" cpudist -P -m --json 1 1 >"$TMP/p.json" 2>"$TMP/err" || fail "cpudist -P failed"
assert_eq "$(jq -r --argjson p "$s" '.histograms[]|select(.pid==$p)|.comm' "$TMP/p.json")" sched "-P: the sleeper's histogram"
assert_eq "$(jq -r '.histograms[0].oncpu.unit' "$TMP/p.json")" ms "-m unit"
"$WS" cpudist -O -T 1 1 >"$TMP/text" 2>&1 || fail "text run failed"
assert_contains "$(cat "$TMP/text")" "usecs *: count *distribution" "text histogram"
wait $s

rc=0; "$WS" cpudist -P -L 1 1 >"$TMP/o" 2>&1 || rc=$?; assert_eq "$rc" 2 "-P with -L"
rc=0; "$WS" cpudist -p 999999 1 1 >"$TMP/o" 2>&1 || rc=$?; assert_eq "$rc" 2 "-p missing process"
"$WORKLOADS/sched" sleeper 0.5 10000 >/dev/null & gone=$!
rc=0; "$WS" cpudist -p "$gone" 10 >"$TMP/o" 2>"$TMP/e" || rc=$?
assert_eq "$rc" 0 "process exiting mid-run ends the run"
assert_contains "$(cat "$TMP/e")" "process $gone exited" "exit message"
echo "cpudist: all checks passed"
