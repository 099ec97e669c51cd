/* Shared by the BPF programs of fsdist, fsslower and filetop: file-system calls timed from
 * syscall entry to exit on the raw_syscalls tracepoints (no kprobes or fentry needed), with
 * the file resolved in BPF from the descriptor: task->files->fdt->fd[fd], then
 * f_inode->i_sb->s_type->name for the file system and f_path.dentry for the name.
 *
 * A command includes this after vmlinux.h, the bpf headers and disk/fsops.h, then writes
 *   DEFINE_FS_CALLS(max_threads)
 * and a handler
 *   static __always_inline void fs_call_done(struct fs_call *call, long ret, __u64 now);
 * and then FS_SYSCALL_PROGRAMS (the programs calling fs_sys_enter and fs_sys_exit).
 *
 * Cost: every syscall of the system enters the programs; all but the traced ones leave
 * after one read of a read-only table (op_of, filled by user space with this
 * architecture's numbers). A traced call keeps its state in task storage (tp_btf) or a
 * hash by thread id (raw_tp) from entry to exit. */
#ifndef WHYSLOW_BPF_FSFILE_H
#define WHYSLOW_BPF_FSFILE_H

struct fs_call {
	__u64 start_ns;
	__u64 file;  /* struct file *, 0 for open (known only at exit) */
	__u64 pos;   /* offset of the I/O: the pread/pwrite argument or f_pos at entry */
	__u32 op;    /* enum fs_op */
	__u32 fd;
};

/* A register of the syscall's saved user registers: a plain load in tp_btf programs,
 * where regs is a typed kernel pointer; a probe read (a helper call) in raw_tp ones. */
#define fs_reg(btf, regs, field) ((btf) ? (regs)->field : BPF_CORE_READ((regs), field))

/* The current task's file of descriptor fd, or NULL. In tp_btf programs the walk from
 * the task to the descriptor table is plain loads from the typed task pointer; only the
 * table slot needs a probe read. */
static __always_inline struct file *fd_file(int fd, bool btf)
{
	struct fdtable *fdt;
	struct file **fds;
	struct file *file = NULL;
	unsigned int max_fds;

	if (fd < 0)
		return NULL;
	if (btf) {
		struct task_struct *task = bpf_get_current_task_btf();
		fdt = task->files->fdt;
		if (!fdt)
			return NULL;
		max_fds = fdt->max_fds;
		fds = fdt->fd;
	} else {
		struct task_struct *task = (struct task_struct *)bpf_get_current_task();
		fdt = BPF_CORE_READ(task, files, fdt);
		if (!fdt)
			return NULL;
		max_fds = BPF_CORE_READ(fdt, max_fds);
		fds = BPF_CORE_READ(fdt, fd);
	}
	if ((unsigned int)fd >= max_fds)
		return NULL;
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	return file;
}

/* The file system type's name ("ext4", "tmpfs", "sockfs") into buf[FS_NAME_LEN]. */
static __always_inline void file_fs_name(struct file *file, char *buf)
{
	const char *name = BPF_CORE_READ(file, f_inode, i_sb, s_type, name);

	if (!name || bpf_probe_read_kernel_str(buf, FS_NAME_LEN, name) < 0)
		buf[0] = 0;
}

/* The last component of the file's path into buf[FS_FILE_LEN]. */
static __always_inline void file_base_name(struct file *file, char *buf)
{
	const unsigned char *name = BPF_CORE_READ(file, f_path.dentry, d_name.name);

	if (!name || bpf_probe_read_kernel_str(buf, FS_FILE_LEN, name) < 0)
		buf[0] = 0;
}

/* Compares a file system name with the filter, 16 bytes as two words. */
static __always_inline bool fs_name_is(const char *a, const volatile char *b)
{
	return *(const __u64 *)a == *(const volatile __u64 *)b &&
	       *(const __u64 *)(a + 8) == *(const volatile __u64 *)(b + 8);
}

