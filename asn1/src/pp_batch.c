/* SPDX-License-Identifier: Apache-2.0 */
/* Batch personalisation: an operator's subscription file in, one package per line and the HSS
 * file out. Streams line by line; key material is wiped from every buffer it passes through. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pp_internal.h"
#include "sm/hex.h"
#include "sm/milenage.h"
#include "sm/secret.h"

#define MAX_COLS       32
#define LINE_MAX_BYTES 4096

static void note(struct sm_pp_batch_result *r, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void note(struct sm_pp_batch_result *r, size_t line, const char *fmt, ...)
{
    va_list ap;
    int n;

    r->failed++;
    if (r->first_error[0])
        return;
    n = snprintf(r->first_error, sizeof(r->first_error), "line %zu: ", line);
    va_start(ap, fmt);
    vsnprintf(r->first_error + n, sizeof(r->first_error) - (size_t)n, fmt, ap);
    va_end(ap);
}

/* Split a CSV line in place (no quoting: identifiers, digits and hex need none). */
static int split(char *line, char **cols, int max)
{
    int n = 0;
    char *p = line;

    for (;;) {
        char *c = strchr(p, ',');

        if (n == max)
            return -1;
        cols[n++] = p;
        if (!c)
            break;
        *c = 0;
        p = c + 1;
    }
    return n;
}

static void chomp(char *s)
{
    size_t n = strlen(s);

    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
        s[--n] = 0;
}

/* Write data to a new file path with mode 0600: written under a temporary name, then linked,
 * so a reader never sees half a package and an existing package (a duplicate ICCID, or an
 * earlier run) is never replaced. */
static int write_private(const char *path, const uint8_t *data, size_t len)
{
    char tmp[1100];
    int fd, rc = 0;

    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    if (fchmod(fd, 0600) || write(fd, data, len) != (ssize_t)len)
        rc = -EIO;
    if (close(fd) && !rc)
        rc = -EIO;
    if (!rc && link(tmp, path))
        rc = -errno;
    unlink(tmp);
    return rc;
}

static size_t count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    size_t n = 0;
    int c, last = '\n';

    if (!f)
        return 0;
    while ((c = getc(f)) != EOF) {
        if (c == '\n')
            n++;
        last = c;
    }
    if (last != '\n')
        n++;
    fclose(f);
    return n;
}

/* Fill in K and OPc when asked to generate them. */
static int complete_keys(json_t *p, const struct sm_pp_batch_opts *o)
{
    uint8_t k[16], opc[16];
    char hex[33];
    int rc = 0;

    if (!o->generate_keys)
        return 0;
    if (!json_object_get(p, "k")) {
        rc = sm_rng_bytes(o->rng, k, 16);
        if (rc)
            return rc;
        sm_hex_encode(k, 16, hex);
        json_object_set_new(p, "k", json_string(hex));
    } else if (sm_hex_decode(json_string_value(json_object_get(p, "k")), k, 16) != 16) {
        return -EINVAL;
    }
    if (!json_object_get(p, "opc")) {
        rc = o->op ? sm_milenage_opc(k, o->op, opc) : sm_rng_bytes(o->rng, opc, 16);
        if (!rc) {
            sm_hex_encode(opc, 16, hex);
            json_object_set_new(p, "opc", json_string(hex));
        }
    }
    sm_wipe(k, sizeof(k));
    sm_wipe(opc, sizeof(opc));
    sm_wipe(hex, sizeof(hex));
    return rc;
}

static const char *param(const json_t *p, const struct sm_pp_template *t, const char *name)
{
    const char *v = json_string_value(json_object_get(p, name));
    const json_t *decl = json_object_get(sm_pp_template_parameters(t), name);

    return v ? v : json_string_value(json_object_get(decl, "default"));
}

int sm_pp_batch(struct sm_pp_template *t, const struct sm_pp_batch_opts *o,
                struct sm_pp_batch_result *r)
{
    char *line = malloc(LINE_MAX_BYTES), *cols[MAX_COLS], *names[MAX_COLS];
    char header[LINE_MAX_BYTES];
    struct sm_buf der = {.secure = true}, hss = {.secure = true};
    size_t total = o->stream ? 0 : count_lines(o->input), lineno = 0;
    int ncols = 0, hss_fd = -1, rc = 0;
    bool jsonl = false, first = true;
    FILE *in;

