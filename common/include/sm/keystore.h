/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_KEYSTORE_H
#define SM_KEYSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sm/buf.h"
#include "sm/rng.h"
#include "sm/secret.h"

/*
 * Keystore: secrets (K, OPc, OTA keys, PSKs, private keys) are stored only wrapped under a
 * key-encryption key (KEK), with AES-256-GCM. The label (e.g. "eid:8904...:kvn:01:kid:01")
 * is authenticated as additional data, so a wrapped value copied to another row or another key
 * slot does not unwrap. Unwrapping yields an sm_secret only.
 *
 * Blob format (version 1): 01 | kek_id (4, big-endian) | nonce (12) | ciphertext | tag (16).
 * kek_id lets a store hold values wrapped under several KEKs during rotation.
 */
struct sm_keystore;

/* A keystore with one KEK (32 bytes) identified by kek_id; the KEK is copied. Returns 0,
 * -EINVAL (wrong KEK length) or -ENOMEM. */
int sm_keystore_new(const struct sm_secret *kek, uint32_t kek_id, struct sm_keystore **out);
/* Add an older KEK that can still unwrap (rotation). */
int sm_keystore_add_kek(struct sm_keystore *ks, const struct sm_secret *kek, uint32_t kek_id);
void sm_keystore_free(struct sm_keystore *ks);
/* Read a KEK from a file holding 64 hex digits (whitespace ignored) or 32 raw bytes. The file
 * must not be readable by group or others. Returns 0, -ENOENT, -EACCES, -EPERM (mode), -EINVAL. */
int sm_keystore_load_kek(const char *path, struct sm_secret **out);

/* Create a new random KEK file (64 hex digits, mode 0600; never overwrites: -EEXIST). */
int sm_keystore_create_kek(const char *path);
/* A keystore with the KEK of kek_file (64 hex digits, mode 0600). In test mode a missing file is
 * created first; otherwise it is required. Errors are logged. */
int sm_keystore_open(const char *kek_file, bool test_mode, struct sm_keystore **out);

/* Wrap secret under the current KEK with a fresh nonce from rng; appends the blob to out. */
int sm_keystore_wrap(struct sm_keystore *ks, const struct sm_rng *rng, const char *label,
                     const struct sm_secret *secret, struct sm_buf *out);
/* Unwrap; -EKEYREJECTED when the blob, the label or the KEK do not match, -EBADMSG when the
 * blob is malformed, -ENOKEY when its KEK id is unknown. */
int sm_keystore_unwrap(struct sm_keystore *ks, const char *label, const uint8_t *blob, size_t len,
                       struct sm_secret **out);
/* The KEK id a blob was wrapped under (for rotation jobs). */
int sm_keystore_blob_kek_id(const uint8_t *blob, size_t len, uint32_t *kek_id);

#endif
