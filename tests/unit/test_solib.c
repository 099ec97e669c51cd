/* Unit tests of short library names (src/lib/solib.c) on a fake library directory built
 * in a temporary folder: a linker-script libfoo.so beside an ELF libfoo.so.1, as
 * libc6-dev's libc.so stands beside libc.so.6, and fake ld.so.cache files. */
#include <elf.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>
#include "unit.h"
#include "lib/solib.h"

struct fake_libdir {
	char dir[64];
	char path[8][PATH_MAX];
	int n;
};

static bool write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	bool ok = f && fwrite(data, 1, len, f) == len;

	if (f)
		ok = !fclose(f) && ok;
	return ok;
}

/* An ELF header of this machine (taken from the test binary) turned into a shared object,
 * optionally of the other class (a 32-bit library on a 64-bit host). */
static bool write_elf(const char *path, bool other_class)
{
	unsigned char hdr[64] = {0};
	uint16_t type = ET_DYN;
	FILE *f = fopen("/proc/self/exe", "rb");
	bool ok = f && fread(hdr, 1, sizeof(hdr), f) == sizeof(hdr);

	if (f)
		fclose(f);
	if (!ok)
		return false;
	memcpy(hdr + EI_NIDENT, &type, 2);
	if (other_class)
		hdr[EI_CLASS] = hdr[EI_CLASS] == ELFCLASS64 ? ELFCLASS32 : ELFCLASS64;
	return write_file(path, hdr, sizeof(hdr));
}

static const char *libdir_add(struct fake_libdir *d, const char *name)
{
	char *p = d->path[d->n++];
	size_t len = strlen(d->dir); /* copied by hand: gcc sees d->dir and p in one object */

	memcpy(p, d->dir, len);
	snprintf(p + len, PATH_MAX - len, "/%s", name);
	return p;
}

static bool libdir_make(struct fake_libdir *d)
{
	static const char script[] = "/* GNU ld script */\nGROUP ( libfoo.so.1 )\n";
	char *real;

	memset(d, 0, sizeof(*d));
	snprintf(d->dir, sizeof(d->dir), "/tmp/whyslow-unit-solib.XXXXXX");
	if (!mkdtemp(d->dir))
		return false;
	if (!(real = realpath(d->dir, NULL))) /* the answers are real paths */
		return false;
	snprintf(d->dir, sizeof(d->dir), "%s", real);
	free(real);
	return write_file(libdir_add(d, "libfoo.so"), script, sizeof(script) - 1) &&
	       write_elf(libdir_add(d, "libfoo.so.1"), false) &&
	       write_elf(libdir_add(d, "libfoobar.so.2"), false) &&
	       write_elf(libdir_add(d, "libwide.so.1"), true) &&
	       write_file(libdir_add(d, "libscript.so"), script, sizeof(script) - 1);
}

static void libdir_remove(struct fake_libdir *d)
{
	for (int i = 0; i < d->n; i++)
		unlink(d->path[i]);
	rmdir(d->dir);
}

/* A new-format ld.so.cache: header, entries {flags, key, value, osversion, hwcap}, strings;
 * with old_prefix, an old-format part with no entries in front. */
static size_t make_cache(char *buf, size_t size, bool old_prefix, const char *const *pairs,
			 uint32_t n)
{
	size_t base = old_prefix ? 16 : 0, hdr = 48, entry = 24;
	size_t str = base + hdr + n * entry;

	memset(buf, 0, size);
	if (old_prefix)
		memcpy(buf, "ld.so-1.7.0", 11); /* nlibs 0 at offset 12 */
	memcpy(buf + base, "glibc-ld.so.cache1.1", 20);
	memcpy(buf + base + 20, &n, 4);
	for (uint32_t i = 0; i < n; i++) {
		char *e = buf + base + hdr + i * entry;
		int32_t flags = 0x0303;
		uint32_t key, value;

		for (int k = 0; k < 2; k++) {
			uint32_t off = (uint32_t)(str - base);
			str += (size_t)snprintf(buf + str, size - str, "%s", pairs[2 * i + k]) + 1;
			*(k ? &value : &key) = off;
		}
		memcpy(e, &flags, 4);
		memcpy(e + 4, &key, 4);
		memcpy(e + 8, &value, 4);
	}
	return str;
}

