/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Operations on one stored card that several front ends share (the command line, the control
 * socket, the eapol_test SoftSIM): AKA with the enabled profile, GSM authentication, fall-back,
 * a text summary.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cardops.h"
#include "sm/hex.h"
#include "usim.h"

/* The USIM AKA of the enabled profile (the first NAA with parameters). */
static struct sim_aka *enabled_usim(struct sim_card *c)
{
    struct sim_isdp *p = sim_card_enabled(c);

    if (!p || !p->naka)
        return NULL;
    return (struct sim_aka *)sim_aka_find(p->aka, p->naka, NULL, 0);
}

int sim_aka_text(struct sim_aka *a, const uint8_t rand[16], const uint8_t autn[16], char *out,
                 size_t size)
{
    struct sim_auth_out o;
    enum sim_auth_status st;
    char res[33], ck[33], ik[33], kc[17], auts[29];
    int rc = sim_aka_authenticate(a, rand, autn, &o, &st);

    if (rc)
        return snprintf(out, size, "error: the profile's algorithm is not usable"), rc;
    switch (st) {
    case SIM_AUTH_MAC_FAILURE:
        snprintf(out, size, "error: MAC failure (AUTN not from this subscriber's AuC)");
        return -EKEYREJECTED;
    case SIM_AUTH_SYNC_FAILURE:
        sm_hex_encode(o.auts, 14, auts);
        snprintf(out, size, "auts=%s", auts);
        return 0;
    default:
        sm_hex_encode(o.res, o.res_len, res);
        sm_hex_encode(o.ck, 16, ck);
        sm_hex_encode(o.ik, 16, ik);
        sm_hex_encode(o.kc, 8, kc);
        snprintf(out, size, "res=%s ck=%s ik=%s kc=%s", res, ck, ik, kc);
        sm_wipe(&o, sizeof(o));
        sm_wipe(ck, sizeof(ck));
        sm_wipe(ik, sizeof(ik));
        sm_wipe(kc, sizeof(kc));
        return 0;
    }
}

int sim_cardop_aka(struct sim_card *c, const uint8_t rand[16], const uint8_t autn[16], char *out,
                   size_t size)
{
    struct sim_aka *a = enabled_usim(c);
    int rc;

    if (!a) {
        snprintf(out, size, "error: no enabled profile with a USIM");
        return -ENOENT;
    }
    rc = sim_aka_text(a, rand, autn, out, size);
    c->dirty = true; /* the SQN array may have moved */
    return rc;
}

int sim_cardop_gsm(struct sim_card *c, const uint8_t rand[16], uint8_t sres[4], uint8_t kc[8])
{
    struct sim_aka *a = enabled_usim(c);

    return a ? sim_aka_gsm(a, rand, sres, kc) : -ENOENT;
}

int sim_cardop_imsi(struct sim_card *c, char *imsi, size_t size)
{
    struct sim_isdp *p = sim_card_enabled(c);
    struct sim_install *in = NULL;
    int rc = -ENOENT;

    /* the file system is rebuilt from the installed package to read EF.IMSI */
    if (p && p->installed && !sim_install_package(p->package.data, p->package.len, &in) &&
        in->naa[0]) {
        const struct sim_file *f = sim_fs_child(in->naa[0], 0x6F07);
        char digits[SM_IMSI_MAX_DIGITS + 1];

        if (f && f->size >= 9 && !sm_imsi_from_ef(f->data, digits)) {
            snprintf(imsi, size, "%s", digits);
            rc = 0;
        }
    }
    sim_install_free(in);
    return rc;
}

static const char *lcs_name(uint8_t lcs)
{
    switch (lcs) {
    case SIM_LCS_SELECTABLE:
        return "created";
    case SIM_LCS_PERSONALIZED:
        return "personalized";
    case SIM_LCS_DISABLED:
        return "disabled";
    case SIM_LCS_ENABLED:
        return "enabled";
    default:
        return "?";
    }
}

int sim_cardop_show(const struct sim_card *c, char *out, size_t size)
{
    size_t n = 0;

    n += (size_t)snprintf(out + n, size - n,
                          "eid %s\nmsisdn %s\nimei %s\nmemory %u of %u bytes free\n"
                          "isd-r key sets: %u SCP80, %u SCP81; notifications pending: %u\n",
                          c->eid, c->msisdn, c->imei, sim_card_mem_free(c), c->mem_total, c->nks80,
                          c->npsk, c->nnotif);
    for (unsigned i = 0; i < c->nisdp && n < size; i++) {
        const struct sim_isdp *p = &c->isdp[i];
        char aid[33];

        sm_hex_encode(p->aid, SIM_AID_LEN, aid);
        n += (size_t)snprintf(out + n, size - n, "isd-p %s %s%s iccid %s quota %u\n", aid,
                              lcs_name(p->lcs), p->fallback ? " fall-back" : "",
                              p->iccid[0] ? p->iccid : "-", p->quota);
    }
    return 0;
}
