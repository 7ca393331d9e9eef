/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: the JSON form of profile packages (edited by operators, sent over ES2).
 * Properties: no crash or leak; a JSON form that encodes gives DER that decodes again to a form
 * encoding to the same bytes. */
#include <stdlib.h>
#include <string.h>

#include "smpp/pp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sm_buf der = SM_BUF_INIT, again = SM_BUF_INIT;
    struct sm_pp_error e;
    json_t *pkg = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL), *back;

    if (!pkg)
        return 0;
    if (sm_pp_json_to_der(pkg, &der, &e) == 0) {
        if (sm_pp_der_to_json(der.data, der.len, &back, &e))
            abort();
        if (sm_pp_json_to_der(back, &again, &e) || again.len != der.len ||
            (der.len && memcmp(again.data, der.data, der.len)))
            abort();
        json_decref(back);
    } else if (!e.msg[0]) {
        abort(); /* every refusal names its reason */
    }
    sm_buf_free(&der);
    sm_buf_free(&again);
    json_decref(pkg);
    return 0;
}
