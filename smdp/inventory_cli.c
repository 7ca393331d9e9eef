/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SM-DP's profile inventory, administered from the command line (docs/smdp.md):
 *   profile-type set MNO NAME --template T [--memory BYTES] [--on-delete release|retire]
 *                             [--pol2 JSON] [--param NAME=VALUE]...
 *   profile-type show MNO NAME
 *   subscriptions load MNO TYPE FILE [--batch NAME] [--hss FILE]
 *   subscriptions generate MNO TYPE --iccid FIRST --imsi FIRST --count N [--msisdn FIRST]
 *                          [--op HEX]
 *                             [--batch NAME] [--hss FILE]
 *   inventory [MNO]
 * MNO is the operator's OID (an entity of role mno). Every subscription is personalised once
 * with its type's template before it is stored, so a bad ICCID check digit, IMSI or key is
 * refused at load time, not at download time. Its secrets (K, OPc, PINs, ADM and the other
 * parameters of the line) are wrapped by the keystore (label smdp:sub:<ICCID>); ICCID, IMSI
 * and MSISDN are columns. A load or a generation is one transaction: all of it, or nothing (and
 * then no HSS file).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sm/err.h"
#include "sm/hex.h"
#include "sm/ids.h"
#include "sm/json.h"
#include "sm/keystore.h"
#include "sm/rng.h"
#include "sm/secret.h"
#include "smdb/smdp_store.h"
#include "smdp.h"
#include "smpp/pp.h"

/* Parameters that are secrets: they belong to a subscription, never to a type. */
static const char *const secret_params[] = {"k",    "opc",  "adm1", "adm2", "pin1",
                                            "pin2", "puk1", "puk2", NULL};

static bool is_secret(const char *name)
{
    for (int i = 0; secret_params[i]; i++)
        if (!strcmp(name, secret_params[i]))
            return true;
    return false;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: profile-type set MNO NAME --template T [--memory BYTES]\n"
               "                         [--on-delete release|retire] [--pol2 JSON]\n"
               "                         [--param NAME=VALUE]...\n"
               "       profile-type show MNO NAME\n"
               "       subscriptions load MNO TYPE FILE [--batch NAME] [--hss FILE]\n"
               "       subscriptions generate MNO TYPE --iccid FIRST --imsi FIRST --count N\n"
               "                         [--msisdn FIRST] [--op HEX] [--batch NAME] [--hss FILE]\n"
               "       inventory [MNO]\n"
               "       master-delete-token ICCID --sin HEX --sdin HEX --provider-id HEX\n"
               "                         --token-id HEX\n"
               "  MNO: the operator's OID. FILE: CSV with a header line naming the template's\n"
               "  parameters (iccid,imsi,k,opc,adm1,...), or JSON lines. The HSS file\n"
               "  (iccid,imsi,k,opc,amf,sqn) is written with owner-only permissions.\n");
}

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The MNO must be one of the SM-DP's entities, of role mno. */
static int check_mno(struct smdb *db, const char *mno)
{
    struct sm_entity e;

    if (smdb_entity_get(db, mno, &e) || e.role != SM_ROLE_MNO || strcmp(e.id, mno)) {
        fprintf(stderr, "smdp: %s is not the OID of an MNO entity (smdp entity list)\n", mno);
        return -ENOENT;
    }
    return 0;
}

/* A shipped template's name, or a template JSON file: what to store and the template. */
static int load_template(const char *ref, char **stored, struct sm_pp_template **t)
{
    struct sm_pp_error e = {0};
    json_error_t je;
    json_t *j;
    int rc;

    *stored = NULL;
    if (!sm_pp_template_shipped(ref, t, &e)) {
        *stored = strdup(ref);
        return *stored ? 0 : -ENOMEM;
    }
    j = json_load_file(ref, JSON_REJECT_DUPLICATES, &je);
    if (!j) {
        fprintf(stderr, "smdp: template %s: not a shipped template, and %s:%d: %s\n", ref, ref,
                je.line, je.text);
        return -ENOENT;
    }
    rc = sm_pp_template_load(j, t, &e);
    if (rc)
        fprintf(stderr, "smdp: template %s: %s: %s\n", ref, e.path, e.msg);
    else
        *stored = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return rc ? rc : *stored ? 0 : -ENOMEM;
}

