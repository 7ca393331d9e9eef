/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SIM_FS_H
#define SIM_FS_H

/*
 * The file system of one profile (ETSI TS 102 221 8): the MF, DFs, ADFs and EFs, created by the
 * installer from the package. EF contents live in memory; sizes are bounded by the card's memory.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fs_templates.h"

#define SIM_FS_MAX_FILES 4096
#define SIM_FS_MAX_FILE  65535 /* bytes of one EF */

struct sim_file {
    uint16_t fid; /* for an ADF: the temporary id the package uses */
    enum fs_kind kind;
    uint8_t sfi;     /* 0: none */
    uint8_t aid[16]; /* ADF */
    size_t aid_len;
    uint8_t arr[3]; /* securityAttributesReferenced */
    size_t arr_len;
    uint8_t lcsi;
    uint32_t size;    /* EF: bytes; BER-TLV: maximum */
    uint16_t rec_len; /* linear fixed / cyclic */
    uint8_t *data;    /* EF contents (size bytes) */
    char name[40];    /* template member name, if created from a template */
    struct sim_file *parent, *child, *next;
};

struct sim_fs {
    struct sim_file *mf;
    size_t nfiles;
    size_t bytes; /* EF contents, for memory accounting */
};

struct sim_fs *sim_fs_new(void);
void sim_fs_free(struct sim_fs *fs);

/* A file directly under dir with fid (for the MF also the ADFs by temporary id), or NULL. */
struct sim_file *sim_fs_child(const struct sim_file *dir, uint16_t fid);
/* The ADF whose AID starts with aid (len >= 5 bytes, right-truncated AIDs allowed), or NULL. */
struct sim_file *sim_fs_adf(const struct sim_fs *fs, const uint8_t *aid, size_t len);
/* A path of FIDs (2 bytes each) from the MF; a leading 3F00 is allowed, an empty path is the
 * MF. Returns NULL when a step is missing. */
struct sim_file *sim_fs_path(const struct sim_fs *fs, const uint8_t *path, size_t len);

/*
 * Create a file under parent (the MF for ADFs). For EFs size is the file size (records: the total)
 * and fill the byte pattern repeated over the contents (NULL: FF). Returns the file or NULL with
 * errno: EEXIST (fid taken under parent), EINVAL (kind/size), ENOSPC (limits), ENOMEM.
 */
struct sim_file *sim_fs_create(struct sim_fs *fs, struct sim_file *parent, enum fs_kind kind,
                               uint16_t fid, uint32_t size, uint16_t rec_len, const uint8_t *fill,
                               size_t fill_len);
/* Write at offset of an EF; -ERANGE when it does not fit, -EINVAL for a DF. */
int sim_fs_write(struct sim_file *f, uint32_t offset, const uint8_t *data, size_t len);
/* Record n (1-based) of a linear fixed or cyclic EF, or NULL. */
const uint8_t *sim_fs_record(const struct sim_file *f, unsigned n);

/* Visit every file depth-first (parents before children); stops when fn returns non-zero. */
int sim_fs_walk(const struct sim_fs *fs, int (*fn)(void *arg, const struct sim_file *f, int depth),
                void *arg);

#endif
