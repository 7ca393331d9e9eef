/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_SMPP_H
#define SM_SMPP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "sm/buf.h"
#include "sm/codec.h"

/*
 * SMPP 3.4 (SMPP Developers Forum, issue 1.2, 1999): the PDU codec that the ESME client and
 * smsc-sim share, and the ESME client the SM-SR and euicc-sim use to reach an SMSC.
 *
 * Codec (pure: no I/O, no clock): libsmpp34 encodes and decodes the header and the mandatory
 * fields; the short_message octets and the optional parameters (TLVs, section 5.3) are handled
 * here, because libsmpp34 cannot encode a 254-octet short_message, caps octet TLVs at 1024
 * octets and does not survive a malformed TLV stream (leak, misparse). Every decoded PDU is first
 * walked and checked by this code, so libsmpp34 only ever sees well-formed input.
 *
 * Client: one TCP connection per struct sm_smpp_client, blocking with timeouts (poll(2) on a
 * non-blocking socket), no threads and no global state of its own; use one client per thread.
 * libsmpp34 keeps its error text in globals, so its calls are serialised by a lock inside this
 * module. Every byte from the peer is untrusted: framing errors close the connection with an
 * error, PDUs that do not decode are answered with generic_nack, nothing asserts on them.
 */

/* Command ids (section 5.1.2) */
#define SM_SMPP_GENERIC_NACK          0x80000000u
#define SM_SMPP_BIND_RECEIVER         0x00000001u
#define SM_SMPP_BIND_RECEIVER_RESP    0x80000001u
#define SM_SMPP_BIND_TRANSMITTER      0x00000002u
#define SM_SMPP_BIND_TRANSMITTER_RESP 0x80000002u
#define SM_SMPP_SUBMIT_SM             0x00000004u
#define SM_SMPP_SUBMIT_SM_RESP        0x80000004u
#define SM_SMPP_DELIVER_SM            0x00000005u
#define SM_SMPP_DELIVER_SM_RESP       0x80000005u
#define SM_SMPP_UNBIND                0x00000006u
#define SM_SMPP_UNBIND_RESP           0x80000006u
#define SM_SMPP_BIND_TRANSCEIVER      0x00000009u
#define SM_SMPP_BIND_TRANSCEIVER_RESP 0x80000009u
#define SM_SMPP_ENQUIRE_LINK          0x00000015u
#define SM_SMPP_ENQUIRE_LINK_RESP     0x80000015u
#define SM_SMPP_RESP                  0x80000000u /* the response bit of command_id */

/* Command status (section 5.1.3): the codes this code produces or acts on */
#define SM_SMPP_ROK              0x00000000u
#define SM_SMPP_RINVMSGLEN       0x00000001u
#define SM_SMPP_RINVCMDLEN       0x00000002u
#define SM_SMPP_RINVCMDID        0x00000003u
#define SM_SMPP_RINVBNDSTS       0x00000004u
#define SM_SMPP_RALYBND          0x00000005u
#define SM_SMPP_RSYSERR          0x00000008u
#define SM_SMPP_RINVSRCADR       0x0000000au
#define SM_SMPP_RINVDSTADR       0x0000000bu
#define SM_SMPP_RBINDFAIL        0x0000000du
#define SM_SMPP_RINVPASWD        0x0000000eu
#define SM_SMPP_RINVSYSID        0x0000000fu
#define SM_SMPP_RMSGQFUL         0x00000014u
#define SM_SMPP_RINVESMCLASS     0x00000043u
#define SM_SMPP_RSUBMITFAIL      0x00000045u
#define SM_SMPP_RINVSRCTON       0x00000048u
#define SM_SMPP_RINVSRCNPI       0x00000049u
#define SM_SMPP_RINVDSTTON       0x00000050u
#define SM_SMPP_RINVDSTNPI       0x00000051u
#define SM_SMPP_RTHROTTLED       0x00000058u
#define SM_SMPP_RINVEXPIRY       0x00000062u
#define SM_SMPP_RX_T_APPN        0x00000064u /* receiver: temporary error, retry later */
#define SM_SMPP_RX_P_APPN        0x00000065u /* receiver: permanent error */
#define SM_SMPP_RX_R_APPN        0x00000066u /* receiver: message rejected */
#define SM_SMPP_RINVOPTPARSTREAM 0x000000c0u
#define SM_SMPP_RINVPARLEN       0x000000c2u
#define SM_SMPP_RINVOPTPARAMVAL  0x000000c4u
#define SM_SMPP_RUNKNOWNERR      0x000000ffu

