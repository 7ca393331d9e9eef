/* SPDX-License-Identifier: Apache-2.0 */
#include "handlers.h"
#include "smsr.h"

/*
 * Every function the SM-SR provides, with the role that may call it (SGP.02:
 * ES1 is called by the EUM, ES3 by the SM-DP, ES4 by the MNO, ES7 by another SM-SR).
 * A NULL handler is a function of the catalogue this build does not provide yet: the API edge
 * answers it with 501 and "unsupported" after the role and header checks.
 */
#define R(iface, fn, roles, spec)                                                                  \
    {                                                                                              \
        iface, fn, roles, NULL, NULL, spec, false                                                  \
    }

/* A function this build provides: its handler and member table. */
#define H(iface, fn, roles, handler, body, spec)                                                   \
    {                                                                                              \
        iface, fn, roles, handler, body, spec, false                                               \
    }

/* A function the ES5 engine runs: its calls outlive a restart. */
#define A(iface, fn, roles, handler, body, spec)                                                   \
    {                                                                                              \
        iface, fn, roles, handler, body, spec, true                                                \
    }

const struct sm_api_route smsr_routes[] = {
    H("es1", "registerEIS", SM_ROLE_EUM, smsr_es1_register_eis, smsr_es1_register_eis_body,
      "SGP.02 ES1.RegisterEIS"),

    H("es3", "getEIS", SM_ROLE_SMDP, smsr_es3_get_eis, smsr_get_eis_body, "SGP.02 ES3.GetEIS"),
    A("es3", "auditEIS", SM_ROLE_SMDP, smsr_audit_eis, smsr_audit_eis_body, "SGP.02 ES3.AuditEIS"),
    A("es3", "createISDP", SM_ROLE_SMDP, smsr_es3_create_isdp, smsr_create_isdp_body,
      "SGP.02 ES3.CreateISDP"),
    A("es3", "sendData", SM_ROLE_SMDP, smsr_es3_send_data, smsr_send_data_body,
      "SGP.02 ES3.SendData"),
    H("es3", "profileDownloadCompleted", SM_ROLE_SMDP, smsr_es3_profile_download_completed,
      smsr_profile_download_completed_body, "SGP.02 ES3.ProfileDownloadCompleted"),
    H("es3", "updatePolicyRules", SM_ROLE_SMDP, smsr_update_policy_rules,
      smsr_update_policy_rules_body, "SGP.02 ES3.UpdatePolicyRules"),
    H("es3", "updateSubscriptionAddress", SM_ROLE_SMDP, smsr_update_subscription_address,
      smsr_update_subscription_address_body, "SGP.02 ES3.UpdateSubscriptionAddress"),
    A("es3", "enableProfile", SM_ROLE_SMDP, smsr_enable_profile, smsr_profile_fn_body,
      "SGP.02 ES3.EnableProfile"),
    A("es3", "disableProfile", SM_ROLE_SMDP, smsr_disable_profile, smsr_profile_fn_body,
      "SGP.02 ES3.DisableProfile"),
    A("es3", "deleteISDP", SM_ROLE_SMDP, smsr_delete_profile, smsr_profile_fn_body,
      "SGP.02 ES3.DeleteISDP"),
    A("es3", "updateConnectivityParameters", SM_ROLE_SMDP, smsr_es3_update_connectivity,
      smsr_update_connectivity_body, "SGP.02 ES3.UpdateConnectivityParameters"),
    A("es3", "setFallbackAttribute", SM_ROLE_SMDP, smsr_set_fallback_attribute,
      smsr_profile_fn_body, "SGP.02 v4 ES3.SetFallBackAttribute"),

    H("es4", "getEIS", SM_ROLE_MNO, smsr_es4_get_eis, smsr_get_eis_body, "SGP.02 ES4.GetEIS"),
    A("es4", "auditEIS", SM_ROLE_MNO, smsr_audit_eis, smsr_audit_eis_body, "SGP.02 ES4.AuditEIS"),
    A("es4", "enableProfile", SM_ROLE_MNO, smsr_enable_profile, smsr_profile_fn_body,
      "SGP.02 ES4.EnableProfile"),
    A("es4", "disableProfile", SM_ROLE_MNO, smsr_disable_profile, smsr_profile_fn_body,
      "SGP.02 ES4.DisableProfile"),
    A("es4", "deleteProfile", SM_ROLE_MNO, smsr_delete_profile, smsr_profile_fn_body,
      "SGP.02 ES4.DeleteProfile"),
    H("es4", "updatePolicyRules", SM_ROLE_MNO, smsr_update_policy_rules,
      smsr_update_policy_rules_body, "SGP.02 ES4.UpdatePolicyRules"),
    H("es4", "updateSubscriptionAddress", SM_ROLE_MNO, smsr_update_subscription_address,
      smsr_update_subscription_address_body, "SGP.02 ES4.UpdateSubscriptionAddress"),
    A("es4", "setFallbackAttribute", SM_ROLE_MNO, smsr_set_fallback_attribute, smsr_profile_fn_body,
      "SGP.02 v4 ES4.SetFallBackAttribute"),
    H("es4", "prepareSMSRChange", SM_ROLE_MNO, smsr_es4_prepare_smsr_change,
      smsr_prepare_smsr_change_body, "SGP.02 ES4.PrepareSMSRChange"),
    A("es4", "smsrChange", SM_ROLE_MNO, smsr_es4_smsr_change, smsr_smsr_change_body,
      "SGP.02 ES4.SMSRChange"),
    A("es4", "masterDelete", SM_ROLE_MNO, smsr_es4_master_delete, smsr_master_delete_body,
      "SGP.02 master delete (ES4 in v4)"),

    A("es7", "handoverEUICC", SM_ROLE_SMSR, smsr_es7_handover_euicc, smsr_handover_euicc_body,
      "SGP.02 ES7.HandoverEUICC"),
    A("es7", "authenticateSMSR", SM_ROLE_SMSR, smsr_es7_authenticate_smsr,
      smsr_authenticate_smsr_body, "SGP.02 ES7.AuthenticateSMSR"),
    A("es7", "createAdditionalKeySet", SM_ROLE_SMSR, smsr_es7_create_additional_key_set,
      smsr_create_additional_key_set_body, "SGP.02 ES7.CreateAdditionalKeySet"),
    H("es7", "handleSMSRChangeNotification", SM_ROLE_SMSR, smsr_es7_handle_smsr_change_notification,
      smsr_handle_smsr_change_notification_body, "SGP.02 ES7.HandleSMSRChangeNotification"),
};

const size_t smsr_nroutes = sizeof(smsr_routes) / sizeof(smsr_routes[0]);
