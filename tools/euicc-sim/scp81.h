/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SIM_SCP81_H
#define SIM_SCP81_H

/* SCP81 admin sessions opened by the cards (scp81.c). */
#include <stddef.h>
#include <stdint.h>

#include "sim_app.h"

void sim_scp81_init(struct sim_app *a);
/* Wait for every running session to end. */
void sim_scp81_shutdown(struct sim_app *a);
/* Start a session for card eid after the trigger TLV (81 ...). Returns 0 or a negative errno
 * (a malformed trigger, no SCP81 key set, too many sessions). */
int sim_scp81_start(struct sim_app *a, const char *eid, const uint8_t *trigger, size_t len);

#endif
