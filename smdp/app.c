/* SPDX-License-Identifier: Apache-2.0 */
/* The SM-DP's shared state while it serves (smdp.h): the database, the HTTPS client for its
 * calls to the SM-SRs (ES3), the keystore, the trusted CIs and CERT.DP.ECDSA, the order
 * engine. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "order_engine.h"
#include "sm/ecka.h"
#include "sm/eis_verify.h"
#include "sm/err.h"
#include "sm/gpcert.h"
#include "sm/http_client.h"
#include "sm/keystore.h"
#include "sm/log.h"
#include "sm/secret.h"
#include "smdp.h"

/* CERT.DP.ECDSA and its key (es8.certificate, es8.key): what the card's ECASD checks before the
 * key establishment (es8 spec 1.1). The certificate must be an SM-DP's and hold the key's public
 * half. */
static int load_dp_identity(struct smdp_app *a)
{
    const struct smdp_cfg *c = a->cfg;
    struct sm_decode_err de;
    struct sm_gpcert cert;
    uint8_t pub[SM_EC_PUB_MAX];
    size_t publen = sizeof(pub), n;
    enum sm_curve curve;
    FILE *f;
    int rc;

    if (!c->es8_certificate[0]) {
        SM_LOGW(SM_LOG_CRYPTO, "es8", "no CERT.DP.ECDSA (es8.certificate): downloads refused");
        return 0;
    }
    f = fopen(c->es8_certificate, "rb");
    if (!f) {
        SM_LOGE(SM_LOG_CRYPTO, c->es8_certificate, "es8.certificate: %s", strerror(errno));
        return -errno;
    }
    n = fread(a->dp_cert, 1, sizeof(a->dp_cert), f);
    fclose(f);
    if (sm_gpcert_decode(a->dp_cert, n, &cert, &de) || !cert.has_type ||
        cert.type != SM_GPCERT_TYPE_SMDP) {
        SM_LOGE(SM_LOG_CRYPTO, c->es8_certificate,
                "es8.certificate is not an SM-DP GP certificate (7F21 with C8 = 01)");
        return -EINVAL;
    }
    rc = sm_ec_private_from_pem(c->es8_key, &curve, &a->dp_key);
    if (!rc)
        rc = sm_ec_public_from_private(curve, a->dp_key->data, a->dp_key->len, pub, &publen);
    if (rc || curve != SM_CURVE_P256 || cert.curve != curve || publen != cert.pub_len ||
        memcmp(pub, cert.pub, publen)) {
        SM_LOGE(SM_LOG_CRYPTO, c->es8_key, "es8.key: %s",
                rc ? sm_strerror(rc) : "not the P-256 key of es8.certificate");
        return rc ? rc : -EKEYREJECTED;
    }
    a->dp_cert_len = n;
    SM_LOGI(SM_LOG_CRYPTO, c->es8_certificate, "CERT.DP.ECDSA loaded");
    return 0;
}

int smdp_start(void *cfg, struct smdb *db, void **app)
{
    struct smdp_app *a = calloc(1, sizeof(*a));
    struct sm_http_client_config hc;
    int rc;

    if (!a)
        return -ENOMEM;
    a->cfg = cfg;
    a->db = db;
    sm_daemon_client_config(&a->cfg->base, &hc);
    rc = sm_http_client_global_init() ? -EIO : sm_http_client_new(&hc, &a->http);
    if (!rc)
        rc = sm_keystore_open(a->cfg->kek_file, a->cfg->base.test_mode, &a->ks);
    if (!rc && a->cfg->es8_ci_certs[0])
        rc = sm_eis_trust_load(a->cfg->es8_ci_certs, &a->trust);
    else if (!rc)
        SM_LOGW(SM_LOG_TLS, "es8", "no trusted CI (es8.ci_certs): downloads refused");
    if (!rc)
        rc = load_dp_identity(a);
    if (!rc)
        rc = smdp_engine_start(a);
    if (rc) {
        smdp_stop(a);
        return rc;
    }
    *app = a;
    return 0;
}

void smdp_stop(void *app)
{
    struct smdp_app *a = app;

    if (!a)
        return;
    smdp_engine_stop(a);
    sm_http_client_free(a->http);
    sm_keystore_free(a->ks);
    sm_eis_trust_free(a->trust);
    sm_secret_free(a->dp_key);
    free(a);
}
