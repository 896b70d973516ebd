/*
 * Fuzzes the command template: parsing (replacement strings, {n}, {=perl=}
 * which is collected but never run, -I and friends renaming them, --plus,
 * -q, -X, --header names, --tagstring escapes), then rendering each parsed
 * template as a shell line, as a direct argv and as the lengths -s counts.
 *
 * Input: a byte of flags, a byte choosing the names of the replacement
 * strings, then the template, and the job's values after it, each part
 * ended by a NUL byte.  In the template, byte 0x1f separates the command
 * words.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "perl.h"
#include "template.h"
#include "util.h"

#define MAX_VALUES 8

/* The names -I, --er, --bnr, --dnr, --bner, --seqreplace, --slotreplace
 * give the replacement strings, in a few sets. */
static const char *const names[][7] = {
	{"{}", "{.}", "{/}", "{//}", "{/.}", "{#}", "{%}"},
	{"%", "%.", "%/", "%//", "%/.", "%#", "%%"},
	{"{ }", "..", "/", "//", "/.", "#", "@"},
	{"X", "XX", "XXX", "Y", "YY", "Z", "{}"},
};

/* Renders t in every way a job does, with the values of a. */
static void render(const struct template *t, const struct job_args *a)
{
	struct buf b;
	struct argv av;
	struct line_len base, len;

	buf_init(&b);
	template_render(t, a, &b);
	buf_finish(&b);
	if (template_program(t)) {
		argv_init(&av);
		template_render_argv(t, a, &av);
		argv_finish(&av);
	}
	template_base_len(t, &base);
	for (size_t i = 0; i < a->n; i++) {
		struct arg_place at = {.col = i, .width = a->n, .seq = a->seq};
		template_arg_len(t, &a->v[i], &at, &len);
	}
	(void)template_needs_total(t);
	(void)template_shell(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	uint8_t flags = fuzz_byte(&in);
	const char *const *n = names[fuzz_byte(&in) % 4];
	struct template_config cfg = {
		.replace = n[0], .ext_replace = n[1], .base_replace = n[2],
		.dir_replace = n[3], .baseext_replace = n[4],
		.seq_replace = n[5], .slot_replace = n[6],
		.plus = flags & 1, .quote = flags & 2, .context = flags & 4,
		.no_append = flags & 8, .names = flags & 16,
		.shell = "/bin/sh", .shell_only = flags & 32,
		.parens = (flags & 64) ? "[[]]" : NULL,
	};
	char *copy = xmemdup((const char *)in.p, in.n);
	size_t len = in.n, end = strnlen(copy, len);
	struct value v[MAX_VALUES];
	char *vals[MAX_VALUES];
	size_t n_vals = 0;

	/* The values follow the template, each ended by a NUL byte. */
	for (size_t at = end + 1; at < len && n_vals < MAX_VALUES;) {
		size_t l = strnlen(copy + at, len - at);
		if (at + l == len) {
			break; /* not ended: xmemdup()'s NUL is past it */
		}
		vals[n_vals] = copy + at;
		v[n_vals] = (struct value){copy + at, l};
		n_vals++;
		at += l + 1;
	}

	/* The template's words. */
	char *words[64];
	size_t n_words = 0;
	words[n_words++] = copy;
	for (char *c = copy; *c && n_words < 64; c++) {
		if (*c == 0x1f) {
			*c = '\0';
			words[n_words++] = c + 1;
		}
	}

	struct perl *perl = (flags & 128) ? perl_create(4) : NULL;
	cfg.perl = perl;
	struct job_args a = {.v = v, .n = n_vals, .seq = 42, .slot = 3,
			     .total = 99};
	struct template *t = NULL;
	char *cause = NULL;

	/* The command, as the words after the options. */
	if (template_parse(&t, words, n_words, &cfg, &cause) == 0) {
		if (cfg.names) {
			template_bind_names(t, vals, n_vals);
		}
		if (!template_has_perl(t)) {
			render(t, &a);
		}
		template_destroy(t);
	}
	free(cause);
	cause = NULL;

	/* The first word as --tagstring and as --results' text. */
	size_t tag_len;
	char *tag = template_unescape(words[0], &tag_len);
	if (template_parse_tag(&t, tag, &cfg, &cause) == 0) {
		if (!template_has_perl(t)) {
			render(t, &a);
		}
		template_destroy(t);
	}
	free(tag);
	free(cause);
	cause = NULL;
	if (template_parse_text(&t, words[0], &cfg, &cause) == 0) {
		if (!template_has_perl(t)) {
			render(t, &a);
		}
		template_destroy(t);
	}
	free(cause);
	perl_destroy(perl);
	free(copy);
	return 0;
}