static int cmd_type_set(struct smdb *db, int argc, char **argv)
{
    static const struct option opts[] = {
        {"template", required_argument, NULL, 't'},  {"memory", required_argument, NULL, 'm'},
        {"on-delete", required_argument, NULL, 'd'}, {"pol2", required_argument, NULL, 'p'},
        {"param", required_argument, NULL, 'P'},     {NULL, 0, NULL, 0}};
    struct smdb_profile_type t = {.on_delete = "release"};
    struct sm_pp_template *tmpl = NULL;
    const char *tref = NULL, *pol2 = NULL;
    json_t *params = json_object(), *p2 = NULL;
    char *end;
    int o, rc = 2;

    optind = 0; /* glibc: start afresh after the daemon's own option parsing */
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 't':
            tref = optarg;
            break;
        case 'm':
            t.memory_required = strtoll(optarg, &end, 10);
            if (*end || t.memory_required < 0 || t.memory_required > (1 << 30)) {
                fprintf(stderr, "smdp: --memory takes a number of bytes\n");
                goto out;
            }
            break;
        case 'd':
            if (strcmp(optarg, "release") && strcmp(optarg, "retire")) {
                fprintf(stderr, "smdp: --on-delete is release or retire\n");
                goto out;
            }
            snprintf(t.on_delete, sizeof(t.on_delete), "%s", optarg);
            break;
        case 'p':
            pol2 = optarg;
            break;
        case 'P': {
            char *eq = strchr(optarg, '=');

            if (!eq || eq == optarg) {
                fprintf(stderr, "smdp: --param takes NAME=VALUE\n");
                goto out;
            }
            *eq = 0;
            if (is_secret(optarg) || !strcmp(optarg, "iccid") || !strcmp(optarg, "imsi")) {
                fprintf(stderr, "smdp: %s belongs to each subscription, not to the type\n", optarg);
                goto out;
            }
            json_object_set_new(params, optarg, json_string(eq + 1));
            break;
        }
        default:
            usage(stderr);
            goto out;
        }
    }
    if (argc - optind != 2 || !tref) {
        usage(stderr);
        goto out;
    }
    rc = 1;
    if (check_mno(db, argv[optind]))
        goto out;
    if (strlen(argv[optind + 1]) > SMDB_TYPE_NAME_MAX) {
        fprintf(stderr, "smdp: a type name has at most %d characters\n", SMDB_TYPE_NAME_MAX);
        goto out;
    }
    if (pol2) {
        json_error_t je;

        p2 = json_loads(pol2, JSON_REJECT_DUPLICATES, &je);
        if (!json_is_array(p2) && !json_is_object(p2)) {
            fprintf(stderr, "smdp: --pol2: not a JSON array or object: %s\n", je.text);
            goto out;
        }
    }
    if (load_template(tref, &t.template_ref, &tmpl))
        goto out;
    {
        const char *name;
        json_t *v;

        /* the type's parameters must be the template's */
        json_object_foreach(params, name, v) {
            if (!json_object_get(sm_pp_template_parameters(tmpl), name)) {
                fprintf(stderr, "smdp: the template has no parameter %s\n", name);
                goto out;
            }
        }
    }
    snprintf(t.mno_id, sizeof(t.mno_id), "%s", argv[optind]);
    snprintf(t.name, sizeof(t.name), "%s", argv[optind + 1]);
    t.params = json_dumps(params, JSON_COMPACT | JSON_SORT_KEYS);
    t.pol2 = p2 ? json_dumps(p2, JSON_COMPACT) : NULL;
    rc = t.params && smdb_profile_type_put(db, &t, now_ms()) == 0 ? 0 : 1;
    if (rc)
        fprintf(stderr, "smdp: the profile type could not be stored\n");
    else
        printf("profile type %s of %s: template %s, memory %lld bytes, on delete %s\n", t.name,
               t.mno_id, t.template_ref[0] == '{' ? "(from file)" : t.template_ref,
               (long long)t.memory_required, t.on_delete);
out:
    sm_pp_template_free(tmpl);
    smdb_profile_type_free(&t);
    json_decref(params);
    json_decref(p2);
    return rc;
}

