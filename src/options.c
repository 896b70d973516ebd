/*
 * Option values: defaults, parsing and validation, shared by the command
 * line and the config file.
 */
#include "options.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Unlimited -j 0: bounded in practice by descriptors and processes. */
#define JOBS_UNLIMITED 1000000L

void options_init(struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->jobs = xstrdup("100%");
	o->output = OUTPUT_GROUP;
	o->delimiter = '\n';
	o->replace = xstrdup("{}");
	o->ext_replace = xstrdup("{.}");
	o->base_replace = xstrdup("{/}");
	o->dir_replace = xstrdup("{//}");
	o->baseext_replace = xstrdup("{/.}");
	o->seq_replace = xstrdup("{#}");
	o->slot_replace = xstrdup("{%}");
	o->arg_sep = xstrdup(":::");
	o->arg_file_sep = xstrdup("::::");
}

void options_finish(struct options *o)
{
	free(o->jobs);
	free(o->tagstring);
	free(o->tmpdir);
	free(o->shell);
	free(o->replace);
	free(o->ext_replace);
	free(o->base_replace);
	free(o->dir_replace);
	free(o->baseext_replace);
	free(o->seq_replace);
	free(o->slot_replace);
	free(o->eof_str);
	free(o->colsep);
	free(o->header);
	free(o->trim);
	free(o->arg_sep);
	free(o->arg_file_sep);
	for (size_t i = 0; i < o->n_arg_files; i++) {
		free(o->arg_files[i]);
	}
	free(o->arg_files);
	memset(o, 0, sizeof(*o));
}

static void set_str(char **field, const char *value)
{
	free(*field);
	*field = xstrdup(value);
}

/* Parses the escapes \n \t \0 \\ in a one-character delimiter. */
static int parse_delimiter(const char *v, char *out, char **cause)
{
	if (v[0] != '\0' && v[1] == '\0') {
		*out = v[0];
		return 0;
	}
	if (v[0] == '\\' && v[1] != '\0' && v[2] == '\0') {
		switch (v[1]) {
		case 'n': *out = '\n'; return 0;
		case 't': *out = '\t'; return 0;
		case '0': *out = '\0'; return 0;
		case '\\': *out = '\\'; return 0;
		default: break;
		}
	}
	*cause = xasprintf("bad delimiter '%s': give one character or "
			   "\\n, \\t, \\0, \\\\", v);
	return -1;
}

long options_jobs(const char *spec, long cores, char **cause)
{
	long n = 0, r;
	size_t len = strlen(spec);

	if (len > 1 && spec[len - 1] == '%') {
		char *num = xmemdup(spec, len - 1);
		r = parse_long(num, 0, 1000000, &n);
		free(num);
		if (r == 0) {
			n = cores * n / 100;
			return n < 1 ? 1 : n;
		}
	} else if (spec[0] == '+' || spec[0] == '-') {
		r = parse_long(spec + 1, 0, 1000000, &n);
		if (r == 0) {
			n = spec[0] == '+' ? cores + n : cores - n;
			return n < 1 ? 1 : n;
		}
	} else {
		r = parse_long(spec, 0, JOBS_UNLIMITED, &n);
		if (r == 0) {
			return n == 0 ? JOBS_UNLIMITED : n;
		}
	}
	*cause = xasprintf("bad value for --jobs: '%s' (want N, +N, -N, N%% "
			   "or 0)", spec);
	return -1;
}

struct opt_def {
	const char *name;
	bool value;
};

/* Every long option that options_set() knows, and whether it has a value. */
static const struct opt_def defs[] = {
	{"jobs", true},
	{"keep-order", false},
	{"group", false},
	{"ungroup", false},
	{"line-buffer", false},
	{"lb", false},
	{"tag", false},
	{"tagstring", true},
	{"color", false},
	{"files", false},
	{"tmpdir", true},
	{"dry-run", false},
	{"verbose", false},
	{"trace", false},
	{"no-run-if-empty", false},
	{"null", false},
	{"delimiter", true},
	{"max-args", true},
	{"max-replace-args", true},
	{"max-lines", true},
	{"max-chars", true},
	{"xargs", false},
	{"multi", false},
	{"context-replace", false},
	{"quote", false},
	{"plus", false},
	{"shuf", false},
	{"eof", true},
	{"colsep", true},
	{"header", true},
	{"trim", true},
	{"shell", true},
	{"replace", true},
	{"extensionreplace", true},
	{"basenamereplace", true},
	{"dirnamereplace", true},
	{"basenameextensionreplace", true},
	{"seqreplace", true},
	{"slotreplace", true},
	{"arg-sep", true},
	{"arg-file-sep", true},
	{"arg-file", true},
};

static const struct opt_def *find_def(const char *name)
{
	for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++) {
		if (strcmp(defs[i].name, name) == 0) {
			return &defs[i];
		}
	}
	return NULL;
}

bool options_takes_value(const char *name)
{
	const struct opt_def *d = find_def(name);

	return d && d->value;
}

/* The field an option renaming a replacement string sets, if it is one. */
static bool is_replace_option(struct options *o, const char *name,
			      char ***field)
{
	const struct {
		const char *name;
		char **field;
	} map[] = {
		{"replace", &o->replace},
		{"extensionreplace", &o->ext_replace},
		{"basenamereplace", &o->base_replace},
		{"dirnamereplace", &o->dir_replace},
		{"basenameextensionreplace", &o->baseext_replace},
		{"seqreplace", &o->seq_replace},
		{"slotreplace", &o->slot_replace},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(map[i].name, name) == 0) {
			*field = map[i].field;
			return true;
		}
	}
	return false;
}

