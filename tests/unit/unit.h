/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal test harness for tests/unit: each test is a void function run
 * by RUN_TEST(), which prints one "TEST: <name> [ OK ]" or "[FAIL]" line;
 * the Makefile counts those lines. CHECK() records a failure with its
 * reason and lets the test go on, so one run shows every broken case.
 */
#ifndef _VNET_UNIT_H_
#define _VNET_UNIT_H_

#include <stdarg.h>
#include <stdio.h>

/* Reasons printed per test; the rest are only counted. */
#define UNIT_MAX_REASONS	8

static int unit_fails;		/* CHECK failures in the current test */
static int unit_failed_tests;
static char unit_first[256];

static void __attribute__((format(printf, 2, 3)))
unit_fail(int line, const char *fmt, ...)
{
	char msg[240];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!unit_fails)
		snprintf(unit_first, sizeof(unit_first), "line %d: %s",
			 line, msg);
	if (unit_fails < UNIT_MAX_REASONS)
		printf("    # line %d: %s\n", line, msg);
	unit_fails++;
}

#define CHECK(cond, ...)						\
	do {								\
		if (!(cond))						\
			unit_fail(__LINE__, __VA_ARGS__);		\
	} while (0)

static void unit_run(const char *name, void (*fn)(void))
{
	unit_fails = 0;
	fn();
	if (unit_fails) {
		unit_failed_tests++;
		printf("TEST: %s [FAIL] %s (%d checks failed)\n", name,
		       unit_first, unit_fails);
	} else {
		printf("TEST: %s [ OK ]\n", name);
	}
	fflush(stdout);
}

#define RUN_TEST(fn)	unit_run(#fn, fn)

static int unit_exit_code(void)
{
	return unit_failed_tests ? 1 : 0;
}

#endif /* _VNET_UNIT_H_ */
