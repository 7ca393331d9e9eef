/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The API edge and the HTTPS client, in one process over real TLS on loopback with a real
 * SQLite journal: retries by functionCallIdentifier, strict body members, asynchronous
 * answers and GET /gsma/operations, internal failures, and the client's timeouts, retries and
 * limits. Test routes (interface "test") stand in for ES functions.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../sm_test.h"
#include "sm/api.h"
#include "sm/devpki.h"
#include "sm/http_client.h"
#include "sm/log.h"
#include "smdb/db.h"

static char dir[] = "/tmp/sm-edge-XXXXXX";
static char pki[600];
static struct smdb *db;
static struct sm_api *api;
static struct sm_http_server *srv, *bare;
static struct sm_http_client *mno1, *mno2;
static uint16_t port, bare_port;
static _Atomic int echo_calls, flaky_calls, bare_calls;

static char *file(const char *name)
{
    static char bufs[8][700];
    static int next;
    char *p = bufs[next++ % 8];

    snprintf(p, 700, "%s/%s", pki, name);
    return p;
}

/* ---- test handlers ---- */

static int h_echo(struct sm_api_call *call, json_t *out, struct sm_status *st)
{
    int n = ++echo_calls;

    json_object_set_new(out, "value", json_string(sm_json_str(call->request, "value")));
    json_object_set_new(out, "execution", json_integer(n));
    json_object_set_new(out, "caller", json_string(call->caller->name));
    return SM_API_DONE;
}

static int h_flaky(struct sm_api_call *call, json_t *out, struct sm_status *st)
{
    /* an internal failure the first time: the edge must forget the call so a retry runs it */
    return ++flaky_calls == 1 ? -EIO : SM_API_DONE;
}

static int h_async(struct sm_api_call *call, json_t *out, struct sm_status *st)
{
    return SM_API_ACCEPTED;
}

static int h_refuse(struct sm_api_call *call, json_t *out, struct sm_status *st)
{
    sm_status_fail(st, 200, SM_SUBJ_EID, SM_RSN_UNKNOWN, sm_json_str(call->request, "value"),
                   "unknown EID");
    return SM_API_DONE;
}

static const struct sm_json_field echo_body[] = {
    {"value", SM_JT_STRING, true, 16, NULL, SM_SUBJ_EID, NULL, 0, 0},
    {NULL, 0, false, 0, NULL, NULL, NULL, 0, 0},
};

static const struct sm_api_route routes[] = {
    {"test", "echo", SM_ROLE_MNO, h_echo, echo_body, "test", false},
    {"test", "flaky", SM_ROLE_MNO, h_flaky, NULL, "test", false},
    {"test", "async", SM_ROLE_MNO, h_async, NULL, "test", true},
    {"test", "refuse", SM_ROLE_MNO, h_refuse, echo_body, "test", false},
    {"test", "adminOnly", SM_ROLE_ADMIN, h_echo, echo_body, "test", false},
};

/* A bare server for the client tests: 503 for the first two requests of each path "/busy",
 * a 2 MiB body on "/big", 200 otherwise. */
static void bare_handler(void *arg, const struct sm_http_request *req,
                         struct sm_http_response *resp)
{
    int n = ++bare_calls;

    resp->content_type = "text/plain";
    if (!strcmp(req->path, "/busy") && n <= 2) {
        resp->status = 503;
        return;
    }
    resp->status = 200;
    if (!strcmp(req->path, "/big")) {
        for (int i = 0; i < 2048; i++)
            sm_buf_printf(&resp->body, "%01023d\n", i);
        return;
    }
    sm_buf_append_str(&resp->body, "ok");
}

static int register_entity(const char *name, const char *id, enum sm_role role)
{
    struct sm_entity e = {.role = role, .enabled = true};
    struct sm_cert_info ci;
    char crt[64];

    snprintf(crt, sizeof(crt), "%s.crt", name);
    snprintf(e.id, sizeof(e.id), "%s", id);
    snprintf(e.name, sizeof(e.name), "%s", name);
    if (sm_cert_info_file(file(crt), &ci) || smdb_entity_add(db, &e, 1))
        return -1;
    return smdb_entity_add_cert(db, id, &ci, 1);
}

