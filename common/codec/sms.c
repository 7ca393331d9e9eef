/* SPDX-License-Identifier: Apache-2.0 */
/* SMS-PP TPDUs (3GPP TS 23.040), OTA user data headers (TS 31.115) and reassembly. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sm/sms.h"

/* Largest TPDU: SMS-DELIVER 1 + 12 (TP-OA) + 1 + 1 + 7 + 1 + 140 = 163 octets. */
#define TPDU_MAX        168
#define ADDR_MAX_DIGITS 20  /* TS 23.040 9.1.2.5: at most 10 octets of digits */
#define ORIG_MAX        63  /* longest originator key kept by the reassembly table */
#define FIRST_PAYLOAD   132 /* 140 - "07 70 00 00 03 ref total seq" */
#define NEXT_PAYLOAD    134 /* 140 - "05 00 03 ref total seq" */

/* First-octet bits, TS 23.040 9.2.3.1-9.2.3.27. */
#define FO_MTI      0x03
#define FO_MMS      0x04 /* DELIVER: 1 = no more messages waiting */
#define FO_RD       0x04 /* SUBMIT */
#define FO_LP       0x08 /* DELIVER: loop prevention (Rel-7), not represented */
#define FO_VPF      0x18 /* SUBMIT */
#define FO_SRI      0x20 /* DELIVER SRI / SUBMIT SRR */
#define FO_UDHI     0x40
#define FO_RP       0x80
#define MTI_DELIVER 0x00
#define MTI_SUBMIT  0x01

/*
 * TS 23.038 4: 8-bit data, uncompressed. Groups 00xx and 01xx (automatic deletion) with bit 5
 * (compressed) clear and alphabet bits 3..2 = 01: 04-07, 14-17, 44-47, 54-57 (bits 1..0 carry
 * no meaning when bit 4 is clear). Group 1111 with bit 2 = 1 and reserved bit 3 clear: F4-F7.
 * Everything else is 7-bit, UCS2, compressed, message waiting or reserved.
 */
static bool dcs_is_8bit(uint8_t dcs)
{
    if ((dcs & 0xa0) == 0)
        return (dcs & 0x0c) == 0x04;
    return (dcs & 0xfc) == 0xf4;
}

/* --- reading --- */

struct rd {
    const uint8_t *p;
    size_t len, pos;
    struct sm_decode_err *err;
};

static int need(struct rd *r, size_t n, const char *what)
{
    if (r->len - r->pos < n)
        return sm_decode_fail(r->err, -EBADMSG, r->len, "truncated %s", what);
    return 0;
}

/* TP-OA / TP-DA (9.1.2.5): digit count, type of address, swapped BCD with F fill. */
static int addr_read(struct rd *r, struct sm_sms_address *a)
{
    size_t start = r->pos, ndig, nbytes;
    uint8_t toa;
    int rc = need(r, 2, "address header");

    if (rc)
        return rc;
    ndig = r->p[start];
    toa = r->p[start + 1];
    if (ndig > ADDR_MAX_DIGITS)
        return sm_decode_fail(r->err, -EBADMSG, start, "address of %zu digits", ndig);
    if (!(toa & 0x80))
        return sm_decode_fail(r->err, -EINVAL, start + 1, "type of address %02x lacks bit 8", toa);
    if ((toa & 0x70) == 0x50)
        return sm_decode_fail(r->err, -EINVAL, start + 1, "alphanumeric address refused");
    r->pos += 2;
    nbytes = (ndig + 1) / 2;
    if ((rc = need(r, nbytes, "address digits")))
        return rc;
    for (size_t i = 0; i < ndig; i++) {
        uint8_t b = r->p[r->pos + i / 2], v = (i % 2) ? (uint8_t)(b >> 4) : (uint8_t)(b & 0x0f);

        if (v > 9)
            return sm_decode_fail(r->err, -EINVAL, r->pos + i / 2, "address digit %x", v);
        a->digits[i] = (char)('0' + v);
    }
    a->digits[ndig] = 0;
    if ((ndig % 2) && (r->p[r->pos + nbytes - 1] >> 4) != 0x0f)
        return sm_decode_fail(r->err, -EINVAL, r->pos + nbytes - 1, "address filler not F");
    a->ton_npi = toa;
    r->pos += nbytes;
    return 0;
}

