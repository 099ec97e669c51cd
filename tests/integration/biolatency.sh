#!/usr/bin/env bash
# biolatency counts exactly the I/Os a workload issues: N O_DIRECT reads and writes, one
# at a time, to a loop device (direct I/O to its backing file, so no page cache and no
# merging). Checked per disk (-D), per flags (-F), with -Q, in intervals, and on the
# raw_tp fallback.
source "$(dirname "$0")/lib.sh"
need_root; need_cmd jq; need_cmd losetup
loop=$(make_loopdev 32 --direct-io=on)
N=400

# run_traced LABEL WORKLOAD_ARGS -- WHYSLOW ARGS: tracer until SIGINT around one dio run
run_traced() {
  local label=$1 mode=$2; shift 2
  "$@" >"$TMP/$label.json" 2>"$TMP/$label.err" & local t=$!
  wait_attached "$TMP/$label.err"
  "$WORKLOADS/dio" "/dev/$loop" "$N" 4096 "$mode" >"$TMP/$label.dio" || fail "dio failed"
  sleep 0.2
  kill -INT "$t"; wait "$t" || fail "$label: exit status $? after Ctrl-C: $(cat "$TMP/$label.err")"
  note "$label: $(jq -c '{untimed_ios, total: .latency.total, h: [.histograms[]? | {disk, flags, n: .latency.total}]}' "$TMP/$label.json")"
}

# the fast path is the one chosen: tp_btf programs, not the raw_tp fallback
"$WS" biolatency -d "$loop" >/dev/null 2>"$TMP/path.err" & t=$!
wait_attached "$TMP/path.err"
progs=$(bpf_prog_names $t | tr '\n' ' ')
kill -INT $t; wait $t
assert_eq "$progs" "complete_btf issue_btf " "programs loaded by default"

# until Ctrl-C, one disk: the total equals the I/Os completed
run_traced total rw "$WS" biolatency -d "$loop" --json
assert_eq "$(jq ".latency.total" "$TMP/total.json")" "$N" "biolatency -d $loop total after Ctrl-C"
assert_eq "$(jq -r '.disk' "$TMP/total.json")" "$loop" "disk filter named"

# per disk: the loop device's histogram holds exactly N (the backing disk also appears)
run_traced perdisk r "$WS" biolatency -D --json
assert_eq "$(jq --arg d "$loop" '[.histograms[]|select(.disk==$d)|.latency.total]|add' "$TMP/perdisk.json")" "$N" "-D $loop total"

# per flags: N/2 reads and N/2 writes (O_DIRECT writes carry Sync)
run_traced flags rw "$WS" biolatency -d "$loop" -F --json
reads=$(jq '[.histograms[]|select(.flags|test("Read$"))|.latency.total]|add' "$TMP/flags.json")
writes=$(jq '[.histograms[]|select(.flags|test("Write$"))|.latency.total]|add' "$TMP/flags.json")
assert_eq "$reads" $((N/2)) "-F reads"
assert_eq "$writes" $((N/2)) "-F writes"

# -Q (from insert) and the raw_tp fallback count the same
run_traced queued r "$WS" biolatency -Q -d "$loop" --json
assert_eq "$(jq '.latency.total' "$TMP/queued.json")" "$N" "-Q total"
run_traced raw r env WHYSLOW_FORCE_RAW_TP=1 "$WS" biolatency -d "$loop" --json
assert_eq "$(jq '.latency.total' "$TMP/raw.json")" "$N" "raw_tp fallback total"

# intervals: count objects, one per line, and the sum over intervals is N
"$WS" biolatency -d "$loop" --json 1 3 >"$TMP/iv.json" 2>"$TMP/iv.err" & t=$!
sleep 0.5
"$WORKLOADS/dio" "/dev/$loop" "$N" 4096 r >/dev/null
wait $t || fail "interval run failed: $(cat "$TMP/iv.err")"
assert_eq "$(wc -l <"$TMP/iv.json")" 3 "JSON lines for 3 intervals"
assert_eq "$(jq -s 'map(.latency.total)|add' "$TMP/iv.json")" "$N" "sum over intervals"

# text output, bcc layout, in ms
"$WS" biolatency -m -d "$loop" 1 1 >"$TMP/text.out" 2>&1 &
t=$!; sleep 0.3; "$WORKLOADS/dio" "/dev/$loop" 50 4096 r >/dev/null; wait $t
assert_contains "$(cat "$TMP/text.out")" "msecs *: count *distribution" "text histogram in ms"
echo "biolatency: all checks passed"
