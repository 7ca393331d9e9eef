/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SIM_EAPOL_H
#define SIM_EAPOL_H

#include "sim_app.h"

/* Attach to an eapol_test / wpa_supplicant control socket as its external SIM and answer
 * UMTS-AUTH and GSM-AUTH with card eid's enabled profile until the supplicant goes away
 * (eapol.c). Returns 0 when the supplicant ended the session, a negative errno otherwise. */
int sim_eapol_run(struct sim_config *cfg, const char *eid, const char *ctrl_path);

#endif