static struct sm_http_client *client(const char *name, unsigned retries, long timeout_ms)
{
    char cert[700], key[700];
    struct sm_http_client_config cc = {.ca_file = file("ca.crt"),
                                       .cert_file = cert,
                                       .key_file = key,
                                       .timeout_ms = timeout_ms,
                                       .connect_timeout_ms = 1000,
                                       .retries = retries,
                                       .backoff_ms = 20,
                                       .max_response = 1 << 20};
    struct sm_http_client *c = NULL;

    snprintf(cert, sizeof(cert), "%s/%s.crt", pki, name);
    snprintf(key, sizeof(key), "%s/%s.key", pki, name);
    if (!name)
        cc.cert_file = cc.key_file = NULL;
    return sm_http_client_new(&cc, &c) ? NULL : c;
}

static int setup(void **state)
{
    char why[256], dbpath[700];
    struct smdb_config dc = {.path = dbpath, .migrations = smdb_smsr_migrations, .pool_size = 4};
    struct sm_api_config ac = {.daemon = "smsr",
                               .self_id = "2.999.2.1",
                               .version = "test",
                               .routes = routes,
                               .nroutes = sizeof(routes) / sizeof(routes[0]),
                               .store_ops = &smdb_api_store_ops,
                               .test_mode = true};
    struct sm_http_server_config hc = {
        .bind_host = "127.0.0.1", .threads = 4, .body_limit = 4096, .connection_timeout = 10};

    signal(SIGPIPE, SIG_IGN);
    sm_log_set_levels("warn");
    if (!mkdtemp(dir))
        return -1;
    snprintf(pki, sizeof(pki), "%s/pki", dir);
    snprintf(dbpath, sizeof(dbpath), "%s/edge.db", dir);
    if (sm_devpki_init(pki, false, NULL) || smdb_open(&dc, &db, why, sizeof(why)))
        return -1;
    if (register_entity("mno1", "2.999.10.1", SM_ROLE_MNO) ||
        register_entity("mno2", "2.999.10.2", SM_ROLE_MNO))
        return -1;
    ac.store = db;
    if (sm_api_new(&ac, &api))
        return -1;
    hc.cert_file = file("smsr.crt");
    hc.key_file = file("smsr.key");
    hc.client_ca_file = file("ca.crt");
    if (sm_http_server_start(&hc, sm_api_http_handler, api, &srv, why, sizeof(why))) {
        fprintf(stderr, "server: %s\n", why);
        return -1;
    }
    port = sm_http_server_port(srv);
    hc.client_ca_file = NULL; /* the bare server does not ask for client certificates */
    if (sm_http_server_start(&hc, bare_handler, NULL, &bare, why, sizeof(why))) {
        fprintf(stderr, "bare server: %s\n", why);
        return -1;
    }
    bare_port = sm_http_server_port(bare);
    mno1 = client("mno1", 0, 5000);
    mno2 = client("mno2", 0, 5000);
    return mno1 && mno2 ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[300];

    sm_http_client_free(mno1);
    sm_http_client_free(mno2);
    sm_http_server_stop(srv);
    sm_http_server_stop(bare);
    sm_api_free(api);
    smdb_close(db);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd);
}

static char *url(uint16_t p, const char *path)
{
    static char bufs[4][256];
    static int next;
    char *u = bufs[next++ % 4];

    snprintf(u, 256, "https://localhost:%u%s", p, path);
    return u;
}

