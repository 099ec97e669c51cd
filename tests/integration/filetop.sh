#!/usr/bin/env bash
# filetop counts a process's reads of a file exactly (calls and bytes) under the file's
# name; -a adds non-regular files; bad sort key and row count are usage errors.
source "$(dirname "$0")/lib.sh"
need_root
[ -x "$WORKLOADS/fsio" ] || skip "workload fsio not built (make \$BUILD/workloads/fsio)"

out=$("$WS" filetop -s nosuchkey 2>&1); rc=$?
assert_eq "$rc" 2 "exit status for an unknown sort key"
assert_contains "$out" "unknown sort key"

mkdir -p $TMP/t
mount -t tmpfs -o size=16m tmpfs $TMP/t || fail "tmpfs mount failed"; on_exit "umount $TMP/t"
dd if=/dev/urandom of=$TMP/t/table.db bs=64k count=4 status=none

for ENVV in "" WHYSLOW_FORCE_RAW_TP=1; do
  fifo=$TMP/go.$RANDOM; mkfifo $fifo
  # 100 reads of 4096 bytes of a 256 KiB file: 64 reads, one at end of file (0 bytes),
  # 36 more: 101 calls, 409600 bytes
  out=$TMP/t/fsio.$RANDOM.out
  "$WORKLOADS/fsio" $TMP/t/table.db 100 4096 <>$fifo >$out & w=$!
  for n in $(seq 1 50); do grep -q ready $out && break; sleep 0.05; done
  : >$TMP/err # emptied before the tracer starts: wait_attached must not see an old line
  env $ENVV "$WS" filetop -p $w --json 5 >$TMP/top.json 2>$TMP/err & tracer=$!
  wait_attached $TMP/err
  echo go > $fifo
  wait $w || fail "fsio failed"
  for n in $(seq 1 50); do kill -0 $tracer 2>/dev/null || break; sleep 0.1; done
  wait $tracer || fail "filetop failed: $(cat $TMP/err)"
  row=$(jq -c ".rows[] | select(.file==\"table.db\") | [.pid, .comm, .type, .reads, .read_bytes, .writes]" $TMP/top.json)
  assert_eq "$row" "[$w,\"fsio\",\"R\",101,409600,0]" "$ENVV filetop row of table.db"
  # without -a, the fifo (stdin) is not a regular file: not shown
  assert_eq "$(jq -c '.rows[] | select(.type!="R")' $TMP/top.json | wc -l)" 0 "$ENVV non-regular rows without -a"
done
