/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMDB_SMSR_OPS_H
#define SMDB_SMSR_OPS_H

/*
 * The SM-SR's ES5 engine state (db/migrations/smsr/0004_es5.sql): platform operations as
 * durable rows, SCP80 counters allocated before a packet leaves, card notifications
 * deduplicated on (EID, sequence number), and the outbox of results and notifications for
 * other entities. Return values as in smdb/db.h.
 */
#include <stdbool.h>
#include <stdint.h>

#include "sm/api_header.h"
#include "smdb/db.h"
#include "smdb/outbox.h"

struct smdb_op {
    int64_t id;
    char requester[SM_ID_MAX + 1];
    char call_id[SM_ID_MAX + 1];
    char function[64]; /* es4.enableProfile, card.notificationConfirmation, ... */
    char eid[33];
    char iccid[21];    /* "" when none */
    char isdp_aid[33]; /* "" when none */
    char *params;      /* JSON object text (malloc'd when read) */
    char state[24];    /* queued | sent | await-notification | await-peer | done */
    unsigned attempts;
    int64_t created_ms, deadline_ms, next_ms;
    unsigned por_kvn;
    uint64_t por_cntr;   /* 0: no packet out */
    char *card_response; /* hex, may be NULL */
    char bearer[8];      /* sms | https */
    uint8_t *script;     /* the command script decided for the card (malloc'd), may be NULL */
    size_t script_len;
};

void smdb_op_free(struct smdb_op *op);

/* A new operation (state queued, next_ms = created_ms). -EEXIST when (requester, call_id) has
 * one. *id may be NULL. */
int smdb_op_insert(struct smdb *db, const struct smdb_op *op, int64_t *id);
/*
 * The operation the engine should look at now, or -ENOENT: due (next_ms <= now) and, when
 * queued, the first unfinished one of its card (card.* operations run beside the others).
 */
int smdb_op_due(struct smdb *db, int64_t now_ms, struct smdb_op *out);
/* Milliseconds until the next operation is due (0: now), or -1 when none is pending. */
int64_t smdb_op_next_wait(struct smdb *db, int64_t now_ms);
/* Store state, attempts, next_ms, por_kvn, por_cntr, card_response, isdp_aid, bearer, script
 * and params of op. */
int smdb_op_update(struct smdb *db, const struct smdb_op *op);
/*
 * End an operation in one transaction: state done with outcome; the journaled call
 * (requester, call_id) gets http_status and response; when callback_path is not NULL an outbox
 * message to the requester carries callback_body.
 */
int smdb_op_finish(struct smdb *db, const struct smdb_op *op, const char *outcome, int http_status,
                   const char *response, const char *callback_path, const char *callback_body,
                   int64_t now_ms);
/* The sent operation of card eid whose packet had counter cntr, or -ENOENT. */
int smdb_op_by_por(struct smdb *db, const char *eid, uint64_t cntr, struct smdb_op *out);
/* Take the oldest operation of card eid whose script waits for an admin session and that no
 * session took since stale_ms (marked taken at now_ms, atomically). -ENOENT when none. */
int smdb_op_https_next(struct smdb *db, const char *eid, int64_t now_ms, int64_t stale_ms,
                       struct smdb_op *out);
int smdb_op_by_id(struct smdb *db, int64_t id, struct smdb_op *out);
/* The operation of card eid waiting for a card notification, or -ENOENT. */
int smdb_op_awaiting(struct smdb *db, const char *eid, struct smdb_op *out);
/* How many operations are not done. */
int smdb_op_pending(struct smdb *db, int64_t *n);
/* Calls of asynchronous functions left 'accepted' without an operation (a crash between the
 * journal and the operation's insert) are forgotten, so that a retry runs them. */
int smdb_op_forget_orphans(struct smdb *db, unsigned *n);

/* Allocate the next SCP80 counter of the card's key set (committed before it is used). */
int smdb_keyset_next_counter(struct smdb *db, const char *eid, unsigned kvn, uint64_t *cntr);
/* The card whose enabled profile (or else any profile) has this MSISDN. -ENOENT. */
int smdb_eid_by_msisdn(struct smdb *db, const char *msisdn, char eid[33]);
/* The MSISDN to reach the card: its enabled profile's. -ENOENT when unknown. */
int smdb_card_msisdn(struct smdb *db, const char *eid, char msisdn[16]);

