/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMCTL_VECTORS_H
#define SMCTL_VECTORS_H

/*
 * Known-answer vector checking (smctl vectors check). Each check reads one vector object,
 * computes with the project's own code and compares. Result: VEC_PASS, VEC_FAIL (a value
 * differs; why says which), VEC_UNKNOWN (the vector's shape is not one this build can
 * interpret: counted as a failure).
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

enum vec_result { VEC_PASS = 0, VEC_FAIL = 1, VEC_UNKNOWN = 2 };

struct vec_why {
    char text[512];
};

typedef enum vec_result (*vec_check_fn)(const json_t *v, struct vec_why *why);

/* Helpers for checks (vectors_util.c). */
/* Hex member name of v into out (max bytes); -1 if absent or not hex. */
long vec_hex(const json_t *v, const char *name, uint8_t *out, size_t max);
/* As vec_hex, but a missing member makes the vector uninterpretable (sets why). */
long vec_need_hex(const json_t *v, const char *name, uint8_t *out, size_t max, struct vec_why *why);
/* Integer member given as a JSON number or a decimal string; -1 if absent/invalid. */
long vec_int(const json_t *v, const char *name);
/* Boolean member (true/false or "True"/"False"); -1 if absent. */
int vec_bool(const json_t *v, const char *name);
/* Compare got with the hex member name (if present). Returns 0 when equal or absent. */
int vec_cmp(const json_t *v, const char *name, const uint8_t *got, size_t len, struct vec_why *why);
/* Compare got with expected bytes, reporting field. */
int vec_cmp_bytes(const char *field, const uint8_t *want, size_t wantlen, const uint8_t *got,
                  size_t len, struct vec_why *why);
void vec_say(struct vec_why *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The checks, by file kind and vector type (vectors_checks.c, vectors_channels.c). */
enum vec_result vec_aes_cmac(const json_t *v, struct vec_why *why);
enum vec_result vec_milenage(const json_t *v, struct vec_why *why);
enum vec_result vec_gsm_milenage(const json_t *v, struct vec_why *why);
enum vec_result vec_identifier(const json_t *v, struct vec_why *why);
enum vec_result vec_ecka(const json_t *v, struct vec_why *why);
enum vec_result vec_scp03_session(const json_t *v, struct vec_why *why);
enum vec_result vec_sp800_108(const json_t *v, struct vec_why *why);
enum vec_result vec_kcv(const json_t *v, struct vec_why *why);
enum vec_result vec_scp80(const json_t *v, struct vec_why *why);
enum vec_result vec_scp03t_session(const json_t *v, struct vec_why *why);
enum vec_result vec_bsp_sequence(const json_t *v, struct vec_why *why);

#endif
