/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DER <-> JSON for profile packages, guided by the type descriptors asn1c generates from
 * asn1/saip.asn: the module is the one description of the format; this walker reads member
 * names, tags and types from it and works on the TLVs directly, so that every byte of the input
 * is accounted for (DER -> JSON -> DER is identical, unknown elements travel as raw bytes).
 * asn1c's own decoder and encoder are used for validation only (pp_der.c).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <BIT_STRING.h>
#include <BOOLEAN.h>
#include <INTEGER.h>
#include <NULL.h>
#include <NativeInteger.h>
#include <OBJECT_IDENTIFIER.h>
#include <OCTET_STRING.h>
#include <ProfileElement.h>
#include <UTF8String.h>
#include <constr_CHOICE.h>
#include <constr_SEQUENCE.h>
#include <constr_SEQUENCE_OF.h>
#include <constr_SET_OF.h>

#include "pp_internal.h"
#include "sm/hex.h"
#include "sm/tlv.h"

enum kind {
    K_UNKNOWN,
    K_INTEGER,
    K_BOOLEAN,
    K_NULL,
    K_OCTETS,
    K_UTF8,
    K_BITS,
    K_OID,
    K_SEQUENCE,
    K_SEQUENCE_OF,
    K_CHOICE,
};

/* Derived types (UInt8 ::= INTEGER ...) fill in their descriptor from the base type the first
 * time one of their functions runs (asn1c 0.9.28 rewrites descriptors in place). That happens
 * once, for every type reachable from ProfileElement, before any thread walks them: freeing NULL
 * triggers it without side effects. */
static pthread_once_t normalized = PTHREAD_ONCE_INIT;

static void normalize(asn_TYPE_descriptor_t *td, int depth)
{
    td->free_struct(td, NULL, 0);
    if (depth > 32)
        return;
    for (int i = 0; i < td->elements_count; i++)
        if (td->elements && td->elements[i].type)
            normalize(td->elements[i].type, depth + 1);
}

static void normalize_all(void)
{
    normalize(&asn_DEF_ProfileElement, 0);
}

static enum kind kind_of(asn_TYPE_descriptor_t *td)
{
    if (td->free_struct == CHOICE_free)
        return K_CHOICE;
    if (td->free_struct == SEQUENCE_free)
        return K_SEQUENCE;
    if (td->free_struct == SEQUENCE_OF_free || td->free_struct == SET_OF_free)
        return K_SEQUENCE_OF;
    if (td->print_struct == NativeInteger_print || td->print_struct == INTEGER_print)
        return K_INTEGER;
    if (td->print_struct == BOOLEAN_print)
        return K_BOOLEAN;
    if (td->print_struct == NULL_print)
        return K_NULL;
    if (td->print_struct == UTF8String_print || td->print_struct == OCTET_STRING_print_utf8)
        return K_UTF8;
    if (td->print_struct == BIT_STRING_print)
        return K_BITS;
    if (td->print_struct == OBJECT_IDENTIFIER_print)
        return K_OID;
    if (td->print_struct == OCTET_STRING_print)
        return K_OCTETS;
    return K_UNKNOWN;
}

/* ---- tags: asn1c form (number << 2 | class) <-> identifier octets ---- */

static uint32_t tag_bytes(ber_tlv_tag_t t, bool constructed)
{
    unsigned cls = (unsigned)(t & 3), num = (unsigned)(t >> 2);
    uint32_t first = (uint32_t)(cls << 6) | (constructed ? 0x20u : 0u);

    if (num < 31)
        return first | num;
    if (num < 128)
        return (first | 0x1f) << 8 | num;
    return ((first | 0x1f) << 16) | (0x80u | (num >> 7)) << 8 | (num & 0x7f);
}

