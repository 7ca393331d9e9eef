/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMDP_H
#define SMDP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "sm/api.h"
#include "sm/json.h"
#include "sm/status.h"
#include "sm/daemon.h"

/* SM-DP configuration: the common daemon keys plus the SM-DP's own. */
struct smdp_cfg {
    struct sm_daemon_cfg base; /* must stay first */
    char *kek_file;            /* keystore KEK (64 hex digits, 0600) */
    char *es8_ci_certs;        /* PEM certificates of the CIs the cards' EUMs chain to */
    char *es8_certificate;     /* CERT.DP.ECDSA (GP 7F21, DER) */
    char *es8_key;             /* SK.DP.ECDSA (PEM) */
    long es8_send_data_max;    /* bytes of SCP03t TLVs per ES3.SendData */
    bool es8_token_key;        /* load a master-delete token key into each new ISD-P */
    long orders_workers, orders_validity, orders_poll, outbox_workers;
    long orders_cleanup_validity; /* seconds a clean-up may take at least */
    bool es2_progress;
};

struct smdb;
struct sm_http_client;
struct sm_eis_trust;
struct sm_keystore;
struct sm_secret;
struct smdp_engine;

/* While serving (app.c): the configuration, the database, the client for calls to SM-SRs, the
 * keystore (subscription secrets), the trusted CIs and the SM-DP's ES8 identity, the order
 * engine. */
struct smdp_app {
    struct smdp_cfg *cfg;
    struct smdb *db;
    struct sm_http_client *http;
    struct sm_keystore *ks;
    struct sm_eis_trust *trust; /* NULL: es8.ci_certs empty, downloads refused */
    uint8_t dp_cert[1024];      /* CERT.DP.ECDSA; dp_cert_len 0: none, downloads refused */
    size_t dp_cert_len;
    struct sm_secret *dp_key;
    struct smdp_engine *engine;
    struct {
        atomic_ulong delivered, delivery_errors; /* outbox */
        atomic_ulong downloads_ok, downloads_failed;
    } stats;
};
int smdp_start(void *cfg, struct smdb *db, void **app);
void smdp_stop(void *app);

/* POST members to the ES3 function of SM-SR smsr_id as call call_id, to be done within
 * validity seconds (0: the SM-SR's default) (es3_client.c; members taken): an enum smdb_peer_answer
 * (SMDB_PEER_REFUSED with st set and no *answer when the SM-SR is not one this SM-DP knows),
 * -EAGAIN with st set when it cannot be reached or did not answer, or -errno. */
int smdp_es3_post(struct smdp_app *a, const char *smsr_id, const char *function,
                  const char *call_id, int64_t validity, json_t *members, json_t **answer,
                  struct sm_status *st);
/* The ES3 function of SM-SR smsr_id that an ES2 call needs (es3_client.c; its call identifier
 * derived from the MNO's): 0 with its answer and its status in st (whatever it says), 1 with st
 * set when the SM-SR is not one this SM-DP knows or cannot be reached, or a negative errno.
 * members is taken. */
int smdp_es3_call(const struct sm_api_call *call, const char *smsr_id, const char *function,
                  json_t *members, json_t **answer, struct sm_status *st);

/* May the caller act on the profile (request iccid) on the card (request eid)? 0, 1 with st
 * set, or -errno (profile_relay.c). */
int smdp_profile_check(struct sm_api_call *call, struct sm_status *st);
/* The same for a given card and profile. */
int smdp_profile_check_of(struct sm_api_call *call, const char *eid, const char *iccid,
                          struct sm_status *st);
/* An ES2 function on one profile relayed to the SM-SR's ES3 function (profile_relay.c): the
 * profile (request iccid) must be this SM-DP's and the caller's, on the request's eid when it
 * is on a card; members (taken) get eid and iccid. Returns as smdp_es3_call (1: refused, st
 * set). */
int smdp_profile_relay(struct sm_api_call *call, const char *function, json_t *members,
                       json_t **answer, struct sm_status *st);

