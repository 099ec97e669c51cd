/* Whether a traced process is still there, so that commands given -p PID can end with
 * a clear line when it exits instead of tracing nothing. */
#ifndef WHYSLOW_PIDWATCH_H
#define WHYSLOW_PIDWATCH_H

#include <stdbool.h>
#include <sys/types.h>

/* True if pid > 0 and no such process exists any more (zombies count as gone). */
bool pid_gone(pid_t pid);

#endif
