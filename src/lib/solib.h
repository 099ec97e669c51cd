/* Shared libraries by short name ("c", "libc", "libpthread", "libc.so.6"), resolved the
 * way the dynamic linker and bcc do: the library a process has mapped, else the answer of
 * ld.so.cache (what `ldconfig -p` prints), else the standard library directories. Only
 * real ELF shared objects of this machine count: a development file such as
 * /usr/lib/x86_64-linux-gnu/libc.so is a text linker script, not something to probe. */
#ifndef WHYSLOW_SOLIB_H
#define WHYSLOW_SOLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* True if path is an ELF shared object (ET_DYN) of this machine's class and
 * architecture: false for linker scripts, 32-bit libraries on a 64-bit host, etc. */
bool solib_is_shared_object(const char *path);

/* "c" -> "libc", "libc" -> "libc", "libc.so.6" -> "libc.so.6". False if too long. */
bool solib_lib_name(const char *name, char *lib, size_t size);

/* Looks lib ("libc") up in an ld.so.cache file (glibc's format, with or without the old
 * ld.so-1.7.0 prefix). Fills out with the real path of the first matching entry that is a
 * shared object of this machine. */
bool solib_find_in_cache(const char *cache_path, const char *lib, char *out, size_t size);

/* Looks lib up in dirs (NULL-terminated): DIR/lib.so.N first, then DIR/lib.so, each only
 * if it is a shared object of this machine. Fills out with the real path. */
bool solib_find_in_dirs(const char *const *dirs, const char *lib, char *out, size_t size);

/* Looks lib up among the files mapped by process pid (/proc/PID/maps). */
bool solib_find_in_process(pid_t pid, const char *lib, char *out, size_t size);

/* All of the above in order: the process's mapping (if pid > 0), /etc/ld.so.cache, the
 * standard directories. */
bool solib_find(const char *name, pid_t pid, char *out, size_t size);

#endif
