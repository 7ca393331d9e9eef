/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: C-/R-APDUs and the remote command formats of TS 102 226 (expanded and compact). */
#include <stdlib.h>
#include <string.h>

#include "sm/apdu.h"

static int each(void *arg, const struct sm_capdu *a)
{
    struct sm_buf *b = arg;

    return sm_capdu_encode(a, b) ? 1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sm_buf b = SM_BUF_INIT;
    struct sm_script s;
    struct sm_capdu a;
    struct sm_rapdu r;
    uint8_t exec;

    if (sm_capdu_decode(data, size, &a, NULL) == 0) {
        /* an accepted APDU encodes again, and that encoding decodes to the same fields */
        struct sm_capdu a2;

        if (sm_capdu_encode(&a, &b) || sm_capdu_decode(b.data, b.len, &a2, NULL) || a2.lc != a.lc ||
            a2.has_le != a.has_le || a2.le != a.le || (a.lc && memcmp(a2.data, a.data, a.lc)))
            abort();
    }
    if (sm_script_decode(data, size, &s, NULL) == 0) {
        for (unsigned i = 0; i < s.n; i++) {
            if (s.item[i].tag == SM_SCRIPT_C_APDU)
                sm_capdu_decode(s.item[i].value, s.item[i].len, &a, NULL);
            else if (s.item[i].tag == SM_SCRIPT_R_APDU)
                sm_rapdu_decode(s.item[i].value, s.item[i].len, &r, NULL);
        }
    }
    sm_buf_reset(&b);
    sm_compact_decode(data, size, each, &b, NULL);
    sm_compact_response_decode(data, size, &exec, &r, NULL);
    sm_buf_free(&b);
    return 0;
}