static int bcd2(uint8_t b, unsigned *v)
{
    /* semi-octets swapped: the tens digit is in the low nibble */
    if ((b & 0x0f) > 9 || (b >> 4) > 9)
        return -1;
    *v = (b & 0x0fu) * 10 + (b >> 4);
    return 0;
}

/* TP-SCTS (9.2.3.11): YY MM DD hh mm ss TZ, swapped BCD; TZ in quarter hours, sign in bit 4. */
static int scts_read(struct rd *r, struct sm_sms_time *t)
{
    static const unsigned max[6] = {99, 12, 31, 23, 59, 59}, min[6] = {0, 1, 1, 0, 0, 0};
    unsigned v[6], tz;
    size_t at = r->pos;
    uint8_t b;
    int rc = need(r, 7, "TP-SCTS");

    if (rc)
        return rc;
    for (size_t i = 0; i < 6; i++)
        if (bcd2(r->p[at + i], &v[i]) < 0 || v[i] < min[i] || v[i] > max[i])
            return sm_decode_fail(r->err, -EINVAL, at + i, "TP-SCTS octet %02x", r->p[at + i]);
    b = r->p[at + 6];
    if (bcd2(b & 0xf7, &tz) < 0 || ((b & 0x08) && tz == 0))
        return sm_decode_fail(r->err, -EINVAL, at + 6, "TP-SCTS time zone %02x", b);
    t->year = (uint8_t)v[0];
    t->month = (uint8_t)v[1];
    t->day = (uint8_t)v[2];
    t->hour = (uint8_t)v[3];
    t->minute = (uint8_t)v[4];
    t->second = (uint8_t)v[5];
    t->tz_quarters = (int8_t)((b & 0x08) ? -(int)tz : (int)tz);
    r->pos += 7;
    return 0;
}

/* TP-UDL and TP-UD for 8-bit data (9.2.3.16: UDL counts octets, UDH included). */
static int ud_read(struct rd *r, bool udhi, const uint8_t **ud, size_t *ud_len)
{
    size_t udl, at = r->pos;
    int rc = need(r, 1, "TP-UDL");

    if (rc)
        return rc;
    udl = r->p[at];
    if (udl > SM_SMS_UD_MAX)
        return sm_decode_fail(r->err, -EBADMSG, at, "TP-UDL %zu over 140", udl);
    r->pos++;
    if ((rc = need(r, udl, "TP-UD")))
        return rc;
    if (r->len - r->pos > udl)
        return sm_decode_fail(r->err, -EBADMSG, r->pos + udl, "%zu bytes after TP-UD (TP-UDL %zu)",
                              r->len - r->pos - udl, udl);
    if (udhi) {
        struct sm_sms_udh h;

        rc = sm_sms_udh_parse(r->p + r->pos, udl, &h, NULL, NULL, r->err);
        if (rc) {
            if (r->err)
                r->err->offset += r->pos;
            return rc;
        }
    }
    *ud = r->p + r->pos;
    *ud_len = udl;
    r->pos += udl;
    return 0;
}

static int pid_dcs_read(struct rd *r, uint8_t *pid, uint8_t *dcs)
{
    int rc = need(r, 1, "TP-PID");

    if (rc)
        return rc;
    *pid = r->p[r->pos++];
    if ((rc = need(r, 1, "TP-DCS")))
        return rc;
    if (!dcs_is_8bit(r->p[r->pos]))
        return sm_decode_fail(r->err, -EINVAL, r->pos, "TP-DCS %02x is not 8-bit data",
                              r->p[r->pos]);
    *dcs = r->p[r->pos++];
    return 0;
}

