#!/usr/bin/env bash
# errsnoop (case C7): each failed write on a full tmpfs with the file's path, and mount()
# beyond a lowered fs.mount-max in a private mount namespace with its target path; the
# raw_tp path; bad input.
source "$(dirname "$0")/lib.sh"
need_root
need_cmd jq
need_cmd unshare util-linux

FILL=$WORKLOADS/sys_fillwrite MOUNTER=$WORKLOADS/sys_mounter
[ -x "$FILL" ] && [ -x "$MOUNTER" ] || skip "workloads not built"
mkdir -p "$TMP/fs" "$TMP/mnt"
mount -t tmpfs -o size=512k none "$TMP/fs" || skip "cannot mount a tmpfs"
on_exit "umount $TMP/fs"

# 1. full tmpfs: 20 failing writes, each listed with errno and the fd's path
for mode in tp_btf raw_tp; do
  [ $mode = raw_tp ] && export WHYSLOW_FORCE_RAW_TP=1
  "$WS" errsnoop -e ENOSPC -c sys_fillwrite -d 3 --json >"$TMP/w.json" 2>"$TMP/log" &
  tracer=$!
  wait_attached "$TMP/log"
  rm -f "$TMP/fs/f"
  "$FILL" "$TMP/fs/f" 20 1500 >/dev/null
  wait $tracer || fail "errsnoop failed: $(cat "$TMP/log")"
  ev=$(jq -c 'select(.syscall)' "$TMP/w.json")
  assert_eq "$(jq -s length <<<"$ev")" 20 "$mode: ENOSPC events"
  assert_eq "$(jq -r '[.syscall, .errno, .fd_path] | join(" ")' <<<"$ev" | sort -u)" \
    "write ENOSPC $TMP/fs/f" "$mode: each event's call, errno and path"
  assert_eq "$(jq -r 'select(.summary) | .lost_events' "$TMP/w.json")" 0 "$mode: lost events"
  unset WHYSLOW_FORCE_RAW_TP
done

# 2. mount() beyond fs.mount-max in a private mount namespace; the sysctl is restored
old=$(sysctl -n fs.mount-max)
on_exit "sysctl -q -w fs.mount-max=$old"
"$WS" errsnoop -s mount -e ENOSPC -d 3 >"$TMP/m.txt" 2>"$TMP/log" &
tracer=$!
wait_attached "$TMP/log"
# lowered for the few milliseconds the mounter runs, and restored at once
unshare -m --propagation private bash -c "
  n=\$(wc -l </proc/self/mountinfo)
  sysctl -q -w fs.mount-max=\$((n + 2))
  '$MOUNTER' '$TMP/mnt' 5 >'$TMP/mounter.out'
  sysctl -q -w fs.mount-max=$old"
assert_eq "$(sysctl -n fs.mount-max)" "$old" "fs.mount-max restored"
wait $tracer || fail "errsnoop failed: $(cat "$TMP/log")"
failed=$(awk '{print $4}' "$TMP/mounter.out")
assert_between "$failed" 1 5 "mounts refused by fs.mount-max"
assert_eq "$(grep -c "sys_mounter .* mount .* ENOSPC .*\"$TMP/mnt/m[0-9]\"" "$TMP/m.txt")" "$failed" \
  "errsnoop lines naming mount, ENOSPC and the target"

# 3. bad input
out=$("$WS" errsnoop -e NOSUCHERR 2>&1); rc=$?
assert_eq "$rc" 2 "unknown errno"
assert_contains "$out" "unknown errno 'NOSUCHERR'"
out=$("$WS" errsnoop -s nosuchcall 2>&1); rc=$?
assert_eq "$rc" 2 "unknown syscall"
assert_contains "$out" "unknown syscall 'nosuchcall'"
"$WS" errsnoop -p 999999999 >/dev/null 2>&1; assert_eq $? 2 "unknown PID"
sleep 1 & victim=$!
out=$(timeout 10 "$WS" errsnoop -p $victim 2>&1); rc=$?
assert_eq "$rc" 0 "exit status when the PID exits"
assert_contains "$out" "process $victim exited"
echo PASS
