# Sourced by every lab/<case>/run: sets a fault up, runs its workload in the background,
# runs `whyslow doctor --json -d N` and prints the finding ranked first. Everything set up
# is torn down on any exit, also after a failure or Ctrl-C (cgroups, namespaces, mounts,
# sysctls, loop devices, processes).
#
#   WHYSLOW    the binary (default build/whyslow)      WORKLOADS  its test workloads
#   LAB_DURATION  doctor's -d (default 4)              LAB_OUT    where doctor.json goes
set -u
LAB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WS=${WHYSLOW:-$LAB_ROOT/build/whyslow}
WL=${WORKLOADS:-$(dirname "$WS")/workloads}
DUR=${LAB_DURATION:-4}
SCENARIO=$(basename "$(cd "$(dirname "$0")" && pwd)")
TMP=$(mktemp -d /tmp/whyslow-lab.XXXXXX)
OUT=${LAB_OUT:-$TMP}
mkdir -p "$OUT"
_cleanups=()
_bg=()

say() { echo "[$SCENARIO] $*" >&2; }
skip() { say "SKIP: $*"; echo "RESULT $SCENARIO ${EXPECT:--} skip - skip"; exit 77; }
die() { say "FAIL: $*"; echo "RESULT $SCENARIO ${EXPECT:--} error - fail"; exit 1; }
need_root() { [ "$(id -u)" -eq 0 ] || skip "needs root"; }
need_cmd() { command -v "$1" >/dev/null 2>&1 || skip "needs $1"; }
need_workload() { [ -x "$WL/$1" ] || skip "workload $WL/$1 missing (make BUILD=... $WL/$1)"; }

# Cleanups run in reverse order on any exit; background workloads (whole process
# groups) are killed first.
on_exit() { _cleanups+=("$*"); }
_teardown() {
  local i p
  trap - EXIT INT TERM
  for p in "${_bg[@]}"; do kill -CONT -- "-$p" 2>/dev/null; kill -KILL -- "-$p" 2>/dev/null; done
  for p in "${_bg[@]}"; do wait "$p" 2>/dev/null; done
  for ((i=${#_cleanups[@]}-1; i>=0; i--)); do eval "${_cleanups[$i]}" >/dev/null 2>&1 || true; done
  rm -rf "$TMP"
}
trap _teardown EXIT
trap 'say "interrupted: tearing down"; exit 130' INT TERM

# bg CMD...: runs a workload in the background in a process group of its own (so that
# teardown kills it and all its children); sets BG_PID.
bg() {
  setsid "$@" </dev/null >>"$TMP/bg.log" 2>&1 &
  BG_PID=$!
  _bg+=("$BG_PID")
}

# rmcg DIR: removes a cgroup once its last task is gone (a killed task in D state, e.g.
# throttled I/O, leaves it a moment later).
rmcg() {
  local i
  for i in $(seq 1 100); do rmdir "$1" 2>/dev/null && return 0; [ -d "$1" ] || return 0; sleep 0.1; done
  say "could not remove $1"
}

# A loop device over a file in $TMP, detached on exit; prints its name. Args: MB [opts].
loopdev() {
  local size=$1 img dev; shift
  img=$TMP/disk$RANDOM.img
  dd if=/dev/zero of="$img" bs=1M count="$size" conv=fsync status=none || return 1
  dev=$(losetup -f --show "$@" "$img") || return 1
  echo "$dev"
}

# baseline: for scenarios that must stay quiet (EXPECT=none), a first doctor run before
# the workload starts. This machine may be busy with others' work; a warning already
# there is not the workload's doing, so diagnose then ignores its id.
baseline() {
  "$WS" doctor --json -d "$DUR" >"$OUT/$SCENARIO-baseline.json" 2>"$OUT/$SCENARIO-baseline.err" ||
    die "doctor failed: $(tail -3 "$OUT/$SCENARIO-baseline.err")"
  say "baseline (before the workload): $(jq -r '[.findings[] | select(.severity != "info") | .id] | join(" ") | if . == "" then "quiet" else . end' "$OUT/$SCENARIO-baseline.json")"
}

# diagnose [doctor options]: runs the doctor for $DUR seconds, prints the table line
# "RESULT scenario expected top seconds pass|fail" and returns 0 when the finding ranked
# first is $EXPECT ("none": no warning or critical finding at all).
diagnose() {
  local t0 t1 top secs ok=fail
  t0=$(date +%s.%N)
  "$WS" doctor --json -d "$DUR" "$@" >"$OUT/$SCENARIO.json" 2>"$OUT/$SCENARIO.err" ||
    die "doctor failed: $(tail -3 "$OUT/$SCENARIO.err")"
  t1=$(date +%s.%N)
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')
  local base='[]'
  [ -f "$OUT/$SCENARIO-baseline.json" ] &&
    base=$(jq -c '[.findings[] | select(.severity != "info") | .id]' "$OUT/$SCENARIO-baseline.json")
  top=$(jq -r --argjson base "$base" \
    '[.findings[] | select(.severity != "info") | select(.id as $i | $base | index($i) | not)][0].id // "none"' \
    "$OUT/$SCENARIO.json")
  [ "$top" = "$EXPECT" ] && ok=pass
  say "top finding: $(jq -r '[.findings[] | select(.severity != "info")][0] | "\(.id): \(.title)" // "none"' "$OUT/$SCENARIO.json")"
  echo "RESULT $SCENARIO $EXPECT $top $secs $ok"
  [ $ok = pass ]
}
