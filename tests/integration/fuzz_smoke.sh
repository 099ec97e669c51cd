#!/usr/bin/env bash
# Every fuzz target builds with libFuzzer, ASan and UBSan, and survives a short run from
# an empty corpus (longer campaigns: make fuzz, then build/fuzz/NAME -max_total_time=600).
# A crash here is a parser that a malformed /proc file or folded-stack file could kill.
source "$(dirname "$0")/lib.sh"
need_cmd clang
cd "$WHYSLOW_ROOT"
[ -e "$(clang -print-file-name=libclang_rt.fuzzer-x86_64.a)" ] || skip "no libFuzzer runtime (Debian libclang-rt-14-dev)"
make --no-print-directory fuzz >"$TMP/build.log" 2>&1 || fail "make fuzz failed: $(tail -5 "$TMP/build.log")"
n=0
for src in tests/fuzz/*.c; do
  t=build/fuzz/$(basename "$src" .c)
  [ -x "$t" ] || fail "$t not built"
  mkdir -p "$TMP/corpus-$n"
  "$t" -max_total_time="${FUZZ_SECONDS:-5}" -rss_limit_mb=1024 -print_final_stats=1 "$TMP/corpus-$n" \
    >"$TMP/$n.log" 2>&1 || fail "$t crashed: $(grep -m3 -E 'ERROR|SUMMARY|==' "$TMP/$n.log")"
  note "$t: $(grep -m1 'stat::number_of_executed_units' "$TMP/$n.log" | awk '{print $2}') runs, no crash"
  n=$((n + 1))
done
[ "$n" -gt 0 ] || fail "no fuzz targets in tests/fuzz"
echo "fuzz_smoke: $n targets passed"
