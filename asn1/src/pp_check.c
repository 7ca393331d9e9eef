/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Checks of a profile package (smctl profile check), on its JSON form: what a card would refuse
 * or silently get wrong. Each problem names the element and field. The rules come from the
 * SAIP format (element order, identification numbers, file content within the file, services
 * declared in the header) and from the identifiers' own encodings.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pp_internal.h"
#include "sm/hex.h"
#include "sm/ids.h"

static int add(struct sm_pp_report *r, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int add(struct sm_pp_report *r, const char *path, const char *fmt, ...)
{
    va_list ap;

    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 16;
        struct sm_pp_problem *p = realloc(r->problems, cap * sizeof(*p));

        if (!p)
            return -ENOMEM;
        r->problems = p;
        r->cap = cap;
    }
    snprintf(r->problems[r->n].path, sizeof(r->problems[0].path), "%s", path);
    va_start(ap, fmt);
    vsnprintf(r->problems[r->n].msg, sizeof(r->problems[0].msg), fmt, ap);
    va_end(ap);
    r->n++;
    return 0;
}

void sm_pp_report_free(struct sm_pp_report *rep)
{
    free(rep->problems);
    memset(rep, 0, sizeof(*rep));
}

/* The alternative name of element pe, or NULL for a raw one. */
static const char *kind_of(const json_t *pe, json_t **body)
{
    const char *k;
    json_t *v;

    json_object_foreach((json_t *)pe, k, v) {
        if (k[0] == '_')
            return NULL;
        *body = v;
        return k;
    }
    return NULL;
}

static long hex_bytes(const char *s, uint8_t *out, size_t max)
{
    return s ? sm_hex_decode(s, out, max) : -1;
}

/* Unsigned big-endian value of a hex field (efFileSize). */
static long hex_uint(const char *s)
{
    uint8_t b[4];
    long n = hex_bytes(s, b, sizeof(b)), v = 0;

    if (n <= 0)
        return -1;
    for (long i = 0; i < n; i++)
        v = v << 8 | b[i];
    return v;
}

/* Walk a File (array of CHOICE items): content must stay inside the declared size. */
static int check_file(struct sm_pp_report *r, const json_t *file, const char *path)
{
    long size = -1, pos = 0;
    size_t i;
    json_t *item;
    char p[700];

    if (!json_is_array(file))
        return 0;
    json_array_foreach(file, i, item) {
        json_t *fcp = json_object_get(item, "fileDescriptor");
        json_t *fcp2 = json_object_get(item, "createFCP");
        json_t *off = json_object_get(item, "fillFileOffset");
        const char *content = json_string_value(json_object_get(item, "fillFileContent"));

        snprintf(p, sizeof(p), "%s[%zu]", path, i);
        if (!fcp)
            fcp = fcp2;
        if (fcp) {
            const char *fs = json_string_value(json_object_get(fcp, "efFileSize"));

            size = fs ? hex_uint(fs) : -1;
            pos = 0;
            if (fs && size < 0) {
                int rc = add(r, p, "efFileSize '%s' is not a size", fs);
                if (rc)
                    return rc;
            }
        } else if (json_is_integer(off)) {
            pos += (long)json_integer_value(off);
        } else if (content) {
            long n = (long)strlen(content) / 2;

            if (!sm_hex_valid(content) && *content) {
                int rc = add(r, p, "fillFileContent is not hex");
                if (rc)
                    return rc;
            }
            pos += n;
        }
        if (size >= 0 && pos > size) {
            int rc = add(r, p, "content reaches byte %ld of a %ld-byte file", pos, size);

            if (rc)
                return rc;
            size = -1; /* once per file */
        }
    }
    return 0;
}

/* Does this array look like a File (items that are File alternatives)? */
static bool is_file(const json_t *a)
{
    size_t i;
    json_t *item;

    json_array_foreach(a, i, item) {
        if (!json_is_object(item) || json_object_size(item) != 1)
            return false;
        if (!json_object_get(item, "fileDescriptor") && !json_object_get(item, "fillFileOffset") &&
            !json_object_get(item, "fillFileContent") && !json_object_get(item, "doNotCreate"))
            return false;
    }
    return true;
}

/* The fillFileContent that follows the first FCP of a File, if any. */
static const char *first_content(const json_t *file)
{
    size_t i;
    json_t *item;

    json_array_foreach(file, i, item) {
        const char *c = json_string_value(json_object_get(item, "fillFileContent"));
        if (c)
            return c;
    }
    return NULL;
}

