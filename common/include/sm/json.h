/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_JSON_H
#define SM_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sm/status.h"

/*
 * JSON binding of SGP.02 messages (jansson). Messages are checked strictly against a field
 * table: unknown members, missing mandatory members, wrong types and values that fail their
 * validator are refused with the SGP.02 format codes, never ignored.
 */
enum sm_json_type {
    SM_JT_STRING,
    SM_JT_INTEGER,
    SM_JT_BOOLEAN,
    SM_JT_OBJECT,
    SM_JT_ARRAY,
};

/* Validates a string value; returns 0 when acceptable, else -EINVAL. */
typedef int (*sm_json_validator)(const char *value);

struct sm_json_field {
    const char *name;
    enum sm_json_type type;
    bool required;
    size_t max_len;                      /* strings: maximum length in bytes, 0 = 1024 */
    sm_json_validator validate;          /* strings (and arrays of strings): optional */
    const char *subject;                 /* subject code reported for this field (default 1.3.1) */
    const struct sm_json_field *members; /* objects, and arrays of objects: member table,
                                            terminated by name NULL */
    int64_t min, max; /* integers: bounds, arrays: number of elements, when min < max */
};

/*
 * Check obj against fields (terminated by name NULL). path names obj in messages ("header").
 * Returns 0, or -EINVAL with st set to Failed / HTTP 400 and a message naming the member.
 */
int sm_json_check(const json_t *obj, const struct sm_json_field *fields, const char *path,
                  struct sm_status *st);

/* Decode a request body. Returns a new reference, or NULL with st set (HTTP 400). Rejects
 * duplicate keys and anything but an object at the top. */
json_t *sm_json_parse_body(const uint8_t *body, size_t len, struct sm_status *st);

/* Serialise compactly into a malloc'd string (free()). NULL on allocation failure. */
char *sm_json_dump(const json_t *v);

/* Make jansson wipe every block it frees (programs whose JSON carries keys: profile parameters,
 * templates being personalised). Call once at start, before any JSON is made. */
void sm_json_use_wiping_allocator(void);

/* Shorthand getters: the member if present with the right type, else NULL / the fallback. */
const char *sm_json_str(const json_t *obj, const char *name);
json_int_t sm_json_int(const json_t *obj, const char *name, json_int_t fallback);

#endif
