/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SIM_APP_H
#define SIM_APP_H

/*
 * The euicc-sim program around the card library: configuration, the card store (SQLite, states
 * wrapped by the keystore, a cache of the cards in use), card manufacturing with the EIS and
 * HSS files, the SMPP link to the SMSC, SCP81 admin sessions, the control socket and the
 * eapol_test SoftSIM.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "card.h"
#include "sm/cfg.h"
#include "sm/keystore.h"
#include "smdb/db.h"

struct sim_config {
    char *log_level, *log_format, *log_file;
    char *db_path, *kek_file, *control_socket;
    /* [factory] */
    char *ci_cert, *eum_key, *eum_cert, *eum_id, *smsr_id, *mno_id, *template, *adm1;
    char *transport_key, *transport_cipher;
    char *eid_prefix, *iccid_prefix, *imsi_prefix, *msisdn_prefix, *imei_prefix;
    char *oper_template, *oper_iccid_prefix, *oper_imsi_prefix, *oper_mno_id;
    size_t memory;
    char *eis_dir, *hss_file;
    /* [smpp] */
    bool smpp_enabled;
    struct sm_cfg_addr smsc;
    char *system_id, *password, *address_range;
    /* [smsr] */
    char *smsr_msisdn, *admin_url, *psk_identity;
    long admin_timeout;
    /* [card] */
    long pol1_disable, pol1_delete, pol1_delete_when_disabled;
    char *notification_aid_tag;
    long disable_notification;
    long notification_retries, notification_interval, notification_tick;
    long cache_idle, test_res_len;
    bool attach_notification;
};

extern const struct sm_cfg_table sim_cfg_tables[];
extern const size_t sim_cfg_ntables;
/* Cross-key checks (prefix lengths, digits). */
int sim_config_check(const char *path, const struct sim_config *c, struct sm_cfg_error *err);
/* The card policy the configuration describes. */
void sim_config_policy(const struct sim_config *c, struct sim_policy *pol);

/* A card kept in memory while it is in use (sessions span several messages). */
struct sim_cached {
    struct sim_card card;
    int64_t used_ms;
    unsigned refs;
    struct sim_cached *next;
};

struct sim_app {
    struct sim_config cfg;
    struct sim_policy pol;
    struct smdb *db;
    struct sm_keystore *ks;
    pthread_mutex_t mu; /* the cache and every card operation */
    struct sim_cached *cache[1024];
    unsigned ncached;
};

/* Open the database (created and migrated) and the keystore (the KEK file is created, 0600,
 * when create_kek and it does not exist). why receives a message on failure. */
int sim_app_open(struct sim_app *a, bool create_kek, char *why, size_t whylen);
void sim_app_close(struct sim_app *a);

/* Take a card (loading it into the cache) with the lock held; put it back (saving it when it
 * changed). Returns 0, -ENOENT (no such EID), -EBADMSG/-EKEYREJECTED (state does not unwrap). */
int sim_app_card_get(struct sim_app *a, const char *eid, struct sim_card **out);
int sim_app_card_put(struct sim_app *a, struct sim_card *c, int64_t now_ms);
/* The EID of the card answering to this MSISDN. */
int sim_app_card_by_msisdn(struct sim_app *a, const char *msisdn, char eid[33]);
/* Drop cards idle for longer than idle_ms from the cache (saved already). */
void sim_app_cache_trim(struct sim_app *a, int64_t now_ms, int64_t idle_ms);
/* Wrap and insert new cards. */
int sim_app_store_new(struct sim_app *a, struct sim_card *const *cards, size_t n, int64_t now_ms);

int64_t sim_now_ms(void);

#endif
