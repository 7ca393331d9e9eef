/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SMPP 3.4 PDU codec (pure: no I/O, no clock). libsmpp34 packs and unpacks the header and the
 * mandatory fields; this file does the rest, because of what libsmpp34 1.14 does with them:
 *
 * - smpp34_unpack reads C-octet strings with strlen() past the end of the buffer, allocates a
 *   TLV node before parsing it and leaks it when the TLV is truncated, reads integer TLVs with
 *   their fixed size whatever their length says (the rest of the stream is then misparsed),
 *   refuses command_status values it does not list, sequence number 0 and interface_version
 *   other than 0x34, and writes a log of every field into a 2048-byte global buffer without
 *   bounding it (a PDU with many TLVs overflows it).
 * - smpp34_pack refuses a 254-octet short_message (section 5.2.22 allows 254), truncates
 *   overlong strings silently, and caps octet TLVs (message_payload) at 1024 octets.
 *
 * So decoding first walks the whole PDU here (every string terminated within its maximum, TON
 * and NPI from the tables of section 5.2.5/5.2.6, TLV stream well formed), then hands
 * libsmpp34 only the mandatory part, NUL-padded, with the header values it would refuse
 * normalised; the real header values, short_message and the TLVs are taken by this code.
 * Encoding packs the mandatory part with libsmpp34 (sm_length 0, status 0), then appends the
 * short_message octets and the TLVs and patches command_length, command_status and
 * sequence_number. libsmpp34's globals (smpp34_strerror) make every call go through one lock.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <smpp34.h>
#include <smpp34_structs.h>
#include <smpp34_params.h>

#include "sm/smpp.h"

static pthread_mutex_t lib_lock = PTHREAD_MUTEX_INITIALIZER;

/* ---- mandatory-part layouts (section 4) ---- */

enum fkind {
    F_END,
    F_U8,
    F_TON,  /* section 5.2.5 */
    F_NPI,  /* section 5.2.6 */
    F_VER,  /* interface_version, section 5.2.4 */
    F_CSTR, /* C-octet string, size includes the NUL */
    F_SM,   /* sm_length and short_message, section 5.2.21-22 */
};

struct field {
    uint8_t kind, size;
    uint32_t status; /* what to answer when this field is bad */
    const char *name;
};

#define FEND                                                                                       \
    {                                                                                              \
        F_END, 0, 0, NULL                                                                          \
    }

static const struct field bind_fields[] = {
    {F_CSTR, SM_SMPP_SYSTEM_ID_SIZE, SM_SMPP_RINVSYSID, "system_id"},
    {F_CSTR, SM_SMPP_PASSWORD_SIZE, SM_SMPP_RINVPASWD, "password"},
    {F_CSTR, SM_SMPP_SYSTEM_TYPE_SIZE, SM_SMPP_RBINDFAIL, "system_type"},
    {F_VER, 0, SM_SMPP_RBINDFAIL, "interface_version"},
    {F_TON, 0, SM_SMPP_RBINDFAIL, "addr_ton"},
    {F_NPI, 0, SM_SMPP_RBINDFAIL, "addr_npi"},
    {F_CSTR, SM_SMPP_ADDRESS_RANGE_SIZE, SM_SMPP_RBINDFAIL, "address_range"},
    FEND,
};

static const struct field bind_resp_fields[] = {
    {F_CSTR, SM_SMPP_SYSTEM_ID_SIZE, SM_SMPP_RINVCMDLEN, "system_id"},
    FEND,
};

/* submit_sm and deliver_sm share the layout; deliver_sm's two times must be empty (4.6.1). */
#define SM_FIELDS(time_size)                                                                       \
    {F_CSTR, SM_SMPP_SERVICE_TYPE_SIZE, SM_SMPP_RINVCMDLEN, "service_type"},                       \
        {F_TON, 0, SM_SMPP_RINVSRCTON, "source_addr_ton"},                                         \
        {F_NPI, 0, SM_SMPP_RINVSRCNPI, "source_addr_npi"},                                         \
        {F_CSTR, SM_SMPP_ADDR_SIZE, SM_SMPP_RINVSRCADR, "source_addr"},                            \
        {F_TON, 0, SM_SMPP_RINVDSTTON, "dest_addr_ton"},                                           \
        {F_NPI, 0, SM_SMPP_RINVDSTNPI, "dest_addr_npi"},                                           \
        {F_CSTR, SM_SMPP_ADDR_SIZE, SM_SMPP_RINVDSTADR, "destination_addr"},                       \
        {F_U8, 0, 0, "esm_class"}, {F_U8, 0, 0, "protocol_id"}, {F_U8, 0, 0, "priority_flag"},     \
        {F_CSTR, time_size, SM_SMPP_RINVCMDLEN, "schedule_delivery_time"},                         \
        {F_CSTR, time_size, SM_SMPP_RINVEXPIRY, "validity_period"},                                \
        {F_U8, 0, 0, "registered_delivery"}, {F_U8, 0, 0, "replace_if_present_flag"},              \
        {F_U8, 0, 0, "data_coding"}, {F_U8, 0, 0, "sm_default_msg_id"},                            \
        {F_SM, SM_SMPP_SM_MAX, SM_SMPP_RINVMSGLEN, "short_message"}, FEND

