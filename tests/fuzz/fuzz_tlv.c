/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: BER-TLV and DGI decoding. Property: the decoder only accepts the canonical
 * (shortest) form, so re-encoding what it accepted must give the input back. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sm/tlv.h"

static void walk(const uint8_t *p, size_t n, int depth)
{
    struct sm_buf re = SM_BUF_INIT;
    struct sm_tlv t;
    size_t pos = 0;
    int rc;

    while ((rc = sm_tlv_next(p, n, &pos, &t, NULL)) == 0) {
        if (sm_tlv_put(&re, t.tag, t.value, t.len))
            abort();
        if (t.constructed && depth < 8)
            walk(t.value, t.len, depth + 1);
    }
    if (rc == -ENODATA && (re.len != n || (n && memcmp(re.data, p, n))))
        abort(); /* accepted a non-canonical encoding */
    sm_buf_free(&re);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sm_tlv t;
    struct sm_dgi d;
    size_t pos;

    walk(data, size, 0);
    sm_tlv_parse_one(data, size, &t, NULL);
    sm_tlv_find(data, size, 0x5f37, &t, NULL);
    for (int ber = 0; ber < 2; ber++) {
        pos = 0;
        while (sm_dgi_next(data, size, &pos, ber, &d, NULL) == 0)
            if (d.value + d.len > data + size)
                abort();
    }
    return 0;
}
