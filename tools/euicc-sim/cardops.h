/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SIM_CARDOPS_H
#define SIM_CARDOPS_H

/* Card operations shared by the command line, the control socket and the SoftSIM. */
#include <stddef.h>
#include <stdint.h>

#include "card.h"
#include "install.h"

/* 3G authentication with the enabled profile's USIM; out: "res=.. ck=.. ik=.. kc=..",
 * "auts=..", or "error: ..." (MAC failure -EKEYREJECTED, no USIM -ENOENT). */
int sim_cardop_aka(struct sim_card *c, const uint8_t rand[16], const uint8_t autn[16], char *out,
                   size_t size);
/* The same on given AKA parameters (a package file). */
int sim_aka_text(struct sim_aka *a, const uint8_t rand[16], const uint8_t autn[16], char *out,
                 size_t size);
/* GSM authentication (SRES, Kc) with the enabled USIM. */
int sim_cardop_gsm(struct sim_card *c, const uint8_t rand[16], uint8_t sres[4], uint8_t kc[8]);
/* The IMSI of the enabled profile (EF.IMSI). */
int sim_cardop_imsi(struct sim_card *c, char *imsi, size_t size);
/* A text summary of the card. */
int sim_cardop_show(const struct sim_card *c, char *out, size_t size);

#endif
