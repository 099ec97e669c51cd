/* Block device names; see blockdev.h. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "lib/blockdev.h"

const char *blockdev_name(uint32_t kdev, char *buf, size_t size)
{
	char path[64], target[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u", kdev_major(kdev), kdev_minor(kdev));
	n = readlink(path, target, sizeof(target) - 1);
	if (n > 0) {
		target[n] = 0;
		const char *base = strrchr(target, '/');
		snprintf(buf, size, "%s", base ? base + 1 : target);
	} else {
		snprintf(buf, size, "%u:%u", kdev_major(kdev), kdev_minor(kdev));
	}
	return buf;
}
