/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Store and forward. Every message held is in one min-heap keyed by its next timer, and in at
 * most one list: a session's queue (routed, window full), a session's in-flight list, or the
 * unrouted list (no session to take it yet). State machine:
 *
 *   submit_sm accepted -> WAIT (latency, jitter, schedule_delivery_time)
 *   WAIT due            -> routed: QUEUED on the best session, sent as soon as its window
 *                          allows -> INFLIGHT; not routable: UNROUTED until a session binds
 *   deliver_sm_resp OK  -> delivered (receipt if asked)
 *   resp error, timeout -> WAIT again after a back-off (doubling, capped); the receiver's
 *                          ESME_RX_P_APPN / ESME_RX_R_APPN end it as undeliverable
 *   validity ends       -> expired (receipt if asked)
 *
 * Receipts (SMPP 3.4 Appendix B, esm_class 0x04) are messages too, routed to the originator's
 * receiving sessions.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sm/log.h"
#include "smsc.h"

#define OUT_HIGH_WATER (1u << 20) /* stop feeding a session that does not read */

/* ---- lists ---- */

static void list_push(struct smsc_list *l, struct smsc_msg *m)
{
    m->next = NULL;
    m->prev = l->tail;
    if (l->tail)
        l->tail->next = m;
    else
        l->head = m;
    l->tail = m;
    l->n++;
}

static void list_remove(struct smsc_list *l, struct smsc_msg *m)
{
    if (m->prev)
        m->prev->next = m->next;
    else
        l->head = m->next;
    if (m->next)
        m->next->prev = m->prev;
    else
        l->tail = m->prev;
    m->prev = m->next = NULL;
    l->n--;
}

/* ---- timer heap ---- */

static void heap_set(struct smsc *s, size_t i, struct smsc_msg *m)
{
    s->heap[i] = m;
    m->heap_idx = i;
}

static void sift_up(struct smsc *s, size_t i)
{
    struct smsc_msg *m = s->heap[i];

    while (i > 0) {
        size_t parent = (i - 1) / 2;

        if (s->heap[parent]->at <= m->at)
            break;
        heap_set(s, i, s->heap[parent]);
        i = parent;
    }
    heap_set(s, i, m);
}

static void sift_down(struct smsc *s, size_t i)
{
    struct smsc_msg *m = s->heap[i];

    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, min = i;
        int64_t at = m->at;

        if (l < s->nheap && s->heap[l]->at < at) {
            min = l;
            at = s->heap[l]->at;
        }
        if (r < s->nheap && s->heap[r]->at < at)
            min = r;
        if (min == i)
            break;
        heap_set(s, i, s->heap[min]);
        i = min;
    }
    heap_set(s, i, m);
}

static int heap_insert(struct smsc *s, struct smsc_msg *m)
{
    if (s->nheap == s->capheap) {
        size_t cap = s->capheap ? 2 * s->capheap : 256;
        struct smsc_msg **h = realloc(s->heap, cap * sizeof(*h));

        if (!h)
            return -ENOMEM;
        s->heap = h;
        s->capheap = cap;
    }
    heap_set(s, s->nheap++, m);
    sift_up(s, m->heap_idx);
    return 0;
}

static void heap_remove(struct smsc *s, struct smsc_msg *m)
{
    size_t i = m->heap_idx;
    struct smsc_msg *last = s->heap[--s->nheap];

    if (i == s->nheap)
        return;
    heap_set(s, i, last);
    sift_up(s, i);
    sift_down(s, last->heap_idx);
}

/* Messages are always in the heap once stored; this moves their timer. */
static void reschedule(struct smsc *s, struct smsc_msg *m, int64_t at)
{
    m->at = at;
    sift_up(s, m->heap_idx);
    sift_down(s, m->heap_idx);
}

/* ---- messages ---- */

static void msg_free(struct smsc *s, struct smsc_msg *m)
{
    heap_remove(s, m);
    sm_smpp_pdu_free(&m->pdu);
    free(m->receipt_text);
    free(m);
    s->nmsgs--;
}

static void count(struct smsc *s, struct smsc_account *a, size_t field)
{
    /* the same member in the account's and the global counters */
    (*(uint64_t *)(void *)((char *)&s->total + field))++;
    if (a)
        (*(uint64_t *)(void *)((char *)&a->cnt + field))++;
}

