/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_TEST_H
#define SM_TEST_H

/* cmocka test programs: run a group and end with the project's "N passed, N failed" line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

/* setup and teardown run once around the whole group; a failed setup fails every test. */
#define SM_TEST_MAIN(tests, setup, teardown)                                                       \
    int main(void)                                                                                 \
    {                                                                                              \
        size_t n = sizeof(tests) / sizeof(tests[0]);                                               \
        int (*su)(void **) = (setup), (*td)(void **) = (teardown);                                 \
        int failed;                                                                                \
        if (su && su(NULL)) {                                                                      \
            printf("%s: setup failed\n%s: 0 passed, %zu failed\n", __FILE__, __FILE__, n);         \
            if (td)                                                                                \
                td(NULL);                                                                          \
            return 1;                                                                              \
        }                                                                                          \
        failed = cmocka_run_group_tests(tests, NULL, NULL);                                        \
        if (td && td(NULL))                                                                        \
            printf("%s: teardown failed\n", __FILE__);                                             \
        printf("%s: %zu passed, %d failed\n", __FILE__, n - (size_t)failed, failed);               \
        return failed ? 1 : 0;                                                                     \
    }

#endif
