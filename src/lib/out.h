/* Output: JSON (one object per interval, one per line) and small text helpers.
 * The JSON writer streams; keys are snake_case with units in the name. */
#ifndef WHYSLOW_OUT_H
#define WHYSLOW_OUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

struct json {
	FILE *f;
	int depth;
	bool has_items[JSON_MAX_DEPTH]; /* whether the open container already has an item */
};

/* Starts a top-level object carrying "command" and "timestamp" (ISO 8601, UTC). */
void json_begin(struct json *j, FILE *f, const char *command);
/* Closes the top-level object, writes "\n" and flushes. */
void json_end(struct json *j);

/* key is NULL inside arrays. */
void json_object_open(struct json *j, const char *key);
void json_object_close(struct json *j);
void json_array_open(struct json *j, const char *key);
void json_array_close(struct json *j);
void json_str(struct json *j, const char *key, const char *value); /* NULL -> null */
void json_u64(struct json *j, const char *key, uint64_t value);
void json_i64(struct json *j, const char *key, int64_t value);
void json_double(struct json *j, const char *key, double value); /* NaN/inf -> null */
void json_bool(struct json *j, const char *key, bool value);
void json_null(struct json *j, const char *key);
/* Writes s as a JSON string literal (with quotes), escaping as RFC 8259 requires. */
void json_write_string(FILE *f, const char *s);

/* "HH:MM:SS\n", as bcc's -T prints before each interval. */
void out_timestamp_line(FILE *f);

#endif
