/* Test workload for errsnoop/syscount (case C7): mounts N tmpfs instances on DIR/m0..,
 * with mount(2) itself (not util-linux, whose new mount API may use other syscalls), and
 * prints "mounted M failed F errno E". Run it in a private mount namespace.
 * usage: sys_mounter DIR N */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>

int main(int argc, char **argv)
{
	int n, mounted = 0, failed = 0, last_errno = 0;
	char path[4096];

	if (argc < 3)
		return 2;
	n = atoi(argv[2]);
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/m%d", argv[1], i);
		mkdir(path, 0700);
		if (mount("none", path, "tmpfs", 0, "size=64k") == 0) {
			mounted++;
		} else {
			failed++;
			last_errno = errno;
		}
	}
	printf("mounted %d failed %d errno %d\n", mounted, failed, last_errno);
	return 0;
}
