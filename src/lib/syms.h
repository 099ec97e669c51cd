/* Symbolization. Kernel addresses from /proc/kallsyms; user addresses from the ELF files
 * a process maps (symtab, dynsym, debuglink/build-id debug files where present), opened
 * through /proc/PID/map_files or /proc/PID/root so processes in containers resolve, and
 * perf-PID.map for JIT code. ELF symbol tables are cached per file (dev, inode), not per
 * PID. Anything unresolvable is "[unknown]", never a crash. */
#ifndef WHYSLOW_SYMS_H
#define WHYSLOW_SYMS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct sym {
	const char *name;   /* symbol name, or NULL when unknown */
	uint64_t offset;    /* addr - symbol start */
	const char *module; /* kernel module ("[ext4]"), or the ELF file's path; may be NULL */
};

struct ksyms;
/* Loads /proc/kallsyms (addresses need root or kptr_restrict=0). NULL on failure. */
struct ksyms *ksyms_load(void);
/* Same, from text in kallsyms format (for tests). */
struct ksyms *ksyms_parse(const char *text, size_t len);
void ksyms_free(struct ksyms *ks);
/* true if found; out->name points into ks. Of several names for one address, the first
 * kallsyms lists; past the last symbol, only within 64 KiB (kallsyms has no sizes). */
bool ksyms_lookup(const struct ksyms *ks, uint64_t addr, struct sym *out);
/* Address of a symbol by exact name, 0 if absent. */
uint64_t ksyms_addr(const struct ksyms *ks, const char *name);
size_t ksyms_count(const struct ksyms *ks);

/* Not thread-safe: use one struct usyms per thread. Cached per PID until
 * usyms_forget_pid, so long-running callers forget PIDs that exit. */
struct usyms;
struct usyms *usyms_new(void);
void usyms_free(struct usyms *us);
/* Resolves a user address of process pid. true if a symbol was found; out->name points
 * into the cache and stays valid until usyms_free. When the file is known but the symbol
 * is not, out->module is still set. */
bool usyms_lookup(struct usyms *us, pid_t pid, uint64_t addr, struct sym *out);
/* Drops what is cached about a PID's mappings (files' symbols stay cached). */
void usyms_forget_pid(struct usyms *us, pid_t pid);

/* ELF symbols of one file, for tests and for uprobes (function name -> file offset). */
struct elf_syms;
struct elf_syms *elf_syms_open(const char *path);
void elf_syms_close(struct elf_syms *es);
bool elf_syms_lookup(const struct elf_syms *es, uint64_t file_vaddr, struct sym *out);
/* Virtual address (st_value) of a function by name, 0 if absent. */
uint64_t elf_syms_addr(const struct elf_syms *es, const char *name);
/* File offset of a function for uprobe attach, or -1. */
long elf_syms_file_offset(const struct elf_syms *es, const char *name);
/* Translates a file offset (what /proc/PID/maps or a BPF build-id stack gives) to the
 * virtual address the ELF file's symbols use, through the PT_LOAD segment holding it. */
bool elf_syms_vaddr(const struct elf_syms *es, uint64_t file_offset, uint64_t *vaddr);
size_t elf_syms_count(const struct elf_syms *es);

/* /proc/PID/maps, parsed. A pure function over text, so that it is unit-tested and fuzzed. */
struct proc_map {
	uint64_t start, end;   /* [start, end) */
	uint64_t file_offset;  /* offset in the file of start */
	uint64_t inode;
	unsigned dev_major, dev_minor;
	char perms[5];         /* "r-xp" */
	bool deleted;          /* the path ended in " (deleted)", now stripped */
	const char *path;      /* "" when anonymous; "[heap]", "[vdso]", ... as the kernel says */
};
struct proc_maps {
	struct proc_map *maps; /* sorted by start */
	size_t count;
	char *text;            /* the paths point into this copy of the input */
};
/* Lines that don't parse are skipped; NULL only when out of memory. */
struct proc_maps *proc_maps_parse(const char *text, size_t len);
/* Index of the mapping holding addr, or -1. */
long proc_maps_find(const struct proc_maps *pm, uint64_t addr);
void proc_maps_free(struct proc_maps *pm);

#endif