/* POST {"header": {requester, call_id}, ...members} as c; returns the parsed answer. */
static json_t *post(struct sm_http_client *c, const char *requester, const char *fn,
                    const char *call_id, json_t *members, long expect)
{
    struct sm_http_result res = {0};
    json_t *req = members ? members : json_object(), *resp = NULL;
    char path[128];

    json_object_set_new(req, "header", sm_req_header_build(requester, call_id, 0));
    snprintf(path, sizeof(path), "/gsma/test/%s", fn);
    assert_int_equal(sm_http_post_json(c, url(port, path), req, &res, &resp), 0);
    if (res.status != expect)
        fail_msg("%s: HTTP %ld, expected %ld: %s", fn, res.status, expect, sm_buf_cstr(&res.body));
    sm_http_result_free(&res);
    json_decref(req);
    assert_non_null(resp);
    return resp;
}

static const char *status_of(json_t *resp)
{
    return json_string_value(json_object_get(
        json_object_get(json_object_get(resp, "header"), "functionExecutionStatus"), "status"));
}

static void retry_gets_the_recorded_answer(void **state)
{
    json_t *a, *b;

    echo_calls = 0;
    a = post(mno1, "2.999.10.1", "echo", "e-1", json_pack("{s:s}", "value", "v1"), 200);
    assert_string_equal(status_of(a), "Executed-Success");
    assert_int_equal(json_integer_value(json_object_get(a, "execution")), 1);
    /* same identifier, same request (members in another order is still the same) */
    b = post(mno1, "2.999.10.1", "echo", "e-1", json_pack("{s:s}", "value", "v1"), 200);
    assert_true(json_equal(a, b));
    assert_int_equal(echo_calls, 1);
    json_decref(a);
    json_decref(b);
    /* another requester's identical identifier is another call */
    a = post(mno2, "2.999.10.2", "echo", "e-1", json_pack("{s:s}", "value", "v1"), 200);
    assert_int_equal(json_integer_value(json_object_get(a, "execution")), 2);
    assert_string_equal(json_string_value(json_object_get(a, "caller")), "mno2");
    json_decref(a);
}

static void reused_identifier_for_another_request_is_refused(void **state)
{
    json_t *a = post(mno1, "2.999.10.1", "echo", "e-2", json_pack("{s:s}", "value", "x"), 200);
    json_t *scd;

    json_decref(a);
    a = post(mno1, "2.999.10.1", "echo", "e-2", json_pack("{s:s}", "value", "y"), 409);
    scd = json_object_get(json_object_get(json_object_get(a, "header"), "functionExecutionStatus"),
                          "statusCodeData");
    assert_string_equal(json_string_value(json_object_get(scd, "reasonCode")), "3.3");
    assert_string_equal(json_string_value(json_object_get(scd, "subjectIdentifier")), "e-2");
    json_decref(a);
    a = post(mno1, "2.999.10.1", "refuse", "e-2", json_pack("{s:s}", "value", "x"), 409);
    json_decref(a);
}

static void body_members_are_checked(void **state)
{
    json_t *a;

    a = post(mno1, "2.999.10.1", "echo", "b-1", json_pack("{s:s, s:i}", "value", "x", "extra", 1),
             400);
    assert_string_equal(status_of(a), "Failed");
    json_decref(a);
    a = post(mno1, "2.999.10.1", "echo", "b-2", NULL, 400);
    json_decref(a);
    a = post(mno1, "2.999.10.1", "echo", "b-3",
             json_pack("{s:s}", "value", "this value is far too long"), 400);
    json_decref(a);
    /* refused requests are not journaled: the identifier is still free */
    a = post(mno1, "2.999.10.1", "echo", "b-1", json_pack("{s:s}", "value", "x"), 200);
    json_decref(a);
    a = post(mno1, "2.999.10.1", "flaky", "b-4", json_pack("{s:s}", "value", "x"), 400);
    json_decref(a);
}

