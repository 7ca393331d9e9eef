/* SPDX-License-Identifier: Apache-2.0 */
/* The durability barrier of the transports (sm/durable.h). */
#include <stddef.h>

#include "sm/durable.h"

static int (*durable_fn)(void *arg);
static void *durable_arg;

void sm_durable_set(int (*fn)(void *arg), void *arg)
{
    durable_arg = arg;
    durable_fn = fn;
}

int sm_durable(void)
{
    return durable_fn ? durable_fn(durable_arg) : 0;
}
