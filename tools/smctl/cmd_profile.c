/* SPDX-License-Identifier: Apache-2.0 */
/*
 * smctl profile: profile packages (SAIP DER) and templates.
 *   templates [--json]                        shipped templates and their parameters
 *   build TEMPLATE PARAMS.json -o OUT.der     personalise one package
 *   dump FILE [--json]                        a human tree, or the JSON form
 *   convert FILE --to json|der [-o OUT]       DER <-> JSON form
 *   check FILE                                module constraints and profile rules
 *   batch TEMPLATE INPUT --out DIR [--hss FILE] [--generate-keys] [--op HEX] [--progress]
 * TEMPLATE is a shipped template's name or a template JSON file. FILE is DER or JSON form.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sm/err.h"
#include "sm/hex.h"
#include "sm/json.h"
#include "sm/secret.h"
#include "smctl.h"
#include "smpp/pp.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: smctl profile templates [--json]\n"
            "       smctl profile build TEMPLATE PARAMS.json -o OUT.der\n"
            "       smctl profile dump FILE [--json]\n"
            "       smctl profile convert FILE --to json|der [-o OUT]\n"
            "       smctl profile check FILE [--json]\n"
            "       smctl profile batch TEMPLATE INPUT --out DIR [--hss FILE] [--generate-keys]\n"
            "                           [--op HEX] [--progress]\n"
            "  TEMPLATE: a shipped template (smctl profile templates) or a template JSON file.\n"
            "  FILE: a package in DER or in its JSON form. INPUT: CSV with a header line naming\n"
            "  the parameters, or JSON lines. The HSS file (iccid,imsi,k,opc,amf,sqn) and the\n"
            "  packages are written with owner-only permissions.\n");
}

/* Whole file into b. */
static int slurp(const char *path, struct sm_buf *b)
{
    FILE *f = fopen(path, "rb");
    char chunk[65536];
    size_t n;
    int rc = 0;

    if (!f)
        return -errno;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && !rc)
        rc = sm_buf_append(b, chunk, n);
    fclose(f);
    return rc;
}

/* A package from DER or JSON form, as JSON. */
static int load_package(const char *path, json_t **pkg, struct sm_buf *der)
{
    struct sm_buf b = {.secure = true};
    struct sm_pp_error e;
    int rc = slurp(path, &b);

    if (rc) {
        fprintf(stderr, "smctl profile: %s: %s\n", path, sm_strerror(rc));
        sm_buf_clear_free(&b);
        return rc;
    }
    if (b.len && b.data[0] == '{') {
        json_error_t je;

        *pkg = json_loadb((const char *)b.data, b.len, JSON_REJECT_DUPLICATES, &je);
        if (!*pkg) {
            fprintf(stderr, "smctl profile: %s:%d: %s\n", path, je.line, je.text);
            rc = -EINVAL;
        } else if (der && (rc = sm_pp_json_to_der(*pkg, der, &e))) {
            fprintf(stderr, "smctl profile: %s: %s: %s\n", path, e.path, e.msg);
        }
    } else {
        rc = sm_pp_der_to_json(b.data, b.len, pkg, &e);
        if (rc)
            fprintf(stderr, "smctl profile: %s: offset %zu: %s\n", path, e.offset, e.msg);
        else if (der)
            rc = sm_buf_append(der, b.data, b.len);
    }
    sm_buf_clear_free(&b);
    return rc;
}

static int load_template(const char *name, struct sm_pp_template **t)
{
    struct sm_pp_error e;
    int rc = sm_pp_template_shipped(name, t, &e);

    if (rc == -ENOENT) {
        json_error_t je;
        json_t *j = json_load_file(name, JSON_REJECT_DUPLICATES, &je);

        if (!j) {
            fprintf(stderr,
                    "smctl profile: %s is neither a shipped template nor a readable "
                    "template file (%s)\n",
                    name, je.text);
            return -ENOENT;
        }
        rc = sm_pp_template_load(j, t, &e);
        json_decref(j);
    }
    if (rc)
        fprintf(stderr, "smctl profile: template %s: %s: %s\n", name, e.path, e.msg);
    return rc;
}

