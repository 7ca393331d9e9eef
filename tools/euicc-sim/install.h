/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SIM_INSTALL_H
#define SIM_INSTALL_H

/*
 * Installing a profile package (TCA eUICC Profile Package, es8 spec 3): the plaintext arrives in
 * pieces (SCP03t segments do not follow element boundaries); each complete element is processed
 * at once into a file system, PIN/PUK and AKA parameters. The first problem stops the
 * installation and is reported as an EUICCResponse (peStatus with the element's identification
 * and the offset inside it).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "card.h"
#include "fs.h"
#include "sm/buf.h"

/* PEStatus codes (EUICCResponse). */
enum {
    SIM_PE_OK = 0,
    SIM_PE_NOT_SUPPORTED = 1,
    SIM_PE_MEMORY_FAILURE = 2,
    SIM_PE_BAD_VALUES = 3,
    SIM_PE_NOT_ENOUGH_MEMORY = 4,
    SIM_PE_INVALID_FORMAT = 5,
    SIM_PE_INVALID_PARAMETER = 6,
    SIM_PE_RUNTIME_NOT_SUPPORTED = 7,
    SIM_PE_TEMPLATE_NOT_SUPPORTED = 9,
    SIM_PE_FEATURE_NOT_SUPPORTED = 10,
    SIM_PE_UNSUPPORTED_VERSION = 31,
};

#define SIM_PE_MAX (64 * 1024) /* one element; more is refused, not buffered */

struct sim_install {
    struct sm_buf pending; /* bytes of an element not complete yet (secure) */
    size_t offset;         /* package offset of pending[0] */
    size_t total;          /* bytes received */
    size_t limit;          /* memory the package may use (file contents + keys), 0: none */
    unsigned elements;
    bool have_header, done, failed;
    /* what the package gave */
    uint8_t major, minor;
    char iccid[SM_ICCID_MAX_DIGITS + 1];
    uint8_t pol1;
    struct sim_fs *fs;
    struct sim_aka aka[SIM_MAX_NAA];
    unsigned naka;
    /* installer state */
    struct sim_file *naa[3]; /* last ADF of a usim / isim / csim template */
    struct sim_file *last_adf;
    struct sim_file *gfm_dir, *gfm_file;
    uint32_t gfm_pos;
    uint16_t ids[512]; /* identification numbers seen */
    unsigned nids;
    /* the first problem */
    uint8_t status;
    bool has_id;
    uint16_t id;
    uint32_t pe_offset;
    char msg[128];
};

struct sim_install *sim_install_new(size_t limit);
void sim_install_free(struct sim_install *in);
/* Feed plaintext. Returns 0 while all is well (done once the end element was processed),
 * -EINVAL when the installation failed (status, id, msg set; further input is refused). */
int sim_install_feed(struct sim_install *in, const uint8_t *data, size_t len);
/* The EUICCResponse for a failed installation (DER, appended to out). */
int sim_install_response(const struct sim_install *in, struct sm_buf *out);
/* A whole package at once (smctl-free checks, euicc-sim aka --profile). A failed or incomplete
 * installation returns -EINVAL with *out still set for its status. */
int sim_install_package(const uint8_t *der, size_t len, struct sim_install **out);

/* The AKA parameters of the NAA whose ADF AID starts with aid (mappings followed), or of the
 * first NAA when aid is NULL. */
const struct sim_aka *sim_aka_find(const struct sim_aka *aka, unsigned n, const uint8_t *aid,
                                   size_t aid_len);

#endif
