/* SPDX-License-Identifier: Apache-2.0 */
/* Known-answer checks of the secure channels: SCP03 (both sides), SP 800-108, KCV, SCP80 (both
 * sides, with the SMS carriage), SCP03t (the recorded ES8 download, both sides), SGP.22 BSP. */
#include <errno.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

#include "sm/apdu.h"
#include "sm/cipher.h"
#include "sm/hex.h"
#include "sm/scp03.h"
#include "sm/scp80.h"
#include "sm/sms.h"
#include "vectors.h"

static const char *str(const json_t *v, const char *name)
{
    return json_string_value(json_object_get(v, name));
}

/* Hex member of arbitrary length into a buffer (free with sm_buf_free); -1 if absent. */
static int hexbuf(const json_t *v, const char *name, struct sm_buf *b)
{
    const char *s = str(v, name);
    long n;

    if (!s || sm_buf_reserve(b, strlen(s) / 2 + 1))
        return -1;
    n = sm_hex_decode(s, b->data, strlen(s) / 2 + 1);
    if (n < 0)
        return -1;
    b->len = (size_t)n;
    return 0;
}

/* ---- SCP03 ---- */

static enum vec_result scp03_sequence(const json_t *seq, struct sm_scp03_session *host,
                                      struct sm_scp03_session *card, struct vec_why *why)
{
    struct sm_buf a = SM_BUF_INIT, b = SM_BUF_INIT, out = SM_BUF_INIT;
    enum vec_result r = VEC_FAIL;
    const json_t *step;
    size_t i;

    json_array_foreach(seq, i, step) {
        const char *type = str(step, "type");

        sm_buf_reset(&a);
        sm_buf_reset(&b);
        sm_buf_reset(&out);
        if (type && !strcmp(type, "command")) {
            if (hexbuf(step, "plain", &a) || hexbuf(step, "wrapped", &b)) {
                r = VEC_UNKNOWN;
                goto out;
            }
            /* host wraps the plain command into the recorded bytes */
            if (sm_scp03_wrap(host, a.data, a.len, &out) ||
                vec_cmp(step, "wrapped", out.data, out.len, why))
                goto out;
            /* the card recovers the plain command from them */
            sm_buf_reset(&out);
            if (sm_scp03_card_unwrap(card, b.data, b.len, &out, NULL) ||
                vec_cmp_bytes("card-unwrapped command", a.data, a.len, out.data, out.len, why))
                goto out;
        } else if (type && !strcmp(type, "response")) {
            uint8_t sw[2];

            if (hexbuf(step, "plain_data", &a) || hexbuf(step, "wrapped_data", &b) ||
                vec_hex(step, "sw", sw, 2) != 2) {
                r = VEC_UNKNOWN;
                goto out;
            }
            if (sm_scp03_unwrap_response(host, b.data, b.len, (uint16_t)(sw[0] << 8 | sw[1]),
                                         &out) ||
                vec_cmp(step, "plain_data", out.data, out.len, why))
                goto out;
            sm_buf_reset(&out);
            if (sm_scp03_card_wrap_response(card, a.data, a.len, (uint16_t)(sw[0] << 8 | sw[1]),
                                            &out) ||
                out.len < 2 ||
                vec_cmp_bytes("card-wrapped response", b.data, b.len, out.data, out.len - 2, why))
                goto out;
        } else {
            vec_say(why, "sequence step %zu of unknown type", i);
            r = VEC_UNKNOWN;
            goto out;
        }
    }
    r = VEC_PASS;
out:
    sm_buf_free(&a);
    sm_buf_free(&b);
    sm_buf_free(&out);
    return r;
}

enum vec_result vec_scp03_session(const json_t *v, struct vec_why *why)
{
    const json_t *keys = json_object_get(v, "static_keys"),
                 *cc = json_object_get(v, "card_challenge_check");
    uint8_t enc[32], mac[32], dek[32], hc[8], level[1], aid[16], rsp[64], info[3];
    struct sm_scp03_session host = {0}, card = {0};
    struct sm_buf apdu = SM_BUF_INIT, crsp = SM_BUF_INIT;
    long klen = vec_int(v, "key_length_bits") / 8, rl, aidlen = -1;
    struct sm_scp03_keys k;
    enum vec_result r = VEC_FAIL;

