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

/* Splits `in` and checks the words, joined with "|". */
static void split(const char *in, const char *want)
{
	char **words = NULL, *cause = NULL;
	struct buf b;
	char what[128];

	buf_init(&b);
	long n = quote_split(in, &words, &cause);
	for (long i = 0; i < n; i++) {
		buf_addf(&b, "%s%s", i ? "|" : "", words[i]);
	}
	if (n < 0) {
		buf_addf(&b, "error: %s", cause);
	}
	snprintf(what, sizeof(what), "splits [%s] as shellwords() does", in);
	tap_is(b.data ? b.data : "", want, what);
	buf_finish(&b);
	free(cause);
	quote_split_free(n < 0 ? NULL : words);
}

int main(void)
{
	/* Perl's Text::ParseWords::shellwords() gives these words. */
	split("", "");
	split("  -j2\t -k  ", "-j2|-k");
	split("--tagstring 'a b' x", "--tagstring|a b|x");
	split("\"a \\\" \\$b \\x\" c", "a \" $b x|c");
	split("a\\ b c\\'d", "a b|c'd");
	split("'' x", "|x");
	split("a'b'\"c\"d", "abcd");
	split("#x y", "#x|y");
	split("'open", "error: a single quote is not closed");
	split("a \"open", "error: a double quote is not closed");

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
