/* See pidwatch.h. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "lib/cli.h"
#include "lib/pidwatch.h"

bool pid_gone(pid_t pid)
{
	char path[64], buf[512], *state;
	FILE *f;
	size_t n;

	if (pid <= 0)
		return false;
	if (kill(pid, 0) != 0 && errno == ESRCH)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "r")))
		return true;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	/* "pid (comm) S ...": the state follows the last ')' since comm may hold one */
	state = strrchr(buf, ')');
	return state && state[1] == ' ' && (state[2] == 'Z' || state[2] == 'X');
}

bool pidwatch_stop_if_gone(pid_t pid)
{
	if (!pid_gone(pid))
		return false;
	cli_warn("process %d exited: stopping", (int)pid);
	cli_stop = 1;
	return true;
}

int pidwatch_sleep(pid_t pid, int timeout_ms)
{
	struct timespec ts = {timeout_ms / 1000, (timeout_ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
	pidwatch_stop_if_gone(pid);
	return 0;
}
