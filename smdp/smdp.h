/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMDP_H
#define SMDP_H

#include <stddef.h>

#include <jansson.h>

#include "sm/api.h"
#include "sm/json.h"
#include "sm/status.h"
#include "sm/daemon.h"

/* SM-DP configuration: the common daemon keys plus the SM-DP's own. */
struct smdp_cfg {
    struct sm_daemon_cfg base; /* must stay first */
    char *kek_file;            /* keystore KEK (64 hex digits, 0600) */
};

struct smdb;
struct sm_http_client;

/* While serving: the configuration, the database and the client for calls to SM-SRs (app.c). */
struct smdp_app {
    struct smdp_cfg *cfg;
    struct smdb *db;
    struct sm_http_client *http;
};
int smdp_start(void *cfg, struct smdb *db, void **app);
void smdp_stop(void *app);

/* The ES3 function of SM-SR smsr_id that an ES2 call needs (es3_client.c; its call identifier
 * derived from the MNO's): 0 with its answer and its status in st (whatever it says), 1 with st
 * set when the SM-SR is not one this SM-DP knows or cannot be reached, or a negative errno.
 * members is taken. */
int smdp_es3_call(const struct sm_api_call *call, const char *smsr_id, const char *function,
                  json_t *members, json_t **answer, struct sm_status *st);

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
extern const struct sm_json_field smdp_update_policy_rules_body[];
int smdp_es2_update_policy_rules(struct sm_api_call *call, json_t *out, struct sm_status *st);
extern const struct sm_json_field smdp_profile_notification_body[];
int smdp_es3_profile_enabled(struct sm_api_call *call, json_t *out, struct sm_status *st);
int smdp_es3_profile_disabled(struct sm_api_call *call, json_t *out, struct sm_status *st);
int smdp_es3_profile_deleted(struct sm_api_call *call, json_t *out, struct sm_status *st);
extern const struct sm_json_field smdp_smsr_change_notification_body[];
int smdp_es3_smsr_change(struct sm_api_call *call, json_t *out, struct sm_status *st);
extern const struct sm_json_field smdp_update_subscription_address_body[];
int smdp_es2_update_subscription_address(struct sm_api_call *call, json_t *out,
                                         struct sm_status *st);

/* The inventory's administration commands (inventory_cli.c): profile-type, subscriptions,
 * inventory. Returns the exit code, or -1 for another command. */
int smdp_inventory_command(void *cfg, struct smdb *db, int argc, char **argv);

/* The SM-DP's function catalogue: ES2 (MNO) and the ES3 notifications (SM-SR). */
extern const struct sm_api_route smdp_routes[];
extern const size_t smdp_nroutes;

#endif
