/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_SCP03_PRIV_H
#define SM_SCP03_PRIV_H

/* Shared by scp03.c and scp03t.c: the counter-based encryption of Amendment D 6.2.6/6.2.7. */
#include "sm/scp03.h"

/* Pad 80 00.. (always) and AES-CBC encrypt with the ICV of the current counter (response: the
 * counter block with its first byte 80); appends to out. */
int sm_scp03_encrypt_pad(const struct sm_scp03_session *s, bool response, const uint8_t *in,
                         size_t len, struct sm_buf *out);
/* Decrypt and strip the padding; appends to out. -EBADMSG on a bad length or padding. */
int sm_scp03_decrypt_unpad(const struct sm_scp03_session *s, bool response, const uint8_t *in,
                           size_t len, struct sm_buf *out);

#endif