/* esm_class (section 5.2.12) */
#define SM_SMPP_ESM_TYPE_MASK 0x3cu
#define SM_SMPP_ESM_RECEIPT   0x04u /* SMSC delivery receipt (deliver_sm) */
#define SM_SMPP_ESM_UDHI      0x40u /* short_message starts with a user data header */

/* registered_delivery (section 5.2.17), bits 1-0 */
#define SM_SMPP_RD_MASK    0x03u
#define SM_SMPP_RD_ALWAYS  0x01u /* receipt on final success or failure */
#define SM_SMPP_RD_FAILURE 0x02u /* receipt on failure only */

/* message_state (section 5.2.28) */
enum sm_smpp_state {
    SM_SMPP_ENROUTE = 1,
    SM_SMPP_DELIVERED = 2,
    SM_SMPP_EXPIRED = 3,
    SM_SMPP_DELETED = 4,
    SM_SMPP_UNDELIVERABLE = 5,
    SM_SMPP_ACCEPTED = 6,
    SM_SMPP_UNKNOWN = 7,
    SM_SMPP_REJECTED = 8,
};

/* Optional parameter tags (section 5.3.2) that the codec turns into fields */
#define SM_SMPP_TLV_RECEIPTED_MESSAGE_ID   0x001eu
#define SM_SMPP_TLV_USER_MESSAGE_REFERENCE 0x0204u
#define SM_SMPP_TLV_SC_INTERFACE_VERSION   0x0210u
#define SM_SMPP_TLV_MESSAGE_PAYLOAD        0x0424u
#define SM_SMPP_TLV_MESSAGE_STATE          0x0427u

#define SM_SMPP_VERSION       0x34
#define SM_SMPP_PORT          2775
#define SM_SMPP_HEADER_LEN    16
#define SM_SMPP_SM_MAX        254   /* short_message octets (section 5.2.22) */
#define SM_SMPP_PAYLOAD_MAX   65535 /* message_payload octets (section 5.3.2.32) */
#define SM_SMPP_PDU_DEFAULT   16384 /* default command_length limit */
#define SM_SMPP_PDU_MIN_LIMIT 1024  /* smallest limit accepted: every fixed PDU fits */
#define SM_SMPP_PDU_MAX_LIMIT 70000 /* largest limit accepted: a full message_payload fits */

/* C-octet string sizes including the NUL (section 4) */
#define SM_SMPP_SYSTEM_ID_SIZE     16
#define SM_SMPP_PASSWORD_SIZE      9
#define SM_SMPP_SYSTEM_TYPE_SIZE   13
#define SM_SMPP_ADDRESS_RANGE_SIZE 41
#define SM_SMPP_ADDR_SIZE          21
#define SM_SMPP_SERVICE_TYPE_SIZE  6
#define SM_SMPP_TIME_SIZE          17
#define SM_SMPP_MSGID_SIZE         65

