/* SPDX-License-Identifier: Apache-2.0 */
/*
 * NotificationConfirmation (SGP.02 ES5; sgp02-architecture 7.10): the SM-SR's answer to each
 * card notification, STORE DATA 3A08 {4E seq}. The card answers with the ISD-Ps it deleted
 * because their POL1 says "delete when disabled" (80 L {4F AID}*): they leave the EIS and their
 * owners are told. Run by the engine beside the card's operation (card.*), never by a caller.
 */
#include <jansson.h>
#include <string.h>

#include "es5_engine.h"
#include "sm/hex.h"
#include "sm/log.h"
#include "sm/tlv.h"

static int check(const struct smdb_op *op, const struct smdb_eis *e, struct sm_status *st)
{
    (void)op;
    (void)e;
    (void)st;
    return 0;
}

static unsigned seq_of(const struct smdb_op *op)
{
    json_t *p = json_loads(op->params ? op->params : "{}", 0, NULL);
    unsigned seq = (unsigned)json_integer_value(json_object_get(p, "seq"));

    json_decref(p);
    return seq;
}

static int script(struct smdb_op *op, const struct smdb_eis *e, struct sm_buf *out)
{
    (void)e;
    return smsr_es5_confirm_command((uint16_t)seq_of(op), out);
}

static int answer(struct smsr_app *a, const struct smdb_op *op, const struct smsr_es5_answer *ans,
                  struct smsr_es5_result *r)
{
    struct sm_tlv t, f;
    struct sm_decode_err err;
    size_t pos = 0;
    int rc = 0;

    if (ans->n < 1 || ans->r[0].sw != 0x9000) {
        /* the card keeps the notification and sends it again: confirmed then */
        SM_LOGW(SM_LOG_OTA, op->eid, "confirmation of notification %u: SW %04X", seq_of(op),
                ans->n ? ans->r[0].sw : 0);
        sm_status_fail(&r->st, 200, SM_SUBJ_EUICC, SM_RSN_EXECUTION_ERROR, op->eid,
                       "confirmation refused by the card");
        return 0;
    }
    if (ans->r[0].len && sm_tlv_parse_one(ans->r[0].data, ans->r[0].len, &t, &err) == 0 &&
        t.tag == 0x80) {
        while (!rc && sm_tlv_next(t.value, t.len, &pos, &f, &err) == 0) {
            char aid[2 * SMSR_AID_LEN + 1];

            if (f.tag != 0x4F || f.len != SMSR_AID_LEN)
                continue;
            sm_hex_encode_upper(f.value, SMSR_AID_LEN, aid);
            SM_LOGI(SM_LOG_OTA, op->eid, "ISD-P %s deleted by the card (POL1)", aid);
            rc = smsr_profile_deleted(a, op->eid, aid, "card");
        }
    }
    if (!rc)
        rc = smdb_card_notif_confirmed(a->db, op->eid, seq_of(op), sm_wall_ms());
    return rc;
}

const struct smsr_es5_fn smsr_fn_notification_confirmation = {
    .name = "notificationConfirmation", .check = check, .script = script, .answer = answer};
