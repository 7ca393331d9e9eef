/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SMPP side of smsc-sim: one epoll loop (level-triggered) over the listening socket, a
 * signalfd and every ESME connection. Each connection reads into a buffer of max_pdu bytes,
 * frames by command_length (SMPP 3.4 section 3.2) and answers in order. A connection is never
 * closed from inside its own handlers: they mark it dead and the loop closes it afterwards, so
 * no handler ever touches freed state.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sm/err.h"
#include "sm/log.h"
#include "smsc.h"

#define OUT_HIGH_WATER  (1u << 20) /* stop reading a session whose answers are not read */
#define UNBIND_GRACE_MS 2000       /* at shutdown: wait this long for unbind_resp */
#define STOP_GRACE_MS   3000

int64_t smsc_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

uint32_t smsc_conn_next_seq(struct smsc_conn *c)
{
    c->seq = c->seq >= 0x7fffffffu ? 1 : c->seq + 1; /* 3.2: 1 .. 0x7FFFFFFF */
    return c->seq;
}

static void kill_conn(struct smsc_conn *c, const char *why)
{
    if (!c->dead) {
        c->dead = true;
        c->dead_why = why;
    }
}

static void update_events(struct smsc *s, struct smsc_conn *c)
{
    uint32_t ev = 0;
    struct epoll_event e;

    if (c->dead || c->fd < 0)
        return;
    /* read while there is room (a paused session still buffers up to one full PDU) */
    if (c->state != CONN_CLOSING && c->rlen < s->cfg->max_pdu)
        ev |= EPOLLIN;
    if (c->out.len > c->out_off)
        ev |= EPOLLOUT;
    if (ev == c->events)
        return;
    e = (struct epoll_event){.events = ev, .data.ptr = c};
    if (epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &e))
        kill_conn(c, "epoll_ctl failed");
    else
        c->events = ev;
}