/* bind_transmitter/receiver/transceiver (section 4.1) and their responses (system_id, TLV). */
struct sm_smpp_bind {
    char system_id[SM_SMPP_SYSTEM_ID_SIZE];
    char password[SM_SMPP_PASSWORD_SIZE];
    char system_type[SM_SMPP_SYSTEM_TYPE_SIZE];
    uint8_t interface_version; /* 0x34; 0x00-0x33 is an SMPP 3.3 (or older) peer */
    uint8_t addr_ton, addr_npi;
    char address_range[SM_SMPP_ADDRESS_RANGE_SIZE]; /* section 5.2.7: a regular expression */
    bool has_sc_interface_version;                  /* bind_*_resp */
    uint8_t sc_interface_version;
};

/* submit_sm (section 4.4.1) and deliver_sm (section 4.6.1). */
struct sm_smpp_sm {
    char service_type[SM_SMPP_SERVICE_TYPE_SIZE];
    uint8_t source_addr_ton, source_addr_npi;
    char source_addr[SM_SMPP_ADDR_SIZE];
    uint8_t dest_addr_ton, dest_addr_npi;
    char destination_addr[SM_SMPP_ADDR_SIZE];
    uint8_t esm_class, protocol_id, priority_flag;
    char schedule_delivery_time[SM_SMPP_TIME_SIZE]; /* empty in deliver_sm */
    char validity_period[SM_SMPP_TIME_SIZE];        /* empty in deliver_sm */
    uint8_t registered_delivery, replace_if_present_flag, data_coding, sm_default_msg_id;
    /* The message: short_message when it fits (<= 254 octets) and payload is false, else the
     * message_payload TLV. When encoding, ud is only read; a decoded PDU points it into its own
     * storage. */
    const uint8_t *ud;
    size_t ud_len;
    bool payload; /* encode: force message_payload; decode: it came as message_payload */
    /* Optional parameters turned into fields; absent when empty / has_* false. */
    char receipted_message_id[SM_SMPP_MSGID_SIZE];
    bool has_message_state;
    uint8_t message_state; /* enum sm_smpp_state */
    bool has_user_message_reference;
    uint16_t user_message_reference;
    /* Every other TLV, raw (tag, length, value) and in order: passed through unchanged. */
    const uint8_t *other_tlvs;
    size_t other_tlvs_len;
};

/*
 * One PDU. command_id selects which members mean something: bind for bind_* and bind_*_resp
 * (system_id, sc_interface_version), sm for submit_sm and deliver_sm, message_id for
 * submit_sm_resp. A decoded PDU owns storage (freed by sm_smpp_pdu_free); moving the struct
 * (copy, then zero the source) moves that ownership.
 */
struct sm_smpp_pdu {
    uint32_t command_id, command_status, sequence_number;
    struct sm_smpp_bind bind;
    struct sm_smpp_sm sm;
    char message_id[SM_SMPP_MSGID_SIZE];
    uint8_t *storage; /* owned by decoded PDUs; NULL in PDUs built by hand */
};

/*
 * Framing (section 3.2: command_length counts the whole PDU, header included). Look at the
 * first bytes of a stream: returns 0 with *len the PDU's length once 4 bytes are there (the PDU
 * is complete when have >= *len), -EAGAIN when fewer than 4 bytes are there, -EMSGSIZE when
 * command_length exceeds max_pdu, -EBADMSG when it is below the 16-byte header. After either
 * error the stream cannot be resynchronised: close it.
 */
int sm_smpp_frame_len(const uint8_t *buf, size_t have, size_t max_pdu, size_t *len);

/*
 * Decode one complete PDU of len bytes into pdu (zeroed first; free with sm_smpp_pdu_free, also
 * after a failure). Supported: the commands defined above. Returns 0, or:
 *   -ENOTSUP  a command_id this code does not handle (*status = ESME_RINVCMDID)
 *   -EBADMSG  the PDU does not decode: wrong length, unterminated or overlong string, broken TLV
 *             stream, short_message and message_payload both present (*status says which)
 *   -EINVAL   a field value is refused (TON, NPI) (*status = the matching ESME_RINV* code)
 *   -ENOMEM
 * Whenever the 16-byte header was readable, command_id and sequence_number are filled, so the
 * caller can answer generic_nack (section 4.3) with the PDU's sequence_number. status and err
 * may be NULL. Error responses (non-zero command_status) of bind_* and submit_sm carry no body
 * (section 4.1.2, 4.4.2); whatever body they have is ignored.
 */