int sm_sms_deliver_decode(const uint8_t *tpdu, size_t len, struct sm_sms_deliver *d,
                          struct sm_decode_err *err)
{
    struct rd r = {.p = tpdu, .len = len, .err = err};
    struct sm_sms_deliver t = {0};
    uint8_t fo;
    int rc;

    if (!d || (!tpdu && len))
        return sm_decode_fail(err, -EINVAL, 0, "no input");
    if ((rc = need(&r, 1, "first octet")))
        return rc;
    fo = tpdu[0];
    if ((fo & FO_MTI) != MTI_DELIVER)
        return sm_decode_fail(err, -EINVAL, 0, "TP-MTI %u is not SMS-DELIVER", fo & FO_MTI);
    /* TP-LP and the unused bit 5 have no field here: refuse rather than drop them */
    if (fo & (FO_LP | 0x10))
        return sm_decode_fail(err, -EINVAL, 0, "first octet %02x: unsupported bits", fo);
    t.more_messages = !(fo & FO_MMS);
    t.reply_path = (fo & FO_RP) != 0;
    t.status_report = (fo & FO_SRI) != 0;
    t.udhi = (fo & FO_UDHI) != 0;
    r.pos = 1;
    if ((rc = addr_read(&r, &t.oa)) || (rc = pid_dcs_read(&r, &t.pid, &t.dcs)) ||
        (rc = scts_read(&r, &t.scts)) || (rc = ud_read(&r, t.udhi, &t.ud, &t.ud_len)))
        return rc;
    *d = t;
    return 0;
}

int sm_sms_submit_decode(const uint8_t *tpdu, size_t len, struct sm_sms_submit *s,
                         struct sm_decode_err *err)
{
    struct rd r = {.p = tpdu, .len = len, .err = err};
    struct sm_sms_submit t = {0};
    uint8_t fo;
    int rc;

    if (!s || (!tpdu && len))
        return sm_decode_fail(err, -EINVAL, 0, "no input");
    if ((rc = need(&r, 1, "first octet")))
        return rc;
    fo = tpdu[0];
    if ((fo & FO_MTI) != MTI_SUBMIT)
        return sm_decode_fail(err, -EINVAL, 0, "TP-MTI %u is not SMS-SUBMIT", fo & FO_MTI);
    t.vpf = (uint8_t)((fo & FO_VPF) >> 3);
    /* 9.2.3.3: 1 enhanced, 3 absolute (7 octets each) are not used for OTA */
    if (t.vpf != 0 && t.vpf != 2)
        return sm_decode_fail(err, -EINVAL, 0, "TP-VPF %u not supported", t.vpf);
    t.reject_duplicates = (fo & FO_RD) != 0;
    t.status_report_request = (fo & FO_SRI) != 0;
    t.udhi = (fo & FO_UDHI) != 0;
    t.reply_path = (fo & FO_RP) != 0;
    r.pos = 1;
    if ((rc = need(&r, 1, "TP-MR")))
        return rc;
    t.mr = tpdu[r.pos++];
    if ((rc = addr_read(&r, &t.da)) || (rc = pid_dcs_read(&r, &t.pid, &t.dcs)))
        return rc;
    if (t.vpf == 2) {
        if ((rc = need(&r, 1, "TP-VP")))
            return rc;
        t.vp_relative = tpdu[r.pos++];
    }
    if ((rc = ud_read(&r, t.udhi, &t.ud, &t.ud_len)))
        return rc;
    *s = t;
    return 0;
}

/* --- writing --- */

