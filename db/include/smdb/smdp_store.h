/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMDB_SMDP_STORE_H
#define SMDB_SMDP_STORE_H

/*
 * The SM-DP's profile inventory (migration smdp/3): profile types per MNO and subscriptions
 * with their secrets wrapped by the keystore (the wrapping is the caller's: nothing here sees a
 * secret in clear). Return values as in smdb/db.h.
 *
 * Subscription states: available -> allocated (to an order and a card) -> downloading ->
 * installed -> enabled / disabled -> deleted; once the profile left the card the ICCID is
 * available again or retired, as its type's on_delete says.
 */
#include <stddef.h>
#include <stdint.h>

#include "sm/entity.h"
#include "smdb/db.h"

#define SMDB_TYPE_NAME_MAX 64

struct smdb_profile_type {
    char mno_id[SM_ID_MAX + 1];
    char name[SMDB_TYPE_NAME_MAX + 1];
    char *template_ref; /* a shipped template's name, or a template's JSON */
    char *params;       /* JSON object: the parameters every profile of the type shares */
    char *pol2;         /* JSON, NULL: none */
    int64_t memory_required;
    char on_delete[8]; /* release | retire */
    int64_t created_ms, updated_ms;
};

/* Create or change a type (its subscriptions keep their state). */
int smdb_profile_type_put(struct smdb *db, const struct smdb_profile_type *t, int64_t now_ms);
/* -ENOENT when the MNO has no such type. Free with smdb_profile_type_free. */
int smdb_profile_type_get(struct smdb *db, const char *mno, const char *name,
                          struct smdb_profile_type *out);
void smdb_profile_type_free(struct smdb_profile_type *t);

struct smdb_subscription {
    char iccid[21];
    char mno_id[SM_ID_MAX + 1];
    char profile_type[SMDB_TYPE_NAME_MAX + 1];
    char imsi[16];
    char msisdn[21];
    uint8_t *secrets; /* wrapped */
    size_t secrets_len;
    char state[16];
    char eid[33];
    char order_ref[2 * SM_ID_MAX + 2];
    char batch[65];
    int64_t created_ms, updated_ms;
    char isdp_aid[33];  /* the ISD-P it was installed in, when a token key was loaded */
    uint8_t *token_key; /* wrapped master-delete token key (KVN 70), NULL: none */
    size_t token_key_len;
};

/* A new available subscription. -EEXIST when its ICCID or IMSI is in the inventory, -ENOENT
 * when its type does not exist. */
int smdb_subscription_add(struct smdb *db, const struct smdb_subscription *s, int64_t now_ms);
/* -ENOENT. Free with smdb_subscription_free. */
int smdb_subscription_get(struct smdb *db, const char *iccid, struct smdb_subscription *out);
void smdb_subscription_free(struct smdb_subscription *s);
/* Take the lowest available ICCID of the MNO's type for an order and a card (state allocated);
 * concurrent orders never get the same one. -ENOENT when none is left. */
int smdb_subscription_allocate(struct smdb *db, const char *mno, const char *type, const char *eid,
                               const char *order_ref, int64_t now_ms, char iccid[21]);
/* Take the MNO's available subscription iccid for an order and a card (state allocated).
 * -ESTALE when it is not the MNO's or not available. */
int smdb_subscription_take(struct smdb *db, const char *iccid, const char *mno, const char *eid,
                           const char *order_ref, int64_t now_ms);
/* Move to state to, from state from (NULL: any). -ESTALE when it is not in from, -ENOENT. */
int smdb_subscription_set_state(struct smdb *db, const char *iccid, const char *from,
                                const char *to, int64_t now_ms);
/* The subscription's new address (ES2.UpdateSubscriptionAddress); NULL keeps a part. -ENOENT,
 * -EEXIST when the IMSI is another subscription's. */
int smdb_subscription_set_address(struct smdb *db, const char *iccid, const char *imsi,
                                  const char *msisdn, int64_t now_ms);
/* The profile left the card (or never reached it): available again, or retired, as its type
 * says; the new state in state_out. -ENOENT (or already available / retired). */
int smdb_subscription_release(struct smdb *db, const char *iccid, int64_t now_ms,
                              char state_out[16]);
/* The ISD-P a download installed the subscription in and the token key it loaded there
 * (wrapped). -ENOENT. */
int smdb_subscription_set_token(struct smdb *db, const char *iccid, const char *isdp_aid,
                                const uint8_t *key, size_t len, int64_t now_ms);
/* How many subscriptions each (MNO, type, state) has; mno NULL: every MNO. */
typedef void (*smdb_inventory_fn)(void *arg, const char *mno, const char *type, const char *state,
                                  int64_t n);
int smdb_inventory_counts(struct smdb *db, const char *mno, smdb_inventory_fn fn, void *arg);

#endif
