/* SPDX-License-Identifier: Apache-2.0 */
/* Keystore: AES-256-GCM wrap/unwrap, blob format, rotation, KEK files. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../sm_test.h"
#include "sm/buf.h"
#include "sm/hex.h"
#include "sm/keystore.h"
#include "sm/rng.h"
#include "sm/secret.h"

#define LABEL         "eid:89049032123451234512345678901235:kvn:01:kid:01"
#define BLOB_OVERHEAD 33 /* 01 | kek_id(4) | nonce(12) | tag(16) */

static struct sm_secret *kek_a, *kek_b, *kek_a2, *value;
static char dir[] = "/tmp/test_keystore.XXXXXX";

static struct sm_secret *secret_of_range(uint8_t first, size_t n)
{
    struct sm_secret *s = sm_secret_new(n);

    if (s)
        for (size_t i = 0; i < n; i++)
            s->data[i] = (uint8_t)(first + i);
    return s;
}

static int setup(void **state)
{
    kek_a = secret_of_range(0x20, 32);
    kek_b = secret_of_range(0x40, 32);
    kek_a2 = secret_of_range(0x21, 32); /* differs from kek_a */
    if (sm_secret_from_hex("465b5ce8b199b49faa5f0a2ee238a6bc", &value) != 0)
        return -1;
    if (!kek_a || !kek_b || !kek_a2 || !mkdtemp(dir))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    sm_secret_free(kek_a);
    sm_secret_free(kek_b);
    sm_secret_free(kek_a2);
    sm_secret_free(value);
    return rmdir(dir);
}

static struct sm_keystore *store(const struct sm_secret *kek, uint32_t id)
{
    struct sm_keystore *ks = NULL;

    assert_int_equal(sm_keystore_new(kek, id, &ks), 0);
    assert_non_null(ks);
    return ks;
}

static void wrap_ok(struct sm_keystore *ks, const char *label, const struct sm_secret *s,
                    struct sm_buf *out)
{
    assert_int_equal(sm_keystore_wrap(ks, &sm_rng_system, label, s, out), 0);
}

static void assert_unwraps_to(struct sm_keystore *ks, const char *label, const uint8_t *blob,
                              size_t len, const struct sm_secret *want)
{
    struct sm_secret *got = NULL;

    assert_int_equal(sm_keystore_unwrap(ks, label, blob, len, &got), 0);
    assert_non_null(got);
    assert_int_equal(got->len, want->len);
    assert_memory_equal(got->data, want->data, want->len);
    sm_secret_free(got);
}

static void assert_unwrap_fails(struct sm_keystore *ks, const char *label, const uint8_t *blob,
                                size_t len, int want)
{
    struct sm_secret *got = NULL;

    assert_int_equal(sm_keystore_unwrap(ks, label, blob, len, &got), want);
    assert_null(got);
}

static void round_trip(void **state)
{
    struct sm_keystore *ks = store(kek_a, 0x01020304);
    struct sm_buf out = SM_BUF_INIT, again = SM_BUF_INIT;
    struct sm_secret *empty = sm_secret_new(0);
    uint32_t id = 0;

    /* appends after existing contents */
    assert_int_equal(sm_buf_append_str(&out, "xyz"), 0);
    wrap_ok(ks, LABEL, value, &out);
    assert_int_equal(out.len, 3 + BLOB_OVERHEAD + value->len);
    assert_memory_equal(out.data, "xyz", 3);
    assert_int_equal(out.data[out.len], 0);
    assert_memory_equal(out.data + 3, "\x01\x01\x02\x03\x04", 5);
    /* the plaintext does not appear in the blob */
    assert_memory_not_equal(out.data + 3 + 17, value->data, value->len);
    assert_int_equal(sm_keystore_blob_kek_id(out.data + 3, out.len - 3, &id), 0);
    assert_int_equal(id, 0x01020304);
    assert_unwraps_to(ks, LABEL, out.data + 3, out.len - 3, value);

    /* a fresh nonce each time */
    wrap_ok(ks, LABEL, value, &again);
    assert_int_equal(again.len, out.len - 3);
    assert_memory_not_equal(again.data, out.data + 3, again.len);
    assert_unwraps_to(ks, LABEL, again.data, again.len, value);

    /* zero-length secret and empty label */
    assert_non_null(empty);
    sm_buf_reset(&again);
    wrap_ok(ks, "", empty, &again);
    assert_int_equal(again.len, BLOB_OVERHEAD);
    assert_unwraps_to(ks, "", again.data, again.len, empty);
    assert_unwrap_fails(ks, "x", again.data, again.len, -EKEYREJECTED);

    sm_secret_free(empty);
    sm_buf_free(&out);
    sm_buf_free(&again);
    sm_keystore_free(ks);
}

