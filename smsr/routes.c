/* SPDX-License-Identifier: Apache-2.0 */
#include "handlers.h"
#include "smsr.h"

/*
 * Every function the SM-SR provides, with the role that may call it (SGP.02:
 * ES1 is called by the EUM, ES3 by the SM-DP, ES4 by the MNO, ES7 by another SM-SR).
 * The entry kinds are those of sm/api.h (SM_ROUTE_ASYNC: the ES5 engine runs it).
 */
const struct sm_api_route smsr_routes[] = {
    SM_ROUTE("es1", "registerEIS", SM_ROLE_EUM, smsr_es1_register_eis, smsr_es1_register_eis_body,
             "SGP.02 ES1.RegisterEIS"),

    SM_ROUTE("es3", "getEIS", SM_ROLE_SMDP, smsr_es3_get_eis, smsr_get_eis_body,
             "SGP.02 ES3.GetEIS"),
    SM_ROUTE_ASYNC("es3", "auditEIS", SM_ROLE_SMDP, smsr_audit_eis, smsr_audit_eis_body,
                   "SGP.02 ES3.AuditEIS"),
    SM_ROUTE_ASYNC("es3", "createISDP", SM_ROLE_SMDP, smsr_es3_create_isdp, smsr_create_isdp_body,
                   "SGP.02 ES3.CreateISDP"),
    SM_ROUTE_ASYNC("es3", "sendData", SM_ROLE_SMDP, smsr_es3_send_data, smsr_send_data_body,
                   "SGP.02 ES3.SendData"),
    SM_ROUTE("es3", "profileDownloadCompleted", SM_ROLE_SMDP, smsr_es3_profile_download_completed,
             smsr_profile_download_completed_body, "SGP.02 ES3.ProfileDownloadCompleted"),
    SM_ROUTE("es3", "updatePolicyRules", SM_ROLE_SMDP, smsr_update_policy_rules,
             smsr_update_policy_rules_body, "SGP.02 ES3.UpdatePolicyRules"),
    SM_ROUTE("es3", "updateSubscriptionAddress", SM_ROLE_SMDP, smsr_update_subscription_address,
             smsr_update_subscription_address_body, "SGP.02 ES3.UpdateSubscriptionAddress"),
    SM_ROUTE_ASYNC("es3", "enableProfile", SM_ROLE_SMDP, smsr_enable_profile, smsr_profile_fn_body,
                   "SGP.02 ES3.EnableProfile"),
    SM_ROUTE_ASYNC("es3", "disableProfile", SM_ROLE_SMDP, smsr_disable_profile,
                   smsr_profile_fn_body, "SGP.02 ES3.DisableProfile"),
    SM_ROUTE_ASYNC("es3", "deleteISDP", SM_ROLE_SMDP, smsr_delete_profile, smsr_profile_fn_body,
                   "SGP.02 ES3.DeleteISDP"),
    SM_ROUTE_ASYNC("es3", "updateConnectivityParameters", SM_ROLE_SMDP,
                   smsr_es3_update_connectivity, smsr_update_connectivity_body,
                   "SGP.02 ES3.UpdateConnectivityParameters"),
    SM_ROUTE_ASYNC("es3", "setFallbackAttribute", SM_ROLE_SMDP, smsr_set_fallback_attribute,
                   smsr_profile_fn_body, "SGP.02 v4 ES3.SetFallBackAttribute"),

    SM_ROUTE("es4", "getEIS", SM_ROLE_MNO, smsr_es4_get_eis, smsr_get_eis_body,
             "SGP.02 ES4.GetEIS"),
    SM_ROUTE_ASYNC("es4", "auditEIS", SM_ROLE_MNO, smsr_audit_eis, smsr_audit_eis_body,
                   "SGP.02 ES4.AuditEIS"),
    SM_ROUTE_ASYNC("es4", "enableProfile", SM_ROLE_MNO, smsr_enable_profile, smsr_profile_fn_body,
                   "SGP.02 ES4.EnableProfile"),
    SM_ROUTE_ASYNC("es4", "disableProfile", SM_ROLE_MNO, smsr_disable_profile, smsr_profile_fn_body,
                   "SGP.02 ES4.DisableProfile"),
    SM_ROUTE_ASYNC("es4", "deleteProfile", SM_ROLE_MNO, smsr_delete_profile, smsr_profile_fn_body,
                   "SGP.02 ES4.DeleteProfile"),
    SM_ROUTE("es4", "updatePolicyRules", SM_ROLE_MNO, smsr_update_policy_rules,
             smsr_update_policy_rules_body, "SGP.02 ES4.UpdatePolicyRules"),
    SM_ROUTE("es4", "updateSubscriptionAddress", SM_ROLE_MNO, smsr_update_subscription_address,
             smsr_update_subscription_address_body, "SGP.02 ES4.UpdateSubscriptionAddress"),
    SM_ROUTE_ASYNC("es4", "setFallbackAttribute", SM_ROLE_MNO, smsr_set_fallback_attribute,
                   smsr_profile_fn_body, "SGP.02 v4 ES4.SetFallBackAttribute"),
    SM_ROUTE("es4", "prepareSMSRChange", SM_ROLE_MNO, smsr_es4_prepare_smsr_change,
             smsr_prepare_smsr_change_body, "SGP.02 ES4.PrepareSMSRChange"),
    SM_ROUTE_ASYNC("es4", "smsrChange", SM_ROLE_MNO, smsr_es4_smsr_change, smsr_smsr_change_body,
                   "SGP.02 ES4.SMSRChange"),
    SM_ROUTE_ASYNC("es4", "masterDelete", SM_ROLE_MNO, smsr_es4_master_delete,
                   smsr_master_delete_body, "SGP.02 master delete (ES4 in v4)"),

    SM_ROUTE_ASYNC("es7", "handoverEUICC", SM_ROLE_SMSR, smsr_es7_handover_euicc,
                   smsr_handover_euicc_body, "SGP.02 ES7.HandoverEUICC"),
    SM_ROUTE_ASYNC("es7", "authenticateSMSR", SM_ROLE_SMSR, smsr_es7_authenticate_smsr,
                   smsr_authenticate_smsr_body, "SGP.02 ES7.AuthenticateSMSR"),
    SM_ROUTE_ASYNC("es7", "createAdditionalKeySet", SM_ROLE_SMSR,
                   smsr_es7_create_additional_key_set, smsr_create_additional_key_set_body,
                   "SGP.02 ES7.CreateAdditionalKeySet"),
    SM_ROUTE("es7", "handleSMSRChangeNotification", SM_ROLE_SMSR,
             smsr_es7_handle_smsr_change_notification, smsr_handle_smsr_change_notification_body,
             "SGP.02 ES7.HandleSMSRChangeNotification"),
};

const size_t smsr_nroutes = sizeof(smsr_routes) / sizeof(smsr_routes[0]);
