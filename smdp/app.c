/* SPDX-License-Identifier: Apache-2.0 */
/* The SM-DP's shared state while it serves (smdp.h): the database and the HTTPS client for
 * its calls to the SM-SRs (ES3). */
#include <errno.h>
#include <stdlib.h>

#include "sm/http_client.h"
#include "smdp.h"

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
    if (rc) {
        free(a);
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
    sm_http_client_free(a->http);
    free(a);
}
