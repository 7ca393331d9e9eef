/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: SCP80 command packets (card side) and PoRs (SM-SR side) with fixed AES and 3DES
 * key sets; the first input byte chooses the keys and the PoR SPI. */
#include <stdlib.h>
#include <string.h>

#include "sm/scp80.h"

static const uint8_t aes[16] = {0x20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
static const uint8_t des3[24] = {0x30, 1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11,
                                 12,   13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sm_scp80_keys k;
    struct sm_scp80_command c;
    struct sm_scp80_por p;
    uint8_t status, sel, spi[2];

    if (size < 1)
        return 0;
    sel = data[0];
    data++;
    size--;
    k = (sel & 1) ? (struct sm_scp80_keys){des3, (sel & 2) ? 16 : 24, des3, (sel & 2) ? 16 : 24}
                  : (struct sm_scp80_keys){aes, 16, aes, 16};
    if (sm_scp80_unwrap_command(data, size, &k, &c, &status, NULL) == 0 && status != SM_POR_OK)
        abort();
    sm_scp80_command_free(&c);
    spi[0] = 0x16;
    spi[1] = (uint8_t)(sel & 0x3d);
    sm_scp80_unwrap_por(spi, (sel & 1) ? 0x15 : 0x12, (sel & 1) ? 0x15 : 0x12, &k, data, size, &p,
                        NULL);
    sm_scp80_por_free(&p);
    return 0;
}