static ber_tlv_tag_t tag_of(uint32_t raw, bool *constructed)
{
    uint32_t first;
    unsigned num;

    if (raw > 0xffff) {
        first = raw >> 16;
        num = ((raw >> 8) & 0x7f) << 7 | (raw & 0x7f);
    } else if (raw > 0xff) {
        first = raw >> 8;
        num = raw & 0x7f;
    } else {
        first = raw;
        num = raw & 0x1f;
    }
    *constructed = (first & 0x20) != 0;
    return (ber_tlv_tag_t)(num << 2 | (first >> 6));
}

/* The universal tag a type carries when nothing retags it. */
static ber_tlv_tag_t own_tag(asn_TYPE_descriptor_t *td)
{
    return td->tags_count ? td->tags[0] : (ber_tlv_tag_t)-1;
}

static bool kind_constructed(enum kind k)
{
    return k == K_SEQUENCE || k == K_SEQUENCE_OF || k == K_CHOICE;
}

/* ---- decoding ---- */

struct dctx {
    struct sm_pp_error *err;
    const uint8_t *base;
    char path[256];
};

static int dfail(struct dctx *c, const uint8_t *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int dfail(struct dctx *c, const uint8_t *at, const char *fmt, ...)
{
    va_list ap;

    if (c->err) {
        snprintf(c->err->path, sizeof(c->err->path), "%s", c->path);
        va_start(ap, fmt);
        vsnprintf(c->err->msg, sizeof(c->err->msg), fmt, ap);
        va_end(ap);
        c->err->offset = at ? (size_t)(at - c->base) : 0;
    }
    return -EBADMSG;
}

static json_t *hex_json(const uint8_t *p, size_t n)
{
    char *h = malloc(2 * n + 1);
    json_t *j;

    if (!h)
        return NULL;
    sm_hex_encode(p, n, h);
    j = json_string(h);
    free(h);
    return j;
}

static json_t *raw_json(const char *key, const uint8_t *p, size_t n)
{
    json_t *o = json_object(), *h = hex_json(p, n);

    if (!o || !h || json_object_set_new(o, key, h)) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* DER INTEGER, shortest two's complement; NULL when it does not fit or is not minimal. */
static json_t *int_json(const uint8_t *p, size_t n)
{
    int64_t v;

    if (n == 0 || n > 8)
        return NULL;
    if (n > 1 && ((p[0] == 0x00 && !(p[1] & 0x80)) || (p[0] == 0xff && (p[1] & 0x80))))
        return NULL;
    v = (p[0] & 0x80) ? -1 : 0;
    for (size_t i = 0; i < n; i++)
        v = (int64_t)((uint64_t)v << 8 | p[i]);
    return json_integer((json_int_t)v);
}

static json_t *oid_json(const uint8_t *p, size_t n)
{
    char text[256];
    size_t used = 0;
    uint64_t arc = 0;
    bool first = true;

    if (n == 0 || (p[n - 1] & 0x80))
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (arc == 0 && p[i] == 0x80)
            return NULL; /* not minimal */
        if (arc > (UINT64_MAX >> 7))
            return NULL;
        arc = arc << 7 | (p[i] & 0x7f);
        if (p[i] & 0x80)
            continue;
        if (first) {
            unsigned a = arc < 40 ? 0 : arc < 80 ? 1 : 2;
            used += (size_t)snprintf(text + used, sizeof(text) - used, "%u.%llu", a,
                                     (unsigned long long)(arc - 40 * a));
            first = false;
        } else {
            used += (size_t)snprintf(text + used, sizeof(text) - used, ".%llu",
                                     (unsigned long long)arc);
        }
        if (used >= sizeof(text) - 24)
            return NULL;
        arc = 0;
    }
    return json_string(text);
}

/* Well-formed UTF-8 without NUL (RFC 3629: no overlong forms, no surrogates, <= U+10FFFF). */
static bool utf8_ok(const uint8_t *p, size_t n)
{
    size_t i = 0;

    while (i < n) {
        uint8_t c = p[i];
        size_t k;
        uint32_t cp;

        if (c == 0)
            return false;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            k = 1;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            k = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            k = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (n - i <= k)
            return false;
        for (size_t j = 1; j <= k; j++) {
            if ((p[i + j] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (p[i + j] & 0x3f);
        }
        if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += k + 1;
    }
    return true;
}

static json_t *decode_value(struct dctx *c, asn_TYPE_descriptor_t *td, const struct sm_tlv *t);

/* A primitive in its JSON type, or {"_hex": ...} when that cannot carry it exactly. */
static json_t *decode_primitive(struct dctx *c, enum kind k, const struct sm_tlv *t)
{
    json_t *j = NULL;

    if (t->constructed) {
        dfail(c, t->value, "constructed encoding of a primitive type");
        return NULL;
    }
    switch (k) {
    case K_INTEGER:
        j = int_json(t->value, t->len);
        break;
    case K_BOOLEAN:
        if (t->len == 1 && (t->value[0] == 0x00 || t->value[0] == 0xff))
            j = json_boolean(t->value[0] == 0xff);
        break;
    case K_NULL:
        if (t->len == 0)
            j = json_null();
        break;
    case K_UTF8:
        if (utf8_ok(t->value, t->len))
            j = json_stringn((const char *)t->value, t->len);
        break;
    case K_OID:
        j = oid_json(t->value, t->len);
        break;
    case K_OCTETS:
    case K_BITS:
    default:
        return hex_json(t->value, t->len);
    }
    return j ? j : raw_json("_hex", t->value, t->len);
}

/* Does TLV tag raw (constructed flag c) start member m? */
static bool member_matches(asn_TYPE_member_t *m, ber_tlv_tag_t tag)
{
    if (m->tag != (ber_tlv_tag_t)-1)
        return m->tag == tag;
    /* an untagged CHOICE member: any of its alternatives' tags */
    for (int i = 0; i < m->type->elements_count; i++)
        if (member_matches(&m->type->elements[i], tag))
            return true;
    return false;
}

/* Decode the TLV that carries member m. */
static json_t *decode_member(struct dctx *c, asn_TYPE_member_t *m, const struct sm_tlv *t)
{
    if (m->tag_mode > 0) {
        /* EXPLICIT: [n] { inner TLV } */
        struct sm_tlv inner;

        if (!t->constructed) {
            dfail(c, t->value, "explicit tag of %s not constructed", m->name);
            return NULL;
        }
        if (sm_tlv_parse_one(t->value, t->len, &inner, NULL)) {
            dfail(c, t->value, "explicit tag of %s does not hold exactly one TLV", m->name);
            return NULL;
        }
        return decode_value(c, m->type, &inner);
    }
    return decode_value(c, m->type, t);
}

static json_t *decode_sequence(struct dctx *c, asn_TYPE_descriptor_t *td, const struct sm_tlv *t)
{
    json_t *o = json_object(), *unknown = NULL;
    size_t pos = 0, plen = strlen(c->path);
    int next = 0;
    struct sm_tlv ch;
    int rc;

    if (!o)
        return NULL;
    while ((rc = sm_tlv_next(t->value, t->len, &pos, &ch, NULL)) == 0) {
        bool cons;
        ber_tlv_tag_t tag = tag_of(ch.tag, &cons);
        int i = next;
        json_t *v;

        while (i < td->elements_count && !member_matches(&td->elements[i], tag))
            i++;
        if (i == td->elements_count) {
            /* not a member we know (an extension, or out of order): kept raw */
            if (!unknown && !(unknown = json_array()))
                goto fail;
            if (json_array_append_new(unknown, hex_json(t->value + ch.offset, ch.size)))
                goto fail;
            next = td->elements_count; /* anything after it is kept raw too */
            continue;
        }
        for (int j = next; j < i; j++) {
            if (!td->elements[j].optional && !td->elements[j].default_value) {
                dfail(c, ch.value, "mandatory member %s missing", td->elements[j].name);
                goto fail;
            }
        }
        snprintf(c->path + plen, sizeof(c->path) - plen, ".%s", td->elements[i].name);
        v = decode_member(c, &td->elements[i], &ch);
        c->path[plen] = 0;
        if (!v || json_object_set_new(o, td->elements[i].name, v))
            goto fail;
        next = i + 1;
    }
    if (rc != -ENODATA) {
        dfail(c, t->value + pos, "malformed TLV inside %s", td->name);
        goto fail;
    }
    for (int j = next; j < td->elements_count && !unknown; j++) {
        if (!td->elements[j].optional && !td->elements[j].default_value) {
            dfail(c, t->value + t->len, "mandatory member %s missing", td->elements[j].name);
            goto fail;
        }
    }
    if (unknown && json_object_set_new(o, "_unknown", unknown)) {
        unknown = NULL;
        goto fail;
    }
    return o;
fail:
    json_decref(unknown);
    json_decref(o);
    return NULL;
}

static json_t *decode_sequence_of(struct dctx *c, asn_TYPE_descriptor_t *td, const struct sm_tlv *t)
{
    json_t *a = json_array();
    asn_TYPE_member_t *m = &td->elements[0];
    size_t pos = 0, plen = strlen(c->path);
    struct sm_tlv ch;
    size_t idx = 0;
    int rc;

    if (!a)
        return NULL;
    while ((rc = sm_tlv_next(t->value, t->len, &pos, &ch, NULL)) == 0) {
        bool cons;
        json_t *v;

        snprintf(c->path + plen, sizeof(c->path) - plen, "[%zu]", idx++);
        if (m->tag != (ber_tlv_tag_t)-1 && m->tag != tag_of(ch.tag, &cons)) {
            dfail(c, t->value + ch.offset, "unexpected element tag %x", ch.tag);
            v = NULL;
        } else {
            v = decode_member(c, m, &ch);
        }
        c->path[plen] = 0;
        if (!v || json_array_append_new(a, v)) {
            json_decref(a);
            return NULL;
        }
    }
    if (rc != -ENODATA) {
        dfail(c, t->value + pos, "malformed TLV inside %s", td->name);
        json_decref(a);
        return NULL;
    }
    return a;
}

/* An untagged CHOICE: t is the chosen alternative's own TLV. */
static json_t *decode_choice(struct dctx *c, asn_TYPE_descriptor_t *td, const struct sm_tlv *t)
{
    bool cons;
    ber_tlv_tag_t tag = tag_of(t->tag, &cons);
    size_t plen = strlen(c->path);

    for (int i = 0; i < td->elements_count; i++) {
        asn_TYPE_member_t *m = &td->elements[i];
        json_t *v, *o;

        if (!member_matches(m, tag))
            continue;
        snprintf(c->path + plen, sizeof(c->path) - plen, ".%s", m->name);
        v = decode_member(c, m, t);
        c->path[plen] = 0;
        o = v ? json_object() : NULL;
        if (!o || json_object_set_new(o, m->name, v)) {
            json_decref(o);
            return NULL;
        }
        return o;
    }
    /* an alternative the module does not describe */
    return raw_json("_raw", t->value - (t->size - t->len), t->size);
}

static json_t *decode_value(struct dctx *c, asn_TYPE_descriptor_t *td, const struct sm_tlv *t)
{
    enum kind k = kind_of(td);

    switch (k) {
    case K_CHOICE:
        return decode_choice(c, td, t);
    case K_SEQUENCE:
        if (!t->constructed) {
            dfail(c, t->value, "primitive encoding of %s", td->name);
            return NULL;
        }
        return decode_sequence(c, td, t);
    case K_SEQUENCE_OF:
        if (!t->constructed) {
            dfail(c, t->value, "primitive encoding of %s", td->name);
            return NULL;
        }
        return decode_sequence_of(c, td, t);
    default:
        return decode_primitive(c, k, t);
    }
}

/* ---- encoding ---- */

struct ectx {
    struct sm_pp_error *err;
    char path[256];
};

static int efail(struct ectx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int efail(struct ectx *c, const char *fmt, ...)
{
    va_list ap;

    if (c->err && !c->err->msg[0]) {
        snprintf(c->err->path, sizeof(c->err->path), "%s", c->path);
        va_start(ap, fmt);
        vsnprintf(c->err->msg, sizeof(c->err->msg), fmt, ap);
        va_end(ap);
    }
    return -EINVAL;
}

/* Hex text into out; placeholders left in a template are refused. */
static int put_hex(struct ectx *c, const char *h, struct sm_buf *out)
{
    size_t n = strlen(h);
    long got;
    int rc;

    if (n % 2)
        return efail(c, "hex string of odd length");
    if (strchr(h, '$'))
        return efail(c, "unfilled template placeholder in '%.40s'", h);
    rc = sm_buf_reserve(out, n / 2);
    if (rc)
        return rc;
    got = sm_hex_decode(h, out->data + out->len, n / 2);
    if (got < 0)
        return efail(c, "not hex: '%.40s'", h);
    out->len += (size_t)got;
    out->data[out->len] = 0;
    return 0;
}

static int put_int(struct sm_buf *out, json_int_t v)
{
    uint8_t b[9];
    int n = 8;

    for (int i = 7; i >= 0; i--) {
        b[i] = (uint8_t)v;
        v >>= 8;
    }
    /* shortest two's complement */
    {
        int start = 0;

        while (start < 7 && ((b[start] == 0x00 && !(b[start + 1] & 0x80)) ||
                             (b[start] == 0xff && (b[start + 1] & 0x80))))
            start++;
        n = 8 - start;
        return sm_buf_append(out, b + start, (size_t)n);
    }
}

static int put_oid(struct ectx *c, const char *s, struct sm_buf *out)
{
    unsigned long long arcs[64];
    size_t n = 0;
    const char *p = s;

    while (*p) {
        char *end;

        if (n == 64 || *p < '0' || *p > '9')
            return efail(c, "not an OBJECT IDENTIFIER: '%.40s'", s);
        arcs[n++] = strtoull(p, &end, 10);
        p = end;
        if (*p == '.')
            p++;
        else if (*p)
            return efail(c, "not an OBJECT IDENTIFIER: '%.40s'", s);
    }
    if (n < 2 || arcs[0] > 2 || (arcs[0] < 2 && arcs[1] > 39))
        return efail(c, "not an OBJECT IDENTIFIER: '%.40s'", s);
    arcs[1] += 40 * arcs[0];
    for (size_t i = 1; i < n; i++) {
        uint8_t b[10];
        int k = 0;
        unsigned long long v = arcs[i];

        do {
            b[k++] = (uint8_t)(v & 0x7f);
            v >>= 7;
        } while (v);
        while (k--) {
            int rc = sm_buf_append_byte(out, (uint8_t)(b[k] | (k ? 0x80 : 0)));
            if (rc)
                return rc;
        }
    }
    return 0;
}

static int encode_value(struct ectx *c, asn_TYPE_descriptor_t *td, asn_constr_check_f *cc,
                        const json_t *v, ber_tlv_tag_t tag, struct sm_buf *out);

static int encode_primitive_content(struct ectx *c, enum kind k, const json_t *v,
                                    struct sm_buf *out)
{
    const json_t *hx = json_is_object(v) ? json_object_get(v, "_hex") : NULL;

    if (hx) {
        if (!json_is_string(hx) || json_object_size(v) != 1)
            return efail(c, "_hex must be the only member, a hex string");
        return put_hex(c, json_string_value(hx), out);
    }
    switch (k) {
    case K_INTEGER:
        if (!json_is_integer(v))
            return efail(c, "expected an integer");
        return put_int(out, json_integer_value(v));
    case K_BOOLEAN:
        if (!json_is_boolean(v))
            return efail(c, "expected true or false");
        return sm_buf_append_byte(out, json_is_true(v) ? 0xff : 0x00);
    case K_NULL:
        if (!json_is_null(v))
            return efail(c, "expected null");
        return 0;
    case K_UTF8:
        if (!json_is_string(v))
            return efail(c, "expected a string");
        if (strstr(json_string_value(v), "${"))
            return efail(c, "unfilled template placeholder in '%.40s'", json_string_value(v));
        return sm_buf_append(out, json_string_value(v), json_string_length(v));
    case K_OID:
        if (!json_is_string(v))
            return efail(c, "expected an OBJECT IDENTIFIER string");
        return put_oid(c, json_string_value(v), out);
    default:
        if (!json_is_string(v))
            return efail(c, "expected a hex string");
        return put_hex(c, json_string_value(v), out);
    }
}

/* Encode member m (value v) with its tag and tagging mode. */
static int encode_member(struct ectx *c, asn_TYPE_member_t *m, const json_t *v, struct sm_buf *out)
{
    size_t mark = out->len;
    int rc;

    if (m->tag_mode > 0) {
        rc = encode_value(c, m->type, m->memb_constraints, v, own_tag(m->type), out);
        return rc ? rc : sm_tlv_wrap(out, mark, tag_bytes(m->tag, true));
    }
    return encode_value(c, m->type, m->memb_constraints, v, m->tag, out);
}

static int append_raw(struct ectx *c, const json_t *h, struct sm_buf *out)
{
    struct sm_decode_err de;
    struct sm_tlv t;
    size_t mark = out->len;
    int rc;

    if (!json_is_string(h))
        return efail(c, "raw element must be a hex string");
    rc = put_hex(c, json_string_value(h), out);
    if (rc)
        return rc;
    /* what is passed through must still be one well-formed TLV */
    if (sm_tlv_parse_one(out->data + mark, out->len - mark, &t, &de)) {
        out->len = mark;
        return efail(c, "raw element is not one TLV (%s)", de.msg);
    }
    return 0;
}

static int encode_sequence(struct ectx *c, asn_TYPE_descriptor_t *td, const json_t *v,
                           struct sm_buf *out)
{
    size_t plen = strlen(c->path);
    const char *key;
    json_t *mv;
    int rc;

    if (!json_is_object(v))
        return efail(c, "expected an object for %s", td->name);
    /* every key must be a member (or _unknown) */
    json_object_foreach((json_t *)v, key, mv) {
        int i = 0;

        if (!strcmp(key, "_unknown"))
            continue;
        while (i < td->elements_count && strcmp(td->elements[i].name, key))
            i++;
        if (i == td->elements_count)
            return efail(c, "%s has no member '%.60s'", td->name, key);
    }
    for (int i = 0; i < td->elements_count; i++) {
        asn_TYPE_member_t *m = &td->elements[i];

        mv = json_object_get(v, m->name);
        if (!mv) {
            if (!m->optional && !m->default_value)
                return efail(c, "mandatory member %s missing", m->name);
            continue;
        }
        snprintf(c->path + plen, sizeof(c->path) - plen, ".%s", m->name);
        rc = encode_member(c, m, mv, out);
        c->path[plen] = 0;
        if (rc)
            return rc;
    }
    mv = json_object_get(v, "_unknown");
    if (mv) {
        size_t i;
        json_t *h;

        if (!json_is_array(mv))
            return efail(c, "_unknown must be an array of hex TLVs");
        json_array_foreach(mv, i, h) {
            rc = append_raw(c, h, out);
            if (rc)
                return rc;
        }
    }
    return 0;
}

static void constraint_failed(void *key, asn_TYPE_descriptor_t *td, const void *sptr,
                              const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void constraint_failed(void *key, asn_TYPE_descriptor_t *td, const void *sptr,
                              const char *fmt, ...)
{
    char *msg = key;
    va_list ap;

    (void)td;
    (void)sptr;
    va_start(ap, fmt);
    vsnprintf(msg, 160, fmt, ap);
    va_end(ap);
    /* asn1c appends " (file.c:line)": not for the user */
    if (strrchr(msg, '(') && strstr(strrchr(msg, '('), ".c:"))
        *(strrchr(msg, '(') - (strrchr(msg, '(') > msg)) = 0;
}

/*
 * The module's constraints (ranges, sizes, permitted characters) on a primitive just encoded:
 * asn1c's checker of the member (or of its type) run on the value in asn1c's representation.
 * Sizes of SEQUENCE OF lists are left to sm_pp_validate(), which decodes whole elements.
 */
static int check_primitive(struct ectx *c, asn_TYPE_descriptor_t *td, asn_constr_check_f *cc,
                           enum kind k, const uint8_t *p, size_t n)
{
    union {
        long l;
        int i;
        INTEGER_t in;
        BIT_STRING_t bs;
        OCTET_STRING_t os;
    } u;
    char msg[160] = "";

    memset(&u, 0, sizeof(u));
    if (!cc)
        cc = td->check_constraints;
    if (!cc || cc == asn_generic_no_constraint)
        return 0;
    switch (k) {
    case K_INTEGER:
        if (td->print_struct == NativeInteger_print) {
            if (!n || n > sizeof(long))
                return efail(c, "integer of %zu bytes out of range", n);
            u.l = (p[0] & 0x80) ? -1 : 0;
            for (size_t i = 0; i < n; i++)
                u.l = (long)((unsigned long)u.l << 8 | p[i]);
        } else {
            u.in.buf = (uint8_t *)p;
            u.in.size = (int)n;
        }
        break;
    case K_BOOLEAN:
        u.i = n && p[0];
        break;
    case K_NULL:
        break;
    case K_BITS:
        if (!n)
            return efail(c, "BIT STRING without its unused-bits octet");
        u.bs.buf = (uint8_t *)p + 1;
        u.bs.size = (int)n - 1;
        u.bs.bits_unused = p[0];
        break;
    default:
        u.os.buf = (uint8_t *)p;
        u.os.size = (int)n;
        break;
    }
    if (cc(td, &u, constraint_failed, msg))
        return efail(c, "%s", msg[0] ? msg : "value outside the module's constraints");
    return 0;
}

static int encode_value(struct ectx *c, asn_TYPE_descriptor_t *td, asn_constr_check_f *cc,
                        const json_t *v, ber_tlv_tag_t tag, struct sm_buf *out)
{
    enum kind k = kind_of(td);
    size_t mark = out->len, plen;
    int rc;

    switch (k) {
    case K_CHOICE: {
        const char *key;
        json_t *av;

        if (!json_is_object(v) || json_object_size(v) != 1)
            return efail(c, "%s: expected an object with exactly one alternative", td->name);
        if (json_object_get(v, "_raw"))
            return append_raw(c, json_object_get(v, "_raw"), out);
        json_object_foreach((json_t *)v, key, av) {
            for (int i = 0; i < td->elements_count; i++) {
                if (strcmp(td->elements[i].name, key))
                    continue;
                plen = strlen(c->path);
                snprintf(c->path + plen, sizeof(c->path) - plen, ".%s", key);
                rc = encode_member(c, &td->elements[i], av, out);
                c->path[plen] = 0;
                return rc;
            }
            return efail(c, "%s has no alternative '%.60s'", td->name, key);
        }
        return -EINVAL;
    }
    case K_SEQUENCE:
        rc = encode_sequence(c, td, v, out);
        break;
    case K_SEQUENCE_OF: {
        size_t i;
        json_t *item;

        if (!json_is_array(v))
            return efail(c, "expected an array for %s", td->name);
        plen = strlen(c->path);
        rc = 0;
        json_array_foreach(v, i, item) {
            snprintf(c->path + plen, sizeof(c->path) - plen, "[%zu]", i);
            rc = encode_member(c, &td->elements[0], item, out);
            if (rc)
                break;
        }
        c->path[plen] = 0;
        break;
    }
    default:
        rc = encode_primitive_content(c, k, v, out);
        if (!rc)
            rc = check_primitive(c, td, cc, k, out->len > mark ? out->data + mark : NULL,
                                 out->len - mark);
        break;
    }
    if (rc) {
        out->len = mark;
        return rc;
    }
    if (tag == (ber_tlv_tag_t)-1)
        tag = own_tag(td);
    return sm_tlv_wrap(out, mark, tag_bytes(tag, kind_constructed(k)));
}

/* ---- package level ---- */

int sm_pp_der_to_json(const uint8_t *der, size_t len, json_t **out, struct sm_pp_error *err)
{
    struct dctx c = {.err = err, .base = der};
    json_t *pes, *root = NULL;
    struct sm_decode_err de;
    struct sm_tlv t;
    size_t pos = 0, idx = 0;
    int rc;

    pthread_once(&normalized, normalize_all);
    if (err)
        memset(err, 0, sizeof(*err));
    pes = json_array();
    if (!pes)
        return -ENOMEM;
    while ((rc = sm_tlv_next(der, len, &pos, &t, &de)) == 0) {
        json_t *pe;
        struct sm_buf back = SM_BUF_INIT;
        struct sm_pp_error ee;

        memset(&ee, 0, sizeof(ee));
        snprintf(c.path, sizeof(c.path), "profileElements[%zu]", idx++);
        pe = decode_value(&c, &asn_DEF_ProfileElement, &t);
        /* an element that does not come back byte for byte travels raw */
        if (pe && (sm_pp_element_to_der(pe, &back, &ee) || back.len != t.size ||
                   memcmp(back.data, der + t.offset, t.size))) {
            json_decref(pe);
            pe = NULL;
        }
        sm_buf_free(&back);
        if (!pe) {
            pe = raw_json("_raw", der + t.offset, t.size);
            if (pe && err && err->msg[0])
                json_object_set_new(pe, "_note", json_string(err->msg));
            if (err)
                memset(err, 0, sizeof(*err));
        }
        if (!pe || json_array_append_new(pes, pe)) {
            json_decref(pes);
            return -ENOMEM;
        }
    }
    if (rc != -ENODATA) {
        json_decref(pes);
        if (err) {
            snprintf(err->path, sizeof(err->path), "profileElements[%zu]", idx);
            snprintf(err->msg, sizeof(err->msg), "not a sequence of TLVs: %s", de.msg);
            err->offset = de.offset;
        }
        return -EBADMSG;
    }
    root = json_pack("{s:o}", "profileElements", pes);
    if (!root)
        return -ENOMEM;
    *out = root;
    return 0;
}

int sm_pp_element_to_der(const json_t *pe, struct sm_buf *out, struct sm_pp_error *err)
{
    struct ectx c = {.err = err};

    pthread_once(&normalized, normalize_all);
    if (err)
        memset(err, 0, sizeof(*err));
    if (json_is_object(pe) && json_object_get(pe, "_raw")) {
        json_t *note = json_object_get(pe, "_note");

        if (json_object_size(pe) != 1 + (note ? 1 : 0))
            return efail(&c, "a raw element has only _raw (and _note)");
        return append_raw(&c, json_object_get(pe, "_raw"), out);
    }
    return encode_value(&c, &asn_DEF_ProfileElement, NULL, pe, (ber_tlv_tag_t)-1, out);
}

int sm_pp_json_to_der(const json_t *pkg, struct sm_buf *out, struct sm_pp_error *err)
{
    const json_t *pes = json_object_get(pkg, "profileElements"), *pe;
    size_t i, mark = out->len;

    if (err)
        memset(err, 0, sizeof(*err));
    if (!json_is_array(pes)) {
        if (err)
            snprintf(err->msg, sizeof(err->msg), "no profileElements array");
        return -EINVAL;
    }
    json_array_foreach(pes, i, pe) {
        int rc = sm_pp_element_to_der(pe, out, err);

        if (rc) {
            if (err) {
                char tmp[300];

                snprintf(tmp, sizeof(tmp), "profileElements[%zu]%s", i, err->path);
                snprintf(err->path, sizeof(err->path), "%.255s", tmp);
            }
            out->len = mark;
            return rc;
        }
    }
    return 0;
}
