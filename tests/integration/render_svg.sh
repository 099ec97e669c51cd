#!/usr/bin/env bash
# flamegraph, collapse and heatmap end to end: well-formed SVG (xmllint), every input
# frame present, widths of children adding up to their parent's, escaping of XML-special
# characters, malformed input (garbage, missing counts, CRLF, 100k-deep stacks, empty
# files) warned about with line numbers and never a crash, and exit codes.
. "$(dirname "$0")/lib.sh"
need_cmd xmllint "Debian package libxml2-utils"

# --- flame graph: structure ---
cat > "$TMP/a.folded" <<'IN'
main;parse;read_line 30
main;parse;split<&>"x'y 10
main;render;write_svg 40
main 5
idle;cpu_idle 15
IN
"$WS" flamegraph --minwidth 0 "$TMP/a.folded" -o "$TMP/a.svg" || fail "flamegraph failed"
xmllint --noout "$TMP/a.svg" || fail "not well-formed"
titles=$(xmllint --xpath '//*[local-name()="g"][@id="frames"]/*[local-name()="g"]/*[local-name()="title"]/text()' "$TMP/a.svg" | sed 's/&lt;/</g; s/&gt;/>/g; s/&amp;/\&/g; s/&quot;/"/g; s/&apos;/'"'"'/g')
for f in main parse read_line "split<&>\"x'y" render write_svg idle cpu_idle all; do
  grep -qF -- "$f (" <<<"$titles" || fail "frame '$f' missing from the SVG"
done
note "all 9 input frames and the root present"
grep -q 'split&lt;&amp;&gt;&quot;x&#39;y' "$TMP/a.svg" || fail "XML-special characters not escaped"
# geometry: every frame's children (one row up, inside its x range) add up to at most its
# width; with self time 0 they add up exactly (rounded to 0.01 px per edge)
xmllint --xpath '//*[local-name()="g"][@id="frames"]/*[local-name()="g"]/*[local-name()="rect"]' "$TMP/a.svg" |
  grep -o 'x="[^"]*" y="[^"]*" width="[^"]*"' | tr -d '"' | sed 's/[xyw][a-z]*=//g' > "$TMP/rects"
awk '{x[NR]=$1; y[NR]=$2; w[NR]=$3} END {
  bad = 0
  for (i = 1; i <= NR; i++) {
    s = 0; n = 0
    for (j = 1; j <= NR; j++)
      if (y[j] == y[i] - 16 && x[j] >= x[i] - 0.011 && x[j] + w[j] <= x[i] + w[i] + 0.011) { s += w[j]; n++ }
    if (s > w[i] + 0.02 * (n + 1)) { print "children of frame at " x[i] "," y[i] " add up to " s " > " w[i]; bad = 1 }
  }
  exit bad }' "$TMP/rects" || fail "children wider than their parent"
# main (85) = parse (40) + render (40) + 5 self: 0.85 * 1180 = 1003
main_w=$(grep -A0 -F '<title>main (' "$TMP/a.svg" | grep -o 'width="[^"]*"' | head -1 | tr -dc '0-9.')
assert_eq "$main_w" "1003" "main frame width (85% of 1180 px)"

# --- options produce valid documents ---
for opts in "--inverted" "--reverse" "--flamechart" "--colors java --hash" "--colors mem" \
            "--width 600 --height 20 --fontsize 10 --title T --subtitle S --countname bytes" \
            "--minwidth 1%"; do
  # shellcheck disable=SC2086
  "$WS" flamegraph $opts "$TMP/a.folded" > "$TMP/o.svg" || fail "flamegraph $opts failed"
  xmllint --noout "$TMP/o.svg" || fail "flamegraph $opts: not well-formed"
done
note "7 option sets give well-formed SVG"
(cd "$TMP" && "$WS" flamegraph --cp a.folded > cp.svg && grep -q '^cpu_idle->rgb(' palette.map) ||
  fail "--cp did not record palette.map"

# --- differential ---
printf 'a;grew 10\na;shrank 30\n' > "$TMP/before.folded"
printf 'a;grew 30\na;shrank 10\n' > "$TMP/after.folded"
"$WS" flamegraph --diff "$TMP/before.folded" "$TMP/after.folded" -o "$TMP/d.svg" || fail "--diff failed"
xmllint --noout "$TMP/d.svg" || fail "diff SVG not well-formed"
grep -q 'grew (30 samples, 75.00%; +50.00%)' "$TMP/d.svg" || fail "diff: growth not reported"
grep -q 'fill="rgb(255,40,40)"' "$TMP/d.svg" || fail "diff: growth not red"
grep -q 'fill="rgb(40,40,255)"' "$TMP/d.svg" || fail "diff: shrinkage not blue"
"$WS" flamegraph --diff "$TMP/before.folded" 2>/dev/null; assert_eq "$?" 2 "--diff with one input: usage error"

