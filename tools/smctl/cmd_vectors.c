/* SPDX-License-Identifier: Apache-2.0 */
/*
 * smctl vectors check [--kind KIND] [--json] FILE...
 * Checks known-answer vector files (the format of tests/vectors/: {"source", "description",
 * "vectors": [...]} plus kind-specific extra sets) with the project's own code. The kind comes
 * from the file name unless --kind says otherwise; within a file a vector's "type" decides when
 * it has one. A vector this build cannot interpret counts as a failure.
 */
#include <getopt.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smctl.h"
#include "vectors.h"

struct kind {
    const char *name;
    vec_check_fn check;   /* for vectors without a known type */
    const char *extra[3]; /* top-level sets besides "vectors" */
    vec_check_fn extra_check[3];
};

static const struct kind kinds[] = {
    {"aes-cmac", vec_aes_cmac, {NULL}, {NULL}},
    {"milenage", vec_milenage, {"gsm_milenage"}, {vec_gsm_milenage}},
    {"luhn-iccid-eid", vec_identifier, {NULL}, {NULL}},
    {"ecka", vec_ecka, {NULL}, {NULL}},
    {"scp03-kdf",
     vec_scp03_session,
     {"sp800_108_cmac_counter_vectors", "aes_key_check_values"},
     {vec_sp800_108, vec_kcv}},
    {"scp80", vec_scp80, {NULL}, {NULL}},
    {"sgp02-scp03t", vec_scp03t_session, {NULL}, {NULL}},
    {"sgp22-bsp", vec_bsp_sequence, {NULL}, {NULL}},
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

/* Vector types that say by themselves how to check them. */
static const struct {
    const char *type;
    vec_check_fn check;
} types[] = {
    {"ecdh", vec_ecka},
    {"x963_kdf_sha256", vec_ecka},
    {"sgp02_es8_key_establishment", vec_ecka},
    {"sgp22_bsp_kdf", vec_ecka},
    {"iccid_luhn", vec_identifier},
    {"ef_iccid", vec_identifier},
    {"ef_imsi", vec_identifier},
    {"eid", vec_identifier},
    {"sgp02_scp03t_session", vec_scp03t_session},
};

struct run {
    bool json;
    unsigned passed, failed;
};

static void report(struct run *r, const char *file, const char *kind, const char *name,
                   enum vec_result res, const char *why)
{
    static const char *const word[] = {"PASS", "FAIL", "ERROR"};

    if (res == VEC_PASS)
        r->passed++;
    else
        r->failed++;
    if (r->json) {
        json_t *o =
            json_pack("{s:s, s:s, s:s, s:s}", "file", file, "kind", kind, "vector", name, "result",
                      res == VEC_PASS   ? "pass"
                      : res == VEC_FAIL ? "fail"
                                        : "uninterpretable");
        char *t;

        if (o && why && *why)
            json_object_set_new(o, "detail", json_string(why));
        t = o ? json_dumps(o, JSON_COMPACT) : NULL;
        if (t)
            printf("%s\n", t);
        free(t);
        json_decref(o);
        return;
    }
    /* a passing check may carry a note (why) about the data it was given */
    printf("%-5s %s: %s%s%s%s\n", word[res], kind, name, why && *why ? " -- " : "",
           res == VEC_UNKNOWN ? "cannot interpret: " : "", why ? why : "");
}

static vec_check_fn by_type(const json_t *v, vec_check_fn fallback, bool *unknown_type)
{
    const char *t = json_string_value(json_object_get(v, "type"));

    *unknown_type = false;
    if (!t)
        return fallback;
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (!strcmp(types[i].type, t))
            return types[i].check;
    *unknown_type = true;
    return NULL;
}

static void check_set(struct run *r, const char *file, const char *kind, const json_t *set,
                      vec_check_fn fallback, const char *set_name)
{
    const json_t *v;
    size_t i;

    if (!json_is_array(set)) {
        report(r, file, kind, set_name, VEC_UNKNOWN, "not an array of vectors");
        return;
    }
    json_array_foreach(set, i, v) {
        struct vec_why why = {{0}};
        const char *name = json_string_value(json_object_get(v, "name"));
        char label[256];
        bool unknown;
        vec_check_fn fn = by_type(v, fallback, &unknown);
        enum vec_result res;

        if (name)
            snprintf(label, sizeof(label), "%s", name);
        else
            snprintf(label, sizeof(label), "%s[%zu]%s%s", set_name, i,
                     json_object_get(v, "type") ? " " : "",
                     json_object_get(v, "type") ? json_string_value(json_object_get(v, "type"))
                                                : "");
        if (!json_is_object(v)) {
            report(r, file, kind, label, VEC_UNKNOWN, "not an object");
            continue;
        }
        if (!fn) {
            snprintf(why.text, sizeof(why.text), "unknown vector type '%s'",
                     unknown ? json_string_value(json_object_get(v, "type")) : "");
            report(r, file, kind, label, VEC_UNKNOWN, why.text);
            continue;
        }
        res = fn(v, &why);
        if (res != VEC_PASS && !why.text[0])
            snprintf(why.text, sizeof(why.text), "computation failed");
        report(r, file, kind, label, res, why.text);
    }
}

static const struct kind *kind_of(const char *path, const char *forced)
{
    char copy[1024], *base;

    for (size_t i = 0; forced && i < NKINDS; i++)
        if (!strcmp(kinds[i].name, forced))
            return &kinds[i];
    if (forced)
        return NULL;
    snprintf(copy, sizeof(copy), "%s", path);
    base = basename(copy);
    /* longest kind name contained in the file name wins (scp03-kdf before scp03t ...) */
    {
        const struct kind *best = NULL;

        for (size_t i = 0; i < NKINDS; i++)
            if (strstr(base, kinds[i].name) &&
                (!best || strlen(kinds[i].name) > strlen(best->name)))
                best = &kinds[i];
        return best;
    }
}

static int check_file(struct run *r, const char *path, const char *forced)
{
    const struct kind *k = kind_of(path, forced);
    json_error_t jerr;
    json_t *root;
    const char *key;
    json_t *val;

    if (!k) {
        fprintf(stderr, "smctl vectors: %s: %s\n", path,
                forced ? "unknown --kind" : "cannot tell the kind from the file name (use --kind)");
        return -1;
    }
    root = json_load_file(path, 0, &jerr);
    if (!root) {
        fprintf(stderr, "smctl vectors: %s:%d: %s\n", path, jerr.line, jerr.text);
        return -1;
    }
    json_object_foreach(root, key, val) {
        bool known = false;

        if (!strcmp(key, "source") || !strcmp(key, "description"))
            continue;
        if (!strcmp(key, "vectors")) {
            check_set(r, path, k->name, val, k->check, "vectors");
            continue;
        }
        for (int i = 0; i < 3 && k->extra[i]; i++) {
            if (!strcmp(key, k->extra[i])) {
                /* an extra set is {"vectors": [...]} with its own notes, or a plain array */
                const json_t *set = json_is_object(val) ? json_object_get(val, "vectors") : val;
                check_set(r, path, k->name, set, k->extra_check[i], key);
                known = true;
            }
        }
        if (!known)
            report(r, path, k->name, key, VEC_UNKNOWN, "top-level member this build cannot check");
    }
    json_decref(root);
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: smctl vectors check [--kind KIND] [--json] FILE...\n"
               "  Check known-answer vector files with the project's own code: one line per\n"
               "  vector, then \"N passed, N failed\". Kinds:");
    for (size_t i = 0; i < NKINDS; i++)
        fprintf(f, " %s", kinds[i].name);
    fprintf(f, ".\n  Exit 0 when every vector passes, 1 when one fails or cannot be\n"
               "  interpreted, 2 on a usage error or an unreadable file.\n");
}

int smctl_vectors(int argc, char **argv)
{
    static const struct option opts[] = {{"kind", required_argument, NULL, 'k'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    struct run r = {0};
    const char *forced = NULL;
    int o, bad = 0;

    optind = 0;
    while ((o = getopt_long(argc, argv, "k:jh", opts, NULL)) != -1) {
        switch (o) {
        case 'k':
            forced = optarg;
            break;
        case 'j':
            r.json = true;
            break;
        case 'h':
            usage(stdout);
            return SMCTL_OK;
        default:
            usage(stderr);
            return SMCTL_USAGE;
        }
    }
    if (optind >= argc || strcmp(argv[optind], "check") || optind + 1 >= argc) {
        usage(stderr);
        return SMCTL_USAGE;
    }
    for (int i = optind + 1; i < argc; i++)
        if (check_file(&r, argv[i], forced))
            bad = 1;
    if (r.json)
        printf("{\"passed\":%u,\"failed\":%u}\n", r.passed, r.failed);
    else
        printf("%u passed, %u failed\n", r.passed, r.failed);
    if (bad)
        return SMCTL_USAGE;
    return r.failed ? SMCTL_FAILED : SMCTL_OK;
}
