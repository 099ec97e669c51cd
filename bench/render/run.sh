#!/usr/bin/env bash
# Render benchmarks: wall time and peak RSS (/usr/bin/time -v) of `whyslow flamegraph` on
# generated folded stacks (shared prefixes and the no-sharing worst case, 200k and 1M lines
# of about 900 bytes, depth 28) and of `whyslow heatmap` on 1M and 10M points. With
# FLAMEGRAPH_DIR / HEATMAP_DIR pointing at copies of flamegraph.pl / trace2heatmap.pl,
# those run on the same inputs side by side (nothing is fetched or shipped here).
# Inputs are generated once into $BENCH_RENDER_DIR (default /tmp/whyslow-bench-render,
# about 4 GB) and reused. Prints a Markdown table for bench/RESULTS.md.
#   bench/render/run.sh                 everything
#   bench/render/run.sh quick           200k-line and 1M-point cases only
set -euo pipefail
cd "$(dirname "$0")/../.."
WS=${WHYSLOW:-$PWD/build/whyslow}
OUT=${BENCH_RENDER_DIR:-/tmp/whyslow-bench-render}
quick=${1:-}
[ -x "$WS" ] || { echo "bench/render: build first (make), or set WHYSLOW" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench/render: needs /usr/bin/time (Debian package time)" >&2; exit 1; }
mkdir -p "$OUT"
cc -O2 -Wall -Wextra -o "$OUT/gen_folded" bench/render/gen_folded.c
cc -O2 -Wall -Wextra -o "$OUT/gen_points" bench/render/gen_points.c -lm

gen() { local file=$OUT/$1; shift; [ -s "$file" ] || "$@" > "$file"; }
gen shared-200k.folded "$OUT/gen_folded" shared 200000
gen unique-200k.folded "$OUT/gen_folded" unique 200000
gen points-1m.txt "$OUT/gen_points" 1000000 600
if [ "$quick" != quick ]; then
  gen shared-1m.folded "$OUT/gen_folded" shared 1000000
  gen unique-1m.folded "$OUT/gen_folded" unique 1000000
  gen points-10m.txt "$OUT/gen_points" 10000000 600
fi

# measure LABEL INPUT CMD... : one run (the machine is shared: no repetitions)
measure() {
  local label=$1 input=$2 log=$OUT/time.log; shift 2
  if ! /usr/bin/time -v "$@" > "$OUT/out.svg" 2> "$log"; then
    printf '| %s | %s | failed: %s | | |\n' "$label" "$(basename "$input")" "$(grep -v '^\s' "$log" | tail -1)"
    return
  fi
  awk -F': ' -v label="$label" -v input="$(basename "$input")" -v bytes="$(stat -c %s "$input")" '
    /Elapsed \(wall clock\)/ { n = split($2, p, ":"); wall = 0; for (i = 1; i <= n; i++) wall = wall * 60 + p[i] }
    /User time \(seconds\)/ { cpu += $2 }
    /System time \(seconds\)/ { cpu += $2 }
    /Maximum resident set size/ { rss = $2 / 1024 }
    END { printf "| %s | %s (%.0f MB) | %.2f s | %.2f s | %.0f MB |\n", label, input, bytes / 1e6, wall, cpu, rss }' "$log"
}

# CPU time (user + system) is shown next to wall time: on a shared machine it is the
# steadier of the two.
echo "| command | input | wall | CPU | peak RSS |"
echo "|---|---|---:|---:|---:|"
cases=(shared-200k unique-200k)
[ "$quick" = quick ] || cases+=(shared-1m unique-1m)
for c in "${cases[@]}"; do
  measure "whyslow flamegraph" "$OUT/$c.folded" "$WS" flamegraph "$OUT/$c.folded"
done
measure "whyslow flamegraph --reverse" "$OUT/shared-200k.folded" "$WS" flamegraph --reverse "$OUT/shared-200k.folded"
pts=(points-1m)
[ "$quick" = quick ] || pts+=(points-10m)
for p in "${pts[@]}"; do
  measure "whyslow heatmap" "$OUT/$p.txt" "$WS" heatmap "$OUT/$p.txt"
  measure "whyslow heatmap --maxlat 20000" "$OUT/$p.txt" "$WS" heatmap --maxlat 20000 "$OUT/$p.txt"
done

if [ -n "${FLAMEGRAPH_DIR:-}" ] && [ -f "$FLAMEGRAPH_DIR/flamegraph.pl" ]; then
  for c in "${cases[@]}"; do
    measure "flamegraph.pl" "$OUT/$c.folded" perl "$FLAMEGRAPH_DIR/flamegraph.pl" "$OUT/$c.folded"
  done
  measure "flamegraph.pl --reverse" "$OUT/shared-200k.folded" perl "$FLAMEGRAPH_DIR/flamegraph.pl" --reverse "$OUT/shared-200k.folded"
else
  echo "| flamegraph.pl | (set FLAMEGRAPH_DIR to a copy to compare) | | | |"
fi
if [ -n "${HEATMAP_DIR:-}" ] && [ -f "$HEATMAP_DIR/trace2heatmap.pl" ]; then
  for p in "${pts[@]}"; do
    measure "trace2heatmap.pl" "$OUT/$p.txt" perl "$HEATMAP_DIR/trace2heatmap.pl" --unitstime=s --unitslabel=us "$OUT/$p.txt"
  done
else
  echo "| trace2heatmap.pl | (set HEATMAP_DIR to a copy to compare) | | | |"
fi
rm -f "$OUT/out.svg" "$OUT/time.log"
