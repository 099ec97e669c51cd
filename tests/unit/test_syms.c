/* Symbolization: kallsyms and maps parsing on fixtures, ELF symbols of the symtest
 * workload checked against nm, and user addresses of live processes (this one, a symtest
 * child, a deleted binary, a gone PID, a perf map). */
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "unit.h"
#include "lib/syms.h"

/* ---- kernel symbols ---- */

static struct ksyms *fixture_ksyms(void)
{
	size_t len;
	char *text = unit_read_fixture("kallsyms.txt", &len);
	struct ksyms *ks = text ? ksyms_parse(text, len) : NULL;

	free(text);
	return ks;
}

TEST(syms_ksyms_parse_fixture)
{
	struct ksyms *ks = fixture_ksyms();
	struct sym s;

	CHECK(ks != NULL);
	if (!ks)
		return;
	CHECK_EQ_U64(ksyms_count(ks), 10); /* one line is not a symbol, one is empty */
	/* exact start; of two names for one address the first listed wins */
	CHECK(ksyms_lookup(ks, 0xffffffff81000000, &s));
	CHECK_STR(s.name, "_stext");
	CHECK_EQ_U64(s.offset, 0);
	CHECK(s.module == NULL);
	/* inside */
	CHECK(ksyms_lookup(ks, 0xffffffff81001234, &s));
	CHECK_STR(s.name, "schedule");
	CHECK_EQ_U64(s.offset, 0x34);
	CHECK(ksyms_lookup(ks, 0xffffffff81000fff, &s));
	CHECK_STR(s.name, "early_helper");
	/* before the first symbol */
	CHECK(!ksyms_lookup(ks, 0xffffffff80ffffff, &s));
	CHECK(s.name == NULL);
	/* modules, listed out of address order in the text */
	CHECK(ksyms_lookup(ks, 0xffffffffc0000600, &s));
	CHECK_STR(s.name, "ext4_file_open");
	CHECK_STR(s.module, "[ext4]");
	CHECK(ksyms_lookup(ks, 0xffffffffc0001000, &s));
	CHECK_STR(s.name, "ext4_read_folio");
	/* after the last: near it resolves, far beyond does not */
	CHECK(ksyms_lookup(ks, 0xffffffffc0002010, &s));
	CHECK_STR(s.name, "xfs_log_force");
	CHECK_STR(s.module, "[xfs]");
	CHECK_EQ_U64(s.offset, 0x10);
	CHECK(!ksyms_lookup(ks, 0xffffffffc0002000 + (1 << 20), &s));
	/* a region's last symbol does not reach far into the gap before the next region
	 * (code kallsyms has not listed: a BPF program loaded after it was read) */
	CHECK(!ksyms_lookup(ks, 0xffffffffa0000000, &s));
	CHECK(!ksyms_lookup(ks, 0xffffffffc0000000 - 1, &s));
	/* by name */
	CHECK_EQ_U64(ksyms_addr(ks, "schedule"), 0xffffffff81001200);
	CHECK_EQ_U64(ksyms_addr(ks, "__schedule_alias"), 0xffffffff81001200);
	CHECK_EQ_U64(ksyms_addr(ks, "xfs_log_force"), 0xffffffffc0002000);
	CHECK_EQ_U64(ksyms_addr(ks, "no_such_symbol"), 0);
	ksyms_free(ks);
}

TEST(syms_ksyms_parse_edge_cases)
{
	/* kptr_restrict shows every address as zero: that is a failure, not a table */
	const char *hidden = "0000000000000000 T _stext\n0000000000000000 T schedule\n";
	const char *no_newline = "ffffffff81000000 T only_one";
	struct ksyms *ks;
	struct sym s;

	CHECK(ksyms_parse(hidden, strlen(hidden)) == NULL);
	CHECK(ksyms_parse("", 0) == NULL);
	ks = ksyms_parse(no_newline, strlen(no_newline));
	CHECK(ks && ksyms_count(ks) == 1);
	CHECK(ks && ksyms_lookup(ks, 0xffffffff81000004, &s));
	CHECK_STR(s.name, "only_one");
	ksyms_free(ks);
	ksyms_free(NULL);
}

