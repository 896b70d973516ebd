/*
 * Line splitting and tagging: whole lines found, tags at every line start
 * and nowhere else, however the bytes are cut into calls.
 */
#include <stdlib.h>
#include <string.h>

#include "lines.h"
#include "tap.h"
#include "util.h"

static void check_whole(const char *in, size_t want, const char *what)
{
	size_t got = lines_whole(in, strlen(in));
	char msg[160];

	snprintf(msg, sizeof(msg), "%s (got %zu, want %zu)", what, got, want);
	tap_ok(got == want, msg);
}

/* Tags `in`, cut into calls of `step` bytes, starting at a line start. */
static void check_tag(const char *in, size_t step, const char *want,
		      const char *what)
{
	struct buf b;
	bool bol = true;
	size_t n = strlen(in);

	buf_init(&b);
	for (size_t i = 0; i < n; i += step) {
		lines_tag(&b, "T\t", 2, in + i, n - i < step ? n - i : step,
			  &bol);
	}
	tap_is(b.data ? b.data : "", want, what);
	buf_finish(&b);
}

/*
 * Colours `in` as --color-failed does, cut into calls of `step` bytes,
 * with "<" for the colour and ">" for its end, and ends it.
 */
static void check_color(const char *in, size_t step, const char *want,
			const char *what)
{
	struct buf b;
	bool bol = true, cr = false;
	size_t n = strlen(in);

	buf_init(&b);
	for (size_t i = 0; i < n; i += step) {
		lines_color(&b, "<", "T", 1, ">", in + i,
			    n - i < step ? n - i : step, &bol, &cr);
	}
	lines_color_end(&b, "<", "T", 1, ">", &bol, &cr);
	tap_is(b.data ? b.data : "", want, what);
	buf_finish(&b);
}

int main(void)
{
	check_whole("", 0, "finds no whole line in nothing");
	check_whole("abc", 0, "finds no whole line without a newline");
	check_whole("a\n", 2, "takes a line with its newline");
	check_whole("a\nb\nc", 4, "stops after the last newline");
	check_whole("\n\n\n", 3, "counts empty lines");

	const char *in = "one\ntwo\n\nthree";
	const char *want = "T\tone\nT\ttwo\nT\t\nT\tthree";
	for (size_t step = 1; step <= 16; step++) {
		char what[80];
		snprintf(what, sizeof(what),
			 "tags every line start, %zu bytes per call", step);
		check_tag(in, step, want, what);
	}
	check_tag("x\n", 1, "T\tx\n", "puts no tag after a final newline");

	/* NUL bytes are data; only '\n' ends a line. */
	struct buf b;
	bool bol = true;
	const char nul[] = {'a', '\0', 'b', '\n', '\0'};
	const char nul_want[] = {'>', 'a', '\0', 'b', '\n', '>', '\0'};
	buf_init(&b);
	lines_tag(&b, ">", 1, nul, sizeof(nul), &bol);
	tap_ok(b.len == sizeof(nul_want) &&
	       memcmp(b.data, nul_want, b.len) == 0 && !bol,
	       "treats NUL bytes as data");

	/* No tag: a plain copy that still tracks line starts. */
	b.len = 0;
	bol = false;
	lines_tag(&b, NULL, 0, "a\nb\n", 4, &bol);
	tap_ok(b.len == 4 && memcmp(b.data, "a\nb\n", 4) == 0 && bol,
	       "copies untagged bytes and notes the line start");

	/* A tag continues a line begun in an earlier call. */
	b.len = 0;
	bol = false;
	lines_tag(&b, "T", 1, "rest\nnext", 9, &bol);
	tap_is(b.data, "rest\nTnext", "does not tag the rest of a line");
	buf_finish(&b);

	/* GNU parallel's bytes for the same output. */
	for (size_t step = 1; step <= 8; step++) {
		char what[80];
		snprintf(what, sizeof(what),
			 "colours each piece of a line, %zu bytes per call",
			 step);
		check_color("x\n\ny\rz\nlast", step,
			    "<Tx>\n<T>\n<Ty>\r<Tz>\n<Tlast>\n", what);
	}
	check_color("", 1, "", "colours nothing in no output");
	check_color("a\r", 1, "<Ta>\r<T>\n",
		    "ends a final carriage return with an empty line");
	check_color("a\r\n", 1, "<Ta>\r<T>\n",
		    "colours the empty piece between \\r and \\n");
	return tap_done();
}
