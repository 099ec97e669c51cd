/* Shared libraries by short name; see solib.h. */
#include <elf.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lib/solib.h"

#if defined(__x86_64__)
#define SOLIB_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define SOLIB_MACHINE EM_AARCH64
#elif defined(__i386__)
#define SOLIB_MACHINE EM_386
#elif defined(__arm__)
#define SOLIB_MACHINE EM_ARM
#elif defined(__riscv)
#define SOLIB_MACHINE EM_RISCV
#elif defined(__powerpc64__)
#define SOLIB_MACHINE EM_PPC64
#elif defined(__s390x__)
#define SOLIB_MACHINE EM_S390
#else
#define SOLIB_MACHINE EM_NONE /* unknown here: accept any machine */
#endif

bool solib_is_shared_object(const char *path)
{
	/* e_type and e_machine sit at the same offsets in 32- and 64-bit headers */
	unsigned char ident[EI_NIDENT + 4];
	uint16_t type, machine;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, ident, sizeof(ident));
	close(fd);
	if (n != (ssize_t)sizeof(ident) || memcmp(ident, ELFMAG, SELFMAG))
		return false;
	if (ident[EI_CLASS] != (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32) ||
	    ident[EI_DATA] != (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB : ELFDATA2MSB))
		return false;
	memcpy(&type, ident + EI_NIDENT, 2);
	memcpy(&machine, ident + EI_NIDENT + 2, 2);
	return type == ET_DYN && (SOLIB_MACHINE == EM_NONE || machine == SOLIB_MACHINE);
}

bool solib_lib_name(const char *name, char *lib, size_t size)
{
	const char *prefix = strncmp(name, "lib", 3) ? "lib" : "";

	return !strchr(name, '/') && (size_t)snprintf(lib, size, "%s%s", prefix, name) < size;
}

/* "libc.so.6" and "libc.so" are libc; "libcrypto.so.3" and "libc-client.so" are not. */
static bool is_soname_of(const char *base, const char *lib)
{
	size_t len = strlen(lib);

	if (strncmp(base, lib, len))
		return false;
	base += len;
	return !*base || (!strncmp(base, ".so", 3) && (!base[3] || base[3] == '.'));
}

static bool take_if_shared_object(const char *path, char *out, size_t size)
{
	char real[PATH_MAX];

	if (!realpath(path, real) || !solib_is_shared_object(real) ||
	    (size_t)snprintf(out, size, "%s", real) >= size)
		return false;
	return true;
}

/* glibc's ld.so.cache (elf/dl-cache.h): an optional old-format part, then this header,
 * entries, and strings; string offsets count from the start of this header. */
#define CACHE_MAGIC_OLD "ld.so-1.7.0"
#define CACHE_MAGIC_NEW "glibc-ld.so.cache1.1"
struct cache_header {
	char magic[20]; /* CACHE_MAGIC_NEW, without its NUL */
	uint32_t nlibs;
	uint32_t len_strings;
	uint8_t flags;
	uint8_t padding[3];
	uint32_t extension_offset;
	uint32_t unused[3];
};
struct cache_entry {
	int32_t flags;
	uint32_t key, value; /* string offsets: the soname and the path */
	uint32_t osversion;
	uint64_t hwcap;
};

static char *read_small_file(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf;

	if (!f)
		return NULL;
	if (!(buf = malloc(max))) {
		fclose(f);
		return NULL;
	}
	*len = fread(buf, 1, max, f);
	fclose(f);
	return buf;
}

/* Offset of the new-format header in a cache of len bytes, or -1. */
static long cache_header_offset(const char *buf, size_t len)
{
	size_t off = 0;

	if (len >= 16 && !memcmp(buf, CACHE_MAGIC_OLD, sizeof(CACHE_MAGIC_OLD) - 1)) {
		uint32_t nlibs_old;

		memcpy(&nlibs_old, buf + 12, 4);
		if (nlibs_old > len / 12)
			return -1;
		off = 16 + (size_t)nlibs_old * 12; /* entries of {flags, key, value} */
		off = (off + 7) & ~(size_t)7;     /* the new part is aligned like its entries */
	}
	if (off + sizeof(struct cache_header) > len ||
	    memcmp(buf + off, CACHE_MAGIC_NEW, sizeof(CACHE_MAGIC_NEW) - 1))
		return -1;
	return (long)off;
}