/* Known answer, recomputed with Python cryptography's AESGCM:
 * KEK 20..3f, kek_id 7, nonce 00..0b, AAD 01 00000007 || LABEL. */
static void deterministic_known_answer(void **state)
{
    static const uint8_t nonce[12] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    static const char want[] = "0100000007000102030405060708090a0b"
                               "1a09014ffbac5f7316a6c3e8c44bf880"
                               "8195451ef19bae295d3edf10b053c8ff";
    static const char want_empty[] = "0100000007000102030405060708090a0b"
                                     "9b3faaacf4a62395b07f523f5abb3ce9";
    struct sm_rng_replay r1 = {nonce, sizeof(nonce), 0}, r2 = r1, r3 = r1;
    struct sm_rng g1 = {sm_rng_replay_fill, &r1}, g2 = {sm_rng_replay_fill, &r2},
                  g3 = {sm_rng_replay_fill, &r3};
    struct sm_keystore *ks = store(kek_a, 7);
    struct sm_buf a = SM_BUF_INIT, b = SM_BUF_INIT, c = SM_BUF_INIT;
    struct sm_secret *empty = sm_secret_new(0);
    char hex[2 * 64 + 1];

    assert_int_equal(sm_keystore_wrap(ks, &g1, LABEL, value, &a), 0);
    assert_int_equal(sm_keystore_wrap(ks, &g2, LABEL, value, &b), 0);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    assert_int_equal(a.len, 49);
    sm_hex_encode(a.data, a.len, hex);
    assert_string_equal(hex, want);
    assert_unwraps_to(ks, LABEL, a.data, a.len, value);

    assert_non_null(empty);
    assert_int_equal(sm_keystore_wrap(ks, &g3, LABEL, empty, &c), 0);
    sm_hex_encode(c.data, c.len, hex);
    assert_string_equal(hex, want_empty);

    /* the replay generator is now exhausted: the error is passed on, out is unchanged */
    assert_int_equal(sm_keystore_wrap(ks, &g1, LABEL, value, &a), -ENODATA);
    assert_int_equal(a.len, 49);
    sm_hex_encode(a.data, a.len, hex);
    assert_string_equal(hex, want);
    assert_int_equal(a.data[a.len], 0);
    r1.pos = 1; /* 11 bytes left: still too few */
    assert_int_equal(sm_keystore_wrap(ks, &g1, LABEL, value, &a), -ENODATA);
    assert_int_equal(a.len, 49);

    sm_secret_free(empty);
    sm_buf_free(&a);
    sm_buf_free(&b);
    sm_buf_free(&c);
    sm_keystore_free(ks);
}

static void wrong_label_and_wrong_kek(void **state)
{
    struct sm_keystore *ks = store(kek_a, 1), *other = store(kek_a2, 1);
    struct sm_buf out = SM_BUF_INIT;

    wrap_ok(ks, LABEL, value, &out);
    assert_unwrap_fails(ks, LABEL "x", out.data, out.len, -EKEYREJECTED);
    assert_unwrap_fails(ks, "eid:89049032123451234512345678901235:kvn:01:kid:02", out.data, out.len,
                        -EKEYREJECTED);
    assert_unwrap_fails(ks, "", out.data, out.len, -EKEYREJECTED);
    /* same kek_id, different key */
    assert_unwrap_fails(other, LABEL, out.data, out.len, -EKEYREJECTED);
    assert_unwraps_to(ks, LABEL, out.data, out.len, value);
    sm_buf_free(&out);
    sm_keystore_free(ks);
    sm_keystore_free(other);
}

static void every_bit_flip_rejected(void **state)
{
    struct sm_keystore *ks = store(kek_a, 5);
    struct sm_buf out = SM_BUF_INIT;
    uint8_t *blob;

    wrap_ok(ks, LABEL, value, &out);
    blob = malloc(out.len);
    assert_non_null(blob);
    for (size_t bit = 0; bit < 8 * out.len; bit++) {
        size_t i = bit / 8;
        int want = i == 0 ? -EBADMSG : i < 5 ? -ENOKEY : -EKEYREJECTED;

        memcpy(blob, out.data, out.len);
        blob[i] ^= (uint8_t)(1u << (bit % 8));
        assert_unwrap_fails(ks, LABEL, blob, out.len, want);
    }
    memcpy(blob, out.data, out.len);
    assert_unwraps_to(ks, LABEL, blob, out.len, value);
    free(blob);
    sm_buf_free(&out);
    sm_keystore_free(ks);
}

