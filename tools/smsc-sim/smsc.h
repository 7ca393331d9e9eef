/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMSC_H
#define SMSC_H

/*
 * smsc-sim: an SMPP 3.4 SMSC on loopback for tests and benchmarks. One epoll loop serves every
 * ESME connection; messages are stored and forwarded in memory with configurable network
 * behaviour (latency, jitter, loss, throughput). docs/smsc-sim.md describes it for users.
 *
 *   config.c  configuration file, accounts, command-line accounts
 *   route.c   address matching: account routes and bind address_range (SMPP 3.4 5.2.7)
 *   netem.c   seedable PRNG, loss and latency draws, token buckets
 *   store.c   messages: store and forward, timers, retries, expiry, receipts (Appendix B)
 *   server.c  sockets, sessions (bind, submit_sm, deliver_sm, enquire_link, unbind)
 *   stats.c   counters, text report, JSON file
 */
#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "sm/buf.h"
#include "sm/cfg.h"
#include "sm/smpp.h"

#define SMSC_MAX_ACCOUNTS   48 /* bounded by what sm_cfg tracks per file (256 keys, 64 sections) */
#define SMSC_ESME_RINVSCHED 0x00000061u

/* ---- configuration (config.c) ---- */

struct smsc_account_cfg {
    char *password, *routes;
    long max_binds, throughput;
};

struct smsc_cfg {
    struct sm_cfg_addr listen;
    bool allow_remote, reject_unroutable;
    char *port_file, *system_id;
    size_t max_pdu;
    long max_connections, bind_timeout, enquire_link, response_timeout, window;
    char *log_level, *log_format, *log_file;
    long queue_limit, validity, retry_initial, retry_max;
    long latency, jitter, seed, throughput, burst;
    char *loss, *throttle;
    char *stats_file;
    /* accounts: [account.NAME] sections and --account options */
    size_t naccounts, nfile_accounts; /* the first nfile_accounts come from the file */
    char *account_names[SMSC_MAX_ACCOUNTS];
    struct smsc_account_cfg acc[SMSC_MAX_ACCOUNTS];
    /* derived by smsc_cfg_check */
    double loss_rate;
    bool throttle_delay;
};

/* The tables describing a file: fixed keys plus one section per account found in it. */
struct smsc_cfg_tables {
    struct sm_cfg_table t[2];
    struct sm_cfg_key *acc_keys;
    char *sections[SMSC_MAX_ACCOUNTS];
};

/* Load path (NULL: defaults only) into c. Returns 0, or -EINVAL/-ENOENT/... with err filled. */
int smsc_cfg_load(const char *path, struct smsc_cfg *c, struct smsc_cfg_tables *tables,
                  struct sm_cfg_error *err);
/* Add "SYSTEM_ID:PASSWORD[:ROUTE,ROUTE...]" from the command line. Returns 0 or -EINVAL /
 * -EEXIST / -ENOSPC / -ENOMEM with why filled. */
int smsc_cfg_add_account(struct smsc_cfg *c, const char *spec, char *why, size_t whylen);
/* Cross-key checks (loopback, loss, log level, names). Returns 0 or -EINVAL with err. */
int smsc_cfg_check(const char *path, struct smsc_cfg *c, struct sm_cfg_error *err);
void smsc_cfg_free(struct smsc_cfg *c, struct smsc_cfg_tables *tables);
void smsc_cfg_print_help(FILE *out);
void smsc_cfg_print(FILE *out, const struct smsc_cfg *c, const struct smsc_cfg_tables *tables);

/* ---- PRNG, loss, latency, token buckets (netem.c) ---- */

struct smsc_rng {
    uint64_t s;
};

void smsc_rng_seed(struct smsc_rng *r, uint64_t seed);
uint64_t smsc_rng_next(struct smsc_rng *r);
/* Uniform in [0, 1). */
double smsc_rng_unit(struct smsc_rng *r);

struct smsc_bucket {
    double rate, cap, tokens; /* rate 0: unlimited */
    int64_t last_ms;
};

