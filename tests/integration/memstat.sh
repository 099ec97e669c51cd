#!/usr/bin/env bash
# memstat: a process holding 64 MiB of touched anonymous memory shows it as anonymous RSS
# and PSS; the whole-system listing includes it; bad input.
source "$(dirname "$0")/lib.sh"
need_cmd jq
HOG=$WORKLOADS/sys_hog
[ -x "$HOG" ] || skip "workload $HOG not built"

"$HOG" 64 30 >"$TMP/hog.out" &
hog=$!
on_exit "kill $hog"
for i in $(seq 100); do grep -q allocated "$TMP/hog.out" && break; sleep 0.1; done
out=$("$WS" memstat -p $hog --json) || fail "memstat failed"
p=$(jq -c '.processes[0]' <<<"$out")
assert_eq "$(jq -r .comm <<<"$p")" sys_hog "process name"
assert_between "$(jq -r .anon_kb <<<"$p")" 65536 $((65536 + 4096)) "anonymous kB"
assert_between "$(jq -r .pss_anon_kb <<<"$p")" 65536 $((65536 + 4096)) "anonymous PSS kB"
assert_eq "$(jq -r '.rss_kb - .anon_kb - .file_kb' <<<"$p")" 0 "rss = anon + file"
# the whole-system listing, sorted by anonymous memory, has it among the top ones
all=$("$WS" memstat -s anon -n 0 --json) || fail "memstat (all) failed"
assert_eq "$(jq --arg p $hog '[.processes[] | select(.pid == ($p|tonumber))] | length' <<<"$all")" 1 "listed once"
assert_eq "$(jq '[.processes[].anon_kb] as $a | $a == ($a | sort | reverse)' <<<"$all")" true "sorted by anon"
# text
"$WS" memstat -p $hog | grep -q "^$hog *sys_hog" || fail "text row missing"
# bad input
"$WS" memstat -s bogus >/dev/null 2>&1; assert_eq $? 2 "bad sort key"
"$WS" memstat -p 999999999 >/dev/null 2>&1; assert_eq $? 2 "unknown PID"
echo PASS
