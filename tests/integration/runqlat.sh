#!/usr/bin/env bash
# runqlat on a known scheduler shape: two CPU hogs pinned to one CPU wait for each other
# in milliseconds (EEVDF slices), while a 1 ms sleeper alone on the other CPU is woken and
# run within microseconds. Checked on the tp_btf path and on the raw_tp fallback.
source "$(dirname "$0")/lib.sh"
need_root; need_cmd jq; need_cmd taskset
[ "$(nproc)" -ge 2 ] || skip "needs two CPUs (one hogged, one idle)"

check_run() {
  local label=$1; shift
  taskset -c 1 "$WORKLOADS/sched" hog 4 & local h1=$!
  taskset -c 1 "$WORKLOADS/sched" hog 4 & local h2=$!
  taskset -c 0 "$WORKLOADS/sched" sleeper 3.5 1000 >/dev/null & local s=$!
  on_exit "kill $h1 $h2 $s"
  sleep 0.3
  "$@" "$WS" runqlat -P --json 2 1 >"$TMP/$label.json" 2>"$TMP/$label.err" || fail "$label: runqlat failed: $(cat "$TMP/$label.err")"
  wait $h1 $h2 $s
  local lines; lines=$(wc -l <"$TMP/$label.json")
  assert_eq "$lines" 1 "$label: JSON objects for 1 interval"
  for pid in $h1 $h2; do
    local total p90 waited_ms
    total=$(jq --argjson p "$pid" '[.histograms[]|select(.pid==$p)|.latency.total]|add // 0' "$TMP/$label.json")
    p90=$(jq --argjson p "$pid" '[.histograms[]|select(.pid==$p)|.latency.p90]|add // 0' "$TMP/$label.json")
    # time spent waiting, estimated from the buckets' midpoints: two hogs sharing a CPU
    # each wait about half of the 2 s window, whatever else slices the waits up
    waited_ms=$(jq --argjson p "$pid" '[.histograms[]|select(.pid==$p)|.latency.buckets as $b
      | range(0; $b|length) as $i | $b[$i].count * (($b[$i].le + (if $i == 0 then 0 else $b[$i-1].le + 1 end)) / 2)]
      | add / 1000 | floor' "$TMP/$label.json")
    assert_between "$total" 50 100000 "$label: hog $pid run-queue waits"
    # (midpoints overestimate by up to 1.5x, and a wait begun before the window counts whole)
    assert_between "$waited_ms" 600 3500 "$label: hog $pid time waiting in a 2 s window (ms)"
    assert_between "$p90" 1000 100000 "$label: hog $pid p90 wait (us)"
  done
  local stotal sp50
  stotal=$(jq --argjson p "$s" '[.histograms[]|select(.pid==$p)|.latency.total]|add // 0' "$TMP/$label.json")
  sp50=$(jq --argjson p "$s" '[.histograms[]|select(.pid==$p)|.latency.p50]|add // 0' "$TMP/$label.json")
  assert_between "$stotal" 300 100000 "$label: idle-CPU sleeper wakeups seen"
  assert_between "$sp50" 0 200 "$label: idle-CPU sleeper median wait (us)"
  assert_eq "$(jq -r '.histograms[0].latency.unit' "$TMP/$label.json")" us "$label: unit"
}

# the fast path is the one chosen: tp_btf programs, not the raw_tp fallback
"$WS" runqlat >/dev/null 2>"$TMP/path.err" & t=$!
wait_attached "$TMP/path.err"
progs=$(bpf_prog_names $t | tr '\n' ' ')
kill -INT $t; wait $t
assert_eq "$progs" "switch_btf wakeup_btf wakeup_new_btf " "programs loaded by default"

check_run tp_btf env
check_run raw_tp env WHYSLOW_FORCE_RAW_TP=1