/* Elements that build the file system: they need the MF created first. */
static bool is_fs(const char *k)
{
    static const char *const fs[] = {"cd",       "telecom",   "usim",       "opt-usim", "isim",
                                     "opt-isim", "phonebook", "gsm-access", "df-5gs",   "df-saip",
                                     "csim",     "opt-csim",  "eap"};

    for (size_t i = 0; i < sizeof(fs) / sizeof(fs[0]); i++)
        if (!strcmp(k, fs[i]))
            return true;
    return false;
}

int sm_pp_check(const json_t *pkg, struct sm_pp_report *rep)
{
    const json_t *pes = json_object_get(pkg, "profileElements"), *pe;
    const json_t *header = NULL, *services = NULL;
    long ids[512];
    size_t nids = 0, i, n;
    bool puks[256] = {false}, seen_gfm = false;
    bool seen_mf = false, seen_usim = false, seen_isim = false, seen_aka = false;
    int algo = -1, rc = 0;
    char path[300];
    char hdr_iccid[SM_ICCID_MAX_DIGITS + 1] = "";

#define ADD(...)                                                                                   \
    do {                                                                                           \
        if ((rc = add(rep, __VA_ARGS__)))                                                          \
            return rc;                                                                             \
    } while (0)

    memset(rep, 0, sizeof(*rep));
    if (!json_is_array(pes) || json_array_size(pes) == 0) {
        ADD("profileElements", "no profile elements");
        return (int)rep->n;
    }
    n = json_array_size(pes);
    json_array_foreach(pes, i, pe) {
        json_t *body = NULL;
        const char *k = kind_of(pe, &body), *key;
        json_t *m;

        snprintf(path, sizeof(path), "profileElements[%zu]", i);
        if (!k)
            continue; /* an element the module does not describe: nothing to check */
        snprintf(path, sizeof(path), "profileElements[%zu].%s", i, k);
        /* order: header first and only there, end last and only there */
        if (!strcmp(k, "header")) {
            const char *ic = json_string_value(json_object_get(body, "iccid"));
            uint8_t b[10];

            if (i != 0)
                ADD(path, "the header must be the first element");
            if (header)
                ADD(path, "a second header");
            header = body;
            if (!ic || hex_bytes(ic, b, 10) != 10 || sm_iccid_from_saip(b, hdr_iccid)) {
                hdr_iccid[0] = 0;
                ADD(path, "iccid is not a valid ICCID in natural BCD");
            }
            continue;
        }
        if (i == 0)
            ADD(path, "the first element must be the header");
        if (!strcmp(k, "end") && i != n - 1)
            ADD(path, "end must be the last element");
        if (i == n - 1 && strcmp(k, "end"))
            ADD(path, "the last element must be end");
        seen_gfm |= !strcmp(k, "genericFileManagement");
        if (!strcmp(k, "mf"))
            seen_mf = true;
        else if (is_fs(k) && !seen_mf)
            ADD(path, "file system element before the MF is created");
        if (!strcmp(k, "opt-usim") || !strcmp(k, "gsm-access") || !strcmp(k, "df-5gs") ||
            !strcmp(k, "df-saip")) {
            if (!seen_usim)
                ADD(path, "%s comes before the usim element it belongs to", k);
        }
        if (!strcmp(k, "opt-isim") && !seen_isim)
            ADD(path, "opt-isim comes before the isim element");
        seen_usim |= !strcmp(k, "usim");
        seen_isim |= !strcmp(k, "isim");
        /* identification numbers unique */
        json_object_foreach(body, key, m) {
            json_t *id = json_object_get(m, "identification");

            if (!json_is_object(m) || !json_is_integer(id))
                continue;
            for (size_t j = 0; j < nids; j++)
                if (ids[j] == (long)json_integer_value(id))
                    ADD(path, "identification %ld already used by another element",
                        (long)json_integer_value(id));
            if (nids < sizeof(ids) / sizeof(ids[0]))
                ids[nids++] = (long)json_integer_value(id);
            break;
        }
        /* every File (template PEs) and every file management command */
        json_object_foreach(body, key, m) {
            char fp[640];

            snprintf(fp, sizeof(fp), "%s.%s", path, key);
            if (json_is_array(m) && strcmp(key, "fileManagementCMD") && is_file(m)) {
                rc = check_file(rep, m, fp);
                if (rc)
                    return rc;
            }
        }
        if (!strcmp(k, "genericFileManagement")) {
            json_t *cmds = json_object_get(body, "fileManagementCMD"), *cmd;
            size_t c;

            json_array_foreach(cmds, c, cmd) {
                char fp[640];

                snprintf(fp, sizeof(fp), "%s.fileManagementCMD[%zu]", path, c);
                rc = check_file(rep, cmd, fp);
                if (rc)
                    return rc;
            }
        }
        /* identifiers in the file system */
        if (!strcmp(k, "mf")) {
            const char *ef = first_content(json_object_get(body, "ef-iccid"));
            uint8_t b[10];
            char iccid[SM_ICCID_MAX_DIGITS + 1];

            if (ef) {
                if (hex_bytes(ef, b, 10) != 10 || sm_iccid_from_ef(b, iccid))
                    ADD(path, "ef-iccid does not hold a valid ICCID");
                else if (hdr_iccid[0] && strcmp(iccid, hdr_iccid))
                    ADD(path, "ef-iccid holds ICCID %s, the header %s", iccid, hdr_iccid);
            }
        }
        if (!strcmp(k, "usim")) {
            const char *ef = first_content(json_object_get(body, "ef-imsi"));
            uint8_t b[9];
            char imsi[SM_IMSI_MAX_DIGITS + 1];

            if (ef && (hex_bytes(ef, b, 9) != 9 || sm_imsi_from_ef(b, imsi)))
                ADD(path, "ef-imsi is not a valid EF.IMSI encoding");
        }
        /* PUKs, then PINs that name them */
        if (!strcmp(k, "pukCodes")) {
            json_t *list = json_object_get(body, "pukCodes"), *p;
            size_t j;

            json_array_foreach(list, j, p) {
                long ref = (long)json_integer_value(json_object_get(p, "keyReference"));
                if (ref > 0 && ref < 256)
                    puks[ref] = true;
            }
        }
        if (!strcmp(k, "pinCodes")) {
            json_t *list = json_object_get(json_object_get(body, "pinCodes"), "pinconfig"), *p;
            size_t j;

            json_array_foreach(list, j, p) {
                json_t *u = json_object_get(p, "unblockingPINReference");
                long ref = (long)json_integer_value(u);

                if (u && (ref <= 0 || ref >= 256 || !puks[ref]))
                    ADD(path, "pinconfig[%zu] names PUK %ld, not defined before it", j, ref);
            }
        }
        if (!strcmp(k, "akaParameter")) {
            json_t *ap =
                json_object_get(json_object_get(body, "algoConfiguration"), "algoParameter");
            seen_aka = true;
            if (ap) {
                uint8_t tmp[80];
                const char *key_hex = json_string_value(json_object_get(ap, "key"));
                const char *opc = json_string_value(json_object_get(ap, "opc"));
                const char *rot = json_string_value(json_object_get(ap, "rotationConstants"));
                const char *xr = json_string_value(json_object_get(ap, "xoringConstants"));

                algo = (int)json_integer_value(json_object_get(ap, "algorithmID"));
                if (algo == 1) {
                    if (hex_bytes(key_hex, tmp, 16) != 16)
                        ADD(path, "MILENAGE needs a 16-byte key");
                    if (hex_bytes(opc, tmp, 16) != 16)
                        ADD(path, "MILENAGE needs a 16-byte OPc");
                    if (rot && hex_bytes(rot, tmp, 5) != 5)
                        ADD(path, "rotationConstants must be 5 bytes");
                    if (xr && hex_bytes(xr, tmp, 80) != 80)
                        ADD(path, "xoringConstants must be 80 bytes");
                }
            }
        }
    }
    /* header: ICCID, services against the elements present */
    if (header) {
        services = json_object_get(header, "eUICC-Mandatory-services");
        if (seen_usim && !json_object_get(services, "usim"))
            ADD("profileElements[0].header.eUICC-Mandatory-services",
                "a usim element is present but the usim service is not declared");
        /* without a usim element the ADF may still come from file management commands */
        if (!seen_usim && !seen_gfm && json_object_get(services, "usim"))
            ADD("profileElements[0].header.eUICC-Mandatory-services",
                "usim is declared but no usim element is present");
        if (seen_isim && !json_object_get(services, "isim"))
            ADD("profileElements[0].header.eUICC-Mandatory-services",
                "an isim element is present but the isim service is not declared");
        if (algo == 1 && !json_object_get(services, "milenage"))
            ADD("profileElements[0].header.eUICC-Mandatory-services",
                "MILENAGE parameters are present but the milenage service is not declared");
        if (algo == 3 && !json_object_get(services, "usim-test-algorithm"))
            ADD("profileElements[0].header.eUICC-Mandatory-services",
                "the test algorithm is used but usim-test-algorithm is not declared");
    } else {
        ADD("profileElements[0]", "no header element");
    }
    if ((seen_usim || seen_isim) && !seen_aka)
        ADD("profileElements", "an NAA is present but no akaParameter element");
    if (!seen_mf && !seen_gfm)
        ADD("profileElements", "no mf element and no file management to create the MF");
#undef ADD
    return (int)rep->n;
}
