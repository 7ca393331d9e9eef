/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMSR_EIS_CODEC_H
#define SMSR_EIS_CODEC_H

/*
 * The EIS in the JSON binding (GSMA euicc.common.types.xsd EISType, members in lowerCamelCase;
 * schema/smsr/eis.schema.json): decoding what an EUM registers, and the views the SM-SR gives
 * back. Decoding is strict (unknown members, missing mandatory members, bad identifiers are
 * refused with the member named) and does no cryptography: es1_register_eis.c verifies.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "sm/json.h"
#include "sm/sgp02_fields.h"
#include "sm/status.h"
#include "smdb/smsr_store.h"

#define SMSR_MAX_KEYS 8 /* keys per key set */

/* One key of an ISD-R key set as the EIS carries it: enciphered under the transport key. */
struct smsr_eis_key {
    unsigned index;
    uint8_t type; /* KeyTypeCodingType: 88 AES, 80 DES (3DES CBC), 85 TLS PSK */
    uint8_t enc[32];
    size_t len;
    uint8_t kcv[3];
};

struct smsr_eis_keyset {
    char type[8]; /* SCP80 | SCP81 */
    unsigned kvn;
    uint64_t cntr;
    struct smsr_eis_key keys[SMSR_MAX_KEYS];
    size_t nkeys;
};

/* The decoded EIS: pointers into the JSON (valid while it lives) and the store's model. */
struct smsr_eis_in {
    const json_t *signed_info; /* eumSignedInfo */
    const char *eum_signature;
    const char *eid, *eum_id, *smsr_id;
    const char *ecasd_cert_hex, *ecasd_ca_id; /* the CA key set's certificate */
    struct smdb_eis eis;                      /* fields and profiles (profiles malloc'd) */
    struct smsr_eis_keyset *keysets;
    size_t nkeysets;
    json_t *isdr_public; /* the ISD-R without key values (new reference) */
};

/*
 * Decode eis (the "eis" member of RegisterEIS). Returns 0, -EINVAL with st set (HTTP 400,
 * format codes naming the member; 8.1.1 for the EID, 8.2.1 for an ICCID, 8.6 for the EIS's
 * consistency), or -ENOMEM. Free with smsr_eis_in_free in every case.
 */
int smsr_eis_decode(const json_t *eis, struct smsr_eis_in *out, struct sm_status *st);
/* The same for an EIS handed over by another SM-SR (ES7.HandoverEUICC): its ISD-R key sets are
 * listed (type, version) without any key, and a key value is refused. */
int smsr_eis_decode_handover(const json_t *eis, struct smsr_eis_in *in, struct sm_status *st);
void smsr_eis_in_free(struct smsr_eis_in *in);

/* Who is asking, for the filtered views (sgp02-architecture 4.2, 4.3). */
enum smsr_view {
    SMSR_VIEW_MNO,  /* ES4: profiles the MNO owns */
    SMSR_VIEW_SMDP, /* ES3: profiles the SM-DP created, or of an MNO it serves */
    SMSR_VIEW_FULL, /* ES7 handover: the whole EIS, key values excepted */
};

/* The EIS as GetEIS returns it to requester (never any ISD-R key value); self_id is this
 * SM-SR's OID. New reference or NULL on allocation failure. */
json_t *smsr_eis_view(const struct smdb_eis *e, enum smsr_view view, const char *requester,
                      const char *self_id);

/* Format validators of the binding (0 when valid). */
/* Member tables of the XSD types other messages reuse: POL2Type, SubscriptionAddressType. */

int smsr_valid_aid(const char *s);      /* 5-16 bytes as hex */
int smsr_valid_hex(const char *s);      /* even number of hex digits */
int smsr_valid_hex_data(const char *s); /* the same, not empty (relayed card data) */
int smsr_valid_version(const char *s);  /* x.y.z */
int smsr_valid_datetime(const char *s);

#endif