    if (klen <= 0 || vec_hex(keys, "enc", enc, 32) != klen ||
        vec_hex(keys, "mac", mac, 32) != klen || vec_hex(v, "host_challenge", hc, 8) != 8 ||
        vec_hex(v, "security_level", level, 1) != 1 ||
        (rl = vec_hex(v, "initialize_update_rsp", rsp, sizeof(rsp))) < 0) {
        vec_say(why, "keys, host_challenge, security_level or initialize_update_rsp missing");
        return VEC_UNKNOWN;
    }
    k = (struct sm_scp03_keys){enc, mac, vec_hex(keys, "dek", dek, 32) == klen ? dek : NULL,
                               (size_t)klen};
    /* host: INITIALIZE UPDATE, session keys, cryptograms, EXTERNAL AUTHENTICATE */
    if (sm_scp03_initialize_update(rl > 10 ? rsp[10] : 0, hc, &apdu) ||
        vec_cmp(v, "initialize_update_cmd", apdu.data, apdu.len, why))
        goto out;
    if (sm_scp03_host_init(&host, &k, hc, rsp, (size_t)rl, NULL)) {
        vec_say(why, "host refuses the INITIALIZE UPDATE response (card cryptogram)");
        goto out;
    }
    {
        const json_t *sk = json_object_get(v, "session_keys");

        if (vec_cmp(sk, "s_enc", host.s_enc, (size_t)klen, why) ||
            vec_cmp(sk, "s_mac", host.s_mac, (size_t)klen, why) ||
            vec_cmp(sk, "s_rmac", host.s_rmac, (size_t)klen, why) ||
            vec_cmp(v, "card_cryptogram", host.card_cryptogram, 8, why) ||
            vec_cmp(v, "host_cryptogram", host.host_cryptogram, 8, why))
            goto out;
    }
    sm_buf_reset(&apdu);
    if (sm_scp03_external_authenticate(&host, level[0], &apdu) ||
        vec_cmp(v, "external_authenticate_cmd", apdu.data, apdu.len, why) ||
        vec_cmp(json_object_get(v, "external_authenticate_trace"), "mac_chaining_value_after",
                host.mcv, 16, why))
        goto out;
    /* card: the same INITIALIZE UPDATE answer from its keys, then EXTERNAL AUTHENTICATE */
    if (cc)
        aidlen = vec_hex(cc, "aid", aid, 16);
    if (aidlen > 0 && rl == 32 && (rsp[12] & 0x10)) {
        uint8_t chal[8];

        if (sm_scp03_card_challenge(enc, (size_t)klen, rsp + 29, aid, (size_t)aidlen, chal) ||
            vec_cmp(v, "card_challenge", chal, 8, why))
            goto out;
        if (sm_scp03_card_init(&card, &k, rsp[10], rsp[12], rsp + 29, aid, (size_t)aidlen, rsp, hc,
                               &crsp) ||
            vec_cmp_bytes("card INITIALIZE UPDATE response", rsp, (size_t)rl, crsp.data, crsp.len,
                          why))
            goto out;
    } else {
        /* a card with a random challenge: take it from the recorded answer */
        memcpy(info, rsp + 10, 3);
        if (sm_scp03_derive(&card, &k, hc, rsp + 13))
            goto out;
        card.kvn = info[0];
    }
    if (sm_scp03_card_external_authenticate(&card, apdu.data, apdu.len, NULL)) {
        vec_say(why, "card refuses EXTERNAL AUTHENTICATE");
        goto out;
    }
    r = scp03_sequence(json_object_get(v, "sequence"), &host, &card, why);
out:
    sm_scp03_clear(&host);
    sm_scp03_clear(&card);
    sm_buf_free(&apdu);
    sm_buf_free(&crsp);
    return r;
}

