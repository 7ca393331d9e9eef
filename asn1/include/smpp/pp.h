/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMPP_PP_H
#define SMPP_PP_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

#include "sm/buf.h"
#include "sm/rng.h"

/*
 * Profile packages: the TCA "eUICC Profile Package: Interoperable Format" (SAIP) in DER, as
 * asn1/saip.asn describes it. This is the only API other modules use; nobody else touches the
 * asn1c types.
 *
 * The JSON form: {"profileElements": [ {"<alternative>": {...}}, ... ]}. Every element and field
 * of the module appears by its ASN.1 name: SEQUENCE -> object (members in order), CHOICE ->
 * object with one member, SEQUENCE OF -> array, OCTET STRING and BIT STRING -> hex, INTEGER and
 * ENUMERATED -> number, BOOLEAN -> true/false, NULL -> null, UTF8String -> text, OBJECT
 * IDENTIFIER -> "2.23.143.1.2.1". What the module does not know is kept as raw bytes:
 * "_unknown": ["<hex TLV>", ...] at the end of a SEQUENCE, {"_raw": "<hex TLV>"} for a whole
 * element; a primitive the JSON types cannot carry exactly is {"_hex": "..."}. DER -> JSON ->
 * DER is byte-identical.
 */

struct sm_pp_error {
    char path[256]; /* where: profileElements[3].usim.ef-imsi[1].fillFileContent */
    char msg[256];
    size_t offset; /* DER offset, when decoding */
};

/* DER package -> JSON form (new reference). Returns 0, -EBADMSG (not a TLV sequence),
 * -ENOMEM. Elements that cannot be described are kept raw, not refused. */
int sm_pp_der_to_json(const uint8_t *der, size_t len, json_t **out, struct sm_pp_error *err);
/* JSON form -> DER, appended to out. Returns 0 or -EINVAL with err naming the member. */
int sm_pp_json_to_der(const json_t *pkg, struct sm_buf *out, struct sm_pp_error *err);
/* One profile element (a {"<alternative>": ...} object) -> DER. */
int sm_pp_element_to_der(const json_t *pe, struct sm_buf *out, struct sm_pp_error *err);

/* Validation with the generated decoder: every element decodes as a ProfileElement and meets
 * the module's constraints. Elements of alternatives the module does not describe are counted,
 * not refused. Returns 0 when all described elements are valid, -EINVAL otherwise (err: the
 * first problem). */
struct sm_pp_stats {
    unsigned elements, described, unknown, invalid;
};
int sm_pp_validate(const uint8_t *der, size_t len, struct sm_pp_stats *stats,
                   struct sm_pp_error *err);

/* ---- checks (smctl profile check) ---- */

struct sm_pp_problem {
    char path[256];
    char msg[256];
};

struct sm_pp_report {
    struct sm_pp_problem *problems; /* malloc'd */
    size_t n, cap;
};
/* Check a package in JSON form: element order, unique identification numbers, file sizes
 * against contents, header services against elements, ICCID/IMSI encodings, MILENAGE
 * parameters. Returns the number of problems (>= 0) or -ENOMEM. */
int sm_pp_check(const json_t *pkg, struct sm_pp_report *rep);
void sm_pp_report_free(struct sm_pp_report *rep);

/* ---- templates and personalisation ---- */

/*
 * A template is the JSON form with "parameters": {"<name>": {"type": ..., "required": bool,
 * "default": ...}} and placeholders ${name} or ${name|encoding} inside hex strings and text
 * values. Encodings: iccid|saip (10 bytes, natural BCD), iccid|ef (10 bytes, swapped BCD),
 * imsi|ef (9 bytes EF.IMSI), msisdn|adn (12 bytes: length, TON/NPI, 10 BCD), msisdn|addr
 * (address TLV value), pin|pin (8 bytes ASCII, FF padded), hex (the value's bytes), text.
 */
struct sm_pp_template;

/* Names of the shipped templates (NULL-terminated, static). */
const char *const *sm_pp_template_names(void);
/* A shipped template by name, or one from a JSON file. Returns 0, -ENOENT, -EINVAL (err). */
int sm_pp_template_shipped(const char *name, struct sm_pp_template **out, struct sm_pp_error *err);
int sm_pp_template_load(const json_t *tmpl, struct sm_pp_template **out, struct sm_pp_error *err);
void sm_pp_template_free(struct sm_pp_template *t);
/* The template's parameter declarations (borrowed reference). */
const json_t *sm_pp_template_parameters(const struct sm_pp_template *t);
/*
 * Personalise: check every parameter (type, required, valid check digits ...) and write the
 * package DER into out. Returns 0, or -EINVAL with err naming the parameter or member.
 */
int sm_pp_personalise(const struct sm_pp_template *t, const json_t *params, struct sm_buf *out,
                      struct sm_pp_error *err);

/* ---- batches ---- */

/*
 * Personalise one package per subscription of an operator file: CSV with a header line naming
 * the parameters (iccid,imsi,k,opc,...), or JSON lines (one object per line). Packages go to
 * outdir/<iccid>.der (mode 0600); the HSS/AuC file gets "iccid,imsi,k,opc,amf,sqn" (mode 0600).
 * Memory does not grow with the number of lines. Lines that fail are counted and reported, the
 * others are written.
 */
struct sm_pp_batch_opts {
    const char *input;
    FILE *stream;        /* read instead of input when not NULL */
    const char *outdir;  /* NULL with sink */
    const json_t *fixed; /* parameters every line shares (a line's own value wins); NULL */
    /* Instead of writing outdir/<iccid>.der: called with each line's parameters (fixed ones
     * included, keys completed) and its package; non-zero stops the batch with that error. */
    int (*sink)(void *arg, const json_t *params, const struct sm_buf *der);
    const char *hss_path; /* NULL: no HSS file */
    bool generate_keys;   /* make K (and OPc) when a line has none */
    const uint8_t *op;    /* with generate_keys: OPc = f(K, OP); NULL: random OPc */
    const struct sm_rng *rng;
    void (*progress)(void *arg, size_t done, size_t total);
    void *arg;
};

struct sm_pp_batch_result {
    size_t done, failed;
    char first_error[320];
};

int sm_pp_batch(struct sm_pp_template *t, const struct sm_pp_batch_opts *o,
                struct sm_pp_batch_result *r);

#endif