#define COUNT(s, a, f) count((s), (a), offsetof(struct smsc_counters, f))

static struct smsc_msg *msg_new(struct smsc *s)
{
    struct smsc_msg *m = calloc(1, sizeof(*m));

    if (!m)
        return NULL;
    m->n = ++s->next_msg;
    /* unique per run and start time, at most 24 characters (message_id allows 64) */
    snprintf(m->id, sizeof(m->id), "%08llX%08llX", (unsigned long long)s->start_wall & 0xffffffffu,
             (unsigned long long)m->n);
    m->at = smsc_now_ms();
    if (heap_insert(s, m)) {
        free(m);
        return NULL;
    }
    s->nmsgs++;
    return m;
}

/* The best bound receiving session for m, or NULL. */
static struct smsc_conn *route(struct smsc *s, const struct smsc_msg *m)
{
    const char *dest = m->pdu.sm.destination_addr;
    struct smsc_conn *best = NULL;
    int best_score = -1;
    size_t best_load = 0;

    for (struct smsc_conn *c = s->conns; c; c = c->next) {
        int score;
        size_t load;

        if (c->state != CONN_BOUND || !c->rx || c->dead)
            continue;
        if (m->is_receipt) {
            if (c->acc != m->to_acc)
                continue;
            score = 0;
        } else {
            int rs = smsc_routes_score(c->acc->routes, c->acc->nroutes, dest);
            int as = smsc_range_score(c, dest);

            /* doubled so that an address_range beats a route of the same length */
            score = as >= 0 && 2 * as + 1 > 2 * rs ? 2 * as + 1 : rs >= 0 ? 2 * rs : -1;
            if (score < 0)
                continue;
        }
        load = c->queue.n + c->inflight.n;
        if (score > best_score || (score == best_score && load < best_load)) {
            best = c;
            best_score = score;
            best_load = load;
        }
    }
    return best;
}

static bool routable(const struct smsc *s, const char *dest)
{
    for (size_t i = 0; i < s->nacc; i++)
        if (smsc_routes_score(s->acc[i].routes, s->acc[i].nroutes, dest) >= 0)
            return true;
    for (const struct smsc_conn *c = s->conns; c; c = c->next)
        if (c->state == CONN_BOUND && c->rx && smsc_range_score(c, dest) >= 0)
            return true;
    return false;
}

/* Route m now: onto a session's queue (and send what its window allows), or unrouted. */
static void make_ready(struct smsc *s, struct smsc_msg *m)
{
    struct smsc_conn *c = route(s, m);

    if (!c) {
        m->state = MSG_UNROUTED;
        m->conn = NULL;
        list_push(&s->unrouted, m);
        reschedule(s, m, m->expiry_ms);
        SM_LOGD(SM_LOG_OTA, m->id, "no session for %s: stored", m->pdu.sm.destination_addr);
        return;
    }
    m->state = MSG_QUEUED;
    m->conn = c;
    list_push(&c->queue, m);
    reschedule(s, m, m->expiry_ms);
    smsc_store_pump(s, c);
}

void smsc_store_pump(struct smsc *s, struct smsc_conn *c)
{
    while (c->state == CONN_BOUND && !c->dead && c->queue.head &&
           c->inflight.n < (size_t)s->cfg->window && c->out.len - c->out_off < OUT_HIGH_WATER) {
        struct smsc_msg *m = c->queue.head;

        list_remove(&c->queue, m);
        m->seq = smsc_conn_next_seq(c);
        m->pdu.sequence_number = m->seq;
        m->state = MSG_INFLIGHT;
        m->attempts++;
        list_push(&c->inflight, m);
        reschedule(s, m, smsc_now_ms() + s->cfg->response_timeout);
        SM_LOGD(SM_LOG_OTA, m->id, "deliver_sm to %s (%s) attempt %u seq %u",
                m->pdu.sm.destination_addr, c->subject, m->attempts, m->seq);
        if (smsc_conn_send(s, c, &m->pdu))
            break; /* the session is closing; detach requeues m */
    }
}

