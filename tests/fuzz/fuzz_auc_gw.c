/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer: one datagram to auc-gw, as hostapd's eap_sim_db sends it (tools/auc-gw/
 * auc_proto.c), answered from a real database made once in a temporary directory with two
 * subscribers, so that well-formed requests reach MILENAGE and SQL. An AKA-AUTS for one of them
 * whose MAC-S is zeros is first made into the AUTS its card would send (the first six bytes are
 * SQN_MS in clear), so that resynchronisation reaches the database too.
 * Properties: the answer ends inside the buffer; a well-formed AKA-REQ-AUTH or SIM-REQ-AUTH gets
 * the matching answer and nothing else does: AKA-RESP-AUTH or SIM-RESP-AUTH and the request's
 * IMSI; an unknown IMSI gets FAILURE, a subscriber only once its SEQ is spent (it is then put
 * again from SEQ 0); a subscriber's vectors verify under its keys (AUTN, RES, CK, IK; Kc and
 * SRES), with as many triplets as asked (1 to 3) and every SQN above those handed out or
 * resynchronised to before. The database lives from one input to the next: a crash may need
 * the inputs before it (docs/fuzzing.md).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auc_gw.h"
#include "sm/hex.h"
#include "sm/ids.h"
#include "sm/log.h"
#include "sm/milenage.h"
#include "smdb/aucstore.h"

#define NSUB    2
#define SEQ_MAX ((INT64_C(1) << 43) - 1) /* SQN = SEQ || IND: 48 bits, 5 of them IND */

static const char *const imsis[NSUB] = {"001010000000001", "001010000000002"};
static struct auc_gw g;
static struct auc_hss_row rows[NSUB];
static struct sm_milenage mil[NSUB];
static int64_t seq[NSUB]; /* the lowest SEQ each subscriber can be at */
static char dir[128];

static void remove_dir(void)
{
    static const char *const files[] = {"auc.db", "auc.db-wal", "auc.db-shm", "auc.kek"};
    char p[160];

    auc_gw_close(&g);
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
        unlink(p);
    }
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *tmp = getenv("TMPDIR");
    char db[160], kek[160], why[300] = "";

    (void)argc;
    (void)argv;
    /* every vector commits its SEQ (synchronous=full): a file system in memory when there is
     * one; the warnings about malformed requests are formatted, not shown */
    if (!tmp)
        tmp = access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm";
    snprintf(dir, sizeof(dir), "%s/fuzz_auc_gw.XXXXXX", tmp);
    if (!mkdtemp(dir) || sm_log_open_file("/dev/null"))
        abort();
    snprintf(db, sizeof(db), "%s/auc.db", dir);
    snprintf(kek, sizeof(kek), "%s/auc.kek", dir);
    /* SEQs reserved in blocks, as auc-gw runs by default */
    if (auc_gw_open(&g, db, kek, true, 1, why, sizeof(why)) || auc_gw_seq_block(&g, 32)) {
        fprintf(stderr, "fuzz_auc_gw: %s\n", why);
        abort();
    }
    atexit(remove_dir);
    for (int i = 0; i < NSUB; i++) {
        struct auc_hss_row *r = &rows[i];

        snprintf(r->imsi, sizeof(r->imsi), "%s", imsis[i]);
        snprintf(r->amf, sizeof(r->amf), "8000");
        for (int j = 0; j < 32; j++)
            r->keys[j] = (uint8_t)(i * 64 + j * 7 + 1);
        if (auc_gw_put(&g, r) || sm_milenage_init(&mil[i], r->keys, r->keys + 16))
            abort();
    }
    return 0;
}

static int subscriber_of(const char *imsi)
{
    for (int i = 0; i < NSUB; i++)
        if (!strcmp(imsi, imsis[i]))
            return i;
    return -1;
}

static uint64_t be48(const uint8_t b[6])
{
    uint64_t v = 0;

    for (int i = 0; i < 6; i++)
        v = v << 8 | b[i];
    return v;
}

/* AUTS hex whose MAC-S is zeros: rewritten as subscriber s's card would send it, with the first
 * six bytes as SQN_MS (*sqn_ms). */
static bool card_auts(int s, const char *auts_hex, const char *rand_hex, char *req, size_t n,
                      uint64_t *sqn_ms)
{
    uint8_t auts[14], rand[16], sqn[6];
    char hex[29];

    if (sm_hex_decode(auts_hex, auts, 14) != 14 || sm_hex_decode(rand_hex, rand, 16) != 16 ||
        memcmp(auts + 6, (uint8_t[8]){0}, 8))
        return false;
    memcpy(sqn, auts, 6);
    if (sm_milenage_auts(&mil[s], rand, sqn, auts))
        abort();
    sm_hex_encode(auts, 14, hex);
    snprintf(req, n, "AKA-AUTS %s %s %s", imsis[s], hex, rand_hex);
    *sqn_ms = be48(sqn);
    return true;
}

