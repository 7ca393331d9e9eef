/* SPDX-License-Identifier: Apache-2.0 */
/*
 * auc-gw --socket PATH [--subscribers FILE] [--db FILE] [--kek FILE] [--threads N]
 *
 * An AuC for hostapd's eap_sim_db (eap_sim_db=unix:PATH): the subscribers of HSS files (the
 * CSV iccid,imsi,k,opc,amf,sqn that smdp and euicc-sim write), kept in a database with their
 * keys wrapped under a key-encryption key and the SEQ they reached, answered by worker threads
 * that each read the same datagram socket, so that many requests are in flight at once.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "auc_gw.h"
#include "sm/cfg.h"
#include "sm/hash.h"
#include "sm/log.h"
#include "sm/secret.h"
#include "smdb/aucstore.h"

#define MAX_THREADS 64

static atomic_bool stopping;

static void on_signal(int sig)
{
    (void)sig;
    atomic_store(&stopping, true);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: auc-gw --socket PATH [--subscribers FILE]... [--db FILE] [--kek FILE]\n"
               "              [--threads N] [--seq-block N] [--ind N] [--create-kek]\n"
               "  An AuC for hostapd's EAP-SIM/AKA/AKA' interface (eap_sim_db=unix:PATH).\n"
               "  --subscribers FILE  load an HSS file (iccid,imsi,k,opc,amf,sqn); loaded again,\n"
               "                      a subscriber keeps the SEQ it reached\n"
               "  --db FILE           the subscribers' database (default auc-gw.db)\n"
               "  --kek FILE          key-encryption key, 64 hex digits, mode 0600 (default\n"
               "                      auc-gw.kek); --create-kek makes one when it is missing\n"
               "  --threads N         requests answered at once (default 4)\n"
               "  --seq-block N       SEQs reserved (committed) at a time, 1..1024 (default 32);\n"
               "                      a restart skips the rest of a block, never reuses it\n"
               "  --ind N             the IND of every SQN, 0..31 (default 0; TS 33.102 C.3.4:\n"
               "                      one per kind of service sharing the subscribers' SQN)\n"
               "exit codes: 0 stopped by a signal, 1 runtime failure, 2 usage\n");
}

/*
 * One reader takes the datagrams in arrival order and hands each to the worker its IMSI hashes
 * to: requests about one subscriber are answered in the order they came (hostapd sends AKA-AUTS
 * and then asks for a vector at once: the vector must follow the resynchronisation), requests
 * about different subscribers in parallel.
 */
#define QUEUE_LEN 256

struct job {
    struct sockaddr_un peer;
    socklen_t plen;
    char req[1024];
};

struct worker {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct job q[QUEUE_LEN];
    unsigned head, len;
    pthread_t th;
    struct server *s;
};

struct server {
    struct auc_gw *g;
    int fd;
    long n;
    struct worker w[MAX_THREADS];
};

