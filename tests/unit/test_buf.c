/* SPDX-License-Identifier: Apache-2.0 */
/* Owned buffer, hex and secret types. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../sm_test.h"
#include "sm/buf.h"
#include "sm/hex.h"
#include "sm/secret.h"

static void append_and_text(void **state)
{
    struct sm_buf b = SM_BUF_INIT;

    assert_string_equal(sm_buf_cstr(&b), "");
    assert_int_equal(sm_buf_append_str(&b, "abc"), 0);
    assert_int_equal(sm_buf_append_byte(&b, 'd'), 0);
    assert_int_equal(sm_buf_printf(&b, "-%d-%s", 42, "x"), 0);
    assert_string_equal(sm_buf_cstr(&b), "abcd-42-x");
    assert_int_equal(b.len, 9);
    sm_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(sm_buf_cstr(&b), "");
    sm_buf_free(&b);
    assert_null(b.data);
}

static void growth_keeps_content(void **state)
{
    struct sm_buf b = SM_BUF_INIT;
    uint8_t chunk[1000];

    for (size_t i = 0; i < sizeof(chunk); i++)
        chunk[i] = (uint8_t)i;
    for (int i = 0; i < 100; i++)
        assert_int_equal(sm_buf_append(&b, chunk, sizeof(chunk)), 0);
    assert_int_equal(b.len, 100000);
    for (int i = 0; i < 100; i++)
        assert_memory_equal(b.data + i * 1000, chunk, sizeof(chunk));
    assert_int_equal(b.data[b.len], 0);
    sm_buf_free(&b);
}

static void limit_refuses_and_keeps(void **state)
{
    struct sm_buf b = {.limit = 8};

    assert_int_equal(sm_buf_append_str(&b, "12345678"), 0);
    assert_int_equal(sm_buf_append_byte(&b, '9'), -EMSGSIZE);
    assert_int_equal(sm_buf_printf(&b, "%s", "x"), -EMSGSIZE);
    assert_string_equal(sm_buf_cstr(&b), "12345678");
    sm_buf_free(&b);
}

static void take_transfers_ownership(void **state)
{
    struct sm_buf b = SM_BUF_INIT;
    uint8_t *p;
    size_t len;

    sm_buf_append_hex(&b, (const uint8_t *)"\x01\xab\xff", 3);
    p = sm_buf_take(&b, &len);
    assert_int_equal(len, 6);
    assert_string_equal((char *)p, "01abff");
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    free(p);
    assert_null(sm_buf_take(&b, &len));
}

static void secure_buffer_growth(void **state)
{
    struct sm_buf b = {.secure = true};

    for (int i = 0; i < 1000; i++)
        assert_int_equal(sm_buf_append_byte(&b, 0x5a), 0);
    for (size_t i = 0; i < b.len; i++)
        assert_int_equal(b.data[i], 0x5a);
    sm_buf_clear_free(&b);
    assert_null(b.data);
}

static void hex_codec(void **state)
{
    uint8_t out[4];
    char text[9];

    assert_int_equal(sm_hex_decode("00A1fF", out, sizeof(out)), 3);
    assert_memory_equal(out, "\x00\xa1\xff", 3);
    sm_hex_encode(out, 3, text);
    assert_string_equal(text, "00a1ff");
    sm_hex_encode_upper(out, 3, text);
    assert_string_equal(text, "00A1FF");
    assert_int_equal(sm_hex_decode("abc", out, sizeof(out)), -EINVAL);
    assert_int_equal(sm_hex_decode("zz", out, sizeof(out)), -EINVAL);
    assert_int_equal(sm_hex_decode("0102030405", out, sizeof(out)), -ENOSPC);
    assert_int_equal(sm_hex_decode("", out, sizeof(out)), 0);
    assert_true(sm_hex_valid("0a"));
    assert_false(sm_hex_valid(""));
    assert_false(sm_hex_valid("0g"));
    assert_false(sm_hex_valid("012"));
}

static void secret_type(void **state)
{
    struct sm_secret *s = sm_secret_from("\x11\x22", 2), *h = NULL;

    assert_non_null(s);
    assert_int_equal(s->len, 2);
    assert_int_equal(sm_secret_from_hex("1122", &h), 0);
    assert_true(sm_ct_equal(s->data, h->data, 2));
    h->data[1] ^= 1;
    assert_false(sm_ct_equal(s->data, h->data, 2));
    sm_secret_free(h);
    h = NULL;
    assert_int_equal(sm_secret_from_hex("112", &h), -EINVAL);
    assert_int_equal(sm_secret_from_hex("11zz", &h), -EINVAL);
    assert_null(h);
    sm_secret_free(s);
    sm_secret_free(NULL);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(append_and_text),
    cmocka_unit_test(growth_keeps_content),
    cmocka_unit_test(limit_refuses_and_keeps),
    cmocka_unit_test(take_transfers_ownership),
    cmocka_unit_test(secure_buffer_growth),
    cmocka_unit_test(hex_codec),
    cmocka_unit_test(secret_type),
};

SM_TEST_MAIN(tests, NULL, NULL)
