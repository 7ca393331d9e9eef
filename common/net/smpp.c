/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SMPP 3.4 ESME client: TCP transport, framing by command_length (section 3.2), bind, submit_sm,
 * deliver_sm with automatic deliver_sm_resp, enquire_link both ways, unbind.
 *
 * Blocking with timeouts: the socket is non-blocking and every wait is a poll(2) bounded by the
 * caller's timeout, the response timer and the enquire_link timer (section 7.2). One request is
 * outstanding at a time; PDUs the SMSC sends meanwhile (deliver_sm, enquire_link, unbind) are
 * handled as they come. A framing error (command_length out of bounds, peer closing in the
 * middle of a PDU, a write that cannot complete) closes the connection: the stream cannot be
 * resynchronised. A PDU that frames but does not decode is answered with generic_nack and the
 * connection goes on.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sm/durable.h"
#include "sm/err.h"
#include "sm/log.h"
#include "sm/smpp.h"

struct sm_smpp_client {
    char host[64];
    uint16_t port;
    enum sm_smpp_mode mode;
    char system_id[SM_SMPP_SYSTEM_ID_SIZE], password[SM_SMPP_PASSWORD_SIZE];
    char system_type[SM_SMPP_SYSTEM_TYPE_SIZE], address_range[SM_SMPP_ADDRESS_RANGE_SIZE];
    uint8_t addr_ton, addr_npi;
    int connect_timeout_ms, response_timeout_ms, enquire_link_ms;
    size_t max_pdu, rx_cap;
    sm_smpp_deliver_fn on_deliver;
    void *arg;

    int fd;
    bool bound, in_callback;
    uint32_t seq;
    uint8_t *rbuf; /* max_pdu bytes: one complete PDU always fits */
    size_t rlen;
    struct sm_smpp_pdu *rxq; /* ring of rx_cap deliver_sm for sm_smpp_receive */
    size_t rx_head, rx_count;
    int64_t last_rx_ms;
    uint32_t enq_seq; /* outstanding enquire_link, 0: none */
    int64_t enq_sent_ms;
    /* sm_smpp_submit_async: the submit_sm awaiting their responses */
    unsigned window, max_rate;
    int throttle_pause_ms;
    sm_smpp_submitted_fn on_submitted;
    struct {
        uint32_t seq;
        uint64_t tag;
        int64_t sent_ms;
    } flight[SM_SMPP_WINDOW_MAX];
    unsigned nflight;
    int64_t paused_until; /* no submit before (after ESME_RTHROTTLED) */
    int64_t rate_start;   /* the current second of the rate limit */
    unsigned rate_count;  /* submits in it */
    char subject[SM_SMPP_SYSTEM_ID_SIZE + 8];
};

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int copy_opt(char *dst, size_t size, const char *src)
{
    if (!src)
        src = "";
    if (strlen(src) >= size)
        return -EINVAL;
    memcpy(dst, src, strlen(src) + 1);
    return 0;
}