/* To path (created owner-only: packages hold K and OPc) or to standard output. */
static int write_out(const char *path, const void *data, size_t len)
{
    int fd = STDOUT_FILENO, rc = 0;

    if (path) {
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0 || fchmod(fd, 0600)) {
            rc = -errno;
            fprintf(stderr, "smctl profile: %s: %s\n", path, strerror(errno));
            if (fd >= 0)
                close(fd);
            return rc;
        }
    }
    for (size_t off = 0; off < len && !rc;) {
        ssize_t n = write(fd, (const char *)data + off, len - off);

        if (n < 0 && errno != EINTR)
            rc = -errno;
        else if (n > 0)
            off += (size_t)n;
    }
    if (path && close(fd) && !rc)
        rc = -EIO;
    if (rc)
        fprintf(stderr, "smctl profile: %s: %s\n", path ? path : "stdout", sm_strerror(rc));
    return rc;
}

static int cmd_templates(bool json)
{
    for (const char *const *n = sm_pp_template_names(); *n; n++) {
        struct sm_pp_template *t;
        const json_t *params;

        if (load_template(*n, &t))
            return SMCTL_FAILED;
        params = sm_pp_template_parameters(t);
        if (json) {
            json_t *o = json_pack("{s:s, s:O}", "template", *n, "parameters", params);
            char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;

            if (s)
                printf("%s\n", s);
            free(s);
            json_decref(o);
        } else {
            const char *k;
            json_t *d;

            printf("%s\n", *n);
            json_object_foreach((json_t *)params, k, d) {
                const char *def = json_string_value(json_object_get(d, "default"));
                const char *desc = json_string_value(json_object_get(d, "description"));

                printf("  %-18s %-7s %-9s %s", k, json_string_value(json_object_get(d, "type")),
                       json_is_true(json_object_get(d, "required")) ? "required" : "optional",
                       desc ? desc : "");
                if (def)
                    printf(" [default %s]", def);
                printf("\n");
            }
        }
        sm_pp_template_free(t);
    }
    return SMCTL_OK;
}

static int cmd_build(const char *tname, const char *params_path, const char *out)
{
    struct sm_pp_template *t;
    struct sm_buf der = {.secure = true};
    struct sm_pp_error e;
    json_error_t je;
    json_t *params;
    int rc;

    if (!out) {
        fprintf(stderr, "smctl profile build: -o OUT.der is required\n");
        return SMCTL_USAGE;
    }
    if (load_template(tname, &t))
        return SMCTL_FAILED;
    params = json_load_file(params_path, JSON_REJECT_DUPLICATES, &je);
    if (!params) {
        fprintf(stderr, "smctl profile: %s:%d: %s\n", params_path, je.line, je.text);
        sm_pp_template_free(t);
        return SMCTL_USAGE;
    }
    rc = sm_pp_personalise(t, params, &der, &e);
    if (rc)
        fprintf(stderr, "smctl profile build: %s: %s\n", e.path, e.msg);
    else
        rc = write_out(out, der.data, der.len);
    if (!rc)
        printf("%s: %zu bytes\n", out, der.len);
    json_decref(params);
    sm_buf_clear_free(&der);
    sm_pp_template_free(t);
    return rc ? SMCTL_FAILED : SMCTL_OK;
}

/* Human tree: one line per field, nested by indentation. */
static void tree(const char *name, const json_t *v, int depth)
{
    const char *k;
    json_t *m;
    size_t i;

    printf("%*s%s", 2 * depth, "", name);
    if (json_is_object(v)) {
        printf("\n");
        json_object_foreach((json_t *)v, k, m)
            tree(k, m, depth + 1);
    } else if (json_is_array(v)) {
        printf(" [%zu]\n", json_array_size(v));
        json_array_foreach(v, i, m) {
            char idx[32];

            snprintf(idx, sizeof(idx), "[%zu]", i);
            tree(idx, m, depth + 1);
        }
    } else if (json_is_string(v)) {
        printf(": %s\n", json_string_value(v));
    } else if (json_is_integer(v)) {
        printf(": %lld\n", (long long)json_integer_value(v));
    } else if (json_is_boolean(v)) {
        printf(": %s\n", json_is_true(v) ? "true" : "false");
    } else {
        printf("\n");
    }
}