static void truncated_and_extended_blobs(void **state)
{
    struct sm_keystore *ks = store(kek_a, 5);
    struct sm_buf out = SM_BUF_INIT;
    uint32_t id;

    wrap_ok(ks, LABEL, value, &out);
    for (size_t n = 0; n < out.len; n++) {
        /* an exact-size copy so the sanitizer sees any read past n */
        uint8_t *blob = malloc(n ? n : 1);

        assert_non_null(blob);
        memcpy(blob, out.data, n);
        assert_unwrap_fails(ks, LABEL, blob, n, n < BLOB_OVERHEAD ? -EBADMSG : -EKEYREJECTED);
        assert_int_equal(sm_keystore_blob_kek_id(blob, n, &id), n < BLOB_OVERHEAD ? -EBADMSG : 0);
        free(blob);
    }
    assert_int_equal(sm_buf_append_byte(&out, 0), 0);
    assert_unwrap_fails(ks, LABEL, out.data, out.len, -EKEYREJECTED);
    sm_buf_free(&out);
    sm_keystore_free(ks);
}

static void unknown_kek_and_rotation(void **state)
{
    struct sm_keystore *old = store(kek_a, 1), *next = store(kek_b, 2);
    struct sm_buf blob_old = SM_BUF_INIT, blob_new = SM_BUF_INIT;
    uint32_t id = 0;

    wrap_ok(old, LABEL, value, &blob_old);
    assert_unwrap_fails(next, LABEL, blob_old.data, blob_old.len, -ENOKEY);

    /* rotation: the new store keeps the old KEK for unwrapping, wraps under the new one */
    assert_int_equal(sm_keystore_add_kek(next, kek_a, 1), 0);
    assert_unwraps_to(next, LABEL, blob_old.data, blob_old.len, value);
    wrap_ok(next, LABEL, value, &blob_new);
    assert_int_equal(sm_keystore_blob_kek_id(blob_new.data, blob_new.len, &id), 0);
    assert_int_equal(id, 2);
    assert_int_equal(sm_keystore_blob_kek_id(blob_old.data, blob_old.len, &id), 0);
    assert_int_equal(id, 1);
    assert_unwraps_to(next, LABEL, blob_new.data, blob_new.len, value);
    assert_unwrap_fails(old, LABEL, blob_new.data, blob_new.len, -ENOKEY);

    /* one id, one key; KEKs are 32 bytes */
    assert_int_equal(sm_keystore_add_kek(next, kek_a2, 1), -EEXIST);
    assert_int_equal(sm_keystore_add_kek(next, kek_b, 2), -EEXIST);
    assert_int_equal(sm_keystore_add_kek(next, value, 3), -EINVAL);
    assert_int_equal(sm_keystore_add_kek(next, NULL, 3), -EINVAL);
    assert_int_equal(sm_keystore_add_kek(NULL, kek_a, 3), -EINVAL);
    /* a failed add changes nothing */
    assert_unwraps_to(next, LABEL, blob_old.data, blob_old.len, value);

    sm_buf_free(&blob_old);
    sm_buf_free(&blob_new);
    sm_keystore_free(old);
    sm_keystore_free(next);
}