static double elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1e3 + (t1.tv_nsec - t0->tv_nsec) / 1e6;
}

TEST(syms_ksyms_load_real)
{
	struct timespec t0;
	struct ksyms *ks;
	uint64_t addr;
	struct sym s;
	double ms;

	if (geteuid() != 0) {
		fprintf(stderr, "    skipped: kallsyms addresses need root\n");
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ks = ksyms_load();
	ms = elapsed_ms(&t0);
	CHECK(ks != NULL);
	if (!ks)
		return;
	fprintf(stderr, "    kallsyms: %zu symbols loaded in %.1f ms\n", ksyms_count(ks), ms);
	CHECK(ksyms_count(ks) > 1000);
	CHECK(ms < 1000); /* about 40 ms on the 2-core VM, most of it the kernel's */
	addr = ksyms_addr(ks, "vfs_read");
	CHECK(addr != 0);
	CHECK(ksyms_lookup(ks, addr + 1, &s));
	CHECK(s.name && ksyms_addr(ks, s.name) == addr);
	CHECK_EQ_U64(s.offset, 1);
	ksyms_free(ks);
}

/* ---- /proc/PID/maps ---- */

TEST(syms_maps_parse_fixture)
{
	size_t len;
	char *text = unit_read_fixture("maps.txt", &len);
	struct proc_maps *pm = text ? proc_maps_parse(text, len) : NULL;
	const struct proc_map *m;

	free(text); /* the parse keeps its own copy */
	CHECK(pm != NULL);
	if (!pm)
		return;
	CHECK_EQ_U64(pm->count, 10);
	m = &pm->maps[1];
	CHECK_STR(m->path, "/usr/bin/my prog");
	CHECK_EQ_U64(m->start, 0x55d4c8a02000);
	CHECK_EQ_U64(m->end, 0x55d4c8a08000);
	CHECK_EQ_U64(m->file_offset, 0x2000);
	CHECK_EQ_U64(m->dev_major, 0xfe);
	CHECK_EQ_U64(m->dev_minor, 1);
	CHECK_EQ_U64(m->inode, 1311770);
	CHECK_STR(m->perms, "r-xp");
	CHECK(!m->deleted);
	CHECK_STR(pm->maps[2].path, "[heap]");
	CHECK_STR(pm->maps[3].path, "");
	CHECK_EQ_U64(pm->maps[3].inode, 0);
	CHECK_STR(pm->maps[4].perms, "rwxp");
	CHECK_STR(pm->maps[6].path, "/tmp/old lib.so");
	CHECK(pm->maps[6].deleted);
	CHECK_STR(pm->maps[8].path, "[vdso]");
	CHECK_STR(pm->maps[9].path, "[vsyscall]");
	/* find: start is inside, end is not, gaps are nothing */
	CHECK_EQ_I64(proc_maps_find(pm, 0x55d4c8a02000), 1);
	CHECK_EQ_I64(proc_maps_find(pm, 0x55d4c8a07fff), 1);
	CHECK_EQ_I64(proc_maps_find(pm, 0x55d4c8a08000), -1);
	CHECK_EQ_I64(proc_maps_find(pm, 0x1000), -1);
	CHECK_EQ_I64(proc_maps_find(pm, 0x7f1e2f000800), 6);
	CHECK_EQ_I64(proc_maps_find(pm, 0xffffffffff600000), 9);
	CHECK_EQ_I64(proc_maps_find(pm, UINT64_MAX), -1);
	proc_maps_free(pm);
}

TEST(syms_maps_parse_edge_cases)
{
	const char *unsorted = "2000-3000 r-xp 0 00:00 0\n1000-2000 r-xp 0 00:00 0 /a\n"
			       "5000-4000 r-xp 0 00:00 0 /backwards\n";
	struct proc_maps *pm = proc_maps_parse(unsorted, strlen(unsorted));

	CHECK(pm && pm->count == 2);
	CHECK(pm && proc_maps_find(pm, 0x1800) == 0);
	CHECK(pm && proc_maps_find(pm, 0x2800) == 1);
	CHECK_STR(pm ? pm->maps[0].path : NULL, "/a");
	proc_maps_free(pm);
	pm = proc_maps_parse("", 0);
	CHECK(pm && pm->count == 0 && proc_maps_find(pm, 0) == -1);
	proc_maps_free(pm);
	/* a file whose name is just the suffix is not deleted */
	pm = proc_maps_parse("1000-2000 r-xp 0 00:00 7  (deleted)",
			     strlen("1000-2000 r-xp 0 00:00 7  (deleted)"));
	CHECK(pm && pm->count == 1 && !pm->maps[0].deleted);
	proc_maps_free(pm);
}

/* ---- ELF symbols ---- */

static const char *workload(const char *name)
{
	static char path[4096];
	const char *dir = getenv("WORKLOADS");

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "build/workloads", name);
	if (access(path, X_OK) != 0)
		UNIT_FAIL("%s is not built (make BUILD=... $BUILD/workloads/%s)", path, name);
	return path;
}

