/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: SMS-DELIVER / SMS-SUBMIT TPDUs, user data headers and reassembly. Property: an
 * accepted TPDU encodes back to the same bytes. */
#include <stdlib.h>
#include <string.h>

#include "sm/sms.h"

static struct sm_sms_reasm *reasm;
static uint64_t clock_s;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sm_buf b = SM_BUF_INIT, out = SM_BUF_INIT;
    struct sm_sms_deliver d;
    struct sm_sms_submit s;
    struct sm_sms_udh udh;
    const uint8_t *payload;
    size_t plen;

    if (!reasm)
        reasm = sm_sms_reasm_new(16, 60);
    if (sm_sms_deliver_decode(data, size, &d, NULL) == 0) {
        if (sm_sms_deliver_encode(&d, &b) || b.len != size || memcmp(b.data, data, size))
            abort();
    }
    sm_buf_reset(&b);
    if (sm_sms_submit_decode(data, size, &s, NULL) == 0) {
        if (sm_sms_submit_encode(&s, &b) || b.len != size || memcmp(b.data, data, size))
            abort();
    }
    sm_sms_udh_parse(data, size, &udh, &payload, &plen, NULL);
    /* reassembly across inputs: the first byte picks one of four originators */
    if (size) {
        const char *orig[4] = {"491701234", "491701235", "", "1"};

        sm_sms_reasm_add(reasm, orig[data[0] & 3], data + 1, size - 1, clock_s++ / 8, &out, &udh);
        sm_sms_reasm_expire(reasm, clock_s / 8);
    }
    sm_buf_free(&b);
    sm_buf_free(&out);
    return 0;
}
