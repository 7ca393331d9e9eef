/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The number the card is reached at (card.h): a device is known to the network by the MSISDN
 * of the profile it runs, so after a switch the card answers to the enabled profile's
 * EF.MSISDN (TS 31.102 4.2.26), when that holds one. A profile without a number leaves the
 * card's number as it was (the factory's, or the last profile's).
 */
#include <string.h>

#include "card.h"
#include "fs.h"
#include "install.h"
#include "sm/ids.h"

#define FID_MSISDN 0x6F40

static int enabled_number(struct sim_card *c, char *out, size_t n)
{
    struct sim_isdp *p = sim_card_enabled(c);
    struct sim_install *in = NULL;
    int rc = -1;

    /* the file system is rebuilt from the installed package to read EF.MSISDN */
    if (p && p->installed && !sim_install_package(p->package.data, p->package.len, &in) &&
        in->naa[0]) {
        const struct sim_file *f = sim_fs_child(in->naa[0], FID_MSISDN);

        /* record 1: alpha identifier, then length of TON/NPI + BCD, TON/NPI, 10 BCD bytes */
        if (f && f->rec_len >= 14 && f->size >= f->rec_len) {
            const uint8_t *r = f->data + f->rec_len - 14;

            if (r[0] != 0xFF && r[0] >= 2 && r[0] <= 11 &&
                sm_address_decode(r + 1, r[0], out, n) == 0)
                rc = 0;
        }
    }
    sim_install_free(in);
    return rc;
}

void sim_card_follow_number(struct sim_card *c)
{
    char number[SIM_MSISDN_MAX + 2];

    if (enabled_number(c, number, sizeof(number)) == 0 && strlen(number) <= SIM_MSISDN_MAX &&
        strcmp(number, c->msisdn)) {
        memcpy(c->msisdn, number, strlen(number) + 1);
        c->dirty = true;
    }
}