static int cmd_type_show(struct smdb *db, int argc, char **argv)
{
    struct smdb_profile_type t;

    if (argc != 3) {
        usage(stderr);
        return 2;
    }
    if (smdb_profile_type_get(db, argv[1], argv[2], &t)) {
        fprintf(stderr, "smdp: %s has no profile type %s\n", argv[1], argv[2]);
        return 1;
    }
    printf("mno %s\nname %s\ntemplate %s\nparams %s\npol2 %s\nmemory %lld\non-delete %s\n",
           t.mno_id, t.name, t.template_ref[0] == '{' ? "(from file)" : t.template_ref, t.params,
           t.pol2 ? t.pol2 : "-", (long long)t.memory_required, t.on_delete);
    smdb_profile_type_free(&t);
    return 0;
}

/* ---- subscriptions ---- */

struct load {
    struct smdb *db;
    struct sm_keystore *ks;
    const struct smdb_profile_type *type;
    const json_t *fixed;
    const char *batch;
    int64_t now;
    size_t stored;
};

/* One validated line: its secrets wrapped, the subscription stored. */
static int store_line(void *arg, const json_t *p, const struct sm_buf *der)
{
    struct load *x = arg;
    struct smdb_subscription sub = {0};
    struct sm_buf w = SM_BUF_INIT;
    struct sm_secret *plain = NULL;
    json_t *sec = json_object();
    const char *name;
    char label[64], *text = NULL;
    json_t *v;
    int rc;

    (void)der;
    snprintf(sub.iccid, sizeof(sub.iccid), "%s", sm_json_str(p, "iccid"));
    snprintf(sub.imsi, sizeof(sub.imsi), "%s", sm_json_str(p, "imsi"));
    snprintf(sub.msisdn, sizeof(sub.msisdn), "%s",
             sm_json_str(p, "msisdn") ? sm_json_str(p, "msisdn") : "");
    /* what the line adds to the type's parameters: the subscription's own, kept wrapped */
    json_object_foreach((json_t *)p, name, v) {
        if (!strcmp(name, "iccid") || !strcmp(name, "imsi") || !strcmp(name, "msisdn") ||
            json_equal(v, json_object_get(x->fixed, name)))
            continue;
        json_object_set(sec, name, v);
    }
    text = json_dumps(sec, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(sec);
    plain = text ? sm_secret_from(text, strlen(text)) : NULL;
    if (text)
        sm_wipe(text, strlen(text));
    free(text);
    if (!plain)
        return -ENOMEM;
    snprintf(label, sizeof(label), "smdp:sub:%s", sub.iccid);
    rc = sm_keystore_wrap(x->ks, &sm_rng_system, label, plain, &w);
    sm_secret_free(plain);
    if (rc)
        return rc;
    snprintf(sub.mno_id, sizeof(sub.mno_id), "%s", x->type->mno_id);
    snprintf(sub.profile_type, sizeof(sub.profile_type), "%s", x->type->name);
    snprintf(sub.batch, sizeof(sub.batch), "%s", x->batch);
    sub.secrets = w.data;
    sub.secrets_len = w.len;
    rc = smdb_subscription_add(x->db, &sub, x->now);
    sm_buf_free(&w);
    if (rc == -EEXIST)
        fprintf(stderr, "smdp: ICCID %s or IMSI %s is in the inventory already\n", sub.iccid,
                sub.imsi);
    if (!rc)
        x->stored++;
    return rc;
}

/* Run the batch over opts' input into the type, in one transaction. */
static int load_batch(struct smdb *db, const struct smdp_cfg *cfg, const char *mno,
                      const char *type, struct sm_pp_batch_opts *o, const char *batch)
{
    struct smdb_profile_type pt;
    struct sm_pp_template *t = NULL;
    struct sm_pp_batch_result r = {0};
    struct sm_keystore *ks = NULL;
    struct load x = {.db = db, .batch = batch, .now = now_ms()};
    json_t *fixed = NULL;
    int rc;

    if (check_mno(db, mno))
        return 1;
    if (smdb_profile_type_get(db, mno, type, &pt)) {
        fprintf(stderr, "smdp: %s has no profile type %s (smdp profile-type set)\n", mno, type);
        return 1;
    }
    rc = smdp_type_template(&pt, &t);
    fixed = rc ? NULL : json_loads(pt.params, 0, NULL);
    if (!rc && !fixed)
        rc = -EINVAL;
    if (!rc)
        rc = sm_keystore_open(cfg->kek_file, cfg->base.test_mode, &ks);
    if (rc) {
        fprintf(stderr, "smdp: profile type %s: %s\n", type, sm_strerror(rc));
        goto out;
    }
    x.ks = ks;
    x.type = &pt;
    x.fixed = fixed;
    o->fixed = fixed;
    o->sink = store_line;
    o->arg = &x;
    o->rng = &sm_rng_system;
    rc = smdb_unit_begin(db);
    if (!rc) {
        rc = sm_pp_batch(t, o, &r);
        if (!rc && r.failed)
            rc = -EINVAL;
        rc = smdb_unit_end(db, rc);
    }
    if (rc) {
        /* nothing was stored: nor may the HSS hear of it */
        if (o->hss_path)
            unlink(o->hss_path);
        fprintf(stderr, "smdp: nothing loaded: %zu line%s refused%s%s\n", r.failed,
                r.failed == 1 ? "" : "s", r.first_error[0] ? "; first: " : "", r.first_error);
    } else {
        printf("%zu subscriptions of %s/%s stored (batch %s)%s%s\n", x.stored, mno, type, batch,
               o->hss_path ? "; HSS file " : "", o->hss_path ? o->hss_path : "");
    }
out:
    sm_keystore_free(ks);
    sm_pp_template_free(t);
    smdb_profile_type_free(&pt);
    json_decref(fixed);
    return rc ? 1 : 0;
}

/* Add one to a decimal string in place; -EOVERFLOW when it has no room. */
static int increment(char *digits)
{
    for (size_t i = strlen(digits); i-- > 0;) {
        if (digits[i] < '9') {
            digits[i]++;
            return 0;
        }
        digits[i] = '0';
    }
    return -EOVERFLOW;
}

/* JSON lines for count new subscriptions from the first ICCID and IMSI (K and OPc made by the
 * batch; ADM1 random). */
static int generate_lines(const char *iccid0, const char *imsi0, const char *msisdn0, long count,
                          struct sm_buf *out)
{
    char payload[SM_ICCID_MAX_DIGITS + 1], iccid[SM_ICCID_MAX_DIGITS + 1], imsi[16], msisdn[24];
    size_t n = strlen(iccid0);

    if (sm_iccid_check(iccid0)) {
        fprintf(stderr, "smdp: --iccid %s is not an ICCID (19 or 20 digits, 89..., Luhn)\n",
                iccid0);
        return -EINVAL;
    }
    if (strlen(imsi0) < 6 || strlen(imsi0) > 15 || imsi0[strspn(imsi0, "0123456789")]) {
        fprintf(stderr, "smdp: --imsi %s is not an IMSI (6 to 15 digits)\n", imsi0);
        return -EINVAL;
    }
    if (msisdn0 && (sm_msisdn_check(msisdn0) || strlen(msisdn0) >= sizeof(msisdn))) {
        fprintf(stderr, "smdp: --msisdn %s is not an MSISDN\n", msisdn0);
        return -EINVAL;
    }
    memcpy(payload, iccid0, n - 1);
    payload[n - 1] = 0;
    snprintf(imsi, sizeof(imsi), "%s", imsi0);
    snprintf(msisdn, sizeof(msisdn), "%s", msisdn0 ? msisdn0 : "");
    for (long i = 0; i < count; i++) {
        uint8_t r[4];
        int rc;

        if (i && (increment(payload) || increment(imsi) || strncmp(payload, "89", 2) ||
                  (msisdn0 && increment(msisdn + (msisdn[0] == '+'))))) {
            fprintf(stderr, "smdp: the ICCID, IMSI or MSISDN range ends before %ld subscriptions\n",
                    count);
            return -EOVERFLOW;
        }
        rc = sm_iccid_complete(payload, iccid);
        if (!rc)
            rc = sm_rng_bytes(&sm_rng_system, r, sizeof(r));
        if (!rc)
            rc = sm_buf_printf(out, "{\"iccid\":\"%s\",\"imsi\":\"%s\",%s%s%s\"adm1\":\"%08u\"}\n",
                               iccid, imsi, msisdn0 ? "\"msisdn\":\"" : "", msisdn0 ? msisdn : "",
                               msisdn0 ? "\"," : "",
                               (unsigned)((uint32_t)r[0] << 24 | (uint32_t)r[1] << 16 |
                                          (uint32_t)r[2] << 8 | r[3]) %
                                   100000000u);
        sm_wipe(r, sizeof(r));
        if (rc)
            return rc;
    }
    return 0;
}

static int cmd_subscriptions(struct smdb *db, const struct smdp_cfg *cfg, int argc, char **argv)
{
    static const struct option opts[] = {
        {"batch", required_argument, NULL, 'b'},  {"hss", required_argument, NULL, 'H'},
        {"iccid", required_argument, NULL, 'i'},  {"imsi", required_argument, NULL, 'I'},
        {"count", required_argument, NULL, 'n'},  {"op", required_argument, NULL, 'o'},
        {"msisdn", required_argument, NULL, 'm'}, {NULL, 0, NULL, 0}};
    const char *batch = NULL, *iccid = NULL, *imsi = NULL, *op_hex = NULL, *msisdn = NULL;
    struct sm_pp_batch_opts o = {0};
    struct sm_buf lines = {.secure = true};
    char name[65];
    uint8_t op[16];
    long count = 0;
    int opt, rc;
    bool gen;

    /* argv[0]: load or generate */
    gen = !strcmp(argv[0], "generate");
    if (!gen && strcmp(argv[0], "load")) {
        usage(stderr);
        return 2;
    }
    optind = 0; /* glibc: start afresh after the daemon's own option parsing */
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'b':
            batch = optarg;
            break;
        case 'H':
            o.hss_path = optarg;
            break;
        case 'i':
            iccid = optarg;
            break;
        case 'I':
            imsi = optarg;
            break;
        case 'n': {
            char *end;

            count = strtol(optarg, &end, 10);
            if (*end || end == optarg)
                count = 0; /* refused below */
            break;
        }
        case 'o':
            op_hex = optarg;
            break;
        case 'm':
            msisdn = optarg;
            break;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (argc - optind != (gen ? 2 : 3) || (gen && (!iccid || !imsi || count < 1)) ||
        (gen && count > 10000000) || (batch && strlen(batch) > 64)) {
        usage(stderr);
        return 2;
    }
    if (op_hex && (!gen || sm_hex_decode(op_hex, op, sizeof(op)) != 16)) {
        fprintf(stderr, "smdp: --op takes 32 hex digits (with generate)\n");
        return 2;
    }
    snprintf(name, sizeof(name), "%s", batch ? batch : gen ? iccid : argv[optind + 2]);
    if (!gen) {
        o.input = argv[optind + 2];
        if (access(o.input, R_OK)) {
            fprintf(stderr, "smdp: %s: %s\n", o.input, strerror(errno));
            return 1;
        }
        return load_batch(db, cfg, argv[optind], argv[optind + 1], &o, name);
    }
    rc = generate_lines(iccid, imsi, msisdn, count, &lines);
    if (rc) {
        sm_buf_clear_free(&lines);
        return 1;
    }
    o.stream = fmemopen(lines.data, lines.len, "r");
    o.generate_keys = true;
    o.op = op_hex ? op : NULL;
    rc = o.stream ? load_batch(db, cfg, argv[optind], argv[optind + 1], &o, name) : 1;
    if (o.stream)
        fclose(o.stream);
    sm_wipe(op, sizeof(op));
    sm_buf_clear_free(&lines);
    return rc;
}

static void print_count(void *arg, const char *mno, const char *type, const char *state, int64_t n)
{
    (void)arg;
    printf("%-24s %-20s %-12s %lld\n", mno, type, state, (long long)n);
}

int smdp_inventory_command(void *cfg, struct smdb *db, int argc, char **argv)
{
    if (!strcmp(argv[0], "profile-type")) {
        if (argc >= 2 && !strcmp(argv[1], "set"))
            return cmd_type_set(db, argc - 1, argv + 1);
        if (argc >= 2 && !strcmp(argv[1], "show"))
            return cmd_type_show(db, argc - 1, argv + 1);
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[0], "subscriptions")) {
        if (argc < 2) {
            usage(stderr);
            return 2;
        }
        return cmd_subscriptions(db, cfg, argc - 1, argv + 1);
    }
    if (!strcmp(argv[0], "master-delete-token"))
        return smdp_master_delete_token(cfg, db, argc, argv);
    if (!strcmp(argv[0], "inventory")) {
        if (argc > 2) {
            usage(stderr);
            return 2;
        }
        printf("%-24s %-20s %-12s %s\n", "MNO", "TYPE", "STATE", "COUNT");
        return smdb_inventory_counts(db, argc == 2 ? argv[1] : NULL, print_count, NULL) ? 1 : 0;
    }
    return -1;
}
