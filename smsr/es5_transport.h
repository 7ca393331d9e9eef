/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMSR_ES5_TRANSPORT_H
#define SMSR_ES5_TRANSPORT_H

/*
 * ES5 over SMS (es5-secure-channels 2): SCP80 secured packets in SMS-PP, through an SMPP 3.4
 * transceiver session with the SMSC. Used by the engine's card thread only.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "es5_commands.h"
#include "smdb/smsr_ops.h"
#include "smsr.h"

struct smsr_engine;
struct smsr_sms;

int smsr_sms_new(struct smsr_app *a, struct smsr_engine *g, struct smsr_sms **out);
void smsr_sms_free(struct smsr_sms *s);
/* Serve the session for up to wait_ms, or until wake_fd (an eventfd) is signalled: (re)bind
 * with back-off, take PoRs and card notifications and hand them to the engine. */
void smsr_sms_serve(struct smsr_sms *s, int wait_ms, int wake_fd);
/*
 * Send op's command script to the card's ISD-R: the counter is allocated (committed) first, the
 * packet wrapped with the ISD-R's SCP80 keys and queued; op is stored as sent with the counter
 * and its PoR deadline. Returns 0, -ENOTCONN (no SMSC session: try later), -EAGAIN (the SMSC's
 * throttling pause or es5.smpp_rate: try later; no counter spent), -ENOKEY (no key set),
 * -ENOENT (no MSISDN for the card) or another -errno.
 */
int smsr_sms_send(struct smsr_sms *s, struct smdb_op *op, const uint8_t *script, size_t len);

/* Send the HTTPS trigger (data: the 81 TLV) to the card's ISD-R, PoR on error only; op is stored
 * as sent by https with the counter and the session deadline. Errors as smsr_sms_send. */
int smsr_sms_send_trigger(struct smsr_sms *s, struct smdb_op *op, const uint8_t *trigger,
                          size_t len);

/* Submit what the round's sends queued (windowed, es5.smpp_window; one WAL flush before the
 * first covers all their counters). What the SMSC's pause holds back stays queued. */
void smsr_sms_flush(struct smsr_sms *s);
bool smsr_sms_queued(const struct smsr_sms *s);

/* The engine's side (es5_engine.c). A PoR for op (the response script in data), and the
 * response script of an admin session; both act only on an operation still sent. */
void smsr_engine_por(struct smsr_engine *g, struct smdb_op *op, uint8_t por_status,
                     const uint8_t *data, size_t len);
void smsr_engine_answer(struct smsr_engine *g, struct smdb_op *op, uint8_t por_status,
                        const uint8_t *data, size_t len);
void smsr_engine_notification(struct smsr_engine *g, const struct smsr_notification *n);
/* The card's admin session reported a script status other than ok for op. */
void smsr_engine_session_failed(struct smsr_engine *g, const struct smdb_op *op,
                                const char *status);

#endif
