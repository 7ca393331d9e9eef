/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SIM_CARD_H
#define SIM_CARD_H

/*
 * One simulated SGP.02 eUICC: ECASD, ISD-R, ISD-Ps with their profiles. The card logic works on
 * this structure only (no I/O); transports hand it APDUs and scripts, the store persists it.
 * Key material lives in plain arrays here and is wiped by sim_card_free().
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sm/buf.h"
#include "sm/ecka.h"
#include "sm/ids.h"
#include "sm/rng.h"
#include "sm/scp03.h"

#define SIM_AID_LEN     16
#define SIM_MAX_ISDP    16
#define SIM_MAX_KS80    8
#define SIM_MAX_PSK     4
#define SIM_MAX_NOTIF   8
#define SIM_MAX_NAA     4
#define SIM_MSISDN_MAX  16
#define SIM_STORE_LIMIT 4096 /* bytes of a multi-block STORE DATA */

/* ISD-P life-cycle states (GET STATUS 9F70; es5 spec 1.2). */
enum {
    SIM_LCS_SELECTABLE = 0x07,
    SIM_LCS_PERSONALIZED = 0x0F,
    SIM_LCS_DISABLED = 0x1F,
    SIM_LCS_ENABLED = 0x3F,
};

/* Notification types (SGP.02 7.10; es5 spec 1.3). */
enum {
    SIM_NOTIF_FIRST_ATTACH = 0x01,
    SIM_NOTIF_CHANGE_OK = 0x02,
    SIM_NOTIF_CHANGE_FAILED = 0x03,
    SIM_NOTIF_FALLBACK = 0x05,
};

/* The ISD-R's SCP80 key set: AES-128 KIc, KID, KIK (key ids 1, 2, 3); counter per set. */
struct sim_ks80 {
    uint8_t kvn;
    uint8_t kic[16], kid[16], kik[16];
    uint64_t cntr; /* last counter accepted */
};

/* An SCP81 key set: TLS-PSK (KID 1) and a DEK (KID 2). */
struct sim_psk {
    uint8_t kvn;
    uint8_t psk[16], dek[16];
};

/* Authentication parameters and SQN state of one NAA (akaParameter PE, TS 33.102 Annex C). */
struct sim_aka {
    uint8_t adf_aid[SIM_AID_LEN]; /* the ADF they belong to */
    size_t adf_aid_len;
    uint8_t algo; /* 1 MILENAGE, 3 test algorithm (TS 34.108 8.1.2) */
    uint8_t options;
    uint8_t k[16], opc[16];
    uint8_t rot[5], xorc[80];
    uint8_t sqn_options;
    uint8_t sqn_delta[6], sqn_age_limit[6];
    uint8_t sqn[32][6];           /* SEQ array indexed by IND (5 bits) */
    uint8_t map_aid[SIM_AID_LEN]; /* mappingParameter: use the AKA of this NAA */
    size_t map_aid_len;
};

struct sim_fs; /* fs.h */

struct sim_isdp {
    uint8_t aid[SIM_AID_LEN];
    uint8_t lcs;
    bool fallback;
    uint32_t quota; /* memory granted at creation */
    /* SCP03 key set from ES8 key establishment (KVN 30, KIDs 1-3) */
    bool has_keys;
    uint8_t kvn, kenc[16], kmac[16], kdek[16];
    uint32_t seq; /* SCP03 sequence counter (card challenge) */
    bool has_token_key;
    uint8_t token_key[16]; /* master-delete token key (KVN 70, PUT KEY by the SM-DP) */
    /* the profile */
    char iccid[SM_ICCID_MAX_DIGITS + 1];
    uint8_t pol1;
    struct sm_buf package; /* plaintext package as installed (secure buffer) */
    bool installed;        /* the end element was processed */
    struct sim_aka *aka;   /* SIM_MAX_NAA entries when the profile has AKA parameters */
    unsigned naka;
    uint8_t conn[128]; /* connectivity parameters (3A07 A0...) */
    size_t conn_len;
    /* not persisted: the file system (rebuilt from the package), open SCP03/SCP03t session and
     * installation in progress */
    struct sim_fs *fs;
    struct sm_scp03_session *s03; /* while a session is open */
    bool s03_open;
    bool s03_tlv; /* opened by an SCP03t 84 (a download), not by INITIALIZE UPDATE */
    struct sim_install *inst;
};

struct sim_notif {
    uint16_t seq;
    uint8_t type;
    uint8_t aid[SIM_AID_LEN];
    unsigned tries;
    int64_t next_ms;
    /* for a change notification: the AID to roll back to when it is never confirmed */
    uint8_t rollback_aid[SIM_AID_LEN];
    bool can_roll_back;
};

/* Key establishment in progress (between STORE DATA 3A01 and 3A02). */
struct sim_keyest {
    bool active;
    bool for_isdr;                 /* SM-SR change: a new ISD-R SCP80 key set */
    uint8_t isdp_aid[SIM_AID_LEN]; /* INSTALL [for personalization] target */
    bool have_target;
    uint8_t rc[16];                 /* random challenge sent in 85 */
    uint8_t peer_pk[SM_EC_PUB_MAX]; /* PK.DP.ECDSA / PK.SR.ECDSA from the certificate */
    size_t peer_pk_len;
};

