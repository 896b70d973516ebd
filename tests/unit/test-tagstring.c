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

int main(void)
{
	check("{}", "a b it's/x.c");
	check("{#}/{%}", "7/2");
	check("[{2/.}]", "[x]");
	check("{1}", "a b");
	check("fixed", "fixed");
	check("", "");
	return tap_done();
}
