/* check_run.h - how every Check suite under ctest is run. */
#ifndef KCAP_TESTS_CHECK_RUN_H
#define KCAP_TESTS_CHECK_RUN_H
#include <check.h>
#include <stdlib.h>

/* Runs su (the runner frees it) with fork status fork (CK_FORK_GETENV: Check's
 * default, a child per test unless CK_FORK=no) and normal output; returns the
 * number of tests that failed. */
static inline int kcap_check_failures(Suite *su, enum fork_status fork)
{
	SRunner *sr = srunner_create(su);
	srunner_set_fork_status(sr, fork);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed;
}

/* Runs su; returns the exit status for main(): EXIT_SUCCESS when every test
 * passed. */
static inline int kcap_check_run(Suite *su)
{
	return kcap_check_failures(su, CK_FORK_GETENV) ? EXIT_FAILURE : EXIT_SUCCESS;
}
#endif
