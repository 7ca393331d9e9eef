/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sm/hex.h"
#include "vectors.h"

void vec_say(struct vec_why *why, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why->text, sizeof(why->text), fmt, ap);
    va_end(ap);
}

long vec_hex(const json_t *v, const char *name, uint8_t *out, size_t max)
{
    const char *s = json_string_value(json_object_get(v, name));

    if (!s)
        return -1;
    return sm_hex_decode(s, out, max);
}

long vec_need_hex(const json_t *v, const char *name, uint8_t *out, size_t max, struct vec_why *why)
{
    long n = vec_hex(v, name, out, max);

    if (n < 0)
        vec_say(why, "member '%s' missing or not hex", name);
    return n;
}

long vec_int(const json_t *v, const char *name)
{
    const json_t *m = json_object_get(v, name);
    char *end;
    long n;

    if (json_is_integer(m))
        return (long)json_integer_value(m);
    if (!json_is_string(m))
        return -1;
    n = strtol(json_string_value(m), &end, 10);
    return *end || end == json_string_value(m) ? -1 : n;
}

int vec_bool(const json_t *v, const char *name)
{
    const json_t *m = json_object_get(v, name);
    const char *s = json_string_value(m);

    if (json_is_boolean(m))
        return json_is_true(m);
    if (s && (!strcmp(s, "True") || !strcmp(s, "true")))
        return 1;
    if (s && (!strcmp(s, "False") || !strcmp(s, "false")))
        return 0;
    return -1;
}

int vec_cmp_bytes(const char *field, const uint8_t *want, size_t wantlen, const uint8_t *got,
                  size_t len, struct vec_why *why)
{
    char w[129], g[129];

    if (wantlen == len && !memcmp(want, got, len))
        return 0;
    sm_hex_encode(want, wantlen > 64 ? 64 : wantlen, w);
    sm_hex_encode(got, len > 64 ? 64 : len, g);
    vec_say(why, "%s: expected %s%s, got %s%s", field, w, wantlen > 64 ? "..." : "", g,
            len > 64 ? "..." : "");
    return -1;
}

int vec_cmp(const json_t *v, const char *name, const uint8_t *got, size_t len, struct vec_why *why)
{
    const char *s = json_string_value(json_object_get(v, name));
    uint8_t *want;
    long n;
    int rc;

    if (!s)
        return 0;
    want = malloc(strlen(s) / 2 + 1);
    if (!want)
        return -1;
    n = sm_hex_decode(s, want, strlen(s) / 2 + 1);
    if (n < 0) {
        vec_say(why, "member '%s' is not hex", name);
        free(want);
        return -1;
    }
    rc = vec_cmp_bytes(name, want, (size_t)n, got, len, why);
    free(want);
    return rc;
}
