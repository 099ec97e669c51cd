#!/usr/bin/env bash
# jitter, case C6: a "monitoring agent" (stopper) sends SIGSTOP, waits 300 ms, sends
# SIGCONT, every second, to jitter's own ticker process. Every stop must show as a stall
# of about 300 ms, stopped (off-CPU, not waiting for the CPU), naming the stopper's PID
# and comm; sigsnoop run beside it shows each signal with sender and target. Then two CPU
# hogs pinned to the ticker's CPU make stalls of run-queue wait instead, naming the hogs.
source "$(dirname "$0")/lib.sh"
need_root; need_cmd jq; need_cmd taskset
[ "$(nproc)" -ge 2 ] || skip "needs two CPUs"

# --- SIGSTOP from a stopper (tp_btf, then the raw_tp fallback) ---
stop_run() {
  local label=$1; shift
  # no -d: it runs until the stopper is done (start-up under load varies)
  "$@" "$WS" jitter -c 1 --json >"$TMP/$label.json" 2>"$TMP/$label.err" & local jit=$!
  on_exit "kill -CONT $jit; kill $jit"
  wait_attached "$TMP/$label.err"
  "$WS" sigsnoop --target "$jit" --json >"$TMP/$label.sig" 2>"$TMP/$label.sigerr" & local snoop=$!
  on_exit "kill $snoop"
  wait_attached "$TMP/$label.sigerr"
  sleep 0.3
  "$WORKLOADS/stopper" "$jit" 1000 300 3 & local stopper=$!
  wait $stopper || fail "$label: stopper failed"
  sleep 0.3
  kill -INT $jit
  wait $jit || fail "$label: jitter failed: $(cat "$TMP/$label.err")"
  kill -INT $snoop; wait $snoop
  # the stops: stalls whose time off-CPU was mostly a stop
  jq -c 'select(.summary != true and .stopped_ms > 100)' "$TMP/$label.json" >"$TMP/$label.stops"
  assert_eq "$(wc -l <"$TMP/$label.stops")" 3 "$label: stalls from SIGSTOP"
  local line
  while read -r line; do
    # the 300 ms stop is stopped time, except that on a loaded machine a thread preempted
    # when SIGSTOP came waits for a CPU before it can stop: that part is runnable time
    assert_between "$(jq '.stopped_ms + .runnable_ms' <<<"$line")" 240 420 "$label: stopped + waiting time (ms)"
    assert_between "$(jq .stopped_ms <<<"$line")" 120 360 "$label: stopped time (ms)"
    # the loop also holds the work (10 ms), the sleep (10 ms) and, on a loaded machine,
    # waits for the CPU, which the stall itself accounts as runnable time
    assert_between "$(jq '.duration_ms - .runnable_ms' <<<"$line")" 260 420 "$label: stall length less CPU waits (ms, stop + work + sleep)"
    assert_eq "$(jq -c '[.signals[]|select(.sig=="SIGSTOP")|[.sender_pid,.sender_comm]]|unique' <<<"$line")" \
      "[[$stopper,\"stopper\"]]" "$label: SIGSTOP sender named"
    jq -e '.runnable_ms < .stopped_ms' <<<"$line" >/dev/null || fail "$label: stop shown as run-queue wait: $line"
    # the breakdown adds up: while the ticker was away from its CPU, others or the idle
    # task ran there (when the ring still held the whole stall)
    if jq -e '.ran_partial == false and (.ran | length) < 64' <<<"$line" >/dev/null; then
      assert_between "$(jq '(.runnable_ms + .offcpu_ms - ([.ran[].ms] | add // 0) - .idle_ms) | if . < 0 then -. else . end' <<<"$line")" \
        0 "$(jq '.duration_ms * 0.05 + 1' <<<"$line")" "$label: ticker's time away vs others' and idle time (ms apart)"
    fi
  done <"$TMP/$label.stops"
  jq -e 'select(.summary == true) | .cpus[0].cpu == 1 and .cpus[0].loops > 50' "$TMP/$label.json" >/dev/null ||
    fail "$label: summary: $(tail -1 "$TMP/$label.json")"
  # sigsnoop: each SIGSTOP and SIGCONT with the sender and the target
  assert_eq "$(jq -c --argjson s "$stopper" --argjson t "$jit" \
    'select(.sender_pid==$s and .target_pid==$t and .sender_comm=="stopper") | .signal' "$TMP/$label.sig" | sort | uniq -c | awk '{print $2":"$1}' | tr '\n' ' ')" \
    '"SIGCONT":3 "SIGSTOP":3 ' "$label: sigsnoop signals from the stopper"
  # (only the stopper's: under ASan, LeakSanitizer stops the process through ptrace at exit)
  jq -s -e --argjson s "$stopper" 'map(select(.signal=="SIGSTOP" and .sender_pid==$s)) | length == 3 and all(.effect == "stops" and .result == "delivered")' "$TMP/$label.sig" >/dev/null ||
    fail "$label: SIGSTOP not marked: $(jq -c 'select(.signal=="SIGSTOP")' "$TMP/$label.sig")"
}
stop_run tp_btf env
stop_run raw_tp env WHYSLOW_FORCE_RAW_TP=1

