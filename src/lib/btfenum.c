/* Enum value names from BTF; see btfenum.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "lib/btfenum.h"

struct btfenum_entry {
	int64_t value;
	char *name;
};

struct btfenum {
	struct btfenum_entry *entries;
	size_t n;
};

static const char *strip(const char *name, const char *prefix, const char *suffix, char *buf,
			 size_t size)
{
	size_t len;

	if (prefix && strncmp(name, prefix, strlen(prefix)) == 0)
		name += strlen(prefix);
	snprintf(buf, size, "%s", name);
	len = strlen(buf);
	if (suffix && len > strlen(suffix) && strcmp(buf + len - strlen(suffix), suffix) == 0)
		buf[len - strlen(suffix)] = '\0';
	return buf;
}

static int add_entry(struct btfenum *e, int64_t value, const char *name)
{
	char *copy = strdup(name);

	if (!copy)
		return -ENOMEM;
	e->entries[e->n].value = value;
	e->entries[e->n].name = copy;
	e->n++;
	return 0;
}

struct btfenum *btfenum_from_btf(const struct btf *btf, const char *enum_name,
				 const char *prefix, const char *suffix)
{
	const struct btf_type *t;
	struct btfenum *e;
	char buf[128];
	int id;
	unsigned vlen;

	if (!btf)
		return NULL;
	id = btf__find_by_name_kind(btf, enum_name, BTF_KIND_ENUM);
	if (id < 0)
		id = btf__find_by_name_kind(btf, enum_name, BTF_KIND_ENUM64);
	if (id < 0)
		return NULL;
	t = btf__type_by_id(btf, id);
	vlen = btf_vlen(t);
	e = calloc(1, sizeof(*e));
	if (!e || !(e->entries = calloc(vlen ? vlen : 1, sizeof(*e->entries)))) {
		free(e);
		return NULL;
	}
	for (unsigned i = 0; i < vlen; i++) {
		const char *raw;
		int64_t value;

		if (btf_is_enum(t)) {
			const struct btf_enum *v = btf_enum(t) + i;
			raw = btf__name_by_offset(btf, v->name_off);
			value = btf_kflag(t) ? (int64_t)(int32_t)v->val : (int64_t)(uint32_t)v->val;
		} else {
			const struct btf_enum64 *v = btf_enum64(t) + i;
			raw = btf__name_by_offset(btf, v->name_off);
			value = (int64_t)btf_enum64_value(v);
		}
		if (raw && add_entry(e, value, strip(raw, prefix, suffix, buf, sizeof(buf)))) {
			btfenum_free(e);
			return NULL;
		}
	}
	return e;
}

struct btfenum *btfenum_load(const char *enum_name, const char *prefix, const char *suffix)
{
	static struct btf *vmlinux; /* loaded once: parsing the kernel's BTF takes ~10 ms */

	if (!vmlinux) {
		vmlinux = btf__load_vmlinux_btf();
		if (!vmlinux)
			return NULL;
	}
	return btfenum_from_btf(vmlinux, enum_name, prefix, suffix);
}

void btfenum_free(struct btfenum *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n; i++)
		free(e->entries[i].name);
	free(e->entries);
	free(e);
}

const char *btfenum_name(const struct btfenum *e, int64_t v)
{
	if (!e)
		return NULL;
	for (size_t i = 0; i < e->n; i++)
		if (e->entries[i].value == v)
			return e->entries[i].name;
	return NULL;
}

int64_t btfenum_value(const struct btfenum *e, const char *name)
{
	if (!e)
		return -1;
	for (size_t i = 0; i < e->n; i++)
		if (strcmp(e->entries[i].name, name) == 0)
			return e->entries[i].value;
	return -1;
}

size_t btfenum_count(const struct btfenum *e)
{
	return e ? e->n : 0;
}

const char *btfenum_format(const struct btfenum *e, int64_t v, const char *fallback_prefix,
			   char *buf, size_t size)
{
	const char *name = btfenum_name(e, v);

	if (name)
		snprintf(buf, size, "%s", name);
	else
		snprintf(buf, size, "%s%lld", fallback_prefix, (long long)v);
	return buf;
}