int sm_smpp_decode(const uint8_t *frame, size_t len, struct sm_smpp_pdu *pdu, uint32_t *status,
                   struct sm_decode_err *err);

/*
 * Append the encoded PDU to out. Strings must be NUL-terminated within their arrays;
 * sequence_number is used as given. Error responses of bind_* and submit_sm are sent without a
 * body. Returns 0, -EINVAL (a field does not fit, an unsupported command_id, a non-empty time
 * in deliver_sm, malformed other_tlvs), -EMSGSIZE (ud over 65535 octets), -ENOMEM.
 */
int sm_smpp_encode(const struct sm_smpp_pdu *pdu, struct sm_buf *out);

/* Release a decoded PDU's storage and zero it. NULL is allowed. */
void sm_smpp_pdu_free(struct sm_smpp_pdu *pdu);

/* "submit_sm", "deliver_sm_resp", ... or "unknown". */
const char *sm_smpp_command_name(uint32_t command_id);
/* "ESME_ROK", "ESME_RTHROTTLED", ... or "ESME_R?" for codes not listed above. */
const char *sm_smpp_status_name(uint32_t status);

/*
 * SMPP time (section 7.1.1): absolute "YYMMDDhhmmsstnnp" (p '+' or '-': nn quarter hours
 * ahead of or behind UTC) or relative "YYMMDDhhmmss000R" (added to now). Returns 0 with *out in
 * seconds since the epoch, -ENOENT for "" (not set), -EINVAL for anything else.
 */
int sm_smpp_time_parse(const char *s, time_t now, time_t *out);

/*
 * Delivery receipt (Appendix B): "id:<id> sub:001 dlvrd:001 submit date:YYMMDDhhmm done
 * date:YYMMDDhhmm stat:DELIVRD err:000 text:<first 20 octets>" plus the receipted_message_id
 * and message_state TLVs.
 */
struct sm_smpp_receipt {
    char id[SM_SMPP_MSGID_SIZE];
    unsigned sub, dlvrd, err; /* 0..999 */
    time_t submit_date, done_date;
    uint8_t state; /* enum sm_smpp_state */
    char text[21]; /* printable; other octets shown as '.' */
};

/* "DELIVRD", "EXPIRED", "DELETED", "UNDELIV", "ACCEPTD", "UNKNOWN", "REJECTD" or NULL. */
const char *sm_smpp_state_stat(uint8_t state);
/* Fill r->text from the first 20 octets of a message (non-printable octets become '.'). */
void sm_smpp_receipt_set_text(struct sm_smpp_receipt *r, const uint8_t *ud, size_t len);
/* The receipt text (UTC dates) into out (size >= 160 is always enough). Returns its length,
 * -EINVAL (unknown state) or -ENOSPC. */
int sm_smpp_receipt_format(const struct sm_smpp_receipt *r, char *out, size_t size);
/*
 * Read a receipt from a deliver_sm: esm_class must say receipt (else -ENOENT); the TLVs win
 * over the text for id and state; the dates come from the text (0 when absent). Returns 0,
 * -ENOENT or -EBADMSG (neither TLVs nor a readable text give id and state).
 */
int sm_smpp_receipt_parse(const struct sm_smpp_sm *sm, struct sm_smpp_receipt *r);

/* ---- ESME client ---- */

enum sm_smpp_mode {
    SM_SMPP_TRANSCEIVER = 0,
    SM_SMPP_TRANSMITTER,
    SM_SMPP_RECEIVER,
};

