/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SIM_CONTROL_H
#define SIM_CONTROL_H

/* The control socket of a running simulator (control.c). */
#include <stddef.h>

#include "sim_app.h"

/* Execute one command line on the store; the reply text in reply. */
int sim_control_exec(struct sim_app *a, const char *line, char *reply, size_t size);
/* Listening socket (non-blocking) at path, mode 0600. Returns the fd or a negative errno. */
int sim_control_listen(const char *path);
/* Answer every connection waiting on the listening socket. */
void sim_control_serve(struct sim_app *a, int lfd);
/* Send one line to a running simulator; -ENOENT / -ECONNREFUSED when none runs. */
int sim_control_request(const char *path, const char *line, char *reply, size_t size);

#endif