void smsc_bucket_init(struct smsc_bucket *b, double rate, double cap, int64_t now);
/* True (and one token taken) when a token is there. */
bool smsc_bucket_take(struct smsc_bucket *b, int64_t now);
bool smsc_bucket_has(struct smsc_bucket *b, int64_t now);
/* Milliseconds until a token is there (0: now). */
int64_t smsc_bucket_wait(struct smsc_bucket *b, int64_t now);

/* ---- counters (stats.c) ---- */

struct smsc_counters {
    uint64_t submitted;     /* submit_sm accepted (message_id given) */
    uint64_t delivered;     /* deliver_sm of a message acknowledged with ESME_ROK */
    uint64_t receipts;      /* delivery receipts acknowledged by the originator */
    uint64_t lost;          /* accepted, then dropped by the loss rate */
    uint64_t throttled;     /* submit_sm answered ESME_RTHROTTLED or delayed */
    uint64_t expired;       /* validity period ended before delivery */
    uint64_t retried;       /* delivery attempts after the first */
    uint64_t undeliverable; /* the receiver refused permanently */
    uint64_t rejected;      /* submit_sm refused (queue full, bad address, validity...) */
    uint64_t received;      /* deliver_sm this account acknowledged (messages and receipts) */
};

/* ---- runtime ---- */

struct smsc_route {
    char *prefix; /* "" with any */
    size_t len;
    bool any; /* "*" */
};

struct smsc_account {
    char system_id[SM_SMPP_SYSTEM_ID_SIZE];
    char password[SM_SMPP_PASSWORD_SIZE];
    struct smsc_route *routes;
    size_t nroutes;
    long max_binds;
    int binds;
    struct smsc_bucket tb; /* rate 0: no account limit */
    struct smsc_counters cnt;
};

enum smsc_msg_state {
    MSG_WAIT,     /* waiting for its due time (latency, back-off) */
    MSG_QUEUED,   /* routed to a session whose window is full */
    MSG_UNROUTED, /* no session to take it: store and forward */
    MSG_INFLIGHT, /* deliver_sm sent, waiting for deliver_sm_resp */
};

struct smsc_conn;

struct smsc_msg {
    uint64_t n;
    char id[SM_SMPP_MSGID_SIZE];
    struct smsc_account *from; /* originator */
    bool is_receipt;
    struct smsc_account *to_acc; /* receipts: the originator's account */
    struct sm_smpp_pdu pdu;      /* the deliver_sm to send (owns the submitted octets) */
    uint8_t *receipt_text;
    uint8_t registered_delivery;
    time_t submit_wall;
    int64_t expiry_ms;
    int64_t at; /* next timer: due time (WAIT), expiry (QUEUED, UNROUTED), response (INFLIGHT) */
    unsigned attempts;
    uint32_t last_status;
    enum smsc_msg_state state;
    struct smsc_conn *conn; /* QUEUED / INFLIGHT */
    uint32_t seq;           /* INFLIGHT */
    size_t heap_idx;
    struct smsc_msg *prev, *next; /* conn queue, conn in-flight list or unrouted list */
};

struct smsc_list {
    struct smsc_msg *head, *tail;
    size_t n;
};

enum smsc_conn_state {
    CONN_OPEN,      /* not bound yet */
    CONN_BOUND,     /* bound */
    CONN_CLOSING,   /* flushing its output, then closed */
    CONN_UNBINDING, /* stopping: unbind sent, waiting for unbind_resp */
};

struct smsc_conn {
    int fd;
    uint64_t id;
    char peer[64], subject[48];
    enum smsc_conn_state state;
    uint32_t bind_cmd; /* SM_SMPP_BIND_* */
    bool rx, tx;       /* may receive deliver_sm / may submit */
    struct smsc_account *acc;
    char address_range[SM_SMPP_ADDRESS_RANGE_SIZE];
    bool range_regex;
    regex_t range_re;
    uint8_t *rbuf;
    size_t rlen;
    struct sm_buf out;
    size_t out_off;
    uint32_t events; /* epoll interest */
    uint32_t seq;
    int64_t created_ms, last_rx_ms;
    uint32_t enq_seq, unbind_seq;
    int64_t enq_sent_ms, close_deadline_ms;
    bool throttle_wait, throttle_counted; /* a submit_sm waits for a token (throttle delay) */
    bool dead;                            /* close at the end of this loop iteration */
    const char *dead_why;
    struct smsc_list queue, inflight;
    struct smsc_conn *prev, *next;       /* all connections */
    struct smsc_conn *tw_prev, *tw_next; /* throttle wait FIFO */
    bool in_tw;
};

