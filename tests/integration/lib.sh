# Sourced by integration tests. Each test runs for real as root against a workload whose
# answer it knows, and asserts numbers. skip() says why and exits 77; fail() exits 1.
set -u
: "${WHYSLOW:?set by tests/run}" "${WORKLOADS:?set by tests/run}"
WS=$WHYSLOW
TMP=$(mktemp -d /tmp/whyslow-it.XXXXXX)
_cleanups=()

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
note() { echo "# $*"; }
need_root() { [ "$(id -u)" -eq 0 ] || skip "needs root"; }
need_cmd() { command -v "$1" >/dev/null 2>&1 || skip "needs $1 (${2:-install it})"; }

# Cleanups run in reverse order on any exit, so a failing test leaves nothing behind.
on_exit() { _cleanups+=("$*"); }
_run_cleanups() {
  local _cleanup_index dev j
  # background jobs first (tracers, workloads): a failed assertion must not leave them
  # running after the test, as it did with tracers started by `cmd & t=$!`
  for j in $(jobs -p); do kill "$j" 2>/dev/null || true; done
  # a name no cleanup uses: an eval'd `for i in ...` used to reset this loop (unbound index,
  # the remaining cleanups skipped, the loop device and $TMP left behind)
  for ((_cleanup_index=${#_cleanups[@]}-1; _cleanup_index>=0; _cleanup_index--)); do
    eval "${_cleanups[$_cleanup_index]}" >/dev/null 2>&1 || true
  done
  # loop devices over files in $TMP: make_loopdev runs in $(...), where on_exit is lost
  for dev in $(losetup -l -n -O NAME,BACK-FILE 2>/dev/null | awk -v t="$TMP/" 'index($2, t) == 1 {print $1}'); do
    losetup -d "$dev" 2>/dev/null || true
  done
  rm -rf "$TMP"
}
trap _run_cleanups EXIT
trap 'exit 130' INT TERM

assert_eq() { [ "$1" = "$2" ] || fail "${3:-value}: got '$1', expected '$2'"; note "${3:-value} = $1 (expected $2)"; }
# assert_between VALUE LOW HIGH WHAT (numbers, inclusive; decimals allowed)
assert_between() {
  awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN{exit !(v+0>=lo+0 && v+0<=hi+0)}' ||
    fail "${4:-value}: $1 not in [$2, $3]"
  note "${4:-value} = $1 (expected $2..$3)"
}
assert_contains() { grep -q -- "$2" <<<"$1" || fail "${3:-output} lacks '$2': $(head -c 600 <<<"$1")"; }

# A latency heat map written by a tracer's --heatmap FILE holding the N events it printed:
# well-formed SVG (xmllint), N in its subtitle, N the sum of its cells' counts.
assert_heatmap() {
  local svg=$1 n=$2 what=${3:-heat map}
  [ -s "$svg" ] || fail "$what: $svg missing or empty"
  xmllint --noout "$svg" || fail "$what: $svg is not well-formed"
  assert_contains "$(grep -o 'id="subtitle">[0-9]* points' "$svg")" ">$n points" "$what: subtitle"
  assert_eq "$(heatmap_cells "$svg" | awk '{s += $3} END {print s + 0}')" "$n" "$what: points in its cells"
}
# The non-empty cells of a heat map SVG, one a line: "low high count" (the row's latencies).
heatmap_cells() {
  xmllint --xpath '//*[local-name()="g"][@id="cells"]/*/*[local-name()="title"]/text()' "$1" 2>/dev/null |
    sed -n 's/^[^,]*, \([0-9.e+]*\)-\([0-9.e+]*\) [^:]*: \([0-9]*\)$/\1 \2 \3/p'
}

# A loop device over a file in $TMP; prints its name (loopN). Args: size_mb [losetup opts].
# With LOOP_FILL=1 the file's blocks are written first: reading a sparse file's holes
# never reaches the disk, so a throttled or slow backing disk would go unseen.
make_loopdev() {
  local size=$1; shift
  local img=$TMP/disk$RANDOM.img dev
  if [ "${LOOP_FILL:-0}" = 1 ]; then
    dd if=/dev/zero of="$img" bs=1M count="$size" conv=fsync status=none
  else
    truncate -s "${size}M" "$img"
  fi
  dev=$(losetup -f --show "$@" "$img") || fail "losetup failed"
  basename "$dev" # detached on exit by _run_cleanups (it finds devices backed by $TMP)
}

# Waits until a background whyslow has attached (it prints a line to stderr, "Tracing").
# The log must be fresh (redirect with >, not >>): an old "Tracing" line would pass.
wait_attached() {
  local log=$1 i
  for i in $(seq 1 100); do grep -q 'Tracing\|Sampling\|Watching' "$log" 2>/dev/null && return 0; sleep 0.05; done
  fail "tracer did not attach within 5 s: $(cat "$log")"
}

# Waits until PID runs the program NAME (its exec done): before that, a child started with
# "prog &" is still the forked shell, with the shell's name and maps.
wait_exec() {
  local pid=$1 name=$2 i
  for i in $(seq 1 200); do [[ $(readlink "/proc/$pid/exe" 2>/dev/null) == */"$name" ]] && return 0; sleep 0.01; done
  fail "process $pid did not exec $name within 2 s"
}

# Names of the BPF programs a process holds (from its fdinfo prog ids), one per line.
bpf_prog_names() {
  local pid=$1 f id
  for f in /proc/"$pid"/fdinfo/*; do
    id=$(awk '/^prog_id:/{print $2}' "$f" 2>/dev/null)
    [ -n "$id" ] && ! grep -q '^link_id:' "$f" 2>/dev/null || continue
    bpftool prog show id "$id" -j 2>/dev/null | sed -n 's/.*"name":"\([^"]*\)".*/\1/p'
  done | sort -u
}