int sm_smpp_client_new(const struct sm_smpp_client_config *cfg, struct sm_smpp_client **out)
{
    struct sm_smpp_client *c;
    unsigned char tmp[16];

    *out = NULL;
    c = calloc(1, sizeof(*c));
    if (!c)
        return -ENOMEM;
    c->fd = -1;
    if (copy_opt(c->host, sizeof(c->host), cfg->host ? cfg->host : "127.0.0.1") ||
        (inet_pton(AF_INET, c->host, tmp) != 1 && inet_pton(AF_INET6, c->host, tmp) != 1) ||
        copy_opt(c->system_id, sizeof(c->system_id), cfg->system_id) ||
        copy_opt(c->password, sizeof(c->password), cfg->password) ||
        copy_opt(c->system_type, sizeof(c->system_type), cfg->system_type) ||
        copy_opt(c->address_range, sizeof(c->address_range), cfg->address_range) ||
        (unsigned)cfg->mode > SM_SMPP_RECEIVER)
        goto inval;
    c->port = cfg->port ? cfg->port : SM_SMPP_PORT;
    c->mode = cfg->mode;
    c->addr_ton = cfg->addr_ton;
    c->addr_npi = cfg->addr_npi;
    c->connect_timeout_ms = cfg->connect_timeout_ms > 0 ? cfg->connect_timeout_ms : 5000;
    c->response_timeout_ms = cfg->response_timeout_ms > 0 ? cfg->response_timeout_ms : 10000;
    c->enquire_link_ms = cfg->enquire_link_ms ? cfg->enquire_link_ms : 30000;
    c->max_pdu = cfg->max_pdu ? cfg->max_pdu : SM_SMPP_PDU_DEFAULT;
    if (c->max_pdu < SM_SMPP_PDU_MIN_LIMIT || c->max_pdu > SM_SMPP_PDU_MAX_LIMIT)
        goto inval;
    c->rx_cap = cfg->rx_queue ? cfg->rx_queue : 64;
    if (c->rx_cap > 65536)
        goto inval;
    c->on_deliver = cfg->on_deliver;
    c->arg = cfg->arg;
    c->window = cfg->window ? cfg->window : 1;
    c->max_rate = cfg->max_rate;
    c->throttle_pause_ms = cfg->throttle_pause_ms > 0 ? cfg->throttle_pause_ms : 1000;
    c->on_submitted = cfg->on_submitted;
    if (c->window > SM_SMPP_WINDOW_MAX)
        goto inval;
    snprintf(c->subject, sizeof(c->subject), "esme:%s", c->system_id);
    c->rbuf = malloc(c->max_pdu);
    c->rxq = calloc(c->rx_cap, sizeof(*c->rxq));
    if (!c->rbuf || !c->rxq) {
        sm_smpp_client_free(c);
        return -ENOMEM;
    }
    *out = c;
    return 0;
inval:
    free(c);
    return -EINVAL;
}

/* Give the result of in-flight submit i to the application and forget it. */
static void landed(struct sm_smpp_client *c, unsigned i, int rc, uint32_t status)
{
    uint64_t tag = c->flight[i].tag;
    bool was = c->in_callback;

    c->flight[i] = c->flight[--c->nflight];
    if (!c->on_submitted)
        return;
    c->in_callback = true;
    c->on_submitted(c->arg, tag, rc, status);
    c->in_callback = was;
}

static void drop_connection(struct sm_smpp_client *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->bound = false;
    c->rlen = 0;
    c->enq_seq = 0;
    /* what was not answered will not be: the application learns it now */
    while (c->nflight)
        landed(c, c->nflight - 1, -ECONNRESET, 0);
}

/* The connection is unusable: close it and return err. */
static int fatal(struct sm_smpp_client *c, int err, const char *why)
{
    SM_LOGW(SM_LOG_OTA, c->subject, "connection closed: %s (%s)", why, sm_strerror(err));
    drop_connection(c);
    return err;
}

void sm_smpp_client_free(struct sm_smpp_client *c)
{
    if (!c)
        return;
    drop_connection(c);
    for (size_t i = 0; c->rxq && i < c->rx_count; i++)
        sm_smpp_pdu_free(&c->rxq[(c->rx_head + i) % c->rx_cap]);
    free(c->rxq);
    free(c->rbuf);
    free(c);
}

static void set_socket_options(int fd)
{
    int one = 1;

    /* small PDUs in both directions: do not let Nagle hold them back */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

int sm_smpp_connect(struct sm_smpp_client *c)
{
    struct sockaddr_storage ss = {0};
    struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
    socklen_t sl;
    struct pollfd pfd;
    int fd, rc, err = 0;
    socklen_t el = sizeof(err);

    if (c->fd >= 0)
        return -EISCONN;
    if (inet_pton(AF_INET, c->host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(c->port);
        sl = sizeof(*v4);
    } else {
        inet_pton(AF_INET6, c->host, &v6->sin6_addr); /* checked in sm_smpp_client_new */
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(c->port);
        sl = sizeof(*v6);
    }
    fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    set_socket_options(fd);
    rc = connect(fd, (struct sockaddr *)&ss, sl);
    if (rc && errno != EINPROGRESS) {
        rc = -errno;
        close(fd);
        return rc;
    }
    if (rc) {
        pfd = (struct pollfd){.fd = fd, .events = POLLOUT};
        do
            rc = poll(&pfd, 1, c->connect_timeout_ms);
        while (rc < 0 && errno == EINTR);
        if (rc <= 0) {
            rc = rc == 0 ? -ETIMEDOUT : -errno;
            close(fd);
            return rc;
        }
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) || err) {
            close(fd);
            return err ? -err : -EIO;
        }
    }
    c->fd = fd;
    c->rlen = 0;
    c->last_rx_ms = now_ms();
    SM_LOGD(SM_LOG_OTA, c->subject, "connected to %s port %u", c->host, c->port);
    return 0;
}

