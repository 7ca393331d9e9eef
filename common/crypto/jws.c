/* SPDX-License-Identifier: Apache-2.0 */
/* Detached ES256 JWS over canonical JSON (sm/jws.h; RFC 7515 appendix F, RFC 7518 3.4). */
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sm/jws.h"

char *sm_json_canonical(const json_t *v)
{
    return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

char *sm_b64_encode(const uint8_t *p, size_t n)
{
    char *out = malloc(4 * ((n + 2) / 3) + 1);

    if (out)
        EVP_EncodeBlock((unsigned char *)out, p, (int)n);
    return out;
}

char *sm_b64url_encode(const uint8_t *p, size_t n)
{
    char *out = sm_b64_encode(p, n);
    size_t len;

    if (!out)
        return NULL;
    len = strlen(out);
    for (size_t i = 0; i < len; i++)
        out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
    while (len > 0 && out[len - 1] == '=')
        out[--len] = 0;
    return out;
}

static int b64_value(char c, bool url)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == (url ? '-' : '+'))
        return 62;
    if (c == (url ? '_' : '/'))
        return 63;
    return -1;
}

/* Strict decoder: only the alphabet, '=' only as final padding, no stray bits. */
static int b64_decode(const char *s, size_t n, bool url, uint8_t **out, size_t *outlen)
{
    uint8_t *buf;
    size_t pad = 0, o = 0;
    uint32_t acc = 0;
    unsigned bits = 0;

    while (n > 0 && s[n - 1] == '=' && pad < 2) {
        n--;
        pad++;
    }
    if ((!url && (n + pad) % 4) || n % 4 == 1)
        return -EINVAL;
    buf = malloc(n * 3 / 4 + 1);
    if (!buf)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        int v = b64_value(s[i], url);

        if (v < 0) {
            free(buf);
            return -EINVAL;
        }
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf[o++] = (uint8_t)(acc >> bits);
        }
    }
    if (acc & ((1u << bits) - 1)) { /* non-canonical trailing bits */
        free(buf);
        return -EINVAL;
    }
    *out = buf;
    *outlen = o;
    return 0;
}

int sm_b64url_decode(const char *s, size_t slen, uint8_t **out, size_t *outlen)
{
    return b64_decode(s, slen, true, out, outlen);
}

int sm_b64_decode(const char *s, uint8_t **out, size_t *outlen)
{
    return b64_decode(s, strlen(s), false, out, outlen);
}

int sm_jws_sign_detached(const json_t *payload, const uint8_t *cert_der, size_t cert_len,
                         enum sm_curve curve, const uint8_t *d, size_t dlen, char **out)
{
    char *canon = sm_json_canonical(payload), *certb64 = sm_b64_encode(cert_der, cert_len);
    char *hdr = NULL, *h64 = NULL, *p64 = NULL, *s64 = NULL, *input = NULL;
    uint8_t sig[2 * SM_EC_FIELD_MAX];
    size_t siglen = sizeof(sig);
    json_t *h = NULL;
    int rc = -ENOMEM;

    *out = NULL;
    if (!canon || !certb64)
        goto done;
    h = json_pack("{s:s, s:[s]}", "alg", "ES256", "x5c", certb64);
    hdr = h ? sm_json_canonical(h) : NULL;
    h64 = hdr ? sm_b64url_encode((const uint8_t *)hdr, strlen(hdr)) : NULL;
    p64 = sm_b64url_encode((const uint8_t *)canon, strlen(canon));
    if (!h64 || !p64 || asprintf(&input, "%s.%s", h64, p64) < 0) {
        input = NULL;
        goto done;
    }
    rc = sm_ecdsa_sign(curve, d, dlen, (const uint8_t *)input, strlen(input), sig, &siglen);
    if (rc)
        goto done;
    rc = -ENOMEM;
    s64 = sm_b64url_encode(sig, siglen);
    if (s64 && asprintf(out, "%s..%s", h64, s64) >= 0)
        rc = 0;
    else
        *out = NULL;
done:
    json_decref(h);
    free(canon);
    free(certb64);
    free(hdr);
    free(h64);
    free(p64);
    free(s64);
    free(input);
    return rc;
}

void sm_jws_signer_free(struct sm_jws_signer *s)
{
    for (size_t i = 0; i < s->nchain; i++)
        free(s->chain[i]);
    free(s->chain);
    free(s->chain_len);
    memset(s, 0, sizeof(*s));
}