static void flush(struct smsc *s, struct smsc_conn *c)
{
    while (!c->dead && c->out.len > c->out_off) {
        ssize_t n = send(c->fd, c->out.data + c->out_off, c->out.len - c->out_off, MSG_NOSIGNAL);

        if (n > 0) {
            c->out_off += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        kill_conn(c, "write failed");
        return;
    }
    if (c->out_off == c->out.len) {
        sm_buf_reset(&c->out);
        c->out_off = 0;
    } else if (c->out_off > 65536 && c->out_off > c->out.len / 2) {
        memmove(c->out.data, c->out.data + c->out_off, c->out.len - c->out_off);
        c->out.len -= c->out_off;
        c->out_off = 0;
    }
}

int smsc_conn_send(struct smsc *s, struct smsc_conn *c, struct sm_smpp_pdu *pdu)
{
    int rc;

    if (c->dead || c->fd < 0)
        return -EPIPE;
    if (!pdu->sequence_number && !(pdu->command_id & SM_SMPP_RESP))
        pdu->sequence_number = smsc_conn_next_seq(c);
    rc = sm_smpp_encode(pdu, &c->out);
    if (rc) {
        SM_LOGE(SM_LOG_OTA, c->subject, "cannot encode %s: %s",
                sm_smpp_command_name(pdu->command_id), sm_strerror(rc));
        return rc;
    }
    SM_LOGD(SM_LOG_OTA, c->subject, "-> %s seq %u %s", sm_smpp_command_name(pdu->command_id),
            pdu->sequence_number, sm_smpp_status_name(pdu->command_status));
    flush(s, c);
    update_events(s, c);
    return c->dead ? -EPIPE : 0;
}

static void send_header(struct smsc *s, struct smsc_conn *c, uint32_t id, uint32_t status,
                        uint32_t seq)
{
    struct sm_smpp_pdu p = {.command_id = id, .command_status = status, .sequence_number = seq};

    smsc_conn_send(s, c, &p);
}

static void send_nack(struct smsc *s, struct smsc_conn *c, uint32_t status, uint32_t seq)
{
    s->nacks_sent++;
    send_header(s, c, SM_SMPP_GENERIC_NACK, status, seq);
}

/* ---- throttle wait list ---- */

static void tw_push(struct smsc *s, struct smsc_conn *c)
{
    if (c->in_tw)
        return;
    c->in_tw = true;
    c->tw_next = NULL;
    c->tw_prev = s->tw_tail;
    if (s->tw_tail)
        s->tw_tail->tw_next = c;
    else
        s->tw_head = c;
    s->tw_tail = c;
}

static void tw_remove(struct smsc *s, struct smsc_conn *c)
{
    if (!c->in_tw)
        return;
    if (c->tw_prev)
        c->tw_prev->tw_next = c->tw_next;
    else
        s->tw_head = c->tw_next;
    if (c->tw_next)
        c->tw_next->tw_prev = c->tw_prev;
    else
        s->tw_tail = c->tw_prev;
    c->tw_prev = c->tw_next = NULL;
    c->in_tw = false;
}

enum admit { ADMIT, REJECT, WAIT };

/* One token from the global and the account's bucket, or the throttle answer. */
static enum admit throttle_admit(struct smsc *s, struct smsc_conn *c)
{
    int64_t now = smsc_now_ms();

    if (smsc_bucket_has(&s->tb, now) && smsc_bucket_has(&c->acc->tb, now)) {
        smsc_bucket_take(&s->tb, now);
        smsc_bucket_take(&c->acc->tb, now);
        c->throttle_counted = false;
        return ADMIT;
    }
    if (!s->cfg->throttle_delay) {
        s->total.throttled++;
        c->acc->cnt.throttled++;
        return REJECT;
    }
    if (!c->throttle_counted) {
        s->total.throttled++;
        c->acc->cnt.throttled++;
        c->throttle_counted = true;
    }
    c->throttle_wait = true;
    tw_push(s, c);
    return WAIT;
}

/* ---- sessions ---- */

static bool secret_equal(const char *a, const char *b)
{
    /* compare every byte of the fixed-size field, whatever the first difference */
    unsigned char d = 0;

    for (size_t i = 0; i < SM_SMPP_PASSWORD_SIZE; i++) {
        d |= (unsigned char)(a[i] ^ b[i]);
        if (!a[i] && !b[i])
            break;
    }
    return d == 0;
}

static void handle_bind(struct smsc *s, struct smsc_conn *c, const struct sm_smpp_pdu *req)
{
    struct sm_smpp_pdu resp = {.command_id = req->command_id | SM_SMPP_RESP,
                               .sequence_number = req->sequence_number};
    struct smsc_account *acc = NULL;
    char pw[SM_SMPP_PASSWORD_SIZE] = {0};
    uint32_t st = SM_SMPP_ROK;

    memcpy(pw, req->bind.password, sizeof(pw));
    for (size_t i = 0; i < s->nacc && !acc; i++)
        if (!strcmp(s->acc[i].system_id, req->bind.system_id))
            acc = &s->acc[i];
    /* 4.1, 5.1.3: already bound, then unknown system_id, then wrong password */
    if (c->state != CONN_OPEN)
        st = SM_SMPP_RALYBND;
    else if (!acc)
        st = SM_SMPP_RINVSYSID;
    else if (!secret_equal(acc->password, pw))
        st = SM_SMPP_RINVPASWD;
    else if (acc->binds >= acc->max_binds)
        st = SM_SMPP_RALYBND; /* the account's sessions are all in use */
    else if (smsc_range_compile(c, req->bind.address_range))
        st = SM_SMPP_RBINDFAIL;
    sm_wipe(pw, sizeof(pw));
    if (st) {
        SM_LOGN(SM_LOG_OTA, c->subject, "%s as '%s' refused: %s",
                sm_smpp_command_name(req->command_id), req->bind.system_id,
                sm_smpp_status_name(st));
        resp.command_status = st;
        smsc_conn_send(s, c, &resp);
        return;
    }
    c->state = CONN_BOUND;
    c->acc = acc;
    acc->binds++;
    c->bind_cmd = req->command_id;
    c->rx = req->command_id != SM_SMPP_BIND_TRANSMITTER;
    c->tx = req->command_id != SM_SMPP_BIND_RECEIVER;
    snprintf(c->subject, sizeof(c->subject), "%s#%llu", acc->system_id, (unsigned long long)c->id);
    snprintf(resp.bind.system_id, sizeof(resp.bind.system_id), "%s", s->cfg->system_id);
    /* 5.3.2.25: tell a 3.4 ESME which version we speak; a 3.3 one would not expect TLVs */
    resp.bind.has_sc_interface_version = req->bind.interface_version >= SM_SMPP_VERSION;
    resp.bind.sc_interface_version = SM_SMPP_VERSION;
    SM_LOGI(SM_LOG_OTA, c->subject, "bound from %s: %s%s%s", c->peer,
            sm_smpp_command_name(req->command_id), c->address_range[0] ? ", address_range " : "",
            c->address_range);
    if (smsc_conn_send(s, c, &resp))
        return;
    if (c->rx)
        smsc_store_bound(s, c);
}

static void handle_submit(struct smsc *s, struct smsc_conn *c, struct sm_smpp_pdu *req)
{
    struct sm_smpp_pdu resp = {.command_id = SM_SMPP_SUBMIT_SM_RESP,
                               .sequence_number = req->sequence_number};

    if (c->state != CONN_BOUND || !c->tx) {
        resp.command_status = SM_SMPP_RINVBNDSTS;
    } else {
        resp.command_status = smsc_store_submit(s, c, req, resp.message_id);
        if (resp.command_status) {
            s->total.rejected++;
            c->acc->cnt.rejected++;
            SM_LOGI(SM_LOG_OTA, c->subject, "submit_sm to %s refused: %s", req->sm.destination_addr,
                    sm_smpp_status_name(resp.command_status));
        }
    }
    smsc_conn_send(s, c, &resp);
}

/* One complete frame. Returns false when it must stay in the buffer (throttle delay). */
static bool handle_frame(struct smsc *s, struct smsc_conn *c, const uint8_t *frame, size_t len)
{
    uint32_t id = get32(frame + 4), status;
    struct sm_decode_err derr = {0};
    struct sm_smpp_pdu pdu;
    int rc;

    c->last_rx_ms = smsc_now_ms();
    if (id == SM_SMPP_SUBMIT_SM && c->state == CONN_BOUND && c->tx) {
        switch (throttle_admit(s, c)) {
        case ADMIT:
            break;
        case REJECT:
            send_header(s, c, SM_SMPP_SUBMIT_SM_RESP, SM_SMPP_RTHROTTLED, get32(frame + 12));
            return true;
        case WAIT:
            return false;
        }
    }
    rc = sm_smpp_decode(frame, len, &pdu, &status, &derr);
    if (rc) {
        SM_LOGW(SM_LOG_OTA, c->subject, "%s seq %u does not decode at byte %zu: %s",
                sm_smpp_command_name(pdu.command_id), pdu.sequence_number, derr.offset, derr.msg);
        /* 4.3: generic_nack for what cannot be decoded; a response is never answered */
        if (!(pdu.command_id & SM_SMPP_RESP))
            send_nack(s, c, status, pdu.sequence_number);
        else if (pdu.command_id == SM_SMPP_DELIVER_SM_RESP && c->state != CONN_OPEN)
            smsc_store_resp(s, c, pdu.sequence_number, SM_SMPP_RSYSERR);
        sm_smpp_pdu_free(&pdu);
        return true;
    }
    SM_LOGD(SM_LOG_OTA, c->subject, "<- %s seq %u %s", sm_smpp_command_name(pdu.command_id),
            pdu.sequence_number, sm_smpp_status_name(pdu.command_status));
    switch (pdu.command_id) {
    case SM_SMPP_BIND_TRANSMITTER:
    case SM_SMPP_BIND_RECEIVER:
    case SM_SMPP_BIND_TRANSCEIVER:
        handle_bind(s, c, &pdu);
        break;
    case SM_SMPP_SUBMIT_SM:
        handle_submit(s, c, &pdu);
        break;
    case SM_SMPP_DELIVER_SM_RESP:
        if (c->state != CONN_OPEN)
            smsc_store_resp(s, c, pdu.sequence_number, pdu.command_status);
        break;
    case SM_SMPP_GENERIC_NACK:
        if (c->enq_seq && pdu.sequence_number == c->enq_seq)
            c->enq_seq = 0;
        else if (c->state != CONN_OPEN)
            smsc_store_resp(s, c, pdu.sequence_number,
                            pdu.command_status ? pdu.command_status : SM_SMPP_RSYSERR);
        break;
    case SM_SMPP_ENQUIRE_LINK:
        send_header(s, c, SM_SMPP_ENQUIRE_LINK_RESP, SM_SMPP_ROK, pdu.sequence_number);
        break;
    case SM_SMPP_ENQUIRE_LINK_RESP:
        if (pdu.sequence_number == c->enq_seq)
            c->enq_seq = 0;
        break;
    case SM_SMPP_UNBIND:
        /* 4.2: answer, then close once the answer is out */
        if (c->state == CONN_BOUND || c->state == CONN_UNBINDING) {
            send_header(s, c, SM_SMPP_UNBIND_RESP, SM_SMPP_ROK, pdu.sequence_number);
            SM_LOGI(SM_LOG_OTA, c->subject, "unbound by the ESME");
            c->acc->binds--; /* free for a new bind at once */
            c->acc = NULL;
            c->state = CONN_CLOSING;
            c->close_deadline_ms = smsc_now_ms() + s->cfg->response_timeout;
        } else {
            send_header(s, c, SM_SMPP_UNBIND_RESP, SM_SMPP_RINVBNDSTS, pdu.sequence_number);
        }
        break;
    case SM_SMPP_UNBIND_RESP:
        if (c->unbind_seq && pdu.sequence_number == c->unbind_seq) {
            c->state = CONN_CLOSING;
            c->close_deadline_ms = smsc_now_ms() + UNBIND_GRACE_MS;
        }
        break;
    case SM_SMPP_DELIVER_SM:
        /* the SMSC delivers, it is not delivered to */
        send_nack(s, c, SM_SMPP_RINVCMDID, pdu.sequence_number);
        break;
    default:
        SM_LOGD(SM_LOG_OTA, c->subject, "%s seq %u ignored", sm_smpp_command_name(pdu.command_id),
                pdu.sequence_number);
        break;
    }
    sm_smpp_pdu_free(&pdu);
    return true;
}

static bool reading(const struct smsc_conn *c)
{
    return !c->dead &&
           (c->state == CONN_OPEN || c->state == CONN_BOUND || c->state == CONN_UNBINDING);
}

/* Handle every complete frame in the buffer, as long as the session may go on. */
static void process_input(struct smsc *s, struct smsc_conn *c)
{
    while (reading(c) && !c->throttle_wait && c->out.len - c->out_off < OUT_HIGH_WATER) {
        size_t len = 0;
        int rc = sm_smpp_frame_len(c->rbuf, c->rlen, s->cfg->max_pdu, &len);

        if (rc == -EAGAIN || (!rc && c->rlen < len))
            break;
        if (rc) {
            /* the stream cannot be resynchronised (3.2) */
            s->malformed_closed++;
            SM_LOGW(SM_LOG_OTA, c->subject, "command_length %u %s: closing", get32(c->rbuf),
                    rc == -EMSGSIZE ? "above the limit" : "below the header size");
            kill_conn(c, "bad command_length");
            break;
        }
        if (!handle_frame(s, c, c->rbuf, len))
            break;
        memmove(c->rbuf, c->rbuf + len, c->rlen - len);
        c->rlen -= len;
    }
    update_events(s, c);
}

static void handle_io(struct smsc *s, struct smsc_conn *c, uint32_t events)
{
    bool eof = false;

    if (events & EPOLLOUT) {
        flush(s, c);
        if (c->out.len - c->out_off < OUT_HIGH_WATER) {
            process_input(s, c);
            smsc_store_pump(s, c);
        }
    }
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        while (!c->dead && c->rlen < s->cfg->max_pdu) {
            ssize_t n = recv(c->fd, c->rbuf + c->rlen, s->cfg->max_pdu - c->rlen, 0);

            if (n > 0) {
                c->rlen += (size_t)n;
                continue;
            }
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                break;
            eof = true;
            break;
        }
        process_input(s, c);
        if (events & (EPOLLHUP | EPOLLERR))
            eof = true; /* reset or fully shut down: nobody reads our answers any more */
        if (eof) {
            size_t len = 0;

            /* what is left cannot become a PDU any more */
            if (c->rlen && !sm_smpp_frame_len(c->rbuf, c->rlen, s->cfg->max_pdu, &len) &&
                c->rlen < len)
                SM_LOGW(SM_LOG_OTA, c->subject, "peer closed in the middle of a PDU");
            kill_conn(c, "peer closed");
        }
    }
    update_events(s, c);
}

