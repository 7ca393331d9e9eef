/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMDB_SMSR_STORE_H
#define SMDB_SMSR_STORE_H

/*
 * The SM-SR's eUICC registry (db/migrations/smsr/0003_eis.sql): the EIS of every registered
 * card, its profiles (ProfileInfo), its ISD-R key sets (wrapped by the caller's keystore, never
 * in clear here) and the card's audit trail. Return values as in smdb/db.h.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sm/api_header.h"
#include "smdb/db.h"

struct smdb_profile {
    char isdp_aid[33];
    char iccid[21];
    char mno_id[SM_ID_MAX + 1];
    char smdp_id[SM_ID_MAX + 1]; /* "" for a profile the EUM loaded */
    char profile_type[65];
    char state[12]; /* Created | Disabled | Enabled */
    bool fallback;
    int64_t allocated_memory;
    char msisdn[16], imsi[16]; /* "" when unknown */
    char *pol2;                /* JSON array text (malloc'd by smdb_eis_get) */
};

struct smdb_eis {
    char eid[33];
    char eum_id[SM_ID_MAX + 1];
    char *signed_info;   /* eumSignedInfo, canonical JSON */
    char *eum_signature; /* detached JWS */
    char *isdr;          /* ISD-R SecurityDomain without key values, JSON */
    int64_t remaining_memory, available_memory;
    bool http_support, cattp_support;
    int64_t last_audit_ms; /* 0: never audited */
    char state[16];        /* registered | locked | handed-over ("" = registered) */
    int64_t registered_ms, updated_ms;
    struct smdb_profile *profiles;
    size_t nprofiles;
};

/* One ISD-R key set: its keys wrapped as one keystore blob. */
struct smdb_keyset {
    char type[8]; /* SCP80 | SCP81 */
    unsigned kvn, nkeys;
    uint8_t *wrapped;
    size_t wrapped_len;
    uint64_t counter; /* SCP80: the last counter value used */
};

/*
 * Register a card: the EIS, its profiles and key sets and an audit record, in one transaction.
 * -EEXIST when the EID is registered (conflict "eid") or an ICCID is already in the registry
 * (conflict: that ICCID).
 */
int smdb_eis_register(struct smdb *db, const struct smdb_eis *e, const struct smdb_keyset *ks,
                      size_t nks, const char *actor, int64_t now_ms, char *conflict,
                      size_t conflict_len);
/* The EIS with its profiles (ordered by ISD-P AID); free with smdb_eis_free. -ENOENT. */
int smdb_eis_get(struct smdb *db, const char *eid, struct smdb_eis *out);
void smdb_eis_free(struct smdb_eis *e);
/* Number of registered cards. */
int smdb_eis_count(struct smdb *db, int64_t *n);
/* A key set (out->wrapped malloc'd; free()). -ENOENT. */
int smdb_keyset_get(struct smdb *db, const char *eid, const char *type, unsigned kvn,
                    struct smdb_keyset *out);
/* Append to the card's audit trail. */
int smdb_eis_audit(struct smdb *db, const char *eid, const char *actor, const char *event,
                   const char *detail, int64_t now_ms);
/* Calls fn for the card's audit records, oldest first, at most max. */
int smdb_eis_audit_foreach(struct smdb *db, const char *eid, unsigned max,
                           int (*fn)(void *arg, int64_t at_ms, const char *actor, const char *event,
                                     const char *detail),
                           void *arg);

/* Change the card's state (registered / locked) with an audit record. -ENOENT. */
int smdb_eis_set_state(struct smdb *db, const char *eid, const char *state, const char *actor,
                       const char *event, const char *detail, int64_t now_ms);
/* Remove the card with its profiles and key sets (SM-SR change: the old SM-SR forgets it); the
 * audit trail keeps a record. */
int smdb_eis_forget(struct smdb *db, const char *eid, const char *actor, const char *event,
                    const char *detail, int64_t now_ms);
/* Replace the ISD-R description (its key sets changed: SM-SR change). */
int smdb_eis_set_isdr(struct smdb *db, const char *eid, const char *isdr, int64_t now_ms);
/* Store a key set (replacing one of the same type and KVN) / delete one. */
int smdb_keyset_put(struct smdb *db, const char *eid, const struct smdb_keyset *k);
int smdb_keyset_delete(struct smdb *db, const char *eid, const char *type, unsigned kvn);

#endif
