/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_HEX_H
#define SM_HEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Write 2n lowercase hex digits and a NUL into out (size >= 2n + 1). */
void sm_hex_encode(const uint8_t *in, size_t n, char *out);
/* Same, uppercase. */
void sm_hex_encode_upper(const uint8_t *in, size_t n, char *out);
/*
 * Decode hex text (either case, no separators) into out. Returns the number of bytes written,
 * -EINVAL for an odd length or a non-hex character, -ENOSPC when out is too small.
 */
long sm_hex_decode(const char *hex, uint8_t *out, size_t out_size);
/* True when s is a non-empty even-length string of hex digits. */
bool sm_hex_valid(const char *s);

#endif