/* The address nm prints for a defined symbol, 0 if absent. */
static uint64_t nm_addr(const char *path, const char *name)
{
	char cmd[4200], line[512], sym_name[256];
	unsigned long long addr, found = 0;
	char type;
	FILE *nm;

	snprintf(cmd, sizeof(cmd), "nm --defined-only '%s' 2>/dev/null", path);
	if (!(nm = popen(cmd, "r")))
		return 0;
	while (fgets(line, sizeof(line), nm))
		if (sscanf(line, "%llx %c %255s", &addr, &type, sym_name) == 3 &&
		    strcmp(sym_name, name) == 0)
			found = addr;
	pclose(nm);
	return found;
}

static const char *const symtest_funcs[] = {"symtest_alpha", "symtest_beta", "symtest_local"};

TEST(syms_elf_symtest_matches_nm)
{
	const char *path = workload("symtest");
	struct elf_syms *es = elf_syms_open(path);
	struct sym s;

	CHECK(es != NULL);
	if (!es)
		return;
	CHECK(elf_syms_count(es) >= 3);
	for (size_t i = 0; i < 3; i++) {
		const char *name = symtest_funcs[i];
		uint64_t addr = elf_syms_addr(es, name), expected = nm_addr(path, name);

		CHECK(expected != 0);
		CHECK_EQ_U64(addr, expected);
		CHECK(elf_syms_lookup(es, addr, &s));
		CHECK_STR(s.name, name);
		CHECK_EQ_U64(s.offset, 0);
		CHECK(elf_syms_lookup(es, addr + 3, &s));
		CHECK_STR(s.name, name);
		CHECK_EQ_U64(s.offset, 3);
		CHECK_STR(s.module, path);
		CHECK(elf_syms_file_offset(es, name) > 0);
	}
	CHECK(!elf_syms_lookup(es, 1, &s));
	CHECK_EQ_U64(elf_syms_addr(es, "no_such_function"), 0);
	CHECK_EQ_I64(elf_syms_file_offset(es, "no_such_function"), -1);
	elf_syms_close(es);
}

__attribute__((noinline)) static int syms_self_target(int x)
{
	return x * 7 + 3;
}

/* The file offset for a uprobe must hold the function's code: compare the bytes in the
 * file with the bytes in memory. */
