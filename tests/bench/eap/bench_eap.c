/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The load of tests/bench/eap (bench_eap.sh runs it; docs/benchmarks.md):
 *
 *   bench_eap eap METHOD N --hss FILE --port P --secret S --dir DIR [--timeout S]
 *     N devices authenticate at once to the RADIUS/EAP server on 127.0.0.1:P: N real eapol_test
 *     processes (wpa_supplicant's EAP peer, -W: each waits for a control monitor before it
 *     starts), each with its own subscriber (row i of the HSS file). This program is every
 *     device's SoftSIM: it attaches to the N control sockets, which starts the N exchanges
 *     together, and answers UMTS-AUTH / GSM-AUTH with the USIM of euicc-sim (MILENAGE, SQN
 *     array of TS 33.102 Annex C). A device's authentication time runs from its ATTACH to its
 *     CTRL-EVENT-EAP-SUCCESS (or FAILURE): the EAP exchange, not process start or exit.
 *     METHOD: AKA, AKA' or SIM (identities 0/6/1 + IMSI), PSK (EAP-PSK, identity psk<i>,
 *     key from the subscriber's K) or TLS (EAP-TLS, DIR/../tls/client.{crt,key}, ca.crt).
 *     Prints: method N ok failed mean p50 p95 p99 max (ms), the wall time of the round, and the
 *     RADIUS requests the peers resent (no answer within 3 s: the server's socket dropped them).
 *
 *   bench_eap vectors N --hss FILE --socket PATH --window W
 *     N AKA-REQ-AUTH requests to an AuC on PATH (auc-gw or hostapd's hlr_auc_gw), W in flight
 *     from W connected client sockets, IMSIs of the HSS file in turn. Prints vectors per second
 *     and latency percentiles; answers are checked for form (not FAILURE).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/bench_util.h"
#include "auc_gw.h"
#include "sm/hex.h"
#include "sm/secret.h"
#include "usim.h"

#define MAX_DEV 4096

struct sub {
    char imsi[16];
    struct sim_aka aka;
};

static struct sub *subs;
static unsigned nsubs;

/* The HSS file's rows (auc_hss_parse, as auc-gw reads them) as USIMs with MILENAGE and the
 * profile defaults, as euicc-sim installs them. */
static int load_hss(const char *path, unsigned want)
{
    FILE *f = fopen(path, "r");
    char line[512];

    if (!f)
        return -errno;
    subs = calloc(want, sizeof(*subs));
    while (subs && nsubs < want && fgets(line, sizeof(line), f)) {
        struct auc_hss_row r;
        struct sub *s = &subs[nsubs];

        if (auc_hss_parse(line, &r))
            continue; /* the header */
        snprintf(s->imsi, sizeof(s->imsi), "%s", r.imsi);
        memcpy(s->aka.k, r.keys, 16);
        memcpy(s->aka.opc, r.keys + 16, 16);
        s->aka.algo = 1;
        sim_aka_defaults(&s->aka);
        nsubs++;
        sm_wipe(&r, sizeof(r));
        sm_wipe(line, sizeof(line));
    }
    fclose(f);
    return subs && nsubs == want ? 0 : -ERANGE;
}

static int unix_client(const char *me, const char *peer)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX}, b = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    snprintf(a.sun_path, sizeof(a.sun_path), "%s", me);
    snprintf(b.sun_path, sizeof(b.sun_path), "%s", peer);
    unlink(me);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
        connect(fd, (struct sockaddr *)&b, sizeof(b))) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

/* --- eap ------------------------------------------------------------------------------------ */

struct dev {
    pid_t pid;
    int fd;
    double t0, t1;
    int state; /* 0 running, 1 success, 2 failure */
    unsigned sim_requests;
};