/* Plain SP 800-108 counter mode, PRF AES-CMAC, 8-bit counter before the fixed input. */
enum vec_result vec_sp800_108(const json_t *v, struct vec_why *why)
{
    uint8_t key[32], fixed[128], out[64], blk[16];
    long kl = vec_hex(v, "key", key, 32), fl = vec_hex(v, "fixed_input", fixed + 1, 127);
    long bits = vec_int(v, "l_bits");
    size_t n = (size_t)bits / 8, done = 0;

    if (kl < 0 || fl < 0 || bits <= 0 || n > sizeof(out)) {
        vec_say(why, "key, fixed_input or l_bits missing");
        return VEC_UNKNOWN;
    }
    for (uint8_t i = 1; done < n; i++) {
        fixed[0] = i;
        if (sm_aes_cmac(key, (size_t)kl, fixed, (size_t)fl + 1, blk))
            return VEC_FAIL;
        memcpy(out + done, blk, n - done < 16 ? n - done : 16);
        done += n - done < 16 ? n - done : 16;
    }
    return vec_cmp(v, "output", out, n, why) ? VEC_FAIL : VEC_PASS;
}

enum vec_result vec_kcv(const json_t *v, struct vec_why *why)
{
    uint8_t key[32], kcv[3];
    long kl = vec_hex(v, "key", key, 32);

    if (kl < 0 || !str(v, "kcv")) {
        vec_say(why, "key or kcv missing");
        return VEC_UNKNOWN;
    }
    return sm_kcv_aes(key, (size_t)kl, kcv) || vec_cmp(v, "kcv", kcv, 3, why) ? VEC_FAIL : VEC_PASS;
}

/* ---- SCP80 ---- */

enum vec_result vec_scp80(const json_t *v, struct vec_why *why)
{
    uint8_t kic[32], kid[32], spi[2], tar[3], cntr[5], kic_b[1], kid_b[1];
    struct sm_buf apdu = SM_BUF_INIT, pkt = SM_BUF_INIT, out = SM_BUF_INIT, tpdu = SM_BUF_INIT;
    struct sm_buf parts[1] = {SM_BUF_INIT};
    const json_t *rsp = json_object_get(v, "response");
    long kicl = vec_hex(v, "kic", kic, 32), kidl = vec_hex(v, "kid", kid, 32);
    struct sm_scp80_header h;
    struct sm_scp80_keys keys;
    struct sm_scp80_command cmd = {0};
    uint8_t status;
    enum vec_result r = VEC_FAIL;

