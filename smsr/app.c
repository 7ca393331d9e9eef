/* SPDX-License-Identifier: Apache-2.0 */
/* The SM-SR's shared state: keystore, trusted CIs, EUM transport keys (smsr.h). */
#include <errno.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sm/err.h"
#include "sm/gpcert.h"
#include "sm/secret.h"
#include "sm/hex.h"
#include "sm/log.h"
#include "sm/eis_verify.h"
#include "es5_engine.h"
#include "smsr.h"

static int load_cis(struct smsr_app *a)
{
    if (!a->cfg->es1_ci_certs[0]) {
        SM_LOGW(SM_LOG_TLS, "es1", "no CI certificate configured (es1.ci_certs): ES1 unavailable");
        return 0;
    }
    return sm_eis_trust_load(a->cfg->es1_ci_certs, &a->trust);
}

/* Lines "<eum-oid> <aes-ecb|aes-cbc> <32 hex>", # comments; the file must be owner-only. */
static int load_transport_keys(struct smsr_app *a)
{
    const char *path = a->cfg->es1_transport_keys;
    char line[512];
    struct stat st;
    unsigned lineno = 0;
    FILE *f;
    int rc = 0;

    if (!path[0])
        return 0;
    f = fopen(path, "r");
    if (!f) {
        SM_LOGE(SM_LOG_CRYPTO, path, "transport keys: %s", strerror(errno));
        return -errno;
    }
    if (fstat(fileno(f), &st) || (st.st_mode & 077)) {
        SM_LOGE(SM_LOG_CRYPTO, path, "transport keys: the file must be readable by its owner only");
        fclose(f);
        return -EPERM;
    }
    while (!rc && fgets(line, sizeof(line), f)) {
        char id[SM_ID_MAX + 1], cipher[16], hex[40];
        struct smsr_transport_key *n, *k;

        lineno++;
        if (line[strspn(line, " \t")] == '#' || line[strspn(line, " \t\r\n")] == 0)
            continue;
        if (sscanf(line, "%128s %15s %39s", id, cipher, hex) != 3 ||
            (strcmp(cipher, "aes-ecb") && strcmp(cipher, "aes-cbc")) || strlen(hex) != 32) {
            SM_LOGE(SM_LOG_CRYPTO, path, "line %u: expected <eum-oid> <aes-ecb|aes-cbc> <32 hex>",
                    lineno);
            rc = -EINVAL;
            break;
        }
        n = realloc(a->tkeys, (a->ntkeys + 1) * sizeof(*n));
        if (!n) {
            rc = -ENOMEM;
            break;
        }
        a->tkeys = n;
        k = &n[a->ntkeys];
        snprintf(k->eum_id, sizeof(k->eum_id), "%s", id);
        k->cbc = !strcmp(cipher, "aes-cbc");
        if (sm_hex_decode(hex, k->key, sizeof(k->key)) != 16) {
            SM_LOGE(SM_LOG_CRYPTO, path, "line %u: the key is not 32 hex digits", lineno);
            rc = -EINVAL;
        } else {
            a->ntkeys++;
        }
        sm_wipe(hex, sizeof(hex));
        sm_wipe(line, sizeof(line));
    }
    fclose(f);
    if (!rc)
        SM_LOGI(SM_LOG_CRYPTO, path, "%zu EUM transport key%s", a->ntkeys,
                a->ntkeys == 1 ? "" : "s");
    return rc;
}

/* CERT.SR.ECDSA and its key (es7.certificate, es7.key): what the card checks when this SM-SR
 * takes it over (sgp02 7.8 step 3). The certificate must be an SM-SR's and hold the key's
 * public half. */
static int load_sr_identity(struct smsr_app *a)
{
    const struct smsr_cfg *c = a->cfg;
    struct sm_decode_err de;
    struct sm_gpcert cert;
    uint8_t pub[SM_EC_PUB_MAX];
    size_t publen = sizeof(pub), n;
    FILE *f;
    int rc;

    if (!c->es7_certificate[0])
        return 0;
    f = fopen(c->es7_certificate, "rb");
    if (!f) {
        SM_LOGE(SM_LOG_CRYPTO, c->es7_certificate, "es7.certificate: %s", strerror(errno));
        return -errno;
    }
    n = fread(a->sr_cert, 1, sizeof(a->sr_cert), f);
    fclose(f);
    if (sm_gpcert_decode(a->sr_cert, n, &cert, &de) || !cert.has_type ||
        cert.type != SM_GPCERT_TYPE_SMSR) {
        SM_LOGE(SM_LOG_CRYPTO, c->es7_certificate,
                "es7.certificate is not an SM-SR GP certificate (7F21 with C8 = 02)");
        return -EINVAL;
    }
    a->sr_cert_len = n;
    rc = sm_ec_private_from_pem(c->es7_key, &a->sr_curve, &a->sr_key);
    if (!rc)
        rc = sm_ec_public_from_private(a->sr_curve, a->sr_key->data, a->sr_key->len, pub, &publen);
    if (rc || a->sr_curve != cert.curve || publen != cert.pub_len ||
        memcmp(pub, cert.pub, publen)) {
        SM_LOGE(SM_LOG_CRYPTO, c->es7_key, "es7.key: %s",
                rc ? sm_strerror(rc) : "not the key of es7.certificate");
        return rc ? rc : -EKEYREJECTED;
    }
    if (c->es7_scenario & 0x06) {
        SM_LOGE(SM_LOG_CFG, "es7", "es7.scenario %02lX: DR (02) and HostID (04) are not offered",
                c->es7_scenario);
        return -EINVAL;
    }
    SM_LOGI(SM_LOG_CRYPTO, c->es7_certificate, "CERT.SR.ECDSA loaded: SM-SR change possible");
    return 0;
}

const struct smsr_transport_key *smsr_transport_key(const struct smsr_app *a, const char *eum_id)
{
    for (size_t i = 0; i < a->ntkeys; i++)
        if (!strcmp(a->tkeys[i].eum_id, eum_id))
            return &a->tkeys[i];
    return NULL;
}

int smsr_start(void *cfg, struct smdb *db, void **out)
{
    struct smsr_app *a = calloc(1, sizeof(*a));
    int rc;

    if (!a)
        return -ENOMEM;
    a->cfg = cfg;
    a->db = db;
    rc = sm_keystore_open(a->cfg->kek_file, a->cfg->base.test_mode, &a->ks);
    if (!rc)
        rc = load_cis(a);
    if (!rc)
        rc = load_transport_keys(a);
    if (!rc)
        rc = load_sr_identity(a);
    if (!rc && a->cfg->es5_enabled)
        rc = smsr_engine_start(a);
    if (rc) {
        smsr_stop(a);
        return rc;
    }
    *out = a;
    return 0;
}

void smsr_stop(void *app)
{
    struct smsr_app *a = app;

    if (!a)
        return;
    smsr_engine_stop(a);
    sm_keystore_free(a->ks);
    sm_secret_free(a->sr_key);
    sm_eis_trust_free(a->trust);
    if (a->tkeys)
        sm_wipe(a->tkeys, a->ntkeys * sizeof(*a->tkeys));
    free(a->tkeys);
    free(a);
}
