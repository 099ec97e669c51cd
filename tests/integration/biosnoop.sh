#!/usr/bin/env bash
# biosnoop reports exactly the N direct I/Os a program issued, with the program's PID
# (the issuer, not the task running at completion), its sizes and R/W; -p filters by
# PID; a PID that exits ends tracing with a clear line; an unknown disk is a usage error.
source "$(dirname "$0")/lib.sh"
need_root
[ -x "$WORKLOADS/dio" ] || skip "workload dio not built (make \$BUILD/workloads/dio)"
dev=$(make_loopdev 64)
on_exit "losetup -d /dev/$dev" # make_loopdev runs in a subshell here: its own on_exit is lost

# bad input first: unknown disk (exit 2, one line), unknown PID (exit 2)
out=$("$WS" biosnoop -d nosuchdisk 2>&1); rc=$?
assert_eq "$rc" 2 "exit status for an unknown disk"
assert_contains "$out" "unknown disk 'nosuchdisk'"
out=$("$WS" biosnoop -p 999999999 2>&1); rc=$?
assert_eq "$rc" 2 "exit status for an unknown PID"

run_case() { # $1: extra env; traces loop dev for 16 reads of 64 KiB and 8 writes of 4 KiB
  local log=$TMP/bs.err json=$TMP/bs.json
  : >"$log" # emptied here, before the tracer starts: wait_attached must not see an old line
  env $1 "$WS" biosnoop -d "$dev" --heatmap $TMP/hm.svg --json 4 1 >"$json" 2>"$log" &
  local tracer=$!
  wait_attached "$log"
  r=$("$WORKLOADS/dio" /dev/$dev 16 65536 r) || fail "dio reads failed"
  w=$("$WORKLOADS/dio" /dev/$dev 8 4096 w) || fail "dio writes failed"
  wait $tracer || fail "biosnoop failed: $(cat "$log")"
  rpid=${r#pid=}; rpid=${rpid%% *}; wpid=${w#pid=}; wpid=${wpid%% *}
  assert_eq "$(jq -c "select(.pid==$rpid and .rw==\"R\" and .bytes==65536)" "$json" | wc -l)" 16 "$1 reads of 64 KiB by pid $rpid"
  assert_eq "$(jq -c "select(.pid==$wpid and .rw==\"W\" and .bytes==4096)" "$json" | wc -l)" 8 "$1 writes of 4 KiB by pid $wpid"
  assert_eq "$(jq -c "select(.comm==\"dio\")" "$json" | wc -l)" 24 "$1 events named dio"
  assert_eq "$(jq -c 'select(.summary) | .lost_events' "$json")" 0 "$1 lost events"
  # all on the traced disk, with a latency
  assert_eq "$(jq -c "select(.bytes and .disk!=\"$dev\")" "$json" | wc -l)" 0 "$1 events on other disks"
  # --heatmap: the same 24 I/Os as points of an SVG heat map
  assert_contains "$(grep -o 'id="subtitle">[0-9]* points' $TMP/hm.svg)" '>24 points' "$1 heat map"
}
run_case ""
run_case WHYSLOW_FORCE_RAW_TP=1

# -p: only the given process's I/O; it exits mid-run: a clear line, exit 0
sleep_then_io() { sleep 1; exec "$WORKLOADS/dio" /dev/$dev 5 8192 r; }
sleep_then_io >/dev/null & target=$!
"$WS" biosnoop -p $target --json >"$TMP/p.json" 2>"$TMP/p.err" & tracer=$!
wait_attached "$TMP/p.err"
"$WORKLOADS/dio" /dev/$dev 7 4096 r >/dev/null   # another process: must not show
for i in $(seq 1 100); do kill -0 $tracer 2>/dev/null || break; sleep 0.1; done
kill -0 $tracer 2>/dev/null && { kill $tracer; fail "biosnoop -p did not stop when its process exited"; }
wait $tracer; rc=$?
assert_eq "$rc" 0 "exit status when the traced process exits"
assert_contains "$(cat "$TMP/p.err")" "process $target exited"
assert_eq "$(jq -c 'select(.bytes==8192)' "$TMP/p.json" | wc -l)" 5 "I/Os of the -p process"
assert_eq "$(jq -c 'select(.bytes and .pid!='$target')' "$TMP/p.json" | wc -l)" 0 "I/Os of other processes under -p"
