/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SIM_ISDR_INTERNAL_H
#define SIM_ISDR_INTERNAL_H

/* The ISD-R functions, one file each, called by the command dispatcher (isdr.c). */
#include "isdr.h"

/* SW values (es5 spec 1.2) */
#define SW_OK                 0x9000
#define SW_WRONG_LENGTH       0x6700
#define SW_SECURITY_STATUS    0x6982
#define SW_CONDITIONS         0x6985
#define SW_POL1               0x69E1
#define SW_WRONG_DATA         0x6A80
#define SW_FUNC_NOT_SUPPORTED 0x6A81
#define SW_NOT_ENOUGH_MEMORY  0x6A84
#define SW_INCORRECT_P1P2     0x6A86
#define SW_REF_DATA_NOT_FOUND 0x6A88
#define SW_INS_NOT_SUPPORTED  0x6D00
#define SW_CLA_NOT_SUPPORTED  0x6E00
#define SW_MEMORY_FAILURE     0x6581

/* INSTALL [for install and make selectable] (CreateISDP) and [for personalization]. */
int isdr_create_isdp(struct sim_ctx *x, const struct sm_capdu *c, struct sm_buf *rsp, uint16_t *sw);
int isdr_install_personalization(struct sim_ctx *x, const struct sm_capdu *c, struct sm_buf *rsp,
                                 uint16_t *sw);
/* STORE DATA DGIs (value of the DGI). */
int isdr_enable_profile(struct sim_ctx *x, const uint8_t *v, size_t len, uint16_t *sw);
int isdr_disable_profile(struct sim_ctx *x, const uint8_t *v, size_t len, uint16_t *sw);
int isdr_set_fallback(struct sim_ctx *x, const uint8_t *v, size_t len, uint16_t *sw);
int isdr_update_smsr_address(struct sim_ctx *x, const uint8_t *v, size_t len, uint16_t *sw);
int isdr_notification_confirm(struct sim_ctx *x, const uint8_t *v, size_t len, struct sm_buf *rsp,
                              uint16_t *sw);
/* Key establishment (ISD-P for ES8, ISD-R for SM-SR change): 3A01 certificate, then the whole
 * data field starting with 3A02 (3A02 {A6} 7F49 5F37). */
int isdr_keyest_certificate(struct sim_ctx *x, const uint8_t *v, size_t len, struct sm_buf *rsp,
                            uint16_t *sw);
int isdr_keyest_ephemeral(struct sim_ctx *x, const uint8_t *data, size_t len, struct sm_buf *rsp,
                          uint16_t *sw);
/* Block 1 without a signature: an SCP81 key set from the SM-SR (es8 spec 1.6). */
bool isdr_scp81_block(const uint8_t *data, size_t len, enum sm_curve curve);
int isdr_create_scp81_key_set(struct sim_ctx *x, const uint8_t *data, size_t len,
                              struct sm_buf *rsp, uint16_t *sw);
/* DELETE: profile, master delete, ISD-R key sets (FinaliseISDRhandover). */
int isdr_delete_profile(struct sim_ctx *x, const struct sm_capdu *c, uint16_t *sw);
int isdr_master_delete(struct sim_ctx *x, const struct sm_capdu *c, uint16_t *sw);
int isdr_finalise_handover(struct sim_ctx *x, const struct sm_capdu *c, struct sm_buf *rsp,
                           uint16_t *sw);
/* Audit: GET DATA FF21 (resources), GET STATUS (ISD-Ps). */
int isdr_get_data(struct sim_ctx *x, const struct sm_capdu *c, struct sm_buf *rsp, uint16_t *sw);
int isdr_get_status(struct sim_ctx *x, const struct sm_capdu *c, struct sm_buf *rsp, uint16_t *sw);

/* 4F 10 <AID> at the start of v: the ISD-P, or NULL with *sw set (6A80 malformed, 6A88
 * unknown). */
struct sim_isdp *isdr_target(struct sim_ctx *x, const uint8_t *v, size_t len, uint16_t *sw);
/* Profile switch with a change notification (enable, disable, fall-back). */
void isdr_switch(struct sim_ctx *x, struct sim_isdp *from, struct sim_isdp *to, uint8_t type,
                 bool can_roll_back);

#endif