int options_set(struct options *o, const char *name, const char *value,
		char **cause)
{
	const struct opt_def *d = find_def(name);
	char **field;

	if (!d) {
		*cause = xasprintf("unknown option '%s'", name);
		return -1;
	}
	if (d->value && !value) {
		*cause = xasprintf("option '--%s' needs a value", name);
		return -1;
	}
	if (strcmp(name, "jobs") == 0) {
		if (options_jobs(value, 1, cause) < 0) {
			return -1;
		}
		set_str(&o->jobs, value);
	} else if (strcmp(name, "keep-order") == 0) {
		o->keep_order = true;
	} else if (strcmp(name, "group") == 0) {
		o->output = OUTPUT_GROUP;
	} else if (strcmp(name, "ungroup") == 0) {
		o->output = OUTPUT_UNGROUP;
	} else if (strcmp(name, "line-buffer") == 0 ||
		   strcmp(name, "lb") == 0) {
		o->output = OUTPUT_LINE;
	} else if (strcmp(name, "tag") == 0) {
		o->tag = true;
	} else if (strcmp(name, "tagstring") == 0) {
		set_str(&o->tagstring, value);
	} else if (strcmp(name, "color") == 0) {
		o->color = true;
	} else if (strcmp(name, "files") == 0) {
		o->files = true;
	} else if (strcmp(name, "tmpdir") == 0) {
		if (value[0] == '\0') {
			*cause = xasprintf("bad value for --tmpdir: empty");
			return -1;
		}
		set_str(&o->tmpdir, value);
	} else if (strcmp(name, "dry-run") == 0) {
		o->dry_run = true;
	} else if (strcmp(name, "verbose") == 0) {
		o->verbose = true;
	} else if (strcmp(name, "trace") == 0) {
		o->trace = true;
	} else if (strcmp(name, "no-run-if-empty") == 0) {
		o->no_run_if_empty = true;
	} else if (strcmp(name, "null") == 0) {
		o->null = true;
		o->delimiter = '\0';
	} else if (strcmp(name, "delimiter") == 0) {
		if (parse_delimiter(value, &o->delimiter, cause) < 0) {
			return -1;
		}
	} else if (strcmp(name, "max-args") == 0 ||
		   strcmp(name, "max-replace-args") == 0 ||
		   strcmp(name, "max-lines") == 0) {
		if (parse_long(value, 1, 1L << 30, &o->max_args) < 0) {
			*cause = xasprintf("bad value for --%s: '%s' (want a "
					   "whole number >= 1)", name, value);
			return -1;
		}
	} else if (strcmp(name, "max-chars") == 0) {
		if (parse_long(value, 1, 1L << 30, &o->max_chars) < 0) {
			*cause = xasprintf("bad value for --max-chars: '%s' "
					   "(want a whole number >= 1)", value);
			return -1;
		}
	} else if (strcmp(name, "xargs") == 0) {
		o->fill = FILL_XARGS;
	} else if (strcmp(name, "multi") == 0) {
		o->fill = FILL_MULTI;
	} else if (strcmp(name, "context-replace") == 0) {
		o->fill = FILL_CONTEXT;
	} else if (strcmp(name, "quote") == 0) {
		o->quote = true;
	} else if (strcmp(name, "plus") == 0) {
		o->plus = true;
	} else if (strcmp(name, "shuf") == 0) {
		o->shuf = true;
	} else if (strcmp(name, "eof") == 0) {
		set_str(&o->eof_str, value);
	} else if (strcmp(name, "colsep") == 0) {
		set_str(&o->colsep, value);
	} else if (strcmp(name, "header") == 0) {
		set_str(&o->header, value);
	} else if (strcmp(name, "trim") == 0) {
		static const char *const ok[] = {"n", "l", "r", "lr", "rl"};
		bool valid = false;
		for (size_t i = 0; i < 5; i++) {
			valid = valid || strcmp(value, ok[i]) == 0;
		}
		if (!valid) {
			*cause = xasprintf("bad value for --trim: '%s' (want "
					   "n, l, r, lr or rl)", value);
			return -1;
		}
		set_str(&o->trim, value);
	} else if (strcmp(name, "shell") == 0) {
		if (value[0] != '/') {
			*cause = xasprintf("bad value for --shell: '%s' "
					   "(want an absolute path)", value);
			return -1;
		}
		set_str(&o->shell, value);
	} else if (is_replace_option(o, name, &field)) {
		if (value[0] == '\0') {
			*cause = xasprintf("bad value for --%s: empty", name);
			return -1;
		}
		set_str(field, value);
	} else if (strcmp(name, "arg-sep") == 0) {
		set_str(&o->arg_sep, value);
	} else if (strcmp(name, "arg-file-sep") == 0) {
		set_str(&o->arg_file_sep, value);
	} else if (strcmp(name, "arg-file") == 0) {
		o->arg_files = xreallocarray(o->arg_files, o->n_arg_files + 1,
					     sizeof(char *));
		o->arg_files[o->n_arg_files++] = xstrdup(value);
	}
	return 0;
}