static void conn_free(struct smsc *s, struct smsc_conn *c)
{
    smsc_range_free(c);
    sm_buf_free(&c->out);
    free(c->rbuf);
    free(c);
}

void smsc_conn_close(struct smsc *s, struct smsc_conn *c, const char *why)
{
    if (c->state == CONN_OPEN)
        SM_LOGD(SM_LOG_OTA, c->subject, "closed (%s)", why);
    else
        SM_LOGI(SM_LOG_OTA, c->subject, "closed (%s)", why);
    if (c->acc)
        c->acc->binds--;
    c->state = CONN_CLOSING;
    c->dead = true;
    tw_remove(s, c);
    smsc_store_detach(s, c);
    epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    c->fd = -1;
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    s->nconns--;
    conn_free(s, c);
}

/* Close what was marked dead, and closing sessions whose output is out. */
static void close_dead(struct smsc *s)
{
    struct smsc_conn *c = s->conns;

    while (c) {
        struct smsc_conn *next = c->next;

        if (c->dead)
            smsc_conn_close(s, c, c->dead_why ? c->dead_why : "closed");
        else if (c->state == CONN_CLOSING && c->out.len == c->out_off)
            smsc_conn_close(s, c, "done");
        c = next;
    }
}

/* bind timer, enquire_link, close deadlines (section 7.2). Returns ms to the next, or -1. */
static int64_t conn_timers(struct smsc *s, int64_t now)
{
    const struct smsc_cfg *cfg = s->cfg;
    int64_t next = -1;

#define AT(t)                                                                                      \
    do {                                                                                           \
        int64_t d_ = (t)-now;                                                                      \
        if (next < 0 || d_ < next)                                                                 \
            next = d_ < 0 ? 0 : d_;                                                                \
    } while (0)
    for (struct smsc_conn *c = s->conns; c; c = c->next) {
        if (c->dead)
            continue;
        if (c->state == CONN_OPEN) {
            if (now >= c->created_ms + cfg->bind_timeout)
                kill_conn(c, "no bind in time");
            else
                AT(c->created_ms + cfg->bind_timeout);
        } else if (c->state == CONN_CLOSING || c->state == CONN_UNBINDING) {
            if (now >= c->close_deadline_ms)
                kill_conn(c, c->state == CONN_CLOSING ? "could not flush" : "no unbind_resp");
            else
                AT(c->close_deadline_ms);
        } else if (cfg->enquire_link > 0) {
            if (c->enq_seq) {
                if (now >= c->enq_sent_ms + cfg->response_timeout)
                    kill_conn(c, "no enquire_link_resp");
                else
                    AT(c->enq_sent_ms + cfg->response_timeout);
            } else if (now >= c->last_rx_ms + cfg->enquire_link) {
                struct sm_smpp_pdu p = {.command_id = SM_SMPP_ENQUIRE_LINK};

                c->enq_seq = smsc_conn_next_seq(c);
                c->enq_sent_ms = now;
                p.sequence_number = c->enq_seq;
                smsc_conn_send(s, c, &p);
                AT(now + cfg->response_timeout);
            } else {
                AT(c->last_rx_ms + cfg->enquire_link);
            }
        }
    }
#undef AT
    return next;
}