static void invalid_arguments(void **state)
{
    struct sm_keystore *ks = NULL, *good = store(kek_a, 1);
    struct sm_secret *k33 = secret_of_range(0, 33), *nodata = sm_secret_new(0);
    struct sm_secret huge = {(size_t)INT_MAX, value->data};
    struct sm_buf out = SM_BUF_INIT, small = {.limit = 40};
    struct sm_rng norng = {NULL, NULL};
    uint8_t blob[64] = {1};
    uint32_t id;

    assert_non_null(k33);
    assert_int_equal(sm_keystore_new(NULL, 1, &ks), -EINVAL);
    assert_int_equal(sm_keystore_new(value, 1, &ks), -EINVAL);
    assert_int_equal(sm_keystore_new(k33, 1, &ks), -EINVAL);
    assert_int_equal(sm_keystore_new(kek_a, 1, NULL), -EINVAL);
    assert_null(ks);
    sm_keystore_free(NULL);

    assert_int_equal(sm_keystore_wrap(NULL, &sm_rng_system, LABEL, value, &out), -EINVAL);
    assert_int_equal(sm_keystore_wrap(good, NULL, LABEL, value, &out), -EINVAL);
    assert_int_equal(sm_keystore_wrap(good, &norng, LABEL, value, &out), -EINVAL);
    assert_int_equal(sm_keystore_wrap(good, &sm_rng_system, NULL, value, &out), -EINVAL);
    assert_int_equal(sm_keystore_wrap(good, &sm_rng_system, LABEL, NULL, &out), -EINVAL);
    assert_int_equal(sm_keystore_wrap(good, &sm_rng_system, LABEL, value, NULL), -EINVAL);
    assert_int_equal(sm_keystore_wrap(good, &sm_rng_system, LABEL, &huge, &out), -EINVAL);
    nodata->len = 1;
    free(nodata->data);
    nodata->data = NULL;
    assert_int_equal(sm_keystore_wrap(good, &sm_rng_system, LABEL, nodata, &out), -EINVAL);
    nodata->len = 0;
    assert_int_equal(out.len, 0);
    /* 33 + 16 bytes do not fit a 40-byte limit */
    assert_int_equal(sm_keystore_wrap(good, &sm_rng_system, LABEL, value, &small), -EMSGSIZE);
    assert_int_equal(small.len, 0);

    assert_int_equal(sm_keystore_unwrap(good, LABEL, blob, sizeof(blob), NULL), -EINVAL);
    assert_unwrap_fails(NULL, LABEL, blob, sizeof(blob), -EINVAL);
    assert_unwrap_fails(good, NULL, blob, sizeof(blob), -EINVAL);
    assert_unwrap_fails(good, LABEL, NULL, sizeof(blob), -EINVAL);
    /* version 2 is not understood */
    blob[0] = 2;
    assert_unwrap_fails(good, LABEL, blob, sizeof(blob), -EBADMSG);
    assert_int_equal(sm_keystore_blob_kek_id(blob, sizeof(blob), &id), -EBADMSG);
    /* a length EVP cannot take is refused before the contents are read */
    blob[0] = 1;
    blob[4] = 1;
    assert_unwrap_fails(good, LABEL, blob, (size_t)INT_MAX + BLOB_OVERHEAD + 1, -EBADMSG);
    assert_int_equal(sm_keystore_blob_kek_id(NULL, sizeof(blob), &id), -EINVAL);
    assert_int_equal(sm_keystore_blob_kek_id(blob, sizeof(blob), NULL), -EINVAL);

    sm_secret_free(k33);
    sm_secret_free(nodata);
    sm_buf_free(&out);
    sm_buf_free(&small);
    sm_keystore_free(good);
}

/* Write a file under dir with the given mode; returns its path in a static buffer. */
static const char *kek_file(const char *name, const void *data, size_t n, mode_t mode)
{
    static char path[256];
    int fd;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    unlink(path);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, n), (ssize_t)n);
    assert_int_equal(close(fd), 0);
    assert_int_equal(chmod(path, mode), 0);
    return path;
}

static const char kek_hex[] = "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f";

static void assert_loads_kek_a(const char *path)
{
    struct sm_secret *s = NULL;

    assert_int_equal(sm_keystore_load_kek(path, &s), 0);
    assert_non_null(s);
    assert_int_equal(s->len, 32);
    assert_memory_equal(s->data, kek_a->data, 32);
    sm_secret_free(s);
    assert_int_equal(unlink(path), 0);
}

static void assert_load_fails(const char *path, int want)
{
    struct sm_secret *s = NULL;

    assert_int_equal(sm_keystore_load_kek(path, &s), want);
    assert_null(s);
}

