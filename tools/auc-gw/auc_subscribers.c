/* SPDX-License-Identifier: Apache-2.0 */
/*
 * auc-gw's subscribers (auc_gw.h): the database and key-encryption key both auc-gw and
 * `smctl subscriber` open, and the rows of HSS files (iccid,imsi,k,opc,amf,sqn, the file smdp
 * and euicc-sim write) put into it with K and OPc wrapped under the IMSI's label.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auc_gw.h"
#include "sm/api.h"
#include "sm/hex.h"
#include "sm/ids.h"
#include "sm/rng.h"
#include "sm/secret.h"
#include "smdb/aucstore.h"

int auc_gw_open(struct auc_gw *g, const char *db_path, const char *kek_path, bool create_kek,
                unsigned pool, char *why, size_t whylen)
{
    const struct smdb_config dc = {.path = db_path,
                                   .schema = SMDB_SCHEMA_AUC,
                                   .migrations = smdb_auc_migrations,
                                   .pool_size = pool ? pool : 1,
                                   .synchronous = "full"};
    struct sm_secret *kek = NULL;
    char reason[200];
    int rc;

    memset(g, 0, sizeof(*g));
    g->seq_block = 1;
    for (int i = 0; i < AUC_SEQ_STRIPES; i++)
        pthread_mutex_init(&g->seq_mu[i], NULL);
    if (smdb_open(&dc, &g->db, reason, sizeof(reason))) {
        snprintf(why, whylen, "%s: %s", db_path, reason);
        return -EIO;
    }
    if (!kek_path)
        return 0;
    rc = sm_keystore_load_kek(kek_path, &kek);
    if (rc == -ENOENT && create_kek) {
        rc = sm_keystore_create_kek(kek_path);
        if (!rc)
            rc = sm_keystore_load_kek(kek_path, &kek);
    }
    if (!rc)
        rc = sm_keystore_new(kek, 1, &g->ks);
    sm_secret_free(kek);
    if (rc) {
        snprintf(why, whylen, "%s: the key-encryption key cannot be used (%s)", kek_path,
                 strerror(-rc));
        smdb_close(g->db);
        g->db = NULL;
    }
    return rc;
}

void auc_gw_label(const char *imsi, char *out, size_t n)
{
    snprintf(out, n, "auc:%s", imsi);
}

void auc_gw_close(struct auc_gw *g)
{
    sm_keystore_free(g->ks);
    smdb_close(g->db);
    free(g->seq);
    for (int i = 0; i < AUC_SEQ_STRIPES; i++)
        pthread_mutex_destroy(&g->seq_mu[i]);
    memset(g, 0, sizeof(*g));
}

int auc_gw_seq_block(struct auc_gw *g, unsigned n)
{
    if (n < 1 || n > 1024)
        return -EINVAL;
    if (n > 1 && !g->seq) {
        g->seq = calloc(AUC_SEQ_SLOTS, sizeof(*g->seq));
        if (!g->seq)
            return -ENOMEM;
    }
    g->seq_block = n;
    return 0;
}

int auc_hss_parse(const char *line, struct auc_hss_row *r)
{
    char k[40], opc[40], sqn[16];
    int end = -1, rc = 0;

    memset(r, 0, sizeof(*r));
    /* the ICCID may be empty (a subscriber added without one); nothing but the line's end may
     * follow the SQN */
    if (sscanf(line, "%20[^,\r\n],%15[^,],%39[^,],%39[^,],%4[^,],%15[^,\r\n]%n", r->iccid, r->imsi,
               k, opc, r->amf, sqn, &end) != 6 &&
        (line[0] != ',' || sscanf(line, ",%15[^,],%39[^,],%39[^,],%4[^,],%15[^,\r\n]%n", r->imsi, k,
                                  opc, r->amf, sqn, &end) != 5))
        rc = -EINVAL;
    else if (end < 0 || line[end + (int)strspn(line + end, "\r\n")] != 0)
        rc = -EINVAL;
    else if (sm_imsi_check(r->imsi) || (r->iccid[0] && sm_iccid_check(r->iccid)) ||
             strlen(k) != 32 || sm_hex_decode(k, r->keys, 16) != 16 || strlen(opc) != 32 ||
             sm_hex_decode(opc, r->keys + 16, 16) != 16 || strlen(r->amf) != 4 ||
             sm_hex_decode(r->amf, (uint8_t[2]){0}, 2) != 2 || strlen(sqn) != 12 ||
             sm_hex_decode(sqn, r->sqn, 6) != 6)
        rc = -EINVAL;
    sm_wipe(k, sizeof(k));
    sm_wipe(opc, sizeof(opc));
    if (rc)
        sm_wipe(r, sizeof(*r));
    return rc;
}

int auc_gw_put(struct auc_gw *g, const struct auc_hss_row *r)
{
    struct sm_buf w = SM_BUF_INIT;
    struct sm_secret *s = sm_secret_from(r->keys, sizeof(r->keys));
    char label[48];
    uint64_t v = 0;
    int rc;

    for (int i = 0; i < 6; i++)
        v = v << 8 | r->sqn[i];
    auc_gw_label(r->imsi, label, sizeof(label));
    rc = s ? sm_keystore_wrap(g->ks, &sm_rng_system, label, s, &w) : -ENOMEM;
    sm_secret_free(s);
    /* SQN = SEQ || IND (TS 33.102 C.3.2, 5 bits of IND): the database keeps SEQ */
    if (!rc)
        rc = smdb_auc_put(g->db, r->imsi, r->iccid, w.data, w.len, r->amf, (int64_t)(v >> 5),
                          sm_wall_ms());
    sm_buf_free(&w);
    return rc;
}

int auc_gw_import(struct auc_gw *g, const char *path, unsigned *n, char *why, size_t whylen)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
    char line[512];
    unsigned lineno = 0;
    int rc = 0;

    *n = 0;
    if (!f) {
        snprintf(why, whylen, "%s: %s", path, strerror(errno));
        return -errno;
    }
    while (!rc && fgets(line, sizeof(line), f)) {
        struct auc_hss_row r;

        lineno++;
        if ((lineno == 1 && !strncmp(line, "iccid,", 6)) || line[strspn(line, " \r\n")] == 0)
            continue;
        if (!strchr(line, '\n') && !feof(f)) {
            snprintf(why, whylen, "%s:%u: line too long", path, lineno);
            rc = -EINVAL;
        } else if (auc_hss_parse(line, &r)) {
            snprintf(why, whylen,
                     "%s:%u: not iccid,imsi,k,opc,amf,sqn (IMSI, ICCID check digit, "
                     "32 hex K and OPc, 4 hex AMF, 12 hex SQN)",
                     path, lineno);
            rc = -EINVAL;
        } else {
            rc = auc_gw_put(g, &r);
            if (rc)
                snprintf(why, whylen, "%s:%u: %s: not stored (%s)", path, lineno, r.imsi,
                         strerror(-rc));
            else
                (*n)++;
        }
        sm_wipe(&r, sizeof(r));
        sm_wipe(line, sizeof(line));
    }
    if (f != stdin)
        fclose(f);
    return rc;
}