/* Give tokens to the sessions waiting for them (throttle = delay). Returns ms to wait, -1. */
static int64_t throttle_timers(struct smsc *s, int64_t now)
{
    int64_t next = -1;
    struct smsc_conn *c = s->tw_head;

    while (c) {
        struct smsc_conn *following = c->tw_next;
        int64_t wg = smsc_bucket_wait(&s->tb, now), wa = smsc_bucket_wait(&c->acc->tb, now);

        if (wg == 0 && wa == 0) {
            tw_remove(s, c);
            c->throttle_wait = false;
            process_input(s, c); /* may wait again: then it is back at the tail */
        } else {
            int64_t w = wg > wa ? wg : wa;

            if (next < 0 || w < next)
                next = w;
        }
        c = following;
    }
    return next;
}

static void do_accept(struct smsc *s)
{
    for (;;) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);
        char host[INET6_ADDRSTRLEN] = "?";
        struct smsc_conn *c;
        struct epoll_event e;
        uint16_t port = 0;
        int one = 1;
        int fd = accept4(s->lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);

        if (fd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                SM_LOGW(SM_LOG_OTA, "smsc", "accept: %s", strerror(errno));
            return;
        }
        if (ss.ss_family == AF_INET) {
            inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host, sizeof(host));
            port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
        } else if (ss.ss_family == AF_INET6) {
            inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, host, sizeof(host));
            port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
        }
        if (s->stopping || s->nconns >= (size_t)s->cfg->max_connections) {
            SM_LOGW(SM_LOG_OTA, "smsc", "connection from %s:%u refused: %s", host, port,
                    s->stopping ? "stopping" : "smpp.max_connections reached");
            close(fd);
            continue;
        }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        c = calloc(1, sizeof(*c));
        if (c)
            c->rbuf = malloc(s->cfg->max_pdu);
        if (!c || !c->rbuf) {
            free(c);
            close(fd);
            SM_LOGE(SM_LOG_OTA, "smsc", "out of memory: connection refused");
            continue;
        }
        c->fd = fd;
        c->id = ++s->next_conn_id;
        c->state = CONN_OPEN;
        c->created_ms = c->last_rx_ms = smsc_now_ms();
        c->out.limit = 0;
        snprintf(c->peer, sizeof(c->peer), "%s:%u", host, port);
        snprintf(c->subject, sizeof(c->subject), "conn#%llu", (unsigned long long)c->id);
        c->events = EPOLLIN;
        e = (struct epoll_event){.events = EPOLLIN, .data.ptr = c};
        if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &e)) {
            conn_free(s, c);
            close(fd);
            continue;
        }
        c->next = s->conns;
        if (s->conns)
            s->conns->prev = c;
        s->conns = c;
        s->nconns++;
        SM_LOGD(SM_LOG_OTA, c->subject, "connection from %s", c->peer);
    }
}