static void write_conf(const char *dir, unsigned i, const char *method, const struct sub *s,
                       const char *tls_dir)
{
    char path[512], identity[64];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%u.conf", dir, i);
    f = fopen(path, "w");
    if (!f)
        return;
    fprintf(f, "ctrl_interface=%s/c%u\n", dir, i);
    if (!strcmp(method, "AKA") || !strcmp(method, "AKA'") || !strcmp(method, "SIM")) {
        snprintf(identity, sizeof(identity), "%c%s@wlan.mnc0%.2s.mcc%.3s.3gppnetwork.org",
                 method[0] == 'S' ? '1'
                 : method[3]      ? '6'
                                  : '0',
                 s->imsi, s->imsi + 3, s->imsi);
        fprintf(f,
                "external_sim=1\nnetwork={\n ssid=\"m2m\"\n key_mgmt=WPA-EAP\n eap=%s\n"
                " identity=\"%s\"\n}\n",
                method, identity);
    } else if (!strcmp(method, "PSK")) {
        char key[33];

        /* EAP-PSK's 16-byte PSK (RFC 4764), as text: the first 16 hex digits of K */
        sm_hex_encode(s->aka.k, 8, key);
        fprintf(f,
                "network={\n ssid=\"m2m\"\n key_mgmt=WPA-EAP\n eap=PSK\n"
                " identity=\"psk%u\"\n password=\"%s\"\n}\n",
                i, key);
        sm_wipe(key, sizeof(key));
    } else {
        fprintf(f,
                "network={\n ssid=\"m2m\"\n key_mgmt=WPA-EAP\n eap=TLS\n identity=\"tls%u\"\n"
                " ca_cert=\"%s/ca.crt\"\n client_cert=\"%s/client.crt\"\n"
                " private_key=\"%s/client.key\"\n}\n",
                i, tls_dir, tls_dir, tls_dir);
    }
    fclose(f);
}

/* The SoftSIM's answer to one CTRL-REQ-SIM (euicc-sim's USIM); 0 when there is one. */
static int sim_answer(struct sub *s, const char *req, char *rsp, size_t n)
{
    char id[16], kind[16], args[200];
    uint8_t rand[16], autn[16];

    if (sscanf(req, "CTRL-REQ-SIM-%15[0-9]:%15[A-Z-]:%199s", id, kind, args) != 3)
        return -EINVAL;
    if (!strcmp(kind, "UMTS-AUTH")) {
        struct sim_auth_out o;
        enum sim_auth_status st;
        char ik[33], ck[33], res[33];

        /* RAND:AUTN */
        if (strlen(args) != 65 || args[32] != ':')
            return -EINVAL;
        args[32] = 0;
        if (sm_hex_decode(args, rand, 16) != 16 || sm_hex_decode(args + 33, autn, 16) != 16 ||
            sim_aka_authenticate(&s->aka, rand, autn, &o, &st))
            return -EINVAL;
        if (st == SIM_AUTH_SYNC_FAILURE) {
            char auts[29];

            sm_hex_encode(o.auts, 14, auts);
            snprintf(rsp, n, "CTRL-RSP-SIM-%s:UMTS-AUTS:%s", id, auts);
        } else if (st == SIM_AUTH_OK) {
            sm_hex_encode(o.ik, 16, ik);
            sm_hex_encode(o.ck, 16, ck);
            sm_hex_encode(o.res, o.res_len, res);
            snprintf(rsp, n, "CTRL-RSP-SIM-%s:UMTS-AUTH:%s:%s:%s", id, ik, ck, res);
        } else {
            snprintf(rsp, n, "CTRL-RSP-SIM-%s:UMTS-FAIL", id);
        }
        sm_wipe(&o, sizeof(o));
        return 0;
    }
    if (!strcmp(kind, "GSM-AUTH")) {
        size_t used = (size_t)snprintf(rsp, n, "CTRL-RSP-SIM-%s:GSM-AUTH", id);
        char *save = NULL;

        for (char *t = strtok_r(args, ":", &save); t && used < n; t = strtok_r(NULL, ":", &save)) {
            uint8_t sres[4], kc[8];
            char hs[9], hk[17];

            if (sm_hex_decode(t, rand, 16) != 16 || sim_aka_gsm(&s->aka, rand, sres, kc))
                return -EINVAL;
            sm_hex_encode(kc, 8, hk);
            sm_hex_encode(sres, 4, hs);
            used += (size_t)snprintf(rsp + used, n - used, ":%s:%s", hk, hs);
        }
        return 0;
    }
    return -ENOTSUP;
}