    if (kicl < 0 || kidl < 0 || vec_hex(v, "spi", spi, 2) != 2 || vec_hex(v, "tar", tar, 3) != 3 ||
        vec_hex(v, "cntr", cntr, 5) != 5 || vec_hex(v, "kic_byte", kic_b, 1) != 1 ||
        vec_hex(v, "kid_byte", kid_b, 1) != 1 || hexbuf(v, "apdu", &apdu) ||
        hexbuf(v, "command_packet", &pkt)) {
        vec_say(why, "SCP80 vector lacks keys, SPI, TAR, CNTR, apdu or command_packet");
        r = VEC_UNKNOWN;
        goto out;
    }
    keys = (struct sm_scp80_keys){kic, (size_t)kicl, kid, (size_t)kidl};
    h = (struct sm_scp80_header){{spi[0], spi[1]}, kic_b[0], kid_b[0], {tar[0], tar[1], tar[2]}};
    /* off-card: the command packet, byte for byte */
    if (sm_scp80_wrap_command(&h, cntr, &keys, apdu.data, apdu.len, &out) ||
        vec_cmp(v, "command_packet", out.data, out.len, why))
        goto out;
    /* card: unwraps it back to the APDU */
    if (sm_scp80_unwrap_command(pkt.data, pkt.len, &keys, &cmd, &status, NULL) ||
        status != SM_POR_OK ||
        vec_cmp_bytes("card-unwrapped data", apdu.data, apdu.len, cmd.data.data, cmd.data.len, why))
        goto out;
    /* SMS carriage: user data = 02 70 00 || packet, and the recorded SMS-DELIVER */
    if (str(v, "user_data")) {
        if (sm_sms_split_packet(pkt.data, pkt.len, false, 0, parts, 1) != 1 ||
            vec_cmp(v, "user_data", parts[0].data, parts[0].len, why))
            goto out;
    }
    if (str(v, "sms_deliver_tpdu")) {
        struct sm_sms_deliver d;
        bool patched = false;

        if (hexbuf(v, "sms_deliver_tpdu", &tpdu))
            goto out;
        if (sm_sms_deliver_decode(tpdu.data, tpdu.len, &d, NULL)) {
            /* pySim's published TPDUs carry TP-UDL 03 in front of 45 octets of 8-bit user data
             * (TS 23.040 9.2.3.16 counts every octet). The decoder stays strict; the check goes
             * on with the length the TPDU actually has, and says so. */
            size_t udl_at = tpdu.len - parts[0].len - 1;

            if (tpdu.len > parts[0].len && tpdu.data[udl_at] != parts[0].len) {
                vec_say(why,
                        "note: published TPDU has TP-UDL %02x for %zu octets of user data; "
                        "checked with the length corrected",
                        tpdu.data[udl_at], parts[0].len);
                tpdu.data[udl_at] = (uint8_t)parts[0].len;
                patched = true;
            }
        }
        if (sm_sms_deliver_decode(tpdu.data, tpdu.len, &d, NULL) ||
            d.pid != SM_SMS_PID_DATA_DOWNLOAD || d.dcs != SM_SMS_DCS_CLASS2_8BIT ||
            vec_cmp_bytes("TPDU user data", parts[0].data, parts[0].len, d.ud, d.ud_len, why)) {
            if (!why->text[0] || patched)
                vec_say(why, "SMS-DELIVER does not decode to this packet");
            goto out;
        }
        sm_buf_reset(&out);
        {
            struct vec_why tmp = {{0}};

            if (sm_sms_deliver_encode(&d, &out) ||
                vec_cmp_bytes("re-encoded SMS-DELIVER", tpdu.data, tpdu.len, out.data, out.len,
                              &tmp)) {
                *why = tmp;
                goto out;
            }
        }
    }
    if (rsp) {
        struct sm_buf por = SM_BUF_INIT, data = SM_BUF_INIT;
        struct sm_scp80_por p = {0};
        uint8_t st[1];
        int bad = 1;

        if (hexbuf(rsp, "udh_and_response_packet", &por) ||
            vec_hex(rsp, "response_status", st, 1) != 1 ||
            hexbuf(rsp, "additional_response_data", &data)) {
            sm_buf_free(&por);
            sm_buf_free(&data);
            vec_say(why, "response lacks its packet, status or data");
            r = VEC_UNKNOWN;
            goto out;
        }
        /* the PoR's own security, when the vector says (some responses come from another
         * command than the vector's), else the command's SPI2 */
        {
            int c = vec_bool(rsp, "por_spi_cc"), e = vec_bool(rsp, "por_spi_ciphered");
            uint8_t rtar[3];

            if (c >= 0)
                spi[1] =
                    (uint8_t)((spi[1] & ~SM_SPI2_POR_INTEGRITY_MASK) | (c ? SM_SPI2_POR_CC : 0));
            if (e >= 0)
                spi[1] = (uint8_t)((spi[1] & ~SM_SPI2_POR_CIPHER) | (e ? SM_SPI2_POR_CIPHER : 0));
            h.spi[1] = spi[1];
            if (vec_hex(rsp, "tar", rtar, 3) == 3)
                memcpy(h.tar, rtar, 3);
        }
        /* off-card: unwrap the card's PoR */
        if (!sm_scp80_unwrap_por(spi, kic_b[0], kid_b[0], &keys, por.data, por.len, &p, NULL) &&
            p.status == st[0] && !vec_cmp(rsp, "cntr", p.cntr, 5, why) &&
            !vec_cmp_bytes("PoR data", data.data, data.len, p.data.data, p.data.len, why)) {
            /* card: produce the same PoR */
            sm_buf_reset(&out);
            if (!sm_scp80_wrap_por(&h, p.cntr, st[0], &keys, data.data, data.len, &out) &&
                !vec_cmp_bytes("card PoR", por.data, por.len, out.data, out.len, why))
                bad = 0;
        } else if (!why->text[0]) {
            vec_say(why, "PoR does not unwrap (status %02x)", p.status);
        }
        sm_scp80_por_free(&p);
        sm_buf_free(&por);
        sm_buf_free(&data);
        if (bad)
            goto out;
    }
    r = VEC_PASS;
out:
    sm_scp80_command_free(&cmd);
    sm_buf_free(&apdu);
    sm_buf_free(&pkt);
    sm_buf_free(&out);
    sm_buf_free(&tpdu);
    sm_buf_free(&parts[0]);
    return r;
}