#define DEFINE_FS_CALLS(max)                                                               \
	const volatile __u8 op_of[FS_MAX_SYSCALL] = {}; /* syscall number -> enum fs_op */ \
	const volatile bool is_positional[FS_MAX_SYSCALL] = {}; /* pread/pwrite/preadv */ \
	const volatile bool filter_fs = false;                                             \
	const volatile char targ_fs[FS_NAME_LEN] = {};                                     \
	const volatile bool filter_pid = false;                                            \
	const volatile __u32 targ_pid = 0;                                                 \
	/* the call in progress per thread: task storage with tp_btf (no hashing, freed  \
	 * with the task), a hash by thread id for raw_tp; user space creates only one */ \
	struct {                                                                           \
		__uint(type, BPF_MAP_TYPE_TASK_STORAGE);                                   \
		__uint(map_flags, BPF_F_NO_PREALLOC);                                      \
		__type(key, int);                                                          \
		__type(value, struct fs_call);                                             \
	} fs_call_ts SEC(".maps");                                                         \
	struct {                                                                           \
		__uint(type, BPF_MAP_TYPE_HASH);                                           \
		__uint(max_entries, max);                                                  \
		__type(key, __u32); /* thread id */                                        \
		__type(value, struct fs_call);                                             \
	} fs_calls SEC(".maps");                                                           \
	/* Whether a file is on the traced file system. */                                \
	static __always_inline bool fs_wanted(struct file *file)                           \
	{                                                                                  \
		char fs[FS_NAME_LEN] = {};                                                 \
                                                                                           \
		if (!file)                                                                 \
			return false;                                                      \
		if (!filter_fs)                                                            \
			return true;                                                       \
		file_fs_name(file, fs);                                                    \
		return fs_name_is(fs, targ_fs);                                            \
	}                                                                                  \
	static __always_inline void fs_sys_enter(struct pt_regs *regs, long id, bool btf)  \
	{                                                                                  \
		struct fs_call call = {};                                                  \
		__u64 pid_tgid;                                                            \
		__u32 tid;                                                                 \
		struct file *file;                                                         \
                                                                                           \
		if (id < 0 || id >= FS_MAX_SYSCALL || !op_of[id])                          \
			return; /* the common case: one load from a read-only table */    \
		pid_tgid = bpf_get_current_pid_tgid();                                     \
		tid = (__u32)pid_tgid;                                                     \
		if (filter_pid && (pid_tgid >> 32) != targ_pid)                            \
			return;                                                            \
		call.op = op_of[id];                                                       \
		if (call.op != FS_OPEN) {                                                  \
			call.fd = fs_reg(btf, regs, FS_REG_PARM1);                         \
			file = fd_file(call.fd, btf);                                      \
			if (!fs_wanted(file))                                              \
				return;                                                    \
			call.file = (__u64)file;                                           \
			if (is_positional[id])                                             \
				call.pos = fs_reg(btf, regs, FS_REG_PARM4);                \
			else                                                               \
				call.pos = BPF_CORE_READ(file, f_pos);                     \
		}                                                                          \
		call.start_ns = bpf_ktime_get_ns();                                        \
		if (btf) {                                                                 \
			struct fs_call *slot = bpf_task_storage_get(                       \
				&fs_call_ts, bpf_get_current_task_btf(), 0,                \
				BPF_LOCAL_STORAGE_GET_F_CREATE);                           \
			if (slot)                                                          \
				*slot = call;                                              \
		} else {                                                                   \
			bpf_map_update_elem(&fs_calls, &tid, &call, BPF_ANY);              \
		}                                                                          \
	}                                                                                  \
	static __always_inline void fs_call_done(struct fs_call *call, long ret,          \
						 __u64 now);                               \
	static __always_inline void fs_sys_exit(struct pt_regs *regs, long ret, bool btf)  \
	{                                                                                  \
		struct fs_call *call;                                                      \
		__u64 now;                                                                 \
		__u32 tid;                                                                 \
                                                                                           \
		if (!fs_exit_may_be_traced(btf, regs))                                     \
			return;                                                            \
		if (btf) {                                                                 \
			call = bpf_task_storage_get(&fs_call_ts,                           \
						    bpf_get_current_task_btf(), 0, 0);     \
			if (!call || !call->start_ns)                                      \
				return;                                                    \
		} else {                                                                   \
			tid = (__u32)bpf_get_current_pid_tgid();                           \
			call = bpf_map_lookup_elem(&fs_calls, &tid);                       \
			if (!call)                                                         \
				return;                                                    \
		}                                                                          \
		now = bpf_ktime_get_ns();                                                  \
		if (call->op == FS_OPEN) { /* the file is known now: the returned fd */   \
			struct file *file = ret >= 0 ? fd_file(ret, btf) : NULL;           \
			if (!fs_wanted(file))                                              \
				goto out;                                                  \
			call->file = (__u64)file;                                          \
			call->fd = ret;                                                    \
		}                                                                          \
		fs_call_done(call, ret, now);                                              \
	out:                                                                               \
		if (btf)                                                                   \
			call->start_ns = 0; /* done: the slot stays for the next call */  \
		else                                                                       \
			bpf_map_delete_elem(&fs_calls, &tid);                              \
	}

/* The four programs of a file-system command: raw_syscalls sys_enter and sys_exit, each
 * as tp_btf and raw_tp (user space picks one of each). */
#define FS_SYSCALL_PROGRAMS                                                                \
	SEC("tp_btf/sys_enter")                                                            \
	int BPF_PROG(sys_enter_btf, struct pt_regs *regs, long id)                         \
	{                                                                                  \
		fs_sys_enter(regs, id, true);                                              \
		return 0;                                                                  \
	}                                                                                  \
	SEC("raw_tp/sys_enter")                                                            \
	int BPF_PROG(sys_enter_raw, struct pt_regs *regs, long id)                         \
	{                                                                                  \
		fs_sys_enter(regs, id, false);                                             \
		return 0;                                                                  \
	}                                                                                  \
	SEC("tp_btf/sys_exit")                                                             \
	int BPF_PROG(sys_exit_btf, struct pt_regs *regs, long ret)                         \
	{                                                                                  \
		fs_sys_exit(regs, ret, true);                                              \
		return 0;                                                                  \
	}                                                                                  \
	SEC("raw_tp/sys_exit")                                                             \
	int BPF_PROG(sys_exit_raw, struct pt_regs *regs, long ret)                         \
	{                                                                                  \
		fs_sys_exit(regs, ret, false);                                             \
		return 0;                                                                  \
	}

/* At syscall exit the number is in the saved registers on x86 (orig_ax): a traced call
 * is then recognised without a hash lookup; elsewhere every exit looks up the thread.
 * The syscall argument registers: x86's calling convention for syscalls. */
#if defined(__TARGET_ARCH_x86)
#define FS_REG_PARM1 di
#define FS_REG_PARM4 r10
#define fs_exit_may_be_traced(btf, regs)                                                   \
	({                                                                                 \
		long nr_ = fs_reg(btf, regs, orig_ax);                                     \
		nr_ >= 0 && nr_ < FS_MAX_SYSCALL && op_of[nr_];                            \
	})
#else
#error "fsfile.h: add this architecture's syscall argument registers"
#endif

#endif
