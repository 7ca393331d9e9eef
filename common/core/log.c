/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "sm/buf.h"
#include "sm/log.h"

static const char *const cat_names[SM_LOG_CAT_COUNT] = {
    [SM_LOG_MAIN] = "main",     [SM_LOG_CFG] = "cfg", [SM_LOG_HTTP] = "http",
    [SM_LOG_TLS] = "tls",       [SM_LOG_API] = "api", [SM_LOG_DB] = "db",
    [SM_LOG_CRYPTO] = "crypto", [SM_LOG_OTA] = "ota", [SM_LOG_CARD] = "card",
    [SM_LOG_NOTIF] = "notif",
};

static const char *const level_names[] = {"error", "warn", "notice", "info", "debug"};

static _Atomic int levels[SM_LOG_CAT_COUNT] = {
    [0 ... SM_LOG_CAT_COUNT - 1] = SM_LOG_INFO,
};
static _Atomic int log_fd = STDERR_FILENO;
static _Atomic int log_format = SM_LOG_TEXT;
static _Atomic bool show_keys;
static const char *_Atomic log_ident = "sm";

const char *sm_log_cat_name(enum sm_log_cat cat)
{
    return (unsigned)cat < SM_LOG_CAT_COUNT ? cat_names[cat] : "?";
}

int sm_log_level_parse(const char *s, enum sm_log_level *out)
{
    for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
        if (!strcasecmp(s, level_names[i])) {
            *out = (enum sm_log_level)i;
            return 0;
        }
    }
    return -EINVAL;
}

void sm_log_set_level(enum sm_log_cat cat, enum sm_log_level level)
{
    if ((unsigned)cat < SM_LOG_CAT_COUNT)
        levels[cat] = level;
}

static int parse_levels(const char *spec, int tmp[SM_LOG_CAT_COUNT])
{
    char item[64];
    const char *p = spec;

    if (!*spec)
        return -EINVAL;
    for (int i = 0; i < SM_LOG_CAT_COUNT; i++)
        tmp[i] = levels[i];
    /* "info" or "info,http=debug,db=warn": validate everything before applying */
    while (*p) {
        size_t n = strcspn(p, ",");
        enum sm_log_level lv;
        char *eq;

        if (n == 0 || n >= sizeof(item))
            return -EINVAL;
        memcpy(item, p, n);
        item[n] = 0;
        eq = strchr(item, '=');
        if (!eq) {
            if (sm_log_level_parse(item, &lv))
                return -EINVAL;
            for (int i = 0; i < SM_LOG_CAT_COUNT; i++)
                tmp[i] = lv;
        } else {
            int cat = -1;

            *eq = 0;
            for (int i = 0; i < SM_LOG_CAT_COUNT; i++)
                if (!strcasecmp(item, cat_names[i]))
                    cat = i;
            if (cat < 0 || sm_log_level_parse(eq + 1, &lv))
                return -EINVAL;
            tmp[cat] = lv;
        }
        p += n;
        if (*p == ',')
            p++;
    }
    return 0;
}

int sm_log_levels_valid(const char *spec)
{
    int tmp[SM_LOG_CAT_COUNT];

    return parse_levels(spec, tmp);
}

int sm_log_set_levels(const char *spec)
{
    int tmp[SM_LOG_CAT_COUNT];

    if (parse_levels(spec, tmp))
        return -EINVAL;
    for (int i = 0; i < SM_LOG_CAT_COUNT; i++)
        levels[i] = tmp[i];
    return 0;
}

void sm_log_set_format(enum sm_log_format fmt)
{
    log_format = fmt;
}

void sm_log_set_show_keys(bool show)
{
    show_keys = show;
}

void sm_log_set_ident(const char *ident)
{
    log_ident = ident;
}

int sm_log_open_file(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    int old;

    if (fd < 0)
        return -errno;
    old = atomic_exchange(&log_fd, fd);
    if (old != STDERR_FILENO)
        close(old);
    return 0;
}

bool sm_log_enabled(enum sm_log_cat cat, enum sm_log_level level)
{
    return (unsigned)cat < SM_LOG_CAT_COUNT && (int)level <= levels[cat];
}

static void json_escape(struct sm_buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\')
            sm_buf_printf(b, "\\%c", c);
        else if (c < 0x20)
            sm_buf_printf(b, "\\u%04x", c);
        else
            sm_buf_append_byte(b, c);
    }
}

/* Control characters from peers must not forge log lines. */
static void text_clean(struct sm_buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        sm_buf_append_byte(b, c < 0x20 || c == 0x7f ? '?' : c);
    }
}

static void emit(enum sm_log_cat cat, enum sm_log_level level, const char *subject, const char *msg)
{
    /* secure: with show_keys a line may carry key material, and it is wiped like a key */
    struct sm_buf b = {.secure = true};
    struct timespec ts;
    struct tm tm;
    char when[64];

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    snprintf(when, sizeof(when), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
    if (log_format == SM_LOG_JSON) {
        sm_buf_printf(&b, "{\"ts\":\"%s\",\"prog\":\"", when);
        json_escape(&b, log_ident);
        sm_buf_printf(&b, "\",\"level\":\"%s\",\"cat\":\"%s\"", level_names[level], cat_names[cat]);
        if (subject) {
            sm_buf_append_str(&b, ",\"subject\":\"");
            json_escape(&b, subject);
            sm_buf_append_byte(&b, '"');
        }
        sm_buf_append_str(&b, ",\"msg\":\"");
        json_escape(&b, msg);
        sm_buf_append_str(&b, "\"}\n");
    } else {
        sm_buf_printf(&b, "%s %s %-6s %-6s ", when, log_ident, level_names[level], cat_names[cat]);
        if (subject) {
            sm_buf_append_byte(&b, '[');
            text_clean(&b, subject);
            sm_buf_append_str(&b, "] ");
        }
        text_clean(&b, msg);
        sm_buf_append_byte(&b, '\n');
    }
    if (b.data) {
        ssize_t w = write(log_fd, b.data, b.len);
        (void)w;
    }
    sm_buf_free(&b);
}

void sm_log(enum sm_log_cat cat, enum sm_log_level level, const char *subject, const char *fmt, ...)
{
    struct sm_buf msg = SM_BUF_INIT;
    va_list ap;

    if (!sm_log_enabled(cat, level))
        return;
    va_start(ap, fmt);
    sm_buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    emit(cat, level, subject, sm_buf_cstr(&msg));
    sm_buf_free(&msg);
}

void sm_log_hex(enum sm_log_cat cat, enum sm_log_level level, const char *subject,
                const char *label, const uint8_t *data, size_t len)
{
    struct sm_buf msg = SM_BUF_INIT;

    if (!sm_log_enabled(cat, level))
        return;
    sm_buf_printf(&msg, "%s (%zu bytes): ", label, len);
    sm_buf_append_hex(&msg, data, len);
    emit(cat, level, subject, sm_buf_cstr(&msg));
    sm_buf_free(&msg);
}

void sm_log_key(enum sm_log_cat cat, enum sm_log_level level, const char *subject,
                const char *label, const uint8_t *data, size_t len)
{
    struct sm_buf msg = {.secure = true};

    if (!sm_log_enabled(cat, level))
        return;
    if (!show_keys) {
        sm_log(cat, level, subject, "%s: <redacted %zu bytes>", label, len);
        return;
    }
    sm_buf_printf(&msg, "%s (%zu bytes, shown because show_keys is on): ", label, len);
    sm_buf_append_hex(&msg, data, len);
    emit(cat, level, subject, sm_buf_cstr(&msg));
    sm_buf_free(&msg);
}