/* A receipt for m (which the caller frees afterwards). */
static void make_receipt(struct smsc *s, const struct smsc_msg *m, uint8_t state, uint32_t err)
{
    struct sm_smpp_receipt r = {0};
    struct smsc_msg *rm;
    char text[200];
    int n;

    if (s->nmsgs >= (size_t)s->cfg->queue_limit || !(rm = msg_new(s))) {
        s->receipts_dropped++;
        SM_LOGW(SM_LOG_OTA, m->id, "receipt dropped: store full");
        return;
    }
    snprintf(r.id, sizeof(r.id), "%s", m->id);
    r.sub = 1;
    r.dlvrd = state == SM_SMPP_DELIVERED;
    r.err = err % 1000;
    r.submit_date = m->submit_wall;
    r.done_date = time(NULL);
    r.state = state;
    sm_smpp_receipt_set_text(&r, m->pdu.sm.ud, m->pdu.sm.ud_len);
    n = sm_smpp_receipt_format(&r, text, sizeof(text));
    rm->receipt_text = n > 0 ? (uint8_t *)strndup(text, (size_t)n) : NULL;
    if (!rm->receipt_text) {
        s->receipts_dropped++;
        msg_free(s, rm);
        return;
    }
    rm->is_receipt = true;
    rm->from = rm->to_acc = m->from;
    rm->submit_wall = r.done_date;
    rm->expiry_ms = smsc_now_ms() + s->cfg->validity * 1000;
    rm->pdu.command_id = SM_SMPP_DELIVER_SM;
    rm->pdu.sm.source_addr_ton = m->pdu.sm.dest_addr_ton;
    rm->pdu.sm.source_addr_npi = m->pdu.sm.dest_addr_npi;
    memcpy(rm->pdu.sm.source_addr, m->pdu.sm.destination_addr, SM_SMPP_ADDR_SIZE);
    rm->pdu.sm.dest_addr_ton = m->pdu.sm.source_addr_ton;
    rm->pdu.sm.dest_addr_npi = m->pdu.sm.source_addr_npi;
    memcpy(rm->pdu.sm.destination_addr, m->pdu.sm.source_addr, SM_SMPP_ADDR_SIZE);
    rm->pdu.sm.esm_class = SM_SMPP_ESM_RECEIPT;
    rm->pdu.sm.ud = rm->receipt_text;
    rm->pdu.sm.ud_len = (size_t)n;
    memcpy(rm->pdu.sm.receipted_message_id, m->id, sizeof(m->id));
    rm->pdu.sm.has_message_state = true;
    rm->pdu.sm.message_state = state;
    SM_LOGD(SM_LOG_OTA, m->id, "receipt %s queued as %s", sm_smpp_state_stat(state), rm->id);
    rm->state = MSG_WAIT;
    make_ready(s, rm);
}

static bool wants_receipt(const struct smsc_msg *m, bool success)
{
    uint8_t rd = m->registered_delivery & SM_SMPP_RD_MASK;

    return !m->is_receipt && (rd == SM_SMPP_RD_ALWAYS || (!success && rd == SM_SMPP_RD_FAILURE));
}

/* m left every list: its life ends with state (DELIVERED, EXPIRED, UNDELIVERABLE). */
static void finish(struct smsc *s, struct smsc_msg *m, uint8_t state, uint32_t err)
{
    if (m->is_receipt) {
        if (state == SM_SMPP_DELIVERED)
            COUNT(s, m->to_acc, receipts);
        else
            s->receipts_dropped++;
    } else if (state == SM_SMPP_DELIVERED) {
        COUNT(s, m->from, delivered);
    } else if (state == SM_SMPP_EXPIRED) {
        COUNT(s, m->from, expired);
    } else {
        COUNT(s, m->from, undeliverable);
    }
    if (state != SM_SMPP_DELIVERED || sm_log_enabled(SM_LOG_OTA, SM_LOG_DEBUG))
        sm_log(SM_LOG_OTA, state == SM_SMPP_DELIVERED ? SM_LOG_DEBUG : SM_LOG_INFO, m->id,
               "%s %s to %s after %u attempt%s", m->is_receipt ? "receipt" : "message",
               sm_smpp_state_stat(state), m->pdu.sm.destination_addr, m->attempts,
               m->attempts == 1 ? "" : "s");
    if (wants_receipt(m, state == SM_SMPP_DELIVERED))
        make_receipt(s, m, state, err);
    msg_free(s, m);
}

