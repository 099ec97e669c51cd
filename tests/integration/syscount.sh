#!/usr/bin/env bash
# syscount: failed writes on a full tmpfs (case C7) counted exactly, by process and errno,
# on the tp_btf and the raw_tp paths; per-syscall counts of a known workload; latency of a
# known sleep; -d ends the run; bad input.
source "$(dirname "$0")/lib.sh"
need_root
need_cmd jq

FILL=$WORKLOADS/sys_fillwrite
[ -x "$FILL" ] || skip "workload $FILL not built"
mkdir -p "$TMP/fs"
mount -t tmpfs -o size=1m none "$TMP/fs" || skip "cannot mount a tmpfs"
on_exit "umount $TMP/fs"

# run_fill OUT syscount-args...: starts syscount (2 s, one interval), waits until it
# has attached, runs the writer, waits for the result
run_fill() {
  local out=$1; shift
  "$WS" syscount "$@" --json 2 1 >"$out" 2>"$TMP/log" &
  local tracer=$!
  wait_attached "$TMP/log"
  rm -f "$TMP/fs/f"
  "$FILL" "$TMP/fs/f" 50 100 >"$TMP/fill.out" &
  FILL_PID=$!
  wait $FILL_PID
  wait $tracer || fail "syscount failed: $(cat "$TMP/log")"
}

for mode in tp_btf raw_tp; do
  [ $mode = raw_tp ] && export WHYSLOW_FORCE_RAW_TP=1
  run_fill "$TMP/e.json" -e ENOSPC -P
  row=$(jq -c --arg pid "$FILL_PID" '.rows[] | select(.pid == ($pid|tonumber))' "$TMP/e.json")
  assert_eq "$(jq -r .comm <<<"$row")" sys_fillwrite "$mode: -e ENOSPC -P names the writer"
  assert_eq "$(jq -r .syscall <<<"$row")" write "$mode: and its syscall"
  assert_eq "$(jq -r .errno <<<"$row")" ENOSPC "$mode: and the errno"
  assert_eq "$(jq -r .count <<<"$row")" 50 "$mode: failed writes"
  unset WHYSLOW_FORCE_RAW_TP
done

# default mode (per-CPU array by syscall number), filtered by command name: every write
run_fill "$TMP/c.json" -c sys_fillwrite -T 0
writes=$(awk '{print $4 + 1}' "$TMP/fill.out") # + the write of its printf
assert_eq "$(jq -r '.rows[] | select(.syscall == "write") | .count' "$TMP/c.json")" "$writes" "writes counted"

# without the kernel headers' syscall table, numbers stand in for names (and a warning says so)
WHYSLOW_UNISTD=/nonexistent run_fill "$TMP/n.json" -e ENOSPC -c sys_fillwrite
assert_eq "$(jq -r '.rows[0] | "\(.syscall) \(.count)"' "$TMP/n.json")" "syscall_1 50" "unnamed syscall row"
assert_contains "$(cat "$TMP/log")" "install linux-libc-dev"

# -x: failures keyed by syscall and errno
run_fill "$TMP/x.json" -x -c sys_fillwrite
assert_eq "$(jq -r '.rows[] | select(.syscall == "write" and .errno == "ENOSPC") | .count' "$TMP/x.json")" 50 "-x write ENOSPC"

# -L: a 300 ms sleep is one clock_nanosleep of about 300 ms
SLEEPER=slp$$ # a name no other process has
cp "$(command -v sleep)" "$TMP/$SLEEPER"
# (no fixed window: on a loaded machine the sleeper may start late; Ctrl-C ends the run)
"$WS" syscount -L -c $SLEEPER --json >"$TMP/l.json" 2>"$TMP/log" &
tracer=$!
wait_attached "$TMP/log"
"$TMP/$SLEEPER" 0.3
kill -INT $tracer
wait $tracer || fail "syscount -L failed"
row=$(jq -c '.rows[] | select(.syscall == "clock_nanosleep")' "$TMP/l.json")
assert_eq "$(jq -r .count <<<"$row")" 1 "clock_nanosleep calls"
assert_between "$(jq -r '.total_ns / 1e6' <<<"$row")" 299 600 "clock_nanosleep ms"
assert_eq "$(jq -r '.latency.total' <<<"$row")" 1 "histogram count"

# -d SECONDS (bcc's syscount -d): the run ends by itself after that long with one report
# holding all 50 failed writes; with an interval, a report per interval until time is up
"$WS" syscount -e ENOSPC -c sys_fillwrite -d 2 --json >"$TMP/d.json" 2>"$TMP/log" &
tracer=$!; start=$(date +%s.%N)
wait_attached "$TMP/log"
rm -f "$TMP/fs/f"; "$FILL" "$TMP/fs/f" 50 100 >/dev/null
wait $tracer || fail "syscount -d failed: $(cat "$TMP/log")"
assert_between "$(echo "$(date +%s.%N) - $start" | bc)" 1.9 3.5 "seconds syscount -d 2 ran"
assert_eq "$(wc -l <"$TMP/d.json")" 1 "reports with -d 2"
assert_eq "$(jq -r '"\(.duration_s) \(.rows[0].syscall) \(.rows[0].errno) \(.rows[0].count)"' "$TMP/d.json")" \
  "2 write ENOSPC 50" "-d 2: duration and the failed writes"
start=$(date +%s.%N)
"$WS" syscount -d 3 1 --json >"$TMP/d3.json" 2>/dev/null || fail "syscount -d 3 1 failed"
assert_eq "$(jq -r .interval_s "$TMP/d3.json" | xargs)" "1 1 1" "reports with -d 3 and a 1 s interval"
assert_between "$(echo "$(date +%s.%N) - $start" | bc)" 2.9 4.5 "seconds syscount -d 3 1 ran"
"$WS" syscount -d 0 >/dev/null 2>&1; assert_eq $? 2 "-d 0"

# bad input: one line, exit 2 for usage
out=$("$WS" syscount -e ENOTANERRNO 2>&1); rc=$?
assert_eq "$rc" 2 "unknown errno exit status"
assert_contains "$out" "unknown errno 'ENOTANERRNO'"
assert_eq "$(wc -l <<<"$out")" 2 "usage error lines (message and --help hint)"
"$WS" syscount -p 999999999 1 1 >/dev/null 2>&1; assert_eq $? 2 "unknown PID exit status"
"$WS" syscount -H 1 1 >/dev/null 2>&1; assert_eq $? 2 "-H without -L"
"$WS" syscount -x -e EIO 1 1 >/dev/null 2>&1; assert_eq $? 2 "-x with -e"
# a PID that exits mid-run ends the run with a clear line and status 0
sleep 1 & victim=$!
out=$("$WS" syscount -p $victim 10 2>&1); rc=$?
assert_eq "$rc" 0 "exit status when the PID exits"
assert_contains "$out" "process $victim exited"
# -l lists the system's syscalls
assert_eq "$("$WS" syscount -l | awk '$2 == "mount" {print "ok"}')" ok "-l lists mount"
echo PASS
