/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sm/status.h"

struct code_text {
    const char *code;
    const char *text;
};

/* Subject and reason code tables: SGP.02 web-service schema semantics, values as tabulated in
 * SGP.22 section 5.2.6 (which inherited the SGP.02 table) plus SGP.02-only subjects (8.2.2 ..
 * 8.7). Sources and confidence per code: docs/status-codes.md. */
static const struct code_text subjects[] = {
    {"1", "Generic"},
    {"1.1", "Function Requester"},
    {"1.2", "Function Provider"},
    {"1.3", "Protocol"},
    {"1.3.1", "Protocol Format"},
    {"1.3.2", "Protocol Version"},
    {"1.6", "Function"},
    {"8", "eUICC Remote Provisioning"},
    {"8.1", "eUICC"},
    {"8.1.1", "EID"},
    {"8.2", "Profile"},
    {"8.2.1", "Profile ICCID"},
    {"8.2.2", "POL1"},
    {"8.2.3", "POL2"},
    {"8.2.5", "Profile Type"},
    {"8.2.6", "Subscription Address"},
    {"8.3", "ISD-P"},
    {"8.3.1", "Security Domain AID"},
    {"8.4", "ISD-R"},
    {"8.5.2", "ECASD Certificate"},
    {"8.5.3", "SM-SR Certificate"},
    {"8.6", "EIS"},
    {"8.7", "SM-SR"},
};

static const struct code_text reasons[] = {
    {"1", "Access Error"},
    {"1.1", "Unknown (Identification or Authentication)"},
    {"1.2", "Not Allowed (Authorisation)"},
    {"2", "Format Error"},
    {"2.1", "Invalid"},
    {"2.2", "Mandatory Element Missing"},
    {"2.3", "Conditional Element Missing"},
    {"3", "Conditions of Use Not Satisfied"},
    {"3.1", "Unsupported"},
    {"3.3", "Already in Use (Uniqueness)"},
    {"3.5", "Invalid Transition"},
    {"3.7", "Unavailable"},
    {"3.8", "Refused"},
    {"3.9", "Unknown"},
    {"3.10", "Invalid Association"},
    {"4", "Processing Error"},
    {"4.2", "Execution Error"},
    {"4.3", "Stopped on Warning"},
    {"4.8", "Insufficient Memory"},
    {"4.10", "Time to Live Expired"},
    {"5", "Transport Error"},
    {"5.1", "Inaccessible"},
    {"6", "Security Error"},
    {"6.1", "Verification Failed"},
    {"6.3", "Expired"},
    {"6.4", "Maximum Number of Attempts Exceeded"},
};

static const char *lookup(const struct code_text *t, size_t n, const char *code)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(t[i].code, code))
            return t[i].text;
    return NULL;
}

const char *sm_subject_code_text(const char *code)
{
    return lookup(subjects, sizeof(subjects) / sizeof(subjects[0]), code);
}

const char *sm_reason_code_text(const char *code)
{
    return lookup(reasons, sizeof(reasons) / sizeof(reasons[0]), code);
}

bool sm_status_code_valid(const char *code)
{
    bool digit = false;

    if (!code || !*code)
        return false;
    for (const char *p = code; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            digit = true;
        } else if (*p == '.' && digit) {
            digit = false;
        } else {
            return false;
        }
    }
    return digit;
}

void sm_status_ok(struct sm_status *st)
{
    memset(st, 0, sizeof(*st));
    st->status = SM_EXEC_SUCCESS;
    st->http_status = 200;
}

void sm_status_set(struct sm_status *st, enum sm_exec_status status, int http_status,
                   const char *subject, const char *reason, const char *subject_id, const char *fmt,
                   ...)
{
    va_list ap;

    memset(st, 0, sizeof(*st));
    st->status = status;
    st->http_status = http_status;
    snprintf(st->subject, sizeof(st->subject), "%s", subject ? subject : "");
    snprintf(st->reason, sizeof(st->reason), "%s", reason ? reason : "");
    snprintf(st->subject_id, sizeof(st->subject_id), "%s", subject_id ? subject_id : "");
    va_start(ap, fmt);
    vsnprintf(st->message, sizeof(st->message), fmt, ap);
    va_end(ap);
}

static const char *const names[] = {
    [SM_EXEC_SUCCESS] = "Executed-Success",
    [SM_EXEC_WARNING] = "Executed-WithWarning",
    [SM_EXEC_FAILED] = "Failed",
    [SM_EXEC_EXPIRED] = "Expired",
};
static const char *const xsd_names[] = {
    [SM_EXEC_SUCCESS] = "EXECUTED_SUCCESS",
    [SM_EXEC_WARNING] = "EXECUTED_WITHWARNING",
    [SM_EXEC_FAILED] = "FAILED",
    [SM_EXEC_EXPIRED] = "EXPIRED",
};

const char *sm_exec_status_name(enum sm_exec_status s)
{
    return (unsigned)s <= SM_EXEC_EXPIRED ? names[s] : "Failed";
}

int sm_exec_status_parse(const char *s, enum sm_exec_status *out)
{
    for (int i = SM_EXEC_SUCCESS; i <= SM_EXEC_EXPIRED; i++) {
        if (!strcmp(s, names[i]) || !strcmp(s, xsd_names[i])) {
            *out = (enum sm_exec_status)i;
            return 0;
        }
    }
    return -EINVAL;
}
