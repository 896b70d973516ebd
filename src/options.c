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
	o->arg_sep = xstrdup(":::");
	o->arg_file_sep = xstrdup("::::");
}

void options_finish(struct options *o)
{
	free(o->jobs);
	free(o->shell);
	free(o->replace);
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
	{"dry-run", false},
	{"verbose", false},
	{"trace", false},
	{"no-run-if-empty", false},
	{"null", false},
	{"delimiter", true},
	{"max-args", true},
	{"shell", true},
	{"replace", true},
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

int options_set(struct options *o, const char *name, const char *value,
		char **cause)
{
	const struct opt_def *d = find_def(name);

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
	} else if (strcmp(name, "max-args") == 0) {
		if (parse_long(value, 1, 1L << 30, &o->max_args) < 0) {
			*cause = xasprintf("bad value for --max-args: '%s' "
					   "(want a whole number >= 1)", value);
			return -1;
		}
	} else if (strcmp(name, "shell") == 0) {
		if (value[0] != '/') {
			*cause = xasprintf("bad value for --shell: '%s' "
					   "(want an absolute path)", value);
			return -1;
		}
		set_str(&o->shell, value);
	} else if (strcmp(name, "replace") == 0) {
		if (value[0] == '\0') {
			*cause = xasprintf("bad value for --replace: empty");
			return -1;
		}
		set_str(&o->replace, value);
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