/* ---- SCP03t (SGP.02 ES8) ---- */

enum vec_result vec_scp03t_session(const json_t *v, struct vec_why *why)
{
    uint8_t kenc[32], kmac[32], hc[8], aid[16], seq[3], kvn[1];
    struct sm_scp03_session dp = {0}, card = {0};
    struct sm_buf a = SM_BUF_INIT, b = SM_BUF_INIT, out = SM_BUF_INIT, pkg = SM_BUF_INIT;
    long kl = vec_hex(v, "k_enc", kenc, 32), aidl = vec_hex(v, "isd_p_aid", aid, 16);
    const json_t *segs = json_object_get(v, "segments"), *seg;
    struct sm_scp03_keys k;
    uint8_t cerr = 0, digest[32];
    enum vec_result r = VEC_FAIL;
    size_t i;

    if (kl < 0 || vec_hex(v, "k_mac", kmac, 32) != kl || aidl < 0 ||
        vec_hex(v, "host_challenge", hc, 8) != 8 || vec_hex(v, "sequence_counter", seq, 3) != 3 ||
        vec_hex(v, "kvn", kvn, 1) != 1 || !json_is_array(segs)) {
        vec_say(why, "SCP03t session lacks keys, AID, challenge, counter, KVN or segments");
        return VEC_UNKNOWN;
    }
    k = (struct sm_scp03_keys){kenc, kmac, NULL, (size_t)kl};
    /* 84: SM-DP command, card answer, SM-DP check */
    if (sm_scp03t_cmd_84(kvn[0], hc, &a) || vec_cmp(v, "cmd_84", a.data, a.len, why))
        goto out;
    if (sm_scp03t_card_84(&card, &k, kvn[0], seq, aid, (size_t)aidl, a.data, a.len, &b) ||
        vec_cmp(v, "rsp_84", b.data, b.len, why))
        goto out;
    if (sm_scp03t_host_84(&dp, &k, hc, b.data, b.len, &cerr, NULL)) {
        vec_say(why, "SM-DP refuses the card's 84 answer");
        goto out;
    }
    if (vec_cmp(v, "card_challenge", dp.card_challenge, 8, why) ||
        vec_cmp(v, "s_enc", dp.s_enc, (size_t)kl, why) ||
        vec_cmp(v, "s_mac", dp.s_mac, (size_t)kl, why) ||
        vec_cmp(v, "s_rmac", dp.s_rmac, (size_t)kl, why) ||
        vec_cmp(v, "card_cryptogram", dp.card_cryptogram, 8, why) ||
        vec_cmp(v, "host_cryptogram", dp.host_cryptogram, 8, why))
        goto out;
    /* 85 */
    sm_buf_reset(&a);
    sm_buf_reset(&b);
    if (sm_scp03t_cmd_85(&dp, 0x33, &a) || vec_cmp(v, "cmd_85", a.data, a.len, why) ||
        vec_cmp(v, "mac_chaining_value_after_85", dp.mcv, 16, why))
        goto out;
    if (sm_scp03t_card_85(&card, a.data, a.len, &b) || vec_cmp(v, "rsp_85", b.data, b.len, why) ||
        sm_scp03t_host_check(&dp, 0x85, b.data, b.len, NULL, &cerr, NULL))
        goto out;
    /* 86 segments: SM-DP wraps each plaintext into the recorded TLV, the card recovers it */
    json_array_foreach(segs, i, seg) {
        sm_buf_reset(&a);
        sm_buf_reset(&b);
        sm_buf_reset(&out);
        if (hexbuf(seg, "plaintext", &a)) {
            r = VEC_UNKNOWN;
            vec_say(why, "segment %zu without plaintext", i);
            goto out;
        }
        if (sm_scp03t_wrap(&dp, 0x86, a.data, a.len, true, &out) ||
            vec_cmp(seg, "wrapped_tlv", out.data, out.len, why)) {
            size_t n = strlen(why->text);

            snprintf(why->text + n, sizeof(why->text) - n, " (segment %zu)", i);
            goto out;
        }
        if (sm_scp03t_card_86(&card, out.data, out.len, &pkg, &b) ||
            vec_cmp(seg, "card_response", b.data, b.len, why) ||
            sm_scp03t_host_check(&dp, 0x86, b.data, b.len, NULL, &cerr, NULL))
            goto out;
    }
    SHA256(pkg.data, pkg.len, digest);
    if (vec_cmp(v, "profile_package_sha256", digest, 32, why))
        goto out;
    r = VEC_PASS;
out:
    sm_scp03_clear(&dp);
    sm_scp03_clear(&card);
    sm_buf_free(&a);
    sm_buf_free(&b);
    sm_buf_free(&out);
    sm_buf_free(&pkg);
    return r;
}

