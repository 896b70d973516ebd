/*
 * Shell quoting: GNU parallel's output for the same strings, and a round
 * trip through /bin/sh for every byte value.
 */
#include <stdlib.h>
#include <string.h>

#include "quote.h"
#include "tap.h"
#include "util.h"

static void check(const char *in, const char *want)
{
	struct buf b;
	char what[128];

	buf_init(&b);
	quote_append(&b, in, strlen(in));
	snprintf(what, sizeof(what), "quotes [%s] as GNU parallel does", in);
	tap_is(b.data, want, what);
	buf_finish(&b);
}

/* Quotes s, has sh print it back with printf %s, and compares. */
static void round_trip(const char *s, size_t len, const char *what)
{
	struct buf cmd;
	buf_init(&cmd);
	buf_adds(&cmd, "printf %s ");
	quote_append(&cmd, s, len);

	FILE *p = popen(cmd.data, "r");
	char out[512];
	size_t n = p ? fread(out, 1, sizeof(out), p) : 0;
	int status = p ? pclose(p) : -1;
	tap_ok(status == 0 && n == len && memcmp(out, s, len) == 0, what);
	buf_finish(&cmd);
}

int main(void)
{
	check("abc", "abc");
	check("a-b_c.d+e/f", "a-b_c.d+e/f");
	check("", "''");
	check("a b", "'a b'");
	check("c'd", "'c'\"'\"'d'");
	check("'", "\"'\"");
	check("'a", "\"'\"'a'");
	check("a'", "'a'\"'\"");
	check("a''b", "'a'\"'\"''\"'\"'b'");
	check("''", "\"'\"''\"'\"");
	check("$HOME", "'$HOME'");
	check("x\\y", "'x\\y'");
	check("*", "'*'");
	check("l1\nl2", "'l1\nl2'");

	const char *hard[] = {
		"a b", "c'd", "$HOME", "x\\y", "*", "\"", "`id`", "a\nb",
		"'", "''", "~", "#", "!", "-n", "\t", "é",
	};
	for (size_t i = 0; i < sizeof(hard) / sizeof(hard[0]); i++) {
		char what[64];
		snprintf(what, sizeof(what), "sh reads back [%s] verbatim",
			 hard[i]);
		round_trip(hard[i], strlen(hard[i]), what);
	}
	char all[255];
	for (int i = 1; i < 256; i++) {
		all[i - 1] = (char)i;
	}
	round_trip(all, sizeof(all), "sh reads back every byte 1..255");
	return tap_done();
}
