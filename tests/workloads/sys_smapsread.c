/* Test workload for mmaplock (case C5): reads /proc/PID/smaps in a loop for SECONDS, as a
 * monitoring agent would, and prints "reads N".
 * usage: sys_smapsread PID SECONDS */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static char buf[1 << 16];
	char path[64];
	time_t end;
	long reads = 0;

	if (argc < 3)
		return 2;
	snprintf(path, sizeof(path), "/proc/%s/smaps", argv[1]);
	end = time(NULL) + atoi(argv[2]);
	while (time(NULL) < end) {
		int fd = open(path, O_RDONLY);
		if (fd < 0)
			break;
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
		reads++;
	}
	printf("reads %ld\n", reads);
	return 0;
}
