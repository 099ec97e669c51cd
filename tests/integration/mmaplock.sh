#!/usr/bin/env bash
# mmaplock (case C5): a process with 30,000 mappings maps and unmaps in a loop while a
# second process reads its /proc/PID/smaps: mmaplock lists waits naming the reader (and its
# command line) as holder, and the wait blamed on the reader vanishes when it stops.
source "$(dirname "$0")/lib.sh"
need_root
need_cmd jq

MAPPER=$WORKLOADS/sys_mapper READER=$WORKLOADS/sys_smapsread
[ -x "$MAPPER" ] && [ -x "$READER" ] || skip "workloads not built"

"$MAPPER" 30000 30 >"$TMP/mapper.out" & # outlives the test (killed at exit)
mapper=$!
on_exit "kill $mapper"
for i in $(seq 50); do grep -q '^pid' "$TMP/mapper.out" && break; sleep 0.1; done

run_mmaplock() { # OUT SECONDS [mmaplock args]: one interval of SECONDS
  local out=$1 secs=$2; shift 2
  "$WS" mmaplock -p $mapper -m 1 "$@" --json "$secs" 1 >"$out" 2>"$TMP/log" &
  TRACER=$!
  wait_attached "$TMP/log"
}

# phase 1: the reader runs
for mode in tp_btf raw_tp; do
  [ $mode = raw_tp ] && export WHYSLOW_FORCE_RAW_TP=1
  run_mmaplock "$TMP/p1.json" 2
  "$READER" $mapper 3 >"$TMP/reader.out" & reader=$! # outlives the interval: its cmdline is read
  wait $TRACER || fail "mmaplock failed: $(cat "$TMP/log")"
  wait $reader
  unset WHYSLOW_FORCE_RAW_TP
  summary=$(jq -c 'select(.processes)' "$TMP/p1.json")
  blamed=$(jq --arg r $reader '[.blame[] | select(.holder_pid == ($r|tonumber)) | .waits] | add // 0' <<<"$summary")
  note "$mode: reader $reader: $(cat "$TMP/reader.out"), waits blamed on it: $blamed"
  assert_between "$blamed" 1 1000000 "$mode: mapper waits blamed on the smaps reader"
  assert_eq "$(jq -r --arg r $reader '.blame[] | select(.holder_pid == ($r|tonumber)) | .holder_comm' <<<"$summary")" \
    sys_smapsread "$mode: the holder's name"
  assert_eq "$(jq -r --arg r $reader '.blame[] | select(.holder_pid == ($r|tonumber)) | .holder_cmdline' <<<"$summary")" \
    "$READER $mapper 3" "$mode: the holder's command line"
  # every holder in the listed waits carries its own name (a holder record copied while
  # another CPU rewrote it once paired the reader's PID with the mapper's name)
  bad=$(jq -c --arg r $reader --arg m $mapper 'select(.event == "wait") | .holder | select(. != null)
    | select((.pid == ($r|tonumber) and .comm != "sys_smapsread") or (.pid == ($m|tonumber) and .comm != "sys_mapper"))' \
    "$TMP/p1.json" | wc -l)
  assert_eq "$bad" 0 "$mode: listed waits whose holder has another process's name"
  # listed waits (>= 1 ms): the reader appears as a read holder where the tracepoints saw
  # it take the lock (smaps also walks under per-VMA locks, which they do not show)
  n=$(jq -c --arg r $reader 'select(.event == "wait" and .holder.pid == ($r|tonumber) and .holder.mode == "read")' "$TMP/p1.json" | wc -l)
  note "$mode: listed waits naming the reader: $n of $(jq -c 'select(.event == "wait")' "$TMP/p1.json" | wc -l)"
  assert_eq "$(jq -r '.mode' <<<"$(jq -c 'select(.event == "wait")' "$TMP/p1.json" | head -1)")" write \
    "$mode: the mapper waits for the write lock"
  slow1=$(jq '[.processes[] | select(.pid == '$mapper') | .wait.buckets[] | select(.le >= 1023) | .count] | add // 0' <<<"$summary")
  assert_between "$slow1" 1 1000000 "$mode: mapper waits >= 1 ms with the reader"
done

# phase 2: the reader has stopped: nothing is blamed on a reader, no waits of >= 1 ms
run_mmaplock "$TMP/p2.json" 2
wait $TRACER || fail "mmaplock failed: $(cat "$TMP/log")"
summary=$(jq -c 'select(.processes)' "$TMP/p2.json")
assert_eq "$(jq '[.blame[] | select(.holder_comm == "sys_smapsread") | .waits] | add // 0' <<<"$summary")" 0 \
  "waits blamed on a reader after it stopped"
slow2=$(jq '[.processes[] | select(.pid == '$mapper') | .wait.buckets[] | select(.le >= 1023) | .count] | add // 0' <<<"$summary")
assert_between "$slow2" 0 5 "mapper waits >= 1 ms without the reader (other /proc readers may add a few)"
assert_between "$(jq '[.processes[] | select(.pid == '$mapper') | .waits] | add // 0' <<<"$summary")" 100 100000000 \
  "the mapper still takes its lock (uncontended)"

# bad input
"$WS" mmaplock -p 999999999 >/dev/null 2>&1; assert_eq $? 2 "unknown PID"
"$WS" mmaplock -m abc >/dev/null 2>&1; assert_eq $? 2 "bad -m"
echo PASS