static int addr_write(const struct sm_sms_address *a, uint8_t *p, size_t *pos)
{
    size_t n = strnlen(a->digits, sizeof(a->digits));

    if (n > ADDR_MAX_DIGITS || !(a->ton_npi & 0x80) || (a->ton_npi & 0x70) == 0x50)
        return -EINVAL;
    p[(*pos)++] = (uint8_t)n;
    p[(*pos)++] = a->ton_npi;
    for (size_t i = 0; i < n; i += 2) {
        char c0 = a->digits[i], c1 = i + 1 < n ? a->digits[i + 1] : 0;

        if (c0 < '0' || c0 > '9' || (c1 && (c1 < '0' || c1 > '9')))
            return -EINVAL;
        p[(*pos)++] = (uint8_t)((c1 ? (c1 - '0') : 0x0f) << 4 | (c0 - '0'));
    }
    return 0;
}

static uint8_t bcd2_swapped(unsigned v)
{
    return (uint8_t)((v % 10) << 4 | (v / 10));
}

static int scts_write(const struct sm_sms_time *t, uint8_t *p, size_t *pos)
{
    int tz = t->tz_quarters;
    unsigned atz = (unsigned)(tz < 0 ? -tz : tz);

    if (t->year > 99 || t->month < 1 || t->month > 12 || t->day < 1 || t->day > 31 ||
        t->hour > 23 || t->minute > 59 || t->second > 59 || atz > 79)
        return -EINVAL;
    p[(*pos)++] = bcd2_swapped(t->year);
    p[(*pos)++] = bcd2_swapped(t->month);
    p[(*pos)++] = bcd2_swapped(t->day);
    p[(*pos)++] = bcd2_swapped(t->hour);
    p[(*pos)++] = bcd2_swapped(t->minute);
    p[(*pos)++] = bcd2_swapped(t->second);
    p[(*pos)++] = (uint8_t)(bcd2_swapped(atz) | (tz < 0 ? 0x08 : 0));
    return 0;
}

static int ud_write(bool udhi, const uint8_t *ud, size_t ud_len, uint8_t *p, size_t *pos)
{
    if (ud_len > SM_SMS_UD_MAX || (!ud && ud_len))
        return -EINVAL;
    if (udhi) {
        struct sm_sms_udh h;

        if (sm_sms_udh_parse(ud, ud_len, &h, NULL, NULL, NULL))
            return -EINVAL;
    }
    p[(*pos)++] = (uint8_t)ud_len;
    if (ud_len)
        memcpy(p + *pos, ud, ud_len);
    *pos += ud_len;
    return 0;
}

int sm_sms_deliver_encode(const struct sm_sms_deliver *d, struct sm_buf *out)
{
    uint8_t p[TPDU_MAX];
    size_t pos = 1;
    int rc;

    if (!d || !out || !dcs_is_8bit(d->dcs))
        return -EINVAL;
    p[0] =
        (uint8_t)(MTI_DELIVER | (d->more_messages ? 0 : FO_MMS) | (d->status_report ? FO_SRI : 0) |
                  (d->udhi ? FO_UDHI : 0) | (d->reply_path ? FO_RP : 0));
    if ((rc = addr_write(&d->oa, p, &pos)))
        return rc;
    p[pos++] = d->pid;
    p[pos++] = d->dcs;
    if ((rc = scts_write(&d->scts, p, &pos)) || (rc = ud_write(d->udhi, d->ud, d->ud_len, p, &pos)))
        return rc;
    return sm_buf_append(out, p, pos);
}

int sm_sms_submit_encode(const struct sm_sms_submit *s, struct sm_buf *out)
{
    uint8_t p[TPDU_MAX];
    size_t pos = 0;
    int rc;

    if (!s || !out || !dcs_is_8bit(s->dcs) || (s->vpf != 0 && s->vpf != 2))
        return -EINVAL;
    p[pos++] = (uint8_t)(MTI_SUBMIT | (s->reject_duplicates ? FO_RD : 0) | (s->vpf << 3) |
                         (s->status_report_request ? FO_SRI : 0) | (s->udhi ? FO_UDHI : 0) |
                         (s->reply_path ? FO_RP : 0));
    p[pos++] = s->mr;
    if ((rc = addr_write(&s->da, p, &pos)))
        return rc;
    p[pos++] = s->pid;
    p[pos++] = s->dcs;
    if (s->vpf == 2)
        p[pos++] = s->vp_relative;
    if ((rc = ud_write(s->udhi, s->ud, s->ud_len, p, &pos)))
        return rc;
    return sm_buf_append(out, p, pos);
}

