#!/usr/bin/env bash
# profile on a workload whose two functions burn CPU 2:1 (counted in loop iterations, so
# preemption does not change the ratio; the workload also measures each function's CPU
# time, the truth): both names, the sampled ratio within 10% of the measured one, user
# and kernel frames on one stack, and folded output a flame graph renderer accepts; -L
# keeps one thread of a two-thread burner.
source "$(dirname "$0")/lib.sh"
need_root; need_cmd jq

"$WORKLOADS/cpuburn" 5 >"$TMP/truth" & burn=$!
on_exit "kill $burn"
wait_exec $burn cpuburn
"$WS" profile -F 2999 -p "$burn" -f --flamegraph "$TMP/direct.svg" 4 >"$TMP/folded" 2>"$TMP/err" || fail "profile -f failed: $(cat "$TMP/err")"
wait $burn
sum() { awk -v pat="$1" '$0 ~ pat { n += $NF } END { print n + 0 }' "$TMP/folded"; }
a=$(sum ';main;burn_a( |;)'); b=$(sum ';main;burn_b( |;)')
truth=$(sed -n 's/burn_a_us=\([0-9]*\) burn_b_us=\([0-9]*\)/\1 \2/p' "$TMP/truth" | awk '{printf "%.3f", $1/$2}')
note "samples: burn_a $a, burn_b $b; measured CPU time ratio $truth"
assert_between "$truth" 1.7 2.4 "burn_a/burn_b CPU time ratio measured by the workload"
assert_between "$b" 100 100000 "burn_b samples"
assert_between "$(awk -v a="$a" -v b="$b" -v t="$truth" 'BEGIN{printf "%.3f", a/b/t}')" 0.9 1.1 "sampled ratio / measured ratio"
# every line is "cpuburn;...;frame count", user frames first, kernel frames marked _[k];
# a stack lost to a stack-map hash collision shows as bcc shows it, "[Missed Kernel
# Stack]", is counted in the warning, and stays rare
ok_line='^cpuburn;([^ ]+|[^ ]*\[Missed (User|Kernel) Stack\][^ ]*) [0-9]+$'
bad=$(grep -cvE "$ok_line" "$TMP/folded" || true)
[ "$bad" = 0 ] || note "malformed: $(grep -vE "$ok_line" "$TMP/folded" | head -3)"
assert_eq "$bad" 0 "malformed folded lines"
lost=$(awk '/\[Missed / {n += $NF} END {print n + 0}' "$TMP/folded")
warned=$(sed -n 's/^WARNING: \([0-9]*\) samples lost their stack.*/\1/p' "$TMP/err")
assert_eq "$lost" "${warned:-0}" "samples with a lost stack, in the lines and in the warning"
assert_between "$lost" 0 $(( (a + b) / 50 )) "samples with a lost stack (under 2%)"
grep -qE ';main;[^ ]*;read;entry_SYSCALL_64[^ ]*_\[k\];' "$TMP/folded" ||
  grep -qE ';main;[^ ]*_\[k\]' "$TMP/folded" || fail "no user+kernel stack: $(head -5 "$TMP/folded")"
if grep -vE '(^|;)[^;]*_\[k\](;|$)' "$TMP/folded" | grep -qE '_\[k\];[^ ]*;main'; then
  fail "a user frame follows a kernel frame"
fi
grep -q '<svg' "$TMP/direct.svg" && grep -q 'burn_a' "$TMP/direct.svg" || fail "--flamegraph SVG lacks burn_a"
if "$WS" flamegraph --help >/dev/null 2>&1; then
  "$WS" flamegraph "$TMP/folded" >"$TMP/out.svg" 2>"$TMP/fg.err" || fail "flamegraph rejected profile -f: $(cat "$TMP/fg.err")"
  grep -q 'burn_a' "$TMP/out.svg" || fail "flame graph lacks burn_a"
  note "flamegraph renderer accepted the folded output"
else
  note "no flamegraph command in this build: renderer check left out"
fi

# JSON: one object, samples per stack, frames leaf first; -K drops user frames
"$WORKLOADS/cpuburn" 3 & burn=$!
on_exit "kill $burn"
wait_exec $burn cpuburn
"$WS" profile -F 199 -p "$burn" -K --json 1 >"$TMP/k.json" 2>"$TMP/err" || fail "profile -K --json failed: $(cat "$TMP/err")"
assert_eq "$(wc -l <"$TMP/k.json")" 1 "JSON objects"
assert_eq "$(jq '[.stacks[].user_stack|length]|add // 0' "$TMP/k.json")" 0 "-K: user frames"
assert_eq "$(jq -c '[.stacks[].pid]|unique' "$TMP/k.json")" "[$burn]" "-p keeps one process"
# multi-line text (bcc's layout), from the same process, user only
"$WS" profile -F 199 -p "$burn" -U 1 >"$TMP/text" 2>"$TMP/err" || fail "profile text failed: $(cat "$TMP/err")"
assert_contains "$(cat "$TMP/text")" "^    burn_a$" "text stack frame"
assert_contains "$(cat "$TMP/text")" "^    -  *cpuburn ($burn)$" "text process line"
wait $burn

