#!/usr/bin/env bash
# The binary's contract with people and scripts: --help and --version, every command's
# help, symlink invocation, one-line errors with exit 2 for usage and 1 for run time,
# and the README's command table kept equal to the binary's.
source "$(dirname "$0")/lib.sh"

# expect_exit CODE PATTERN CMD...: exit status and a one-line message matching PATTERN
expect_exit() {
  local code=$1 pattern=$2; shift 2
  local out rc
  out=$("$@" 2>&1); rc=$?
  [ "$rc" = "$code" ] || fail "'$*' exited $rc, expected $code: $out"
  grep -q -- "$pattern" <<<"$out" || fail "'$*' said '$out', expected /$pattern/"
  note "'$*' -> $rc: $(head -1 <<<"$out")"
}

"$WS" --help | grep -q "^Disk, file system and page cache:" || fail "--help lacks the disk group"
"$WS" --version | grep -q "^whyslow " || fail "--version"
expect_exit 2 "usage: whyslow <command>" "$WS"
expect_exit 2 "unknown command 'biolatncy': did you mean 'biolatency'" "$WS" biolatncy
expect_exit 2 "unknown command 'zzzzzzzz'" "$WS" zzzzzzzz
expect_exit 2 "unknown option '--frobnicate'" "$WS" --frobnicate

# every command: --help exits 0 with usage, options and examples; `whyslow help CMD` too
for c in $("$WS" --list); do
  out=$("$WS" "$c" --help) || fail "$c --help exited $?"
  grep -q "^usage: whyslow " <<<"$out" || fail "$c --help lacks usage"
  grep -q "^options:" <<<"$out" || fail "$c --help lacks options"
  grep -q "^examples:" <<<"$out" || fail "$c --help lacks examples"
  "$WS" help "$c" >/dev/null || fail "whyslow help $c"
done

# bad option values, with the value named (runqlat takes [interval [count]])
expect_exit 2 "invalid interval (seconds) 'abc'" "$WS" runqlat abc
expect_exit 2 "invalid interval (seconds) '-1'" "$WS" runqlat -- -1
expect_exit 2 "interval (seconds) '0' is out of range" "$WS" runqlat 0
expect_exit 2 "invalid count 'x'" "$WS" runqlat 1 x
expect_exit 2 "unexpected argument '3'" "$WS" runqlat 1 2 3
expect_exit 2 "unknown option '-Z'" "$WS" runqlat -Z
expect_exit 2 "option '-p' needs a value" "$WS" runqlat -p
expect_exit 2 "-P and -L exclude each other" "$WS" runqlat -P -L
expect_exit 2 "unknown disk 'nosuchdisk'" "$WS" biolatency -d nosuchdisk
expect_exit 2 "option '-d' needs a value" "$WS" biolatency -d
# a PID that does not exist: find a free one
pid=999999; while [ -e /proc/$pid ]; do pid=$((pid - 1)); done
expect_exit 2 "no process with PID $pid" "$WS" runqlat -p $pid

# symlinks named after commands run them (busybox style)
ln -s "$WS" "$TMP/runqlat"
"$TMP/runqlat" --help | grep -q "^usage: whyslow runqlat" || fail "symlink invocation"

# not root: one line, exit 1
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
  cp "$WS" "$TMP/ws"; chmod 755 "$TMP" "$TMP/ws"
  expect_exit 1 "must run as root" setpriv --reuid=65534 --regid=65534 --clear-groups "$TMP/ws" runqlat 1 1
fi

# README's command table lists exactly the commands of the binary, and each row's cases
readme=$WHYSLOW_ROOT/README.md
table=$(sed -n '/^| command | what it shows | cases |/,/^$/p' "$readme" | grep '^| ' | tail -n +2 | cut -d'|' -f2 | tr -d ' ' | sort)
binary=$("$WS" --list-table | awk -F'\t' '$2!="alias"{print $1}' | sort)
[ "$table" = "$binary" ] || fail "README table and binary differ: $(diff <(echo "$table") <(echo "$binary") | tr '\n' ' ')"
while IFS=$'\t' read -r name group cases; do
  [ "$group" = alias ] && continue
  row=$(grep "^| $name |" "$readme")
  for c in $cases; do grep -q "$c" <<<"$row" || fail "README row of $name lacks case $c"; done
done < <("$WS" --list-table)
echo "cli: all checks passed"