static const struct field submit_fields[] = {SM_FIELDS(SM_SMPP_TIME_SIZE)};
static const struct field deliver_fields[] = {SM_FIELDS(1)};

static const struct field submit_resp_fields[] = {
    {F_CSTR, SM_SMPP_MSGID_SIZE, SM_SMPP_RINVCMDLEN, "message_id"},
    FEND,
};

/* deliver_sm_resp's message_id is "unused, set to NULL" (4.6.2); a filled one is tolerated. */
static const struct field deliver_resp_fields[] = {
    {F_CSTR, SM_SMPP_MSGID_SIZE, SM_SMPP_RINVCMDLEN, "message_id"},
    FEND,
};

enum body { B_NONE, B_BIND, B_BIND_RESP, B_SM, B_SUBMIT_RESP, B_DELIVER_RESP };

static const struct cmd {
    uint32_t id;
    const char *name;
    const struct field *fields; /* NULL: header only */
    enum body body;
    bool tlvs;          /* optional parameters allowed */
    bool omit_on_error; /* an error response goes without a body (4.1.2, 4.4.2) */
} cmds[] = {
    {SM_SMPP_GENERIC_NACK, "generic_nack", NULL, B_NONE, false, false},
    {SM_SMPP_BIND_RECEIVER, "bind_receiver", bind_fields, B_BIND, false, false},
    {SM_SMPP_BIND_RECEIVER_RESP, "bind_receiver_resp", bind_resp_fields, B_BIND_RESP, true, true},
    {SM_SMPP_BIND_TRANSMITTER, "bind_transmitter", bind_fields, B_BIND, false, false},
    {SM_SMPP_BIND_TRANSMITTER_RESP, "bind_transmitter_resp", bind_resp_fields, B_BIND_RESP, true,
     true},
    {SM_SMPP_SUBMIT_SM, "submit_sm", submit_fields, B_SM, true, false},
    {SM_SMPP_SUBMIT_SM_RESP, "submit_sm_resp", submit_resp_fields, B_SUBMIT_RESP, false, true},
    {SM_SMPP_DELIVER_SM, "deliver_sm", deliver_fields, B_SM, true, false},
    {SM_SMPP_DELIVER_SM_RESP, "deliver_sm_resp", deliver_resp_fields, B_DELIVER_RESP, false, false},
    {SM_SMPP_UNBIND, "unbind", NULL, B_NONE, false, false},
    {SM_SMPP_UNBIND_RESP, "unbind_resp", NULL, B_NONE, false, false},
    {SM_SMPP_BIND_TRANSCEIVER, "bind_transceiver", bind_fields, B_BIND, false, false},
    {SM_SMPP_BIND_TRANSCEIVER_RESP, "bind_transceiver_resp", bind_resp_fields, B_BIND_RESP, true,
     true},
    {SM_SMPP_ENQUIRE_LINK, "enquire_link", NULL, B_NONE, false, false},
    {SM_SMPP_ENQUIRE_LINK_RESP, "enquire_link_resp", NULL, B_NONE, false, false},
};

/* Commands of SMPP 3.4 this code does not handle: named in logs only. */
static const struct {
    uint32_t id;
    const char *name;
} other_names[] = {
    {0x00000003, "query_sm"},          {0x80000003, "query_sm_resp"},
    {0x00000007, "replace_sm"},        {0x80000007, "replace_sm_resp"},
    {0x00000008, "cancel_sm"},         {0x80000008, "cancel_sm_resp"},
    {0x0000000b, "outbind"},           {0x00000021, "submit_multi"},
    {0x80000021, "submit_multi_resp"}, {0x00000102, "alert_notification"},
    {0x00000103, "data_sm"},           {0x80000103, "data_sm_resp"},
};

