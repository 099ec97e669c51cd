#!/usr/bin/env bash
# offcputime against a workload with known sleeps: N rounds of a 50 ms nanosleep (in
# sleep_part) and a pipe read answered 30 ms later by a helper thread (in pipe_part). The
# workload measures its own totals; the stacks ending in each part must carry the same
# totals within 10%. Checked on the tp_btf path and on the raw_tp fallback. -t keeps
# one thread: the main thread's or the helper's.
source "$(dirname "$0")/lib.sh"
need_root; need_cmd jq

check_run() {
  local label=$1; shift
  "$@" "$WS" offcputime -m 1000 -f >"$TMP/$label.folded" 2>"$TMP/$label.err" & local tracer=$!
  on_exit "kill $tracer"
  wait_attached "$TMP/$label.err"
  "$WORKLOADS/offwork" 12 50 30 >"$TMP/$label.work" & local work=$!
  on_exit "kill $work"
  local i; for i in $(seq 1 100); do [ -s "$TMP/$label.work" ] && break; sleep 0.1; done
  [ -s "$TMP/$label.work" ] || fail "$label: workload did not finish"
  kill -INT $tracer; wait $tracer || fail "$label: offcputime failed: $(cat "$TMP/$label.err")"
  kill $work; wait $work 2>/dev/null
  local sleep_us pipe_us got_sleep got_pipe
  sleep_us=$(sed -n 's/.*sleep_us=\([0-9]*\).*/\1/p' "$TMP/$label.work")
  pipe_us=$(sed -n 's/.*pipe_us=\([0-9]*\).*/\1/p' "$TMP/$label.work")
  got_sleep=$(awk '/^offwork;.*;main;sleep_part;.*nanosleep.*_\[k\]/ {n += $NF} END {print n + 0}' "$TMP/$label.folded")
  got_pipe=$(awk '/^offwork;.*;main;pipe_part;.*pipe_read.*_\[k\]/ {n += $NF} END {print n + 0}' "$TMP/$label.folded")
  note "$label: workload measured sleep $sleep_us us, pipe $pipe_us us; offcputime $got_sleep, $got_pipe"
  assert_between "$(awk -v a="$got_sleep" -v b="$sleep_us" 'BEGIN{printf "%.3f", a/b}')" 0.9 1.1 "$label: nanosleep total ratio"
  assert_between "$(awk -v a="$got_pipe" -v b="$pipe_us" 'BEGIN{printf "%.3f", a/b}')" 0.9 1.1 "$label: pipe read total ratio"
  # the helper thread's own sleeps are its own stacks, under its own name
  grep -q '^offhelper;.*_\[k\] [0-9]*$' "$TMP/$label.folded" || fail "$label: no offhelper stack"
}

check_run tp_btf env
check_run raw_tp env WHYSLOW_FORCE_RAW_TP=1

# -p, JSON, -U; the tracing glue (bpf_prog_*, bpf_trace_run*) never shows
"$WORKLOADS/offwork" 1000 20 10 >/dev/null & work=$!
on_exit "kill $work"
wait_exec $work offwork
"$WS" offcputime -p "$work" -m 5000 --json 1 >"$TMP/p.json" 2>"$TMP/err" || fail "offcputime -p --json failed: $(cat "$TMP/err")"
assert_eq "$(wc -l <"$TMP/p.json")" 1 "JSON objects"
assert_eq "$(jq -c '[.stacks[].pid]|unique' "$TMP/p.json")" "[$work]" "-p keeps one process"
jq -e '[.stacks[].user_stack[]] | index("sleep_part")' "$TMP/p.json" >/dev/null || fail "JSON lacks sleep_part"
assert_eq "$(jq '[.stacks[].kernel_stack[] | select(startswith("bpf_"))] | length' "$TMP/p.json")" 0 "BPF glue frames"
total=$(jq '.total_offcpu_us' "$TMP/p.json")
assert_between "$total" 500000 3000000 "-m 5000: off-CPU us in 1 s (only the 20 ms sleeps and 10 ms reads)"
"$WS" offcputime -p "$work" -U 1 >"$TMP/u.txt" 2>&1 || fail "offcputime -U failed"
grep -q '_\[k\]\|^    --$' "$TMP/u.txt" && fail "-U printed kernel frames"
assert_contains "$(cat "$TMP/u.txt")" "^    sleep_part$" "multi-line user frame"
kill $work; wait $work 2>/dev/null