static int cmd_dump(const char *path, bool json)
{
    json_t *pkg = NULL, *pe;
    size_t i;

    if (load_package(path, &pkg, NULL))
        return SMCTL_FAILED;
    if (json) {
        char *s = json_dumps(pkg, JSON_INDENT(1));

        if (s)
            printf("%s\n", s);
        free(s);
    } else {
        json_array_foreach(json_object_get(pkg, "profileElements"), i, pe) {
            const char *k;
            json_t *v;

            json_object_foreach(pe, k, v) {
                char head[64];

                snprintf(head, sizeof(head), "[%zu] %s", i, k);
                tree(head, v, 0);
                break;
            }
        }
    }
    json_decref(pkg);
    return SMCTL_OK;
}

static int cmd_convert(const char *path, const char *to, const char *out)
{
    struct sm_buf der = {.secure = true};
    json_t *pkg = NULL;
    int rc;

    if (!to || (strcmp(to, "json") && strcmp(to, "der"))) {
        fprintf(stderr, "smctl profile convert: --to json or --to der\n");
        return SMCTL_USAGE;
    }
    rc = load_package(path, &pkg, &der);
    if (!rc && !strcmp(to, "der")) {
        rc = write_out(out, der.data, der.len);
    } else if (!rc) {
        char *s = json_dumps(pkg, JSON_INDENT(1));

        rc = s ? write_out(out, s, strlen(s)) : -ENOMEM;
        if (!rc && !out)
            printf("\n");
        free(s);
    }
    json_decref(pkg);
    sm_buf_clear_free(&der);
    return rc ? SMCTL_FAILED : SMCTL_OK;
}

static int cmd_check(const char *path, bool json)
{
    struct sm_buf der = {.secure = true};
    struct sm_pp_report rep;
    struct sm_pp_stats st;
    struct sm_pp_error e;
    json_t *pkg = NULL;
    int n, vrc;

    if (load_package(path, &pkg, &der))
        return SMCTL_FAILED;
    vrc = sm_pp_validate(der.data, der.len, &st, &e);
    n = sm_pp_check(pkg, &rep);
    if (json) {
        json_t *o = json_pack("{s:s, s:i, s:i, s:i, s:i, s:[]}", "file", path, "elements",
                              st.elements, "described", st.described, "unknown", st.unknown,
                              "invalid", st.invalid, "problems");

        if (vrc)
            json_array_append_new(json_object_get(o, "problems"),
                                  json_pack("{s:s, s:s}", "path", e.path, "message", e.msg));
        for (size_t i = 0; i < rep.n; i++)
            json_array_append_new(json_object_get(o, "problems"),
                                  json_pack("{s:s, s:s}", "path", rep.problems[i].path, "message",
                                            rep.problems[i].msg));
        {
            char *s = json_dumps(o, JSON_COMPACT);

            printf("%s\n", s);
            free(s);
        }
        json_decref(o);
    } else {
        printf("%s: %u elements (%u described by the module, %u not)\n", path, st.elements,
               st.described, st.unknown);
        if (vrc)
            printf("  %s: %s\n", e.path, e.msg);
        for (size_t i = 0; i < rep.n; i++)
            printf("  %s: %s\n", rep.problems[i].path, rep.problems[i].msg);
        printf("%d problem%s\n", n + (vrc ? 1 : 0), n + (vrc ? 1 : 0) == 1 ? "" : "s");
    }
    sm_pp_report_free(&rep);
    json_decref(pkg);
    sm_buf_clear_free(&der);
    return n > 0 || vrc ? SMCTL_FAILED : SMCTL_OK;
}