/* Record a card notification; -EEXIST when (eid, seq) was seen (a repetition). */
int smdb_card_notif_add(struct smdb *db, const char *eid, unsigned seq, unsigned type,
                        const char *aid, const char *imei, int64_t now_ms);
/* The type of the card's latest profile-change notification (02, 03, 05) received since
 * since_ms, or -ENOENT. */
int smdb_card_notif_since(struct smdb *db, const char *eid, int64_t since_ms, unsigned *type);
/* Is notification seq of card eid the late outcome of a profile change whose operation expired
 * (the card's latest Enable/Disable operation ended Expired and no other change report came
 * since it was accepted)? SGP.02 7.3: such a notification is not confirmed. */
int smdb_card_notif_late(struct smdb *db, const char *eid, unsigned seq, bool *late);
/* confirmed_ms of a recorded notification: 0 not yet, -1 refused (late), else when. */
int smdb_card_notif_confirmed_ms(struct smdb *db, const char *eid, unsigned seq, int64_t *ms);
int smdb_card_notif_confirmed(struct smdb *db, const char *eid, unsigned seq, int64_t now_ms);

/* Profile changes the card reported. state NULL: unchanged; fallback < 0: unchanged. */
int smdb_profile_update(struct smdb *db, const char *eid, const char *aid, const char *state,
                        int fallback, const char *actor, const char *event, int64_t now_ms);
/* The card enabled aid: every other Enabled profile becomes Disabled. */
int smdb_profile_switch(struct smdb *db, const char *eid, const char *aid, const char *actor,
                        const char *event, int64_t now_ms);
int smdb_profile_delete(struct smdb *db, const char *eid, const char *aid, const char *actor,
                        int64_t now_ms);
/* Data-only changes of a profile (NULL members unchanged), with an audit record. */
struct smdb_profile_change {
    const char *state, *pol2, *imsi, *msisdn, *profile_type;
};
int smdb_profile_set(struct smdb *db, const char *eid, const char *aid,
                     const struct smdb_profile_change *ch, const char *actor, const char *event,
                     int64_t now_ms);
/* A new profile on the card (CreateISDP), with an audit record. -EEXIST when its ICCID or AID
 * is taken. */
struct smdb_profile;
int smdb_profile_add(struct smdb *db, const char *eid, const struct smdb_profile *p,
                     const char *actor, int64_t now_ms);
/* Audit result: free memory, time of the audit. */
int smdb_eis_audited(struct smdb *db, const char *eid, int64_t remaining_memory, int64_t now_ms);

/* The card's unfinished ES4.SMSRChange (the SM-SR change it is locked for), or -ENOENT. */
int smdb_op_change_active(struct smdb *db, const char *eid, struct smdb_op *out);
/* Make the operations waiting for peer due now: those waiting for its call peer_call, or (NULL)
 * any of card eid (NULL: any card); *n of them. */
int smdb_op_peer_wake(struct smdb *db, const char *peer, const char *peer_call, const char *eid,
                      int64_t now_ms, unsigned *n);

/* Did requester's last ES8 relay to card eid (SendData, CreateISDP) ask for more (moreToDo) and
 * not fail: is a script chain open on the card? */
int smdb_relay_chain_open(struct smdb *db, const char *eid, const char *requester, bool *open);

/* The new SM-SR's consent to take a card over (ES4.PrepareSMSRChange, sgp02 7.8 step 1). */
struct smdb_handover {
    char eid[33];
    char from_smsr[SM_ID_MAX + 1];
    char mno_id[SM_ID_MAX + 1];
    int64_t prepared_ms, expires_ms;
    int64_t completed_ms; /* the card's receipt matched (7.8 step 5); 0: not (yet) */
};
/* Record (or renew) the consent for h->eid; a renewed one is not completed. */
int smdb_handover_put(struct smdb *db, const struct smdb_handover *h);
/* -ENOENT when there is none. */
int smdb_handover_get(struct smdb *db, const char *eid, struct smdb_handover *out);
/* The change it allowed reached step 5: kept to answer the previous SM-SR's retry. */
int smdb_handover_complete(struct smdb *db, const char *eid, int64_t now_ms);

#endif
