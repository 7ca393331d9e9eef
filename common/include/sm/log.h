/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_LOG_H
#define SM_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Logging: categories x levels, the subject (EID, ICCID, operation id, peer) first on the line,
 * key material redacted unless explicitly allowed, text or JSON lines. Thread-safe: each line is
 * written with one write(2).
 */
enum sm_log_cat {
    SM_LOG_MAIN,   /* start-up, shutdown, signals */
    SM_LOG_CFG,    /* configuration */
    SM_LOG_HTTP,   /* HTTP server and client transport */
    SM_LOG_TLS,    /* certificates, handshakes, peer verification */
    SM_LOG_API,    /* ES function calls at the API edge */
    SM_LOG_DB,     /* storage */
    SM_LOG_CRYPTO, /* keystore and secure channels */
    SM_LOG_OTA,    /* ES5 transport: SMS, SMPP, SCP81 */
    SM_LOG_CARD,   /* card-side commands and responses */
    SM_LOG_NOTIF,  /* notifications and callbacks */
    SM_LOG_CAT_COUNT
};

enum sm_log_level {
    SM_LOG_ERROR,
    SM_LOG_WARN,
    SM_LOG_NOTICE,
    SM_LOG_INFO,
    SM_LOG_DEBUG,
};

enum sm_log_format {
    SM_LOG_TEXT,
    SM_LOG_JSON,
};

/* Set every category to level, or parse "info,http=debug,db=warn". Returns 0 or -EINVAL. */
int sm_log_set_levels(const char *spec);
/* Check a level spec without applying it. Returns 0 or -EINVAL. */
int sm_log_levels_valid(const char *spec);
void sm_log_set_level(enum sm_log_cat cat, enum sm_log_level level);
void sm_log_set_format(enum sm_log_format fmt);
/* Log to a file (appended) instead of stderr. Returns 0 or a negative errno. */
int sm_log_open_file(const char *path);
/* Allow key material in clear in logs (test mode only; the daemons enforce that). */
void sm_log_set_show_keys(bool show);
/* Program name put in each line (default "sm"). The string must outlive the logger. */
void sm_log_set_ident(const char *ident);
bool sm_log_enabled(enum sm_log_cat cat, enum sm_log_level level);
int sm_log_level_parse(const char *s, enum sm_log_level *out);
const char *sm_log_cat_name(enum sm_log_cat cat);

void sm_log(enum sm_log_cat cat, enum sm_log_level level, const char *subject, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Hex dump of public data (APDUs, TLVs) at the given level. */
void sm_log_hex(enum sm_log_cat cat, enum sm_log_level level, const char *subject,
                const char *label, const uint8_t *data, size_t len);
/* Hex dump of key material: prints "<redacted N bytes>" unless show_keys is set. */
void sm_log_key(enum sm_log_cat cat, enum sm_log_level level, const char *subject,
                const char *label, const uint8_t *data, size_t len);

#define SM_LOGE(cat, subj, ...) sm_log((cat), SM_LOG_ERROR, (subj), __VA_ARGS__)
#define SM_LOGW(cat, subj, ...) sm_log((cat), SM_LOG_WARN, (subj), __VA_ARGS__)
#define SM_LOGN(cat, subj, ...) sm_log((cat), SM_LOG_NOTICE, (subj), __VA_ARGS__)
#define SM_LOGI(cat, subj, ...) sm_log((cat), SM_LOG_INFO, (subj), __VA_ARGS__)
#define SM_LOGD(cat, subj, ...)                                                                    \
    do {                                                                                           \
        if (sm_log_enabled((cat), SM_LOG_DEBUG))                                                   \
            sm_log((cat), SM_LOG_DEBUG, (subj), __VA_ARGS__);                                      \
    } while (0)

#endif