/*
 * Called for every deliver_sm (messages and receipts) from inside the client's calls; the
 * return value is the deliver_sm_resp command_status (SM_SMPP_ROK, or e.g. SM_SMPP_RX_T_APPN
 * to make the SMSC retry). It must not call the client it was called from.
 */
typedef uint32_t (*sm_smpp_deliver_fn)(void *arg, const struct sm_smpp_pdu *pdu);

/*
 * Called once for every sm_smpp_submit_async, from inside the client's calls, when its
 * submit_sm_resp came (rc 0, or -EPROTO with the SMSC's status), when none came within the
 * response timeout (-ETIMEDOUT) or when the connection ended first (-ECONNRESET). tag is the
 * caller's. It must not call the client it was called from.
 */
typedef void (*sm_smpp_submitted_fn)(void *arg, uint64_t tag, int rc, uint32_t status);

#define SM_SMPP_WINDOW_MAX 256 /* submit_sm awaiting their responses at once */

struct sm_smpp_client_config {
    const char *host; /* numeric IPv4 or IPv6 address; NULL: 127.0.0.1 */
    uint16_t port;    /* 0: 2775 */
    enum sm_smpp_mode mode;
    const char *system_id, *password, *system_type; /* NULL: "" */
    uint8_t addr_ton, addr_npi;
    const char *address_range;     /* the addresses this ESME serves (section 5.2.7); NULL: "" */
    int connect_timeout_ms;        /* 0: 5000 */
    int response_timeout_ms;       /* wait for a response (section 7.2 response_timer); 0: 10000 */
    int enquire_link_ms;           /* inactivity before enquire_link (7.2); 0: 30000, < 0: never */
    size_t max_pdu;                /* command_length limit; 0: SM_SMPP_PDU_DEFAULT */
    size_t rx_queue;               /* deliver_sm kept for sm_smpp_receive; 0: 64 */
    sm_smpp_deliver_fn on_deliver; /* NULL: queue for sm_smpp_receive */
    void *arg;
    /* sm_smpp_submit_async: submit_sm sent without waiting, at most window awaiting their
     * responses (0: 1; SMPP 3.4 2.8 "windowing"), at most max_rate per second (0: no limit);
     * after ESME_RTHROTTLED no submit for throttle_pause_ms (0: 1000) */
    unsigned window;
    unsigned max_rate;
    int throttle_pause_ms;
    sm_smpp_submitted_fn on_submitted; /* results of sm_smpp_submit_async */
};

struct sm_smpp_client;

/* A client (not connected yet); the configuration's strings are copied. Returns 0, -EINVAL
 * (a string too long for its field, bad host, max_pdu out of range) or -ENOMEM. */
int sm_smpp_client_new(const struct sm_smpp_client_config *cfg, struct sm_smpp_client **out);
/* Close the connection (without unbind) and release everything. NULL is allowed. */
void sm_smpp_client_free(struct sm_smpp_client *c);

/* Open the TCP connection. Returns 0, -EISCONN, -ETIMEDOUT, -ECONNREFUSED or another errno. */
int sm_smpp_connect(struct sm_smpp_client *c);
/* Use an already connected stream socket instead (the client owns it from now on, even when this
 * fails). Returns 0, -EISCONN or -EINVAL. */
int sm_smpp_client_adopt_fd(struct sm_smpp_client *c, int fd);

/*
 * Send bind_transceiver/transmitter/receiver (section 4.1) and wait for its response. Returns 0
 * once bound, -EPROTO when the SMSC refused (*status: e.g. ESME_RINVPASWD, ESME_RINVSYSID,
 * ESME_RALYBND; also for generic_nack), -EALREADY when bound, -ENOTCONN, -ETIMEDOUT,
 * -ECONNRESET (the peer closed), -EBADMSG / -EMSGSIZE (framing broken: connection closed).
 * status may be NULL.
 */
int sm_smpp_bind(struct sm_smpp_client *c, uint32_t *status);
/* new + connect + bind. On failure *out is NULL and nothing is left open. */
int sm_smpp_open(const struct sm_smpp_client_config *cfg, struct sm_smpp_client **out,
                 uint32_t *status);

