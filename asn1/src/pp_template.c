/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Templates and personalisation. A template is the JSON form of a package plus a "parameters"
 * declaration; placeholders ${name} / ${name|encoding} stand in hex and text values. Loading
 * finds every placeholder once (its "site"); personalising checks the parameters, writes each
 * site's text and encodes the package. A template object is used by one thread at a time.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "pp_internal.h"
#include "sm/embed.h"
#include "sm/hex.h"
#include "sm/ids.h"
#include "sm/milenage.h"

extern const struct sm_embedded_file smpp_templates[];

enum ptype { P_ICCID, P_IMSI, P_KEY, P_AMF, P_MSISDN, P_PIN, P_PUK, P_ADM, P_HEX, P_TEXT };

static const struct {
    const char *name;
    enum ptype type;
} ptypes[] = {
    {"iccid", P_ICCID}, {"imsi", P_IMSI}, {"key", P_KEY}, {"amf", P_AMF}, {"msisdn", P_MSISDN},
    {"pin", P_PIN},     {"puk", P_PUK},   {"adm", P_ADM}, {"hex", P_HEX}, {"text", P_TEXT},
};

struct param {
    char name[32];
    enum ptype type;
    bool required;
    const char *def;           /* default value (borrowed from the template JSON) */
    long min_bytes, max_bytes; /* hex */
};

struct site {
    json_t *node;   /* a string of the template's JSON */
    char *text;     /* its original text, with placeholders */
    json_t *parent; /* the object holding it (for ${x|omit=..}), or NULL */
    char *key;
};

struct sm_pp_template {
    json_t *root;
    struct param *params;
    size_t nparams;
    struct site *sites;
    size_t nsites, capsites;
};

static const char *template_names[16];
static char template_store[16][64];

static void list_templates(void)
{
    size_t n = 0;

    for (const struct sm_embedded_file *f = smpp_templates; f->name && n < 15; f++, n++) {
        snprintf(template_store[n], sizeof(template_store[n]), "%.*s", (int)strcspn(f->name, "."),
                 f->name);
        template_names[n] = template_store[n];
    }
}

const char *const *sm_pp_template_names(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;

    pthread_once(&once, list_templates);
    return template_names;
}

static int fail(struct sm_pp_error *err, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct sm_pp_error *err, const char *path, const char *fmt, ...)
{
    va_list ap;

    if (err) {
        snprintf(err->path, sizeof(err->path), "%s", path ? path : "");
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
    }
    return -EINVAL;
}

void sm_pp_template_free(struct sm_pp_template *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nsites; i++) {
        free(t->sites[i].text);
        free(t->sites[i].key);
        json_decref(t->sites[i].node);
    }
    free(t->sites);
    free(t->params);
    json_decref(t->root);
    free(t);
}

static struct param *find_param(struct sm_pp_template *t, const char *name, size_t len)
{
    for (size_t i = 0; i < t->nparams; i++)
        if (strlen(t->params[i].name) == len && !strncmp(t->params[i].name, name, len))
            return &t->params[i];
    return NULL;
}

/* Encodings a type allows; NULL encoding = the type's natural one. */
static bool encoding_ok(enum ptype type, const char *enc, size_t len)
{
#define IS(s) (len == strlen(s) && !strncmp(enc, s, len))
    if (!enc)
        return type == P_KEY || type == P_AMF || type == P_HEX || type == P_TEXT;
    if (len > 5 && !strncmp(enc, "omit=", 5)) /* the whole value; left out when equal */
        return type == P_HEX;
    switch (type) {
    case P_ICCID:
        return IS("saip") || IS("ef");
    case P_IMSI:
        return IS("ef");
    case P_MSISDN:
        return IS("adn") || IS("addr");
    case P_PIN:
    case P_PUK:
    case P_ADM:
        return IS("pin");
    case P_TEXT:
        return IS("text") || IS("nai");
    default:
        return IS("hex") || IS("text");
    }
#undef IS
}

/* Check every placeholder of s: declared parameter, valid encoding, closed braces. */
static int scan_placeholders(struct sm_pp_template *t, const char *s, const char *path,
                             struct sm_pp_error *err, bool *has)
{
    const char *p = s;

    *has = false;
    while ((p = strstr(p, "${")) != NULL) {
        const char *end = strchr(p, '}'), *bar;
        struct param *prm;

        if (!end)
            return fail(err, path, "unclosed placeholder in '%.60s'", s);
        bar = memchr(p + 2, '|', (size_t)(end - p - 2));
        prm = find_param(t, p + 2, (size_t)((bar ? bar : end) - p - 2));
        if (!prm)
            return fail(err, path, "placeholder '%.*s' names no declared parameter",
                        (int)(end - p + 1), p);
        if (!encoding_ok(prm->type, bar ? bar + 1 : NULL, bar ? (size_t)(end - bar - 1) : 0))
            return fail(err, path, "placeholder '%.*s': encoding not valid for a %s",
                        (int)(end - p + 1), p, ptypes[prm->type].name);
        *has = true;
        p = end + 1;
    }
    return 0;
}

