#!/usr/bin/env bash
# bitesize puts a program's direct I/Os in the right size bucket, under the issuing
# process: 6 reads of 64 KiB in 64..127, 4 writes of 4 KiB in 4..7; per disk with -D.
# Merged I/Os count as the process's I/Os: 8 adjacent 4 KiB direct writes submitted in one
# io_submit(2) are merged by the block layer into one 32 KiB request (the disk's write
# merge counter proves it), and count as 8 in 4..7, none in 32..63.
source "$(dirname "$0")/lib.sh"
need_root
[ -x "$WORKLOADS/dio" ] || skip "workload dio not built (make \$BUILD/workloads/dio)"
dev=$(make_loopdev 64)
on_exit "losetup -d /dev/$dev" # make_loopdev runs in a subshell here: its own on_exit is lost

out=$("$WS" bitesize -d nosuchdisk 2>&1); rc=$?
assert_eq "$rc" 2 "exit status for an unknown disk"
assert_contains "$out" "unknown disk"

for env in "" WHYSLOW_FORCE_RAW_TP=1; do
  : >"$TMP/b.err" # emptied before the tracer starts: wait_attached must not see an old line
  env $env "$WS" bitesize -D -d "$dev" --json 3 1 >"$TMP/b.json" 2>"$TMP/b.err" & tracer=$!
  wait_attached "$TMP/b.err"
  r=$("$WORKLOADS/dio" /dev/$dev 6 65536 r) || fail "dio failed"
  w=$("$WORKLOADS/dio" /dev/$dev 4 4096 w) || fail "dio failed"
  wait $tracer || fail "bitesize failed: $(cat "$TMP/b.err")"
  rpid=${r#pid=}; rpid=${rpid%% *}; wpid=${w#pid=}; wpid=${wpid%% *}
  h() { jq -c ".histograms[] | select(.process_disk==\"dio ($1) $dev\") | .size.buckets[] | select(.le==$2) | .count" "$TMP/b.json"; }
  t() { jq -c ".histograms[] | select(.process_disk==\"dio ($1) $dev\") | .size.total" "$TMP/b.json"; }
  assert_eq "$(h $rpid 127)" 6 "$env 64 KiB reads in 64..127"
  assert_eq "$(t $rpid)" 6 "$env all reads of pid $rpid"
  assert_eq "$(h $wpid 7)" 4 "$env 4 KiB writes in 4..7"
  assert_eq "$(t $wpid)" 4 "$env all writes of pid $wpid"
done
# merged I/Os: N adjacent O_DIRECT writes in one io_submit (the kernel plugs the batch)
[ -x "$WORKLOADS/aiomerge" ] || fail "workload aiomerge not built"
merges() { awk '{print $6}' /sys/block/$dev/stat; } # write requests merged
m0=$(merges)
: >"$TMP/m.err"
"$WS" bitesize -D -d "$dev" --json 3 1 >"$TMP/m.json" 2>"$TMP/m.err" & tracer=$!
wait_attached "$TMP/m.err"
out=$("$WORKLOADS/aiomerge" /dev/$dev 8 4096) || fail "aio writes failed: $out"
wait $tracer || fail "bitesize failed: $(cat "$TMP/m.err")"
[ $(( $(merges) - m0 )) -ge 1 ] || fail "the kernel merged none of the 8 adjacent writes"
apid=${out#pid=}; apid=${apid%% *}
hm() { jq -c ".histograms[] | select(.process_disk|endswith(\" ($apid) $dev\")) | $1" "$TMP/m.json"; }
assert_eq "$(hm '.size.buckets[] | select(.le==7) | .count')" 8 "merged 4 KiB writes in 4..7"
assert_eq "$(hm '.size.total')" 8 "all merged writes of pid $apid"

# -c filters by name in user space
"$WS" bitesize -c nosuchcomm --json 1 1 >"$TMP/c.json" 2>/dev/null & tracer=$!
"$WORKLOADS/dio" /dev/$dev 3 4096 r >/dev/null; wait $tracer
assert_eq "$(jq -c '.histograms | length' "$TMP/c.json")" 0 "histograms under -c nosuchcomm"

# without -D a histogram is keyed by its process: numeric "pid" and "comm"
: >"$TMP/p.err"
"$WS" bitesize -c dio --json 3 1 >"$TMP/p.json" 2>"$TMP/p.err" & tracer=$!
wait_attached "$TMP/p.err"
out=$("$WORKLOADS/dio" /dev/$dev 3 4096 r) || fail "dio failed"
wait $tracer || fail "bitesize failed: $(cat "$TMP/p.err")"
ppid=${out#pid=}; ppid=${ppid%% *}
assert_eq "$(jq -c --argjson p "$ppid" '.histograms[] | select(.pid == $p and .comm == "dio") | .size.total' "$TMP/p.json")" 3 "reads under pid $ppid, comm dio"
