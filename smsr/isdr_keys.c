/* SPDX-License-Identifier: Apache-2.0 */
/* ISD-R key sets out of the keystore (isdr_keys.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isdr_keys.h"
#include "sm/keystore.h"
#include "sm/secret.h"
#include "smdb/smsr_store.h"

void smsr_isdr_keys_wipe(struct smsr_isdr_keys *k)
{
    sm_wipe(k, sizeof(*k));
}

int smsr_isdr_keys_load(struct smsr_app *a, const char *eid, const char *type, unsigned lo,
                        unsigned hi, struct smsr_isdr_keys *out)
{
    memset(out, 0, sizeof(*out));
    for (unsigned kvn = lo; kvn <= hi; kvn++) {
        struct smdb_keyset ks;
        struct sm_secret *plain = NULL;
        char label[96];
        int rc = smdb_keyset_get(a->db, eid, type, kvn, &ks);

        if (rc == -ENOENT)
            continue;
        if (rc)
            return rc;
        /* the label binds the blob to its card, type and version */
        snprintf(label, sizeof(label), "smsr:isdr:%s:%s:%u", eid, type, kvn);
        rc = sm_keystore_unwrap(a->ks, label, ks.wrapped, ks.wrapped_len, &plain);
        free(ks.wrapped);
        if (rc)
            return rc;
        out->kvn = kvn;
        for (size_t p = 0; p + 3 <= plain->len;) {
            uint8_t idx = plain->data[p], l = plain->data[p + 2];

            if (p + 3 + l > plain->len || l > sizeof(out->key[0].v))
                break;
            if (idx >= 1 && idx <= 3) {
                memcpy(out->key[idx].v, plain->data + p + 3, l);
                out->key[idx].len = l;
            }
            p += 3 + (size_t)l;
        }
        sm_secret_free(plain);
        return 0;
    }
    return -ENOKEY;
}

unsigned smsr_free_kvn(const json_t *sets, unsigned lo, unsigned hi)
{
    const json_t *set;
    size_t i;

    for (unsigned kvn = lo; kvn <= hi; kvn++) {
        bool used = false;

        json_array_foreach(sets, i, set)
            used |= json_integer_value(json_array_get(set, 0)) == kvn;
        if (!used)
            return kvn;
    }
    return 0;
}