/*
 * submit_sm (section 4.4) and wait for submit_sm_resp. message_id (may be NULL) receives the
 * SMSC's message id. Returns 0, -EPROTO with *status when the SMSC refused (e.g.
 * ESME_RTHROTTLED, ESME_RMSGQFUL), -EINVAL / -EMSGSIZE (the message does not encode or exceeds
 * max_pdu; nothing sent), -ENOTCONN (not bound as transmitter or transceiver), -ESHUTDOWN (the
 * SMSC unbound), or a transport error as for sm_smpp_bind. deliver_sm arriving meanwhile are
 * handled (callback or queue). status may be NULL.
 */
int sm_smpp_submit(struct sm_smpp_client *c, const struct sm_smpp_sm *sm,
                   char message_id[SM_SMPP_MSGID_SIZE], uint32_t *status);

/*
 * submit_sm without waiting for its response: the result comes to on_submitted with tag. When
 * the window is full, the connection is served until a response frees a place (up to the
 * response timeout). Returns 0 once sent, -EAGAIN while the SMSC's throttling pause lasts or
 * the rate limit would be passed (nothing sent: the caller tries later), -EINVAL without
 * on_submitted, or an error as for sm_smpp_submit (nothing sent, no callback).
 */
int sm_smpp_submit_async(struct sm_smpp_client *c, const struct sm_smpp_sm *sm, uint64_t tag);
/* submit_sm awaiting their response. */
size_t sm_smpp_in_flight(const struct sm_smpp_client *c);
/* Could n submits go now (bound, no throttling pause, within the rate limit)? 0, -EAGAIN or
 * -ENOTCONN. Nothing changes. */
int sm_smpp_ready(const struct sm_smpp_client *c, unsigned n);

/* enquire_link (section 4.11) and wait for its response. Returns 0 or an error as above. */
int sm_smpp_enquire_link(struct sm_smpp_client *c);

/*
 * Serve the connection for up to timeout_ms (0: only what is already readable): answer
 * enquire_link, pass deliver_sm to the callback or the queue (answering deliver_sm_resp), send
 * enquire_link when the link has been idle, answer unknown commands with generic_nack. Returns
 * once at least one PDU was handled (taking whatever else is already readable): the number of
 * deliver_sm passed to the callback or queued (>= 0; 0 also when the time ran out), or an
 * error (-ESHUTDOWN once the SMSC unbound, -ETIMEDOUT when it did not answer enquire_link).
 */
int sm_smpp_poll(struct sm_smpp_client *c, int timeout_ms);

/*
 * The next deliver_sm (already answered with ESME_ROK) into out, waiting up to timeout_ms.
 * Only without a callback. Free out with sm_smpp_pdu_free. Returns 0, -ETIMEDOUT when none
 * came, -EINVAL when a callback is configured, or a connection error as for sm_smpp_poll.
 */
int sm_smpp_receive(struct sm_smpp_client *c, struct sm_smpp_pdu *out, int timeout_ms);

/* unbind (section 4.2), wait for unbind_resp (or the response timeout), close. Returns 0,
 * -ENOTCONN or the error that prevented a clean unbind (the connection is closed anyway). */
int sm_smpp_unbind(struct sm_smpp_client *c);

/* The socket, to wait for input in an event loop (-1 when not connected). */
int sm_smpp_fd(const struct sm_smpp_client *c);
/* Milliseconds until sm_smpp_poll has something to do without input (the next enquire_link or
 * its timeout), -1 when nothing is scheduled. */
int sm_smpp_next_timeout(const struct sm_smpp_client *c);
bool sm_smpp_is_bound(const struct sm_smpp_client *c);
/* deliver_sm waiting in the queue. */
size_t sm_smpp_pending(const struct sm_smpp_client *c);

#endif
