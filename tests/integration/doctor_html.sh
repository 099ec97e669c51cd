#!/usr/bin/env bash
# doctor --html: one self-contained page (no network) with the findings, the checklist and
# histograms and a CPU flame graph, loaded in headless Chromium: the DOM it builds holds the SIGSTOP finding of a
# known stopper (case C6) with its evidence, and a screenshot is drawn.
source "$(dirname "$0")/lib.sh"
need_root
need_cmd chromium "apt-get install chromium (scripts/deps.sh)"
need_cmd xmllint libxml2-utils
"$WORKLOADS/stopper" 2>/dev/null; [ -x "$WORKLOADS/stopper" ] || skip "workload stopper missing"

# the victim burns CPU between stops: the focused flame graph has its stacks
[ -x "$WORKLOADS/cpuburn" ] || skip "workload cpuburn missing"
"$WORKLOADS/cpuburn" 30 >/dev/null & victim=$!; on_exit "kill -CONT $victim; kill $victim"
"$WORKLOADS/stopper" $victim 300 150 100 >/dev/null 2>&1 & sender=$!; on_exit "kill $sender"
"$WS" doctor -d 3 -p $victim --html "$TMP/report.html" >"$TMP/report.txt" 2>&1 || fail "doctor failed: $(cat "$TMP/report.txt")"
# no script, no stylesheet link, no source but data: URIs
grep -q '<script\|<link\|src="[^d]\|href="http\|url(' "$TMP/report.html" &&
  fail "the page is not self-contained"

chrome() {
  local profile; profile=$(mktemp -d "$TMP/chrome.XXXXXX")
  timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --window-size=1200,1600 "$@" 2>>"$TMP/chrome.err"
}
chrome --dump-dom "file://$TMP/report.html" >"$TMP/dom.html" || fail "chromium failed: $(tail -3 "$TMP/chrome.err")"
dom=$(cat "$TMP/dom.html")
assert_contains "$dom" 'id="sigstop-stall"'
assert_contains "$dom" "PID $victim (cpuburn) stopped"
assert_contains "$dom" "SIGSTOP from PID $sender (stopper)"
assert_contains "$dom" '<table id="checklist">'
assert_contains "$dom" 'run-queue wait, all tasks'
# the sweep sampled CPU stacks for the page: a flame graph as an SVG image
assert_contains "$dom" '<img id="flamegraph".*src="data:image/svg+xml;base64,'
base64 -d <<<"$(grep -o 'data:image/svg+xml;base64,[^"]*' "$TMP/report.html" | cut -d, -f2)" >"$TMP/fg.svg" ||
  fail "the flame graph is not valid base64"
assert_contains "$(cat "$TMP/fg.svg")" "CPU profile during the sweep"
assert_contains "$(cat "$TMP/fg.svg")" "burn_a"   # the victim's own function, symbolized
xmllint --noout "$TMP/fg.svg" 2>/dev/null || fail "the flame graph is not well-formed SVG"
assert_eq "$(grep -o '<div class="finding' "$TMP/dom.html" | wc -l | awk '{print ($1 >= 1)}')" 1 "findings drawn"
chrome --screenshot="$TMP/report.png" "file://$TMP/report.html" >/dev/null || fail "screenshot failed"
size=$(stat -c %s "$TMP/report.png")
assert_between "$size" 20000 10000000 "screenshot size (bytes)"
[ -n "${KEEP_SCREENSHOT:-}" ] && cp "$TMP/report.png" "$KEEP_SCREENSHOT"
echo "doctor_html: all checks passed"