TEST(syms_elf_file_offset_holds_the_code)
{
	struct elf_syms *es = elf_syms_open("/proc/self/exe");
	unsigned char in_file[16];
	long offset;
	int fd;

	CHECK(es != NULL);
	offset = elf_syms_file_offset(es, "syms_self_target");
	CHECK(offset > 0);
	fd = open("/proc/self/exe", O_RDONLY);
	CHECK(fd >= 0 && pread(fd, in_file, sizeof(in_file), offset) == sizeof(in_file));
	CHECK(memcmp(in_file, (void *)syms_self_target, sizeof(in_file)) == 0);
	CHECK_EQ_I64(syms_self_target(1), 10);
	close(fd);
	elf_syms_close(es);
}

/* Writes the first len bytes of src to a temporary file; returns its path. */
static const char *truncated_copy(const char *src, size_t len)
{
	static char path[] = "/tmp/whyslow-syms-trunc.XXXXXX";
	char buf[8192];
	int in = open(src, O_RDONLY), out;
	ssize_t n = in >= 0 ? pread(in, buf, len < sizeof(buf) ? len : sizeof(buf), 0) : -1;

	strcpy(path, "/tmp/whyslow-syms-trunc.XXXXXX");
	out = mkstemp(path);
	if (out >= 0 && n > 0 && write(out, buf, (size_t)n) != n)
		UNIT_FAIL("write %s", path);
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return path;
}

TEST(syms_elf_bad_files)
{
	const char *path = workload("symtest");
	static const size_t cuts[] = {0, 10, 64, 200, 1000, 4096, 8192};
	struct sym s;

	CHECK(elf_syms_open("/nonexistent/file") == NULL);
	CHECK(elf_syms_open(unit_fixture("kallsyms.txt")) == NULL); /* not ELF */
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		const char *cut = truncated_copy(path, cuts[i]);
		struct elf_syms *es = elf_syms_open(cut);

		/* either nothing or a table; what matters is no crash */
		elf_syms_lookup(es, 0x1159, &s);
		elf_syms_close(es);
		unlink(cut);
	}
	CHECK(!elf_syms_lookup(NULL, 0x1000, &s));
}

/* ---- user addresses of processes ---- */

TEST(syms_usyms_self)
{
	struct usyms *us = usyms_new();
	void *libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
	/* from libc itself: in a non-PIE program &getpid may be a PLT stub in the program */
	void *getpid_in_libc = libc ? dlsym(libc, "getpid") : NULL;
	uint64_t vdso = getauxval(AT_SYSINFO_EHDR);
	struct sym s;

	CHECK(usyms_lookup(us, getpid(), (uint64_t)(uintptr_t)syms_self_target + 2, &s));
	CHECK_STR(s.name, "syms_self_target");
	CHECK_EQ_U64(s.offset, 2);
	CHECK(s.module && strstr(s.module, "unit"));
	CHECK(getpid_in_libc != NULL);
	CHECK(usyms_lookup(us, getpid(), (uint64_t)(uintptr_t)getpid_in_libc, &s));
	CHECK(s.name && strstr(s.name, "getpid"));
	CHECK(s.module && strstr(s.module, "libc"));
	CHECK_EQ_U64(s.offset, 0);
	if (vdso) {
		CHECK(!usyms_lookup(us, getpid(), vdso + 16, &s));
		CHECK_STR(s.module, "[vdso]");
	}
	CHECK(!usyms_lookup(us, getpid(), 16, &s));
	CHECK(s.name == NULL && s.module == NULL);
	usyms_forget_pid(us, getpid());
	CHECK(usyms_lookup(us, getpid(), (uint64_t)(uintptr_t)syms_self_target, &s));
	CHECK_STR(s.name, "syms_self_target");
	usyms_forget_pid(us, 999999999); /* never seen: nothing to do */
	if (libc)
		dlclose(libc);
	usyms_free(us);
}

