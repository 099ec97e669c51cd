#!/usr/bin/env bash
# biotop counts a program's direct I/Os under the issuing process, per direction, with
# exact I/O and byte counts; -p filters; unknown disk and row count are usage errors.
source "$(dirname "$0")/lib.sh"
need_root
[ -x "$WORKLOADS/dio" ] || skip "workload dio not built (make \$BUILD/workloads/dio)"
dev=$(make_loopdev 64)
on_exit "losetup -d /dev/$dev" # make_loopdev runs in a subshell here: its own on_exit is lost

out=$("$WS" biotop -d nosuchdisk 2>&1); rc=$?
assert_eq "$rc" 2 "exit status for an unknown disk"
out=$("$WS" biotop -r 0 2>&1); rc=$?
assert_eq "$rc" 2 "exit status for -r 0"

for env in "" WHYSLOW_FORCE_RAW_TP=1; do
  : >"$TMP/t.err" # emptied before the tracer starts: wait_attached must not see an old line
  env $env "$WS" biotop -d "$dev" -r 50 --json 3 1 >"$TMP/t.json" 2>"$TMP/t.err" & tracer=$!
  wait_attached "$TMP/t.err"
  r=$("$WORKLOADS/dio" /dev/$dev 40 65536 r) || fail "dio failed"
  w=$("$WORKLOADS/dio" /dev/$dev 25 4096 w) || fail "dio failed"
  wait $tracer || fail "biotop failed: $(cat "$TMP/t.err")"
  rpid=${r#pid=}; rpid=${rpid%% *}; wpid=${w#pid=}; wpid=${wpid%% *}
  row() { jq -c ".rows[] | select(.pid==$1 and .rw==\"$2\") | [.comm, .disk, .ios, .bytes]" "$TMP/t.json"; }
  assert_eq "$(row $rpid R)" "[\"dio\",\"$dev\",40,2621440]" "$env read row of pid $rpid"
  assert_eq "$(row $wpid W)" "[\"dio\",\"$dev\",25,102400]" "$env write row of pid $wpid"
  avg=$(jq ".rows[] | select(.pid==$rpid) | .avg_latency_ms" "$TMP/t.json")
  assert_between "$avg" 0.0001 1000 "$env average latency (ms)"
  assert_eq "$(jq '.rows[0].pid' "$TMP/t.json")" "$rpid" "$env top row (most bytes)"
done