static int say(char *why, size_t whylen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int say(char *why, size_t whylen, int rc, const char *fmt, ...)
{
    va_list ap;

    if (why && whylen) {
        va_start(ap, fmt);
        vsnprintf(why, whylen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

/* The raw public point of a DER certificate's P-256 key. */
static int cert_point(const uint8_t *der, size_t len, uint8_t pub[65], size_t *publen)
{
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    EVP_PKEY *k = x ? X509_get0_pubkey(x) : NULL;
    char group[32] = "";
    int rc = -EBADMSG;

    if (!x || p != der + len)
        goto out;
    rc = -ENOTSUP;
    if (!k || EVP_PKEY_get_base_id(k) != EVP_PKEY_EC ||
        !EVP_PKEY_get_utf8_string_param(k, "group", group, sizeof(group), NULL) ||
        strcmp(group, "prime256v1"))
        goto out;
    {
        unsigned char *enc = NULL;

        if (EVP_PKEY_get1_encoded_public_key(k, &enc) == 65) {
            memcpy(pub, enc, 65);
            *publen = 65;
            rc = 0;
        }
        OPENSSL_free(enc);
    }
out:
    X509_free(x);
    return rc;
}

int sm_jws_verify_detached(const char *jws, const json_t *payload, struct sm_jws_signer *signer,
                           char *why, size_t whylen)
{
    return sm_jws_verify_detached_key(jws, payload, NULL, NULL, signer, why, whylen);
}

int sm_jws_verify_detached_key(const char *jws, const json_t *payload, sm_jws_key_fn key, void *arg,
                               struct sm_jws_signer *signer, char *why, size_t whylen)
{
    const char *dots = jws ? strstr(jws, "..") : NULL;
    uint8_t *hbytes = NULL, *sig = NULL, pub[65];
    size_t hlen = 0, siglen = 0, publen = 0;
    char *canon = NULL, *p64 = NULL, *input = NULL;
    json_t *hdr = NULL, *x5c;
    json_error_t je;
    int rc;

    memset(signer, 0, sizeof(*signer));
    if (!dots || dots == jws || strchr(dots + 2, '.') || strchr(jws, '.') != dots)
        return say(why, whylen, -EBADMSG, "not a detached JWS (header..signature)");
    if (sm_b64url_decode(jws, (size_t)(dots - jws), &hbytes, &hlen) ||
        sm_b64url_decode(dots + 2, strlen(dots + 2), &sig, &siglen)) {
        rc = say(why, whylen, -EBADMSG, "JWS: not base64url");
        goto out;
    }
    hdr = json_loadb((const char *)hbytes, hlen, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(hdr)) {
        rc = say(why, whylen, -EBADMSG, "JWS header is not a JSON object");
        goto out;
    }
    if (!json_is_string(json_object_get(hdr, "alg")) ||
        strcmp(json_string_value(json_object_get(hdr, "alg")), "ES256")) {
        rc = say(why, whylen, -ENOTSUP, "JWS alg is not ES256");
        goto out;
    }
    if (json_object_get(hdr, "crit")) {
        rc = say(why, whylen, -ENOTSUP, "JWS header has critical extensions");
        goto out;
    }
    x5c = json_object_get(hdr, "x5c");
    if (!json_is_array(x5c) || !json_array_size(x5c) || json_array_size(x5c) > 8) {
        rc = say(why, whylen, -EBADMSG, "JWS header has no x5c certificate chain");
        goto out;
    }
    signer->chain = calloc(json_array_size(x5c), sizeof(*signer->chain));
    signer->chain_len = calloc(json_array_size(x5c), sizeof(*signer->chain_len));
    if (!signer->chain || !signer->chain_len) {
        rc = -ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < json_array_size(x5c); i++) {
        const char *c = json_string_value(json_array_get(x5c, i));

        if (!c || sm_b64_decode(c, &signer->chain[i], &signer->chain_len[i])) {
            rc = say(why, whylen, -EBADMSG, "JWS x5c[%zu] is not base64", i);
            goto out;
        }
        signer->nchain++;
    }
    /* the caller may know the key of this chain already (certificates it verified before) */
    rc = key ? key(arg, signer, pub, &publen) : 1;
    if (rc > 0)
        rc = cert_point(signer->chain[0], signer->chain_len[0], pub, &publen);
    if (rc) {
        say(why, whylen, rc, "JWS x5c[0]: %s",
            rc == -ENOTSUP ? "not a P-256 key" : "not a DER certificate");
        goto out;
    }
    if (siglen != 64) {
        rc = say(why, whylen, -EKEYREJECTED, "JWS signature is not 64 bytes (r||s)");
        goto out;
    }
    canon = sm_json_canonical(payload);
    p64 = canon ? sm_b64url_encode((const uint8_t *)canon, strlen(canon)) : NULL;
    if (!p64 || asprintf(&input, "%.*s.%s", (int)(dots - jws), jws, p64) < 0) {
        input = NULL;
        rc = -ENOMEM;
        goto out;
    }
    rc = sm_ecdsa_verify(SM_CURVE_P256, pub, publen, (const uint8_t *)input, strlen(input), sig,
                         siglen);
    if (rc)
        rc = say(why, whylen, -EKEYREJECTED, "the signature does not verify");
out:
    if (rc)
        sm_jws_signer_free(signer);
    json_decref(hdr);
    free(hbytes);
    free(sig);
    free(canon);
    free(p64);
    free(input);
    return rc;
}
