/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer: one line of an HSS file, iccid,imsi,k,opc,amf,sqn, as auc-gw and smctl subscriber
 * read them (auc_hss_parse(), tools/auc-gw/auc_subscribers.c).
 * Properties: an accepted row has an IMSI of 6 to 15 digits, an empty ICCID or a valid one, and
 * 4 hex digits of AMF, and written back as a line it reads as the same row; a refused row is
 * all zero bytes (wiped).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auc_gw.h"
#include "sm/hex.h"
#include "sm/ids.h"

#define DIGITS "0123456789"

/* An accepted row: its fields, and the same row again from it written as a line. */
static void check_row(const struct auc_hss_row *r)
{
    struct auc_hss_row r2;
    char again[160], k[66], sqn[13];
    size_t n = strnlen(r->imsi, sizeof(r->imsi));

    if (n < 6 || n > 15 || strspn(r->imsi, DIGITS) != n ||
        strnlen(r->iccid, sizeof(r->iccid)) == sizeof(r->iccid) ||
        strspn(r->iccid, DIGITS) != strlen(r->iccid) || (r->iccid[0] && sm_iccid_check(r->iccid)) ||
        strnlen(r->amf, sizeof(r->amf)) != 4 || strspn(r->amf, DIGITS "abcdefABCDEF") != 4)
        abort();
    sm_hex_encode(r->keys, 16, k);
    k[32] = ',';
    sm_hex_encode(r->keys + 16, 16, k + 33);
    sm_hex_encode(r->sqn, 6, sqn);
    snprintf(again, sizeof(again), "%s,%s,%s,%s,%s\r\n", r->iccid, r->imsi, k, r->amf, sqn);
    if (auc_hss_parse(again, &r2) || memcmp(r, &r2, sizeof(r2)))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = malloc(size + 1);
    struct auc_hss_row r;

    if (!line)
        return 0;
    memcpy(line, data, size);
    line[size] = 0;
    memset(&r, 0xa5, sizeof(r));
    if (auc_hss_parse(line, &r)) {
        for (size_t i = 0; i < sizeof(r); i++)
            if (((const uint8_t *)&r)[i])
                abort();
    } else {
        check_row(&r);
    }
    free(line);
    return 0;
}
