/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_ERR_H
#define SM_ERR_H

/*
 * Error convention: functions return 0 (or a non-negative count) on success and a negative errno
 * on failure, and say in their comment which ones. The SGP.02 outcome of an ES function (status,
 * subject code, reason code, message) travels separately in struct sm_status (status.h).
 *
 * Codes used with a project-wide meaning:
 *   -EINVAL    malformed input (bad encoding, check digit, type)
 *   -EBADMSG   structurally broken peer data (truncated TLV, trailing bytes)
 *   -EMSGSIZE  input larger than allowed
 *   -ENOENT    unknown identifier (EID, ICCID, entity)
 *   -EEXIST    already present
 *   -EACCES    caller not allowed
 *   -EPERM     forbidden by policy or configuration (test certificate without test_mode)
 *   -EKEYREJECTED  a MAC, signature or certificate did not verify
 *   -ETIMEDOUT, -ECONNREFUSED, -EHOSTUNREACH  transport
 *   -EIO       storage failure
 */

/* Text for a negative errno, never NULL. Thread-safe. */
const char *sm_strerror(int err);

#endif