int sm_smpp_client_adopt_fd(struct sm_smpp_client *c, int fd)
{
    int fl;

    if (c->fd >= 0) {
        close(fd);
        return -EISCONN;
    }
    fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) || fcntl(fd, F_SETFD, FD_CLOEXEC)) {
        close(fd);
        return -EINVAL;
    }
    set_socket_options(fd);
    c->fd = fd;
    c->rlen = 0;
    c->last_rx_ms = now_ms();
    return 0;
}

static uint32_t next_seq(struct sm_smpp_client *c)
{
    /* 3.2: sequence numbers run from 1 to 0x7FFFFFFF */
    c->seq = c->seq >= 0x7fffffffu ? 1 : c->seq + 1;
    return c->seq;
}

static int remaining(int64_t deadline)
{
    int64_t r = deadline - now_ms();

    return r <= 0 ? 0 : r > 0x7fffffff ? 0x7fffffff : (int)r;
}

static int write_all(struct sm_smpp_client *c, const uint8_t *p, size_t n, int64_t deadline)
{
    while (n) {
        ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);

        if (w > 0) {
            p += w;
            n -= (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pfd = {.fd = c->fd, .events = POLLOUT};
            int rc = poll(&pfd, 1, remaining(deadline));

            if (rc < 0 && errno == EINTR)
                continue;
            if (rc <= 0)
                return fatal(c, rc == 0 ? -ETIMEDOUT : -errno, "cannot write a PDU");
            continue;
        }
        return fatal(c, w < 0 ? -errno : -EIO, "write failed");
    }
    return 0;
}

static int send_pdu(struct sm_smpp_client *c, const struct sm_smpp_pdu *pdu)
{
    struct sm_buf b = SM_BUF_INIT;
    int rc = sm_smpp_encode(pdu, &b);

    if (!rc && b.len > c->max_pdu)
        rc = -EMSGSIZE;
    if (!rc) {
        SM_LOGD(SM_LOG_OTA, c->subject, "-> %s seq %u status %s (%zu bytes)",
                sm_smpp_command_name(pdu->command_id), pdu->sequence_number,
                sm_smpp_status_name(pdu->command_status), b.len);
        rc = write_all(c, b.data, b.len, now_ms() + c->response_timeout_ms);
    }
    sm_buf_free(&b);
    return rc;
}

static int send_header(struct sm_smpp_client *c, uint32_t id, uint32_t status, uint32_t seq)
{
    struct sm_smpp_pdu p = {.command_id = id, .command_status = status, .sequence_number = seq};

    return send_pdu(c, &p);
}

/* Wait until rbuf holds one complete PDU (its length in *flen), until wake. Returns 0,
 * -ETIMEDOUT, or a fatal error (connection closed). */
static int next_frame(struct sm_smpp_client *c, int64_t wake, size_t *flen)
{
    for (;;) {
        size_t len = 0;
        int rc = sm_smpp_frame_len(c->rbuf, c->rlen, c->max_pdu, &len);
        struct pollfd pfd;
        ssize_t n;

        if (!rc && c->rlen >= len) {
            *flen = len;
            return 0;
        }
        if (rc == -EMSGSIZE)
            return fatal(c, rc, "command_length above the limit");
        if (rc == -EBADMSG)
            return fatal(c, rc, "command_length below the 16-byte header");
        pfd = (struct pollfd){.fd = c->fd, .events = POLLIN};
        rc = poll(&pfd, 1, remaining(wake));
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc < 0)
            return fatal(c, -errno, "poll failed");
        if (rc == 0)
            return -ETIMEDOUT;
        n = recv(c->fd, c->rbuf + c->rlen, c->max_pdu - c->rlen, 0);
        if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
            continue;
        if (n < 0)
            return fatal(c, -errno, "read failed");
        if (n == 0)
            return fatal(c, c->rlen ? -EBADMSG : -ECONNRESET,
                         c->rlen ? "peer closed in the middle of a PDU" : "peer closed");
        c->rlen += (size_t)n;
    }
}

