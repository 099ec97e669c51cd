/* Syscall and errno names; see syscalls.h. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "lib/syscalls.h"

#define UNISTD_PATH "/usr/include/" MULTIARCH_DIR "/asm/unistd_64.h"
#if defined(__x86_64__)
#define MULTIARCH_DIR "x86_64-linux-gnu"
#elif defined(__aarch64__)
#define MULTIARCH_DIR "aarch64-linux-gnu"
#else
#define MULTIARCH_DIR "."
#endif

#define ERRNO_MAX 4095

/* One line "#define __NR_name nr"; anything else is skipped. */
static bool parse_define(const char *line, const char *end, char *name, size_t size, long *nr)
{
	static const char prefix[] = "#define __NR_";
	const char *p = line, *start;
	size_t n;

	if ((size_t)(end - p) < sizeof(prefix) - 1 || memcmp(p, prefix, sizeof(prefix) - 1))
		return false;
	p += sizeof(prefix) - 1;
	for (start = p; p < end && (isalnum((unsigned char)*p) || *p == '_'); p++)
		;
	n = p - start;
	if (!n || n >= size || p >= end || (*p != ' ' && *p != '\t'))
		return false;
	memcpy(name, start, n);
	name[n] = 0;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p >= end || !isdigit((unsigned char)*p))
		return false; /* e.g. "#define __NR_foo (__NR_bar + 1)": not a plain number */
	/* digits up to end by hand: text is not NUL-terminated (strtol would read on) */
	for (*nr = 0; p < end && isdigit((unsigned char)*p); p++) {
		if (*nr > 100000)
			return false; /* no syscall number is that large */
		*nr = *nr * 10 + (*p - '0');
	}
	return true;
}

unsigned syscall_names_parse(struct syscall_names *sn, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	char name[64];
	long nr;

	while (p < end) {
		const char *eol = memchr(p, '\n', end - p);

		if (!eol)
			eol = end;
		if (parse_define(p, eol, name, sizeof(name), &nr) && nr >= 0 && nr < SYSCALL_NR_MAX &&
		    !sn->names[nr]) {
			sn->names[nr] = strdup(name);
			if (sn->names[nr])
				sn->count++;
		}
		p = eol + 1;
	}
	return sn->count;
}

unsigned syscall_names_load(struct syscall_names *sn)
{
	const char *path = getenv("WHYSLOW_UNISTD");
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	memset(sn, 0, sizeof(*sn));
	f = fopen(path ? path : UNISTD_PATH, "r");
	if (!f)
		return 0;
	if ((buf = malloc(1 << 20))) {
		len = fread(buf, 1, 1 << 20, f);
		syscall_names_parse(sn, buf, len);
	}
	fclose(f);
	free(buf);
	return sn->count;
}

void syscall_names_free(struct syscall_names *sn)
{
	for (unsigned i = 0; i < SYSCALL_NR_MAX; i++)
		free(sn->names[i]);
	memset(sn, 0, sizeof(*sn));
}

const char *syscall_name(const struct syscall_names *sn, long nr, char *buf, size_t size)
{
	if (nr >= 0 && nr < SYSCALL_NR_MAX && sn->names[nr])
		return sn->names[nr];
	snprintf(buf, size, "syscall_%ld", nr);
	return buf;
}

long syscall_nr(const struct syscall_names *sn, const char *name)
{
	char *end;
	long nr;

	if (!strncmp(name, "sys_", 4))
		name += 4;
	if (!strncmp(name, "syscall_", 8)) {
		nr = strtol(name + 8, &end, 10);
		return (*end || end == name + 8 || nr < 0 || nr >= SYSCALL_NR_MAX) ? -1 : nr;
	}
	for (long i = 0; i < SYSCALL_NR_MAX; i++)
		if (sn->names[i] && !strcmp(sn->names[i], name))
			return i;
	return -1;
}

const char *errno_name(int err, char *buf, size_t size)
{
	const char *name = err > 0 ? strerrorname_np(err) : NULL;

	if (name)
		return name;
	snprintf(buf, size, "errno_%d", err);
	return buf;
}

int errno_parse(const char *s)
{
	char *end;
	long n;

	if (*s == '-')
		s++;
	if (isdigit((unsigned char)*s)) {
		n = strtol(s, &end, 10);
		return (*end || n < 1 || n > ERRNO_MAX) ? -1 : (int)n;
	}
	if (!strncasecmp(s, "errno_", 6)) {
		n = strtol(s + 6, &end, 10);
		return (*end || end == s + 6 || n < 1 || n > ERRNO_MAX) ? -1 : (int)n;
	}
	for (int e = 1; e <= ERRNO_MAX; e++) {
		const char *name = strerrorname_np(e);

		if (name && !strcasecmp(name, s))
			return e;
	}
	return -1;
}