static bool hex_exact(const char *hex, uint8_t *out, size_t n)
{
    return strlen(hex) == 2 * n && sm_hex_decode(hex, out, n) == (long)n;
}

/* An AKA vector for subscriber s: RAND AUTN IK CK RES. */
static void check_aka(int s, const char *v)
{
    char r[40], a[40], ik[40], ck[40], res[40], extra;
    uint8_t rand[16], autn[16], x_ik[16], x_ck[16], x_res[8], ik2[16], ck2[16], res2[8], sqn[6],
        amf[2];
    uint64_t q;

    if (sscanf(v, "%39s %39s %39s %39s %39s %c", r, a, ik, ck, res, &extra) != 5 ||
        !hex_exact(r, rand, 16) || !hex_exact(a, autn, 16) || !hex_exact(ik, x_ik, 16) ||
        !hex_exact(ck, x_ck, 16) || !hex_exact(res, x_res, 8) ||
        sm_milenage_check_autn(&mil[s], rand, autn, sqn, amf) ||
        sm_milenage_f2345(&mil[s], rand, res2, ck2, ik2, NULL, NULL) || memcmp(x_res, res2, 8) ||
        memcmp(x_ck, ck2, 16) || memcmp(x_ik, ik2, 16) || amf[0] != 0x80 || amf[1] != 0)
        abort();
    /* IND is kept 0; SEQ only goes up */
    q = be48(sqn);
    if (q & 31 || (int64_t)(q >> 5) <= seq[s])
        abort();
    seq[s] = (int64_t)(q >> 5);
}

/* want GSM triplets for subscriber s: Kc:SRES:RAND ... */
static void check_sim(int s, const char *v, int want)
{
    int got = 0, used;
    char kc[17], sres[9], r[33];

    while (sscanf(v, " %16[0-9a-f]:%8[0-9a-f]:%32[0-9a-f]%n", kc, sres, r, &used) == 3) {
        uint8_t x_kc[8], x_sres[4], rand[16], kc2[8], sres2[4];

        if (!hex_exact(kc, x_kc, 8) || !hex_exact(sres, x_sres, 4) || !hex_exact(r, rand, 16) ||
            sm_milenage_gsm(&mil[s], rand, sres2, kc2) || memcmp(x_kc, kc2, 8) ||
            memcmp(x_sres, sres2, 4))
            abort();
        v += used;
        got++;
    }
    if (*v || got != want)
        abort();
    seq[s] += got; /* a triplet comes from a quintet: each took a SEQ */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* as auc-gw's read loop: up to 1023 bytes, NUL-terminated; its workers' answer buffer */
    char req[1024], out[1024], cmd[24], imsi[24], a[64], b[64], resp[48];
    size_t n = size < sizeof(req) - 1 ? size : sizeof(req) - 1, plen;
    int k, s, rc, want = 0;
    bool aka, sim, valid;
    uint64_t sqn_ms = 0;
    long max;

    memcpy(req, data, n);
    req[n] = 0;
    memset(out, 0x5a, sizeof(out));
    k = sscanf(req, "%23s %23s %63s %63s", cmd, imsi, a, b);
    valid = k >= 2 && !sm_imsi_check(imsi);
    s = valid ? subscriber_of(imsi) : -1;
    aka = valid && k == 2 && !strcmp(cmd, "AKA-REQ-AUTH");
    sim = valid && k == 3 && !strcmp(cmd, "SIM-REQ-AUTH");
    if (sim) {
        max = strtol(a, NULL, 10);
        want = max < 1 ? 1 : max > 3 ? 3 : (int)max;
    }
    if (s >= 0 && k == 4 && !strcmp(cmd, "AKA-AUTS"))
        card_auts(s, a, b, req, sizeof(req), &sqn_ms);
    rc = auc_gw_answer(&g, req, out, sizeof(out));
    if (!memchr(out, 0, sizeof(out)))
        abort();
    if (!aka && !sim) {
        if (out[0])
            abort();
        /* a card's resynchronisation: SEQ continues from the card's */
        if (!rc && s >= 0 && (int64_t)(sqn_ms >> 5) > seq[s])
            seq[s] = (int64_t)(sqn_ms >> 5);
        return 0;
    }
    plen = (size_t)snprintf(resp, sizeof(resp), "%s %s ", aka ? "AKA-RESP-AUTH" : "SIM-RESP-AUTH",
                            imsi);
    if (strncmp(out, resp, plen))
        abort();
    if (!strcmp(out + plen, "FAILURE")) {
        /* for a subscriber, only once its SEQ is spent; then it starts again from SEQ 0 (put
         * again, as new), so that its vectors keep being checked */
        if (s >= 0 &&
            (seq[s] < SEQ_MAX - 3 || smdb_auc_delete(g.db, imsis[s]) || auc_gw_put(&g, &rows[s])))
            abort();
        if (s >= 0)
            seq[s] = 0;
    } else if (s < 0) {
        abort();
    } else if (aka) {
        check_aka(s, out + plen);
    } else {
        check_sim(s, out + plen - 1, want);
    }
    return 0;
}