static void consume(struct sm_smpp_client *c, size_t len)
{
    memmove(c->rbuf, c->rbuf + len, c->rlen - len);
    c->rlen -= len;
}

/* Send enquire_link when the link has been idle, fail when one went unanswered (7.2). Returns
 * 0 or a fatal error; *wake is lowered to the next time this has something to do. */
static int service_link(struct sm_smpp_client *c, int64_t *wake)
{
    int64_t now = now_ms();

    /* async submits unanswered within the response timer (7.2) */
    for (unsigned i = 0; i < c->nflight;) {
        int64_t due = c->flight[i].sent_ms + c->response_timeout_ms;

        if (now >= due) {
            SM_LOGW(SM_LOG_OTA, c->subject, "no submit_sm_resp for seq %u within %d ms",
                    c->flight[i].seq, c->response_timeout_ms);
            landed(c, i, -ETIMEDOUT, 0);
            continue;
        }
        if (due < *wake)
            *wake = due;
        i++;
    }
    if (!c->bound || c->enquire_link_ms < 0)
        return 0;
    if (c->enq_seq) {
        int64_t due = c->enq_sent_ms + c->response_timeout_ms;

        if (now >= due)
            return fatal(c, -ETIMEDOUT, "no enquire_link_resp");
        if (due < *wake)
            *wake = due;
        return 0;
    }
    if (now - c->last_rx_ms >= c->enquire_link_ms) {
        int rc;

        c->enq_seq = next_seq(c);
        c->enq_sent_ms = now;
        rc = send_header(c, SM_SMPP_ENQUIRE_LINK, SM_SMPP_ROK, c->enq_seq);
        if (rc)
            return rc;
        if (now + c->response_timeout_ms < *wake)
            *wake = now + c->response_timeout_ms;
        return 0;
    }
    if (c->last_rx_ms + c->enquire_link_ms < *wake)
        *wake = c->last_rx_ms + c->enquire_link_ms;
    return 0;
}

static bool receiving(const struct sm_smpp_client *c)
{
    return c->bound && c->mode != SM_SMPP_TRANSMITTER;
}

/* deliver_sm (4.6): to the callback or the queue, then deliver_sm_resp. Takes pdu; *taken
 * says whether the application got it. */
static int on_deliver_sm(struct sm_smpp_client *c, struct sm_smpp_pdu *pdu, bool *taken)
{
    uint32_t status = SM_SMPP_ROK, seq = pdu->sequence_number;

    *taken = false;
    if (!receiving(c)) {
        status = SM_SMPP_RINVBNDSTS;
    } else if (c->on_deliver) {
        c->in_callback = true;
        status = c->on_deliver(c->arg, pdu);
        c->in_callback = false;
        *taken = true;
    } else if (c->rx_count == c->rx_cap) {
        status = SM_SMPP_RX_T_APPN; /* queue full: the SMSC keeps it and retries */
        SM_LOGW(SM_LOG_OTA, c->subject, "deliver_sm seq %u deferred: receive queue full", seq);
    } else {
        c->rxq[(c->rx_head + c->rx_count) % c->rx_cap] = *pdu;
        memset(pdu, 0, sizeof(*pdu));
        c->rx_count++;
        *taken = true;
    }
    sm_smpp_pdu_free(pdu);
    return send_pdu(c, &(struct sm_smpp_pdu){.command_id = SM_SMPP_DELIVER_SM_RESP,
                                             .command_status = status,
                                             .sequence_number = seq});
}

