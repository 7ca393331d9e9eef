/* SPDX-License-Identifier: Apache-2.0 */
/* Logging: subject first, levels per category, key redaction, JSON lines, no forged lines. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sm_test.h"
#include "sm/log.h"

static char path[] = "/tmp/sm-test-log-XXXXXX";

static int setup(void **state)
{
    int fd = mkstemp(path);

    if (fd < 0)
        return -1;
    close(fd);
    return sm_log_open_file(path);
}

static int teardown(void **state)
{
    unlink(path);
    return 0;
}

/* Everything logged since the last call. */
static char *drain(void)
{
    static long off;
    FILE *f = fopen(path, "r");
    char *buf = calloc(1, 65536);
    size_t n;

    fseek(f, off, SEEK_SET);
    n = fread(buf, 1, 65535, f);
    off += (long)n;
    fclose(f);
    return buf;
}

static void subject_first_and_levels(void **state)
{
    char *out;

    sm_log_set_format(SM_LOG_TEXT);
    assert_int_equal(sm_log_set_levels("info,db=warn"), 0);
    sm_log(SM_LOG_API, SM_LOG_INFO, "89049032", "hello %d", 7);
    sm_log(SM_LOG_DB, SM_LOG_INFO, "x", "hidden");
    SM_LOGD(SM_LOG_API, "x", "hidden too");
    out = drain();
    assert_non_null(strstr(out, "info   api    [89049032] hello 7\n"));
    assert_null(strstr(out, "hidden"));
    free(out);
    assert_int_equal(sm_log_set_levels("debug,nosuch=info"), -EINVAL);
    assert_false(sm_log_enabled(SM_LOG_API, SM_LOG_DEBUG)); /* unchanged after a bad spec */
    assert_int_equal(sm_log_set_levels(""), -EINVAL);
}

static void keys_are_redacted(void **state)
{
    static const uint8_t key[] = {0x11, 0x22, 0x33, 0x44};
    char *out;

    sm_log_set_levels("debug");
    sm_log_set_show_keys(false);
    sm_log_key(SM_LOG_CRYPTO, SM_LOG_DEBUG, "isd-p", "K", key, sizeof(key));
    sm_log_hex(SM_LOG_CARD, SM_LOG_DEBUG, "isd-p", "APDU", key, sizeof(key));
    out = drain();
    assert_non_null(strstr(out, "K: <redacted 4 bytes>"));
    assert_non_null(strstr(out, "APDU (4 bytes): 11223344"));
    assert_int_equal(strstr(out, "11223344"), strstr(out, "APDU (4 bytes): ") + 16);
    free(out);
    sm_log_set_show_keys(true);
    sm_log_key(SM_LOG_CRYPTO, SM_LOG_DEBUG, "isd-p", "K", key, sizeof(key));
    out = drain();
    assert_non_null(strstr(out, "11223344"));
    free(out);
    sm_log_set_show_keys(false);
    sm_log_set_levels("info");
}

static void json_lines_and_injection(void **state)
{
    char *out;

    sm_log_set_format(SM_LOG_JSON);
    sm_log(SM_LOG_HTTP, SM_LOG_WARN, "a\"b", "line1\nfake 2026 error main [x] forged");
    out = drain();
    assert_non_null(strstr(out, "\"level\":\"warn\",\"cat\":\"http\",\"subject\":\"a\\\"b\""));
    assert_non_null(strstr(out, "line1\\u000afake"));
    assert_int_equal(strchr(out, '\n') - out + 1, (long)strlen(out)); /* one line */
    free(out);
    sm_log_set_format(SM_LOG_TEXT);
    sm_log(SM_LOG_HTTP, SM_LOG_WARN, "peer\r\n", "a\nb");
    out = drain();
    assert_non_null(strstr(out, "[peer??] a?b\n"));
    free(out);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(subject_first_and_levels),
    cmocka_unit_test(keys_are_redacted),
    cmocka_unit_test(json_lines_and_injection),
};

SM_TEST_MAIN(tests, setup, teardown)
