/* SPDX-License-Identifier: GPL-2.0-only */
/* TAP output for the user-space unit tests: one line per check. */
#ifndef GENEVE_UNIT_TAP_H
#define GENEVE_UNIT_TAP_H

#include <stdio.h>

static int test_count, failures;

static void check(int cond, const char *what)
{
	test_count++;
	if (!cond)
		failures++;
	printf("%sok %d - %s\n", cond ? "" : "not ", test_count, what);
}

#endif /* GENEVE_UNIT_TAP_H */