/* The response to in-flight submit i: submit_sm_resp or generic_nack (4.3). */
static void submitted(struct sm_smpp_client *c, unsigned i, const struct sm_smpp_pdu *pdu)
{
    uint32_t status = pdu->command_status;

    if (pdu->command_id != SM_SMPP_SUBMIT_SM_RESP && pdu->command_id != SM_SMPP_GENERIC_NACK) {
        SM_LOGW(SM_LOG_OTA, c->subject, "submit_sm seq %u answered with %s", pdu->sequence_number,
                sm_smpp_command_name(pdu->command_id));
        landed(c, i, -EBADMSG, 0);
        return;
    }
    if (pdu->command_id == SM_SMPP_GENERIC_NACK && !status)
        status = SM_SMPP_RUNKNOWNERR; /* a nack is never a success */
    if (status == SM_SMPP_RTHROTTLED) {
        /* the SMSC asks us to slow down: nothing more for a while */
        c->paused_until = now_ms() + c->throttle_pause_ms;
        SM_LOGN(SM_LOG_OTA, c->subject, "throttled by the SMSC: no submit_sm for %d ms",
                c->throttle_pause_ms);
    }
    landed(c, i, status ? -EPROTO : 0, status);
}

#define PUMP_IDLE 1 /* pump(): the deadline came first (not an error of the connection) */

/*
 * Read and handle PDUs until the response to want_seq is in *resp (want_seq != 0), or, with
 * want_seq 0, until at least one PDU was handled. Returns 0, PUMP_IDLE at deadline, -ESHUTDOWN
 * when the SMSC unbound, or a fatal error (-ETIMEDOUT among them: enquire_link unanswered).
 * *delivered counts the deliver_sm passed to the application.
 */
static int pump(struct sm_smpp_client *c, int64_t deadline, uint32_t want_seq,
                struct sm_smpp_pdu *resp, int *delivered)
{
    for (;;) {
        struct sm_smpp_pdu pdu;
        struct sm_decode_err derr = {0};
        uint32_t status;
        int64_t wake = deadline;
        size_t flen = 0;
        int rc;

        if (c->fd < 0)
            return -ENOTCONN;
        rc = service_link(c, &wake);
        if (rc)
            return rc;
        rc = next_frame(c, wake, &flen);
        if (rc == -ETIMEDOUT) {
            if (now_ms() >= deadline)
                return PUMP_IDLE;
            continue; /* woke up for the enquire_link timer */
        }
        if (rc)
            return rc;
        c->last_rx_ms = now_ms();
        rc = sm_smpp_decode(c->rbuf, flen, &pdu, &status, &derr);
        consume(c, flen);
        if (rc == -ENOMEM) {
            sm_smpp_pdu_free(&pdu);
            return rc;
        }
        if (rc) {
            uint32_t id = pdu.command_id, seq = pdu.sequence_number;

            SM_LOGW(SM_LOG_OTA, c->subject, "%s seq %u does not decode at byte %zu: %s",
                    sm_smpp_command_name(id), seq, derr.offset, derr.msg);
            sm_smpp_pdu_free(&pdu);
            /* 4.3: generic_nack answers what cannot be decoded; responses are never answered */
            if (!(id & SM_SMPP_RESP)) {
                rc = send_header(c, SM_SMPP_GENERIC_NACK, status, seq);
                if (rc)
                    return rc;
            } else if (want_seq && seq == want_seq) {
                return -EBADMSG;
            }
            if (!want_seq)
                return 0;
            continue;
        }
        SM_LOGD(SM_LOG_OTA, c->subject, "<- %s seq %u status %s (%zu bytes)",
                sm_smpp_command_name(pdu.command_id), pdu.sequence_number,
                sm_smpp_status_name(pdu.command_status), flen);
        switch (pdu.command_id) {
        case SM_SMPP_ENQUIRE_LINK:
            rc = send_header(c, SM_SMPP_ENQUIRE_LINK_RESP, SM_SMPP_ROK, pdu.sequence_number);
            break;
        case SM_SMPP_DELIVER_SM: {
            bool taken;

            rc = on_deliver_sm(c, &pdu, &taken);
            if (!rc && taken && delivered)
                (*delivered)++;
            break;
        }
        case SM_SMPP_UNBIND:
            /* 4.2: the SMSC ends the session; answer, then the connection is over */
            send_header(c, SM_SMPP_UNBIND_RESP, SM_SMPP_ROK, pdu.sequence_number);
            SM_LOGN(SM_LOG_OTA, c->subject, "the SMSC unbound");
            drop_connection(c);
            rc = -ESHUTDOWN;
            break;
        default:
            if (pdu.command_id & SM_SMPP_RESP) {
                bool ping = c->enq_seq && pdu.sequence_number == c->enq_seq;

                bool flown = false;

                if (ping)
                    c->enq_seq = 0; /* enquire_link_resp or generic_nack: the peer is there */
                if (want_seq && pdu.sequence_number == want_seq) {
                    *resp = pdu;
                    return 0;
                }
                for (unsigned i = 0; !ping && i < c->nflight; i++) {
                    if (c->flight[i].seq != pdu.sequence_number)
                        continue;
                    flown = true;
                    submitted(c, i, &pdu);
                    break;
                }
                if (!ping && !flown)
                    SM_LOGD(SM_LOG_OTA, c->subject, "late %s seq %u ignored",
                            sm_smpp_command_name(pdu.command_id), pdu.sequence_number);
            } else {
                /* a request an ESME does not serve (bind, submit_sm from the SMSC) */
                rc = send_header(c, SM_SMPP_GENERIC_NACK, SM_SMPP_RINVCMDID, pdu.sequence_number);
            }
            break;
        }
        sm_smpp_pdu_free(&pdu);
        if (rc)
            return rc;
        if (!want_seq)
            return 0;
    }
}

