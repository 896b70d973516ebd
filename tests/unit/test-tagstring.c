/*
 * Tag strings: replacement strings in text for people are replaced by the
 * values as they are, unquoted (even under -q), and nothing is appended.
 */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "template.h"
#include "util.h"

static void check(const char *text, const char *want)
{
	struct template_config cfg = {
		.replace = "{}", .ext_replace = "{.}", .base_replace = "{/}",
		.dir_replace = "{//}", .baseext_replace = "{/.}",
		.seq_replace = "{#}", .slot_replace = "{%}", .quote = true,
		.shell = "/bin/sh",
	};
	struct value v[2] = {{"a b", 3}, {"it's/x.c", 8}};
	struct job_args a = {.v = v, .n = 2, .seq = 7, .slot = 2};
	struct template *t = NULL;
	char *cause = NULL;
	char what[120];
	struct buf b;

	buf_init(&b);
	snprintf(what, sizeof(what), "renders tag [%s]", text);
	if (template_parse_text(&t, text, &cfg, &cause) < 0) {
		tap_ok(0, what);
		printf("# %s\n", cause);
		free(cause);
		return;
	}
	template_render(t, &a, &b);
	tap_is(b.data ? b.data : "", want, what);
	buf_finish(&b);
	template_destroy(t);
}

/* Checks template_unescape(); `want` is shown with NUL bytes as '@'. */
static void check_unescape(const char *text, const char *want)
{
	size_t len;
	char *got = template_unescape(text, &len);
	char what[120];

	for (size_t i = 0; i < len; i++) {
		got[i] = got[i] ? got[i] : '@';
	}
	snprintf(what, sizeof(what), "unescapes [%s]", text);
	tap_is(got, want, what);
	free(got);
}

int main(void)
{
	check_unescape("a\\tb", "a\tb");
	check_unescape("\\n\\r", "\n\r");
	check_unescape("\\\\t", "\\\t");
	check_unescape("\\101\\1010", "AA0");
	check_unescape("\\0x\\1y", "@x\001y");
	check_unescape("\\8z\\189", "8z\00189");
	check_unescape("\\q\\", "\\q\\");
	check_unescape("{}\\t", "{}\t");
	check("{}", "a b it's/x.c");
	check("{#}/{%}", "7/2");
	check("[{2/.}]", "[x]");
	check("{1}", "a b");
	check("fixed", "fixed");
	check("", "");
	return tap_done();
}
