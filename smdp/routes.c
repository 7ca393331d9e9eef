/* SPDX-License-Identifier: Apache-2.0 */
#include "smdp.h"

/*
 * Every function the SM-DP provides, with the role that may call it: ES2 is called by the MNO
 * (SGP.02 ES2), and the SM-SR reports profile events to the SM-DP through the ES3
 * notification functions. A NULL handler is a function of the catalogue this build
 * does not provide yet (501 "unsupported" after the role and header checks).
 */
#define R(iface, fn, roles, spec)                                                                  \
    {                                                                                              \
        iface, fn, roles, NULL, NULL, spec, false                                                  \
    }

#define H(iface, fn, roles, handler, body, spec)                                                   \
    {                                                                                              \
        iface, fn, roles, handler, body, spec, false                                               \
    }

/* answered 202 and run by the order engine (order_engine.h): the calls outlive a restart */
#define A(iface, fn, roles, handler, body, spec)                                                   \
    {                                                                                              \
        iface, fn, roles, handler, body, spec, true                                                \
    }

const struct sm_api_route smdp_routes[] = {
    H("es2", "getEIS", SM_ROLE_MNO, smdp_es2_get_eis, smdp_get_eis_body, "SGP.02 ES2.GetEIS"),
    R("es2", "auditEIS", SM_ROLE_MNO, "SGP.02 ES2.AuditEIS"),
    A("es2", "downloadProfile", SM_ROLE_MNO, smdp_es2_download_profile, smdp_download_profile_body,
      "SGP.02 ES2.DownloadProfile"),
    H("es2", "updatePolicyRules", SM_ROLE_MNO, smdp_es2_update_policy_rules,
      smdp_update_policy_rules_body, "SGP.02 ES2.UpdatePolicyRules"),
    H("es2", "updateSubscriptionAddress", SM_ROLE_MNO, smdp_es2_update_subscription_address,
      smdp_update_subscription_address_body, "SGP.02 ES2.UpdateSubscriptionAddress"),
    A("es2", "enableProfile", SM_ROLE_MNO, smdp_es2_enable_profile, smdp_profile_order_body,
      "SGP.02 ES2.EnableProfile"),
    A("es2", "disableProfile", SM_ROLE_MNO, smdp_es2_disable_profile, smdp_profile_order_body,
      "SGP.02 ES2.DisableProfile"),
    A("es2", "deleteProfile", SM_ROLE_MNO, smdp_es2_delete_profile, smdp_profile_order_body,
      "SGP.02 ES2.DeleteProfile"),
    A("es2", "setFallbackAttribute", SM_ROLE_MNO, smdp_es2_set_fallback, smdp_profile_order_body,
      "SGP.02 v4 ES2.SetFallBackAttribute"),

    H("es3", "handleProfileEnabledNotification", SM_ROLE_SMSR, smdp_es3_profile_enabled,
      smdp_profile_notification_body, "SGP.02 ES3.HandleProfileEnabledNotification"),
    H("es3", "handleProfileDisabledNotification", SM_ROLE_SMSR, smdp_es3_profile_disabled,
      smdp_profile_notification_body, "SGP.02 ES3.HandleProfileDisabledNotification"),
    H("es3", "handleProfileDeletedNotification", SM_ROLE_SMSR, smdp_es3_profile_deleted,
      smdp_profile_notification_body, "SGP.02 ES3.HandleProfileDeletedNotification"),
    H("es3", "handleSMSRChangeNotification", SM_ROLE_SMSR, smdp_es3_smsr_change,
      smdp_smsr_change_notification_body, "SGP.02 ES3.HandleSMSRChangeNotification"),
};

const size_t smdp_nroutes = sizeof(smdp_routes) / sizeof(smdp_routes[0]);