/* Send req and wait for its response (or generic_nack) into *resp. */
static int transact(struct sm_smpp_client *c, struct sm_smpp_pdu *req, struct sm_smpp_pdu *resp)
{
    int rc;

    memset(resp, 0, sizeof(*resp));
    req->sequence_number = next_seq(c);
    rc = send_pdu(c, req);
    if (rc)
        return rc;
    rc = pump(c, now_ms() + c->response_timeout_ms, req->sequence_number, resp, NULL);
    if (rc == PUMP_IDLE) {
        rc = -ETIMEDOUT;
        SM_LOGW(SM_LOG_OTA, c->subject, "no response to %s seq %u within %d ms",
                sm_smpp_command_name(req->command_id), req->sequence_number,
                c->response_timeout_ms);
    }
    return rc;
}

/* The response must be req's or generic_nack: 0 for ESME_ROK, -EPROTO with *status otherwise. */
static int check_resp(struct sm_smpp_client *c, const struct sm_smpp_pdu *req,
                      const struct sm_smpp_pdu *resp, uint32_t *status)
{
    *status = resp->command_status;
    if (resp->command_id != (req->command_id | SM_SMPP_RESP) &&
        resp->command_id != SM_SMPP_GENERIC_NACK) {
        SM_LOGW(SM_LOG_OTA, c->subject, "%s answered with %s",
                sm_smpp_command_name(req->command_id), sm_smpp_command_name(resp->command_id));
        return -EBADMSG;
    }
    if (resp->command_id == SM_SMPP_GENERIC_NACK && !*status)
        *status = SM_SMPP_RUNKNOWNERR; /* a nack is never a success */
    return *status ? -EPROTO : 0;
}

static int usable(const struct sm_smpp_client *c)
{
    if (c->in_callback)
        return -EBUSY;
    return c->fd < 0 ? -ENOTCONN : 0;
}

int sm_smpp_bind(struct sm_smpp_client *c, uint32_t *status)
{
    static const uint32_t ids[] = {SM_SMPP_BIND_TRANSCEIVER, SM_SMPP_BIND_TRANSMITTER,
                                   SM_SMPP_BIND_RECEIVER};
    struct sm_smpp_pdu req = {.command_id = ids[c->mode]}, resp;
    uint32_t st_ignored;
    int rc = usable(c);

    if (!status)
        status = &st_ignored;
    *status = SM_SMPP_ROK;
    if (rc)
        return rc;
    if (c->bound)
        return -EALREADY;
    memcpy(req.bind.system_id, c->system_id, sizeof(c->system_id));
    memcpy(req.bind.password, c->password, sizeof(c->password));
    memcpy(req.bind.system_type, c->system_type, sizeof(c->system_type));
    req.bind.interface_version = SM_SMPP_VERSION;
    req.bind.addr_ton = c->addr_ton;
    req.bind.addr_npi = c->addr_npi;
    memcpy(req.bind.address_range, c->address_range, sizeof(c->address_range));
    rc = transact(c, &req, &resp);
    if (!rc)
        rc = check_resp(c, &req, &resp, status);
    if (!rc) {
        c->bound = true;
        c->last_rx_ms = now_ms();
        SM_LOGI(SM_LOG_OTA, c->subject, "bound (%s) to %s, SMSC interface version %s%02x",
                sm_smpp_command_name(req.command_id), resp.bind.system_id,
                resp.bind.has_sc_interface_version ? "" : "3.3 or unknown, ",
                resp.bind.has_sc_interface_version ? resp.bind.sc_interface_version : 0);
    } else if (rc == -EPROTO) {
        SM_LOGW(SM_LOG_OTA, c->subject, "bind refused: %s", sm_smpp_status_name(*status));
    }
    sm_smpp_pdu_free(&resp);
    return rc;
}

