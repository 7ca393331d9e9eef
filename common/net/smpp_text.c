/* SPDX-License-Identifier: Apache-2.0 */
/* SMPP 3.4 text forms: command_status names (5.1.3), times (7.1.1), delivery receipts
 * (Appendix B). Pure: the current time is passed in. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sm/smpp.h"

static const struct {
    uint32_t code;
    const char *name;
} statuses[] = {
    {0x00, "ESME_ROK"},
    {0x01, "ESME_RINVMSGLEN"},
    {0x02, "ESME_RINVCMDLEN"},
    {0x03, "ESME_RINVCMDID"},
    {0x04, "ESME_RINVBNDSTS"},
    {0x05, "ESME_RALYBND"},
    {0x06, "ESME_RINVPRTFLG"},
    {0x07, "ESME_RINVREGDLVFLG"},
    {0x08, "ESME_RSYSERR"},
    {0x0a, "ESME_RINVSRCADR"},
    {0x0b, "ESME_RINVDSTADR"},
    {0x0c, "ESME_RINVMSGID"},
    {0x0d, "ESME_RBINDFAIL"},
    {0x0e, "ESME_RINVPASWD"},
    {0x0f, "ESME_RINVSYSID"},
    {0x11, "ESME_RCANCELFAIL"},
    {0x13, "ESME_RREPLACEFAIL"},
    {0x14, "ESME_RMSGQFUL"},
    {0x15, "ESME_RINVSERTYP"},
    {0x33, "ESME_RINVNUMDESTS"},
    {0x34, "ESME_RINVDLNAME"},
    {0x40, "ESME_RINVDESTFLAG"},
    {0x42, "ESME_RINVSUBREP"},
    {0x43, "ESME_RINVESMCLASS"},
    {0x44, "ESME_RCNTSUBDL"},
    {0x45, "ESME_RSUBMITFAIL"},
    {0x48, "ESME_RINVSRCTON"},
    {0x49, "ESME_RINVSRCNPI"},
    {0x50, "ESME_RINVDSTTON"},
    {0x51, "ESME_RINVDSTNPI"},
    {0x53, "ESME_RINVSYSTYP"},
    {0x54, "ESME_RINVREPFLAG"},
    {0x55, "ESME_RINVNUMMSGS"},
    {0x58, "ESME_RTHROTTLED"},
    {0x61, "ESME_RINVSCHED"},
    {0x62, "ESME_RINVEXPIRY"},
    {0x63, "ESME_RINVDFTMSGID"},
    {0x64, "ESME_RX_T_APPN"},
    {0x65, "ESME_RX_P_APPN"},
    {0x66, "ESME_RX_R_APPN"},
    {0x67, "ESME_RQUERYFAIL"},
    {0xc0, "ESME_RINVOPTPARSTREAM"},
    {0xc1, "ESME_ROPTPARNOTALLWD"},
    {0xc2, "ESME_RINVPARLEN"},
    {0xc3, "ESME_RMISSINGOPTPARAM"},
    {0xc4, "ESME_RINVOPTPARAMVAL"},
    {0xfe, "ESME_RDELIVERYFAILURE"},
    {0xff, "ESME_RUNKNOWNERR"},
};

const char *sm_smpp_status_name(uint32_t status)
{
    for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
        if (statuses[i].code == status)
            return statuses[i].name;
    return "ESME_R?";
}

static int two(const char *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

int sm_smpp_time_parse(const char *s, time_t now, time_t *out)
{
    struct tm tm, back;
    int yy, mo, dd, hh, mi, ss, nn;
    time_t t;

    if (!s[0])
        return -ENOENT;
    if (strlen(s) != 16)
        return -EINVAL;
    for (int i = 0; i < 15; i++)
        if (!isdigit((unsigned char)s[i]))
            return -EINVAL;
    yy = two(s);
    mo = two(s + 2);
    dd = two(s + 4);
    hh = two(s + 6);
    mi = two(s + 8);
    ss = two(s + 10);
    nn = two(s + 13);
    if (s[15] == 'R') {
        /* relative: "YYMMDDhhmmss000R", each field added to the current time */
        if (memcmp(s + 12, "000", 3))
            return -EINVAL;
        if (!gmtime_r(&now, &tm))
            return -EINVAL;
        tm.tm_year += yy;
        tm.tm_mon += mo;
        tm.tm_mday += dd;
        tm.tm_hour += hh;
        tm.tm_min += mi;
        tm.tm_sec += ss;
        t = timegm(&tm);
        if (t == (time_t)-1)
            return -EINVAL;
        *out = t;
        return 0;
    }
    if (s[15] != '+' && s[15] != '-')
        return -EINVAL;
    if (mo < 1 || mo > 12 || dd < 1 || dd > 31 || hh > 23 || mi > 59 || ss > 59 || nn > 48)
        return -EINVAL;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = 100 + yy;
    tm.tm_mon = mo - 1;
    tm.tm_mday = dd;
    tm.tm_hour = hh;
    tm.tm_min = mi;
    tm.tm_sec = ss;
    t = timegm(&tm);
    if (t == (time_t)-1 || !gmtime_r(&t, &back) || back.tm_mday != dd)
        return -EINVAL; /* 31 April and the like */
    /* the time is local, nn quarter hours ahead of ('+') or behind ('-') UTC */
    *out = s[15] == '+' ? t - (time_t)nn * 900 : t + (time_t)nn * 900;
    return 0;
}