static void progress_bar(void *arg, size_t done, size_t total)
{
    int width = 40, fill;

    if (!total)
        return;
    fill = (int)((double)done / (double)total * width);
    if (done != total && done % 64)
        return;
    fprintf(stderr, "\r[%.*s%*s] %zu/%zu", fill, "########################################",
            width - fill, "", done, total);
    if (done >= total)
        fprintf(stderr, "\n");
}

static int cmd_batch(const char *tname, const char *input, const char *outdir, const char *hss,
                     bool gen, const char *op_hex, bool progress)
{
    struct sm_pp_batch_opts o = {.input = input,
                                 .outdir = outdir,
                                 .hss_path = hss,
                                 .generate_keys = gen,
                                 .rng = &sm_rng_system};
    struct sm_pp_batch_result r;
    struct sm_pp_template *t;
    uint8_t op[16];
    int rc;

    if (!outdir) {
        fprintf(stderr, "smctl profile batch: --out DIR is required\n");
        return SMCTL_USAGE;
    }
    if (op_hex) {
        if (sm_hex_decode(op_hex, op, 16) != 16) {
            fprintf(stderr, "smctl profile batch: --op takes 32 hex digits\n");
            return SMCTL_USAGE;
        }
        o.op = op;
    }
    if (mkdir(outdir, 0700) && errno != EEXIST) {
        fprintf(stderr, "smctl profile batch: %s: %s\n", outdir, strerror(errno));
        return SMCTL_FAILED;
    }
    if (load_template(tname, &t))
        return SMCTL_FAILED;
    if (progress || isatty(STDERR_FILENO)) {
        o.progress = progress_bar;
    }
    rc = sm_pp_batch(t, &o, &r);
    sm_wipe(op, sizeof(op));
    sm_pp_template_free(t);
    printf("%zu packages written to %s, %zu lines failed%s%s\n", r.done, outdir, r.failed,
           r.first_error[0] ? "; first: " : "", r.first_error);
    if (rc)
        fprintf(stderr, "smctl profile batch: %s\n", sm_strerror(rc));
    return rc || r.failed ? SMCTL_FAILED : SMCTL_OK;
}

int smctl_profile(int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
                                         {"out", required_argument, NULL, 'O'},
                                         {"to", required_argument, NULL, 't'},
                                         {"hss", required_argument, NULL, 'H'},
                                         {"generate-keys", no_argument, NULL, 'g'},
                                         {"op", required_argument, NULL, 'p'},
                                         {"progress", no_argument, NULL, 'P'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *out = NULL, *to = NULL, *hss = NULL, *op = NULL, *outdir = NULL, *cmd;
    bool json = false, gen = false, progress = false;
    int o, nargs;
    char **args;

    sm_json_use_wiping_allocator();
    optind = 0;
    while ((o = getopt_long(argc, argv, "o:jh", opts, NULL)) != -1) {
        switch (o) {
        case 'o':
            out = optarg;
            break;
        case 'O':
            outdir = optarg;
            break;
        case 'j':
            json = true;
            break;
        case 't':
            to = optarg;
            break;
        case 'H':
            hss = optarg;
            break;
        case 'g':
            gen = true;
            break;
        case 'p':
            op = optarg;
            break;
        case 'P':
            progress = true;
            break;
        case 'h':
            usage(stdout);
            return SMCTL_OK;
        default:
            usage(stderr);
            return SMCTL_USAGE;
        }
    }
    args = argv + optind;
    nargs = argc - optind;
    cmd = nargs > 0 ? args[0] : "";
    if (!strcmp(cmd, "templates") && nargs == 1)
        return cmd_templates(json);
    if (!strcmp(cmd, "build") && nargs == 3)
        return cmd_build(args[1], args[2], out);
    if (!strcmp(cmd, "dump") && nargs == 2)
        return cmd_dump(args[1], json);
    if (!strcmp(cmd, "convert") && nargs == 2)
        return cmd_convert(args[1], to, out);
    if (!strcmp(cmd, "check") && nargs == 2)
        return cmd_check(args[1], json);
    if (!strcmp(cmd, "batch") && nargs == 3)
        return cmd_batch(args[1], args[2], outdir, hss, gen, op, progress);
    usage(stderr);
    return SMCTL_USAGE;
}
