/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMSR_ES5_HTTPS_H
#define SMSR_ES5_HTTPS_H

/* ES5 over HTTPS: the SM-SR's SCP81 admin agent (es5_https.c). */
#include <stdbool.h>

#include "sm/buf.h"
#include "smdb/smsr_store.h"
#include "smsr.h"

struct smsr_engine;
struct smsr_https;

int smsr_https_start(struct smsr_app *a, struct smsr_engine *g, struct smsr_https **out);
void smsr_https_stop(struct smsr_https *h);
/* Can the card be reached over HTTPS: the agent runs, the EIS says httpSupport, and the card
 * has an SCP81 key set? */
bool smsr_https_usable(struct smsr_https *h, const struct smdb_eis *e);
/* The Administration Session Triggering Parameters TLV (81 {83 {84 connection, 89 HTTP}}) that
 * points the card at this agent (es5-secure-channels 3.2). */
int smsr_https_trigger(struct smsr_https *h, struct sm_buf *out);

#endif
