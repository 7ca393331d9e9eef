/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "sm/err.h"

const char *sm_strerror(int err)
{
    if (err < 0)
        err = -err;
    /* strerrordesc_np is thread-safe and never allocates (glibc >= 2.32) */
    const char *s = strerrordesc_np(err);
    return s ? s : "unknown error";
}
