/* SPDX-License-Identifier: Apache-2.0 */
/* The SM-SR's own metrics on GET /metrics (Prometheus text format), beside the API edge's. */
#include <errno.h>

#include "smdb/smsr_ops.h"
#include "smdb/smsr_store.h"
#include "smsr.h"

int smsr_metrics(void *app, struct sm_buf *b)
{
    struct smsr_app *a = app;
    struct smsr_stats *s = &a->stats;
    int64_t ops = -1, outbox = -1, cards = -1;
    int rc = 0;

    if (!a)
        return 0;
    /* gauges from the database: what any instance would see */
    smdb_op_pending(a->db, &ops);
    smdb_outbox_pending(a->db, &outbox);
    smdb_eis_count(a->db, &cards);
    rc |=
        sm_buf_printf(b,
                      "# HELP sm_smsr_cards Registered eUICCs.\n"
                      "# TYPE sm_smsr_cards gauge\nsm_smsr_cards %lld\n"
                      "# HELP sm_smsr_operations_pending Operations not done.\n"
                      "# TYPE sm_smsr_operations_pending gauge\n"
                      "sm_smsr_operations_pending %lld\n"
                      "# HELP sm_smsr_outbox_pending Results and notifications not delivered yet.\n"
                      "# TYPE sm_smsr_outbox_pending gauge\nsm_smsr_outbox_pending %lld\n",
                      (long long)cards, (long long)ops, (long long)outbox);
    rc |= sm_buf_printf(b,
                        "# HELP sm_smsr_smpp_bound 1 while bound to the SMSC.\n"
                        "# TYPE sm_smsr_smpp_bound gauge\nsm_smsr_smpp_bound %d\n"
                        "# HELP sm_smsr_sms_out_total SMS submitted to the SMSC.\n"
                        "# TYPE sm_smsr_sms_out_total counter\nsm_smsr_sms_out_total %lu\n"
                        "# HELP sm_smsr_por_total PoRs matched to an operation.\n"
                        "# TYPE sm_smsr_por_total counter\nsm_smsr_por_total %lu\n",
                        atomic_load(&s->smpp_bound), atomic_load(&s->sms_out),
                        atomic_load(&s->por_in));
    rc |= sm_buf_printf(
        b,
        "# HELP sm_smsr_card_notifications_total Card notifications recorded.\n"
        "# TYPE sm_smsr_card_notifications_total counter\n"
        "sm_smsr_card_notifications_total %lu\n"
        "# HELP sm_smsr_admin_sessions_total SCP81 admin sessions opened by cards.\n"
        "# TYPE sm_smsr_admin_sessions_total counter\nsm_smsr_admin_sessions_total %lu\n"
        "# HELP sm_smsr_deliveries_total Outbox deliveries by result.\n"
        "# TYPE sm_smsr_deliveries_total counter\n"
        "sm_smsr_deliveries_total{result=\"ok\"} %lu\n"
        "sm_smsr_deliveries_total{result=\"error\"} %lu\n",
        atomic_load(&s->notifications), atomic_load(&s->sessions), atomic_load(&s->delivered),
        atomic_load(&s->delivery_errors));
    rc |= sm_buf_printf(b,
                        "# HELP sm_smsr_db_flushes_total WAL flushes of group commit (one per "
                        "burst of commits, db.synchronous group).\n"
                        "# TYPE sm_smsr_db_flushes_total counter\nsm_smsr_db_flushes_total %lu\n"
                        "# HELP sm_smsr_db_writes_total Database connection uses that wrote "
                        "(a transaction or more each).\n"
                        "# TYPE sm_smsr_db_writes_total counter\nsm_smsr_db_writes_total %lu\n",
                        smdb_flush_count(a->db), smdb_write_count(a->db));
    return rc ? -ENOMEM : 0;
}