    memset(r, 0, sizeof(*r));
    if (!line)
        return -ENOMEM;
    in = o->stream ? o->stream : fopen(o->input, "r");
    if (!in) {
        free(line);
        return -errno;
    }
    if (o->hss_path) {
        hss_fd = open(o->hss_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (hss_fd < 0) {
            rc = -errno;
            goto out;
        }
        /* an existing file keeps its mode through O_TRUNC: make it owner-only first */
        if (fchmod(hss_fd, 0600) || write(hss_fd, "iccid,imsi,k,opc,amf,sqn\n", 25) != 25) {
            rc = -EIO;
            goto out;
        }
    }
    while (fgets(line, LINE_MAX_BYTES, in)) {
        json_t *p = NULL;
        struct sm_pp_error e;
        char path[1024];
        const char *iccid;

        lineno++;
        if (o->progress && lineno > 1)
            o->progress(o->arg, lineno - 1, total);
        if (!strchr(line, '\n') && !feof(in)) {
            int c;

            while ((c = getc(in)) != EOF && c != '\n')
                ;
            note(r, lineno, "line longer than %d bytes", LINE_MAX_BYTES - 2);
            continue;
        }
        chomp(line);
        if (!line[0] || line[0] == '#')
            continue;
        if (first) {
            first = false;
            jsonl = line[0] == '{';
            if (!jsonl) {
                /* the header line names the parameters */
                snprintf(header, sizeof(header), "%s", line);
                ncols = split(header, names, MAX_COLS);
                if (ncols < 1) {
                    note(r, lineno, "header line with too many columns");
                    rc = -EINVAL;
                    goto out;
                }
                continue;
            }
        }
        if (jsonl) {
            json_error_t je;

            p = json_loads(line, JSON_REJECT_DUPLICATES, &je);
            if (!json_is_object(p)) {
                note(r, lineno, "not a JSON object: %s", je.text);
                json_decref(p);
                continue;
            }
            if (o->fixed)
                json_object_update_missing(p, (json_t *)o->fixed);
        } else {
            int n = split(line, cols, MAX_COLS);

            if (n != ncols) {
                note(r, lineno, "%d columns, the header has %d", n, ncols);
                sm_wipe(line, LINE_MAX_BYTES);
                continue;
            }
            p = o->fixed ? json_deep_copy(o->fixed) : json_object();
            for (int i = 0; p && i < n; i++)
                if (cols[i][0]) /* an empty cell takes the template's default */
                    json_object_set_new(p, names[i], json_string(cols[i]));
        }
        sm_wipe(line, LINE_MAX_BYTES);
        if (!p || complete_keys(p, o)) {
            note(r, lineno, "cannot complete the keys");
            json_decref(p);
            continue;
        }
        sm_buf_reset(&der);
        if (sm_pp_personalise(t, p, &der, &e)) {
            note(r, lineno, "%s: %s", e.path, e.msg);
            json_decref(p);
            continue;
        }
        iccid = param(p, t, "iccid");
        if (o->sink) {
            rc = o->sink(o->arg, p, &der);
            if (rc) {
                note(r, lineno, "%s: %s", iccid, strerror(-rc));
                json_decref(p);
                goto out;
            }
        } else {
            snprintf(path, sizeof(path), "%s/%s.der", o->outdir, iccid);
            rc = write_private(path, der.data, der.len);
        }
        if (rc == -EEXIST) {
            note(r, lineno, "%s exists already (duplicate ICCID?), not replaced", path);
            json_decref(p);
            rc = 0;
            continue;
        }
        if (rc) {
            note(r, lineno, "cannot write %s: %s", path, strerror(-rc));
            json_decref(p);
            goto out;
        }
        if (hss_fd >= 0) {
            sm_buf_reset(&hss);
            sm_buf_printf(&hss, "%s,%s,%s,%s,%s,000000000000\n", iccid, param(p, t, "imsi"),
                          param(p, t, "k"), param(p, t, "opc"),
                          param(p, t, "amf") ? param(p, t, "amf") : "8000");
            if (write(hss_fd, hss.data, hss.len) != (ssize_t)hss.len) {
                rc = -EIO;
                json_decref(p);
                goto out;
            }
        }
        json_decref(p);
        r->done++;
    }
    if (o->progress)
        o->progress(o->arg, total, total);
out:
    if (hss_fd >= 0 && close(hss_fd) && !rc)
        rc = -EIO;
    if (!o->stream)
        fclose(in);
    sm_wipe(line, LINE_MAX_BYTES);
    free(line);
    sm_buf_clear_free(&der);
    sm_buf_clear_free(&hss);
    return rc;
}