static void begin_shutdown(struct smsc *s)
{
    int64_t now = smsc_now_ms();

    if (s->stopping)
        return;
    s->stopping = true;
    s->stop_deadline_ms = now + STOP_GRACE_MS;
    if (s->lfd >= 0) {
        epoll_ctl(s->epfd, EPOLL_CTL_DEL, s->lfd, NULL);
        close(s->lfd);
        s->lfd = -1;
    }
    /* 4.2: the SMSC may end a session with unbind too */
    for (struct smsc_conn *c = s->conns; c; c = c->next) {
        if (c->state == CONN_BOUND && !c->dead) {
            struct sm_smpp_pdu p = {.command_id = SM_SMPP_UNBIND};

            c->state = CONN_UNBINDING;
            c->unbind_seq = smsc_conn_next_seq(c);
            c->close_deadline_ms =
                now + (s->cfg->response_timeout < UNBIND_GRACE_MS ? s->cfg->response_timeout
                                                                  : UNBIND_GRACE_MS);
            p.sequence_number = c->unbind_seq;
            smsc_conn_send(s, c, &p);
        } else if (c->state == CONN_OPEN) {
            kill_conn(c, "stopping");
        }
    }
}

static void report(struct smsc *s)
{
    int rc;

    smsc_stats_print(s, stdout);
    fflush(stdout);
    if (s->cfg->stats_file && *s->cfg->stats_file) {
        rc = smsc_stats_write(s, s->cfg->stats_file);
        if (rc)
            SM_LOGE(SM_LOG_MAIN, s->cfg->stats_file, "cannot write the stats file: %s",
                    sm_strerror(rc));
    }
}

