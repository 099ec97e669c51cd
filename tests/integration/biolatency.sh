#!/usr/bin/env bash
# biolatency accounts exactly for the I/Os a workload issues: N O_DIRECT reads and writes,
# one at a time, to a loop device (direct I/O to its backing file, so no page cache and no
# merging). Checked per disk (-D), per flags (-F), with -Q, in intervals, and on the
# raw_tp fallback.
#
# The reference is the device's own count of completed requests over the same window
# (/sys/block/DEV/stat, which counts requests as biolatency does, so merges or someone
# else's I/O to the fresh device cannot skew it), and it must equal N. Every one of those
# requests is timed, or reported: on a loaded machine the kernel now and then completes a
# request without its block_rq_complete event reaching any BPF program (an independent
# bpftrace missed the same requests, on block_io_done too), and biolatency then reports
# it in unfinished_ios instead of silently counting one I/O fewer.
source "$(dirname "$0")/lib.sh"
need_root; need_cmd jq; need_cmd losetup
loop=$(make_loopdev 32 --direct-io=on)
N=400

# completed "reads writes" of the loop device (fields 1 and 5 of its stat)
completed() { awk '{print $1, $5}' "/sys/block/$loop/stat"; }

# run_traced LABEL WORKLOAD_ARGS -- WHYSLOW ARGS: tracer until SIGINT around one dio run;
# sets DONE_R and DONE_W, the reads and writes the device completed meanwhile, and checks
# that they are the workload's N.
run_traced() {
  local label=$1 mode=$2 r0 w0 r1 w1; shift 2
  "$@" >"$TMP/$label.json" 2>"$TMP/$label.err" & local t=$!
  wait_attached "$TMP/$label.err"
  read -r r0 w0 < <(completed)
  "$WORKLOADS/dio" "/dev/$loop" "$N" 4096 "$mode" >"$TMP/$label.dio" || fail "dio failed"
  sleep 0.2
  read -r r1 w1 < <(completed)
  kill -INT "$t"; wait "$t" || fail "$label: exit status $? after Ctrl-C: $(cat "$TMP/$label.err")"
  DONE_R=$((r1 - r0)) DONE_W=$((w1 - w0))
  note "$label: device completed $DONE_R reads $DONE_W writes; $(jq -c '{untimed_ios, unfinished_ios, lost_events, total: .latency.total, h: [.histograms[]? | {disk, flags, n: .latency.total}]}' "$TMP/$label.json")"
  assert_eq $((DONE_R + DONE_W)) "$N" "$label: requests the device completed"
}

# accounted LABEL TOTAL: timed + reported as not seen completing or lost
accounted() {
  jq --argjson t "$2" '$t + .untimed_ios + .unfinished_ios + .lost_events' "$TMP/$1.json"
}

# the fast path is the one chosen: tp_btf programs, not the raw_tp fallback
"$WS" biolatency -d "$loop" >/dev/null 2>"$TMP/path.err" & t=$!
wait_attached "$TMP/path.err"
progs=$(bpf_prog_names $t | tr '\n' ' ')
kill -INT $t; wait $t
assert_eq "$progs" "complete_btf issue_btf " "programs loaded by default"

# until Ctrl-C, one disk: the total equals the I/Os completed
run_traced total rw "$WS" biolatency -d "$loop" --json
assert_eq "$(accounted total "$(jq ".latency.total" "$TMP/total.json")")" "$N" "biolatency -d $loop total after Ctrl-C"
assert_eq "$(jq -r '.disk' "$TMP/total.json")" "$loop" "disk filter named"

# per disk: the loop device's histogram holds exactly N. With -d, so that the start table
# holds this disk's requests only and what it reports is this disk's.
run_traced perdisk r "$WS" biolatency -D -d "$loop" --json
assert_eq "$(accounted perdisk "$(jq --arg d "$loop" '[.histograms[]|select(.disk==$d)|.latency.total]|add' "$TMP/perdisk.json")")" "$N" "-D $loop total"

# per flags: N/2 reads and N/2 writes (O_DIRECT writes carry Sync)
run_traced flags rw "$WS" biolatency -d "$loop" -F --json
reads=$(jq '[.histograms[]|select(.flags|test("Read$"))|.latency.total]|add' "$TMP/flags.json")
writes=$(jq '[.histograms[]|select(.flags|test("Write$"))|.latency.total]|add' "$TMP/flags.json")
unfinished=$(jq '.unfinished_ios + .lost_events' "$TMP/flags.json")
assert_eq "$DONE_R $DONE_W" "$((N/2)) $((N/2))" "-F reads and writes the device completed"
assert_between "$reads" $((N/2 - unfinished)) $((N/2)) "-F reads"
assert_between "$writes" $((N/2 - unfinished)) $((N/2)) "-F writes"
assert_eq "$(accounted flags $((reads + writes)))" "$N" "-F reads + writes"

# -Q (from insert) and the raw_tp fallback count the same
run_traced queued r "$WS" biolatency -Q -d "$loop" --json
assert_eq "$(accounted queued "$(jq '.latency.total' "$TMP/queued.json")")" "$N" "-Q total"
run_traced raw r env WHYSLOW_FORCE_RAW_TP=1 "$WS" biolatency -d "$loop" --json
assert_eq "$(accounted raw "$(jq '.latency.total' "$TMP/raw.json")")" "$N" "raw_tp fallback total"

# intervals: count objects, one per line, and the sum over intervals is N
"$WS" biolatency -d "$loop" --json 1 3 >"$TMP/iv.json" 2>"$TMP/iv.err" & t=$!
sleep 0.5
"$WORKLOADS/dio" "/dev/$loop" "$N" 4096 r >/dev/null
wait $t || fail "interval run failed: $(cat "$TMP/iv.err")"
assert_eq "$(wc -l <"$TMP/iv.json")" 3 "JSON lines for 3 intervals"
# the counts of I/Os not seen completing are running totals: the last line has them all
assert_eq "$(jq -s '(map(.latency.total)|add) + (last|.untimed_ios + .unfinished_ios + .lost_events)' "$TMP/iv.json")" "$N" "sum over intervals"

# text output, bcc layout, in ms
"$WS" biolatency -m -d "$loop" 1 1 >"$TMP/text.out" 2>&1 &
t=$!; sleep 0.3; "$WORKLOADS/dio" "/dev/$loop" 50 4096 r >/dev/null; wait $t
assert_contains "$(cat "$TMP/text.out")" "msecs *: count *distribution" "text histogram in ms"
echo "biolatency: all checks passed"
