/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMCTL_H
#define SMCTL_H

/* Exit codes (docs/smctl.md). */
enum smctl_exit {
    SMCTL_OK = 0,
    SMCTL_FAILED = 1, /* the operation ran and failed */
    SMCTL_USAGE = 2,  /* bad command line or configuration */
};

int smctl_pki(int argc, char **argv);
int smctl_vectors(int argc, char **argv);
int smctl_profile(int argc, char **argv);
int smctl_eis(int argc, char **argv);

#endif
