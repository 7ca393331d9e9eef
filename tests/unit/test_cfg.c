/* SPDX-License-Identifier: Apache-2.0 */
/* Configuration loading: values, defaults, and errors that name the file and the line. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sm_test.h"
#include "sm/cfg.h"
#include "sm/daemon.h"

struct tcfg {
    char *name;
    char *file;
    long n;
    size_t size;
    bool flag;
    struct sm_cfg_addr addr;
    char *mode;
};

static const char *const modes[] = {"a", "b", NULL};
#define OFF(f) offsetof(struct tcfg, f)
static const struct sm_cfg_key keys[] = {
    {"", "name", SM_CFG_STRING, OFF(name), NULL, 0, 0, NULL, "required name"},
    {"s", "file", SM_CFG_PATH, OFF(file), "x.db", 0, 0, NULL, "a path"},
    {"s", "n", SM_CFG_INT, OFF(n), "5", 1, 10, NULL, "a number"},
    {"s", "size", SM_CFG_SIZE, OFF(size), "1k", 0, 0, NULL, "a size"},
    {"s", "flag", SM_CFG_BOOL, OFF(flag), "no", 0, 0, NULL, "a flag"},
    {"s", "addr", SM_CFG_ADDR, OFF(addr), "127.0.0.1:80", 0, 0, NULL, "an address"},
    {"s", "mode", SM_CFG_ENUM, OFF(mode), "a", 0, 0, modes, "a mode"},
};
static const struct sm_cfg_table table = {keys, sizeof(keys) / sizeof(keys[0])};

static char dir[] = "/tmp/sm-test-cfg-XXXXXX";
static char path[256];

static int setup(void **state)
{
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof(path), "%s/t.conf", dir);
    return 0;
}

static int teardown(void **state)
{
    unlink(path);
    rmdir(dir);
    return 0;
}

static void write_conf(const char *text)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Load text; returns the rc and leaves the error in *err. */
static int load(const char *text, struct tcfg *c, struct sm_cfg_error *err)
{
    memset(c, 0, sizeof(*c));
    write_conf(text);
    return sm_cfg_load(path, &table, 1, c, err);
}

static void values_and_defaults(void **state)
{
    struct sm_cfg_error err;
    struct tcfg c;
    char expect[300];

    assert_int_equal(load("# comment\nname = hello\n\n[s]\nn = 7\nsize = 2M\nflag = yes\n"
                          "addr = [::1]:8443\nmode = b\n",
                          &c, &err),
                     0);
    assert_string_equal(c.name, "hello");
    assert_int_equal(c.n, 7);
    assert_int_equal(c.size, 2u << 20);
    assert_true(c.flag);
    assert_string_equal(c.addr.host, "::1");
    assert_int_equal(c.addr.port, 8443);
    assert_string_equal(c.mode, "b");
    /* relative paths resolve against the config file's directory */
    snprintf(expect, sizeof(expect), "%s/x.db", dir);
    assert_string_equal(c.file, expect);
    assert_int_equal(sm_cfg_line("s", "mode"), 9);
    assert_int_equal(sm_cfg_line("s", "file"), 0);
    sm_cfg_free(&table, 1, &c);
    assert_null(c.name);
}

static void expect_error(const char *text, int line, const char *fragment)
{
    struct sm_cfg_error err;
    struct tcfg c;

    assert_int_equal(load(text, &c, &err), -EINVAL);
    assert_string_equal(err.file, path);
    assert_int_equal(err.line, line);
    if (!strstr(err.msg, fragment))
        fail_msg("message '%s' lacks '%s'", err.msg, fragment);
    /* nothing is left allocated after a failed load */
    assert_null(c.name);
    assert_null(c.file);
}

static void errors_name_the_line(void **state)
{
    expect_error("name = x\n[s]\nbogus = 1\n", 3, "unknown key 's.bogus'");
    expect_error("name = x\n\n[s]\nn = 11\n", 4, "out of range");
    expect_error("name = x\n[s]\nn = 3x\n", 3, "not an integer");
    expect_error("name = x\n[s]\nsize = 12Q\n", 3, "not a size");
    expect_error("name = x\n[s]\nflag = maybe\n", 3, "boolean");
    expect_error("name = x\n[s]\naddr = localhost:80\n", 3, "numeric address");
    expect_error("name = x\n[s]\naddr = 127.0.0.1:99999\n", 3, "numeric address");
    expect_error("name = x\n[s]\nmode = c\n", 3, "(a, b)");
    expect_error("name = x\nname = y\n", 2, "set twice (first on line 1)");
    expect_error("name = x\n[s\n", 2, "syntax error");
    expect_error("name = x\njust words\n", 2, "syntax error");
    expect_error("[s]\nn = 2\n", 0, "required key 'name' is missing");
    expect_error("[other]\nname = x\n", 2, "unknown key 'other.name'");
}

