/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: profile packages in DER (as an operator or an SM-DP peer hands them in).
 * Properties: no crash or leak; whatever decodes comes back byte for byte (unknown and
 * undescribable elements travel raw); validation and the checks run on anything. */
#include <stdlib.h>
#include <string.h>

#include "smpp/pp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sm_pp_error e;
    struct sm_pp_stats st;
    json_t *pkg = NULL;

    sm_pp_validate(data, size, &st, &e);
    if (sm_pp_der_to_json(data, size, &pkg, &e) == 0) {
        struct sm_buf back = SM_BUF_INIT;
        struct sm_pp_report rep;

        if (sm_pp_json_to_der(pkg, &back, &e) || back.len != size ||
            (size && memcmp(back.data, data, size)))
            abort();
        if (sm_pp_check(pkg, &rep) >= 0)
            sm_pp_report_free(&rep);
        sm_buf_free(&back);
        json_decref(pkg);
    }
    return 0;
}
