/* Layouts shared by sigsnoop's kernel and user sides, and its collector API. */
#ifndef WHYSLOW_SIGSNOOP_H
#define WHYSLOW_SIGSNOOP_H

/* result: the kernel's enum trace_signal_result for generated signals, or SIGSNOOP_FAILED
 * for a kill/tkill/tgkill syscall that failed (err then holds its errno). */
#define SIGSNOOP_FAILED 100

struct sigsnoop_event {
	__u64 ts_ns;
	__u32 sender_pid, sender_tid;  /* current when the signal was generated */
	__u32 target_pid, target_tid;  /* tgid and tid of the receiving task */
	__s32 sig;
	__s32 code;   /* si_code: SI_USER 0, SI_TKILL -6, SI_KERNEL 0x80, ... */
	__s32 result;
	__s32 err;
	char sender_comm[16];
	char target_comm[16];
};

#ifndef __bpf__
#include <stdbool.h>
#include <sys/types.h>

struct sigsnoop_bpf;
struct ring_buffer;

struct sigsnoop_opts {
	pid_t pid;        /* -p: sender process (0: any) */
	pid_t target;     /* --target: receiving process (0: any) */
	int sig;          /* -s (0: any) */
	bool failed_only; /* -x */
	bool kill_only;   /* -k: signals sent by kill/tkill/tgkill only (needs their tracepoints) */
};
typedef void (*sigsnoop_fn)(const struct sigsnoop_event *e, void *ctx);
struct sigsnoop_collector {
	struct sigsnoop_opts opts;
	struct sigsnoop_bpf *skel;
	struct ring_buffer *rb;
	sigsnoop_fn fn;
	void *ctx;
	bool syscall_failures; /* the kill syscalls' tracepoints exist and are attached */
};
/* Opens, attaches, and calls fn for each event during sigsnoop_poll. Returns 0, or prints
 * one line and returns EXIT_RUNTIME. */
int sigsnoop_open(struct sigsnoop_collector *sc, const struct sigsnoop_opts *opts,
		  sigsnoop_fn fn, void *ctx);
int sigsnoop_poll(struct sigsnoop_collector *sc, int timeout_ms); /* < 0 on error */
uint64_t sigsnoop_lost(struct sigsnoop_collector *sc);
void sigsnoop_close(struct sigsnoop_collector *sc);
/* "delivered", "ignored", "already pending", "overflow", "lost info", "failed" */
const char *sigsnoop_result_name(int result);
#endif

#endif