static void long_line_is_refused(void **state)
{
    char text[600];

    snprintf(text, sizeof(text), "name = x\n[s]\nmode = %0400d\nn = 2\n", 0);
    expect_error(text, 3, "longer than");
}

static void missing_file(void **state)
{
    struct sm_cfg_error err;
    struct tcfg c = {0};

    assert_int_equal(sm_cfg_load("/nonexistent/sm.conf", &table, 1, &c, &err), -ENOENT);
    assert_string_equal(err.file, "/nonexistent/sm.conf");
    assert_non_null(strstr(err.msg, "cannot open"));
}

static void parsers(void **state)
{
    size_t sz;
    struct sm_cfg_addr a;

    assert_int_equal(sm_cfg_parse_size("0", &sz), 0);
    assert_int_equal(sz, 0);
    assert_int_equal(sm_cfg_parse_size("3G", &sz), 0);
    assert_int_equal(sz, 3ull << 30);
    assert_int_equal(sm_cfg_parse_size("-1", &sz), -EINVAL);
    assert_int_equal(sm_cfg_parse_size("1kk", &sz), -EINVAL);
    assert_int_equal(sm_cfg_parse_size("", &sz), -EINVAL);
    assert_int_equal(sm_cfg_parse_size("99999999999999999999", &sz), -ERANGE);
    assert_int_equal(sm_cfg_parse_addr("10.0.0.1:0", &a), 0);
    assert_int_equal(a.port, 0);
    assert_int_equal(sm_cfg_parse_addr("10.0.0.1", &a), -EINVAL);
    assert_int_equal(sm_cfg_parse_addr("10.0.0.1:", &a), -EINVAL);
    assert_int_equal(sm_cfg_parse_addr("[::1]8443", &a), -EINVAL);
    assert_int_equal(sm_cfg_parse_addr("::1:8443", &a), -EINVAL);
}

/* The daemons' common checks: identity, test-only switches, readable files. */
static void daemon_checks(void **state)
{
    struct sm_daemon_cfg c;
    struct sm_cfg_error err;
    memset(&c, 0, sizeof(c));
    write_conf("id = 1.2.3\n[log]\nshow_keys = yes\n[tls]\ncert = c.pem\nkey = k.pem\n"
               "client_ca = ca.pem\n");
    assert_int_equal(sm_cfg_load(path, &sm_daemon_cfg_table, 1, &c, &err), 0);
    assert_int_equal(sm_daemon_cfg_check(path, &c, &err), -EINVAL);
    assert_int_equal(err.line, 3);
    assert_non_null(strstr(err.msg, "test_mode"));
    sm_cfg_free(&sm_daemon_cfg_table, 1, &c);

    write_conf("id = mno-one\n[tls]\ncert = c.pem\nkey = k.pem\nclient_ca = ca.pem\n");
    assert_int_equal(sm_cfg_load(path, &sm_daemon_cfg_table, 1, &c, &err), 0);
    assert_int_equal(sm_daemon_cfg_check(path, &c, &err), -EINVAL);
    assert_int_equal(err.line, 1);
    assert_non_null(strstr(err.msg, "not an OID"));
    sm_cfg_free(&sm_daemon_cfg_table, 1, &c);

    write_conf("id = 1.2.3\n[tls]\ncert = missing.pem\nkey = k.pem\nclient_ca = ca.pem\n");
    assert_int_equal(sm_cfg_load(path, &sm_daemon_cfg_table, 1, &c, &err), 0);
    assert_int_equal(sm_daemon_cfg_check(path, &c, &err), -EINVAL);
    assert_int_equal(err.line, 3);
    assert_non_null(strstr(err.msg, "cannot read"));
    sm_cfg_free(&sm_daemon_cfg_table, 1, &c);

    write_conf("id = 1.2.3\n[log]\nlevel = info,nosuch=debug\n[tls]\ncert = c\nkey = k\n"
               "client_ca = ca\n");
    assert_int_equal(sm_cfg_load(path, &sm_daemon_cfg_table, 1, &c, &err), 0);
    assert_int_equal(sm_daemon_cfg_check(path, &c, &err), -EINVAL);
    assert_int_equal(err.line, 3);
    sm_cfg_free(&sm_daemon_cfg_table, 1, &c);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(values_and_defaults),
    cmocka_unit_test(errors_name_the_line),
    cmocka_unit_test(long_line_is_refused),
    cmocka_unit_test(missing_file),
    cmocka_unit_test(parsers),
    cmocka_unit_test(daemon_checks),
};

SM_TEST_MAIN(tests, setup, teardown)