static void function_failure_is_recorded(void **state)
{
    json_t *a = post(mno1, "2.999.10.1", "refuse", "f-1", json_pack("{s:s}", "value", "8904"), 200);
    json_t *b = post(mno1, "2.999.10.1", "refuse", "f-1", json_pack("{s:s}", "value", "8904"), 200);

    assert_string_equal(status_of(a), "Failed");
    assert_true(json_equal(a, b));
    json_decref(a);
    json_decref(b);
}

static void internal_failure_can_be_retried(void **state)
{
    json_t *a;

    flaky_calls = 0;
    a = post(mno1, "2.999.10.1", "flaky", "i-1", NULL, 503);
    assert_string_equal(status_of(a), "Failed");
    json_decref(a);
    a = post(mno1, "2.999.10.1", "flaky", "i-1", NULL, 200);
    assert_string_equal(status_of(a), "Executed-Success");
    json_decref(a);
    assert_int_equal(flaky_calls, 2);
}

static void asynchronous_call_and_its_operation(void **state)
{
    struct sm_http_result res = {0};
    json_t *a, *op;

    a = post(mno1, "2.999.10.1", "async", "a-1", NULL, 202);
    assert_string_equal(json_string_value(json_object_get(a, "state")), "accepted");
    assert_string_equal(json_string_value(json_object_get(a, "function")), "test.async");
    json_decref(a);
    /* a retry while it runs says so again */
    a = post(mno1, "2.999.10.1", "async", "a-1", NULL, 202);
    assert_string_equal(json_string_value(json_object_get(a, "functionCallIdentifier")), "a-1");
    json_decref(a);
    assert_int_equal(sm_http_get(mno1, url(port, "/gsma/operations/a-1"), &res), 0);
    assert_int_equal(res.status, 200);
    op = json_loads(sm_buf_cstr(&res.body), 0, NULL);
    assert_string_equal(json_string_value(json_object_get(op, "state")), "accepted");
    json_decref(op);
    sm_http_result_free(&res);
    /* the engine finishes it (as the asynchronous workers will) */
    assert_int_equal(smdb_call_finish(db, "2.999.10.1", "a-1", 200,
                                      "{\"header\":{\"functionExecutionStatus\":{\"status\":"
                                      "\"Executed-Success\"}}}",
                                      sm_wall_ms()),
                     0);
    memset(&res, 0, sizeof(res));
    assert_int_equal(sm_http_get(mno1, url(port, "/gsma/operations/a-1"), &res), 0);
    op = json_loads(sm_buf_cstr(&res.body), 0, NULL);
    assert_string_equal(json_string_value(json_object_get(op, "state")), "done");
    assert_string_equal(status_of(json_object_get(op, "response")), "Executed-Success");
    json_decref(op);
    sm_http_result_free(&res);
    /* only the caller sees its calls */
    memset(&res, 0, sizeof(res));
    assert_int_equal(sm_http_get(mno2, url(port, "/gsma/operations/a-1"), &res), 0);
    assert_int_equal(res.status, 404);
    sm_http_result_free(&res);
    /* and a retry now gets the final answer */
    a = post(mno1, "2.999.10.1", "async", "a-1", NULL, 200);
    assert_string_equal(status_of(a), "Executed-Success");
    json_decref(a);
}

static void role_check_before_body(void **state)
{
    json_t *a = post(mno1, "2.999.10.1", "adminOnly", "r-1", json_pack("{s:s}", "value", "x"), 403);

    assert_string_equal(status_of(a), "Failed");
    json_decref(a);
}

static void client_retries_busy_server(void **state)
{
    struct sm_http_client *c = client(NULL, 3, 2000), *c1 = client(NULL, 1, 2000);
    struct sm_http_result res = {0};

    bare_calls = 0;
    assert_int_equal(sm_http_post(c, url(bare_port, "/busy"), "text/plain", "x", 1, &res), 0);
    assert_int_equal(res.status, 200);
    assert_int_equal(res.attempts, 3);
    assert_string_equal(sm_buf_cstr(&res.body), "ok");
    sm_http_result_free(&res);
    /* with fewer retries the last 503 is the answer */
    bare_calls = 0;
    memset(&res, 0, sizeof(res));
    assert_int_equal(sm_http_post(c1, url(bare_port, "/busy"), "text/plain", "x", 1, &res), 0);
    assert_int_equal(res.status, 503);
    assert_int_equal(res.attempts, 2);
    sm_http_result_free(&res);
    sm_http_client_free(c);
    sm_http_client_free(c1);
}

