/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_CODEC_H
#define SM_CODEC_H

#include <stddef.h>

/*
 * Decoders of peer data (TLV, APDU scripts, SMS TPDUs, secured packets, certificates) are
 * strict: truncated, overlong or trailing data is refused. They return -EBADMSG (structure) or
 * -EINVAL (a value out of range) and say where in struct sm_decode_err.
 */
struct sm_decode_err {
    size_t offset; /* byte offset in the input where the problem was found */
    char msg[120];
};

/* Fill err (may be NULL) and return rc. */
int sm_decode_fail(struct sm_decode_err *err, int rc, size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