# new tasks (sched_wakeup_new): 50 children that exit at once, forked on a hogged CPU,
# each wait once before their only run; every one is in the histograms, with one wait
check_new_tasks() {
  local label=$1; shift
  taskset -c 1 "$WORKLOADS/sched" hog 3 & local h=$!
  on_exit "kill $h"
  "$@" "$WS" runqlat -P --json 2 1 >"$TMP/new-$label.json" 2>"$TMP/new-$label.err" & local t=$!
  wait_attached "$TMP/new-$label.err"
  taskset -c 1 "$WORKLOADS/sched" spawn 50 5000 >"$TMP/kids-$label.txt"
  wait $t || fail "$label: runqlat failed: $(cat "$TMP/new-$label.err")"
  wait $h
  local waits # each child's number of waits, in one pass over the histograms
  waits=$(jq -c --argjson kids "[$(paste -sd, "$TMP/kids-$label.txt")]" \
    '[$kids[] as $k | [.histograms[] | select(.pid == $k) | .latency.total] | add // 0]' "$TMP/new-$label.json")
  assert_eq "$(jq '[.[] | select(. > 0)] | length' <<<"$waits")" 50 "$label: new tasks with a run-queue wait"
  assert_between "$(jq '[.[] | select(. == 1)] | length' <<<"$waits")" 45 50 \
    "$label: new tasks that waited exactly once (a preemption may add one)"
}
check_new_tasks tp_btf env
check_new_tasks raw_tp env WHYSLOW_FORCE_RAW_TP=1

# -p keeps one process only; -m switches the unit; text output is bcc's
taskset -c 1 "$WORKLOADS/sched" hog 3 & h=$!; taskset -c 1 "$WORKLOADS/sched" hog 3 & h2=$!
on_exit "kill $h $h2"
sleep 0.2
"$WS" runqlat -p "$h" -P -m --json 1 1 >"$TMP/p.json" 2>"$TMP/p.err" || fail "runqlat -p failed: $(cat "$TMP/p.err")"
assert_eq "$(jq -c '[.histograms[].pid]|unique' "$TMP/p.json")" "[$h]" "-p $h keeps only that process"
assert_eq "$(jq -r '.histograms[0].latency.unit' "$TMP/p.json")" ms "-m unit"
"$WS" runqlat -p "$h" -T 1 1 >"$TMP/text.out" 2>&1 || fail "text run failed"
assert_contains "$(cat "$TMP/text.out")" "usecs *: count *distribution" "text histogram"
assert_contains "$(cat "$TMP/text.out")" "^[0-9][0-9]:[0-9][0-9]:[0-9][0-9]$" "-T timestamp line"
wait $h $h2

# -L: one histogram per thread, keyed "tid"
"$WS" runqlat -L --json 1 1 >"$TMP/l.json" 2>"$TMP/l.err" || fail "runqlat -L failed: $(cat "$TMP/l.err")"
jq -e '.histograms[0] | has("tid") and has("comm")' "$TMP/l.json" >/dev/null || fail "-L lacks tid/comm: $(head -c 300 "$TMP/l.json")"
# names follow exec and pthread_setname_np: offwork is forked by this shell after the
# tracer starts (its first wait is under the shell's name) and names its helper thread
# "offhelper" after creating it
"$WS" runqlat -L --json 2 1 >"$TMP/names.json" 2>"$TMP/names.err" & t=$!
wait_attached "$TMP/names.err"
"$WORKLOADS/offwork" 1000 20 10 >/dev/null & work=$!
on_exit "kill $work"
wait $t || fail "runqlat -L failed: $(cat "$TMP/names.err")"
helper=$(grep -l '^offhelper$' /proc/$work/task/*/comm | head -1 | cut -d/ -f5)
[ -n "$helper" ] || fail "offwork's helper thread not found"
assert_eq "$(jq -r --argjson t $work '.histograms[] | select(.tid == $t) | .comm' "$TMP/names.json")" offwork \
  "-L: the name of a thread that exec'd during the trace"
assert_eq "$(jq -r --argjson t $helper '.histograms[] | select(.tid == $t) | .comm' "$TMP/names.json")" offhelper \
  "-L: the name of a thread named after it started"
kill $work

echo "runqlat: all checks passed"