static void *work(void *arg)
{
    struct worker *w = arg;

    pthread_mutex_lock(&w->mu);
    for (;;) {
        struct job j;
        char out[1024];

        while (!w->len && !atomic_load(&stopping))
            pthread_cond_wait(&w->cv, &w->mu);
        if (!w->len)
            break;
        j = w->q[w->head];
        w->head = (w->head + 1) % QUEUE_LEN;
        w->len--;
        pthread_mutex_unlock(&w->mu);
        auc_gw_answer(w->s->g, j.req, out, sizeof(out));
        if (out[0] && j.plen > sizeof(sa_family_t))
            sendto(w->s->fd, out, strlen(out), 0, (struct sockaddr *)&j.peer, j.plen);
        sm_wipe(out, sizeof(out));
        pthread_mutex_lock(&w->mu);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* The request's second word, the IMSI, hashed. */
static unsigned imsi_hash(const char *req)
{
    const char *p = strchr(req, ' ');

    p = p ? p + 1 : req;
    return sm_fnv1a(p, strcspn(p, " "));
}

static void read_loop(struct server *s)
{
    while (!atomic_load(&stopping)) {
        struct job j;
        struct worker *w;
        ssize_t n;

        j.plen = sizeof(j.peer);
        /* MSG_TRUNC: the datagram's whole length, so that a cut one is never read as a shorter
         * request */
        n = recvfrom(s->fd, j.req, sizeof(j.req) - 1, MSG_TRUNC, (struct sockaddr *)&j.peer,
                     &j.plen);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            break;
        }
        if ((size_t)n >= sizeof(j.req)) {
            SM_LOGW(SM_LOG_API, "auc", "a datagram of %zd bytes ignored (at most %zu)", n,
                    sizeof(j.req) - 1);
            continue;
        }
        j.req[n] = 0;
        w = &s->w[imsi_hash(j.req) % (unsigned)s->n];
        pthread_mutex_lock(&w->mu);
        if (w->len < QUEUE_LEN) {
            w->q[(w->head + w->len) % QUEUE_LEN] = j;
            w->len++;
            pthread_cond_signal(&w->cv);
        } else {
            /* more waiting than it can hold: dropped, as a full socket would (hostapd asks
             * again) */
            SM_LOGW(SM_LOG_MAIN, "auc", "queue full: a request dropped");
        }
        pthread_mutex_unlock(&w->mu);
    }
}

static int bad_usage(const char *why)
{
    fprintf(stderr, "auc-gw: %s\n", why);
    usage(stderr);
    return 2;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {{"socket", required_argument, NULL, 's'},
                                         {"subscribers", required_argument, NULL, 'S'},
                                         {"db", required_argument, NULL, 'd'},
                                         {"kek", required_argument, NULL, 'k'},
                                         {"threads", required_argument, NULL, 't'},
                                         {"create-kek", no_argument, NULL, 'c'},
                                         {"seq-block", required_argument, NULL, 'b'},
                                         {"ind", required_argument, NULL, 'i'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *sock_path = NULL, *db_path = "auc-gw.db", *kek_path = "auc-gw.kek", *subs[16] = {0};
    unsigned nsubs = 0;
    long threads = 4, seq_block = 32, ind = 0;
    bool create = false;
    struct auc_gw g = {0};
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    static struct server srv;
    char why[256];
    int c, rc = 1;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            sock_path = optarg;
            break;
        case 'S':
            if (nsubs == sizeof(subs) / sizeof(subs[0]))
                return bad_usage("--subscribers: at most 16 files");
            subs[nsubs++] = optarg;
            break;
        case 'd':
            db_path = optarg;
            break;
        case 'k':
            kek_path = optarg;
            break;
        case 't':
            if (sm_cfg_parse_long(optarg, 1, MAX_THREADS, &threads))
                return bad_usage("--threads: 1 to 64");
            break;
        case 'c':
            create = true;
            break;
        case 'b':
            if (sm_cfg_parse_long(optarg, 1, 1024, &seq_block))
                return bad_usage("--seq-block: 1 to 1024");
            break;
        case 'i':
            if (sm_cfg_parse_long(optarg, 0, 31, &ind))
                return bad_usage("--ind: 0 to 31");
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (!sock_path || optind != argc)
        return bad_usage("--socket PATH, and no other argument");
    if (strlen(sock_path) >= sizeof(sa.sun_path))
        return bad_usage("--socket: path too long for a UNIX socket");
    signal(SIGPIPE, SIG_IGN);
    sm_log_set_ident("auc-gw");
    if (auc_gw_open(&g, db_path, kek_path, create, (unsigned)threads, why, sizeof(why))) {
        fprintf(stderr, "auc-gw: %s\n", why);
        return 1;
    }
    g.ind = (unsigned)ind;
    if (auc_gw_seq_block(&g, (unsigned)seq_block)) {
        auc_gw_close(&g);
        return 1;
    }
    for (unsigned i = 0; i < nsubs; i++) {
        unsigned n = 0;

        rc = auc_gw_import(&g, subs[i], &n, why, sizeof(why));
        if (rc) {
            fprintf(stderr, "auc-gw: %s\n", why);
            goto out;
        }
        SM_LOGI(SM_LOG_MAIN, subs[i], "%u subscribers loaded", n);
    }
    srv.g = &g;
    srv.fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
    unlink(sock_path);
    if (srv.fd < 0 || bind(srv.fd, (struct sockaddr *)&sa, sizeof(sa))) {
        fprintf(stderr, "auc-gw: %s: %s\n", sock_path, strerror(errno));
        rc = 1;
        goto out;
    }
    {
        struct sigaction act = {.sa_handler = on_signal};
        struct timeval tv = {.tv_sec = 0, .tv_usec = 200000};
        int64_t n = 0;

        sigaction(SIGTERM, &act, NULL);
        sigaction(SIGINT, &act, NULL);
        /* the reader looks at the stop flag between datagrams */
        setsockopt(srv.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        smdb_auc_count(g.db, &n);
        SM_LOGN(SM_LOG_MAIN, sock_path, "serving %lld subscribers with %ld threads", (long long)n,
                threads);
    }
    srv.n = threads;
    for (long i = 0; i < threads; i++) {
        srv.w[i].s = &srv;
        pthread_mutex_init(&srv.w[i].mu, NULL);
        pthread_cond_init(&srv.w[i].cv, NULL);
        pthread_create(&srv.w[i].th, NULL, work, &srv.w[i]);
    }
    read_loop(&srv);
    for (long i = 0; i < threads; i++) {
        pthread_mutex_lock(&srv.w[i].mu);
        pthread_cond_broadcast(&srv.w[i].cv);
        pthread_mutex_unlock(&srv.w[i].mu);
        pthread_join(srv.w[i].th, NULL);
    }
    close(srv.fd);
    unlink(sock_path);
    rc = 0;
out:
    auc_gw_close(&g);
    return rc ? 1 : 0;
}
