/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: what a card (and the SM-DP) receive in SCP03 / SCP03t: wrapped commands, 84 / 85
 * / 86 TLVs, responses, and the ES8 key-establishment TLVs. Sessions are built
 * deterministically before each input. */
#include <stdlib.h>
#include <string.h>

#include "sm/es8.h"
#include "sm/scp03.h"

static const uint8_t kenc[16] = {0xef, 0xf4, 0x04, 0xfa, 0x0b, 0xb2, 0xeb, 0xd0,
                                 0xd9, 0x0b, 0x4a, 0xe2, 0x90, 0x7d, 0xc5, 0x68};
static const uint8_t kmac[16] = {0xf5, 0xf2, 0xf6, 0x73, 0xc2, 0x46, 0x8a, 0xc5,
                                 0xce, 0x2d, 0x13, 0xcb, 0x65, 0xc0, 0x2d, 0x0e};
static const uint8_t aid[16] = {0xa0, 0,    0,    5,    0x59, 0x10, 0x10, 0xff,
                                0xff, 0xff, 0xff, 0x89, 0,    0,    0x13, 0};
static const uint8_t seq[3] = {0, 0, 1}, hc[8] = {1, 2, 3, 4, 5, 6, 7, 8}, kdd[10];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sm_scp03_keys k = {kenc, kmac, NULL, 16};
    struct sm_scp03_session card, host;
    struct sm_buf a = SM_BUF_INIT, b = SM_BUF_INIT, p = SM_BUF_INIT;
    struct sm_es8_block1 blk;
    struct sm_es8_crt crt;
    uint8_t cerr;

    /* an established level-33 session on both sides */
    if (sm_scp03_card_init(&card, &k, 0x30, 0x70, seq, aid, 16, kdd, hc, &a) ||
        sm_scp03_host_init(&host, &k, hc, a.data, a.len, NULL))
        abort();
    sm_buf_reset(&a);
    if (sm_scp03_external_authenticate(&host, 0x33, &a) ||
        sm_scp03_card_external_authenticate(&card, a.data, a.len, NULL))
        abort();
    sm_scp03_card_unwrap(&card, data, size, &p, NULL);
    sm_scp03_unwrap_response(&host, data, size, 0x9000, &p);
    sm_scp03_card_external_authenticate(&card, data, size, NULL);
    /* SCP03t on a fresh card session */
    sm_buf_reset(&b);
    sm_scp03t_card_84(&card, &k, 0x30, seq, aid, 16, data, size, &b);
    sm_buf_reset(&b);
    sm_scp03t_card_85(&card, data, size, &b);
    card.authenticated = true;
    sm_buf_reset(&b);
    sm_scp03t_card_86(&card, data, size, &p, &b);
    sm_scp03t_host_check(&host, 0x86, data, size, &p, &cerr, NULL);
    sm_scp03t_host_84(&host, &k, hc, data, size, &cerr, NULL);
    /* ES8 key establishment input */
    sm_es8_crt_decode(data, size, &crt, NULL);
    sm_es8_block1_parse_verify(data, size, SM_CURVE_P256, NULL, 0, hc, 8, &blk, NULL);
    sm_es8_block1_parse(data, size, SM_CURVE_P256, &blk, NULL);
    sm_scp03_clear(&card);
    sm_scp03_clear(&host);
    sm_buf_free(&a);
    sm_buf_free(&b);
    sm_buf_clear_free(&p);
    return 0;
}