static void load_kek_hex_and_raw(void **state)
{
    static const char spaced[] = "  2021 2223 2425 2627\t28292A2B2C2D2E2F\r\n"
                                 "303132333435363738393A3B3C3D3E3F\n\n";
    char big[4096];
    struct sm_keystore *ks;
    struct sm_secret *s = NULL;

    assert_loads_kek_a(kek_file("hex", kek_hex, 64, 0600));
    assert_loads_kek_a(kek_file("hexnl", spaced, strlen(spaced), 0400));
    assert_loads_kek_a(kek_file("raw", kek_a->data, 32, 0600));
    /* the largest accepted file: 4096 bytes, mostly whitespace */
    memset(big, ' ', sizeof(big));
    memcpy(big + sizeof(big) - 64, kek_hex, 64);
    assert_loads_kek_a(kek_file("big", big, sizeof(big), 0600));

    /* the loaded KEK works in a keystore */
    assert_int_equal(sm_keystore_load_kek(kek_file("raw", kek_a->data, 32, 0600), &s), 0);
    assert_int_equal(sm_keystore_new(s, 9, &ks), 0);
    sm_keystore_free(ks);
    sm_secret_free(s);
    assert_int_equal(unlink(kek_file("raw", "", 0, 0600)), 0);
}

static void load_kek_refused(void **state)
{
    char big[4097], path[256];
    uint8_t raw[33];

    /* readable by group or others */
    assert_load_fails(kek_file("g", kek_hex, 64, 0640), -EPERM);
    assert_load_fails(kek_file("o", kek_hex, 64, 0604), -EPERM);
    assert_load_fails(kek_file("go", kek_a->data, 32, 0644), -EPERM);
    /* bad contents */
    assert_load_fails(kek_file("short", kek_hex, 63, 0600), -EINVAL);
    assert_load_fails(kek_file("long",
                               "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f00",
                               66, 0600),
                      -EINVAL);
    assert_load_fails(kek_file("odd",
                               "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f0",
                               65, 0600),
                      -EINVAL);
    assert_load_fails(kek_file("nothex",
                               "g02122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f",
                               64, 0600),
                      -EINVAL);
    assert_load_fails(kek_file("prefix",
                               "0x202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f",
                               66, 0600),
                      -EINVAL);
    /* twice the digits: must stop before writing past the key (ASan would see it) */
    memcpy(big, kek_hex, 64);
    memcpy(big + 64, kek_hex, 64);
    assert_load_fails(kek_file("double", big, 128, 0600), -EINVAL);
    assert_load_fails(kek_file("empty", "", 0, 0600), -EINVAL);
    memset(raw, 0x5a, sizeof(raw));
    assert_load_fails(kek_file("raw31", raw, 31, 0600), -EINVAL);
    assert_load_fails(kek_file("raw33", raw, 33, 0600), -EINVAL);
    memset(big, ' ', sizeof(big));
    memcpy(big + sizeof(big) - 64, kek_hex, 64);
    assert_load_fails(kek_file("toobig", big, sizeof(big), 0600), -EINVAL);
    /* not a regular file, missing, bad arguments */
    snprintf(path, sizeof(path), "%s/sub", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    assert_load_fails(path, -EINVAL);
    assert_int_equal(rmdir(path), 0);
    assert_load_fails(path, -ENOENT);
    assert_load_fails(NULL, -EINVAL);
    assert_int_equal(sm_keystore_load_kek(kek_file("hex", kek_hex, 64, 0600), NULL), -EINVAL);

    static const char *const names[] = {"g",     "o",      "go",     "short", "long",
                                        "odd",   "nothex", "prefix", "empty", "double",
                                        "raw31", "raw33",  "toobig", "hex"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        assert_int_equal(unlink(path), 0);
    }
}

/* A file its reader may not open: -EACCES. Run in a child that drops root, if need be. */
static void load_kek_unreadable(void **state)
{
    char path[256];
    pid_t pid;
    int status = -1;

    snprintf(path, sizeof(path), "%s", kek_file("noread", kek_hex, 64, 0200));
    assert_int_equal(chmod(dir, 0711), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct sm_secret *s = NULL;

        if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(2);
        _exit(sm_keystore_load_kek(path, &s) == -EACCES && !s ? 0 : 1);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_int_equal(chmod(dir, 0700), 0);
    assert_int_equal(unlink(path), 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(round_trip),
    cmocka_unit_test(deterministic_known_answer),
    cmocka_unit_test(wrong_label_and_wrong_kek),
    cmocka_unit_test(every_bit_flip_rejected),
    cmocka_unit_test(truncated_and_extended_blobs),
    cmocka_unit_test(unknown_kek_and_rotation),
    cmocka_unit_test(invalid_arguments),
    cmocka_unit_test(load_kek_hex_and_raw),
    cmocka_unit_test(load_kek_refused),
    cmocka_unit_test(load_kek_unreadable),
};

SM_TEST_MAIN(tests, setup, teardown)