# --- two hogs on the ticker's CPU: run-queue wait, hogs named ---
taskset -c 1 "$WORKLOADS/sched" hog 4 & h1=$!
taskset -c 1 "$WORKLOADS/sched" hog 4 & h2=$!
on_exit "kill $h1 $h2"
sleep 0.2
"$WS" jitter -c 1 -d 2 --json >"$TMP/hog.json" 2>"$TMP/hog.err" || fail "jitter failed: $(cat "$TMP/hog.err")"
kill $h1 $h2 2>/dev/null; wait $h1 $h2 2>/dev/null
stalls=$(jq -c 'select(.summary != true)' "$TMP/hog.json" | wc -l)
assert_between "$stalls" 10 1000 "stalls with two hogs on the CPU"
# in most stalls the ticker waited for the CPU rather than being off it, and both hogs ran
waits=$(jq -c 'select(.summary != true and .runnable_ms > 5 and .stopped_ms == 0)' "$TMP/hog.json" | wc -l)
assert_between "$(awk -v a="$waits" -v b="$stalls" 'BEGIN{printf "%.2f", a/b}')" 0.8 1 "share of stalls that are run-queue wait"
# and their breakdowns add up (the ticker's wait = the hogs' and others' time there). Not
# every one: this kernel emits sched_switch events for switches that never happen, and
# jitter corrects the kinds it has seen (see undo_phantom_switch_in), so nine in ten.
whole=$(jq -c 'select(.summary != true and .ran_partial == false and (.ran | length) < 64)' "$TMP/hog.json" | wc -l)
adds=$(jq -c 'select(.summary != true and .ran_partial == false and (.ran | length) < 64) | . as $s |
  select((.runnable_ms + .offcpu_ms - ([.ran[].ms] | add // 0) - .idle_ms) | (if . < 0 then -. else . end) <= 1 + 0.05 * $s.duration_ms)' "$TMP/hog.json" | wc -l)
note "hog stalls whose time away = others' and idle time: $adds of $whole"
assert_between "$(awk -v a="$adds" -v b="$whole" 'BEGIN{printf "%.2f", b ? a/b : 0}')" 0.9 1 "share of hog stalls that add up"
for h in $h1 $h2; do
  named=$(jq -c --argjson h "$h" 'select(.summary != true) | select([.ran[]|select(.pid==$h and .comm=="sched" and .ms > 1)]|length > 0)' "$TMP/hog.json" | wc -l)
  assert_between "$(awk -v a="$named" -v b="$stalls" 'BEGIN{printf "%.2f", a/b}')" 0.8 1 "share of stalls naming hog $h"
done

# -p: an existing process's threads, no ticker. A 50 ms sleeper stopped twice for 300 ms:
# two stalls, both stops with the sender named; its own 50 ms sleeps (over -t 20) are
# sleeps it chose and must not count
"$WORKLOADS/sched" sleeper 5 50000 >/dev/null & s=$!
on_exit "kill -CONT $s; kill $s"
"$WS" jitter -p "$s" -t 20 --json >"$TMP/p.json" 2>"$TMP/p.err" & jit=$!
wait_attached "$TMP/p.err"
"$WORKLOADS/stopper" "$s" 1000 300 2 & stopper=$!
wait $stopper; sleep 0.3; kill -INT $jit
wait $jit || fail "jitter -p failed: $(cat "$TMP/p.err")"
assert_eq "$(jq -c 'select(.summary != true)' "$TMP/p.json" | wc -l)" 2 "-p: stalls (the two stops, no sleeps)"
assert_eq "$(jq -s -c '[.[]|select(.summary != true)|.tid]|unique' "$TMP/p.json")" "[$s]" "-p: the stalled thread"
while read -r line; do
  assert_between "$(jq .stopped_ms <<<"$line")" 240 360 "-p: stopped time (ms)"
  assert_eq "$(jq -c --argjson p "$stopper" '[.signals[]|select(.sig=="SIGSTOP" and .sender_pid==$p)|.sender_comm]' <<<"$line")" '["stopper"]' "-p: SIGSTOP sender"
done < <(jq -c 'select(.summary != true)' "$TMP/p.json")
kill $s 2>/dev/null; wait $s 2>/dev/null

# text output and bad input
"$WS" jitter -c 0 -d 1 >"$TMP/text" 2>&1 || fail "text run failed"
assert_contains "$(cat "$TMP/text")" "^CPU  *LOOPS  *STALLS" "text summary"
rc=0; "$WS" jitter -c 4096 -d 1 >"$TMP/o" 2>&1 || rc=$?; assert_eq "$rc" 2 "-c out of range"
rc=0; "$WS" jitter -c 1-0 -d 1 >"$TMP/o" 2>&1 || rc=$?; assert_eq "$rc" 2 "-c backwards range"
rc=0; "$WS" jitter -w 20 -s 10 -t 25 >"$TMP/o" 2>&1 || rc=$?; assert_eq "$rc" 2 "threshold below work + sleep"
rc=0; "$WS" jitter -p 999999 -d 1 >"$TMP/o" 2>&1 || rc=$?; assert_eq "$rc" 2 "-p missing process"
"$WORKLOADS/sched" sleeper 0.5 10000 >/dev/null & gone=$!
rc=0; "$WS" jitter -p "$gone" -d 10 >"$TMP/o" 2>"$TMP/e" || rc=$?
assert_eq "$rc" 0 "-p process exiting mid-run ends the run"
assert_contains "$(cat "$TMP/e")" "process $gone exited" "exit message"
echo "jitter: all checks passed"