TEST(syms_usyms_gone_pid)
{
	struct usyms *us = usyms_new();
	pid_t child = fork();
	struct sym s;

	if (child == 0)
		_exit(0);
	waitpid(child, NULL, 0);
	CHECK(!usyms_lookup(us, child, (uint64_t)(uintptr_t)syms_self_target, &s));
	CHECK(s.name == NULL);
	CHECK(!usyms_lookup(us, child, (uint64_t)(uintptr_t)syms_self_target, &s));
	usyms_free(us);
	usyms_free(NULL);
}

struct symtest_child {
	pid_t pid;
	int stdin_fd;
	uint64_t addrs[3];
};

/* Starts symtest (from path) and reads the addresses of its functions. */
static bool symtest_start(const char *path, struct symtest_child *c)
{
	int to_child[2], from_child[2];
	char line[256], name[64];
	unsigned long long addr;
	FILE *out;
	int found = 0;

	if (pipe(to_child) || pipe(from_child))
		return false;
	c->pid = fork();
	if (c->pid == 0) {
		dup2(to_child[0], 0);
		dup2(from_child[1], 1);
		close(to_child[1]);
		close(from_child[0]);
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	close(to_child[0]);
	close(from_child[1]);
	c->stdin_fd = to_child[1];
	out = fdopen(from_child[0], "r");
	while (found < 3 && out && fgets(line, sizeof(line), out))
		for (int i = 0; i < 3; i++)
			if (sscanf(line, "%63s %llx", name, &addr) == 2 &&
			    strcmp(name, symtest_funcs[i]) == 0) {
				c->addrs[i] = addr;
				found++;
			}
	if (out)
		fclose(out);
	return c->pid > 0 && found == 3;
}

static void symtest_stop(struct symtest_child *c)
{
	close(c->stdin_fd);
	if (c->pid > 0)
		waitpid(c->pid, NULL, 0);
}

/* Resolves symtest's three functions in the child, one byte into each. */
static void check_symtest_child(struct usyms *us, const struct symtest_child *c,
				const char *module_part)
{
	struct sym s;

	for (int i = 0; i < 3; i++) {
		CHECK(usyms_lookup(us, c->pid, c->addrs[i] + 1, &s));
		CHECK_STR(s.name, symtest_funcs[i]);
		CHECK_EQ_U64(s.offset, 1);
		CHECK(s.module && strstr(s.module, module_part));
	}
}

TEST(syms_usyms_other_process_and_shared_cache)
{
	struct usyms *us = usyms_new();
	struct symtest_child c = {0};
	void *libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
	uint64_t libc_getpid = (uint64_t)(uintptr_t)(libc ? dlsym(libc, "getpid") : NULL);
	struct sym mine, theirs;

	CHECK(symtest_start(workload("symtest"), &c));
	check_symtest_child(us, &c, "symtest");
	/* libc, already read for this process, comes from the same cache entry for the child:
	 * the same module string. (Same address too: glibc is mapped at one base per boot
	 * only by chance, so only compare when the child maps libc at the same place.) */
	CHECK(usyms_lookup(us, getpid(), libc_getpid, &mine));
	if (usyms_lookup(us, c.pid, libc_getpid, &theirs) && theirs.name)
		CHECK(mine.module == theirs.module);
	symtest_stop(&c);
	if (libc)
		dlclose(libc);
	usyms_free(us);
}

/* A process that exits keeps its symbols: a later miss (an address no mapping holds) may
 * re-read the maps, which are gone by then, and must not drop the ones read before. */
TEST(syms_usyms_exited_process_keeps_maps)
{
	struct usyms *us = usyms_new();
	struct symtest_child c = {0};
	struct sym s;

	CHECK(symtest_start(workload("symtest"), &c));
	check_symtest_child(us, &c, "symtest");
	symtest_stop(&c);
	usleep(1100 * 1000); /* past the refresh interval, so the miss re-reads */
	CHECK(!usyms_lookup(us, c.pid, 0x10, &s));
	check_symtest_child(us, &c, "symtest");
	usyms_free(us);
}

/* A binary deleted while it runs still resolves, through /proc/PID/map_files. */
TEST(syms_usyms_deleted_binary)
{
	struct usyms *us = usyms_new();
	struct symtest_child c = {0};
	char path[] = "/tmp/whyslow-symtest.XXXXXX", cmd[256];
	int fd = mkstemp(path);

	close(fd);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s' && chmod +x '%s'", workload("symtest"), path,
		 path);
	CHECK(system(cmd) == 0);
	CHECK(symtest_start(path, &c));
	unlink(path);
	check_symtest_child(us, &c, "whyslow-symtest");
	symtest_stop(&c);
	usyms_free(us);
}

