#!/usr/bin/env bash
# schedlat: two hogs pinned to one CPU share it (their run times add up to at most the
# CPU's time, each waits behind the other for milliseconds); a sleeper's switches match
# the wakeups it counted itself. tp_btf and raw_tp.
source "$(dirname "$0")/lib.sh"
need_root; need_cmd jq; need_cmd taskset
[ "$(nproc)" -ge 2 ] || skip "needs two CPUs"

check_run() {
  local label=$1; shift
  "$@" "$WS" schedlat --duration 4 --json >"$TMP/$label.json" 2>"$TMP/$label.err" & local tr=$!
  on_exit "kill $tr"
  wait_attached "$TMP/$label.err"
  local t0 t1; t0=$(date +%s%N)
  taskset -c 1 "$WORKLOADS/sched" hog 2 & local h1=$!
  taskset -c 1 "$WORKLOADS/sched" hog 2 & local h2=$!
  "$WORKLOADS/sched" sleeper 1.5 10000 >"$TMP/$label.sleeper" & local s=$!
  wait $h1 $h2 $s
  t1=$(date +%s%N)
  wait $tr || fail "$label: schedlat failed: $(cat "$TMP/$label.err")"
  row() { jq -c --argjson t "$1" '.tasks[]|select(.tid==$t)' "$TMP/$label.json"; }
  local r1 r2 total
  r1=$(jq .runtime_ms <<<"$(row $h1)"); r2=$(jq .runtime_ms <<<"$(row $h2)")
  total=$(awk -v a="$r1" -v b="$r2" 'BEGIN{print a+b}')
  # at most the time CPU 1 had from the first fork to the last exit (each hog counts its
  # 2 s from its own start, so a second hog forked late on a loaded machine adds the delay;
  # before taskset pins it, a child may run a few ms on the other CPU)
  assert_between "$total" 100 "$(( (t1 - t0) / 1000000 + 25 ))" "$label: the hogs' run time on one CPU (ms)"
  for h in $h1 $h2; do
    # forked by this shell after the tracer started: named by the program it exec'd
    assert_eq "$(jq -r .comm <<<"$(row $h)")" sched "$label: hog $h's name"
    assert_between "$(jq .max_delay_ms <<<"$(row $h)")" 1 2000 "$label: hog $h longest wait (ms)"
    assert_between "$(jq .switches <<<"$(row $h)")" 10 100000 "$label: hog $h switches"
  done
  local wakeups sw
  wakeups=$(sed -n 's/.*wakeups=\([0-9]*\).*/\1/p' "$TMP/$label.sleeper")
  sw=$(jq .switches <<<"$(row $s)")
  # one switch-in per wakeup, plus its first run; with a full test run beside it, one run
  # showed one less than the wakeups the sleeper counted: 2% of slack below
  assert_between "$sw" "$((wakeups * 98 / 100))" "$((wakeups * 13 / 10 + 5))" "$label: sleeper switches vs its $wakeups wakeups"
}
check_run tp_btf env
check_run raw_tp env WHYSLOW_FORCE_RAW_TP=1

# -p keeps one process; -n limits rows; text
"$WORKLOADS/sched" sleeper 2 5000 >/dev/null & s=$!
on_exit "kill $s"
"$WS" schedlat -p "$s" --json 1 1 >"$TMP/p.json" 2>"$TMP/err" || fail "schedlat -p failed"
assert_eq "$(jq -c '[.tasks[].pid]|unique' "$TMP/p.json")" "[$s]" "-p keeps one process"
"$WS" schedlat -n 3 --json 1 1 >"$TMP/n.json" 2>"$TMP/err" || fail "schedlat -n failed"
assert_between "$(jq '.tasks|length' "$TMP/n.json")" 1 3 "-n 3 rows"
"$WS" schedlat -n 5 1 1 >"$TMP/text" 2>&1 || fail "text run failed"
assert_contains "$(cat "$TMP/text")" "Task *| *Runtime ms *| *Switches *| *Avg delay ms *| *Max delay ms" "text header"
wait $s
# a process that never runs in the window (stopped): an empty table, not a failure
sleep 30 & q=$!
on_exit "kill -CONT $q 2>/dev/null; kill $q 2>/dev/null || true"
kill -STOP $q
"$WS" schedlat -p "$q" --json 1 1 >"$TMP/q.json" 2>"$TMP/err" || fail "schedlat -p on a stopped process failed: $(cat "$TMP/err")"
assert_eq "$(jq -c '.tasks' "$TMP/q.json")" "[]" "-p on a stopped process: no rows"
"$WS" schedlat -p "$q" 1 1 >"$TMP/q.txt" 2>"$TMP/err" || fail "schedlat -p text on a stopped process failed: $(cat "$TMP/err")"
rc=0; "$WS" schedlat -p 999999 1 1 >"$TMP/o" 2>&1 || rc=$?; assert_eq "$rc" 2 "-p missing process"
rc=0; "$WS" schedlat -n 0 1 1 >"$TMP/o" 2>&1 || rc=$?; assert_eq "$rc" 2 "-n 0"
echo "schedlat: all checks passed"