struct sim_card {
    char eid[SM_EID_DIGITS + 1];
    char msisdn[SIM_MSISDN_MAX + 1];
    char imei[16];
    /* ECASD */
    enum sm_curve curve;
    uint8_t ecasd_sk[SM_EC_FIELD_MAX];
    uint8_t ecasd_pk[SM_EC_PUB_MAX];
    size_t ecasd_pk_len;
    struct sm_buf ecasd_cert; /* 7F21 ... */
    uint8_t ci_pk[SM_EC_PUB_MAX];
    size_t ci_pk_len;
    /* ISD-R */
    struct sim_ks80 ks80[SIM_MAX_KS80];
    unsigned nks80;
    struct sim_psk psk[SIM_MAX_PSK];
    unsigned npsk;
    uint8_t smsr_addr[64]; /* SM-SR addressing parameters (3A07 A3 value), kept opaque */
    size_t smsr_addr_len;
    uint32_t mem_total; /* non-volatile memory for profiles */
    struct sim_isdp isdp[SIM_MAX_ISDP];
    unsigned nisdp;
    uint16_t notif_seq; /* last sequence number used */
    struct sim_notif notif[SIM_MAX_NOTIF];
    unsigned nnotif;
    /* transient */
    struct sim_keyest ke;
    /* a script chain is open (83 01 11/01/02, TS 102 226): what a script leaves (an SCP03t
     * session) is kept for the next one; without it, the end of the script (SMS) or of the admin
     * session (HTTPS) ends it (es5 spec 1.4, 1.5) */
    bool chain_open;
    struct sm_buf store; /* STORE DATA blocks awaiting their last block */
    uint8_t store_next_p2;
    bool store_active;
    bool dirty; /* changed since loaded */
};

/* Card behaviour that is configuration, not card state ([?] facts of the spec notes). */
struct sim_policy {
    uint8_t pol1_disable_not_allowed; /* POL1 bits (coding unconfirmed, es8 spec 3.2) */
    uint8_t pol1_delete_not_allowed;
    uint8_t pol1_delete_when_disabled;
    uint8_t notif_aid_tag;  /* 4F (default) or 2F */
    uint8_t disable_notif;  /* notification type after a disable: 05 (default) or 02 */
    uint32_t default_quota; /* ISD-P memory when INSTALL names none */
    uint32_t volatile_free; /* reported by GET DATA FF21 */
    bool accept_isdp_scp80; /* SMS to an ISD-P TAR secured with the ISD-R's keys */
};

void sim_policy_default(struct sim_policy *p);

/* The card context of one call: the card, its policy, the randomness and the time. */
struct sim_ctx {
    struct sim_card *card;
    const struct sim_policy *pol;
    const struct sm_rng *rng;
    int64_t now_ms;
};

void sim_card_init(struct sim_card *c);
void sim_card_free(struct sim_card *c);

/* The ISD-P with aid, or NULL. */
struct sim_isdp *sim_card_isdp(struct sim_card *c, const uint8_t *aid, size_t len);
/* The enabled ISD-P, the fall-back one, or NULL. */
struct sim_isdp *sim_card_enabled(struct sim_card *c);
/* After a switch: the card answers to the enabled profile's EF.MSISDN when it has one
 * (card_number.c). */
void sim_card_follow_number(struct sim_card *c);
struct sim_isdp *sim_card_fallback(struct sim_card *c);
/* Give an ISD-P the AKA parameters of its profile (copied). 0 or -ENOMEM. */
int sim_isdp_set_aka(struct sim_isdp *p, const struct sim_aka *aka, unsigned n);
/* Remove an ISD-P and everything it holds. */
void sim_card_remove_isdp(struct sim_card *c, struct sim_isdp *p);
/* Memory in use by ISD-Ps / free for new ones. */
uint32_t sim_card_mem_used(const struct sim_card *c);
uint32_t sim_card_mem_free(const struct sim_card *c);
/* The ISD-R key set with kvn, or NULL. */
struct sim_ks80 *sim_card_ks80(struct sim_card *c, uint8_t kvn);
/* A script (SMS) or an admin session (HTTPS) ended: unless a script chain is open, the SCP03t
 * sessions of the card's ISD-Ps end with it. */
void sim_card_chain_end(struct sim_card *c);

/* Queue a notification (new sequence number); returns it or NULL when the queue is full. */
struct sim_notif *sim_card_notify(struct sim_card *c, uint8_t type, const uint8_t aid[SIM_AID_LEN],
                                  int64_t now_ms);
/* When the next notification is due (ms), 0 when none is pending. */
int64_t sim_card_notify_due(const struct sim_card *c);
/* The notification TLV E1 {4C EID, 4D type, 4E seq, 4F|2F AID, [14 IMEI]} (es5 spec 1.3). */
int sim_notif_encode(const struct sim_card *c, const struct sim_policy *pol,
                     const struct sim_notif *n, struct sm_buf *out);

/* State serialisation (BER-TLV, private tags); the store wraps the bytes with the keystore. */
int sim_card_serialise(const struct sim_card *c, struct sm_buf *out);
int sim_card_deserialise(const uint8_t *buf, size_t len, struct sim_card *c);

/* Well-known AIDs (SGP.02 2.2.x). */
extern const uint8_t sim_aid_isdr[SIM_AID_LEN];
extern const uint8_t sim_aid_ecasd[SIM_AID_LEN];
extern const uint8_t sim_aid_isdp_elf[SIM_AID_LEN];
extern const uint8_t sim_aid_isdp_module[SIM_AID_LEN];

#endif