static void handle_signals(struct smsc *s)
{
    struct signalfd_siginfo si;

    while (read(s->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
        switch (si.ssi_signo) {
        case SIGUSR1:
            report(s);
            break;
        case SIGHUP:
            SM_LOGN(SM_LOG_MAIN, "smsc", "SIGHUP ignored: restart to apply configuration changes");
            break;
        default:
            SM_LOGN(SM_LOG_MAIN, "smsc", "%s received, stopping", strsignal((int)si.ssi_signo));
            begin_shutdown(s);
            break;
        }
    }
}

static int listen_on(struct smsc *s, char *why, size_t whylen)
{
    const struct sm_cfg_addr *a = &s->cfg->listen;
    struct sockaddr_storage ss = {0};
    struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
    socklen_t sl;
    int one = 1, rc;

    if (inet_pton(AF_INET, a->host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(a->port);
        sl = sizeof(*v4);
    } else if (inet_pton(AF_INET6, a->host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(a->port);
        sl = sizeof(*v6);
    } else {
        snprintf(why, whylen, "%s is not a numeric address", a->host);
        return -EINVAL;
    }
    s->lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->lfd < 0)
        goto err;
    setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(s->lfd, (struct sockaddr *)&ss, sl) || listen(s->lfd, 128))
        goto err;
    sl = sizeof(ss);
    if (getsockname(s->lfd, (struct sockaddr *)&ss, &sl))
        goto err;
    s->port = ntohs(ss.ss_family == AF_INET ? v4->sin_port : v6->sin6_port);
    return 0;
err:
    rc = -errno;
    snprintf(why, whylen, "cannot listen on %s port %u: %s", a->host, a->port, strerror(errno));
    return rc;
}

int smsc_server_init(struct smsc *s, const struct smsc_cfg *cfg, char *why, size_t whylen)
{
    struct epoll_event e;
    sigset_t set;
    int64_t now = smsc_now_ms();
    int rc;

    memset(s, 0, sizeof(*s));
    s->cfg = cfg;
    s->epfd = s->lfd = s->sigfd = -1;
    s->start_wall = time(NULL);
    s->start_ms = now;
    s->acc = calloc(cfg->naccounts ? cfg->naccounts : 1, sizeof(*s->acc));
    if (!s->acc) {
        snprintf(why, whylen, "out of memory");
        return -ENOMEM;
    }
    s->nacc = cfg->naccounts;
    for (size_t i = 0; i < s->nacc; i++) {
        struct smsc_account *a = &s->acc[i];

        snprintf(a->system_id, sizeof(a->system_id), "%s", cfg->account_names[i]);
        snprintf(a->password, sizeof(a->password), "%s", cfg->acc[i].password);
        a->max_binds = cfg->acc[i].max_binds;
        smsc_bucket_init(&a->tb, (double)cfg->acc[i].throughput, 0, now);
        if (smsc_routes_parse(cfg->acc[i].routes, &a->routes, &a->nroutes, why, whylen))
            return -EINVAL;
    }
    smsc_bucket_init(&s->tb, (double)cfg->throughput, (double)cfg->burst, now);
    s->seed = cfg->seed ? (uint64_t)cfg->seed
                        : (((uint64_t)s->start_wall << 20) ^ (uint64_t)getpid() ^ (uint64_t)now) &
                              INT64_MAX;
    smsc_rng_seed(&s->rng_loss, s->seed);
    smsc_rng_seed(&s->rng_jitter, s->seed ^ 0xa5a5a5a5deadbeefull);

    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGUSR1);
    signal(SIGPIPE, SIG_IGN);
    if (sigprocmask(SIG_BLOCK, &set, NULL) ||
        (s->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) < 0 ||
        (s->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0) {
        rc = -errno;
        snprintf(why, whylen, "cannot set up the event loop: %s", strerror(errno));
        return rc;
    }
    rc = listen_on(s, why, whylen);
    if (rc)
        return rc;
    e = (struct epoll_event){.events = EPOLLIN, .data.ptr = &s->lfd};
    if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->lfd, &e))
        goto err;
    e = (struct epoll_event){.events = EPOLLIN, .data.ptr = &s->sigfd};
    if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->sigfd, &e))
        goto err;
    return 0;
