/* Syscall and errno names from the system itself, not from a hand-typed table: syscall
 * numbers from the installed kernel headers (asm/unistd_64.h of linux-libc-dev), errno
 * names from glibc (strerrorname_np). Numbers without a name print as "syscall_N" or
 * "errno_N", so a new kernel's syscalls still show. */
#ifndef WHYSLOW_SYSCALLS_H
#define WHYSLOW_SYSCALLS_H

#include <stdbool.h>
#include <stddef.h>

/* Highest syscall number kept (x86-64 ends near 470; room for growth). */
#define SYSCALL_NR_MAX 1024

struct syscall_names {
	char *names[SYSCALL_NR_MAX]; /* NULL where unknown */
	unsigned count;              /* names found */
};

/* Parses "#define __NR_<name> <nr>" lines (a unistd header). Pure, for tests. Returns the
 * number of names found. */
unsigned syscall_names_parse(struct syscall_names *sn, const char *text, size_t len);
/* Loads the system's header (WHYSLOW_UNISTD overrides the path). Returns the number of
 * names (0 if the header is missing: names fall back to syscall_N). */
unsigned syscall_names_load(struct syscall_names *sn);
void syscall_names_free(struct syscall_names *sn);
/* Name of nr: the system's, or "syscall_<nr>" written into buf. */
const char *syscall_name(const struct syscall_names *sn, long nr, char *buf, size_t size);
/* Number of a syscall by name ("mount", also "sys_mount" or "syscall_165"), -1 if none. */
long syscall_nr(const struct syscall_names *sn, const char *name);

/* "ENOSPC" for 28, from glibc; "errno_N" into buf if glibc has no name. */
const char *errno_name(int err, char *buf, size_t size);
/* An errno by name ("ENOSPC", case-insensitive, "-ENOSPC" too) or number (1..4095);
 * -1 if neither. Names are found by asking glibc for every number. */
int errno_parse(const char *s);

#endif