/* JIT code: an anonymous executable mapping named by /tmp/perf-PID.map. */
TEST(syms_usyms_perf_map)
{
	struct usyms *us;
	char path[64];
	FILE *f;
	struct sym s, first;
	unsigned char *code = mmap(NULL, 8192, PROT_READ | PROT_WRITE | PROT_EXEC,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(code != MAP_FAILED);
	if (code == MAP_FAILED)
		return;
	snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)getpid());
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fprintf(f, "%lx 40 jit_function_one\n", (unsigned long)(uintptr_t)code);
		fprintf(f, "%lx 100 LazyCompile:*jit two.js:7\n",
			(unsigned long)(uintptr_t)code + 0x100);
		fprintf(f, "garbage line\n");
		fclose(f);
	}
	us = usyms_new();
	CHECK(usyms_lookup(us, getpid(), (uint64_t)(uintptr_t)code + 8, &first));
	CHECK_STR(first.name, "jit_function_one");
	CHECK_EQ_U64(first.offset, 8);
	CHECK(first.module && strstr(first.module, "perf-"));
	CHECK(usyms_lookup(us, getpid(), (uint64_t)(uintptr_t)code + 0x1ff, &s));
	CHECK_STR(s.name, "LazyCompile:*jit two.js:7");
	CHECK(!usyms_lookup(us, getpid(), (uint64_t)(uintptr_t)code + 0x80, &s));
	usyms_forget_pid(us, getpid()); /* names handed out stay valid until usyms_free */
	CHECK_STR(first.name, "jit_function_one");
	CHECK(first.module && strstr(first.module, "perf-"));
	usyms_free(us);
	unlink(path);
	munmap(code, 8192);
}

/* A stripped binary finds its local functions in the debug file its .gnu_debuglink names
 * (made here with objcopy, as Debian's dh_strip does). */
TEST(syms_elf_debuglink)
{
	char dir[] = "/tmp/whyslow-syms-dbg.XXXXXX", cmd[8192], path[256];
	struct elf_syms *es;

	if (!mkdtemp(dir)) {
		UNIT_FAIL("mkdtemp");
		return;
	}
	snprintf(cmd, sizeof(cmd),
		 "cd %s && objcopy --only-keep-debug '%s' symtest.debug && "
		 "objcopy --strip-all --add-gnu-debuglink=symtest.debug '%s' symtest",
		 dir, realpath(workload("symtest"), path), path);
	CHECK(system(cmd) == 0);
	snprintf(path, sizeof(path), "%s/symtest", dir);
	es = elf_syms_open(path);
	CHECK(es != NULL);
	CHECK(elf_syms_addr(es, "symtest_local") != 0); /* local: only in the debug file */
	CHECK_EQ_U64(elf_syms_addr(es, "symtest_local"), nm_addr(workload("symtest"),
								 "symtest_local"));
	elf_syms_close(es);
	/* without it, the stripped file has no such name: the debug file was what answered */
	snprintf(cmd, sizeof(cmd), "%s/symtest.debug", dir);
	CHECK(unlink(cmd) == 0);
	es = elf_syms_open(path);
	CHECK(es && elf_syms_addr(es, "symtest_local") == 0);
	elf_syms_close(es);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
}