/* How often the peer resent a RADIUS request (no answer within its timer, 3 s at first). */
static unsigned resends(const char *dir, unsigned i)
{
    char path[512], line[512];
    unsigned n = 0;
    FILE *f;

    snprintf(path, sizeof(path), "%s/%u.log", dir, i);
    f = fopen(path, "r");
    if (!f)
        return 0;
    while (fgets(line, sizeof(line), f))
        n += strstr(line, "Resending RADIUS message") != NULL;
    fclose(f);
    return n;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static int run_eap(const char *method, unsigned n, const char *dir, int port, const char *secret,
                   double timeout)
{
    static struct dev d[MAX_DEV];
    static struct pollfd pf[MAX_DEV];
    char tls_dir[512], port_s[16], timeout_s[16];
    unsigned ready = 0, done = 0, ok = 0;
    double start, deadline, *lat;

    snprintf(tls_dir, sizeof(tls_dir), "%s/../tls", dir);
    snprintf(port_s, sizeof(port_s), "%d", port);
    snprintf(timeout_s, sizeof(timeout_s), "%d", (int)timeout + 5);
    for (unsigned i = 0; i < n; i++) {
        char conf[512], log[512];

        write_conf(dir, i, method, &subs[i], tls_dir);
        snprintf(conf, sizeof(conf), "%s/%u.conf", dir, i);
        snprintf(log, sizeof(log), "%s/%u.log", dir, i);
        d[i] = (struct dev){.fd = -1};
        d[i].pid = fork();
        if (d[i].pid == 0) {
            int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

            dup2(fd, 1);
            dup2(fd, 2);
            execlp("eapol_test", "eapol_test", "-c", conf, "-a", "127.0.0.1", "-p", port_s, "-s",
                   secret, "-W", "-t", timeout_s, (char *)NULL);
            _exit(127);
        }
    }
    /* every peer up and waiting for its monitor */
    deadline = bench_now() + 120;
    while (ready < n && bench_now() < deadline) {
        for (unsigned i = 0; i < n; i++) {
            char me[512], peer[512];
            struct stat st;

            if (d[i].fd >= 0)
                continue;
            snprintf(peer, sizeof(peer), "%s/c%u/test", dir, i);
            snprintf(me, sizeof(me), "%s/m%u", dir, i);
            if (!stat(peer, &st) && (d[i].fd = unix_client(me, peer)) >= 0)
                ready++;
        }
        if (ready < n)
            usleep(20000);
    }
    if (ready < n) {
        fprintf(stderr, "bench_eap: only %u of %u eapol_test started\n", ready, n);
        for (unsigned i = 0; i < n; i++)
            kill(d[i].pid, SIGTERM);
        while (wait(NULL) > 0)
            ;
        return 1;
    }
    /* go: all N at once */
    start = bench_now();
    for (unsigned i = 0; i < n; i++) {
        d[i].t0 = bench_now();
        if (send(d[i].fd, "ATTACH", 6, 0) != 6)
            d[i].state = 2, done++;
        pf[i] = (struct pollfd){.fd = d[i].fd, .events = POLLIN};
    }
    deadline = start + timeout;
    while (done < n && bench_now() < deadline) {
        if (poll(pf, n, 200) <= 0)
            continue;
        for (unsigned i = 0; i < n; i++) {
            char buf[4096], rsp[512];
            ssize_t len;

            if (!(pf[i].revents & POLLIN))
                continue;
            len = recv(d[i].fd, buf, sizeof(buf) - 1, 0);
            if (len <= 0)
                continue;
            buf[len] = 0;
            if (d[i].state)
                continue;
            /* an unsolicited event: "<level>TEXT" */
            if (strstr(buf, "CTRL-REQ-SIM-")) {
                if (!sim_answer(&subs[i], strstr(buf, "CTRL-REQ-SIM-"), rsp, sizeof(rsp))) {
                    send(d[i].fd, rsp, strlen(rsp), 0);
                    d[i].sim_requests++;
                }
                sm_wipe(rsp, sizeof(rsp));
            } else if (strstr(buf, "CTRL-EVENT-EAP-SUCCESS")) {
                d[i].t1 = bench_now();
                d[i].state = 1;
                done++;
                ok++;
            } else if (strstr(buf, "CTRL-EVENT-EAP-FAILURE")) {
                d[i].t1 = bench_now();
                d[i].state = 2;
                done++;
            }
            sm_wipe(buf, sizeof(buf));
        }
    }
    lat = calloc(n, sizeof(*lat));
    ok = 0;
    for (unsigned i = 0; i < n; i++)
        if (d[i].state == 1)
            lat[ok++] = (d[i].t1 - d[i].t0) * 1e3;
    qsort(lat, ok, sizeof(*lat), cmp_double);
    {
        double sum = 0, wall = 0;

        for (unsigned i = 0; i < ok; i++)
            sum += lat[i];
        for (unsigned i = 0; i < n; i++)
            if (d[i].state && d[i].t1 - start > wall)
                wall = d[i].t1 - start;
        printf("eap %s n=%u ok=%u failed=%u mean_ms=%.1f p50_ms=%.1f p95_ms=%.1f p99_ms=%.1f "
               "max_ms=%.1f round_s=%.2f",
               method, n, ok, n - ok, ok ? sum / ok : 0, ok ? bench_pct(lat, ok, 0.5) : 0,
               ok ? bench_pct(lat, ok, 0.95) : 0, ok ? bench_pct(lat, ok, 0.99) : 0,
               ok ? lat[ok - 1] : 0, wall);
    }
    free(lat);
    for (unsigned i = 0; i < n; i++) {
        char me[512];

        if (d[i].state == 0)
            kill(d[i].pid, SIGTERM);
        close(d[i].fd);
        snprintf(me, sizeof(me), "%s/m%u", dir, i);
        unlink(me);
    }
    while (wait(NULL) > 0)
        ;
    {
        unsigned r = 0, peers = 0;

        for (unsigned i = 0; i < n; i++) {
            unsigned k = resends(dir, i);

            r += k;
            peers += k > 0;
        }
        printf(" resent=%u peers_resending=%u\n", r, peers);
    }
    return ok == n ? 0 : 1;
}

/* --- vectors -------------------------------------------------------------------------------- */

static int run_vectors(unsigned n, const char *sock, unsigned window, const char *dir)
{
    struct pollfd *pf = calloc(window, sizeof(*pf));
    double *sent = calloc(window, sizeof(*sent)), *lat = calloc(n, sizeof(*lat)), start;
    unsigned issued = 0, answered = 0, bad = 0;

    for (unsigned w = 0; w < window; w++) {
        char me[512];

        snprintf(me, sizeof(me), "%s/v%u", dir, w);
        pf[w] = (struct pollfd){.fd = unix_client(me, sock), .events = POLLIN};
        if (pf[w].fd < 0) {
            fprintf(stderr, "bench_eap: %s: %s\n", sock, strerror(errno));
            return 1;
        }
    }
    start = bench_now();
    for (unsigned w = 0; w < window && issued < n; w++, issued++) {
        char req[64];

        snprintf(req, sizeof(req), "AKA-REQ-AUTH %s", subs[issued % nsubs].imsi);
        sent[w] = bench_now();
        send(pf[w].fd, req, strlen(req), 0);
    }
    while (answered < issued) {
        if (poll(pf, window, 5000) <= 0) {
            fprintf(stderr, "bench_eap: no answer for 5 s (%u of %u answered)\n", answered, n);
            break;
        }
        for (unsigned w = 0; w < window; w++) {
            char buf[512];
            ssize_t len;

            if (!(pf[w].revents & POLLIN))
                continue;
            len = recv(pf[w].fd, buf, sizeof(buf) - 1, 0);
            if (len <= 0)
                continue;
            buf[len] = 0;
            lat[answered++] = (bench_now() - sent[w]) * 1e3;
            if (strncmp(buf, "AKA-RESP-AUTH ", 14) || strstr(buf, "FAILURE"))
                bad++;
            sm_wipe(buf, sizeof(buf));
            if (issued < n) {
                char req[64];

                snprintf(req, sizeof(req), "AKA-REQ-AUTH %s", subs[issued % nsubs].imsi);
                issued++;
                sent[w] = bench_now();
                send(pf[w].fd, req, strlen(req), 0);
            }
        }
    }
    {
        double el = bench_now() - start;

        printf("vectors n=%u window=%u answered=%u bad=%u per_s=%.0f p50_ms=%.3f p95_ms=%.3f "
               "p99_ms=%.3f\n",
               n, window, answered, bad, answered / el, bench_pct(lat, answered, 0.5),
               bench_pct(lat, answered, 0.95), bench_pct(lat, answered, 0.99));
    }
    for (unsigned w = 0; w < window; w++) {
        char me[512];

        close(pf[w].fd);
        snprintf(me, sizeof(me), "%s/v%u", dir, w);
        unlink(me);
    }
    free(pf);
    free(sent);
    free(lat);
    return answered == n && !bad ? 0 : 1;
}

static const char *opt(int argc, char **argv, const char *name, const char *def)
{
    for (int i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], name))
            return argv[i + 1];
    return def;
}

