/* SPDX-License-Identifier: Apache-2.0 */
#include "smdp.h"

/*
 * Every function the SM-DP provides, with the role that may call it: ES2 is called by the MNO
 * (SGP.02 ES2), and the SM-SR reports profile events to the SM-DP through the ES3
 * notification functions. The entry kinds are those of sm/api.h (SM_ROUTE_ASYNC: the order
 * engine runs it, order_engine.h).
 */
const struct sm_api_route smdp_routes[] = {
    SM_ROUTE("es2", "getEIS", SM_ROLE_MNO, smdp_es2_get_eis, smdp_get_eis_body,
             "SGP.02 ES2.GetEIS"),
    SM_ROUTE_ASYNC("es2", "auditEIS", SM_ROLE_MNO, smdp_es2_audit_eis, smdp_audit_eis_body,
                   "SGP.02 ES2.AuditEIS"),
    SM_ROUTE_ASYNC("es2", "downloadProfile", SM_ROLE_MNO, smdp_es2_download_profile,
                   smdp_download_profile_body, "SGP.02 ES2.DownloadProfile"),
    SM_ROUTE("es2", "updatePolicyRules", SM_ROLE_MNO, smdp_es2_update_policy_rules,
             smdp_update_policy_rules_body, "SGP.02 ES2.UpdatePolicyRules"),
    SM_ROUTE("es2", "updateSubscriptionAddress", SM_ROLE_MNO, smdp_es2_update_subscription_address,
             smdp_update_subscription_address_body, "SGP.02 ES2.UpdateSubscriptionAddress"),
    SM_ROUTE_ASYNC("es2", "enableProfile", SM_ROLE_MNO, smdp_es2_enable_profile,
                   smdp_profile_order_body, "SGP.02 ES2.EnableProfile"),
    SM_ROUTE_ASYNC("es2", "disableProfile", SM_ROLE_MNO, smdp_es2_disable_profile,
                   smdp_profile_order_body, "SGP.02 ES2.DisableProfile"),
    SM_ROUTE_ASYNC("es2", "deleteProfile", SM_ROLE_MNO, smdp_es2_delete_profile,
                   smdp_profile_order_body, "SGP.02 ES2.DeleteProfile"),
    SM_ROUTE_ASYNC("es2", "setFallbackAttribute", SM_ROLE_MNO, smdp_es2_set_fallback,
                   smdp_profile_order_body, "SGP.02 v4 ES2.SetFallBackAttribute"),

    SM_ROUTE("es3", "handleProfileEnabledNotification", SM_ROLE_SMSR, smdp_es3_profile_enabled,
             smdp_profile_notification_body, "SGP.02 ES3.HandleProfileEnabledNotification"),
    SM_ROUTE("es3", "handleProfileDisabledNotification", SM_ROLE_SMSR, smdp_es3_profile_disabled,
             smdp_profile_notification_body, "SGP.02 ES3.HandleProfileDisabledNotification"),
    SM_ROUTE("es3", "handleProfileDeletedNotification", SM_ROLE_SMSR, smdp_es3_profile_deleted,
             smdp_profile_notification_body, "SGP.02 ES3.HandleProfileDeletedNotification"),
    SM_ROUTE("es3", "handleSMSRChangeNotification", SM_ROLE_SMSR, smdp_es3_smsr_change,
             smdp_smsr_change_notification_body, "SGP.02 ES3.HandleSMSRChangeNotification"),
};

const size_t smdp_nroutes = sizeof(smdp_routes) / sizeof(smdp_routes[0]);
