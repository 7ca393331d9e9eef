/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stdio.h>

#include "sm/codec.h"

int sm_decode_fail(struct sm_decode_err *err, int rc, size_t offset, const char *fmt, ...)
{
    va_list ap;

    if (err) {
        err->offset = offset;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
    }
    return rc;
}