err:
    rc = -errno;
    snprintf(why, whylen, "epoll: %s", strerror(errno));
    return rc;
}

static int timeout_of(int64_t a, int64_t b)
{
    int64_t t = a < 0 ? b : b < 0 ? a : a < b ? a : b;

    return t < 0 ? -1 : t > 60000 ? 60000 : (int)t;
}

int smsc_server_run(struct smsc *s)
{
    struct epoll_event ev[64];

    for (;;) {
        int64_t now = smsc_now_ms(), t;
        int n;

        t = timeout_of(smsc_store_timers(s, now), conn_timers(s, now));
        t = timeout_of(t, throttle_timers(s, now));
        close_dead(s);
        if (s->stopping) {
            if (!s->nconns || now >= s->stop_deadline_ms)
                break;
            t = timeout_of(t, s->stop_deadline_ms - now);
        }
        n = epoll_wait(s->epfd, ev, 64, (int)t);
        if (n < 0 && errno != EINTR) {
            SM_LOGE(SM_LOG_MAIN, "smsc", "epoll_wait: %s", strerror(errno));
            return -errno;
        }
        for (int i = 0; i < n; i++) {
            if (ev[i].data.ptr == &s->lfd)
                do_accept(s);
            else if (ev[i].data.ptr == &s->sigfd)
                handle_signals(s);
            else
                handle_io(s, ev[i].data.ptr, ev[i].events);
        }
        close_dead(s);
    }
    while (s->conns) {
        kill_conn(s->conns, "stopped");
        smsc_conn_close(s, s->conns, "stopped");
    }
    report(s);
    return 0;
}

void smsc_server_free(struct smsc *s)
{
    while (s->conns)
        smsc_conn_close(s, s->conns, "stopped");
    smsc_store_free(s);
    for (size_t i = 0; i < s->nacc; i++)
        smsc_routes_free(s->acc[i].routes, s->acc[i].nroutes);
    free(s->acc);
    if (s->lfd >= 0)
        close(s->lfd);
    if (s->sigfd >= 0)
        close(s->sigfd);
    if (s->epfd >= 0)
        close(s->epfd);
    memset(s, 0, sizeof(*s));
}