/* --- user data header (TS 23.040 9.2.3.24, TS 31.115 4) --- */

int sm_sms_udh_parse(const uint8_t *ud, size_t len, struct sm_sms_udh *udh, const uint8_t **payload,
                     size_t *payload_len, struct sm_decode_err *err)
{
    struct sm_sms_udh h = {0};
    size_t end, pos = 1;

    if (!udh || (!ud && len))
        return sm_decode_fail(err, -EINVAL, 0, "no input");
    if (len < 1)
        return sm_decode_fail(err, -EBADMSG, 0, "empty user data, no UDHL");
    end = 1 + (size_t)ud[0];
    if (end > len)
        return sm_decode_fail(err, -EBADMSG, 0, "UDHL %u past the user data (%zu)", ud[0], len);
    while (pos < end) {
        uint8_t iei, iedl;
        const uint8_t *v;

        if (end - pos < 2)
            return sm_decode_fail(err, -EBADMSG, pos, "IE header cut by the UDH end");
        iei = ud[pos];
        iedl = ud[pos + 1];
        v = ud + pos + 2;
        if (iedl > end - pos - 2)
            return sm_decode_fail(err, -EBADMSG, pos + 1, "IE %02x length %u past the UDH", iei,
                                  iedl);
        if (h.n == SM_SMS_MAX_IES)
            return sm_decode_fail(err, -EBADMSG, pos, "more than %d IEs", SM_SMS_MAX_IES);
        h.ie[h.n++] = (struct sm_sms_ie){.iei = iei, .len = iedl, .data = v};
        switch (iei) {
        case SM_SMS_IEI_CONCAT8:
        case SM_SMS_IEI_CONCAT16: {
            bool wide = iei == SM_SMS_IEI_CONCAT16;

            if (iedl != (wide ? 4 : 3))
                return sm_decode_fail(err, -EBADMSG, pos + 1, "concatenation IE length %u", iedl);
            /* two concatenation IEs would give two answers: refuse */
            if (h.concat)
                return sm_decode_fail(err, -EBADMSG, pos, "second concatenation IE");
            h.concat = true;
            h.ref = wide ? (uint16_t)(v[0] << 8 | v[1]) : v[0];
            h.total = v[wide ? 2 : 1];
            h.seq = v[wide ? 3 : 2];
            if (h.total == 0)
                return sm_decode_fail(err, -EINVAL, pos + (wide ? 4 : 3), "zero parts");
            if (h.seq == 0 || h.seq > h.total)
                return sm_decode_fail(err, -EINVAL, pos + (wide ? 5 : 4), "part %u of %u", h.seq,
                                      h.total);
            break;
        }
        case SM_SMS_IEI_CMD_PACKET:
        case SM_SMS_IEI_RSP_PACKET:
            /* 31.115 4: CPI/RPI carry no data */
            if (iedl != 0)
                return sm_decode_fail(err, -EBADMSG, pos + 1, "IE %02x with length %u", iei, iedl);
            if (h.cmd_packet || h.rsp_packet)
                return sm_decode_fail(err, -EBADMSG, pos, "second packet IE");
            if (iei == SM_SMS_IEI_CMD_PACKET)
                h.cmd_packet = true;
            else
                h.rsp_packet = true;
            break;
        default:
            break; /* 9.2.3.24: unknown IEs are ignored, kept in ie[] */
        }
        pos += 2 + (size_t)iedl;
    }
    *udh = h;
    if (payload)
        *payload = ud + end;
    if (payload_len)
        *payload_len = len - end;
    return 0;
}

