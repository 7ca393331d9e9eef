/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: SMPP PDUs as an ESME or the SMSC receives them (framing, decode). Property: a PDU
 * that decodes encodes again, and that encoding decodes to the same fields. */
#include <stdlib.h>
#include <string.h>

#include "sm/smpp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sm_smpp_pdu a, b;
    struct sm_buf out = SM_BUF_INIT;
    uint32_t status;
    size_t len;

    if (sm_smpp_frame_len(data, size, SM_SMPP_PDU_DEFAULT, &len) || len > size)
        return 0;
    if (sm_smpp_decode(data, len, &a, &status, NULL) == 0) {
        if (sm_smpp_encode(&a, &out) == 0) {
            if (sm_smpp_decode(out.data, out.len, &b, &status, NULL))
                abort();
            if (a.command_id != b.command_id || a.sequence_number != b.sequence_number ||
                a.sm.ud_len != b.sm.ud_len ||
                (a.sm.ud_len && memcmp(a.sm.ud, b.sm.ud, a.sm.ud_len)) ||
                strcmp(a.sm.destination_addr, b.sm.destination_addr))
                abort();
            sm_smpp_pdu_free(&b);
        }
    }
    sm_smpp_pdu_free(&a);
    sm_buf_free(&out);
    return 0;
}
