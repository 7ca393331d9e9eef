/* SPDX-License-Identifier: Apache-2.0 */
/* The profile file system: a tree of DFs and EFs (ETSI TS 102 221 8). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs.h"
#include "sm/buf.h"

struct sim_fs *sim_fs_new(void)
{
    struct sim_fs *fs = calloc(1, sizeof(*fs));

    if (!fs)
        return NULL;
    fs->mf = calloc(1, sizeof(*fs->mf));
    if (!fs->mf) {
        free(fs);
        return NULL;
    }
    fs->mf->fid = 0x3F00;
    fs->mf->kind = FS_MF;
    fs->mf->lcsi = 0x05;
    snprintf(fs->mf->name, sizeof(fs->mf->name), "mf");
    fs->nfiles = 1;
    return fs;
}

static void free_tree(struct sim_file *f)
{
    while (f) {
        struct sim_file *next = f->next;

        free_tree(f->child);
        if (f->data) {
            /* EF contents may hold keys (EF.KEYS) or personal data */
            sm_wipe(f->data, f->size);
            free(f->data);
        }
        free(f);
        f = next;
    }
}

void sim_fs_free(struct sim_fs *fs)
{
    if (!fs)
        return;
    free_tree(fs->mf);
    free(fs);
}

struct sim_file *sim_fs_child(const struct sim_file *dir, uint16_t fid)
{
    for (struct sim_file *f = dir ? dir->child : NULL; f; f = f->next)
        if (f->fid == fid)
            return f;
    return NULL;
}

struct sim_file *sim_fs_adf(const struct sim_fs *fs, const uint8_t *aid, size_t len)
{
    if (len < 5)
        return NULL;
    for (struct sim_file *f = fs->mf->child; f; f = f->next)
        if (f->kind == FS_ADF && f->aid_len >= len && !memcmp(f->aid, aid, len))
            return f;
    return NULL;
}

struct sim_file *sim_fs_path(const struct sim_fs *fs, const uint8_t *path, size_t len)
{
    struct sim_file *cur = fs->mf;
    size_t i = 0;

    if (len % 2)
        return NULL;
    if (len >= 2 && path[0] == 0x3F && path[1] == 0x00)
        i = 2;
    for (; i < len && cur; i += 2)
        cur = sim_fs_child(cur, (uint16_t)(path[i] << 8 | path[i + 1]));
    return cur;
}

static bool is_ef(enum fs_kind k)
{
    return k == FS_EF_TRANSPARENT || k == FS_EF_LINEAR_FIXED || k == FS_EF_CYCLIC ||
           k == FS_EF_BER_TLV;
}

struct sim_file *sim_fs_create(struct sim_fs *fs, struct sim_file *parent, enum fs_kind kind,
                               uint16_t fid, uint32_t size, uint16_t rec_len, const uint8_t *fill,
                               size_t fill_len)
{
    static const uint8_t ff = 0xFF;
    struct sim_file *f, **tail;

    if (!parent || parent->kind == FS_EF_TRANSPARENT || is_ef(parent->kind) || kind == FS_MF ||
        (kind == FS_ADF && parent != fs->mf) || size > SIM_FS_MAX_FILE ||
        (is_ef(kind) && (kind == FS_EF_LINEAR_FIXED || kind == FS_EF_CYCLIC) &&
         (!rec_len || size % rec_len))) {
        errno = EINVAL;
        return NULL;
    }
    /* FIDs are unique within a DF; 3F00 and the parent's own FID are reserved (TS 102 221 8.2) */
    if (fid == 0x3F00 || fid == 0xFFFF || (fid && sim_fs_child(parent, fid)) ||
        (kind != FS_ADF && fid == parent->fid)) {
        errno = EEXIST;
        return NULL;
    }
    if (fs->nfiles >= SIM_FS_MAX_FILES) {
        errno = ENOSPC;
        return NULL;
    }
    f = calloc(1, sizeof(*f));
    if (!f) {
        errno = ENOMEM;
        return NULL;
    }
    f->fid = fid;
    f->kind = kind;
    f->lcsi = 0x05;
    f->parent = parent;
    if (is_ef(kind)) {
        f->size = size;
        f->rec_len = (kind == FS_EF_LINEAR_FIXED || kind == FS_EF_CYCLIC) ? rec_len : 0;
        f->data = malloc(size ? size : 1);
        if (!f->data) {
            free(f);
            errno = ENOMEM;
            return NULL;
        }
        if (!fill || !fill_len) {
            fill = &ff;
            fill_len = 1;
        }
        /* the fill pattern restarts with every record (TS 102 222 6.3, proprietary C1) */
        for (uint32_t i = 0; i < size; i++) {
            uint32_t pos = f->rec_len ? i % f->rec_len : i;

            f->data[i] = fill[pos % fill_len];
        }
        fs->bytes += size;
    }
    for (tail = &parent->child; *tail; tail = &(*tail)->next)
        ;
    *tail = f;
    fs->nfiles++;
    return f;
}

int sim_fs_write(struct sim_file *f, uint32_t offset, const uint8_t *data, size_t len)
{
    if (!is_ef(f->kind))
        return -EINVAL;
    if (offset > f->size || len > f->size - offset)
        return -ERANGE;
    memcpy(f->data + offset, data, len);
    return 0;
}

const uint8_t *sim_fs_record(const struct sim_file *f, unsigned n)
{
    if (!f->rec_len || n == 0 || (uint32_t)n * f->rec_len > f->size)
        return NULL;
    return f->data + (size_t)(n - 1) * f->rec_len;
}

static int walk(const struct sim_file *f, int depth,
                int (*fn)(void *arg, const struct sim_file *f, int depth), void *arg)
{
    for (; f; f = f->next) {
        int rc = fn(arg, f, depth);

        if (!rc && f->child)
            rc = walk(f->child, depth + 1, fn, arg);
        if (rc)
            return rc;
    }
    return 0;
}

int sim_fs_walk(const struct sim_fs *fs, int (*fn)(void *arg, const struct sim_file *f, int depth),
                void *arg)
{
    return walk(fs->mf, 0, fn, arg);
}
