/*
 * Options: other names, and a value read back as it would be given
 * (what --show-config prints), for every kind of value.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "tap.h"

/* Sets `name` to `value` and checks what options_get() gives back. */
static void check(const char *name, const char *value, const char *get,
		  const char *want)
{
	struct options o;
	char *cause = NULL;
	char what[160];

	options_init(&o);
	snprintf(what, sizeof(what), "--%s %s shows %s = %s", name,
		 value ? value : "", get, want);
	if (options_set(&o, name, value, &cause) < 0) {
		tap_ok(0, what);
		printf("# %s\n", cause);
		free(cause);
	} else {
		char *got = options_get(&o, get);
		tap_is(got ? got : "(null)", want, what);
		free(got);
	}
	options_finish(&o);
}

/* Checks that `value` is refused for option `name`, naming it. */
static void check_bad(const char *name, const char *value)
{
	struct options o;
	char *cause = NULL;
	char what[160];

	options_init(&o);
	snprintf(what, sizeof(what), "--%s %s is refused", name, value);
	tap_ok(options_set(&o, name, value, &cause) < 0 && cause &&
		       strstr(cause, value),
	       what);
	free(cause);
	options_finish(&o);
}

/* Checks the value of option `name` when nothing has set it. */
static void check_default(const char *name, const char *want)
{
	struct options o;
	char what[160];

	options_init(&o);
	snprintf(what, sizeof(what), "%s is %s by default", name, want);
	char *got = options_get(&o, name);
	tap_is(got ? got : "(null)", want, what);
	free(got);
	options_finish(&o);
}

int main(void)
{
	tap_is(options_canonical("lb"), "line-buffer", "lb is line-buffer");
	tap_is(options_canonical("bner"), "basenameextensionreplace",
	       "bner is basenameextensionreplace");
	tap_is(options_canonical("halt-on-error"), "halt",
	       "halt-on-error is halt");
	tap_ok(options_canonical("help") == NULL, "help is not a setting");
	tap_ok(options_canonical("j") == NULL, "short names are not names");
	tap_is(options_field("ungroup"), "output", "ungroup sets the output");
	tap_is(options_field("null"), "delimiter", "null sets the delimiter");
	tap_is(options_field("jobs"), "jobs", "jobs is its own setting");

	check_default("jobs", "100%");
	check_default("group", "true");
	check_default("keep-order", "false");
	check_default("delimiter", "\\n");
	check_default("halt", "never");
	check_default("timeout", "");
	check_default("termseq", "TERM,200,TERM,100,TERM,50,KILL,25");
	check_default("shell", "");
	tap_ok(options_get(&(struct options){0}, "arg-file") == NULL,
	       "arg-file is a list, not one value");
	struct options o;
	const char *name;
	bool all = true;
	options_init(&o);
	for (size_t i = 0; (name = options_name(i, NULL)); i++) {
		char *v = options_get(&o, name);
		if (!v && !options_is_list(name)) {
			printf("# options_get() knows no '%s'\n", name);
			all = false;
		}
		free(v);
	}
	options_finish(&o);
	tap_ok(all, "every option but the lists has a value to show");

	check("lb", NULL, "line-buffer", "true");
	check("lb", NULL, "group", "false");
	check("ungroup", NULL, "ungroup", "true");
	check("null", NULL, "delimiter", "\\0");
	check("delimiter", "\\t", "delimiter", "\\t");
	check("delimiter", ",", "null", "false");
	check("max-lines", "3", "max-lines", "3");
	check("max-lines", "3", "max-args", "");
	check("max-replace-args", "2", "max-replace-args", "2");
	check("dryrun", NULL, "dry-run", "true");
	check("xapply", NULL, "link", "true");
	check("print-commands", NULL, "print-commands", "true");
	check("print-commands", NULL, "verbose", "false");
	check("context-replace", NULL, "multi", "false");
	check("halt", "now,fail=1", "halt", "now,fail=1");
	check("halt", "soon,success=30%", "halt", "soon,success=30%");
	check("halt", "2", "halt", "now,fail=1");
	check("term-seq", "INT,10,SIGKILL,5", "termseq", "INT,10,KILL,5");
	check("timeout", "2.5", "timeout", "2.5");
	check("timeout", "200%", "timeout", "200%");
	check("memfree", "1K", "memfree", "1024");
	/* GNU parallel: k is 1000, K and ki 1024. */
	check("memfree", "1k", "memfree", "1000");
	check("memfree", "2ki", "memfree", "2048");
	/* Past 64 bits, a size is endless (GNU parallel waits forever). */
	check("memfree", "1e30", "memfree", "18446744073709551615");
	check("memfree", "inf", "memfree", "18446744073709551615");
	check("memfree", "9e18K", "memfree", "18446744073709551615");
	check_bad("memfree", "nan");
	check("nice", "-3", "nice", "-3");
	check("joblog", "+log", "joblog", "+log");
	check("er", "{e}", "extensionreplace", "{e}");
	check("max-procs", "3", "jobs", "3");
	check("jl", "log", "joblog", "log");
	check("linebuffer", NULL, "line-buffer", "true");
	check("colour", NULL, "color", "true");
	check("output-as-files", NULL, "files", "true");
	check("argsep", ",,", "arg-sep", ",,");
	check("argfilesep", ",,,", "arg-file-sep", ",,,");
	/* man parallel, TIME POSTFIXES. */
	check("delay", "0.1s", "delay", "0.1");
	check("delay", "1m30", "delay", "90");
	check("timeout", "1m", "timeout", "60");
	check("timeout", "1d3.5h", "timeout", "99000");
	check("timeout", "2H", "timeout", "7200");
	check("load", "300%", "load", "300%");
	check("total", "7", "total-jobs", "7");

	char *cause = NULL;
	tap_ok(options_load("300%", 4, &cause) == 12, "--load 300% of 4 is 12");
	tap_ok(options_load("+1", 4, &cause) == 5, "--load +1 of 4 is 5");
	tap_ok(options_load("-1", 4, &cause) == 3, "--load -1 of 4 is 3");
	tap_ok(options_load("2.5", 4, &cause) == 2.5, "--load 2.5 is 2.5");
	tap_ok(options_load("x", 4, &cause) < 0 && cause,
	       "--load x is an error");
	free(cause);
	struct options bad;
	const char *wrong[][2] = {
		{"delay", "1x"}, {"delay", "m"}, {"delay", "-1s"},
		{"timeout", "0s"}, {"timeout", "1m-"}, {"load", "lots"},
	};
	for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
		char what[80];
		cause = NULL;
		options_init(&bad);
		snprintf(what, sizeof(what), "--%s %s is refused",
			 wrong[i][0], wrong[i][1]);
		tap_ok(options_set(&bad, wrong[i][0], wrong[i][1], &cause) < 0,
		       what);
		free(cause);
		options_finish(&bad);
	}
	cause = NULL;
	options_init(&bad);
	tap_ok(options_set(&bad, "sqlmaster", "x", &cause) < 0 && cause &&
	       strcmp(cause, "--sqlmaster is not supported") == 0,
	       "a GNU parallel option prun lacks is not supported");
	free(cause);
	options_finish(&bad);
	return tap_done();
}