# -t: one thread only. offwork's main thread blocks in sleep_part and pipe_part, its
# helper ("offhelper") in its own sleeps; each one's TID keeps its stacks and no others,
# on both program paths
"$WORKLOADS/offwork" 1000 20 10 >/dev/null & work=$!
on_exit "kill $work"
wait_exec $work offwork
helper_tid=
for i in $(seq 1 100); do
  for t in /proc/$work/task/*; do [ "$(cat "$t/comm" 2>/dev/null)" = offhelper ] && helper_tid=${t##*/}; done
  [ -n "$helper_tid" ] && break; sleep 0.02
done
[ -n "$helper_tid" ] || fail "offwork's helper thread not found"
check_tid() { # check_tid LABEL TID NAME OTHER_NAME [env...]
  local label=$1 tid=$2 name=$3 other=$4; shift 4
  "$@" "$WS" offcputime -t "$tid" -m 1000 -f 1 >"$TMP/t.$label" 2>"$TMP/err" || fail "$label: offcputime -t failed: $(cat "$TMP/err")"
  assert_between "$(grep -c "^$name;" "$TMP/t.$label")" 1 100000 "$label: -t $tid: $name stacks"
  assert_eq "$(grep -cv "^$name;" "$TMP/t.$label")" 0 "$label: -t $tid: stacks of threads other than $name"
  grep -q "^$other;" "$TMP/t.$label" && fail "$label: -t $tid shows $other"
  total=$(awk '{n += $NF} END {print n + 0}' "$TMP/t.$label")
  # one thread cannot be off-CPU longer than the run (1 s, plus start and exit)
  assert_between "$total" 100000 1500000 "$label: -t $tid: off-CPU us of one thread in 1 s"
}
for path in tp_btf raw_tp; do
  envs=(env); [ $path = raw_tp ] && envs=(env WHYSLOW_FORCE_RAW_TP=1)
  check_tid "$path-main" "$work" offwork offhelper "${envs[@]}"
  grep -q ';sleep_part;' "$TMP/t.$path-main" || fail "$path: -t main thread: no sleep_part stack"
  check_tid "$path-helper" "$helper_tid" offhelper offwork "${envs[@]}"
done
kill $work; wait $work 2>/dev/null

# bad input
rc=0; "$WS" offcputime -p 999999 1 >"$TMP/o" 2>&1 || rc=$?; assert_eq "$rc" 2 "-p missing process"
rc=0; "$WS" offcputime -t 999999 1 >"$TMP/o" 2>&1 || rc=$?; assert_eq "$rc" 2 "-t missing thread"
assert_contains "$(head -1 "$TMP/o")" "no thread with TID 999999" "-t missing thread message"
rc=0; "$WS" offcputime -p $$ -t $$ 1 >"$TMP/o" 2>&1 || rc=$?; assert_eq "$rc" 2 "-p with -t"
rc=0; "$WS" offcputime -m 10 -M 5 1 >"$TMP/o" 2>&1 || rc=$?; assert_eq "$rc" 2 "-M below -m"
rc=0; "$WS" offcputime -m x 1 >"$TMP/o" 2>&1 || rc=$?; assert_eq "$rc" 2 "-m x"
"$WORKLOADS/cpuburn" 1 & burn=$!
rc=0; "$WS" offcputime -p "$burn" 10 >"$TMP/o" 2>"$TMP/e" || rc=$?
assert_eq "$rc" 0 "process exiting mid-run (the run ends normally)"
assert_contains "$(cat "$TMP/e")" "process $burn exited" "exit message"
echo "offcputime: all checks passed"
