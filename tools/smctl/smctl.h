/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMCTL_H
#define SMCTL_H

/* Exit codes (docs/smctl.md). */
enum smctl_exit {
    SMCTL_OK = 0,
    SMCTL_FAILED = 1,       /* the operation ran and failed */
    SMCTL_USAGE = 2,        /* bad command line or configuration */
    SMCTL_RUNNING_EXIT = 3, /* an asynchronous operation had not ended when smctl stopped waiting
                               (--no-wait, --timeout): smctl operation ID tells later */
};

int smctl_pki(int argc, char **argv);
int smctl_vectors(int argc, char **argv);
int smctl_profile(int argc, char **argv);
int smctl_eis(int argc, char **argv);
/* smctl es1|es2|es4 FUNCTION ... (cmd_call.c), smctl operation ... */
int smctl_call(int argc, char **argv);
int smctl_operation_cmd(int argc, char **argv);
int smctl_batch(int argc, char **argv);
/* smctl subscriber: auc-gw's subscribers (cmd_subscriber.c) */
int smctl_subscriber(int argc, char **argv);

#endif
