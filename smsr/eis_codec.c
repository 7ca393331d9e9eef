/* SPDX-License-Identifier: Apache-2.0 */
/* The EIS in the JSON binding: strict decoding and the filtered views (eis_codec.h). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eis_codec.h"
#include "sm/sgp02_fields.h"
#include "sm/entity.h"
#include "sm/hex.h"
#include "sm/ids.h"
#include "sm/jws.h"

/* ---- validators ---- */

int smsr_valid_hex(const char *s)
{
    size_t n = strlen(s);

    if (n % 2)
        return -EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)s[i]))
            return -EINVAL;
    return 0;
}

int smsr_valid_aid(const char *s)
{
    size_t n = strlen(s);

    return n >= 10 && n <= 32 && !smsr_valid_hex(s) ? 0 : -EINVAL;
}

static int valid_tar(const char *s)
{
    return strlen(s) == 6 && !smsr_valid_hex(s) ? 0 : -EINVAL;
}

int smsr_valid_hex_data(const char *s)
{
    return s[0] && !smsr_valid_hex(s) ? 0 : -EINVAL;
}

static int valid_hex16(const char *s)
{
    return strlen(s) <= 32 && !smsr_valid_hex(s) ? 0 : -EINVAL;
}

static int valid_kcv(const char *s)
{
    return strlen(s) == 6 && !smsr_valid_hex(s) ? 0 : -EINVAL;
}

int smsr_valid_version(const char *s)
{
    unsigned a, b, c;
    int n = 0;

    return sscanf(s, "%3u.%3u.%3u%n", &a, &b, &c, &n) == 3 && (size_t)n == strlen(s) &&
                   isdigit((unsigned char)s[0])
               ? 0
               : -EINVAL;
}

