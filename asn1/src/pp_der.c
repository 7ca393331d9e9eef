/* SPDX-License-Identifier: Apache-2.0 */
/* Validation with the decoder asn1c generates from asn1/saip.asn: every element decodes as a
 * ProfileElement and meets the module's constraints (asn1c's BER decoder does not check sizes
 * and ranges by itself, hence asn_check_constraints after each decode). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <ProfileElement.h>

#include "pp_internal.h"
#include "sm/tlv.h"

int sm_pp_validate(const uint8_t *der, size_t len, struct sm_pp_stats *stats,
                   struct sm_pp_error *err)
{
    struct sm_decode_err de;
    struct sm_tlv t;
    size_t pos = 0, idx = 0;
    int rc, result = 0;

    memset(stats, 0, sizeof(*stats));
    if (err)
        memset(err, 0, sizeof(*err));
    while ((rc = sm_tlv_next(der, len, &pos, &t, &de)) == 0) {
        ProfileElement_t *pe = NULL;
        asn_dec_rval_t dr = {RC_FAIL, 0};
        struct sm_decode_err derr;
        char cmsg[200] = "";
        size_t clen = sizeof(cmsg);
        const char *problem = NULL;

        /* DER first: asn1c's BER decoder takes indefinite lengths, and some nestings of them
         * (a1 80 inside a CHOICE) make it loop for ever; a package is DER (SAIP 2.1). */
        if (sm_tlv_check_der(der + t.offset, t.size, SM_PP_MAX_DEPTH, &derr) == 0)
            dr = ber_decode(NULL, &asn_DEF_ProfileElement, (void **)&pe, der + t.offset, t.size);
        else
            snprintf(cmsg, sizeof(cmsg), "not DER at offset %zu: %s", t.offset + derr.offset,
                     derr.msg);
        stats->elements++;
        if (cmsg[0]) {
            problem = cmsg;
        } else if (dr.code != RC_OK || dr.consumed != t.size) {
            problem = "does not decode as a ProfileElement";
        } else if (pe->present == ProfileElement_PR_NOTHING) {
            stats->unknown++; /* an alternative the module does not describe */
        } else if (asn_check_constraints(&asn_DEF_ProfileElement, pe, cmsg, &clen)) {
            problem = cmsg[0] ? cmsg : "constraint not met";
        } else {
            stats->described++;
        }
        if (problem) {
            stats->invalid++;
            if (!result && err) {
                snprintf(err->path, sizeof(err->path), "profileElements[%zu]", idx);
                snprintf(err->msg, sizeof(err->msg), "%s", problem);
                err->offset = t.offset;
            }
            result = -EINVAL;
        }
        ASN_STRUCT_FREE(asn_DEF_ProfileElement, pe);
        idx++;
    }
    if (rc != -ENODATA) {
        if (err) {
            snprintf(err->path, sizeof(err->path), "profileElements[%zu]", idx);
            snprintf(err->msg, sizeof(err->msg), "not a sequence of TLVs: %s", de.msg);
            err->offset = de.offset;
        }
        return -EBADMSG;
    }
    return result;
}