bool solib_find_in_cache(const char *cache_path, const char *lib, char *out, size_t size)
{
	size_t len = 0;
	char *buf = read_small_file(cache_path, 64 << 20, &len);
	struct cache_header h;
	bool found = false;
	long off;

	if (!buf)
		return false;
	if ((off = cache_header_offset(buf, len)) < 0)
		goto out;
	memcpy(&h, buf + off, sizeof(h));
	const char *base = buf + off;
	size_t avail = len - (size_t)off;
	if (h.nlibs > (avail - sizeof(h)) / sizeof(struct cache_entry))
		goto out;
	for (uint32_t i = 0; i < h.nlibs && !found; i++) {
		struct cache_entry e;

		memcpy(&e, base + sizeof(h) + i * sizeof(e), sizeof(e));
		if (e.key >= avail || e.value >= avail ||
		    !memchr(base + e.key, 0, avail - e.key) || !memchr(base + e.value, 0, avail - e.value))
			continue; /* a truncated or damaged entry */
		if (is_soname_of(base + e.key, lib))
			found = take_if_shared_object(base + e.value, out, size);
	}
out:
	free(buf);
	return found;
}

bool solib_find_in_dirs(const char *const *dirs, const char *lib, char *out, size_t size)
{
	for (int i = 0; dirs[i]; i++) {
		char pattern[PATH_MAX];
		glob_t g;
		bool found = false;

		if ((size_t)snprintf(pattern, sizeof(pattern), "%s/%s", dirs[i], lib) >= sizeof(pattern))
			continue;
		if (strstr(lib, ".so") && take_if_shared_object(pattern, out, size))
			return true; /* a full soname, "libc.so.6" */
		snprintf(pattern, sizeof(pattern), "%s/%s.so*", dirs[i], lib);
		if (glob(pattern, 0, NULL, &g) != 0) {
			globfree(&g);
			continue;
		}
		/* the runtime library (lib.so.N) first; lib.so is often a linker script */
		for (size_t k = 0; k < g.gl_pathc && !found; k++)
			found = strstr(strrchr(g.gl_pathv[k], '/'), ".so.") &&
				is_soname_of(strrchr(g.gl_pathv[k], '/') + 1, lib) &&
				take_if_shared_object(g.gl_pathv[k], out, size);
		for (size_t k = 0; k < g.gl_pathc && !found; k++)
			found = is_soname_of(strrchr(g.gl_pathv[k], '/') + 1, lib) &&
				take_if_shared_object(g.gl_pathv[k], out, size);
		globfree(&g);
		if (found)
			return true;
	}
	return false;
}

bool solib_find_in_process(pid_t pid, const char *lib, char *out, size_t size)
{
	char maps[64], line[PATH_MAX + 128];
	size_t len = strlen(lib);
	FILE *f;

	snprintf(maps, sizeof(maps), "/proc/%d/maps", (int)pid);
	if (!(f = fopen(maps, "re")))
		return false;
	while (fgets(line, sizeof(line), f)) {
		char *path = strchr(line, '/'), *base;

		if (!path)
			continue;
		path[strcspn(path, "\n")] = 0;
		base = strrchr(path, '/') + 1;
		/* libc.so.6, and the older libc-2.31.so */
		if (!strncmp(base, lib, len) && (base[len] == '.' || base[len] == '-')) {
			fclose(f);
			return (size_t)snprintf(out, size, "%s", path) < size;
		}
	}
	fclose(f);
	return false;
}

bool solib_find(const char *name, pid_t pid, char *out, size_t size)
{
	static const char *const dirs[] = {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
					   "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
					   "/lib64", "/usr/lib64", "/lib", "/usr/lib",
					   "/usr/local/lib", NULL};
	char lib[128];

	if (!solib_lib_name(name, lib, sizeof(lib)))
		return false;
	return (pid > 0 && solib_find_in_process(pid, lib, out, size)) ||
	       solib_find_in_cache("/etc/ld.so.cache", lib, out, size) ||
	       solib_find_in_dirs(dirs, lib, out, size);
}
