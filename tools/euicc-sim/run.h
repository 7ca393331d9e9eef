/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SIM_RUN_H
#define SIM_RUN_H

#include "sim_app.h"

/* Serve the cards until SIGINT or SIGTERM (run.c). */
int sim_run(struct sim_app *a);

#endif