static const char *const stats[] = {
    [SM_SMPP_ENROUTE] = "ENROUTE",       [SM_SMPP_DELIVERED] = "DELIVRD",
    [SM_SMPP_EXPIRED] = "EXPIRED",       [SM_SMPP_DELETED] = "DELETED",
    [SM_SMPP_UNDELIVERABLE] = "UNDELIV", [SM_SMPP_ACCEPTED] = "ACCEPTD",
    [SM_SMPP_UNKNOWN] = "UNKNOWN",       [SM_SMPP_REJECTED] = "REJECTD",
};

const char *sm_smpp_state_stat(uint8_t state)
{
    if (state < SM_SMPP_ENROUTE || state > SM_SMPP_REJECTED)
        return NULL;
    return stats[state];
}

void sm_smpp_receipt_set_text(struct sm_smpp_receipt *r, const uint8_t *ud, size_t len)
{
    size_t n = len < sizeof(r->text) - 1 ? len : sizeof(r->text) - 1;

    for (size_t i = 0; i < n; i++)
        r->text[i] = ud[i] >= 0x20 && ud[i] < 0x7f ? (char)ud[i] : '.';
    r->text[n] = 0;
}

static void fmt_date(time_t t, char out[11])
{
    struct tm tm;

    if (!gmtime_r(&t, &tm)) {
        memcpy(out, "0000000000", 11);
        return;
    }
    snprintf(out, 11, "%02u%02u%02u%02u%02u", (unsigned)tm.tm_year % 100,
             (unsigned)(tm.tm_mon + 1) % 100, (unsigned)tm.tm_mday % 100,
             (unsigned)tm.tm_hour % 100, (unsigned)tm.tm_min % 100);
}

int sm_smpp_receipt_format(const struct sm_smpp_receipt *r, char *out, size_t size)
{
    const char *stat = sm_smpp_state_stat(r->state);
    char sub[11], done[11];
    int n;

    if (!stat)
        return -EINVAL;
    fmt_date(r->submit_date, sub);
    fmt_date(r->done_date, done);
    n = snprintf(out, size,
                 "id:%s sub:%03u dlvrd:%03u submit date:%s done date:%s stat:%s err:%03u text:%s",
                 r->id, r->sub % 1000, r->dlvrd % 1000, sub, done, stat, r->err % 1000, r->text);
    if (n < 0 || (size_t)n >= size)
        return -ENOSPC;
    return n;
}

/* The value after key (case-insensitive) in text, up to the next space (or the end when
 * rest): copied into out. Returns true when the key is there. */
static bool field(const char *text, const char *key, bool rest, char *out, size_t size)
{
    size_t kl = strlen(key);

    for (const char *p = text; *p; p++) {
        size_t n;

        if (strncasecmp(p, key, kl) || (p != text && p[-1] != ' '))
            continue;
        p += kl;
        n = rest ? strlen(p) : strcspn(p, " ");
        if (n >= size)
            n = size - 1;
        memcpy(out, p, n);
        out[n] = 0;
        return true;
    }
    return false;
}

static time_t parse_date(const char *s)
{
    struct tm tm = {0};
    time_t t;

    if (strlen(s) != 10 && strlen(s) != 12)
        return 0;
    for (size_t i = 0; s[i]; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    tm.tm_year = 100 + two(s);
    tm.tm_mon = two(s + 2) - 1;
    tm.tm_mday = two(s + 4);
    tm.tm_hour = two(s + 6);
    tm.tm_min = two(s + 8);
    tm.tm_sec = strlen(s) == 12 ? two(s + 10) : 0;
    t = timegm(&tm);
    return t == (time_t)-1 ? 0 : t;
}

int sm_smpp_receipt_parse(const struct sm_smpp_sm *sm, struct sm_smpp_receipt *r)
{
    char text[256], v[SM_SMPP_MSGID_SIZE];
    size_t n = sm->ud_len < sizeof(text) - 1 ? sm->ud_len : sizeof(text) - 1;
    bool have_state = false;

    memset(r, 0, sizeof(*r));
    if ((sm->esm_class & SM_SMPP_ESM_TYPE_MASK) != SM_SMPP_ESM_RECEIPT)
        return -ENOENT;
    for (size_t i = 0; i < n; i++)
        text[i] = sm->ud[i] ? (char)sm->ud[i] : ' ';
    text[n] = 0;
    if (sm->receipted_message_id[0])
        snprintf(r->id, sizeof(r->id), "%s", sm->receipted_message_id);
    else if (field(text, "id:", false, v, sizeof(v)))
        snprintf(r->id, sizeof(r->id), "%s", v);
    if (sm->has_message_state) {
        r->state = sm->message_state;
        have_state = true;
    } else if (field(text, "stat:", false, v, sizeof(v))) {
        for (uint8_t s = SM_SMPP_ENROUTE; s <= SM_SMPP_REJECTED; s++) {
            if (!strcasecmp(v, stats[s])) {
                r->state = s;
                have_state = true;
            }
        }
    }
    if (field(text, "sub:", false, v, sizeof(v)))
        r->sub = (unsigned)strtoul(v, NULL, 10) % 1000;
    if (field(text, "dlvrd:", false, v, sizeof(v)))
        r->dlvrd = (unsigned)strtoul(v, NULL, 10) % 1000;
    if (field(text, "err:", false, v, sizeof(v)))
        r->err = (unsigned)strtoul(v, NULL, 10) % 1000;
    if (field(text, "submit date:", false, v, sizeof(v)))
        r->submit_date = parse_date(v);
    if (field(text, "done date:", false, v, sizeof(v)))
        r->done_date = parse_date(v);
    if (field(text, "text:", true, r->text, sizeof(r->text)))
        for (char *p = r->text; *p; p++)
            if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
                *p = '.';
    if (!r->id[0] || !have_state)
        return -EBADMSG;
    return 0;
}
