/* Naming a process for a report; see proctask.h. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "lib/proctask.h"

size_t proctask_join_args(char *buf, size_t len)
{
	while (len && !buf[len - 1])
		len--;
	for (size_t i = 0; i < len; i++)
		if (!buf[i])
			buf[i] = ' ';
	buf[len] = 0;
	return len;
}

char *proctask_cmdline(pid_t pid, char *buf, size_t size)
{
	char path[64];
	ssize_t n = 0;
	int fd;

	buf[0] = 0;
	if (size < 2)
		return buf;
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return buf;
	n = read(fd, buf, size - 1);
	close(fd);
	proctask_join_args(buf, n > 0 ? (size_t)n : 0);
	return buf;
}

bool proctask_comm(pid_t pid, pid_t tid, char *buf, size_t size)
{
	char path[64], line[64];
	FILE *f;
	bool ok;

	if (tid)
		snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)pid, (int)tid);
	else
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if (!size || !(f = fopen(path, "r")))
		return false;
	if ((ok = fgets(line, sizeof(line), f) != NULL)) {
		size_t n = strcspn(line, "\n");

		n = n < size - 1 ? n : size - 1;
		memcpy(buf, line, n);
		buf[n] = '\0';
	}
	fclose(f);
	return ok;
}