/* Another attempt after a back-off, unless the validity period is over. */
static void retry(struct smsc *s, struct smsc_msg *m, int64_t now, uint32_t status)
{
    int64_t backoff = s->cfg->retry_initial;

    m->last_status = status;
    m->conn = NULL;
    if (now >= m->expiry_ms) {
        finish(s, m, SM_SMPP_EXPIRED, status);
        return;
    }
    COUNT(s, m->from, retried);
    for (unsigned i = 1; i < m->attempts && backoff < s->cfg->retry_max; i++)
        backoff *= 2;
    if (backoff > s->cfg->retry_max)
        backoff = s->cfg->retry_max;
    m->state = MSG_WAIT;
    reschedule(s, m, now + backoff < m->expiry_ms ? now + backoff : m->expiry_ms);
}

uint32_t smsc_store_submit(struct smsc *s, struct smsc_conn *conn, struct sm_smpp_pdu *pdu,
                           char id[SM_SMPP_MSGID_SIZE])
{
    const struct smsc_cfg *cfg = s->cfg;
    struct sm_smpp_sm *sm = &pdu->sm;
    int64_t now = smsc_now_ms(), delay = cfg->latency, validity_ms;
    time_t wall = time(NULL), t;
    struct smsc_msg *m;
    int rc;

    id[0] = 0;
    if (!sm->destination_addr[0])
        return SM_SMPP_RINVDSTADR;
    if (sm->esm_class & SM_SMPP_ESM_TYPE_MASK)
        return SM_SMPP_RINVESMCLASS; /* receipts and acks come from the SMSC, not to it */
    /* 5.2.15: validity_period, absolute or relative (7.1.1); none: the default */
    rc = sm_smpp_time_parse(sm->validity_period, wall, &t);
    if (rc == -ENOENT)
        validity_ms = cfg->validity * 1000;
    else if (rc || t <= wall)
        return SM_SMPP_RINVEXPIRY;
    else
        validity_ms = (t - wall) > 315360000 ? 315360000000 : (int64_t)(t - wall) * 1000;
    /* 5.2.14: schedule_delivery_time */
    rc = sm_smpp_time_parse(sm->schedule_delivery_time, wall, &t);
    if (rc && rc != -ENOENT)
        return SMSC_ESME_RINVSCHED;
    if (!rc && t > wall && (int64_t)(t - wall) * 1000 > delay)
        delay = (int64_t)(t - wall) * 1000;
    if (s->nmsgs >= (size_t)cfg->queue_limit)
        return SM_SMPP_RMSGQFUL;
    if (cfg->reject_unroutable && !routable(s, sm->destination_addr))
        return SM_SMPP_RINVDSTADR;
    m = msg_new(s);
    if (!m)
        return SM_SMPP_RSYSERR;
    /* the submitted PDU becomes the deliver_sm: same addresses, UDHI / reply path, PID, DCS,
     * octets and other parameters (4.6.1) */
    m->pdu = *pdu;
    memset(pdu, 0, sizeof(*pdu));
    m->registered_delivery = m->pdu.sm.registered_delivery;
    m->pdu.command_id = SM_SMPP_DELIVER_SM;
    m->pdu.command_status = SM_SMPP_ROK;
    m->pdu.sm.schedule_delivery_time[0] = 0;
    m->pdu.sm.validity_period[0] = 0;
    m->pdu.sm.esm_class &= SM_SMPP_ESM_UDHI | 0x80;
    m->pdu.sm.registered_delivery = 0;
    m->pdu.sm.replace_if_present_flag = 0;
    m->pdu.sm.sm_default_msg_id = 0;
    m->from = conn->acc;
    m->submit_wall = wall;
    m->expiry_ms = now + validity_ms;
    snprintf(id, SM_SMPP_MSGID_SIZE, "%s", m->id);
    COUNT(s, m->from, submitted);
    if (cfg->loss_rate > 0 && smsc_rng_unit(&s->rng_loss) < cfg->loss_rate) {
        COUNT(s, m->from, lost);
        SM_LOGD(SM_LOG_OTA, m->id, "to %s: lost", m->pdu.sm.destination_addr);
        msg_free(s, m);
        return SM_SMPP_ROK;
    }
    if (cfg->jitter)
        delay += (int64_t)(smsc_rng_next(&s->rng_jitter) % (uint64_t)(cfg->jitter + 1));
    SM_LOGD(SM_LOG_OTA, m->id, "from %s to %s: %zu octets, due in %lld ms", conn->subject,
            m->pdu.sm.destination_addr, m->pdu.sm.ud_len, (long long)delay);
    m->state = MSG_WAIT;
    /* through the timer heap even without latency: submit_sm_resp goes out first */
    reschedule(s, m, now + delay < m->expiry_ms ? now + delay : m->expiry_ms);
    return SM_SMPP_ROK;
}

