// SPDX-License-Identifier: GPL-2.0
/* errsnoop, kernel side: every failing syscall, at raw_syscalls:sys_exit only. The
 * arguments are read at exit from the saved user registers (x86-64 pt_regs di, si, dx,
 * r10, r8, r9), which the syscall path leaves as the caller set them, so no sys_enter
 * program and no per-thread state are needed: successful calls cost one comparison. Path
 * arguments (which ones: a table by syscall number filled by user space) are copied from
 * user memory the kernel has just read. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf/common.h"
#include "bpf/comm.h"
#include "bpf/ringbuf.h"
#include "sys/errsnoop.h"

const volatile bool filter_tgid = false;
const volatile __u32 targ_tgid = 0;
const volatile bool filter_comm = false;
const volatile char targ_comm[TASK_COMM_LEN] = {};
const volatile __s32 targ_errno = 0;
const volatile __s32 targ_nr = -1;
const volatile __u8 str_args[ERRSNOOP_NR_MAX] = {};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

DEFINE_LOST_COUNTER

static __always_inline void read_str(char *dst, __u64 *args, unsigned idx)
{
	if (idx >= 1 && idx <= 6)
		bpf_probe_read_user_str(dst, ERRSNOOP_STR, (void *)args[(idx - 1) & 7]);
}

static __always_inline void on_exit(struct pt_regs *regs, long ret)
{
	struct errsnoop_event *e;
	__u64 pid_tgid;
	__s32 nr;
	__u8 which;

	if (ret >= 0 || ret < -4095)
		return;
	if (targ_errno && ret != -targ_errno)
		return;
	pid_tgid = bpf_get_current_pid_tgid();
	if (filter_tgid && (pid_tgid >> 32) != targ_tgid)
		return;
	nr = BPF_CORE_READ(regs, orig_ax);
	if (targ_nr >= 0 && nr != targ_nr)
		return;
	if (filter_comm && !current_comm_is(targ_comm))
		return;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_lost();
		return;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->tgid = pid_tgid >> 32;
	e->tid = pid_tgid;
	e->nr = nr;
	e->err = -ret;
	e->args[0] = BPF_CORE_READ(regs, di);
	e->args[1] = BPF_CORE_READ(regs, si);
	e->args[2] = BPF_CORE_READ(regs, dx);
	e->args[3] = BPF_CORE_READ(regs, r10);
	e->args[4] = BPF_CORE_READ(regs, r8);
	e->args[5] = BPF_CORE_READ(regs, r9);
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->str[0][0] = 0;
	e->str[1][0] = 0;
	which = (nr >= 0 && nr < ERRSNOOP_NR_MAX) ? str_args[nr & (ERRSNOOP_NR_MAX - 1)] : 0;
	if (which) {
		read_str(e->str[0], e->args, which & 15);
		read_str(e->str[1], e->args, which >> 4);
	}
	ringbuf_submit_batched(&events, e);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit_btf, struct pt_regs *regs, long ret)
{
	on_exit(regs, ret);
	return 0;
}

SEC("raw_tp/sys_exit")
int BPF_PROG(sys_exit_raw, struct pt_regs *regs, long ret)
{
	on_exit(regs, ret);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
