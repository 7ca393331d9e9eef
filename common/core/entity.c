/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <string.h>

#include "sm/entity.h"

static const struct {
    enum sm_role role;
    const char *name;
} roles[] = {
    {SM_ROLE_MNO, "mno"},   {SM_ROLE_SMDP, "smdp"},   {SM_ROLE_EUM, "eum"},
    {SM_ROLE_SMSR, "smsr"}, {SM_ROLE_ADMIN, "admin"},
};

const char *sm_role_name(enum sm_role r)
{
    for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
        if (roles[i].role == r)
            return roles[i].name;
    return "?";
}

int sm_role_parse(const char *s, enum sm_role *out)
{
    for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
        if (!strcmp(roles[i].name, s)) {
            *out = roles[i].role;
            return 0;
        }
    }
    return -EINVAL;
}

int sm_oid_check(const char *s)
{
    unsigned arcs = 0;
    const char *p = s;

    if (!s || strlen(s) > SM_ID_MAX)
        return -EINVAL;
    /* X.660: first arc 0, 1 or 2; each arc decimal without leading zeros */
    if (p[0] < '0' || p[0] > '2' || p[1] != '.')
        return -EINVAL;
    while (*p) {
        const char *start = p;

        while (*p >= '0' && *p <= '9')
            p++;
        if (p == start || (p - start > 1 && *start == '0'))
            return -EINVAL;
        arcs++;
        if (*p == '.') {
            p++;
            if (!*p)
                return -EINVAL;
        } else if (*p) {
            return -EINVAL;
        }
    }
    return arcs >= 2 ? 0 : -EINVAL;
}
