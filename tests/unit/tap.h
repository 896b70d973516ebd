/*
 * A minimal TAP producer for the unit tests: each check is one test case.
 */
#ifndef PRUN_TAP_H
#define PRUN_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n;
static int tap_failed;

static inline void tap_ok(int ok, const char *what)
{
	tap_n++;
	if (!ok) {
		tap_failed++;
	}
	printf("%sok %d - ", ok ? "" : "not ", tap_n);
	for (const char *c = what; *c; c++) {
		/* One line per case, whatever the description holds. */
		if (*c == '\n') {
			fputs("\\n", stdout);
		} else {
			putchar(*c);
		}
	}
	putchar('\n');
}

/* Compares two strings and reports both when they differ. */
static inline void tap_is(const char *got, const char *want, const char *what)
{
	int ok = strcmp(got, want) == 0;

	tap_ok(ok, what);
	if (!ok) {
		printf("#   got:  [%s]\n#   want: [%s]\n", got, want);
	}
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
