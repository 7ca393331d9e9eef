/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_CFG_H
#define SM_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Configuration: one "key = value" file per program, with [sections], parsed by libinih against
 * a table of known keys. Unknown keys, bad values and missing required keys are errors that name
 * the file and the line. Paths are resolved relative to the directory of the config file.
 */
enum sm_cfg_type {
    SM_CFG_STRING, /* char * (malloc'd) */
    SM_CFG_PATH,   /* char * (malloc'd), relative paths resolved against the file's directory */
    SM_CFG_INT,    /* long, within [min, max] */
    SM_CFG_SIZE,   /* size_t, digits with optional k/M/G suffix (powers of 1024) */
    SM_CFG_BOOL,   /* bool: yes/no, true/false, on/off, 1/0 */
    SM_CFG_ADDR,   /* struct sm_cfg_addr: numeric IPv4 "a.b.c.d:port" or IPv6 "[::1]:port" */
    SM_CFG_ENUM,   /* char * (malloc'd), one of choices */
};

struct sm_cfg_addr {
    char host[64];
    uint16_t port;
};

struct sm_cfg_key {
    const char *section; /* "" for keys before any [section] */
    const char *name;
    enum sm_cfg_type type;
    size_t offset;              /* of the field in the config struct */
    const char *def;            /* default value as text; NULL: the key is required */
    long min, max;              /* SM_CFG_INT bounds */
    const char *const *choices; /* SM_CFG_ENUM: NULL-terminated */
    const char *help;           /* one line for --help-config and docs/configuration.md */
};

/* Several tables can describe one file (common daemon keys + the daemon's own). */
struct sm_cfg_table {
    const struct sm_cfg_key *keys;
    size_t nkeys;
};

struct sm_cfg_error {
    char file[256];
    int line; /* 0 when the problem is not tied to one line */
    char msg[256];
};

/*
 * Load path into cfg: defaults first, then the file. Returns 0, or -EINVAL (bad content) /
 * -ENOENT / -EACCES (file) with err filled. On error cfg is freed again (sm_cfg_free).
 */
int sm_cfg_load(const char *path, const struct sm_cfg_table *tables, size_t ntables, void *cfg,
                struct sm_cfg_error *err);
/* Apply only the defaults (for tests and tools). Returns 0 or -ENOMEM / -EINVAL. */
int sm_cfg_defaults(const struct sm_cfg_table *tables, size_t ntables, void *cfg);
/* Release strings held by cfg. */
void sm_cfg_free(const struct sm_cfg_table *tables, size_t ntables, void *cfg);
/* Line at which section.name was set by the last sm_cfg_load on this thread, 0 if defaulted. */
int sm_cfg_line(const char *section, const char *name);
/* Print err to f as "file:line: message" ("file: message" when no line; prog when no file). */
void sm_cfg_error_print(const struct sm_cfg_error *err, const char *prog, FILE *f);
/* Fill err for a problem found after loading (cross-key checks); returns -EINVAL. */
int sm_cfg_fail(struct sm_cfg_error *err, const char *file, const char *section, const char *name,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Print every key with its default and help, in config-file form. */
void sm_cfg_print_help(FILE *out, const struct sm_cfg_table *tables, size_t ntables);
/* Print the effective configuration (paths resolved). */
void sm_cfg_print(FILE *out, const struct sm_cfg_table *tables, size_t ntables, const void *cfg);
/* Parse an integer as configuration values are (decimal, 0x hex, 0 octal) within [min, max].
 * Returns 0, -EINVAL (not an integer) or -ERANGE. */
int sm_cfg_parse_long(const char *s, long min, long max, long *out);
/* Parse "size" text (digits and optional k/M/G). Returns 0 or -EINVAL / -ERANGE. */
int sm_cfg_parse_size(const char *s, size_t *out);
/* Parse an address. Returns 0 or -EINVAL. */
int sm_cfg_parse_addr(const char *s, struct sm_cfg_addr *out);

#endif
