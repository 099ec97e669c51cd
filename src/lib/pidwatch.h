/* Whether a traced process is still there, so that commands given -p PID can end with
 * a clear line when it exits instead of tracing nothing. */
#ifndef WHYSLOW_PIDWATCH_H
#define WHYSLOW_PIDWATCH_H

#include <stdbool.h>
#include <sys/types.h>

/* True if pid > 0 and no such process exists any more (zombies count as gone). */
bool pid_gone(pid_t pid);

/* If pid (> 0) has exited: warns "process PID exited: stopping" and sets cli_stop, so
 * the interval loop ends normally with a last tick. Returns true if it did. */
bool pidwatch_stop_if_gone(pid_t pid);

/* For a cli_loop_ops.poll of commands without a ring buffer: sleeps timeout_ms, then
 * pidwatch_stop_if_gone(pid). Returns 0. */
int pidwatch_sleep(pid_t pid, int timeout_ms);

#endif