static void client_transport_failures(void **state)
{
    struct sm_http_client *c = client(NULL, 2, 300);
    struct sm_http_result res = {0};
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t al = sizeof(a);
    int silent = socket(AF_INET, SOCK_STREAM, 0), closed = socket(AF_INET, SOCK_STREAM, 0);
    uint16_t silent_port, closed_port;

    /* a port nobody listens on */
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    assert_int_equal(bind(closed, (struct sockaddr *)&a, sizeof(a)), 0);
    getsockname(closed, (struct sockaddr *)&a, &al);
    closed_port = ntohs(a.sin_port);
    close(closed);
    assert_int_equal(sm_http_get(c, url(closed_port, "/"), &res), -ECONNREFUSED);
    assert_int_equal(res.attempts, 3);
    assert_int_equal(res.status, 0);
    sm_http_result_free(&res);
    /* a server that accepts and never answers */
    a.sin_port = 0;
    assert_int_equal(bind(silent, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(silent, 8), 0);
    al = sizeof(a);
    getsockname(silent, (struct sockaddr *)&a, &al);
    silent_port = ntohs(a.sin_port);
    memset(&res, 0, sizeof(res));
    assert_int_equal(sm_http_get(c, url(silent_port, "/"), &res), -ETIMEDOUT);
    assert_int_equal(res.attempts, 3);
    sm_http_result_free(&res);
    close(silent);
    /* an answer bigger than the client takes */
    memset(&res, 0, sizeof(res));
    assert_int_equal(sm_http_get(c, url(bare_port, "/big"), &res), -EMSGSIZE);
    assert_int_equal(res.attempts, 1);
    sm_http_result_free(&res);
    sm_http_client_free(c);
}

static void client_refuses_unknown_server(void **state)
{
    int64_t now = (int64_t)time(NULL);
    struct sm_devpki_cert_spec other = {"other", SM_DEVPKI_CA, now - 60, now + 3600, true, NULL};
    struct sm_http_client_config cc = {
        .ca_file = file("other.crt"), .retries = 2, .backoff_ms = 10};
    struct sm_http_client *c;
    struct sm_http_result res = {0};

    assert_int_equal(sm_devpki_make_ca(pki, &other), 0);
    assert_int_equal(sm_http_client_new(&cc, &c), 0);
    assert_int_equal(sm_http_get(c, url(bare_port, "/"), &res), -EPROTO);
    sm_http_result_free(&res);
    sm_http_client_free(c);
    /* a bad URL is not retried */
    cc.ca_file = file("ca.crt");
    assert_int_equal(sm_http_client_new(&cc, &c), 0);
    memset(&res, 0, sizeof(res));
    assert_int_equal(sm_http_get(c, "http://localhost:1/", &res), -EINVAL);
    assert_int_equal(res.attempts, 1);
    sm_http_result_free(&res);
    sm_http_client_free(c);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(retry_gets_the_recorded_answer),
    cmocka_unit_test(reused_identifier_for_another_request_is_refused),
    cmocka_unit_test(body_members_are_checked),
    cmocka_unit_test(function_failure_is_recorded),
    cmocka_unit_test(internal_failure_can_be_retried),
    cmocka_unit_test(asynchronous_call_and_its_operation),
    cmocka_unit_test(role_check_before_body),
    cmocka_unit_test(client_retries_busy_server),
    cmocka_unit_test(client_transport_failures),
    cmocka_unit_test(client_refuses_unknown_server),
};

SM_TEST_MAIN(tests, setup, teardown)