void smsc_store_resp(struct smsc *s, struct smsc_conn *c, uint32_t seq, uint32_t status)
{
    struct smsc_msg *m = c->inflight.head;

    while (m && m->seq != seq)
        m = m->next;
    if (!m) {
        SM_LOGD(SM_LOG_OTA, c->subject, "deliver_sm_resp seq %u matches nothing in flight", seq);
        return;
    }
    list_remove(&c->inflight, m);
    if (status == SM_SMPP_ROK) {
        COUNT(s, c->acc, received);
        finish(s, m, SM_SMPP_DELIVERED, 0);
    } else if (status == SM_SMPP_RX_P_APPN || status == SM_SMPP_RX_R_APPN) {
        SM_LOGI(SM_LOG_OTA, m->id, "%s refused it: %s", c->subject, sm_smpp_status_name(status));
        finish(s, m, SM_SMPP_UNDELIVERABLE, status);
    } else {
        SM_LOGI(SM_LOG_OTA, m->id, "%s answered %s: retry", c->subject,
                sm_smpp_status_name(status));
        retry(s, m, smsc_now_ms(), status);
    }
    smsc_store_pump(s, c);
}

void smsc_store_bound(struct smsc *s, struct smsc_conn *c)
{
    struct smsc_list waiting = s->unrouted;

    /* everything stored may have found its session: route it again */
    memset(&s->unrouted, 0, sizeof(s->unrouted));
    while (waiting.head) {
        struct smsc_msg *m = waiting.head;

        list_remove(&waiting, m);
        make_ready(s, m);
    }
    smsc_store_pump(s, c);
}

void smsc_store_detach(struct smsc *s, struct smsc_conn *c)
{
    int64_t now = smsc_now_ms();

    /* in flight: the receiver may or may not have it; deliver again (a retry) right away */
    while (c->inflight.head) {
        struct smsc_msg *m = c->inflight.head;

        list_remove(&c->inflight, m);
        COUNT(s, m->from, retried);
        m->state = MSG_WAIT;
        m->conn = NULL;
        reschedule(s, m, now);
    }
    while (c->queue.head) {
        struct smsc_msg *m = c->queue.head;

        list_remove(&c->queue, m);
        m->state = MSG_WAIT;
        m->conn = NULL;
        reschedule(s, m, now);
    }
}

int64_t smsc_store_timers(struct smsc *s, int64_t now)
{
    while (s->nheap && s->heap[0]->at <= now) {
        struct smsc_msg *m = s->heap[0];
        struct smsc_conn *c = m->conn;

        switch (m->state) {
        case MSG_WAIT:
            if (now >= m->expiry_ms)
                finish(s, m, SM_SMPP_EXPIRED, m->last_status);
            else
                make_ready(s, m);
            break;
        case MSG_QUEUED:
            list_remove(&c->queue, m);
            finish(s, m, SM_SMPP_EXPIRED, m->last_status);
            break;
        case MSG_UNROUTED:
            list_remove(&s->unrouted, m);
            finish(s, m, SM_SMPP_EXPIRED, m->last_status);
            break;
        case MSG_INFLIGHT:
            list_remove(&c->inflight, m);
            SM_LOGI(SM_LOG_OTA, m->id, "no deliver_sm_resp from %s within %ld ms", c->subject,
                    s->cfg->response_timeout);
            retry(s, m, now, SM_SMPP_RUNKNOWNERR);
            smsc_store_pump(s, c);
            break;
        }
    }
    return s->nheap ? s->heap[0]->at - now : -1;
}

void smsc_store_free(struct smsc *s)
{
    while (s->nheap) {
        struct smsc_msg *m = s->heap[0];

        /* lists die with their sessions; only the memory matters here */
        msg_free(s, m);
    }
    free(s->heap);
    s->heap = NULL;
    s->capheap = 0;
    memset(&s->unrouted, 0, sizeof(s->unrouted));
}
