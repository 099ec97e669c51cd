#!/usr/bin/env bash
# sigsnoop: known signals between known processes: -s keeps one signal, --target one
# receiver, -p one sender, -x only the kill() calls that failed (with their errno), -k only
# the signals kill() sends (not the kernel's SIGCHLD). The
# stopper test of case C6 (sender, target, SIGSTOP/SIGCONT marked) is in jitter.sh.
source "$(dirname "$0")/lib.sh"
need_root; need_cmd jq
# failed kill() calls come from the syscalls tracepoints, which libbpf finds through tracefs
mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true

"$WORKLOADS/sched" sleeper 30 100000 >/dev/null & target=$!
on_exit "kill -CONT $target; kill $target"
# a helper process that signals the target 3 times, then fails to signal a missing PID
cat >"$TMP/sender.sh" <<EOS
sleep 0.5
for i in 1 2 3; do kill -STOP $target; sleep 0.05; kill -CONT $target; sleep 0.05; done
kill -USR1 999999 2>/dev/null
exit 0
EOS

check_run() {
  local label=$1; shift
  "$@" "$WS" sigsnoop --target "$target" --json >"$TMP/$label.json" 2>"$TMP/$label.err" & local snoop=$!
  "$WS" sigsnoop -x --json >"$TMP/$label.x.json" 2>/dev/null & local snoopx=$!
  on_exit "kill $snoop $snoopx"
  wait_attached "$TMP/$label.err"
  bash "$TMP/sender.sh" & local sender=$!
  wait $sender
  sleep 0.2
  kill -INT $snoop $snoopx; wait $snoop $snoopx
  assert_eq "$(jq -r --argjson s "$sender" 'select(.sender_pid==$s) | .signal' "$TMP/$label.json" | sort | uniq -c | awk '{printf "%s:%s ", $2, $1}')" \
    "SIGCONT:3 SIGSTOP:3 " "$label: signals from the sender to the target"
  assert_eq "$(jq -s '[.[]|select(.summary != true and .target_pid != '"$target"')]|length' "$TMP/$label.json")" 0 "$label: --target keeps one receiver"
  assert_eq "$(jq -s -c --argjson s "$sender" '[.[]|select(.sender_pid==$s)|[.signal,.result,.errno,.target_pid]]' "$TMP/$label.x.json")" \
    '[["SIGUSR1","failed","ESRCH",999999]]' "$label: -x: the failed kill"
  assert_eq "$(jq -s '[.[]|select(.summary==true)][0].lost_events' "$TMP/$label.json")" 0 "$label: lost events"
}
check_run tp_btf env
check_run raw_tp env WHYSLOW_FORCE_RAW_TP=1

# -s and -p: only SIGCONT, only from this sender; text output marks the effect
cat >"$TMP/sender2.sh" <<EOS
sleep 0.5; kill -STOP $target; kill -CONT $target; kill -CONT $target
EOS
bash "$TMP/sender2.sh" & sender=$!
"$WS" sigsnoop -s CONT -p "$sender" 2 >"$TMP/text" 2>&1 &
snoop=$!; wait $sender; sleep 0.3; kill -INT $snoop; wait $snoop
assert_eq "$(grep -c 'SIGCONT' "$TMP/text")" 2 "-s CONT -p: SIGCONT lines"
assert_eq "$(grep -c 'SIGSTOP' "$TMP/text")" 0 "-s CONT: SIGSTOP lines"
assert_contains "$(cat "$TMP/text")" "<<< continues" "effect marked"

# -k: only signals sent by kill()/tkill()/tgkill(), not those the kernel raises. The
# sender stops and continues the target and fails to signal a missing PID (all kill());
# its children's exits raise SIGCHLD to it (not a kill): -k keeps the first three only,
# while plain sigsnoop shows the SIGCHLDs too. -n (bcc: signal names) is accepted.
cat >"$TMP/sender3.sh" <<EOS
sleep 0.5; kill -STOP $target; sleep 0.05; kill -CONT $target; kill -USR1 999999 2>/dev/null
/bin/true; sleep 0.1
EOS
check_kill_only() {
  local label=$1; shift
  "$@" "$WS" sigsnoop -k -n --json >"$TMP/$label.k.json" 2>"$TMP/$label.k.err" & local snoopk=$!
  "$@" "$WS" sigsnoop --json >"$TMP/$label.all.json" 2>"$TMP/$label.all.err" & local snoopa=$!
  on_exit "kill $snoopk $snoopa"
  wait_attached "$TMP/$label.k.err"; wait_attached "$TMP/$label.all.err"
  bash "$TMP/sender3.sh" & local sender=$!
  wait $sender
  sleep 0.2
  kill -INT $snoopk $snoopa; wait $snoopk || fail "$label: sigsnoop -k failed: $(cat "$TMP/$label.k.err")"
  wait $snoopa
  assert_eq "$(jq -s -c --argjson s "$sender" '[.[]|select(.sender_pid==$s)]|sort_by(.ts_ns)|map([.signal,.result=="failed"])' "$TMP/$label.k.json")" \
    '[["SIGSTOP",false],["SIGCONT",false],["SIGUSR1",true]]' "$label: -k: the sender's kill() calls"
  assert_between "$(jq -s --argjson s "$sender" '[.[]|select(.signal=="SIGCHLD" and .target_pid==$s)]|length' "$TMP/$label.all.json")" \
    2 100 "$label: SIGCHLDs to the sender without -k"
  assert_eq "$(jq -s --argjson s "$sender" '[.[]|select(.signal=="SIGCHLD" and .target_pid==$s)]|length' "$TMP/$label.k.json")" \
    0 "$label: SIGCHLDs to the sender with -k"
}
check_kill_only tp_btf env
check_kill_only raw_tp env WHYSLOW_FORCE_RAW_TP=1

# bad input
rc=0; "$WS" sigsnoop -s BOGUS >"$TMP/o" 2>&1 || rc=$?; assert_eq "$rc" 2 "-s BOGUS"
assert_contains "$(head -1 "$TMP/o")" "unknown signal 'BOGUS'" "-s BOGUS message"
rc=0; "$WS" sigsnoop -p 999999 >"$TMP/o" 2>&1 || rc=$?; assert_eq "$rc" 2 "-p missing process"
rc=0; "$WS" sigsnoop --target 999999 >"$TMP/o" 2>&1 || rc=$?; assert_eq "$rc" 2 "--target missing process"
"$WORKLOADS/sched" sleeper 0.5 100000 >/dev/null & gone=$!
rc=0; timeout 10 "$WS" sigsnoop --target "$gone" >"$TMP/o" 2>"$TMP/e" || rc=$?
assert_eq "$rc" 0 "target exiting mid-run ends the run"
assert_contains "$(cat "$TMP/e")" "process $gone exited" "exit message"
echo "sigsnoop: all checks passed"
