#!/usr/bin/env bash
# doctor against the fault lab (lab/): every scenario must have its expected finding
# ranked first, and the healthy busy host must get no warning at all. Also the raw_tp
# fallback on one scenario, the HTML report, and bad input.
source "$(dirname "$0")/lib.sh"
need_root
need_cmd jq
LAB=$(cd "$(dirname "$0")/../../lab" && pwd)

# bad input: one clear line, exit 2 for usage, 1 at run time
out=$("$WS" doctor -d 0 2>&1); rc=$?
assert_eq "$rc" 2 "exit status for -d 0"
out=$("$WS" doctor -p 999999999 2>&1); rc=$?
assert_eq "$rc" 2 "exit status for an unknown PID"
out=$("$WS" doctor --bogus 2>&1); rc=$?
assert_eq "$rc" 2 "exit status for an unknown option"
out=$("$WS" doctor -d 1 --html /nonexistent-dir/r.html 2>&1 >/dev/null); rc=$?
assert_eq "$rc" 1 "exit status for an unwritable --html file"
assert_contains "$out" "cannot write /nonexistent-dir/r.html"

# a focused PID that exits during the sweep: the sweep still ends with a report
sleep 1 & gone=$!
"$WS" doctor -d 2 -p $gone --json >"$TMP/gone.json" 2>"$TMP/gone.err" || fail "doctor -p on an exiting PID failed: $(cat "$TMP/gone.err")"
assert_eq "$(jq -r .pid "$TMP/gone.json")" "$gone" "focused PID in the JSON"

# every scenario of the lab, 3 s each
export WHYSLOW=$WS WORKLOADS LAB_DURATION=3 LAB_OUT=$TMP/lab
"$LAB/run" | tee "$TMP/table.txt"
rc=${PIPESTATUS[0]}
note "$(grep -c ' pass' "$TMP/table.txt") scenarios passed"
[ "$rc" = 0 ] || fail "lab: a scenario got a wrong or missing diagnosis (table above)"
assert_contains "$(grep '^healthy ' "$TMP/table.txt")" " none .* pass" "the healthy busy host"
# the findings name the culprits
assert_contains "$(jq -r '.findings[0].title' "$TMP/lab/c6-sigstop.json")" "by SIGSTOP from PID [0-9]* (stopper)"
assert_contains "$(jq -r '.findings[0].title' "$TMP/lab/c5-mmaplock.json")" "held by PID [0-9]* (sys_smapsread"
assert_contains "$(jq -r '.findings[0].title' "$TMP/lab/c7-mount-max.json")" "mount() from PID [0-9]* (sys_mounter)"
assert_contains "$(jq -r '.findings[0].title' "$TMP/lab/c10-drops.json")" "NETFILTER_DROP"

# the raw_tp fallback gives the same diagnosis
WHYSLOW_FORCE_RAW_TP=1 "$LAB/c6-sigstop/run" >"$TMP/raw.txt" || fail "raw_tp: $(cat "$TMP/raw.txt")"
assert_contains "$(cat "$TMP/raw.txt")" "RESULT c6-sigstop sigstop-stall sigstop-stall"
echo "doctor_lab: all checks passed"