TEST(solib_lib_names)
{
	char lib[32];

	CHECK(solib_lib_name("c", lib, sizeof(lib)) && !strcmp(lib, "libc"));
	CHECK(solib_lib_name("libpthread", lib, sizeof(lib)) && !strcmp(lib, "libpthread"));
	CHECK(solib_lib_name("libc.so.6", lib, sizeof(lib)) && !strcmp(lib, "libc.so.6"));
	CHECK(!solib_lib_name("a/b", lib, sizeof(lib)));
	CHECK(!solib_lib_name("averyveryveryveryverylongname", lib, 16));
}

TEST(solib_dirs_skip_linker_scripts)
{
	struct fake_libdir d;
	char out[PATH_MAX];

	if (!libdir_make(&d)) {
		UNIT_FAIL("cannot build the fake library directory in /tmp");
		libdir_remove(&d);
		return;
	}
	const char *const dirs[] = {"/nonexistent", d.dir, NULL};

	CHECK(!solib_is_shared_object(d.path[0]));  /* the linker script */
	CHECK(solib_is_shared_object(d.path[1]));   /* libfoo.so.1 */
	CHECK(!solib_is_shared_object(d.path[3]));  /* the other class */
	CHECK(!solib_is_shared_object("/nonexistent"));
	out[0] = 0;
	CHECK(solib_find_in_dirs(dirs, "libfoo", out, sizeof(out)));
	CHECK(!strcmp(out, d.path[1]));
	if (strcmp(out, d.path[1]))
		UNIT_FAIL("libfoo resolved to '%s'", out);
	CHECK(solib_find_in_dirs(dirs, "libfoo.so.1", out, sizeof(out)) && !strcmp(out, d.path[1]));
	CHECK(solib_find_in_dirs(dirs, "libfoobar", out, sizeof(out)) && !strcmp(out, d.path[2]));
	CHECK(!solib_find_in_dirs(dirs, "libscript", out, sizeof(out))); /* a script only */
	CHECK(!solib_find_in_dirs(dirs, "libwide", out, sizeof(out)));   /* the other class */
	CHECK(!solib_find_in_dirs(dirs, "libfo", out, sizeof(out)));     /* no prefix matches */
	CHECK(!solib_find_in_dirs(dirs, "libnone", out, sizeof(out)));
	libdir_remove(&d);
}

TEST(solib_ld_so_cache)
{
	struct fake_libdir d;
	char out[PATH_MAX], cache[PATH_MAX], buf[4096];
	size_t len;

	if (!libdir_make(&d)) {
		UNIT_FAIL("cannot build the fake library directory in /tmp");
		libdir_remove(&d);
		return;
	}
	snprintf(cache, sizeof(cache), "%s", libdir_add(&d, "ld.so.cache"));
	/* the linker script listed first, as ldconfig lists a dev symlink beside the soname */
	const char *const pairs[] = {"libfoobar.so.2", d.path[2], "libfoo.so", d.path[0],
				     "libfoo.so.1", d.path[1], "libwide.so.1", d.path[3]};
	for (int old = 0; old < 2; old++) {
		len = make_cache(buf, sizeof(buf), old, pairs, 4);
		CHECK(write_file(cache, buf, len));
		out[0] = 0;
		CHECK(solib_find_in_cache(cache, "libfoo", out, sizeof(out)));
		if (strcmp(out, d.path[1]))
			UNIT_FAIL("libfoo resolved to '%s' (old prefix %d)", out, old);
		CHECK(solib_find_in_cache(cache, "libfoobar", out, sizeof(out)) && !strcmp(out, d.path[2]));
		CHECK(!solib_find_in_cache(cache, "libwide", out, sizeof(out)));
		CHECK(!solib_find_in_cache(cache, "libnone", out, sizeof(out)));
	}
	/* truncated in the entries, in the header, and not a cache: no answer, no crash */
	for (size_t cut = 0; cut < 120; cut += 7) {
		CHECK(write_file(cache, buf, cut));
		CHECK(!solib_find_in_cache(cache, "libfoo", out, sizeof(out)));
	}
	CHECK(write_file(cache, "hello", 5));
	CHECK(!solib_find_in_cache(cache, "libfoo", out, sizeof(out)));
	CHECK(!solib_find_in_cache("/nonexistent/ld.so.cache", "libfoo", out, sizeof(out)));
	libdir_remove(&d);
}