static const struct cmd *find_cmd(uint32_t id)
{
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        if (cmds[i].id == id)
            return &cmds[i];
    return NULL;
}

const char *sm_smpp_command_name(uint32_t id)
{
    const struct cmd *c = find_cmd(id);

    if (c)
        return c->name;
    for (size_t i = 0; i < sizeof(other_names) / sizeof(other_names[0]); i++)
        if (other_names[i].id == id)
            return other_names[i].name;
    return "unknown";
}

static bool ton_valid(uint8_t v)
{
    return v <= 6; /* 5.2.5: unknown .. abbreviated */
}

static bool npi_valid(uint8_t v)
{
    /* 5.2.6 */
    return v == 0 || v == 1 || v == 3 || v == 4 || v == 6 || v == 8 || v == 9 || v == 10 ||
           v == 14 || v == 18;
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

int sm_smpp_frame_len(const uint8_t *buf, size_t have, size_t max_pdu, size_t *len)
{
    uint32_t cl;

    if (have < 4)
        return -EAGAIN;
    cl = get32(buf);
    if (cl < SM_SMPP_HEADER_LEN)
        return -EBADMSG;
    if (cl > max_pdu)
        return -EMSGSIZE;
    *len = cl;
    return 0;
}

void sm_smpp_pdu_free(struct sm_smpp_pdu *pdu)
{
    if (!pdu)
        return;
    free(pdu->storage);
    memset(pdu, 0, sizeof(*pdu));
}

/* ---- decoding ---- */

struct walk {
    size_t off[24]; /* offset of each mandatory field */
    size_t end;     /* end of the mandatory part */
    size_t sm_off;  /* short_message octets */
    uint8_t sm_len;
};

static int fail(struct sm_decode_err *err, uint32_t *status, uint32_t st, int rc, size_t off,
                const char *what, const char *name)
{
    *status = st;
    return sm_decode_fail(err, rc, off, "%s%s%s", name ? name : "", name ? ": " : "", what);
}

static int walk_fields(const struct field *f, const uint8_t *p, size_t len, struct walk *w,
                       uint32_t *status, struct sm_decode_err *err)
{
    size_t off = SM_SMPP_HEADER_LEN;

    for (size_t i = 0; f[i].kind != F_END; i++) {
        const struct field *fd = &f[i];

        w->off[i] = off;
        if (off >= len)
            return fail(err, status, SM_SMPP_RINVCMDLEN, -EBADMSG, off,
                        "the PDU ends before this field", fd->name);
        switch (fd->kind) {
        case F_U8:
        case F_VER:
            off++;
            break;
        case F_TON:
            if (!ton_valid(p[off]))
                return fail(err, status, fd->status, -EINVAL, off, "unknown TON", fd->name);
            off++;
            break;
        case F_NPI:
            if (!npi_valid(p[off]))
                return fail(err, status, fd->status, -EINVAL, off, "unknown NPI", fd->name);
            off++;
            break;
        case F_CSTR: {
            size_t room = len - off < fd->size ? len - off : fd->size;
            const uint8_t *nul = memchr(p + off, 0, room);

            if (!nul)
                return fail(err, status, fd->status, -EBADMSG, off,
                            room < fd->size ? "string not terminated before the PDU ends"
                                            : "string longer than allowed",
                            fd->name);
            off += (size_t)(nul - (p + off)) + 1;
            break;
        }
        case F_SM:
            w->sm_len = p[off];
            if (w->sm_len > fd->size)
                return fail(err, status, fd->status, -EBADMSG, off, "sm_length above 254",
                            fd->name);
            if (len - off - 1 < w->sm_len)
                return fail(err, status, fd->status, -EBADMSG, off,
                            "sm_length goes past the end of the PDU", fd->name);
            w->sm_off = off + 1;
            off += 1 + (size_t)w->sm_len;
            break;
        }
    }
    w->end = off;
    return 0;
}

/* The TLV stream after the mandatory part (section 3.3 / 5.3). Known parameters become fields;
 * for sm PDUs the others are copied, compacted, to other (room for len bytes). */
static int walk_tlvs(const struct cmd *cmd, const uint8_t *p, size_t len, size_t off,
                     const uint8_t *copy, uint8_t *other, struct sm_smpp_pdu *pdu, uint32_t *status,
                     struct sm_decode_err *err)
{
    bool seen_payload = false, seen_rid = false, seen_state = false, seen_umr = false;
    bool seen_ver = false;
    size_t nother = 0;

    if (off < len && !cmd->tlvs)
        return fail(err, status, SM_SMPP_RINVCMDLEN, -EBADMSG, off, "bytes after the last field",
                    cmd->name);
    while (off < len) {
        uint16_t tag, l;
        const uint8_t *v;

        if (len - off < 4)
            return fail(err, status, SM_SMPP_RINVOPTPARSTREAM, -EBADMSG, off,
                        "truncated optional parameter header", NULL);
        tag = get16(p + off);
        l = get16(p + off + 2);
        if (l > len - off - 4)
            return fail(err, status, SM_SMPP_RINVOPTPARSTREAM, -EBADMSG, off,
                        "optional parameter longer than the rest of the PDU", NULL);
        v = p + off + 4;
        if (cmd->body == B_BIND_RESP) {
            if (tag == SM_SMPP_TLV_SC_INTERFACE_VERSION) {
                if (seen_ver || l != 1)
                    return fail(err, status, SM_SMPP_RINVPARLEN, -EBADMSG, off,
                                seen_ver ? "repeated" : "length is not 1", "sc_interface_version");
                seen_ver = true;
                pdu->bind.has_sc_interface_version = true;
                pdu->bind.sc_interface_version = v[0];
            }
            /* other parameters of a bind response mean nothing to us: ignored (5.3) */
        } else if (tag == SM_SMPP_TLV_MESSAGE_PAYLOAD) {
            if (seen_payload)
                return fail(err, status, SM_SMPP_RINVOPTPARSTREAM, -EBADMSG, off, "repeated",
                            "message_payload");
            seen_payload = true;
            pdu->sm.ud = copy + off + 4;
            pdu->sm.ud_len = l;
            pdu->sm.payload = true;
        } else if (tag == SM_SMPP_TLV_RECEIPTED_MESSAGE_ID) {
            /* C-octet string, at most 65 octets with the NUL (5.3.2.12) */
            if (seen_rid || l == 0 || l > SM_SMPP_MSGID_SIZE || v[l - 1] != 0 ||
                memchr(v, 0, l) != v + l - 1)
                return fail(err, status, SM_SMPP_RINVPARLEN, -EBADMSG, off,
                            seen_rid ? "repeated" : "not a C-octet string of 1-65 octets",
                            "receipted_message_id");
            seen_rid = true;
            memcpy(pdu->sm.receipted_message_id, v, l);
        } else if (tag == SM_SMPP_TLV_MESSAGE_STATE) {
            if (seen_state || l != 1)
                return fail(err, status, SM_SMPP_RINVPARLEN, -EBADMSG, off,
                            seen_state ? "repeated" : "length is not 1", "message_state");
            if (v[0] < SM_SMPP_ENROUTE || v[0] > SM_SMPP_REJECTED)
                return fail(err, status, SM_SMPP_RINVOPTPARAMVAL, -EINVAL, off, "unknown state",
                            "message_state");
            seen_state = true;
            pdu->sm.has_message_state = true;
            pdu->sm.message_state = v[0];
        } else if (tag == SM_SMPP_TLV_USER_MESSAGE_REFERENCE) {
            if (seen_umr || l != 2)
                return fail(err, status, SM_SMPP_RINVPARLEN, -EBADMSG, off,
                            seen_umr ? "repeated" : "length is not 2", "user_message_reference");
            seen_umr = true;
            pdu->sm.has_user_message_reference = true;
            pdu->sm.user_message_reference = get16(v);
        } else {
            memcpy(other + nother, p + off, 4 + (size_t)l);
            nother += 4 + (size_t)l;
        }
        off += 4 + (size_t)l;
    }
    if (nother) {
        pdu->sm.other_tlvs = other;
        pdu->sm.other_tlvs_len = nother;
    }
    return 0;
}

static void copy_str(char *dst, size_t dsize, const uint8_t *src, size_t ssize)
{
    size_t n = strnlen((const char *)src, ssize);

    if (n >= dsize)
        n = dsize - 1;
    memcpy(dst, src, n);
    dst[n] = 0;
}

#define COPY(dst, src) copy_str((dst), sizeof(dst), (src), sizeof(src))

/* The fields submit_sm_t and deliver_sm_t share (libsmpp34 has two types for one layout; the
 * two times exist only in submit_sm as far as we keep them). */
#define SM_FIELDS_FROM(s, m)                                                                       \
    do {                                                                                           \
        COPY((s)->service_type, (m)->service_type);                                                \
        (s)->source_addr_ton = (m)->source_addr_ton;                                               \
        (s)->source_addr_npi = (m)->source_addr_npi;                                               \
        COPY((s)->source_addr, (m)->source_addr);                                                  \
        (s)->dest_addr_ton = (m)->dest_addr_ton;                                                   \
        (s)->dest_addr_npi = (m)->dest_addr_npi;                                                   \
        COPY((s)->destination_addr, (m)->destination_addr);                                        \
        (s)->esm_class = (m)->esm_class;                                                           \
        (s)->protocol_id = (m)->protocol_id;                                                       \
        (s)->priority_flag = (m)->priority_flag;                                                   \
        (s)->registered_delivery = (m)->registered_delivery;                                       \
        (s)->replace_if_present_flag = (m)->replace_if_present_flag;                               \
        (s)->data_coding = (m)->data_coding;                                                       \
        (s)->sm_default_msg_id = (m)->sm_default_msg_id;                                           \
    } while (0)

union lib_pdu {
    bind_transmitter_t bind_tx;
    bind_receiver_t bind_rx;
    bind_transceiver_t bind_trx;
    bind_transmitter_resp_t bind_tx_resp;
    bind_receiver_resp_t bind_rx_resp;
    bind_transceiver_resp_t bind_trx_resp;
    submit_sm_t submit;
    submit_sm_resp_t submit_resp;
    deliver_sm_t deliver;
    deliver_sm_resp_t deliver_resp;
    generic_nack_t nack;
};

/* The last entry of libsmpp34's field log ("[name:value(reason)]") into err. Lock held. */
static void lib_error(struct sm_decode_err *err, size_t off, const char *what)
{
    const char *last = strrchr(smpp34_strerror, '[');

    sm_decode_fail(err, 0, off, "libsmpp34 %s: %.80s", what, last ? last : "(no detail)");
}

/* Fill the bind/sm members from what libsmpp34 unpacked. */
static void fill_from_lib(const struct cmd *cmd, const union lib_pdu *u, struct sm_smpp_pdu *pdu)
{
    switch (cmd->body) {
    case B_BIND:
        /* the three bind PDUs have the same body (4.1.1, 4.1.3, 4.1.5) */
        COPY(pdu->bind.system_id, u->bind_trx.system_id);
        COPY(pdu->bind.password, u->bind_trx.password);
        COPY(pdu->bind.system_type, u->bind_trx.system_type);
        pdu->bind.addr_ton = u->bind_trx.addr_ton;
        pdu->bind.addr_npi = u->bind_trx.addr_npi;
        COPY(pdu->bind.address_range, u->bind_trx.address_range);
        break;
    case B_BIND_RESP:
        COPY(pdu->bind.system_id, u->bind_trx_resp.system_id);
        break;
    case B_SUBMIT_RESP:
        COPY(pdu->message_id, u->submit_resp.message_id);
        break;
    case B_SM: {
        /* submit_sm_t and deliver_sm_t differ only in the size of the two times */
        struct sm_smpp_sm *s = &pdu->sm;

        if (cmd->id == SM_SMPP_SUBMIT_SM) {
            SM_FIELDS_FROM(s, &u->submit);
            COPY(s->schedule_delivery_time, u->submit.schedule_delivery_time);
            COPY(s->validity_period, u->submit.validity_period);
        } else {
            SM_FIELDS_FROM(s, &u->deliver);
        }
        break;
    }
    case B_NONE:
    case B_DELIVER_RESP:
        break;
    }
}

int sm_smpp_decode(const uint8_t *frame, size_t len, struct sm_smpp_pdu *pdu, uint32_t *status,
                   struct sm_decode_err *err)
{
    const struct cmd *cmd;
    struct walk w = {0};
    union lib_pdu u;
    uint32_t st_ignored, cl;
    uint8_t *lib = NULL, *copy, *other, *smbuf;
    size_t liblen;
    int rc;

    if (!status)
        status = &st_ignored;
    *status = SM_SMPP_ROK;
    memset(pdu, 0, sizeof(*pdu));
    if (len < SM_SMPP_HEADER_LEN)
        return fail(err, status, SM_SMPP_RINVCMDLEN, -EBADMSG, 0, "shorter than the header", NULL);
    cl = get32(frame);
    pdu->command_id = get32(frame + 4);
    pdu->command_status = get32(frame + 8);
    pdu->sequence_number = get32(frame + 12);
    if (cl != len)
        return fail(err, status, SM_SMPP_RINVCMDLEN, -EBADMSG, 0,
                    "command_length differs from the PDU's size", NULL);
    cmd = find_cmd(pdu->command_id);
    if (!cmd)
        return fail(err, status, SM_SMPP_RINVCMDID, -ENOTSUP, 4, "command not supported",
                    sm_smpp_command_name(pdu->command_id));
    /* an error response's body (if any) means nothing (4.1.2, 4.4.2) */
    if ((pdu->command_id & SM_SMPP_RESP) && pdu->command_status != SM_SMPP_ROK)
        return 0;
    if (!cmd->fields) {
        if (len != SM_SMPP_HEADER_LEN)
            return fail(err, status, SM_SMPP_RINVCMDLEN, -EBADMSG, SM_SMPP_HEADER_LEN,
                        "this PDU has no body", cmd->name);
    } else {
        rc = walk_fields(cmd->fields, frame, len, &w, status, err);
        if (rc)
            return rc;
    }
    if (!cmd->fields)
        w.end = SM_SMPP_HEADER_LEN;

    /* own storage: the frame, the other TLVs compacted, the short_message */
    pdu->storage = malloc(2 * len + SM_SMPP_SM_MAX);
    if (!pdu->storage)
        return fail(err, status, SM_SMPP_RSYSERR, -ENOMEM, 0, "out of memory", NULL);
    copy = pdu->storage;
    other = copy + len;
    smbuf = other + len;
    memcpy(copy, frame, len);
    rc = walk_tlvs(cmd, frame, len, w.end, copy, other, pdu, status, err);
    if (rc)
        return rc;
    if (cmd->body == B_SM && pdu->sm.payload && w.sm_len)
        return fail(err, status, SM_SMPP_RINVMSGLEN, -EBADMSG, w.sm_off - 1,
                    "short_message and message_payload both present (5.3.2.32)", NULL);

    /* libsmpp34 gets the mandatory part only, NUL-padded so its strlen() stops in bounds */
    liblen = cmd->body == B_DELIVER_RESP ? SM_SMPP_HEADER_LEN + 1 : w.end;
    lib = calloc(1, liblen + 8);
    if (!lib)
        return fail(err, status, SM_SMPP_RSYSERR, -ENOMEM, 0, "out of memory", NULL);
    memcpy(lib, frame, cmd->body == B_DELIVER_RESP ? SM_SMPP_HEADER_LEN : w.end);
    put32(lib, (uint32_t)liblen);
    put32(lib + 8, SM_SMPP_ROK); /* requests carry 0 (3.2); libsmpp34 refuses codes it lacks */
    put32(lib + 12, 1);          /* it also refuses sequence number 0 */
    if (cmd->body == B_BIND) {
        pdu->bind.interface_version = frame[w.off[3]];
        lib[w.off[3]] = SMPP_VERSION; /* 3.3 peers send 0x33 or less (5.2.4) */
    }
    memset(&u, 0, sizeof(u));
    pthread_mutex_lock(&lib_lock);
    rc = smpp34_unpack(pdu->command_id, &u, lib, (int)liblen);
    if (rc)
        lib_error(err, 0, "refused the PDU");
    pthread_mutex_unlock(&lib_lock);
    free(lib);
    if (rc) {
        *status = SM_SMPP_RSYSERR;
        return -EINVAL;
    }
    fill_from_lib(cmd, &u, pdu);
    if (cmd->body == B_SM && !pdu->sm.payload) {
        const uint8_t *sm =
            cmd->id == SM_SMPP_SUBMIT_SM ? u.submit.short_message : u.deliver.short_message;
        uint8_t n = cmd->id == SM_SMPP_SUBMIT_SM ? u.submit.sm_length : u.deliver.sm_length;

        memcpy(smbuf, sm, n);
        pdu->sm.ud = smbuf;
        pdu->sm.ud_len = n;
    }
    return 0;
}

/* ---- encoding ---- */

static bool str_fits(const char *s, size_t size)
{
    return strnlen(s, size) < size;
}

/* Copy a string already checked with str_fits into a libsmpp34 array of the same size. */
static void put_str(uint8_t *dst, const char *src)
{
    memcpy(dst, src, strlen(src) + 1);
}

static int tlv_append(struct sm_buf *out, uint16_t tag, const void *v, size_t l)
{
    uint8_t h[4] = {(uint8_t)(tag >> 8), (uint8_t)tag, (uint8_t)(l >> 8), (uint8_t)l};
    int rc = sm_buf_append(out, h, 4);

    return rc ? rc : sm_buf_append(out, v, l);
}

/* other_tlvs must be a well-formed stream without the parameters this code writes itself. */
static bool other_tlvs_valid(const uint8_t *p, size_t len)
{
    size_t off = 0;

    if (len && !p)
        return false;
    while (off < len) {
        uint16_t tag, l;

        if (len - off < 4)
            return false;
        tag = get16(p + off);
        l = get16(p + off + 2);
        if (l > len - off - 4)
            return false;
        if (tag == SM_SMPP_TLV_MESSAGE_PAYLOAD || tag == SM_SMPP_TLV_RECEIPTED_MESSAGE_ID ||
            tag == SM_SMPP_TLV_MESSAGE_STATE || tag == SM_SMPP_TLV_USER_MESSAGE_REFERENCE)
            return false;
        off += 4 + (size_t)l;
    }
    return true;
}

static int check_sm(const struct sm_smpp_sm *s, bool deliver)
{
    if (!str_fits(s->service_type, sizeof(s->service_type)) ||
        !str_fits(s->source_addr, sizeof(s->source_addr)) ||
        !str_fits(s->destination_addr, sizeof(s->destination_addr)) ||
        !str_fits(s->schedule_delivery_time, sizeof(s->schedule_delivery_time)) ||
        !str_fits(s->validity_period, sizeof(s->validity_period)) ||
        !str_fits(s->receipted_message_id, sizeof(s->receipted_message_id)))
        return -EINVAL;
    if (deliver && (s->schedule_delivery_time[0] || s->validity_period[0]))
        return -EINVAL; /* 4.6.1: both NULL in deliver_sm */
    if (s->ud_len && !s->ud)
        return -EINVAL;
    if (s->ud_len > SM_SMPP_PAYLOAD_MAX)
        return -EMSGSIZE;
    if (!other_tlvs_valid(s->other_tlvs, s->other_tlvs_len))
        return -EINVAL;
    return 0;
}

static void fill_lib_sm(const struct sm_smpp_sm *s, bool deliver, union lib_pdu *u)
{
    /* the field names are the same in both structs; the times stay empty in deliver_sm */
#define FILL(m)                                                                                    \
    do {                                                                                           \
        put_str((m)->service_type, s->service_type);                                               \
        (m)->source_addr_ton = s->source_addr_ton;                                                 \
        (m)->source_addr_npi = s->source_addr_npi;                                                 \
        put_str((m)->source_addr, s->source_addr);                                                 \
        (m)->dest_addr_ton = s->dest_addr_ton;                                                     \
        (m)->dest_addr_npi = s->dest_addr_npi;                                                     \
        put_str((m)->destination_addr, s->destination_addr);                                       \
        (m)->esm_class = s->esm_class;                                                             \
        (m)->protocol_id = s->protocol_id;                                                         \
        (m)->priority_flag = s->priority_flag;                                                     \
        (m)->registered_delivery = s->registered_delivery;                                         \
        (m)->replace_if_present_flag = s->replace_if_present_flag;                                 \
        (m)->data_coding = s->data_coding;                                                         \
        (m)->sm_default_msg_id = s->sm_default_msg_id;                                             \
        (m)->sm_length = 0; /* the octets are appended by encode() */                              \
    } while (0)
    if (deliver) {
        FILL(&u->deliver);
    } else {
        FILL(&u->submit);
        put_str(u->submit.schedule_delivery_time, s->schedule_delivery_time);
        put_str(u->submit.validity_period, s->validity_period);
    }
#undef FILL
}

int sm_smpp_encode(const struct sm_smpp_pdu *pdu, struct sm_buf *out)
{
    const struct cmd *cmd = find_cmd(pdu->command_id);
    const struct sm_smpp_sm *s = &pdu->sm;
    bool header_only, use_payload = false;
    uint8_t tmp[512];
    union lib_pdu u;
    size_t start = out->len, total;
    int packed = 0, rc;

    if (!cmd)
        return -EINVAL;
    header_only = !cmd->fields || (cmd->omit_on_error && pdu->command_status != SM_SMPP_ROK);
    memset(&u, 0, sizeof(u));
    u.nack.command_id = pdu->command_id;
    u.nack.sequence_number = 1; /* patched below: libsmpp34 refuses 0 */
    if (!header_only) {
        switch (cmd->body) {
        case B_BIND: {
            const struct sm_smpp_bind *b = &pdu->bind;

            if (!str_fits(b->system_id, sizeof(b->system_id)) ||
                !str_fits(b->password, sizeof(b->password)) ||
                !str_fits(b->system_type, sizeof(b->system_type)) ||
                !str_fits(b->address_range, sizeof(b->address_range)))
                return -EINVAL;
            put_str(u.bind_trx.system_id, b->system_id);
            put_str(u.bind_trx.password, b->password);
            put_str(u.bind_trx.system_type, b->system_type);
            u.bind_trx.interface_version = SMPP_VERSION; /* patched below if different */
            u.bind_trx.addr_ton = b->addr_ton;
            u.bind_trx.addr_npi = b->addr_npi;
            put_str(u.bind_trx.address_range, b->address_range);
            break;
        }
        case B_BIND_RESP:
            if (!str_fits(pdu->bind.system_id, sizeof(pdu->bind.system_id)))
                return -EINVAL;
            put_str(u.bind_trx_resp.system_id, pdu->bind.system_id);
            break;
        case B_SUBMIT_RESP:
            if (!str_fits(pdu->message_id, sizeof(pdu->message_id)))
                return -EINVAL;
            put_str(u.submit_resp.message_id, pdu->message_id);
            break;
        case B_SM:
            rc = check_sm(s, cmd->id == SM_SMPP_DELIVER_SM);
            if (rc)
                return rc;
            use_payload = s->payload || s->ud_len > SM_SMPP_SM_MAX;
            fill_lib_sm(s, cmd->id == SM_SMPP_DELIVER_SM, &u);
            break;
        case B_DELIVER_RESP: /* message_id stays NULL (4.6.2) */
        case B_NONE:
            break;
        }
    }
    pthread_mutex_lock(&lib_lock);
    rc = smpp34_pack(header_only ? SM_SMPP_GENERIC_NACK : pdu->command_id, tmp, (int)sizeof(tmp),
                     &packed, &u);
    pthread_mutex_unlock(&lib_lock);
    if (rc || packed < SM_SMPP_HEADER_LEN || (size_t)packed > sizeof(tmp))
        return -EINVAL; /* a TON or NPI libsmpp34 does not know */
    if (!header_only && cmd->body == B_BIND && pdu->bind.interface_version &&
        pdu->bind.interface_version != SMPP_VERSION) {
        size_t off = SM_SMPP_HEADER_LEN + strlen(pdu->bind.system_id) + 1 +
                     strlen(pdu->bind.password) + 1 + strlen(pdu->bind.system_type) + 1;

        tmp[off] = pdu->bind.interface_version;
    }
    if (!header_only && cmd->body == B_SM && !use_payload)
        tmp[packed - 1] = (uint8_t)s->ud_len; /* sm_length is the last mandatory octet */
    rc = sm_buf_append(out, tmp, (size_t)packed);
    if (!rc && !header_only && cmd->body == B_SM) {
        if (!use_payload && s->ud_len)
            rc = sm_buf_append(out, s->ud, s->ud_len);
        if (!rc && use_payload)
            rc = tlv_append(out, SM_SMPP_TLV_MESSAGE_PAYLOAD, s->ud, s->ud_len);
        if (!rc && s->receipted_message_id[0])
            rc = tlv_append(out, SM_SMPP_TLV_RECEIPTED_MESSAGE_ID, s->receipted_message_id,
                            strlen(s->receipted_message_id) + 1);
        if (!rc && s->has_message_state)
            rc = tlv_append(out, SM_SMPP_TLV_MESSAGE_STATE, &s->message_state, 1);
        if (!rc && s->has_user_message_reference) {
            uint8_t v[2] = {(uint8_t)(s->user_message_reference >> 8),
                            (uint8_t)s->user_message_reference};

            rc = tlv_append(out, SM_SMPP_TLV_USER_MESSAGE_REFERENCE, v, 2);
        }
        if (!rc && s->other_tlvs_len)
            rc = sm_buf_append(out, s->other_tlvs, s->other_tlvs_len);
    }
    if (!rc && !header_only && cmd->body == B_BIND_RESP && pdu->bind.has_sc_interface_version)
        rc = tlv_append(out, SM_SMPP_TLV_SC_INTERFACE_VERSION, &pdu->bind.sc_interface_version, 1);
    total = out->len - start;
    if (!rc && total > UINT32_MAX)
        rc = -EMSGSIZE;
    if (rc) {
        if (out->data) {
            out->len = start;
            out->data[start] = 0;
        }
        return rc;
    }
    put32(out->data + start, (uint32_t)total);
    put32(out->data + start + 8, pdu->command_status);
    put32(out->data + start + 12, pdu->sequence_number);
    return 0;
}
