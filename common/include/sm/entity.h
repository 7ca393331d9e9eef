/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_ENTITY_H
#define SM_ENTITY_H

#include <stdbool.h>

#include "sm/api_header.h"

/*
 * An entity is a party that calls a daemon: an MNO, an SM-DP, an EUM, an SM-SR or an operator's
 * administrator. It is known by its OID (the SGP.02 Mno-id, Smdp-id, Eum-id, Smsr-id) and
 * authenticated by a client certificate registered for it in the daemon's database.
 */
enum sm_role {
    SM_ROLE_MNO = 1u << 0,
    SM_ROLE_SMDP = 1u << 1,
    SM_ROLE_EUM = 1u << 2,
    SM_ROLE_SMSR = 1u << 3,
    SM_ROLE_ADMIN = 1u << 4,
};
#define SM_ROLE_ANY (SM_ROLE_MNO | SM_ROLE_SMDP | SM_ROLE_EUM | SM_ROLE_SMSR | SM_ROLE_ADMIN)

struct sm_entity {
    char id[SM_ID_MAX + 1]; /* OID, e.g. 1.3.6.1.4.1.99999.10.1 */
    char name[65];
    enum sm_role role;
    bool enabled;
    char callback_url[512]; /* where asynchronous results and notifications go; may be "" */
};

/* "mno", "smdp", "eum", "smsr", "admin" */
const char *sm_role_name(enum sm_role r);
/* Returns 0 or -EINVAL. */
int sm_role_parse(const char *s, enum sm_role *out);
/* An OID in dotted form: at least two arcs, first 0-2, no leading zeros. Returns 0 or -EINVAL. */
int sm_oid_check(const char *s);

#endif
