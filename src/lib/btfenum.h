/* Names of a kernel enum's values, read at run time from the kernel's BTF, so that a
 * command prints what this kernel calls a value (drop reasons, TCP states, softirq
 * vectors) instead of a table copied into the source that goes stale. */
#ifndef WHYSLOW_BTFENUM_H
#define WHYSLOW_BTFENUM_H

#include <stddef.h>
#include <stdint.h>

struct btf;
struct btfenum;

/* Loads enum `enum_name` from the running kernel's BTF (cached per process). `prefix` and
 * `suffix` (may be NULL) are stripped from names that carry them: ("skb_drop_reason",
 * "SKB_DROP_REASON_", NULL) gives "NETFILTER_DROP". NULL if BTF or the enum is missing. */
struct btfenum *btfenum_load(const char *enum_name, const char *prefix, const char *suffix);
/* Same from a given BTF object (tests build one with btf__add_enum). */
struct btfenum *btfenum_from_btf(const struct btf *btf, const char *enum_name,
				 const char *prefix, const char *suffix);
void btfenum_free(struct btfenum *e);

/* Name of value v, or NULL if the enum has no such value. */
const char *btfenum_name(const struct btfenum *e, int64_t v);
/* Value of a name (without the prefix), or -1 if absent. */
int64_t btfenum_value(const struct btfenum *e, const char *name);
size_t btfenum_count(const struct btfenum *e);

/* Writes the name of v into buf, or "<fallback_prefix>v" (e.g. "reason 200") when unknown
 * or when e is NULL; returns buf. */
const char *btfenum_format(const struct btfenum *e, int64_t v, const char *fallback_prefix,
			   char *buf, size_t size);

#endif
