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

/* A test that cannot run here (missing reference data): counted apart, never as passed. */
static unsigned sm_test_skipped __attribute__((unused));
#define SM_SKIP()                                                                                  \
    do {                                                                                           \
        sm_test_skipped++;                                                                         \
        skip();                                                                                    \
    } while (0)

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
        printf("%s: %zu passed, %d failed%s\n", __FILE__, n - (size_t)failed - sm_test_skipped,    \
               failed, sm_test_skipped ? ", some skipped (see above)" : "");                       \
        return failed ? 1 : 0;                                                                     \
    }

#endif