struct smsc {
    const struct smsc_cfg *cfg;
    int epfd, lfd, sigfd;
    uint16_t port;
    struct smsc_account *acc;
    size_t nacc;
    struct smsc_conn *conns;
    size_t nconns;
    uint64_t next_conn_id;
    struct smsc_conn *tw_head, *tw_tail;
    /* store */
    struct smsc_msg **heap;
    size_t nheap, capheap;
    struct smsc_list unrouted;
    size_t nmsgs;
    uint64_t next_msg;
    time_t start_wall;
    int64_t start_ms;
    struct smsc_rng rng_loss, rng_jitter;
    uint64_t seed;
    struct smsc_bucket tb;
    struct smsc_counters total;
    uint64_t nacks_sent, malformed_closed, receipts_dropped;
    bool stopping;
    int64_t stop_deadline_ms;
};

int64_t smsc_now_ms(void);

/* route.c */
int smsc_routes_parse(const char *text, struct smsc_route **out, size_t *n, char *why,
                      size_t whylen);
void smsc_routes_free(struct smsc_route *r, size_t n);
/* Score of the best account route matching addr: -1 none, 0 "*", 1 + prefix length. */
int smsc_routes_score(const struct smsc_route *r, size_t n, const char *addr);
/* Prepare a bind's address_range: a plain prefix, or a POSIX extended regular expression.
 * Returns 0 or -EINVAL (does not compile). */
int smsc_range_compile(struct smsc_conn *c, const char *range);
void smsc_range_free(struct smsc_conn *c);
/* Score of the session's address_range for addr: -1 none, else 1 + its literal prefix. */
int smsc_range_score(const struct smsc_conn *c, const char *addr);

/* store.c */
/* Accept a decoded submit_sm from conn (takes the PDU). Returns the status for submit_sm_resp
 * and fills id when accepted. */
uint32_t smsc_store_submit(struct smsc *s, struct smsc_conn *conn, struct sm_smpp_pdu *pdu,
                           char id[SM_SMPP_MSGID_SIZE]);
/* A deliver_sm_resp (or generic_nack) for seq on conn. */
void smsc_store_resp(struct smsc *s, struct smsc_conn *conn, uint32_t seq, uint32_t status);
/* conn bound as a receiver: give it what waits for it. */
void smsc_store_bound(struct smsc *s, struct smsc_conn *conn);
/* conn's window has room again: send it what it has queued. */
void smsc_store_pump(struct smsc *s, struct smsc_conn *conn);
/* conn is going away: requeue its in-flight and queued messages. */
void smsc_store_detach(struct smsc *s, struct smsc_conn *conn);
/* Run due timers; returns the milliseconds until the next one (-1: none). */
int64_t smsc_store_timers(struct smsc *s, int64_t now);
void smsc_store_free(struct smsc *s);

/* server.c */
int smsc_server_init(struct smsc *s, const struct smsc_cfg *cfg, char *why, size_t whylen);
int smsc_server_run(struct smsc *s);
void smsc_server_free(struct smsc *s);
/* Queue a PDU for conn (sequence_number taken from the conn when 0 and a request). Returns 0
 * or a negative errno (the connection is then closing). */
int smsc_conn_send(struct smsc *s, struct smsc_conn *c, struct sm_smpp_pdu *pdu);
uint32_t smsc_conn_next_seq(struct smsc_conn *c);
void smsc_conn_close(struct smsc *s, struct smsc_conn *c, const char *why);

/* stats.c */
void smsc_stats_print(const struct smsc *s, FILE *out);
int smsc_stats_write(const struct smsc *s, const char *path);

#endif
