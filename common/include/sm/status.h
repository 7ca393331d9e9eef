/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_STATUS_H
#define SM_STATUS_H

#include <stdbool.h>

/*
 * Outcome of an ES function, as SGP.02 reports it in FunctionExecutionStatus: a status, and for
 * anything but success a subject code (what the problem is about), a reason code (what is wrong
 * with it), optionally the subject's identifier, and a message. The API edge turns it into
 * header.functionExecutionStatus; http_status is the HTTP status the edge answers with.
 *
 * The code values are SGP.02 / SGP.22 table entries (docs/status-codes.md lists them with their
 * sources). Codes are data: they live in status.c, handlers use the macros below.
 */
enum sm_exec_status {
    SM_EXEC_SUCCESS,
    SM_EXEC_WARNING,
    SM_EXEC_FAILED,
    SM_EXEC_EXPIRED,
};

#define SM_STATUS_CODE_MAX       16
#define SM_STATUS_SUBJECT_ID_MAX 160
#define SM_STATUS_MESSAGE_MAX    256

struct sm_status {
    enum sm_exec_status status;
    int http_status;
    char subject[SM_STATUS_CODE_MAX];
    char reason[SM_STATUS_CODE_MAX];
    char subject_id[SM_STATUS_SUBJECT_ID_MAX];
    char message[SM_STATUS_MESSAGE_MAX];
};

/* Subject codes (SGP.02 / SGP.22 subject code table). */
#define SM_SUBJ_GENERIC              "1"
#define SM_SUBJ_REQUESTER            "1.1"   /* Function Requester */
#define SM_SUBJ_PROVIDER             "1.2"   /* Function Provider */
#define SM_SUBJ_PROTOCOL             "1.3"   /* Protocol */
#define SM_SUBJ_FORMAT               "1.3.1" /* Protocol Format */
#define SM_SUBJ_FUNCTION             "1.6"   /* Function */
#define SM_SUBJ_EUICC                "8.1"
#define SM_SUBJ_EID                  "8.1.1"
#define SM_SUBJ_PROFILE              "8.2"
#define SM_SUBJ_ICCID                "8.2.1"
#define SM_SUBJ_POL1                 "8.2.2"
#define SM_SUBJ_POL2                 "8.2.3"
#define SM_SUBJ_PROFILE_TYPE         "8.2.5"
#define SM_SUBJ_SUBSCRIPTION_ADDRESS "8.2.6"
#define SM_SUBJ_ISDP                 "8.3"
#define SM_SUBJ_SD_AID               "8.3.1"
#define SM_SUBJ_ISDR                 "8.4"
#define SM_SUBJ_ECASD_CERT           "8.5.2"
#define SM_SUBJ_SMSR_CERT            "8.5.3"
#define SM_SUBJ_EIS                  "8.6"
#define SM_SUBJ_SMSR                 "8.7"

/* Reason codes (SGP.02 / SGP.22 reason code table). */
#define SM_RSN_UNKNOWN_REQUESTER   "1.1" /* Unknown (identification or authentication) */
#define SM_RSN_NOT_ALLOWED         "1.2" /* Not allowed (authorisation) */
#define SM_RSN_INVALID             "2.1"
#define SM_RSN_MANDATORY_MISSING   "2.2"
#define SM_RSN_CONDITIONAL_MISSING "2.3"
#define SM_RSN_UNSUPPORTED         "3.1"
#define SM_RSN_ALREADY_IN_USE      "3.3"
#define SM_RSN_INVALID_TRANSITION  "3.5"
#define SM_RSN_UNAVAILABLE         "3.7"
#define SM_RSN_REFUSED             "3.8"
#define SM_RSN_UNKNOWN             "3.9"
#define SM_RSN_INVALID_ASSOCIATION "3.10"
#define SM_RSN_EXECUTION_ERROR     "4.2"
#define SM_RSN_STOPPED_ON_WARNING  "4.3"
#define SM_RSN_INSUFFICIENT_MEMORY "4.8"
#define SM_RSN_TTL_EXPIRED         "4.10"
#define SM_RSN_INACCESSIBLE        "5.1"
#define SM_RSN_VERIFICATION_FAILED "6.1"
#define SM_RSN_EXPIRED             "6.3"
#define SM_RSN_MAX_ATTEMPTS        "6.4"

/* Reset to Executed-Success, HTTP 200, no code data. */
void sm_status_ok(struct sm_status *st);
/* Fill every field; message is printf-formatted and truncated to fit. subject_id may be NULL. */
void sm_status_set(struct sm_status *st, enum sm_exec_status status, int http_status,
                   const char *subject, const char *reason, const char *subject_id, const char *fmt,
                   ...) __attribute__((format(printf, 7, 8)));
#define sm_status_fail(st, http, subj, rsn, sid, ...)                                              \
    sm_status_set((st), SM_EXEC_FAILED, (http), (subj), (rsn), (sid), __VA_ARGS__)

/* "Executed-Success", "Executed-WithWarning", "Failed", "Expired" (JSON binding spelling). */
const char *sm_exec_status_name(enum sm_exec_status s);
/* Accepts the JSON spelling and the XSD one (EXECUTED_SUCCESS ...). Returns 0 or -EINVAL. */
int sm_exec_status_parse(const char *s, enum sm_exec_status *out);
/* Table meaning of a subject or reason code, or NULL when the code is not in the table. */
const char *sm_subject_code_text(const char *code);
const char *sm_reason_code_text(const char *code);
/* True when code is dotted digits ("8.1.1"), the XSD pattern ([\d]+[.])*[\d]+. */
bool sm_status_code_valid(const char *code);

#endif