enum vec_result vec_bsp_sequence(const json_t *v, struct vec_why *why)
{
    uint8_t senc[32], smac[32], mcv[16];
    struct sm_scp03_session s = {0};
    struct sm_buf pt = SM_BUF_INIT, out = SM_BUF_INIT;
    const json_t *seq = json_object_get(v, "sequence"), *step;
    long kl = vec_hex(v, "s_enc", senc, 32);
    enum vec_result r = VEC_FAIL;
    size_t i;

    if (kl < 0 || vec_hex(v, "s_mac", smac, 32) != kl || vec_hex(v, "initial_mcv", mcv, 16) != 16 ||
        !json_is_array(seq)) {
        vec_say(why, "BSP sequence lacks keys, initial_mcv or sequence");
        return VEC_UNKNOWN;
    }
    if (sm_scp03_set_session(&s, senc, smac, NULL, (size_t)kl, mcv))
        return VEC_FAIL;
    json_array_foreach(seq, i, step) {
        const char *op = str(step, "op");
        uint8_t tag[3];
        long tl = vec_hex(step, "tag", tag, 3), used = vec_int(step, "block_counter_used");
        uint32_t t = 0;

        sm_buf_reset(&pt);
        sm_buf_reset(&out);
        if (!op || tl <= 0 || hexbuf(step, "plaintext", &pt) ||
            (strcmp(op, "enc_mac") && strcmp(op, "mac_only"))) {
            vec_say(why, "step %zu: unknown op, tag or plaintext", i);
            r = VEC_UNKNOWN;
            goto out;
        }
        for (long j = 0; j < tl; j++)
            t = t << 8 | tag[j];
        if (sm_scp03t_wrap(&s, t, pt.data, pt.len, !strcmp(op, "enc_mac"), &out) ||
            vec_cmp(step, "output", out.data, out.len, why) ||
            vec_cmp(step, "mac_chaining_value_after", s.mcv, 16, why))
            goto out;
        if (used >= 0 && (uint32_t)used != s.counter) {
            vec_say(why, "step %zu used block counter %u, expected %ld", i, s.counter, used);
            goto out;
        }
    }
    r = VEC_PASS;
out:
    sm_scp03_clear(&s);
    sm_buf_free(&pt);
    sm_buf_free(&out);
    return r;
}