# --- malformed input ---
{ printf 'ok;frame 5\nmissing;count\n\x00\x01\xfe\xff;bin 3\r\ncrlf;line 2\r\n\n   \n'
  perl -e 'srand(7); print map { chr(int(rand(256))) } 1..3000' | tr -d '\n'; printf '\n'
  awk 'BEGIN { for (i = 0; i < 100000; i++) printf "f%d;", i % 7; print "leaf 1" }'; } > "$TMP/bad.folded"
"$WS" flamegraph "$TMP/bad.folded" -o "$TMP/bad.svg" 2>"$TMP/bad.err"; rc=$?
assert_eq "$rc" 0 "exit status on partly malformed input"
xmllint --noout --huge "$TMP/bad.svg" || fail "SVG from garbage is not well-formed"
grep -q 'bad.folded:2: no count' "$TMP/bad.err" || fail "no line-numbered warning: $(cat "$TMP/bad.err")"
grep -q 'crlf (2 samples' "$TMP/bad.svg" || fail "CRLF line not read"
deep=$(grep -c '<title>f[0-6] (1 samples' "$TMP/bad.svg")
assert_eq "$deep" 100000 "frames of the 100000-deep stack"
: > "$TMP/empty.folded"
"$WS" flamegraph "$TMP/empty.folded" -o "$TMP/empty.svg" 2>"$TMP/empty.err"; rc=$?
assert_eq "$rc" 1 "exit status on empty input"
grep -q 'no stack counts' "$TMP/empty.err" || fail "empty input: no clear error"
xmllint --noout "$TMP/empty.svg" || fail "empty-input SVG not well-formed"
"$WS" flamegraph /nonexistent/x.folded >/dev/null 2>"$TMP/nf.err"; assert_eq "$?" 1 "missing file exit status"
grep -q '/nonexistent/x.folded: No such file' "$TMP/nf.err" || fail "missing file message: $(cat "$TMP/nf.err")"
"$WS" flamegraph --colors nope </dev/null >/dev/null 2>&1; assert_eq "$?" 2 "unknown palette: usage error"

# --- collapse into flamegraph ---
printf 'perf 10/10 [000] 1.000000: 1 cpu-clock:\n\tffffffff81000000 do_syscall_64+0x1 ([kernel.kallsyms])\n\t7f00 main+0x2 (/bin/x)\n\nperf 10/10 [000] 1.100000: 1 cpu-clock:\n\tffffffff81000000 do_syscall_64+0x1 ([kernel.kallsyms])\n\t7f00 main+0x2 (/bin/x)\n' > "$TMP/perf.txt"
folded=$("$WS" collapse "$TMP/perf.txt") || fail "collapse failed"
assert_eq "$folded" "perf;main;do_syscall_64 2" "collapsed perf script"
"$WS" collapse "$TMP/perf.txt" | "$WS" flamegraph > "$TMP/p.svg" && xmllint --noout "$TMP/p.svg" ||
  fail "collapse | flamegraph failed"

# --- heat map ---
awk 'BEGIN { for (i = 0; i < 1000; i++) printf "%.3f %d\n", i / 100, (i % 10) * 10 + 5; print "9.999 100" }' > "$TMP/pts.txt"
"$WS" heatmap --maxlat 100 --rows 10 "$TMP/pts.txt" -o "$TMP/h.svg" || fail "heatmap failed"
xmllint --noout "$TMP/h.svg" || fail "heat map not well-formed"
cells=$(grep -c '<rect x=[^>]*><title>' "$TMP/h.svg")
assert_eq "$cells" 100 "cells drawn (10 columns x 10 rows, last column and top row included)"
grep -q '<title>9-10s, 90-100 us: 11</title>' "$TMP/h.svg" || fail "top-right cell wrong"
printf '1 2\nnot a point\n3\n4 5 6\n' | "$WS" heatmap > "$TMP/hb.svg" 2>"$TMP/hb.err"
grep -q -- '-:2: expected' "$TMP/hb.err" || fail "heatmap: no line-numbered warning"
xmllint --noout "$TMP/hb.svg" || fail "heatmap on bad input: not well-formed"
"$WS" heatmap --unitstime ms --stepsec 0.001 < /dev/null > /dev/null 2>&1; assert_eq "$?" 1 "empty heat map exit status"