/* --- splitting (TS 31.115 4, TS 23.040 9.2.3.24.1) --- */

int sm_sms_split_packet(const uint8_t *packet, size_t len, bool is_response, uint8_t ref,
                        struct sm_buf *parts, size_t max_parts)
{
    uint8_t iei = is_response ? SM_SMS_IEI_RSP_PACKET : SM_SMS_IEI_CMD_PACKET;
    size_t n, off = 0;
    int rc = 0;

    if (!packet || !len || !parts || !max_parts)
        return -EINVAL;
    if (len <= SM_SMS_UD_MAX - 3) {
        uint8_t h[3] = {0x02, iei, 0x00};

        if ((rc = sm_buf_append(&parts[0], h, 3)) || (rc = sm_buf_append(&parts[0], packet, len))) {
            sm_buf_free(&parts[0]);
            return rc;
        }
        return 1;
    }
    n = 1 + (len - FIRST_PAYLOAD + NEXT_PAYLOAD - 1) / NEXT_PAYLOAD;
    if (n > 255)
        return -EMSGSIZE;
    if (n > max_parts)
        return -ENOSPC; /* the caller's array is too short; nothing written */
    for (size_t i = 0; i < n && !rc; i++) {
        uint8_t h[8], hl = 0;
        size_t take;

        if (i == 0) {
            h[hl++] = 0x07;
            h[hl++] = iei;
            h[hl++] = 0x00;
        } else {
            h[hl++] = 0x05;
        }
        h[hl++] = SM_SMS_IEI_CONCAT8;
        h[hl++] = 0x03;
        h[hl++] = ref;
        h[hl++] = (uint8_t)n;
        h[hl++] = (uint8_t)(i + 1);
        take = i == 0 ? FIRST_PAYLOAD : NEXT_PAYLOAD;
        if (take > len - off)
            take = len - off;
        if (!(rc = sm_buf_append(&parts[i], h, hl)))
            rc = sm_buf_append(&parts[i], packet + off, take);
        off += take;
    }
    if (rc) {
        for (size_t i = 0; i < n; i++)
            sm_buf_free(&parts[i]);
        return rc;
    }
    return (int)n;
}

/* --- reassembly --- */

struct reasm_part {
    uint8_t *data; /* NULL until received */
    uint8_t len;
};

struct reasm_set {
    bool used;
    char orig[ORIG_MAX + 1];
    uint16_t ref;
    uint8_t total, count;
    bool cmd_packet, rsp_packet; /* from part 1 */
    uint64_t created;
    struct reasm_part *parts; /* total entries */
};

struct sm_sms_reasm {
    unsigned max_sets, timeout_s;
    struct reasm_set *sets;
};

static void set_drop(struct reasm_set *s)
{
    if (s->parts)
        for (unsigned i = 0; i < s->total; i++)
            free(s->parts[i].data);
    free(s->parts);
    memset(s, 0, sizeof(*s));
}

struct sm_sms_reasm *sm_sms_reasm_new(unsigned max_sets, unsigned timeout_s)
{
    struct sm_sms_reasm *r;

    if (!max_sets || !timeout_s)
        return NULL;
    r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->sets = calloc(max_sets, sizeof(*r->sets));
    if (!r->sets) {
        free(r);
        return NULL;
    }
    r->max_sets = max_sets;
    r->timeout_s = timeout_s;
    return r;
}

void sm_sms_reasm_free(struct sm_sms_reasm *r)
{
    if (!r)
        return;
    for (unsigned i = 0; i < r->max_sets; i++)
        set_drop(&r->sets[i]);
    free(r->sets);
    free(r);
}

unsigned sm_sms_reasm_expire(struct sm_sms_reasm *r, uint64_t now)
{
    unsigned dropped = 0;

    if (!r)
        return 0;
    for (unsigned i = 0; i < r->max_sets; i++) {
        struct reasm_set *s = &r->sets[i];

        /* a clock going backwards leaves sets alone rather than dropping them all */
        if (s->used && now > s->created && now - s->created > r->timeout_s) {
            set_drop(s);
            dropped++;
        }
    }
    return dropped;
}

