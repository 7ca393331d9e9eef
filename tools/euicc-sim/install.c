/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Profile package installation (TCA eUICC Profile Package: Interoperable Format; es8 spec 3).
 * Elements are read as BER-TLVs with the format's context tags, so that template elements the
 * project's ASN.1 module does not describe (csim, opt-csim, eap ...) install as well: the file
 * of a template is found by its position (automatic tags: [2] is the template's first file).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "install.h"
#include "sm/hex.h"
#include "sm/ids.h"
#include "sm/tlv.h"
#include "usim.h"

/* ProfileElement tags (es8 spec 3.1) */
enum {
    PE_HEADER = 0xA0,
    PE_GFM = 0xA1,
    PE_PIN = 0xA2,
    PE_PUK = 0xA3,
    PE_AKA = 0xA4,
    PE_CDMA = 0xA5,
    PE_SD = 0xA6,
    PE_RFM = 0xA7,
    PE_APPLICATION = 0xA8,
    PE_NONSTANDARD = 0xA9,
    PE_END = 0xAA,
};

/* Services this card offers (header eUICC-Mandatory-services, context tag numbers):
 * usim 1, isim 2, csim 3, milenage 4, javacard 11, usim-test-algorithm 17, ber-tlv 18,
 * get-identity 21, profile-a-x25519 22, profile-b-p256 23. Not offered: contactless 0,
 * tuak128 5, cave 6, gba 7/8, mbms 9, eap 10, multos 12, multiple NAAs 13-15, tuak256 16,
 * dfLink 19, cat-tp 20. */
static const uint32_t services_offered = 1u << 1 | 1u << 2 | 1u << 3 | 1u << 4 | 1u << 11 |
                                         1u << 17 | 1u << 18 | 1u << 21 | 1u << 22 | 1u << 23;

static int fail(struct sim_install *in, uint8_t status, const struct sm_tlv *at,
                const uint8_t *pe_start, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int fail(struct sim_install *in, uint8_t status, const struct sm_tlv *at,
                const uint8_t *pe_start, const char *fmt, ...)
{
    va_list ap;

    if (!in->failed) {
        in->failed = true;
        in->status = status;
        in->pe_offset = at && pe_start ? (uint32_t)(at->value - pe_start) : 0;
        va_start(ap, fmt);
        vsnprintf(in->msg, sizeof(in->msg), fmt, ap);
        va_end(ap);
        if (getenv("SIM_DEBUG_INSTALL"))
            fprintf(stderr, "install: status %u id %u: %s\n", status, in->id, in->msg);
    }
    return -EINVAL;
}

struct sim_install *sim_install_new(size_t limit)
{
    struct sim_install *in = calloc(1, sizeof(*in));

    if (!in)
        return NULL;
    in->pending.secure = true;
    in->pending.limit = SIM_PE_MAX + 4096;
    in->limit = limit;
    in->fs = sim_fs_new();
    if (!in->fs) {
        free(in);
        return NULL;
    }
    return in;
}

void sim_install_free(struct sim_install *in)
{
    if (!in)
        return;
    sm_buf_clear_free(&in->pending);
    sim_fs_free(in->fs);
    sm_wipe(in, sizeof(*in));
    free(in);
}

const struct sim_aka *sim_aka_find(const struct sim_aka *aka, unsigned n, const uint8_t *aid,
                                   size_t aid_len)
{
    for (unsigned hops = 0; hops < SIM_MAX_NAA; hops++) {
        const struct sim_aka *hit = NULL;

        for (unsigned i = 0; i < n && !hit; i++)
            if (!aid || (aka[i].adf_aid_len >= aid_len && aid_len >= 5 &&
                         !memcmp(aka[i].adf_aid, aid, aid_len)))
                hit = &aka[i];
        if (!hit || !hit->map_aid_len)
            return hit;
        /* a mappingParameter: the NAA uses the AKA of another (ISIM on the USIM's keys) */
        aid = hit->map_aid;
        aid_len = hit->map_aid_len;
    }
    return NULL;
}

/* ---- small readers ---- */

static bool ctx_tag(uint32_t tag, unsigned *num)
{
    /* one byte: class bits 10 (context), number < 31; two/three bytes: 9F/BF xx [yy] */
    if (tag <= 0xFF) {
        if ((tag & 0xC0) != 0x80 || (tag & 0x1F) == 0x1F)
            return false;
        *num = tag & 0x1F;
        return true;
    }
    if (tag <= 0xFFFF) {
        if (((tag >> 8) & 0xDF) != 0x9F || (tag & 0x80))
            return false;
        *num = tag & 0x7F;
        return true;
    }
    if (((tag >> 16) & 0xDF) != 0x9F || !(tag & 0x8000) || (tag & 0x80))
        return false;
    *num = ((tag >> 8) & 0x7F) << 7 | (tag & 0x7F);
    return true;
}

static uint32_t be_uint(const uint8_t *p, size_t n)
{
    uint32_t v = 0;

    for (size_t i = 0; i < n && i < 4; i++)
        v = v << 8 | p[i];
    return v;
}

static void oid_text(const uint8_t *p, size_t n, char *out, size_t size)
{
    unsigned long arc = 0;
    size_t used = 0;
    bool first = true;

    out[0] = 0;
    for (size_t i = 0; i < n && used < size; i++) {
        arc = arc << 7 | (p[i] & 0x7F);
        if (p[i] & 0x80)
            continue;
        if (first) {
            unsigned long a = arc < 80 ? arc / 40 : 2;

            used += (size_t)snprintf(out + used, size - used, "%lu.%lu", a, arc - 40 * a);
            first = false;
        } else {
            used += (size_t)snprintf(out + used, size - used, ".%lu", arc);
        }
        arc = 0;
    }
}

/* PEHeader: A0 {[80 00] 81 identification}. */
static int pe_header(struct sim_install *in, const struct sm_tlv *pe, const struct sm_tlv *h,
                     bool *mandated)
{
    struct sm_decode_err de;
    struct sm_tlv t;
    size_t pos = 0;
    bool have_id = false;
    int rc;

    *mandated = false;
    if (h->tag != 0xA0)
        return fail(in, SIM_PE_INVALID_FORMAT, h, pe->value, "element without its header");
    while ((rc = sm_tlv_next(h->value, h->len, &pos, &t, &de)) == 0) {
        if (t.tag == 0x80 && t.len == 0) {
            *mandated = true;
        } else if (t.tag == 0x81 && t.len >= 1 && t.len <= 2) {
            in->id = (uint16_t)be_uint(t.value, t.len);
            in->has_id = true;
            have_id = true;
        }
    }
    if (rc != -ENODATA || !have_id)
        return fail(in, SIM_PE_INVALID_FORMAT, h, pe->value, "malformed element header");
    for (unsigned i = 0; i < in->nids; i++)
        if (in->ids[i] == in->id)
            return fail(in, SIM_PE_BAD_VALUES, h, pe->value, "identification %u used twice",
                        in->id);
    if (in->nids < sizeof(in->ids) / sizeof(in->ids[0]))
        in->ids[in->nids++] = in->id;
    return 0;
}

/* ---- files: Fcp (TS 102 222 CREATE FILE parameters as SAIP carries them) ---- */

struct fcp {
    bool have_kind, have_fid, have_size, have_sfi, have_arr, have_lcsi;
    enum fs_kind kind;
    uint16_t fid, rec_len;
    uint32_t size;
    uint8_t sfi, lcsi;
    uint8_t aid[16];
    size_t aid_len;
    uint8_t arr[3];
    size_t arr_len;
    const uint8_t *fill;
    size_t fill_len;
};

static int parse_fcp(struct sim_install *in, const struct sm_tlv *pe, const uint8_t *p, size_t n,
                     struct fcp *f)
{
    struct sm_decode_err de;
    struct sm_tlv t;
    size_t pos = 0;
    int rc;

    while ((rc = sm_tlv_next(p, n, &pos, &t, &de)) == 0) {
        switch (t.tag) {
        case 0x82: /* file descriptor byte (TS 102 221 11.1.1.4.3): 41 EF, 42 linear, 46 cyclic,
                    * 78 DF/ADF, 79 BER-TLV EF; for records bytes 3-4 = record length */
            if (t.len < 2 || t.len > 5)
                return fail(in, SIM_PE_BAD_VALUES, &t, pe->value, "fileDescriptor length");
            switch (t.value[0] & 0x3F) {
            case 0x01:
                f->kind = FS_EF_TRANSPARENT;
                break;
            case 0x02:
                f->kind = FS_EF_LINEAR_FIXED;
                break;
            case 0x06:
                f->kind = FS_EF_CYCLIC;
                break;
            case 0x38:
                f->kind = FS_DF;
                break;
            case 0x39:
                f->kind = FS_EF_BER_TLV;
                break;
            default:
                return fail(in, SIM_PE_BAD_VALUES, &t, pe->value, "file descriptor byte %02x",
                            t.value[0]);
            }
            if (f->kind == FS_EF_LINEAR_FIXED || f->kind == FS_EF_CYCLIC) {
                if (t.len < 4)
                    return fail(in, SIM_PE_BAD_VALUES, &t, pe->value, "record length missing");
                f->rec_len = (uint16_t)be_uint(t.value + 2, 2);
            }
            f->have_kind = true;
            break;
        case 0x83:
            if (t.len != 2)
                return fail(in, SIM_PE_BAD_VALUES, &t, pe->value, "fileID length");
            f->fid = (uint16_t)be_uint(t.value, 2);
            f->have_fid = true;
            break;
        case 0x84:
            if (t.len < 5 || t.len > 16)
                return fail(in, SIM_PE_BAD_VALUES, &t, pe->value, "dfName length");
            memcpy(f->aid, t.value, t.len);
            f->aid_len = t.len;
            break;
        case 0x8A:
            if (t.len != 1)
                return fail(in, SIM_PE_BAD_VALUES, &t, pe->value, "lcsi length");
            f->lcsi = t.value[0];
            f->have_lcsi = true;
            break;
        case 0x8B:
            if (t.len < 1 || t.len > 3)
                return fail(in, SIM_PE_BAD_VALUES, &t, pe->value, "ARR reference length");
            memcpy(f->arr, t.value, t.len);
            f->arr_len = t.len;
            f->have_arr = true;
            break;
        case 0x80:
            if (t.len < 1 || t.len > 4)
                return fail(in, SIM_PE_BAD_VALUES, &t, pe->value, "efFileSize length");
            f->size = be_uint(t.value, t.len);
            f->have_size = true;
            break;
        case 0x88:
            if (t.len > 1)
                return fail(in, SIM_PE_BAD_VALUES, &t, pe->value, "shortEFID length");
            f->sfi = t.len ? (uint8_t)(t.value[0] >> 3) : 0;
            f->have_sfi = true;
            break;
        case 0xA5: { /* proprietary: C1 fill pattern, C2 repeat pattern, 86 maximum size */
            struct sm_tlv q;
            size_t qp = 0;

            while ((rc = sm_tlv_next(t.value, t.len, &qp, &q, &de)) == 0) {
                if ((q.tag == 0xC1 || q.tag == 0xC2) && q.len) {
                    f->fill = q.value;
                    f->fill_len = q.len;
                } else if (q.tag == 0x86 && q.len >= 1 && q.len <= 4) {
                    f->size = be_uint(q.value, q.len);
                    f->have_size = true;
                }
            }
            if (rc != -ENODATA)
                return fail(in, SIM_PE_INVALID_FORMAT, &t, pe->value, "proprietary EF info");
            break;
        }
        default:
            break; /* C6 PIN status template, C7 link path: not needed by this card */
        }
    }
    if (rc != -ENODATA)
        return fail(in, SIM_PE_INVALID_FORMAT, NULL, NULL, "malformed FCP: %s", de.msg);
    return 0;
}

/* Fill with the template's default values, then let the package's FCP override them. */
static void fcp_from_template(struct fcp *f, const struct fs_tmpl_file *tf, uint8_t *arrbuf,
                              uint8_t *fillbuf, size_t fillsize, uint8_t *cbuf, size_t csize,
                              size_t *clen)
{
    memset(f, 0, sizeof(*f));
    f->kind = tf->kind;
    f->fid = tf->fid;
    f->size = tf->size;
    f->rec_len = tf->rec_len;
    f->sfi = tf->sfi;
    f->lcsi = 0x05;
    if (tf->arr) {
        long n = sm_hex_decode(tf->arr, arrbuf, 3);

        if (n > 0) {
            memcpy(f->arr, arrbuf, (size_t)n);
            f->arr_len = (size_t)n;
        }
    }
    if (tf->fill) {
        long n = sm_hex_decode(tf->fill, fillbuf, fillsize);

        if (n > 0) {
            f->fill = fillbuf;
            f->fill_len = (size_t)n;
        }
    }
    *clen = 0;
    if (tf->content) {
        long n = sm_hex_decode(tf->content, cbuf, csize);

        if (n > 0)
            *clen = (size_t)n;
    }
}

static void fcp_apply(struct fcp *base, const struct fcp *pkg)
{
    if (pkg->have_kind) {
        base->kind = (base->kind == FS_ADF && pkg->kind == FS_DF) ? FS_ADF : pkg->kind;
        base->rec_len = pkg->rec_len;
    }
    if (pkg->have_fid)
        base->fid = pkg->fid;
    if (pkg->aid_len) {
        memcpy(base->aid, pkg->aid, pkg->aid_len);
        base->aid_len = pkg->aid_len;
        base->kind = FS_ADF;
    }
    if (pkg->have_size)
        base->size = pkg->size;
    if (pkg->have_sfi)
        base->sfi = pkg->sfi;
    if (pkg->have_arr) {
        memcpy(base->arr, pkg->arr, pkg->arr_len);
        base->arr_len = pkg->arr_len;
    }
    if (pkg->have_lcsi)
        base->lcsi = pkg->lcsi;
    if (pkg->fill) {
        base->fill = pkg->fill;
        base->fill_len = pkg->fill_len;
    }
}

static struct sim_file *create(struct sim_install *in, const struct sm_tlv *pe,
                               struct sim_file *parent, const struct fcp *f, const char *name)
{
    struct sim_file *file;
    uint32_t size = f->kind == FS_DF || f->kind == FS_ADF ? 0 : f->size;

    if ((f->kind == FS_EF_LINEAR_FIXED || f->kind == FS_EF_CYCLIC) && f->rec_len && size &&
        size % f->rec_len) {
        fail(in, SIM_PE_BAD_VALUES, NULL, NULL, "%s: size %u not a multiple of records of %u", name,
             size, f->rec_len);
        return NULL;
    }
    if (f->kind == FS_ADF && !f->aid_len) {
        fail(in, SIM_PE_BAD_VALUES, NULL, NULL, "%s: an ADF without its AID", name);
        return NULL;
    }
    if (in->limit && in->fs->bytes + size > in->limit) {
        fail(in, SIM_PE_NOT_ENOUGH_MEMORY, NULL, NULL, "%s: %u bytes more than the ISD-P has", name,
             size);
        return NULL;
    }
    file = sim_fs_create(in->fs, f->kind == FS_ADF ? in->fs->mf : parent, f->kind, f->fid, size,
                         f->rec_len, f->fill, f->fill_len);
    if (!file) {
        fail(in, errno == ENOMEM ? SIM_PE_MEMORY_FAILURE : SIM_PE_BAD_VALUES, NULL, NULL,
             "%s: cannot create file %04x (%s)", name, f->fid, strerror(errno));
        return NULL;
    }
    (void)pe;
    file->sfi = f->sfi;
    file->lcsi = f->lcsi;
    memcpy(file->arr, f->arr, f->arr_len);
    file->arr_len = f->arr_len;
    memcpy(file->aid, f->aid, f->aid_len);
    file->aid_len = f->aid_len;
    snprintf(file->name, sizeof(file->name), "%s", name);
    return file;
}

/* ---- template elements ---- */

static struct sim_file *template_base(struct sim_install *in, const struct fs_tmpl *t)
{
    const char *b = t->base_path ? t->base_path : "";
    struct sim_file *dir = in->fs->mf;

    if (!strncmp(b, "adf:", 4)) {
        const char *rest = strchr(b, '/');
        size_t n = rest ? (size_t)(rest - b - 4) : strlen(b + 4);

        if (n == 4 && !strncmp(b + 4, "usim", 4))
            dir = in->naa[0];
        else if (n == 4 && !strncmp(b + 4, "isim", 4))
            dir = in->naa[1];
        else if (n == 4 && !strncmp(b + 4, "csim", 4))
            dir = in->naa[2];
        else
            dir = NULL;
        b = rest ? rest + 1 : "";
    }
    while (dir && strlen(b) >= 4) {
        uint8_t fid[2];

        if (sm_hex_decode(b, fid, 2) != 2)
            return NULL;
        dir = sim_fs_child(dir, (uint16_t)(fid[0] << 8 | fid[1]));
        b += 4;
        if (*b == '/')
            b++;
    }
    return dir;
}

/* Bytes the fill items of a File reach (rounded up to whole records). */
static uint32_t content_extent(const uint8_t *p, size_t n, uint16_t rec_len)
{
    struct sm_decode_err de;
    struct sm_tlv t;
    size_t pos = 0;
    uint32_t at = 0, end = 0;

    while (sm_tlv_next(p, n, &pos, &t, &de) == 0) {
        if (t.tag == 0x82 && t.len >= 1 && t.len <= 3)
            at += be_uint(t.value, t.len);
        else if (t.tag == 0x83)
            at += (uint32_t)t.len;
        if (at > end)
            end = at;
    }
    if (rec_len && end % rec_len)
        end += rec_len - end % rec_len;
    return end;
}

/* One File of a template: SEQUENCE OF CHOICE {80 doNotCreate, A1 Fcp, 82 offset, 83 content}. */
static int template_file(struct sim_install *in, const struct sm_tlv *pe,
                         const struct fs_tmpl_file *tf, struct sim_file *parent,
                         const struct sm_tlv *items, struct sim_file **created)
{
    uint8_t arrbuf[3], fillbuf[64], cbuf[512];
    struct sm_decode_err de;
    struct fcp base;
    struct sim_file *file = NULL;
    struct sm_tlv t;
    size_t pos = 0, clen;
    uint32_t at = 0;
    int rc;

    *created = NULL;
    fcp_from_template(&base, tf, arrbuf, fillbuf, sizeof(fillbuf), cbuf, sizeof(cbuf), &clen);
    /* doNotCreate or a fileDescriptor must come first; contents follow */
    if (items) {
        struct sm_tlv first;
        size_t p0 = 0;

        if (sm_tlv_next(items->value, items->len, &p0, &first, &de) == 0) {
            if (first.tag == 0x80)
                return 0; /* doNotCreate */
            if (first.tag == 0xA1) {
                struct fcp pkg = {0};

                rc = parse_fcp(in, pe, first.value, first.len, &pkg);
                if (rc)
                    return rc;
                fcp_apply(&base, &pkg);
                pos = p0;
            }
        }
    } else if (!tf->by_default) {
        return 0;
    }
    /* a file whose structure only the element can give is created only when it gives it */
    if (tf->pe_only && (!items || !pos))
        return items ? fail(in, SIM_PE_BAD_VALUES, items, pe->value,
                            "%s: the template needs its fileDescriptor", tf->name)
                     : 0;
    if (base.kind == FS_MF) {
        /* the MF exists from the start; the template only sets its attributes */
        file = in->fs->mf;
        memcpy(file->arr, base.arr, base.arr_len);
        file->arr_len = base.arr_len;
        file->lcsi = base.lcsi;
    } else {
        if (!parent)
            return fail(in, SIM_PE_BAD_VALUES, items, pe->value, "%s: its directory does not exist",
                        tf->name);
        /* a size neither the template nor the element gives: the contents written decide */
        if (!base.size && base.kind != FS_DF && base.kind != FS_ADF && items)
            base.size = content_extent(items->value, items->len, base.rec_len);
        file = create(in, pe, parent, &base, tf->name);
        if (!file)
            return -EINVAL;
    }
    *created = file;
    /* the template's default content: at offset 0 of the file, or of every record */
    if (clen && file->data) {
        uint32_t step = file->rec_len ? file->rec_len : file->size;

        for (uint32_t off = 0; step && off < file->size; off += step)
            sim_fs_write(file, off, cbuf, clen < step ? clen : step);
    }
    if (!items)
        return 0;
    while ((rc = sm_tlv_next(items->value, items->len, &pos, &t, &de)) == 0) {
        if (t.tag == 0x82 && t.len >= 1 && t.len <= 3) {
            at += be_uint(t.value, t.len);
        } else if (t.tag == 0x83) {
            if (sim_fs_write(file, at, t.value, t.len))
                return fail(in, SIM_PE_BAD_VALUES, &t, pe->value,
                            "%s: %zu bytes at offset %u do not fit in %u", tf->name, t.len, at,
                            file->size);
            at += (uint32_t)t.len;
        } else {
            return fail(in, SIM_PE_INVALID_FORMAT, &t, pe->value, "%s: unexpected %x", tf->name,
                        t.tag);
        }
    }
    if (rc != -ENODATA)
        return fail(in, SIM_PE_INVALID_FORMAT, items, pe->value, "%s: %s", tf->name, de.msg);
    return 0;
}

static int do_template(struct sim_install *in, const struct sm_tlv *pe)
{
    struct sim_file *created[256] = {0};
    struct sm_decode_err de;
    const struct fs_tmpl *tm;
    struct sm_tlv h, oid, t;
    struct sim_file *base, *tmpl_adf;
    size_t pos = 0, peek;
    bool mandated, have_next;
    unsigned num = 0;
    char oidtxt[64];
    int rc;

    if (sm_tlv_next(pe->value, pe->len, &pos, &h, &de) || pe_header(in, pe, &h, &mandated) ||
        sm_tlv_next(pe->value, pe->len, &pos, &oid, &de) || oid.tag != 0x81)
        return in->failed ? -EINVAL
                          : fail(in, SIM_PE_INVALID_FORMAT, NULL, NULL, "template without its OID");
    oid_text(oid.value, oid.len, oidtxt, sizeof(oidtxt));
    tm = fs_template_find(oidtxt);
    if (!tm)
        return fail(in, SIM_PE_TEMPLATE_NOT_SUPPORTED, &oid, pe->value, "template %s", oidtxt);
    if (tm->nfiles > sizeof(created) / sizeof(created[0]))
        return fail(in, SIM_PE_TEMPLATE_NOT_SUPPORTED, &oid, pe->value, "template too large");
    base = template_base(in, tm);
    tmpl_adf = NULL;
    peek = pos;
    have_next = sm_tlv_next(pe->value, pe->len, &peek, &t, &de) == 0;
    if (have_next && !ctx_tag(t.tag, &num))
        return fail(in, SIM_PE_INVALID_FORMAT, &t, pe->value, "file tag %x", t.tag);
    for (size_t i = 0; i < tm->nfiles; i++) {
        const struct fs_tmpl_file *tf = &tm->files[i];
        const struct sm_tlv *items = NULL;
        struct sim_file *parent;

        if (have_next && num == i + 2) {
            items = &t;
            pos = peek;
        } else if (have_next && num < i + 2) {
            return fail(in, SIM_PE_INVALID_FORMAT, &t, pe->value, "files out of order");
        }
        /* parent -1: the template's base; in a NAA template the ADF it creates comes first and
         * the other files go into it */
        if (tf->parent >= 0)
            parent = (size_t)tf->parent < i ? created[tf->parent] : NULL;
        else if (tf->kind == FS_ADF)
            parent = in->fs->mf;
        else
            parent = tmpl_adf ? tmpl_adf : base;
        rc = template_file(in, pe, tf, parent, items, &created[i]);
        if (rc)
            return rc;
        if (tf->parent < 0 && tf->kind == FS_ADF && created[i])
            tmpl_adf = created[i];
        if (items) {
            peek = pos;
            have_next = sm_tlv_next(pe->value, pe->len, &peek, &t, &de) == 0;
            if (have_next && !ctx_tag(t.tag, &num))
                return fail(in, SIM_PE_INVALID_FORMAT, &t, pe->value, "file tag %x", t.tag);
        }
    }
    if (have_next)
        return fail(in, SIM_PE_BAD_VALUES, &t, pe->value, "template %s has no file [%u]", oidtxt,
                    num);
    if (pos != pe->len && sm_tlv_next(pe->value, pe->len, &pos, &t, &de) != -ENODATA)
        return fail(in, SIM_PE_INVALID_FORMAT, NULL, NULL, "trailing bytes in the element");
    /* the ADF a NAA template creates is where its AKA, PINs and optional files go */
    for (size_t i = 0; i < tm->nfiles; i++) {
        if (created[i] && created[i]->kind == FS_ADF) {
            in->last_adf = created[i];
            if (!strcmp(tm->pe, "usim"))
                in->naa[0] = created[i];
            else if (!strcmp(tm->pe, "isim"))
                in->naa[1] = created[i];
            else if (!strcmp(tm->pe, "csim"))
                in->naa[2] = created[i];
        }
    }
    return 0;
}

/* ---- other elements ---- */

static int do_header(struct sim_install *in, const struct sm_tlv *pe)
{
    struct sm_decode_err de;
    struct sm_tlv t;
    size_t pos = 0;
    bool have_iccid = false;
    int rc;

    if (in->have_header)
        return fail(in, SIM_PE_INVALID_FORMAT, NULL, NULL, "a second header");
    in->have_header = true;
    while ((rc = sm_tlv_next(pe->value, pe->len, &pos, &t, &de)) == 0) {
        switch (t.tag) {
        case 0x80:
            in->major = t.len == 1 ? t.value[0] : 0;
            break;
        case 0x81:
            in->minor = t.len == 1 ? t.value[0] : 0;
            break;
        case 0x83:
            if (t.len != 10 || sm_iccid_from_saip(t.value, in->iccid))
                return fail(in, SIM_PE_BAD_VALUES, &t, pe->value, "header ICCID not valid");
            have_iccid = true;
            break;
        case 0x84:
            in->pol1 = t.len ? t.value[0] : 0;
            break;
        case 0xA5: { /* services: every one asked for must be offered */
            struct sm_tlv s;
            size_t sp = 0;
            unsigned n;

            while ((rc = sm_tlv_next(t.value, t.len, &sp, &s, &de)) == 0)
                if (!ctx_tag(s.tag, &n) || n > 31 || !(services_offered & 1u << n))
                    return fail(in, SIM_PE_FEATURE_NOT_SUPPORTED, &s, pe->value,
                                "service %u not offered by this eUICC", n);
            if (rc != -ENODATA)
                return fail(in, SIM_PE_INVALID_FORMAT, &t, pe->value, "services list");
            break;
        }
        default:
            break;
        }
    }
    if (rc != -ENODATA)
        return fail(in, SIM_PE_INVALID_FORMAT, NULL, NULL, "header: %s", de.msg);
    /* SAIP 2.x and 3.x (later minor versions only add elements) */
    if (in->major < 2 || in->major > 3)
        return fail(in, SIM_PE_UNSUPPORTED_VERSION, NULL, NULL, "package version %u.%u", in->major,
                    in->minor);
    if (!have_iccid)
        return fail(in, SIM_PE_BAD_VALUES, NULL, NULL, "header without ICCID");
    return 0;
}

/* A1 {A0 hdr, A1 {30 {80 path | 62 fcp | 02 offset | 81 content}*}*} */
static int do_gfm(struct sim_install *in, const struct sm_tlv *pe)
{
    struct sm_decode_err de;
    struct sm_tlv h, cmds, cmd, t;
    size_t pos = 0, cp = 0;
    bool mandated;
    int rc;

    if (sm_tlv_next(pe->value, pe->len, &pos, &h, &de) || pe_header(in, pe, &h, &mandated))
        return in->failed ? -EINVAL : fail(in, SIM_PE_INVALID_FORMAT, NULL, NULL, "GFM header");
    if (sm_tlv_next(pe->value, pe->len, &pos, &cmds, &de) || cmds.tag != 0xA1)
        return fail(in, SIM_PE_INVALID_FORMAT, NULL, NULL, "GFM without commands");
    /* every file management element starts in the MF */
    in->gfm_dir = in->fs->mf;
    in->gfm_file = NULL;
    in->gfm_pos = 0;
    while ((rc = sm_tlv_next(cmds.value, cmds.len, &cp, &cmd, &de)) == 0) {
        size_t ip = 0;

        if (cmd.tag != 0x30)
            return fail(in, SIM_PE_INVALID_FORMAT, &cmd, pe->value, "GFM command %x", cmd.tag);
        while ((rc = sm_tlv_next(cmd.value, cmd.len, &ip, &t, &de)) == 0) {
            switch (t.tag) {
            case 0x80: {
                struct sim_file *f = sim_fs_path(in->fs, t.value, t.len);

                if (!f) {
                    char hex[40];

                    sm_hex_encode(t.value, t.len < 16 ? t.len : 16, hex);
                    return fail(in, SIM_PE_BAD_VALUES, &t, pe->value, "GFM path %s not found", hex);
                }
                if (f->kind == FS_MF || f->kind == FS_DF || f->kind == FS_ADF) {
                    in->gfm_dir = f;
                    in->gfm_file = NULL;
                } else {
                    in->gfm_dir = f->parent;
                    in->gfm_file = f;
                }
                in->gfm_pos = 0;
                break;
            }
            case 0x62: {
                struct fcp f = {.lcsi = 0x05};
                struct sim_file *nf;

                rc = parse_fcp(in, pe, t.value, t.len, &f);
                if (rc)
                    return rc;
                if (!f.have_kind || (!f.have_fid && !f.aid_len))
                    return fail(in, SIM_PE_BAD_VALUES, &t, pe->value,
                                "createFCP without descriptor or file id");
                if (f.aid_len)
                    f.kind = FS_ADF;
                if (f.have_fid && f.fid == 0x3F00 && f.kind == FS_DF) {
                    /* the MF "created" by file management (older packages): it exists from
                     * the start, the command sets its attributes */
                    nf = in->fs->mf;
                    memcpy(nf->arr, f.arr, f.arr_len);
                    nf->arr_len = f.arr_len;
                    nf->lcsi = f.lcsi;
                } else {
                    nf = create(in, pe, in->gfm_dir ? in->gfm_dir : in->fs->mf, &f, "gfm");
                    if (!nf)
                        return -EINVAL;
                }
                /* TS 102 222 6.3: a created DF becomes the current DF, an EF the current EF */
                if (nf->kind == FS_DF || nf->kind == FS_ADF) {
                    in->gfm_dir = nf;
                    in->gfm_file = NULL;
                    if (nf->kind == FS_ADF)
                        in->last_adf = nf;
                } else {
                    in->gfm_file = nf;
                }
                in->gfm_pos = 0;
                break;
            }
            case 0x02:
                if (t.len < 1 || t.len > 3)
                    return fail(in, SIM_PE_BAD_VALUES, &t, pe->value, "GFM offset");
                in->gfm_pos += be_uint(t.value, t.len);
                break;
            case 0x81:
                if (!in->gfm_file)
                    return fail(in, SIM_PE_BAD_VALUES, &t, pe->value, "GFM content without EF");
                if (sim_fs_write(in->gfm_file, in->gfm_pos, t.value, t.len))
                    return fail(in, SIM_PE_BAD_VALUES, &t, pe->value,
                                "GFM content does not fit in %04x", in->gfm_file->fid);
                in->gfm_pos += (uint32_t)t.len;
                break;
            default:
                return fail(in, SIM_PE_INVALID_FORMAT, &t, pe->value, "GFM item %x", t.tag);
            }
        }
        if (rc != -ENODATA)
            return fail(in, SIM_PE_INVALID_FORMAT, &cmd, pe->value, "GFM: %s", de.msg);
    }
    if (rc != -ENODATA)
        return fail(in, SIM_PE_INVALID_FORMAT, &cmds, pe->value, "GFM: %s", de.msg);
    return 0;
}

/* PIN and PUK codes: checked for form; this card keeps no CHV state beyond the profile. */
static int do_codes(struct sim_install *in, const struct sm_tlv *pe)
{
    struct sm_decode_err de;
    struct sm_tlv h, body;
    size_t pos = 0;
    bool mandated;

    if (sm_tlv_next(pe->value, pe->len, &pos, &h, &de) || pe_header(in, pe, &h, &mandated))
        return in->failed ? -EINVAL : fail(in, SIM_PE_INVALID_FORMAT, NULL, NULL, "header");
    if (sm_tlv_next(pe->value, pe->len, &pos, &body, &de) || body.tag != 0xA1)
        return fail(in, SIM_PE_INVALID_FORMAT, NULL, NULL, "codes missing");
    if (pe->tag == PE_PIN && body.len && body.value[0] == 0xA0) {
        struct sm_tlv list;

        if (sm_tlv_parse_one(body.value, body.len, &list, &de) ||
            sm_tlv_check_list(list.value, list.len, &de))
            return fail(in, SIM_PE_INVALID_FORMAT, &body, pe->value, "pinconfig: %s", de.msg);
    } else if (sm_tlv_check_list(body.value, body.len, &de)) {
        return fail(in, SIM_PE_INVALID_FORMAT, &body, pe->value, "codes: %s", de.msg);
    }
    return 0;
}

static int copy_exact(struct sim_install *in, const struct sm_tlv *t, const struct sm_tlv *pe,
                      uint8_t *dst, size_t n, const char *what)
{
    if (t->len != n)
        return fail(in, SIM_PE_BAD_VALUES, t, pe->value, "%s: %zu bytes, expected %zu", what,
                    t->len, n);
    memcpy(dst, t->value, n);
    return 0;
}

static int do_aka(struct sim_install *in, const struct sm_tlv *pe)
{
    struct sm_decode_err de;
    struct sm_tlv h, t, c, a;
    struct sim_aka *k;
    size_t pos = 0;
    bool mandated, have_algo = false;
    int rc;

    if (sm_tlv_next(pe->value, pe->len, &pos, &h, &de) || pe_header(in, pe, &h, &mandated))
        return in->failed ? -EINVAL : fail(in, SIM_PE_INVALID_FORMAT, NULL, NULL, "header");
    if (in->naka == SIM_MAX_NAA)
        return fail(in, SIM_PE_NOT_SUPPORTED, NULL, NULL, "too many NAAs");
    if (!in->last_adf)
        return fail(in, SIM_PE_BAD_VALUES, NULL, NULL, "akaParameter before any NAA");
    k = &in->aka[in->naka];
    memset(k, 0, sizeof(*k));
    memcpy(k->adf_aid, in->last_adf->aid, in->last_adf->aid_len);
    k->adf_aid_len = in->last_adf->aid_len;
    sim_aka_defaults(k);
    while ((rc = sm_tlv_next(pe->value, pe->len, &pos, &t, &de)) == 0) {
        switch (t.tag) {
        case 0xA1: /* algoConfiguration: A0 mapping {80 options, 81 source} | A1 algo {...} */
            if (sm_tlv_parse_one(t.value, t.len, &c, &de))
                return fail(in, SIM_PE_INVALID_FORMAT, &t, pe->value, "algoConfiguration");
            if (c.tag == 0xA0) {
                if (sm_tlv_find(c.value, c.len, 0x81, &a, &de) || a.len < 5 || a.len > 16)
                    return fail(in, SIM_PE_BAD_VALUES, &c, pe->value, "mapping source");
                memcpy(k->map_aid, a.value, a.len);
                k->map_aid_len = a.len;
                have_algo = true;
            } else if (c.tag == 0xA1) {
                size_t ap = 0;

                while ((rc = sm_tlv_next(c.value, c.len, &ap, &a, &de)) == 0) {
                    switch (a.tag) {
                    case 0x80:
                        k->algo = a.len == 1 ? a.value[0] : 0;
                        break;
                    case 0x81:
                        rc = copy_exact(in, &a, pe, &k->options, 1, "algorithmOptions");
                        break;
                    case 0x82:
                        rc = copy_exact(in, &a, pe, k->k, 16, "key");
                        break;
                    case 0x83:
                        rc = copy_exact(in, &a, pe, k->opc, 16, "opc");
                        break;
                    case 0x84:
                        rc = copy_exact(in, &a, pe, k->rot, 5, "rotationConstants");
                        break;
                    case 0x85:
                        rc = copy_exact(in, &a, pe, k->xorc, 80, "xoringConstants");
                        break;
                    default:
                        break; /* authCounterMax, numberOfKeccak (TUAK) */
                    }
                    if (rc)
                        return rc;
                }
                if (rc != -ENODATA)
                    return fail(in, SIM_PE_INVALID_FORMAT, &c, pe->value, "algoParameter");
                rc = 0;
                if (k->algo != 1 && k->algo != 3)
                    return fail(in, SIM_PE_FEATURE_NOT_SUPPORTED, &c, pe->value,
                                "algorithm %u (this card has MILENAGE and the test algorithm)",
                                k->algo);
                have_algo = true;
            } else {
                return fail(in, SIM_PE_INVALID_FORMAT, &c, pe->value, "algoConfiguration %x",
                            c.tag);
            }
            break;
        case 0x82:
            rc = copy_exact(in, &t, pe, &k->sqn_options, 1, "sqnOptions");
            break;
        case 0x83:
            rc = copy_exact(in, &t, pe, k->sqn_delta, 6, "sqnDelta");
            break;
        case 0x84:
            rc = copy_exact(in, &t, pe, k->sqn_age_limit, 6, "sqnAgeLimit");
            break;
        case 0xA5: {
            size_t sp = 0;
            unsigned n = 0;

            while ((rc = sm_tlv_next(t.value, t.len, &sp, &a, &de)) == 0) {
                if (a.tag != 0x04 || n == 32)
                    return fail(in, SIM_PE_BAD_VALUES, &a, pe->value, "sqnInit");
                rc = copy_exact(in, &a, pe, k->sqn[n++], 6, "sqnInit");
                if (rc)
                    return rc;
            }
            rc = 0;
            break;
        }
        default:
            rc = 0;
        }
        if (rc)
            return in->failed ? -EINVAL : fail(in, SIM_PE_INVALID_FORMAT, &t, pe->value, "AKA");
    }
    if (!have_algo)
        return fail(in, SIM_PE_BAD_VALUES, NULL, NULL, "akaParameter without algorithm");
    in->naka++;
    return 0;
}

/* Elements this card accepts without acting on them, after checking their header. */
static int do_accept(struct sim_install *in, const struct sm_tlv *pe)
{
    struct sm_decode_err de;
    struct sm_tlv h;
    size_t pos = 0;
    bool mandated;

    if (sm_tlv_next(pe->value, pe->len, &pos, &h, &de) || pe_header(in, pe, &h, &mandated))
        return in->failed ? -EINVAL : fail(in, SIM_PE_INVALID_FORMAT, NULL, NULL, "header");
    if (sm_tlv_check_list(pe->value, pe->len, &de))
        return fail(in, SIM_PE_INVALID_FORMAT, NULL, NULL, "element: %s", de.msg);
    return 0;
}

static int do_element(struct sim_install *in, const struct sm_tlv *pe)
{
    unsigned num;

    in->has_id = false;
    if (!in->have_header && pe->tag != PE_HEADER)
        return fail(in, SIM_PE_INVALID_FORMAT, NULL, NULL, "the first element is not the header");
    switch (pe->tag) {
    case PE_HEADER:
        return do_header(in, pe);
    case PE_GFM:
        return do_gfm(in, pe);
    case PE_PIN:
    case PE_PUK:
        return do_codes(in, pe);
    case PE_AKA:
        return do_aka(in, pe);
    case PE_CDMA:
    case PE_SD:
    case PE_RFM:
    case PE_NONSTANDARD:
        return do_accept(in, pe);
    case PE_APPLICATION:
        /* no Java Card runtime: an application element cannot be honoured */
        return fail(in, SIM_PE_RUNTIME_NOT_SUPPORTED, NULL, NULL, "applications not supported");
    case PE_END: {
        int rc = do_accept(in, pe);

        if (!rc)
            in->done = true;
        return rc;
    }
    default:
        /* the file-system templates: B0 and above */
        /* the file-system templates: mf [16] .. opt-iot [33] */
        if (pe->constructed && ctx_tag(pe->tag, &num) && num >= 16 && num <= 33)
            return do_template(in, pe);
        {
            /* an element this card does not know: refused only when mandated */
            struct sm_decode_err de;
            struct sm_tlv h;
            size_t pos = 0;
            bool mandated = true;

            if (!sm_tlv_next(pe->value, pe->len, &pos, &h, &de))
                pe_header(in, pe, &h, &mandated);
            in->failed = false;
            if (mandated)
                return fail(in, SIM_PE_NOT_SUPPORTED, NULL, NULL, "element %x", pe->tag);
            return 0;
        }
    }
}

/* How many bytes the element starting at p needs: 0 with *need set, 1 when its header is not
 * complete yet, -1 when the header is malformed (the TLV decoder then says why). */
static int element_size(const uint8_t *p, size_t n, size_t *need)
{
    size_t i = 1, len = 0, nl;

    if (n < 1)
        return 1;
    if ((p[0] & 0x1F) == 0x1F) {
        do {
            if (i >= n)
                return 1;
            if (i == 3)
                return -1;
        } while (p[i++] & 0x80);
    }
    if (i >= n)
        return 1;
    if (p[i] < 0x80) {
        len = p[i++];
    } else {
        nl = p[i++] & 0x7F;
        if (nl == 0 || nl > 3)
            return -1;
        if (i + nl > n)
            return 1;
        for (size_t k = 0; k < nl; k++)
            len = len << 8 | p[i++];
    }
    *need = i + len;
    return 0;
}

int sim_install_feed(struct sim_install *in, const uint8_t *data, size_t len)
{
    struct sm_decode_err de;
    size_t pos = 0;
    int rc;

    if (in->failed)
        return -EINVAL;
    if (in->done && len)
        return fail(in, SIM_PE_INVALID_FORMAT, NULL, NULL, "data after the end element");
    in->total += len;
    if (sm_buf_append(&in->pending, data, len))
        return fail(in, SIM_PE_MEMORY_FAILURE, NULL, NULL, "element larger than %u bytes",
                    SIM_PE_MAX);
    while (pos < in->pending.len) {
        struct sm_tlv pe;
        size_t start = pos, need = 0;
        int hs = element_size(in->pending.data + pos, in->pending.len - pos, &need);

        if (hs == 1 || (hs == 0 && need > in->pending.len - pos)) {
            if (hs == 0 && need > SIM_PE_MAX)
                return fail(in, SIM_PE_MEMORY_FAILURE, NULL, NULL,
                            "element of %zu bytes (at most %u)", need, SIM_PE_MAX);
            break; /* wait for the next segment */
        }
        rc = sm_tlv_next(in->pending.data, in->pending.len, &pos, &pe, &de);
        if (rc) {
            in->offset += start;
            return fail(in, SIM_PE_INVALID_FORMAT, NULL, NULL, "offset %zu: %s",
                        in->offset + de.offset - start, de.msg);
        }
        in->elements++;
        rc = do_element(in, &pe);
        if (rc)
            return rc;
        if (in->done && pos != in->pending.len)
            return fail(in, SIM_PE_INVALID_FORMAT, NULL, NULL, "data after the end element");
    }
    /* keep the incomplete rest */
    if (pos) {
        memmove(in->pending.data, in->pending.data + pos, in->pending.len - pos);
        sm_wipe(in->pending.data + in->pending.len - pos, pos);
        in->pending.len -= pos;
        in->offset += pos;
    }
    return 0;
}

int sim_install_response(const struct sim_install *in, struct sm_buf *out)
{
    size_t mark = out->len, st;
    int rc;

    /* 30 { A0 { 30 { 80 status [81 id] [83 offset] } } [81 00 aborted] } */
    rc = sm_tlv_put_u8(out, 0x80, in->status);
    if (!rc && in->has_id) {
        uint8_t id[2] = {(uint8_t)(in->id >> 8), (uint8_t)in->id};

        rc = in->id > 0xFF ? sm_tlv_put(out, 0x81, id, 2) : sm_tlv_put_u8(out, 0x81, id[1]);
    }
    if (!rc && in->pe_offset) {
        uint8_t o[4] = {(uint8_t)(in->pe_offset >> 24), (uint8_t)(in->pe_offset >> 16),
                        (uint8_t)(in->pe_offset >> 8), (uint8_t)in->pe_offset};
        size_t skip = 0;

        /* minimal positive INTEGER */
        while (skip < 3 && o[skip] == 0 && !(o[skip + 1] & 0x80))
            skip++;
        rc = sm_tlv_put(out, 0x83, o + skip, 4 - skip);
    }
    st = mark;
    if (!rc)
        rc = sm_tlv_wrap(out, st, 0x30);
    if (!rc)
        rc = sm_tlv_wrap(out, st, 0xA0);
    if (!rc && in->failed)
        rc = sm_tlv_put(out, 0x81, NULL, 0);
    if (!rc)
        rc = sm_tlv_wrap(out, mark, 0x30);
    if (rc)
        out->len = mark;
    return rc;
}

int sim_install_package(const uint8_t *der, size_t len, struct sim_install **out)
{
    struct sim_install *in = sim_install_new(0);
    int rc = 0;

    *out = in;
    if (!in)
        return -ENOMEM;
    /* in segment-sized pieces, as SCP03t delivers it */
    for (size_t off = 0; !rc && off < len; off += 1024)
        rc = sim_install_feed(in, der + off, len - off < 1024 ? len - off : 1024);
    if (!rc && !in->done)
        rc = fail(in, SIM_PE_INVALID_FORMAT, NULL, NULL,
                  in->pending.len ? "package truncated" : "no end element");
    return rc;
}
