/* Scheduler helpers shared by BPF programs (include after vmlinux.h and
 * bpf_core_read.h). */
#ifndef WHYSLOW_BPF_SCHED_H
#define WHYSLOW_BPF_SCHED_H

/* Before 5.14 the task state was ->state ("sched: Change task_struct::state",
 * 2f064a59a11f renamed it to __state). */
struct task_struct___pre514 {
	long state;
};

static __always_inline long sched_task_state(struct task_struct *t)
{
	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return BPF_CORE_READ((struct task_struct___pre514 *)t, state);
}

#endif