/* Concatenate a complete set into out; the set stays if out cannot take it. */
static int set_emit(struct reasm_set *s, struct sm_buf *out, struct sm_sms_udh *udh_first)
{
    int rc;

    sm_buf_reset(out);
    for (unsigned i = 0; i < s->total; i++) {
        if ((rc = sm_buf_append(out, s->parts[i].data, s->parts[i].len))) {
            sm_buf_reset(out);
            return rc;
        }
    }
    if (udh_first) {
        /* the IE data of part 1 is gone with its SMS: report the decoded fields only */
        memset(udh_first, 0, sizeof(*udh_first));
        udh_first->concat = true;
        udh_first->ref = s->ref;
        udh_first->total = s->total;
        udh_first->seq = 1;
        udh_first->cmd_packet = s->cmd_packet;
        udh_first->rsp_packet = s->rsp_packet;
    }
    set_drop(s);
    return 1;
}

int sm_sms_reasm_add(struct sm_sms_reasm *r, const char *originator, const uint8_t *ud,
                     size_t ud_len, uint64_t now, struct sm_buf *out, struct sm_sms_udh *udh_first)
{
    struct reasm_set *s = NULL, *oldest = NULL;
    struct reasm_part *p;
    struct sm_sms_udh h;
    const uint8_t *pl;
    size_t pl_len;
    bool evicted = false;
    int rc;

    if (!r || !originator || !out || strnlen(originator, ORIG_MAX + 1) > ORIG_MAX)
        return -EINVAL;
    if (ud_len > SM_SMS_UD_MAX || sm_sms_udh_parse(ud, ud_len, &h, &pl, &pl_len, NULL))
        return -EBADMSG;
    if (!h.concat || h.total == 1) {
        sm_buf_reset(out);
        if ((rc = sm_buf_append(out, pl, pl_len)))
            return rc;
        if (udh_first)
            *udh_first = h;
        return 1;
    }
    sm_sms_reasm_expire(r, now);
    for (unsigned i = 0; i < r->max_sets; i++) {
        struct reasm_set *c = &r->sets[i];

        if (c->used && c->ref == h.ref && !strcmp(c->orig, originator)) {
            s = c;
            break;
        }
    }
    if (s && s->total != h.total)
        return -EBADMSG;
    if (!s) {
        for (unsigned i = 0; i < r->max_sets && !s; i++) {
            if (!r->sets[i].used)
                s = &r->sets[i];
            else if (!oldest || r->sets[i].created < oldest->created)
                oldest = &r->sets[i];
        }
        if (!s) {
            /* full: the oldest set gives way and this part is kept; -ENOSPC reports the loss */
            set_drop(oldest);
            s = oldest;
            evicted = true;
        }
        s->parts = calloc(h.total, sizeof(*s->parts));
        if (!s->parts)
            return -ENOMEM;
        s->used = true;
        strcpy(s->orig, originator);
        s->ref = h.ref;
        s->total = h.total;
        s->created = now;
    }
    p = &s->parts[h.seq - 1];
    if (!p->data) {
        /* pl_len <= 139: the UDH takes at least one octet */
        p->data = malloc(pl_len ? pl_len : 1);
        if (!p->data)
            return -ENOMEM;
        if (pl_len)
            memcpy(p->data, pl, pl_len);
        p->len = (uint8_t)pl_len;
        s->count++;
        if (h.seq == 1) {
            s->cmd_packet = h.cmd_packet;
            s->rsp_packet = h.rsp_packet;
        }
    }
    /* a repeated part is ignored, but still completes a set whose output failed before */
    if (s->count == s->total)
        return set_emit(s, out, udh_first);
    return evicted ? -ENOSPC : 0;
}
