/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A subscription's profile package (smdp.h): its type's template personalised with the type's
 * shared parameters, the subscription's identity and its secrets, unwrapped for this one
 * package and wiped after.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sm/keystore.h"
#include "sm/secret.h"
#include "smdb/smdp_store.h"
#include "smdp.h"
#include "smpp/pp.h"

int smdp_type_template(const struct smdb_profile_type *pt, struct sm_pp_template **t)
{
    struct sm_pp_error e = {0};
    json_t *j;
    int rc;

    if (pt->template_ref[0] != '{')
        return sm_pp_template_shipped(pt->template_ref, t, &e);
    j = json_loads(pt->template_ref, 0, NULL);
    rc = j ? sm_pp_template_load(j, t, &e) : -EINVAL;
    json_decref(j);
    return rc;
}

int smdp_personalise(struct smdp_app *a, const struct smdb_subscription *sub,
                     const struct smdb_profile_type *pt, struct sm_buf *pkg, char *why,
                     size_t whylen)
{
    struct sm_pp_template *t = NULL;
    struct sm_secret *plain = NULL;
    struct sm_pp_error pe = {0};
    json_t *params = json_loads(pt->params ? pt->params : "{}", 0, NULL), *sec = NULL;
    char label[64];
    int rc;

    snprintf(label, sizeof(label), "smdp:sub:%s", sub->iccid);
    rc = params ? smdp_type_template(pt, &t) : -ENOMEM;
    if (rc) {
        snprintf(why, whylen, "the template of profile type %s cannot be read", pt->name);
        goto out;
    }
    rc = sm_keystore_unwrap(a->ks, label, sub->secrets, sub->secrets_len, &plain);
    if (rc) {
        snprintf(why, whylen, "the secrets of %s cannot be unwrapped", sub->iccid);
        goto out;
    }
    sec = json_loadb((const char *)plain->data, plain->len, 0, NULL);
    if (!json_is_object(sec)) {
        snprintf(why, whylen, "the secrets of %s are damaged", sub->iccid);
        rc = -EBADMSG;
        goto out;
    }
    json_object_update(params, sec);
    json_object_set_new(params, "iccid", json_string(sub->iccid));
    json_object_set_new(params, "imsi", json_string(sub->imsi));
    if (sub->msisdn[0] && json_object_get(sm_pp_template_parameters(t), "msisdn"))
        json_object_set_new(params, "msisdn", json_string(sub->msisdn));
    rc = sm_pp_personalise(t, params, pkg, &pe);
    if (rc)
        snprintf(why, whylen, "%s: %s", pe.path, pe.msg);
out:
    /* the merged parameters hold the secrets in clear: wipe their strings before freeing */
    if (sec) {
        const char *k;
        json_t *v;

        json_object_foreach(params, k, v) {
            if (json_is_string(v) && json_object_get(sec, k))
                sm_wipe((void *)json_string_value(v), json_string_length(v));
        }
    }
    json_decref(sec);
    json_decref(params);
    sm_secret_free(plain);
    sm_pp_template_free(t);
    return rc;
}
