// SPDX-License-Identifier: GPL-2.0
/* sigsnoop, kernel side: every signal generated (signal:signal_generate: sender is the
 * current task, target the task argument, with the kernel's result), plus kill, tkill and
 * tgkill syscalls that failed before a signal was generated (EPERM, ESRCH), from the
 * syscalls tracepoints when the kernel has them. Events go through a ring buffer; failed
 * reservations are counted, never hidden. With -k, a generated signal is kept only if its
 * sender is inside a kill, tkill or tgkill call for that signal (the syscall entry left
 * its arguments in pending_kills), as bcc's sigsnoop -k traces only those syscalls. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf/common.h"
#include "bpf/ringbuf.h"
#include "sys/sigsnoop.h"

const volatile __u32 filter_sender = 0; /* -p: tgid */
const volatile __u32 filter_target = 0; /* --target: tgid */
const volatile int filter_sig = 0;      /* -s */
const volatile bool failed_only = false; /* -x */
const volatile bool kill_only = false;   /* -k: signals sent by kill/tkill/tgkill */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

DEFINE_LOST_COUNTER

/* kill syscall arguments, from entry to exit, by thread id */
struct kill_args {
	__u32 target;
	__s32 sig;
	bool thread; /* tkill/tgkill: target is a thread id */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct kill_args);
} pending_kills SEC(".maps");

#define SI_USER 0
#define SI_KERNEL 0x80

static __always_inline bool sender_ok(void)
{
	return !filter_sender || (bpf_get_current_pid_tgid() >> 32) == filter_sender;
}

static __always_inline void emit(int sig, int code, int result, int err, __u32 target_pid,
				 __u32 target_tid, struct task_struct *target)
{
	struct sigsnoop_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	__u64 id = bpf_get_current_pid_tgid();

	if (!e) {
		count_lost();
		return;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->sender_pid = id >> 32;
	e->sender_tid = (__u32)id;
	e->target_pid = target_pid;
	e->target_tid = target_tid;
	e->sig = sig;
	e->code = code;
	e->result = result;
	e->err = err;
	bpf_get_current_comm(e->sender_comm, sizeof(e->sender_comm));
	if (target)
		bpf_probe_read_kernel_str(e->target_comm, sizeof(e->target_comm), target->comm);
	else
		e->target_comm[0] = '\0';
	ringbuf_submit_batched(&events, e);
}

static __always_inline void on_generate(int sig, struct kernel_siginfo *info,
					struct task_struct *task, int result)
{
	unsigned long infop = (unsigned long)info;
	__u32 tgid;
	int code;

	if (failed_only || (filter_sig && sig != filter_sig) || !sender_ok())
		return;
	if (kill_only) {
		__u32 tid = (__u32)bpf_get_current_pid_tgid();
		struct kill_args *args = bpf_map_lookup_elem(&pending_kills, &tid);

		/* the signal asked for, not one the kernel raises on the way */
		if (!args || args->sig != sig)
			return;
	}
	tgid = BPF_CORE_READ(task, tgid);
	if (filter_target && tgid != filter_target)
		return;
	/* SEND_SIG_NOINFO (0) is a signal from user space, SEND_SIG_PRIV (1) from the kernel */
	if (infop <= 1)
		code = infop ? SI_KERNEL : SI_USER;
	else
		code = BPF_CORE_READ(info, si_code);
	emit(sig, code, result, 0, tgid, BPF_CORE_READ(task, pid), task);
}

SEC("tp_btf/signal_generate")
int BPF_PROG(generate_btf, int sig, struct kernel_siginfo *info, struct task_struct *task,
	     int group, int result)
{
	on_generate(sig, info, task, result);
	return 0;
}

SEC("raw_tp/signal_generate")
int BPF_PROG(generate_raw, int sig, struct kernel_siginfo *info, struct task_struct *task,
	     int group, int result)
{
	on_generate(sig, info, task, result);
	return 0;
}

/* --- failed kill syscalls (optional: needs CONFIG_FTRACE_SYSCALLS) --- */

static __always_inline void kill_enter(__u32 target, int sig, bool thread)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct kill_args args = {.target = target, .sig = sig, .thread = thread};

	if ((filter_sig && sig != filter_sig) || !sender_ok())
		return;
	bpf_map_update_elem(&pending_kills, &tid, &args, BPF_ANY);
}

static __always_inline void kill_exit(long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct kill_args *args = bpf_map_lookup_elem(&pending_kills, &tid);

	if (!args)
		return;
	/* filter_target is a process: a failed kill of a thread id is kept only if the
	 * ids match (the thread may not exist, which is often why it failed) */
	if (ret < 0 && (!filter_target || args->target == filter_target))
		emit(args->sig, SI_USER, SIGSNOOP_FAILED, (int)-ret,
		     args->thread ? 0 : args->target, args->thread ? args->target : 0, NULL);
	bpf_map_delete_elem(&pending_kills, &tid);
}

SEC("tracepoint/syscalls/sys_enter_kill")
int kill_entry(struct trace_event_raw_sys_enter *ctx)
{
	kill_enter((__u32)ctx->args[0], (int)ctx->args[1], false);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_tkill")
int tkill_entry(struct trace_event_raw_sys_enter *ctx)
{
	kill_enter((__u32)ctx->args[0], (int)ctx->args[1], true);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_tgkill")
int tgkill_entry(struct trace_event_raw_sys_enter *ctx)
{
	kill_enter((__u32)ctx->args[1], (int)ctx->args[2], true);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_kill")
int kill_return(struct trace_event_raw_sys_exit *ctx)
{
	kill_exit(ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_tkill")
int tkill_return(struct trace_event_raw_sys_exit *ctx)
{
	kill_exit(ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_tgkill")
int tgkill_return(struct trace_event_raw_sys_exit *ctx)
{
	kill_exit(ctx->ret);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
