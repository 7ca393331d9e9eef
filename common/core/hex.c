/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <string.h>

#include "sm/hex.h"

static void encode(const uint8_t *in, size_t n, char *out, const char *digits)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = 0;
}

void sm_hex_encode(const uint8_t *in, size_t n, char *out)
{
    encode(in, n, out, "0123456789abcdef");
}

void sm_hex_encode_upper(const uint8_t *in, size_t n, char *out)
{
    encode(in, n, out, "0123456789ABCDEF");
}

static int nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

long sm_hex_decode(const char *hex, uint8_t *out, size_t out_size)
{
    size_t n = strlen(hex);

    if (n % 2)
        return -EINVAL;
    if (n / 2 > out_size)
        return -ENOSPC;
    for (size_t i = 0; i < n / 2; i++) {
        int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);

        if (hi < 0 || lo < 0)
            return -EINVAL;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return (long)(n / 2);
}

bool sm_hex_valid(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n % 2)
        return false;
    for (size_t i = 0; i < n; i++)
        if (nibble(s[i]) < 0)
            return false;
    return true;
}