/* xs:dateTime as RFC 3339: YYYY-MM-DDThh:mm:ss[.frac](Z|+hh:mm|-hh:mm) */
int smsr_valid_datetime(const char *s)
{
    unsigned y, mo, d, h, mi, se;
    int n = 0;
    const char *p;

    if (sscanf(s, "%4u-%2u-%2uT%2u:%2u:%2u%n", &y, &mo, &d, &h, &mi, &se, &n) != 6 || n != 19 ||
        mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
        return -EINVAL;
    p = s + n;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return -EINVAL;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if (!strcmp(p, "Z"))
        return 0;
    return (p[0] == '+' || p[0] == '-') && isdigit((unsigned char)p[1]) &&
                   isdigit((unsigned char)p[2]) && p[3] == ':' && isdigit((unsigned char)p[4]) &&
                   isdigit((unsigned char)p[5]) && !p[6]
               ? 0
               : -EINVAL;
}

static int valid_oid(const char *s)
{
    return sm_oid_check(s);
}

static int valid_sd_role(const char *s)
{
    return !strcmp(s, "ISD-R") || !strcmp(s, "ECASD") ? 0 : -EINVAL;
}

static int valid_keyset_type(const char *s)
{
    static const char *const t[] = {
        "SCP03", "SCP80", "SCP81", "TokenGeneration", "ReceiptVerification", "CA"};

    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (!strcmp(s, t[i]))
            return 0;
    return -EINVAL;
}

static int valid_state(const char *s)
{
    return !strcmp(s, "Created") || !strcmp(s, "Disabled") || !strcmp(s, "Enabled") ? 0 : -EINVAL;
}

/* ---- member tables (euicc.common.types.xsd) ---- */

#define STR(n, req, max, v, subj)                                                                  \
    {                                                                                              \
        n, SM_JT_STRING, req, max, v, subj, NULL, 0, 0                                             \
    }
#define INT(n, req, lo, hi)                                                                        \
    {                                                                                              \
        n, SM_JT_INTEGER, req, 0, NULL, SM_SUBJ_EIS, NULL, lo, hi                                  \
    }
#define BOOL(n, req)                                                                               \
    {                                                                                              \
        n, SM_JT_BOOLEAN, req, 0, NULL, SM_SUBJ_EIS, NULL, 0, 0                                    \
    }
#define OBJ(n, req, m)                                                                             \
    {                                                                                              \
        n, SM_JT_OBJECT, req, 0, NULL, SM_SUBJ_EIS, m, 0, 0                                        \
    }
#define ARR(n, req, m, lo, hi)                                                                     \
    {                                                                                              \
        n, SM_JT_ARRAY, req, 0, NULL, SM_SUBJ_EIS, m, lo, hi                                       \
    }
#define ARRS(n, req, v, hi)                                                                        \
    {                                                                                              \
        n, SM_JT_ARRAY, req, 64, v, SM_SUBJ_EIS, NULL, 0, hi                                       \
    }
#define END                                                                                        \
    {                                                                                              \
        NULL, SM_JT_STRING, false, 0, NULL, NULL, NULL, 0, 0                                       \
    }

static const struct sm_json_field key_components[] = {
    STR("type", true, 2, smsr_valid_hex, SM_SUBJ_EIS),
    STR("value", true, 128, smsr_valid_hex, SM_SUBJ_EIS),
    END,
};
static const struct sm_json_field key_fields[] = {
    INT("index", true, 0, 127),
    STR("kcv", true, 6, valid_kcv, SM_SUBJ_EIS),
    ARR("keyComponents", true, key_components, 1, 4),
    END,
};
static const struct sm_json_field certificate[] = {
    INT("index", true, 0, 127),
    STR("caId", true, 128, valid_oid, SM_SUBJ_ECASD_CERT),
    STR("value", true, 2048, smsr_valid_hex, SM_SUBJ_ECASD_CERT),
    END,
};
static const struct sm_json_field keyset[] = {
    INT("version", true, 1, 127),
    STR("type", false, 32, valid_keyset_type, SM_SUBJ_EIS),
    INT("cntr", false, 0, INT64_MAX),
    ARR("key", false, key_fields, 0, 128),
    ARR("certificate", false, certificate, 0, 128),
    END,
};
static const struct sm_json_field security_domain[] = {
    STR("aid", true, 32, smsr_valid_aid, SM_SUBJ_SD_AID),
    ARRS("tar", false, valid_tar, 16),
    STR("sin", true, 32, valid_hex16, SM_SUBJ_EIS),
    STR("sdin", true, 32, valid_hex16, SM_SUBJ_EIS),
    STR("role", true, 8, valid_sd_role, SM_SUBJ_EIS),
    ARR("keyset", true, keyset, 1, 127),
    END,
};
static const struct sm_json_field capabilities[] = {
    BOOL("cattpSupport", true),
    STR("cattpVersion", false, 16, smsr_valid_version, SM_SUBJ_EIS),
    BOOL("httpSupport", true),
    STR("httpVersion", false, 16, smsr_valid_version, SM_SUBJ_EIS),
    STR("securePacketVersion", true, 16, smsr_valid_version, SM_SUBJ_EIS),
    STR("remoteProvisioningVersion", true, 16, smsr_valid_version, SM_SUBJ_EIS),
    END,
};
static const struct sm_json_field signed_info[] = {
    STR("eid", true, 32, sm_eid_check, SM_SUBJ_EID),
    STR("eumId", true, 128, valid_oid, SM_SUBJ_EIS),
    STR("productionDate", true, 40, smsr_valid_datetime, SM_SUBJ_EIS),
    STR("platformType", true, 100, NULL, SM_SUBJ_EIS),
    STR("platformVersion", true, 16, smsr_valid_version, SM_SUBJ_EIS),
    STR("isdPLoadfileAid", true, 32, smsr_valid_aid, SM_SUBJ_EIS),
    STR("isdPModuleAid", true, 32, smsr_valid_aid, SM_SUBJ_EIS),
    OBJ("ecasd", true, security_domain),
    OBJ("euiccCapabilities", true, capabilities),
    END,
};
static const struct sm_json_field profile_info[] = {
    STR("iccid", true, 20, sm_iccid_check, SM_SUBJ_ICCID),
    STR("isdPAid", true, 32, smsr_valid_aid, SM_SUBJ_SD_AID),
    STR("mnoId", true, 128, valid_oid, SM_SUBJ_PROFILE),
    BOOL("fallbackAttribute", true),
    OBJ("subscriptionAddress", true, sm_subscription_address_fields),
    STR("state", true, 8, valid_state, SM_SUBJ_PROFILE),
    STR("smdpId", false, 128, valid_oid, SM_SUBJ_PROFILE),
    STR("profileType", false, 100, NULL, SM_SUBJ_PROFILE_TYPE),
    INT("allocatedMemory", true, 0, INT64_MAX),
    INT("freeMemory", false, 0, INT64_MAX),
    OBJ("pol2", true, sm_pol2_fields),
    END,
};
static const struct sm_json_field audit_record[] = {
    STR("eid", true, 32, sm_eid_check, SM_SUBJ_EID),
    STR("smsrId", true, 128, valid_oid, SM_SUBJ_EIS),
    STR("operationDate", true, 40, smsr_valid_datetime, SM_SUBJ_EIS),
    STR("operationType", true, 16, NULL, SM_SUBJ_EIS),
    END,
};
static const struct sm_json_field audit_trail[] = {
    ARR("record", false, audit_record, 0, 1000),
    END,
};
static const struct sm_json_field property[] = {
    STR("key", true, 128, NULL, SM_SUBJ_EIS),
    STR("value", true, 1024, NULL, SM_SUBJ_EIS),
    END,
};
static const struct sm_json_field additional[] = {
    ARR("property", true, property, 1, 64),
    END,
};
static const struct sm_json_field eis_fields[] = {
    OBJ("eumSignedInfo", true, signed_info),
    STR("eumSignature", true, 16384, NULL, SM_SUBJ_EIS),
    INT("remainingMemory", true, 0, INT64_MAX),
    INT("availableMemoryForProfiles", true, 0, INT64_MAX),
    STR("lastAuditDate", false, 40, smsr_valid_datetime, SM_SUBJ_EIS),
    STR("smsrId", true, 128, valid_oid, SM_SUBJ_SMSR),
    ARR("profileInfo", false, profile_info, 0, 255),
    OBJ("isdR", true, security_domain),
    OBJ("auditTrail", false, audit_trail),
    OBJ("additionalProperties", false, additional),
    END,
};

/* ---- decoding ---- */

static int fail(struct sm_status *st, const char *subject, const char *reason, const char *sid,
                const char *msg)
{
    sm_status_fail(st, 400, subject, reason, sid, "%s", msg);
    return -EINVAL;
}

static void upper(char *s)
{
    for (; *s; s++)
        *s = (char)toupper((unsigned char)*s);
}

/* The ISD-R key sets: SCP80 and SCP81 with AES or 3DES keys; other types are not for us. */
static int decode_keysets(const json_t *isdr, struct smsr_eis_in *in, bool handover,
                          struct sm_status *st)
{
    const json_t *sets = json_object_get(isdr, "keyset"), *ks;
    size_t i;

    in->keysets = calloc(json_array_size(sets) + 1, sizeof(*in->keysets));
    if (!in->keysets)
        return -ENOMEM;
    json_array_foreach(sets, i, ks) {
        const char *type = json_string_value(json_object_get(ks, "type"));
        const json_t *keys = json_object_get(ks, "key"), *k;
        struct smsr_eis_keyset *o = &in->keysets[in->nkeysets];
        size_t j;

        if (!type || (strcmp(type, "SCP80") && strcmp(type, "SCP81")))
            continue; /* e.g. a token key set: nothing the SM-SR uses */
        snprintf(o->type, sizeof(o->type), "%s", type);
        o->kvn = (unsigned)json_integer_value(json_object_get(ks, "version"));
        o->cntr = (uint64_t)json_integer_value(json_object_get(ks, "cntr"));
        for (size_t m = 0; m < in->nkeysets; m++)
            if (!strcmp(in->keysets[m].type, o->type) && in->keysets[m].kvn == o->kvn)
                return fail(st, SM_SUBJ_ISDR, SM_RSN_INVALID, NULL,
                            "isdR: two key sets with the same type and version");
        /* an EIS handed over between SM-SRs (ES7) names the key sets but carries no key */
        if (handover && json_array_size(keys)) {
            return fail(st, SM_SUBJ_ISDR, SM_RSN_INVALID, NULL,
                        "isdR: an EIS handed over carries no key values");
        } else if (handover) {
            in->nkeysets++;
            continue;
        }
        if (json_array_size(keys) > SMSR_MAX_KEYS || !json_array_size(keys))
            return fail(st, SM_SUBJ_ISDR, SM_RSN_INVALID, NULL,
                        "isdR: an SCP80/SCP81 key set must have 1 to 8 keys");
        json_array_foreach(keys, j, k) {
            const json_t *comps = json_object_get(k, "keyComponents");
            struct smsr_eis_key *key = &o->keys[o->nkeys];
            uint8_t t;

            if (json_array_size(comps) != 1)
                return fail(st, SM_SUBJ_ISDR, SM_RSN_UNSUPPORTED, NULL,
                            "isdR: keys of several components are not supported");
            key->index = (unsigned)json_integer_value(json_object_get(k, "index"));
            for (size_t m = 0; m < o->nkeys; m++)
                if (o->keys[m].index == key->index)
                    return fail(st, SM_SUBJ_ISDR, SM_RSN_INVALID, NULL,
                                "isdR: two keys with the same index in a key set");
            sm_hex_decode(sm_json_str(json_array_get(comps, 0), "type"), &t, 1);
            key->type = t;
            if (t != 0x88 && t != 0x80 && t != 0x85)
                return fail(st, SM_SUBJ_ISDR, SM_RSN_UNSUPPORTED, NULL,
                            "isdR: key type must be 88 (AES), 80 (3DES) or 85 (TLS PSK)");
            key->len = (size_t)sm_hex_decode(sm_json_str(json_array_get(comps, 0), "value"),
                                             key->enc, sizeof(key->enc));
            if (key->len != 16 && key->len != 24 && key->len != 32)
                return fail(st, SM_SUBJ_ISDR, SM_RSN_INVALID, NULL,
                            "isdR: an enciphered key value must be 16, 24 or 32 bytes");
            sm_hex_decode(sm_json_str(k, "kcv"), key->kcv, 3);
            o->nkeys++;
        }
        in->nkeysets++;
    }
    return 0;
}

/* The ISD-R as stored and shown: key values and KCVs removed, key sets kept. */
static json_t *isdr_public(const json_t *isdr)
{
    json_t *c = json_deep_copy(isdr), *ks;
    size_t i;

    if (!c)
        return NULL;
    json_array_foreach(json_object_get(c, "keyset"), i, ks) {
        json_object_del(ks, "key");
        json_object_del(ks, "cntr");
    }
    return c;
}

static int decode_profiles(const json_t *list, struct smsr_eis_in *in, struct sm_status *st)
{
    const json_t *p;
    size_t i, enabled = 0, fallback = 0;

    in->eis.profiles = calloc(json_array_size(list) + 1, sizeof(*in->eis.profiles));
    if (!in->eis.profiles)
        return -ENOMEM;
    json_array_foreach(list, i, p) {
        struct smdb_profile *o = &in->eis.profiles[in->eis.nprofiles];
        const json_t *addr = json_object_get(p, "subscriptionAddress");
        const char *v;

        snprintf(o->iccid, sizeof(o->iccid), "%s", sm_json_str(p, "iccid"));
        snprintf(o->isdp_aid, sizeof(o->isdp_aid), "%s", sm_json_str(p, "isdPAid"));
        upper(o->isdp_aid);
        if (strlen(o->isdp_aid) != 32)
            return fail(st, SM_SUBJ_SD_AID, SM_RSN_INVALID, o->isdp_aid,
                        "profileInfo: an ISD-P AID is 16 bytes");
        snprintf(o->mno_id, sizeof(o->mno_id), "%s", sm_json_str(p, "mnoId"));
        v = sm_json_str(p, "smdpId");
        snprintf(o->smdp_id, sizeof(o->smdp_id), "%s", v ? v : "");
        v = sm_json_str(p, "profileType");
        snprintf(o->profile_type, sizeof(o->profile_type), "%s", v ? v : "");
        snprintf(o->state, sizeof(o->state), "%s", sm_json_str(p, "state"));
        o->fallback = json_is_true(json_object_get(p, "fallbackAttribute"));
        o->allocated_memory = sm_json_int(p, "allocatedMemory", 0);
        v = sm_json_str(addr, "msisdn");
        snprintf(o->msisdn, sizeof(o->msisdn), "%s", v ? v : "");
        v = sm_json_str(addr, "imsi");
        snprintf(o->imsi, sizeof(o->imsi), "%s", v ? v : "");
        o->pol2 = sm_json_dump(json_object_get(json_object_get(p, "pol2"), "rule")
                                   ? json_object_get(json_object_get(p, "pol2"), "rule")
                                   : json_array());
        if (!o->pol2)
            return -ENOMEM;
        in->eis.nprofiles++;
        for (size_t m = 0; m + 1 < in->eis.nprofiles; m++)
            if (!strcmp(in->eis.profiles[m].iccid, o->iccid) ||
                !strcmp(in->eis.profiles[m].isdp_aid, o->isdp_aid))
                return fail(st, SM_SUBJ_EIS, SM_RSN_INVALID, o->iccid,
                            "profileInfo: an ICCID or ISD-P AID appears twice");
        enabled += !strcmp(o->state, "Enabled");
        fallback += o->fallback;
    }
    /* SGP.02: at most one profile enabled and one holding the fall-back attribute */
    if (enabled > 1 || fallback > 1)
        return fail(st, SM_SUBJ_EIS, SM_RSN_INVALID, NULL,
                    "profileInfo: more than one profile is enabled or has the fall-back attribute");
    return 0;
}

/* The ECASD's certificate: the certificate of its CA key set. */
static int decode_ecasd(const json_t *ecasd, struct smsr_eis_in *in, struct sm_status *st)
{
    const json_t *ks;
    size_t i;

    if (strcmp(sm_json_str(ecasd, "role"), "ECASD"))
        return fail(st, SM_SUBJ_EIS, SM_RSN_INVALID, NULL, "eumSignedInfo.ecasd.role is not ECASD");
    json_array_foreach(json_object_get(ecasd, "keyset"), i, ks) {
        const json_t *cert = json_array_get(json_object_get(ks, "certificate"), 0);

        if (cert) {
            in->ecasd_cert_hex = sm_json_str(cert, "value");
            in->ecasd_ca_id = sm_json_str(cert, "caId");
            return 0;
        }
    }
    return fail(st, SM_SUBJ_ECASD_CERT, SM_RSN_MANDATORY_MISSING, NULL,
                "eumSignedInfo.ecasd carries no certificate (CERT.ECASD.ECKA)");
}

static int decode(const json_t *eis, struct smsr_eis_in *in, bool handover, struct sm_status *st)
{
    const json_t *caps, *isdr;
    int rc;

    memset(in, 0, sizeof(*in));
    rc = sm_json_check(eis, eis_fields, "eis", st);
    if (rc)
        return rc;
    in->signed_info = json_object_get(eis, "eumSignedInfo");
    in->eum_signature = sm_json_str(eis, "eumSignature");
    in->eid = sm_json_str(in->signed_info, "eid");
    in->eum_id = sm_json_str(in->signed_info, "eumId");
    in->smsr_id = sm_json_str(eis, "smsrId");
    caps = json_object_get(in->signed_info, "euiccCapabilities");
    isdr = json_object_get(eis, "isdR");
    if (strcmp(sm_json_str(isdr, "role"), "ISD-R"))
        return fail(st, SM_SUBJ_ISDR, SM_RSN_INVALID, NULL, "eis.isdR.role is not ISD-R");
    rc = decode_ecasd(json_object_get(in->signed_info, "ecasd"), in, st);
    if (!rc)
        rc = decode_keysets(isdr, in, handover, st);
    if (!rc)
        rc = decode_profiles(json_object_get(eis, "profileInfo"), in, st);
    if (rc)
        return rc;
    snprintf(in->eis.eid, sizeof(in->eis.eid), "%s", in->eid);
    snprintf(in->eis.eum_id, sizeof(in->eis.eum_id), "%s", in->eum_id);
    in->eis.remaining_memory = sm_json_int(eis, "remainingMemory", 0);
    in->eis.available_memory = sm_json_int(eis, "availableMemoryForProfiles", 0);
    in->eis.http_support = json_is_true(json_object_get(caps, "httpSupport"));
    in->eis.cattp_support = json_is_true(json_object_get(caps, "cattpSupport"));
    in->isdr_public = isdr_public(isdr);
    in->eis.signed_info = sm_json_canonical(in->signed_info);
    in->eis.eum_signature = (char *)in->eum_signature; /* borrowed */
    in->eis.isdr = in->isdr_public ? sm_json_dump(in->isdr_public) : NULL;
    return in->eis.signed_info && in->eis.isdr ? 0 : -ENOMEM;
}

int smsr_eis_decode(const json_t *eis, struct smsr_eis_in *in, struct sm_status *st)
{
    return decode(eis, in, false, st);
}

int smsr_eis_decode_handover(const json_t *eis, struct smsr_eis_in *in, struct sm_status *st)
{
    return decode(eis, in, true, st);
}

void smsr_eis_in_free(struct smsr_eis_in *in)
{
    for (size_t i = 0; i < in->eis.nprofiles; i++)
        free(in->eis.profiles[i].pol2);
    free(in->eis.profiles);
    free(in->eis.signed_info);
    free(in->eis.isdr);
    if (in->keysets)
        sm_wipe(in->keysets, in->nkeysets * sizeof(*in->keysets));
    free(in->keysets);
    json_decref(in->isdr_public);
    memset(in, 0, sizeof(*in));
}

/* ---- views ---- */

static json_t *profile_json(const struct smdb_profile *p)
{
    json_t *addr = json_object(), *rules = json_loads(p->pol2 ? p->pol2 : "[]", 0, NULL);
    json_t *o;

    /* the rule array; a row written by an earlier UpdatePolicyRules may hold the whole
     * {"rule": [...]} object: shown the same */
    if (json_is_object(rules)) {
        json_t *inner = json_incref(json_object_get(rules, "rule"));

        json_decref(rules);
        rules = inner;
    }
    o = json_pack("{s:s, s:s, s:s, s:b, s:o, s:s, s:I, s:{s:o}}", "iccid", p->iccid, "isdPAid",
                  p->isdp_aid, "mnoId", p->mno_id, "fallbackAttribute", p->fallback,
                  "subscriptionAddress", addr, "state", p->state, "allocatedMemory",
                  (json_int_t)p->allocated_memory, "pol2", "rule", rules ? rules : json_array());

    if (o && p->imsi[0])
        json_object_set_new(addr, "imsi", json_string(p->imsi));
    if (o && p->msisdn[0])
        json_object_set_new(addr, "msisdn", json_string(p->msisdn));
    if (o && p->smdp_id[0])
        json_object_set_new(o, "smdpId", json_string(p->smdp_id));
    if (o && p->profile_type[0])
        json_object_set_new(o, "profileType", json_string(p->profile_type));
    return o;
}

static bool visible(const struct smdb_profile *p, enum smsr_view view, const char *requester)
{
    switch (view) {
    case SMSR_VIEW_MNO:
        return !strcmp(p->mno_id, requester);
    case SMSR_VIEW_SMDP:
        return !strcmp(p->smdp_id, requester);
    case SMSR_VIEW_FULL:
        return true;
    }
    return false;
}

json_t *smsr_eis_view(const struct smdb_eis *e, enum smsr_view view, const char *requester,
                      const char *self_id)
{
    json_t *si = json_loads(e->signed_info, JSON_REJECT_DUPLICATES, NULL);
    json_t *isdr = json_loads(e->isdr, JSON_REJECT_DUPLICATES, NULL);
    json_t *profiles = json_array(), *o;

    for (size_t i = 0; profiles && i < e->nprofiles; i++)
        if (visible(&e->profiles[i], view, requester))
            json_array_append_new(profiles, profile_json(&e->profiles[i]));
    if (!si || !isdr || !profiles) {
        json_decref(si);
        json_decref(isdr);
        json_decref(profiles);
        return NULL;
    }
    /* the EUM's signature goes with the signed info, so the receiver can check it again */
    o = json_pack("{s:o, s:s, s:I, s:I, s:s, s:o, s:o}", "eumSignedInfo", si, "eumSignature",
                  e->eum_signature, "remainingMemory", (json_int_t)e->remaining_memory,
                  "availableMemoryForProfiles", (json_int_t)e->available_memory, "smsrId", self_id,
                  "isdR", isdr, "profileInfo", profiles);
    if (o && e->last_audit_ms) {
        char when[32];

        sm_rfc3339(e->last_audit_ms, when);
        json_object_set_new(o, "lastAuditDate", json_string(when));
    }
    return o;
}
