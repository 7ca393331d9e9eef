/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMSR_H
#define SMSR_H

#include <stdatomic.h>
#include <stddef.h>

#include "sm/api.h"
#include "sm/daemon.h"
#include "sm/ecka.h"
#include "sm/keystore.h"
#include "smdb/db.h"
#include "smdb/outbox.h"

/* SM-SR configuration: the common daemon keys plus the SM-SR's own. */
#define SMSR_OUTBOX_MAX_WORKERS SMDB_OUTBOX_MAX_WORKERS

struct smsr_cfg {
    struct sm_daemon_cfg base; /* must stay first */
    char *kek_file;            /* keystore KEK (64 hex digits, 0600) */
    char *es1_ci_certs;        /* PEM certificates of the trusted CIs ("" : ES1 unavailable) */
    char *es1_transport_keys;  /* "<eum-oid> <aes-ecb|aes-cbc> <32 hex>" per line, 0600 */
    bool es5_enabled;          /* run the ES5 engine */
    struct sm_cfg_addr es5_smsc;
    char *es5_system_id, *es5_password;
    char *es5_address;    /* the SM-SR's SMS address (cards' MO messages go there) */
    long es5_por_timeout; /* seconds before a packet without PoR is sent again */
    long es5_outbox_workers;
    long es5_smpp_window, es5_smpp_rate;
    long es5_validity; /* seconds an operation may take when the call gives no validity */
    char *es5_bearer;  /* sms | https | auto */
    struct sm_cfg_addr es5_admin_listen; /* SCP81 admin agent */
    char *es5_admin_uri;
    long es5_https_timeout; /* seconds for the card's admin session to come, else SMS */
    char *es7_certificate;  /* CERT.SR.ECDSA (DER); "" : cannot be the new SM-SR */
    char *es7_key;          /* SK.SR.ECDSA (PEM) */
    long es7_scenario;      /* key establishment scenario parameter */
    bool es7_update_address;
    bool es7_scp81_key_set;
};

/* An EUM's transport key for the key values of its EISs (ES1; bilateral, sgp02 4.1). */
struct smsr_transport_key {
    char eum_id[SM_ID_MAX + 1];
    bool cbc; /* aes-cbc with a zero IV, else aes-ecb */
    uint8_t key[16];
};

/* Counters of the ES5 engine for /metrics (smsr/metrics.c). */
struct smsr_stats {
    atomic_ulong sms_out;       /* SMS submitted to the SMSC (parts) */
    atomic_ulong por_in;        /* PoRs matched to an operation */
    atomic_ulong notifications; /* card notifications recorded (repetitions excluded) */
    atomic_ulong sessions;      /* SCP81 admin sessions opened by cards */
    atomic_ulong delivered, delivery_errors; /* outbox deliveries */
    atomic_int smpp_bound;
};

/* What the handlers share (sm_api_call.app). */
struct sm_eis_trust;

struct smsr_app {
    const struct smsr_cfg *cfg;
    struct smdb *db;
    struct sm_keystore *ks;
    struct sm_eis_trust *trust; /* trusted CIs (sm/eis_verify.h); NULL when es1.ci_certs is empty */
    struct smsr_transport_key *tkeys;
    size_t ntkeys;
    struct smsr_engine *engine; /* ES5 (es5_engine.h); NULL when es5.enabled is off */
    /* the SM-SR's GP identity for SM-SR change (es7.certificate / es7.key); sr_cert_len 0
     * when not configured */
    uint8_t sr_cert[1024];
    size_t sr_cert_len;
    struct sm_secret *sr_key;
    enum sm_curve sr_curve;
    struct smsr_stats stats;
};

/* Start and stop the SM-SR's services (smdb_daemon_desc.start / stop). */
int smsr_start(void *cfg, struct smdb *db, void **app);
void smsr_stop(void *app);

/* The SM-SR's metrics in Prometheus text (smdb_daemon_desc.metrics). */
int smsr_metrics(void *app, struct sm_buf *b);

/* The transport key of an EUM, or NULL. */
const struct smsr_transport_key *smsr_transport_key(const struct smsr_app *a, const char *eum_id);

/* The SM-SR's function catalogue: ES1 (EUM), ES3 (SM-DP), ES4 (MNO), ES7 (SM-SR). */
extern const struct sm_api_route smsr_routes[];
extern const size_t smsr_nroutes;

#endif
