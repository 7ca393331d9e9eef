/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: what a card (or anyone with its keys) sends the SM-SR, after SCP80/SCP81 are
 * undone: response scripts, FF21 resources, GET STATUS answers, notifications, the answers to
 * EstablishISDRKeySet (smsr/es5_commands.c). The first byte selects the decoder. Properties: no
 * crash, no leak, what decodes holds together (counts within bounds, lengths inside the input). */
#include <stdlib.h>
#include <string.h>

#include "../../smsr/es5_commands.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct smsr_es5_answer a;
    struct smsr_card_resources r;
    struct smsr_isdp_status st[4];
    struct smsr_notification n;
    struct smsr_key_establishment_answer k;
    size_t ns;

    if (!size)
        return 0;
    switch (data[0] % 5) {
    case 0:
        if (smsr_es5_answer_decode(data + 1, size - 1, &a) == 0) {
            if (a.n > SMSR_ES5_MAX_RAPDU)
                abort();
            for (unsigned i = 0; i < a.n; i++)
                if (a.r[i].data < data + 1 || a.r[i].data + a.r[i].len + 2 > data + size)
                    abort();
        }
        break;
    case 1:
        smsr_es5_resources_decode(data + 1, size - 1, &r);
        break;
    case 2:
        if (smsr_es5_status_decode(data + 1, size - 1, st, 4, &ns) == 0 && ns > 4)
            abort();
        break;
    case 3:
        if (smsr_es5_notification_decode(data + 1, size - 1, &n) == 0 &&
            (strlen(n.eid) != 32 || strlen(n.imei) > 15))
            abort();
        break;
    default:
        /* the card's answer to EstablishISDRKeySet (SM-SR change) */
        if (smsr_es5_key_establishment_decode(data + 1, size - 1, &k) == 0 &&
            ((!k.v85 && !k.receipt) || (k.receipt && k.receipt_len != 16) ||
             (k.v85 && k.v85 + k.v85_len > data + size)))
            abort();
        break;
    }
    return 0;
}