static int collect(struct sm_pp_template *t, json_t *j, json_t *parent, const char *key, char *path,
                   size_t plen, struct sm_pp_error *err)
{
    if (json_is_string(j)) {
        bool has;
        int rc = scan_placeholders(t, json_string_value(j), path, err, &has);

        if (rc || !has)
            return rc;
        if (t->nsites == t->capsites) {
            size_t cap = t->capsites ? 2 * t->capsites : 16;
            struct site *s = realloc(t->sites, cap * sizeof(*s));

            if (!s)
                return -ENOMEM;
            t->sites = s;
            t->capsites = cap;
        }
        t->sites[t->nsites].node = json_incref(j); /* kept while it is out of the tree */
        t->sites[t->nsites].text = strdup(json_string_value(j));
        t->sites[t->nsites].parent = parent;
        t->sites[t->nsites].key = key ? strdup(key) : NULL;
        if (!t->sites[t->nsites].text || (key && !t->sites[t->nsites].key))
            return -ENOMEM;
        t->nsites++;
        return 0;
    }
    if (json_is_object(j)) {
        const char *k;
        json_t *v;

        json_object_foreach(j, k, v) {
            int rc;

            snprintf(path + plen, 256 - plen, ".%s", k);
            rc = collect(t, v, j, k, path, strlen(path), err);
            path[plen] = 0;
            if (rc)
                return rc;
        }
    } else if (json_is_array(j)) {
        size_t i;
        json_t *v;

        json_array_foreach(j, i, v) {
            int rc;

            snprintf(path + plen, 256 - plen, "[%zu]", i);
            rc = collect(t, v, NULL, NULL, path, strlen(path), err);
            path[plen] = 0;
            if (rc)
                return rc;
        }
    }
    return 0;
}

static int load_params(struct sm_pp_template *t, const json_t *decl, struct sm_pp_error *err)
{
    const char *name;
    json_t *d;

    if (!json_is_object(decl))
        return fail(err, "parameters", "a template declares its parameters in an object");
    t->params = calloc(json_object_size(decl) + 1, sizeof(*t->params));
    if (!t->params)
        return -ENOMEM;
    json_object_foreach((json_t *)decl, name, d) {
        struct param *p = &t->params[t->nparams];
        const char *type = json_string_value(json_object_get(d, "type"));
        size_t i = 0;

        if (strlen(name) >= sizeof(p->name) || !type)
            return fail(err, "parameters", "parameter '%s' needs a short name and a type", name);
        while (i < sizeof(ptypes) / sizeof(ptypes[0]) && strcmp(ptypes[i].name, type))
            i++;
        if (i == sizeof(ptypes) / sizeof(ptypes[0]))
            return fail(err, "parameters", "parameter '%s': unknown type '%s'", name, type);
        snprintf(p->name, sizeof(p->name), "%s", name);
        p->type = ptypes[i].type;
        p->required = json_is_true(json_object_get(d, "required"));
        p->def = json_string_value(json_object_get(d, "default"));
        p->min_bytes = (long)json_integer_value(json_object_get(d, "minBytes"));
        p->max_bytes = json_object_get(d, "maxBytes")
                           ? (long)json_integer_value(json_object_get(d, "maxBytes"))
                           : 255;
        t->nparams++;
    }
    return 0;
}

