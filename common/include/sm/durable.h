/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_DURABLE_H
#define SM_DURABLE_H

/*
 * Nothing leaves the process before what it reports is on disk. A daemon whose database commits
 * without waiting for the disk (db.synchronous = group) registers how to make the commits so far
 * durable; the transports call sm_durable() before an HTTP answer, an HTTP request or an SMS
 * goes out. Concurrent callers share one flush (group commit).
 */

/* Register fn(arg) (NULL: nothing to do). Set once at start, before the transports run. */
void sm_durable_set(int (*fn)(void *arg), void *arg);
/* Make every commit made so far durable. Returns 0 or a negative errno (then the caller must
 * not report the commit). */
int sm_durable(void);

#endif