/* The EIS as MNO mno may see it: its own profiles only (es2_get_eis.c). */
void smdp_eis_for_mno(json_t *eis, const char *mno);
/* Pass a notification on to MNO mno as ES2 <callback>/<path> with the SM-SR's call identifier
 * (mno_notify.c; members taken). 0 when delivered or when the MNO has no callback URL; otherwise
 * why says what failed, and the handler answers with smdp_tell_later (503, not journaled). */
int smdp_tell_mno(struct smdp_app *a, const char *mno, const char *path, const char *call_id,
                  json_t *members, char *why, size_t whylen);
int smdp_tell_later(struct sm_status *st, const char *subject, const char *mno);

/* ES2 handlers, one file each, and their request members. */
extern const struct sm_json_field smdp_get_eis_body[];
int smdp_es2_get_eis(struct sm_api_call *call, json_t *out, struct sm_status *st);
/* ES2.AuditEIS (es2_audit_eis.c): an order, the SM-SR's ES3.AuditEIS, the EIS filtered. */
extern const struct sm_json_field smdp_audit_eis_body[];
int smdp_es2_audit_eis(struct sm_api_call *call, json_t *out, struct sm_status *st);
extern const struct sm_json_field smdp_update_policy_rules_body[];
int smdp_es2_update_policy_rules(struct sm_api_call *call, json_t *out, struct sm_status *st);
extern const struct sm_json_field smdp_profile_notification_body[];
int smdp_es3_profile_enabled(struct sm_api_call *call, json_t *out, struct sm_status *st);
int smdp_es3_profile_disabled(struct sm_api_call *call, json_t *out, struct sm_status *st);
int smdp_es3_profile_deleted(struct sm_api_call *call, json_t *out, struct sm_status *st);
extern const struct sm_json_field smdp_smsr_change_notification_body[];
int smdp_es3_smsr_change(struct sm_api_call *call, json_t *out, struct sm_status *st);
extern const struct sm_json_field smdp_download_profile_body[];
int smdp_es2_download_profile(struct sm_api_call *call, json_t *out, struct sm_status *st);
extern const struct sm_json_field smdp_profile_order_body[];
int smdp_es2_enable_profile(struct sm_api_call *call, json_t *out, struct sm_status *st);
int smdp_es2_disable_profile(struct sm_api_call *call, json_t *out, struct sm_status *st);
int smdp_es2_delete_profile(struct sm_api_call *call, json_t *out, struct sm_status *st);
int smdp_es2_set_fallback(struct sm_api_call *call, json_t *out, struct sm_status *st);
/* POST /gsma/operations from an SM-SR (order_engine.c). */
int smdp_operation_callback(void *app, const struct sm_entity *who, const json_t *body,
                            struct sm_status *st);
extern const struct sm_json_field smdp_update_subscription_address_body[];
int smdp_es2_update_subscription_address(struct sm_api_call *call, json_t *out,
                                         struct sm_status *st);

/* A profile type's template (profile_source.c): a shipped one by name, or its stored JSON. */
struct smdb_profile_type;
struct smdb_subscription;
struct sm_pp_template;
struct sm_buf;
int smdp_type_template(const struct smdb_profile_type *pt, struct sm_pp_template **t);
/* sub's package (DER) into pkg (mark it secure: it holds K and OPc). 0, or -errno with why. */
int smdp_personalise(struct smdp_app *a, const struct smdb_subscription *sub,
                     const struct smdb_profile_type *pt, struct sm_buf *pkg, char *why,
                     size_t whylen);

/* The inventory's administration commands (inventory_cli.c): profile-type, subscriptions,
 * inventory. Returns the exit code, or -1 for another command. */
int smdp_inventory_command(void *cfg, struct smdb *db, int argc, char **argv);

/* master-delete-token (master_delete_token.c): the ES4.MasterDelete token for a profile. */
int smdp_master_delete_token(void *cfg, struct smdb *db, int argc, char **argv);

/* The SM-DP's function catalogue: ES2 (MNO) and the ES3 notifications (SM-SR). */
extern const struct sm_api_route smdp_routes[];
extern const size_t smdp_nroutes;

#endif