int sm_smpp_open(const struct sm_smpp_client_config *cfg, struct sm_smpp_client **out,
                 uint32_t *status)
{
    struct sm_smpp_client *c;
    int rc;

    if (status)
        *status = SM_SMPP_ROK;
    *out = NULL;
    rc = sm_smpp_client_new(cfg, &c);
    if (rc)
        return rc;
    rc = sm_smpp_connect(c);
    if (!rc)
        rc = sm_smpp_bind(c, status);
    if (rc) {
        sm_smpp_client_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

int sm_smpp_submit(struct sm_smpp_client *c, const struct sm_smpp_sm *sm,
                   char message_id[SM_SMPP_MSGID_SIZE], uint32_t *status)
{
    struct sm_smpp_pdu req = {.command_id = SM_SMPP_SUBMIT_SM}, resp;
    uint32_t st_ignored;
    int rc = usable(c);

    if (!status)
        status = &st_ignored;
    *status = SM_SMPP_ROK;
    if (message_id)
        message_id[0] = 0;
    if (rc)
        return rc;
    if (!c->bound || c->mode == SM_SMPP_RECEIVER)
        return -ENOTCONN;
    /* the counter the packet carries is on disk before it leaves (sm/durable.h) */
    rc = sm_durable();
    if (rc)
        return rc;
    req.sm = *sm;
    rc = transact(c, &req, &resp);
    if (!rc)
        rc = check_resp(c, &req, &resp, status);
    if (!rc && message_id)
        memcpy(message_id, resp.message_id, SM_SMPP_MSGID_SIZE);
    if (rc == -EPROTO)
        SM_LOGI(SM_LOG_OTA, c->subject, "submit_sm to %s refused: %s", sm->destination_addr,
                sm_smpp_status_name(*status));
    sm_smpp_pdu_free(&resp);
    return rc;
}

/* Within the rate limit (a new one-second slot when the last is over)? */
static bool rate_allows(struct sm_smpp_client *c, int64_t now)
{
    if (!c->max_rate)
        return true;
    if (now - c->rate_start >= 1000) {
        c->rate_start = now;
        c->rate_count = 0;
    }
    return c->rate_count < c->max_rate;
}

int sm_smpp_submit_async(struct sm_smpp_client *c, const struct sm_smpp_sm *sm, uint64_t tag)
{
    struct sm_smpp_pdu req = {.command_id = SM_SMPP_SUBMIT_SM};
    int64_t deadline;
    int rc = usable(c);

    if (rc)
        return rc;
    if (!c->on_submitted)
        return -EINVAL;
    if (!c->bound || c->mode == SM_SMPP_RECEIVER)
        return -ENOTCONN;
    if (now_ms() < c->paused_until || !rate_allows(c, now_ms()))
        return -EAGAIN;
    /* a full window: serve the link until a response makes room */
    deadline = now_ms() + c->response_timeout_ms;
    while (c->nflight >= c->window) {
        rc = pump(c, deadline, 0, NULL, NULL);
        if (rc == PUMP_IDLE)
            return -ETIMEDOUT;
        if (rc < 0)
            return rc;
    }
    /* the counter the packet carries is on disk before it leaves (sm/durable.h) */
    rc = sm_durable();
    if (rc)
        return rc;
    req.sm = *sm;
    req.sequence_number = next_seq(c);
    rc = send_pdu(c, &req);
    if (rc)
        return rc;
    c->flight[c->nflight].seq = req.sequence_number;
    c->flight[c->nflight].tag = tag;
    c->flight[c->nflight].sent_ms = now_ms();
    c->nflight++;
    c->rate_count++;
    return 0;
}

size_t sm_smpp_in_flight(const struct sm_smpp_client *c)
{
    return c->nflight;
}

int sm_smpp_ready(const struct sm_smpp_client *c, unsigned n)
{
    int64_t now = now_ms();

    if (c->fd < 0 || !c->bound || c->mode == SM_SMPP_RECEIVER)
        return -ENOTCONN;
    if (now < c->paused_until)
        return -EAGAIN;
    if (c->max_rate && now - c->rate_start < 1000 && c->rate_count + n > c->max_rate)
        return -EAGAIN;
    return 0;
}

int sm_smpp_enquire_link(struct sm_smpp_client *c)
{
    struct sm_smpp_pdu req = {.command_id = SM_SMPP_ENQUIRE_LINK}, resp;
    uint32_t status;
    int rc = usable(c);

    if (rc)
        return rc;
    rc = transact(c, &req, &resp);
    if (!rc)
        rc = check_resp(c, &req, &resp, &status);
    sm_smpp_pdu_free(&resp);
    return rc;
}

int sm_smpp_poll(struct sm_smpp_client *c, int timeout_ms)
{
    int delivered = 0, rc = usable(c);

    if (rc)
        return rc;
    /* wait for the first PDU, then take whatever else is already there without waiting */
    rc = pump(c, now_ms() + (timeout_ms > 0 ? timeout_ms : 0), 0, NULL, &delivered);
    while (!rc)
        rc = pump(c, now_ms(), 0, NULL, &delivered);
    if (rc == PUMP_IDLE)
        rc = 0;
    return rc ? rc : delivered;
}

int sm_smpp_receive(struct sm_smpp_client *c, struct sm_smpp_pdu *out, int timeout_ms)
{
    int64_t deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);

    memset(out, 0, sizeof(*out));
    if (c->on_deliver)
        return -EINVAL;
    if (c->in_callback)
        return -EBUSY;
    for (;;) {
        int rc;

        if (c->rx_count) {
            *out = c->rxq[c->rx_head];
            memset(&c->rxq[c->rx_head], 0, sizeof(*out));
            c->rx_head = (c->rx_head + 1) % c->rx_cap;
            c->rx_count--;
            return 0;
        }
        if (c->fd < 0)
            return -ENOTCONN;
        rc = pump(c, deadline, 0, NULL, NULL);
        if (rc == PUMP_IDLE && !c->rx_count)
            return -ETIMEDOUT;
        if (rc < 0)
            return rc;
    }
}

int sm_smpp_unbind(struct sm_smpp_client *c)
{
    struct sm_smpp_pdu req = {.command_id = SM_SMPP_UNBIND}, resp;
    uint32_t status;
    int rc = usable(c);

    if (rc)
        return rc;
    if (!c->bound) {
        drop_connection(c);
        return -ENOTCONN;
    }
    rc = transact(c, &req, &resp);
    if (!rc)
        rc = check_resp(c, &req, &resp, &status);
    sm_smpp_pdu_free(&resp);
    if (!rc)
        SM_LOGI(SM_LOG_OTA, c->subject, "unbound");
    drop_connection(c);
    return rc;
}

int sm_smpp_fd(const struct sm_smpp_client *c)
{
    return c->fd;
}

int sm_smpp_next_timeout(const struct sm_smpp_client *c)
{
    int64_t due;

    if (c->fd < 0 || !c->bound || c->enquire_link_ms < 0)
        return -1;
    due = c->enq_seq ? c->enq_sent_ms + c->response_timeout_ms : c->last_rx_ms + c->enquire_link_ms;
    return remaining(due);
}

bool sm_smpp_is_bound(const struct sm_smpp_client *c)
{
    return c->fd >= 0 && c->bound;
}

size_t sm_smpp_pending(const struct sm_smpp_client *c)
{
    return c->rx_count;
}