# -C: only the chosen CPU's samples
taskset -c 1 "$WORKLOADS/cpuburn" 2 & burn=$!
on_exit "kill $burn"
wait_exec $burn cpuburn
"$WS" profile -C 0 -p "$burn" -f 1 >"$TMP/c0" 2>"$TMP/err" || fail "profile -C failed: $(cat "$TMP/err")"
assert_eq "$(awk '{n += $NF} END {print n + 0}' "$TMP/c0")" 0 "samples on CPU 0 of a task pinned to CPU 1"
wait $burn

# -L: one thread only. threadburn burns in two threads, each under its own name and in
# its own function; -p shows both, -L of either thread's id only that thread
"$WORKLOADS/threadburn" 6 >"$TMP/tids" & tb=$!
on_exit "kill $tb"
for i in $(seq 1 100); do [ -s "$TMP/tids" ] && break; sleep 0.05; done
main_tid=$(sed -n 's/.*main_tid=\([0-9]*\).*/\1/p' "$TMP/tids")
helper_tid=$(sed -n 's/.*helper_tid=\([0-9]*\).*/\1/p' "$TMP/tids")
[ -n "$main_tid" ] && [ -n "$helper_tid" ] || fail "threadburn printed no thread ids: $(cat "$TMP/tids")"
assert_eq "$main_tid" "$tb" "threadburn's main thread id"
"$WS" profile -F 499 -p "$tb" -f 1 >"$TMP/l.all" 2>"$TMP/err" || fail "profile -p failed: $(cat "$TMP/err")"
grep -q '^threadburn;.*;burn_main ' "$TMP/l.all" && grep -q '^burnhelper;.*;burn_helper ' "$TMP/l.all" ||
  fail "-p: both threads should show: $(head -5 "$TMP/l.all")"
check_tid() { # check_tid TID NAME FUNCTION OTHER_NAME OTHER_FUNCTION
  "$WS" profile -F 499 -L "$1" -f 1 >"$TMP/l.$2" 2>"$TMP/err" || fail "profile -L $1 failed: $(cat "$TMP/err")"
  assert_between "$(awk '{n += $NF} END {print n + 0}' "$TMP/l.$2")" 50 600 "-L $1 ($2): samples in 1 s at 499 Hz, one thread"
  assert_eq "$(grep -cv "^$2;" "$TMP/l.$2")" 0 "-L $1: lines of threads other than $2"
  grep -q ";$3 " "$TMP/l.$2" || fail "-L $1: no $3 stack: $(head -3 "$TMP/l.$2")"
  grep -q "$4\|$5" "$TMP/l.$2" && fail "-L $1: $4 or $5 shows: $(grep "$4\|$5" "$TMP/l.$2" | head -3)"
  note "-L $1: only $2 in $3"
}
check_tid "$main_tid" threadburn burn_main burnhelper burn_helper
check_tid "$helper_tid" burnhelper burn_helper threadburn burn_main
kill $tb; wait $tb 2>/dev/null

# bad input: one line, exit 2 for usage, 1 for a process that goes away
rc=0; "$WS" profile -F 0 1 >"$TMP/o" 2>&1 || rc=$?
assert_eq "$rc" 2 "-F 0 exit status"; assert_contains "$(head -1 "$TMP/o")" "frequency" "-F 0 message"
rc=0; "$WS" profile -C 4096 1 >"$TMP/o" 2>&1 || rc=$?
assert_eq "$rc" 2 "-C 4096 exit status"
rc=0; "$WS" profile -p 999999 1 >"$TMP/o" 2>&1 || rc=$?
assert_eq "$rc" 2 "-p of a missing process"
assert_contains "$(head -1 "$TMP/o")" "999999" "missing process message"
rc=0; "$WS" profile -U -K 1 >"$TMP/o" 2>&1 || rc=$?
assert_eq "$rc" 2 "-U with -K"
rc=0; "$WS" profile -L 999999 1 >"$TMP/o" 2>&1 || rc=$?
assert_eq "$rc" 2 "-L of a missing thread"
assert_contains "$(head -1 "$TMP/o")" "no thread with TID 999999" "missing thread message"
rc=0; "$WS" profile -p $$ -L $$ 1 >"$TMP/o" 2>&1 || rc=$?
assert_eq "$rc" 2 "-p with -L"
"$WORKLOADS/cpuburn" 1 & burn=$!
# until the child has exec'd, its maps are the shell's: symbols read then would be those
wait_exec $burn cpuburn
rc=0; "$WS" profile -F 999 -p "$burn" -f 10 >"$TMP/o" 2>"$TMP/e" || rc=$?
assert_eq "$rc" 0 "process exiting mid-run: exit status (the run ends normally)"
assert_contains "$(cat "$TMP/e")" "process $burn exited" "exit message"
# symbols were read at start, so the exited process's frames still resolve
grep -q ';main;burn_a ' "$TMP/o" || fail "samples taken before the exit were not printed: $(head -3 "$TMP/o")"
echo "profile: all checks passed"