int main(int argc, char **argv)
{
    const char *hss = opt(argc, argv, "--hss", NULL), *dir = opt(argc, argv, "--dir", "/tmp");
    unsigned n = argc > 3 ? (unsigned)strtoul(argv[strcmp(argv[1], "eap") ? 2 : 3], NULL, 10) : 0;
    int rc;

    signal(SIGPIPE, SIG_IGN);
    if (argc < 4 || !hss || n == 0 || n > MAX_DEV * 1000 ||
        (strcmp(argv[1], "eap") && strcmp(argv[1], "vectors"))) {
        fprintf(stderr, "usage: bench_eap eap METHOD N --hss FILE --port P --secret S --dir DIR "
                        "[--timeout S]\n"
                        "       bench_eap vectors N --hss FILE --socket PATH --window W "
                        "[--dir DIR]\n");
        return 2;
    }
    if (!strcmp(argv[1], "eap")) {
        if (n > MAX_DEV)
            return 2;
        rc = load_hss(hss, n);
        if (rc) {
            fprintf(stderr, "bench_eap: %s: fewer than %u subscribers\n", hss, n);
            return 2;
        }
        rc = run_eap(argv[2], n, dir, atoi(opt(argc, argv, "--port", "1812")),
                     opt(argc, argv, "--secret", "secret"),
                     strtod(opt(argc, argv, "--timeout", "60"), NULL));
    } else {
        unsigned window = (unsigned)strtoul(opt(argc, argv, "--window", "32"), NULL, 10);

        rc = load_hss(hss, 1000);
        if (rc && nsubs == 0) {
            fprintf(stderr, "bench_eap: %s: no subscriber\n", hss);
            return 2;
        }
        rc = run_vectors(n, opt(argc, argv, "--socket", "auc.sock"), window ? window : 1, dir);
    }
    sm_wipe(subs, sizeof(*subs) * nsubs);
    free(subs);
    return rc;
}