int sm_pp_template_load(const json_t *tmpl, struct sm_pp_template **out, struct sm_pp_error *err)
{
    struct sm_pp_template *t = calloc(1, sizeof(*t));
    char path[256] = "profileElements";
    int rc;

    if (err)
        memset(err, 0, sizeof(*err));
    if (!t)
        return -ENOMEM;
    t->root = json_deep_copy(tmpl);
    if (!t->root || !json_is_array(json_object_get(t->root, "profileElements"))) {
        sm_pp_template_free(t);
        return fail(err, "", "a template has a profileElements array");
    }
    rc = load_params(t, json_object_get(t->root, "parameters"), err);
    if (!rc)
        rc = collect(t, json_object_get(t->root, "profileElements"), NULL, NULL, path, strlen(path),
                     err);
    if (rc) {
        sm_pp_template_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

int sm_pp_template_shipped(const char *name, struct sm_pp_template **out, struct sm_pp_error *err)
{
    for (const struct sm_embedded_file *f = smpp_templates; f->name; f++) {
        size_t l = strcspn(f->name, ".");
        json_error_t je;
        json_t *j;
        int rc;

        if (strlen(name) != l || strncmp(f->name, name, l))
            continue;
        j = json_loadb(f->text, f->len, JSON_REJECT_DUPLICATES, &je);
        if (!j)
            return fail(err, f->name, "shipped template does not parse: %s (line %d)", je.text,
                        je.line);
        rc = sm_pp_template_load(j, out, err);
        json_decref(j);
        return rc;
    }
    return -ENOENT;
}

const json_t *sm_pp_template_parameters(const struct sm_pp_template *t)
{
    return json_object_get(t->root, "parameters");
}

/* ---- parameter values ---- */

static bool digits(const char *s, size_t min, size_t max)
{
    size_t n = strlen(s);

    if (n < min || n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static int check_value(const struct param *p, const char *v, struct sm_pp_error *err)
{
    size_t n = strlen(v);

    switch (p->type) {
    case P_ICCID:
        if (sm_iccid_check(v))
            return fail(err, p->name, "not a valid ICCID (19-20 digits, 89..., Luhn digit)");
        return 0;
    case P_IMSI:
        return sm_imsi_check(v) ? fail(err, p->name, "not a valid IMSI (6-15 digits)") : 0;
    case P_MSISDN:
        return sm_msisdn_check(v) ? fail(err, p->name, "not a valid MSISDN") : 0;
    case P_KEY:
        return n == 32 && sm_hex_valid(v) ? 0 : fail(err, p->name, "expected 32 hex digits");
    case P_AMF:
        return n == 4 && sm_hex_valid(v) ? 0 : fail(err, p->name, "expected 4 hex digits");
    case P_PIN:
        return digits(v, 4, 8) ? 0 : fail(err, p->name, "a PIN has 4 to 8 digits");
    case P_PUK:
        return digits(v, 8, 8) ? 0 : fail(err, p->name, "a PUK has 8 digits");
    case P_ADM:
        return digits(v, 8, 8) || (n == 16 && sm_hex_valid(v))
                   ? 0
                   : fail(err, p->name, "an ADM code has 8 digits or 16 hex digits");
    case P_HEX:
        if ((n && !sm_hex_valid(v)) || (long)n / 2 < p->min_bytes || (long)n / 2 > p->max_bytes)
            return fail(err, p->name, "expected %ld to %ld bytes in hex", p->min_bytes,
                        p->max_bytes);
        return 0;
    case P_TEXT:
        return n && n <= 255 ? 0 : fail(err, p->name, "expected 1 to 255 characters");
    }
    return -EINVAL;
}

/* Append the encoded value to b (hex text or plain text). */
static int encode_value(const struct param *p, const char *v, const char *enc, size_t elen,
                        struct sm_buf *b)
{
#define IS(s) (elen == strlen(s) && !strncmp(enc, s, elen))
    uint8_t bytes[16];
    char hex[33];
    int n = 0;

    if (!enc || IS("hex") || IS("text") || (elen > 5 && !strncmp(enc, "omit=", 5)))
        return sm_buf_append_str(b, v);
    switch (p->type) {
    case P_ICCID:
        if ((IS("ef") ? sm_iccid_to_ef(v, bytes) : sm_iccid_to_saip(v, bytes)))
            return -EINVAL;
        n = 10;
        break;
    case P_IMSI:
        if (sm_imsi_to_ef(v, bytes))
            return -EINVAL;
        n = 9;
        break;
    case P_MSISDN: {
        /* adn: length of TON/NPI + BCD, TON/NPI, 10 BCD bytes F-filled (TS 31.102 4.2.26) */
        uint8_t addr[12];
        int al = sm_address_encode(v, addr, sizeof(addr));

        if (al < 0)
            return -EINVAL;
        if (IS("addr")) {
            memcpy(bytes, addr, (size_t)al);
            n = al;
            break;
        }
        memset(bytes, 0xff, 12);
        bytes[0] = (uint8_t)al;
        memcpy(bytes + 1, addr, (size_t)al);
        n = 12;
        break;
    }
    case P_PIN:
    case P_PUK:
    case P_ADM:
        /* ASCII digits padded with FF to 8 bytes (TS 31.102 / SAIP pinValue); 16 hex digits
         * are taken as the 8 bytes themselves */
        if (strlen(v) == 16) {
            n = (int)sm_hex_decode(v, bytes, 8);
        } else {
            memset(bytes, 0xff, 8);
            memcpy(bytes, v, strlen(v));
            n = 8;
        }
        break;
    case P_TEXT: {
        /* nai: the TLV 80 L <UTF-8> of EF.IMPI / EF.IMPU / EF.DOMAIN (TS 31.103 4.2.2) */
        size_t l = strlen(v);
        char h[3];
        int rc;

        if (!IS("nai") || l > 253)
            return sm_buf_append_str(b, v);
        snprintf(h, sizeof(h), "%02x", (unsigned)l);
        rc = sm_buf_append_str(b, "80");
        if (!rc)
            rc = sm_buf_append_str(b, h);
        if (!rc)
            rc = sm_buf_append_hex(b, (const uint8_t *)v, l);
        return rc;
    }
    default:
        return sm_buf_append_str(b, v);
    }
    sm_hex_encode(bytes, (size_t)n, hex);
    return sm_buf_append_str(b, hex);
#undef IS
}

static const char *value_of(const struct param *p, const json_t *params)
{
    const char *v = json_string_value(json_object_get(params, p->name));

    return v ? v : p->def;
}

static int fill(const struct site *s, struct sm_pp_template *t, const json_t *params,
                struct sm_buf *b)
{
    const char *p = s->text;

    sm_buf_reset(b);
    while (*p) {
        const char *start = strstr(p, "${"), *end, *bar;
        const struct param *prm;
        int rc;

        if (!start)
            return sm_buf_append_str(b, p);
        rc = sm_buf_append(b, p, (size_t)(start - p));
        if (rc)
            return rc;
        end = strchr(start, '}');
        bar = memchr(start + 2, '|', (size_t)(end - start - 2));
        prm = find_param(t, start + 2, (size_t)((bar ? bar : end) - start - 2));
        if (!value_of(prm, params)) {
            /* an optional number that is not given: the empty record of that encoding */
            if (prm->type == P_MSISDN && bar && !strncmp(bar + 1, "adn}", 4)) {
                rc = sm_buf_append_str(b, "ffffffffffffffffffffffff");
                if (rc)
                    return rc;
                p = end + 1;
                continue;
            }
            return -ENODATA;
        }
        rc = encode_value(prm, value_of(prm, params), bar ? bar + 1 : NULL,
                          bar ? (size_t)(end - bar - 1) : 0, b);
        if (rc)
            return rc;
        p = end + 1;
    }
    return 0;
}

int sm_pp_personalise(const struct sm_pp_template *tc, const json_t *params, struct sm_buf *out,
                      struct sm_pp_error *err)
{
    struct sm_pp_template *t = (struct sm_pp_template *)tc;
    struct sm_buf text = {.secure = true};
    const char *key;
    json_t *v;
    int rc = 0;

    if (err)
        memset(err, 0, sizeof(*err));
    if (!json_is_object(params))
        return fail(err, "", "parameters must be a JSON object");
    /* nothing undeclared, everything required present, every value valid */
    json_object_foreach((json_t *)params, key, v) {
        if (!find_param(t, key, strlen(key)))
            return fail(err, key, "not a parameter of this template");
        if (!json_is_string(v))
            return fail(err, key, "parameter values are strings");
    }
    for (size_t i = 0; i < t->nparams; i++) {
        const char *val = value_of(&t->params[i], params);

        if (!val) {
            if (t->params[i].required)
                return fail(err, t->params[i].name, "required parameter missing");
            continue;
        }
        rc = check_value(&t->params[i], val, err);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < t->nsites && !rc; i++) {
        struct site *st = &t->sites[i];
        const char *omit = strstr(st->text, "|omit=");

        rc = fill(st, t, params, &text);
        if (rc == -ENODATA || rc == -EINVAL)
            rc = fail(err, st->text, "a parameter this value uses is %s",
                      rc == -ENODATA ? "missing" : "not encodable");
        if (rc)
            break;
        if (omit && st->parent && !strncmp(omit + 6, sm_buf_cstr(&text), text.len) &&
            omit[6 + text.len] == '}') {
            /* equal to the DEFAULT of the member: DER leaves it out */
            json_object_del(st->parent, st->key);
            continue;
        }
        if (json_string_set(st->node, sm_buf_cstr(&text)))
            rc = -ENOMEM;
    }
    sm_buf_clear_free(&text);
    if (!rc)
        rc = sm_pp_json_to_der(t->root, out, err);
    /* the personalised values do not stay in the template; omitted members come back */
    for (size_t i = 0; i < t->nsites; i++) {
        struct site *st = &t->sites[i];

        json_string_set(st->node, st->text);
        if (st->parent && !json_object_get(st->parent, st->key))
            json_object_set(st->parent, st->key, st->node);
    }
    return rc;
}
