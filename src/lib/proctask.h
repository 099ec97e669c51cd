/* Naming a process for a report: its command line from /proc/PID/cmdline. */
#ifndef WHYSLOW_PROCTASK_H
#define WHYSLOW_PROCTASK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Turns the NUL-separated arguments of a cmdline file (len bytes) into one line with
 * spaces, in place; trailing NULs dropped. Pure, for tests. Returns the new length. */
size_t proctask_join_args(char *buf, size_t len);
/* The command line of pid ("cat /proc/42/smaps") into buf; "" if the process is gone or
 * is a kernel thread. Returns buf. */
char *proctask_cmdline(pid_t pid, char *buf, size_t size);
/* The name (comm) of process pid, or of its thread tid when tid is not 0, into buf (cut
 * to size-1 bytes, no newline). False, buf untouched, when it is gone. */
bool proctask_comm(pid_t pid, pid_t tid, char *buf, size_t size);

#endif
