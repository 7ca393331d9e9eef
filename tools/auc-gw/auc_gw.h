/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AUC_GW_H
#define AUC_GW_H

/* auc-gw: an AuC for hostapd's EAP-SIM/AKA/AKA' database interface (docs/auc-gw.md). */
#include <stddef.h>

#include "sm/keystore.h"
#include "smdb/db.h"

struct auc_gw {
    struct smdb *db;
    struct sm_keystore *ks;
};

/*
 * Answer one request datagram (auc_proto.c). out (n bytes) gets the answer text, empty when the
 * request has none (AKA-AUTS) or is not one of the interface's. Returns 0, or -errno when the
 * request failed (out then holds the FAILURE answer, if the request has one).
 */
int auc_gw_answer(struct auc_gw *g, const char *req, char *out, size_t n);

/* Load the subscribers of an HSS file (iccid,imsi,k,opc,amf,sqn; main.c). */
int auc_gw_import(struct auc_gw *g, const char *path, unsigned *n);

#endif
