/*
 * Option values: defaults, parsing and validation, shared by the command
 * line and the config file.
 */
#include "options.h"

#include <ctype.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
	char *unused = NULL;
	termseq_parse("TERM,200,TERM,100,TERM,50,KILL,25", &o->termseq,
		      &unused);
}

static const struct {
	const char *name;
	int sig;
} signals[] = {
	{"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT},
	{"KILL", SIGKILL}, {"USR1", SIGUSR1}, {"USR2", SIGUSR2},
	{"PIPE", SIGPIPE}, {"ALRM", SIGALRM}, {"TERM", SIGTERM},
	{"CONT", SIGCONT}, {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},
};

/* A signal by name (TERM, SIGTERM) or number; 0 if unknown. */
static int signal_number(const char *s)
{
	long n;

	if (parse_long(s, 1, 64, &n) == 0) {
		return (int)n;
	}
	if (strncasecmp(s, "SIG", 3) == 0) {
		s += 3;
	}
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
		if (strcasecmp(signals[i].name, s) == 0) {
			return signals[i].sig;
		}
	}
	return 0;
}

int termseq_parse(const char *s, struct termseq *out, char **cause)
{
	char *copy = xstrdup(s), *save = NULL;
	struct termseq t = {.n = 0};
	bool want_sig = true;

	for (char *w = strtok_r(copy, ",", &save); w;
	     w = strtok_r(NULL, ",", &save)) {
		long ms;
		if (want_sig) {
			if (t.n == TERMSEQ_MAX || !(t.sig[t.n] =
						    signal_number(w))) {
				goto bad;
			}
			t.ms[t.n++] = 0;
		} else if (parse_long(w, 0, 86400000, &ms) == 0) {
			t.ms[t.n - 1] = (unsigned)ms;
		} else {
			goto bad;
		}
		want_sig = !want_sig;
	}
	free(copy);
	if (t.n == 0) {
		goto bad_nocopy;
	}
	*out = t;
	return 0;
bad:
	free(copy);
bad_nocopy:
	*cause = xasprintf("bad value for --termseq: '%s' (want signals "
			   "and milliseconds, e.g. TERM,200,KILL,25)", s);
	return -1;
}

int halt_parse(const char *s, struct halt *out, char **cause)
{
	struct halt h = {.when = HALT_SOON, .what = HALT_FAIL, .count = 1};
	long n;
	char *copy = xstrdup(s);
	char *comma = strchr(copy, ',');

	/* GNU parallel's old numbers: 0, 1, 2, -1, -2. */
	if (parse_long(s, -2, 2, &n) == 0) {
		h.when = n == 0 ? HALT_NEVER : (n == 1 || n == -1) ? HALT_SOON
								   : HALT_NOW;
		h.what = n < 0 ? HALT_SUCCESS : HALT_FAIL;
		goto ok;
	}
	if (comma) {
		*comma = '\0';
	}
	if (strcmp(copy, "never") == 0) {
		h.when = HALT_NEVER;
	} else if (strcmp(copy, "soon") == 0) {
		h.when = HALT_SOON;
	} else if (strcmp(copy, "now") == 0) {
		h.when = HALT_NOW;
	} else {
		goto bad;
	}
	if (!comma) {
		goto ok;
	}
	char *what = comma + 1, *eq = strchr(what, '=');
	if (!eq) {
		goto bad;
	}
	*eq = '\0';
	if (strcmp(what, "fail") == 0) {
		h.what = HALT_FAIL;
	} else if (strcmp(what, "success") == 0) {
		h.what = HALT_SUCCESS;
	} else if (strcmp(what, "done") == 0) {
		h.what = HALT_DONE;
	} else {
		goto bad;
	}
	char *num = eq + 1;
	size_t len = strlen(num);
	if (len > 1 && num[len - 1] == '%') {
		num[len - 1] = '\0';
		double pct;
		if (parse_seconds(num, &pct) < 0 || pct <= 0 || pct > 100) {
			goto bad;
		}
		h.pct = pct / 100;
		h.count = 0;
	} else if (parse_long(num, 1, 1L << 40, &h.count) < 0) {
		goto bad;
	}
ok:
	free(copy);
	*out = h;
	return 0;
bad:
	free(copy);
	*cause = xasprintf("bad value for --halt: '%s' (want never, soon or "
			   "now, then ,fail= ,success= or ,done= with a "
			   "count or a percentage)", s);
	return -1;
}

int size_parse(const char *s, unsigned long long *out)
{
	char *end;
	double v = strtod(s, &end);
	double mult = 1;

	if (end == s || v < 0) {
		return -1;
	}
	switch (toupper((unsigned char)*end)) {
	case '\0': break;
	case 'K': mult = 1024.0; break;
	case 'M': mult = 1024.0 * 1024; break;
	case 'G': mult = 1024.0 * 1024 * 1024; break;
	case 'T': mult = 1024.0 * 1024 * 1024 * 1024; break;
	default: return -1;
	}
	if (*end && end[1] != '\0' && !(toupper((unsigned char)end[1]) ==
					 'B' && end[2] == '\0')) {
		return -1;
	}
	*out = (unsigned long long)(v * mult);
	return 0;
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
	free(o->joblog);
	free(o->results);
	free(o->arg_sep);
	free(o->arg_file_sep);
	for (size_t i = 0; i < o->n_arg_files; i++) {
		free(o->arg_files[i]);
	}
	free(o->arg_files);
	for (size_t i = 0; i < o->n_rpl; i++) {
		free(o->rpl[i]);
	}
	free(o->rpl);
	free(o->parens);
	for (size_t i = 0; i < o->n_filter; i++) {
		free(o->filter[i]);
	}
	free(o->filter);
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
	{"tag", false},
	{"tagstring", true},
	{"color", false},
	{"files", false},
	{"tmpdir", true},
	{"dry-run", false},
	{"print-commands", false},
	{"verbose", false},
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
	{"link", false},
	{"eof", true},
	{"colsep", true},
	{"header", true},
	{"trim", true},
	{"timeout", true},
	{"termseq", true},
	{"halt", true},
	{"retries", true},
	{"delay", true},
	{"load", true},
	{"memfree", true},
	{"nice", true},
	{"joblog", true},
	{"resume", false},
	{"resume-failed", false},
	{"retry-failed", false},
	{"results", true},
	{"bar", false},
	{"eta", false},
	{"progress", false},
	{"total-jobs", true},
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
	{"rpl", true},
	{"parens", true},
	{"filter", true},
};

/* Other long names of an option, as GNU parallel spells them. */
static const struct {
	const char *alias;
	const char *name;
} aliases[] = {
	{"lb", "line-buffer"},
	{"er", "extensionreplace"},
	{"bnr", "basenamereplace"},
	{"dnr", "dirnamereplace"},
	{"bner", "basenameextensionreplace"},
	{"term-seq", "termseq"},
	{"halt-on-error", "halt"},
	{"dryrun", "dry-run"},
	{"xapply", "link"},
	{"result", "results"},
	{"res", "results"},
	{"totaljobs", "total-jobs"},
	{"total", "total-jobs"},
};

static const struct opt_def *find_def(const char *name)
{
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		if (strcmp(aliases[i].alias, name) == 0) {
			name = aliases[i].name;
			break;
		}
	}
	for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++) {
		if (strcmp(defs[i].name, name) == 0) {
			return &defs[i];
		}
	}
	return NULL;
}

const char *options_canonical(const char *name)
{
	const struct opt_def *d = find_def(name);

	return d ? d->name : NULL;
}

const char *options_name(size_t i, bool *value)
{
	if (i >= sizeof(defs) / sizeof(defs[0])) {
		return NULL;
	}
	if (value) {
		*value = defs[i].value;
	}
	return defs[i].name;
}

long options_index(const char *name)
{
	const struct opt_def *d = find_def(name);

	return d ? d - defs : -1;
}

const char *options_alias(size_t i, const char **name)
{
	if (i >= sizeof(aliases) / sizeof(aliases[0])) {
		return NULL;
	}
	*name = aliases[i].name;
	return aliases[i].alias;
}

const char *options_field(const char *name)
{
	static const struct {
		const char *name;
		const char *field;
	} shared[] = {
		{"group", "output"},
		{"ungroup", "output"},
		{"line-buffer", "output"},
		{"xargs", "fill"},
		{"multi", "fill"},
		{"context-replace", "fill"},
		{"max-replace-args", "max-args"},
		{"max-lines", "max-args"},
		{"null", "delimiter"},
	};

	name = options_canonical(name);
	for (size_t i = 0; name && i < sizeof(shared) / sizeof(shared[0]);
	     i++) {
		if (strcmp(shared[i].name, name) == 0) {
			return shared[i].field;
		}
	}
	return name;
}

bool options_takes_value(const char *name)
{
	const struct opt_def *d = find_def(name);

	return d && d->value;
}

/* --timeout SECS or N% (of the median runtime of successful jobs). */
static int set_timeout(struct options *o, const char *value, char **cause)
{
	size_t len = strlen(value);
	double v;
	char *num = xstrdup(value);
	bool pct = len > 1 && value[len - 1] == '%';

	if (pct) {
		num[len - 1] = '\0';
	}
	int r = parse_seconds(num, &v);
	free(num);
	if (r < 0 || v <= 0) {
		*cause = xasprintf("bad value for --timeout: '%s' (want "
				   "seconds > 0, or a percentage like 200%%)",
				   value);
		return -1;
	}
	o->timeout = pct ? 0 : v;
	o->timeout_pct = pct ? v / 100 : 0;
	return 0;
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
	name = d->name;
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
	} else if (strcmp(name, "line-buffer") == 0) {
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
	} else if (strcmp(name, "print-commands") == 0) {
		o->verbose = true;
	} else if (strcmp(name, "verbose") == 0) {
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
		o->replace_args = strcmp(name, "max-replace-args") == 0;
		o->max_lines = strcmp(name, "max-lines") == 0;
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
	} else if (strcmp(name, "link") == 0) {
		o->link = true;
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
	} else if (strcmp(name, "timeout") == 0) {
		return set_timeout(o, value, cause);
	} else if (strcmp(name, "termseq") == 0) {
		return termseq_parse(value, &o->termseq, cause);
	} else if (strcmp(name, "halt") == 0) {
		return halt_parse(value, &o->halt, cause);
	} else if (strcmp(name, "retries") == 0) {
		if (parse_long(value, 0, 1000000, &o->retries) < 0) {
			*cause = xasprintf("bad value for --retries: '%s' "
					   "(want a whole number)", value);
			return -1;
		}
	} else if (strcmp(name, "delay") == 0 || strcmp(name, "load") == 0) {
		double *field_d = name[0] == 'd' ? &o->delay : &o->load;
		if (parse_seconds(value, field_d) < 0) {
			*cause = xasprintf("bad value for --%s: '%s' (want a "
					   "number >= 0)", name, value);
			return -1;
		}
	} else if (strcmp(name, "memfree") == 0) {
		if (size_parse(value, &o->memfree) < 0) {
			*cause = xasprintf("bad value for --memfree: '%s' "
					   "(want a size like 500M or 2G)",
					   value);
			return -1;
		}
	} else if (strcmp(name, "nice") == 0) {
		long n;
		if (parse_long(value, -20, 19, &n) < 0) {
			*cause = xasprintf("bad value for --nice: '%s' (want "
					   "-20 to 19)", value);
			return -1;
		}
		o->nice = (int)n;
	} else if (strcmp(name, "joblog") == 0) {
		o->joblog_append = value[0] == '+';
		set_str(&o->joblog, value + (value[0] == '+'));
	} else if (strcmp(name, "resume") == 0) {
		o->resume = true;
	} else if (strcmp(name, "resume-failed") == 0) {
		o->resume_failed = true;
	} else if (strcmp(name, "retry-failed") == 0) {
		o->retry_failed = true;
	} else if (strcmp(name, "results") == 0) {
		if (value[0] == '\0') {
			*cause = xasprintf("bad value for --results: empty");
			return -1;
		}
		set_str(&o->results, value);
	} else if (strcmp(name, "bar") == 0) {
		o->bar = true;
	} else if (strcmp(name, "eta") == 0) {
		o->eta = true;
	} else if (strcmp(name, "progress") == 0) {
		o->progress = true;
	} else if (strcmp(name, "total-jobs") == 0) {
		long n;
		if (parse_long(value, 1, 1L << 62, &n) < 0) {
			*cause = xasprintf("bad value for --total-jobs: '%s' "
					   "(want a whole number >= 1)", value);
			return -1;
		}
		o->total_jobs = (unsigned long long)n;
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
	} else if (strcmp(name, "rpl") == 0) {
		if (!strpbrk(value, " \t\n")) {
			*cause = xasprintf("bad value for --rpl: '%s' (want "
					   "'TAG perl-expression')", value);
			return -1;
		}
		o->rpl = xreallocarray(o->rpl, o->n_rpl + 1, sizeof(char *));
		o->rpl[o->n_rpl++] = xstrdup(value);
	} else if (strcmp(name, "parens") == 0) {
		size_t len = strlen(value);
		if (len < 2 || len % 2 != 0) {
			*cause = xasprintf("bad value for --parens: '%s' (want "
					   "the two halves, as '{==}')", value);
			return -1;
		}
		set_str(&o->parens, value);
	} else if (strcmp(name, "filter") == 0) {
		o->filter = xreallocarray(o->filter, o->n_filter + 1,
					  sizeof(char *));
		o->filter[o->n_filter++] = xstrdup(value);
	}
	return 0;
}

/* A signal's name for --termseq, or its number. */
static void add_signal_name(struct buf *b, int sig)
{
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
		if (signals[i].sig == sig) {
			buf_adds(b, signals[i].name);
			return;
		}
	}
	buf_addf(b, "%d", sig);
}

/* --halt's value, as halt_parse() reads it back. */
static void add_halt(struct buf *b, const struct halt *h)
{
	static const char *const when[] = {"never", "soon", "now"};
	static const char *const what[] = {"fail", "success", "done"};

	buf_adds(b, when[h->when]);
	if (h->when == HALT_NEVER) {
		return;
	}
	buf_addf(b, ",%s=", what[h->what]);
	if (h->pct > 0) {
		buf_addf(b, "%g%%", h->pct * 100);
	} else {
		buf_addf(b, "%ld", h->count);
	}
}

/* The field holding a string option's value, if `name` is one. */
static const char *string_value(const struct options *o, const char *name)
{
	const struct {
		const char *name;
		const char *value;
	} map[] = {
		{"jobs", o->jobs},
		{"tagstring", o->tagstring},
		{"tmpdir", o->tmpdir},
		{"eof", o->eof_str},
		{"colsep", o->colsep},
		{"header", o->header},
		{"trim", o->trim},
		{"shell", o->shell},
		{"replace", o->replace},
		{"extensionreplace", o->ext_replace},
		{"basenamereplace", o->base_replace},
		{"dirnamereplace", o->dir_replace},
		{"basenameextensionreplace", o->baseext_replace},
		{"seqreplace", o->seq_replace},
		{"slotreplace", o->slot_replace},
		{"arg-sep", o->arg_sep},
		{"arg-file-sep", o->arg_file_sep},
		{"results", o->results},
		{"parens", o->parens},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(map[i].name, name) == 0) {
			return map[i].value ? map[i].value : "";
		}
	}
	return NULL;
}

/* The state of flag option `name`; -1 if it is not a flag. */
static int flag_value(const struct options *o, const char *name)
{
	const struct {
		const char *name;
		bool value;
	} map[] = {
		{"keep-order", o->keep_order},
		{"group", o->output == OUTPUT_GROUP},
		{"ungroup", o->output == OUTPUT_UNGROUP},
		{"line-buffer", o->output == OUTPUT_LINE},
		{"tag", o->tag},
		{"color", o->color},
		{"files", o->files},
		{"dry-run", o->dry_run},
		{"print-commands", o->verbose},
		{"verbose", o->trace},
		{"no-run-if-empty", o->no_run_if_empty},
		{"null", o->delimiter == '\0'},
		{"xargs", o->fill == FILL_XARGS},
		{"multi", o->fill == FILL_MULTI},
		{"context-replace", o->fill == FILL_CONTEXT},
		{"quote", o->quote},
		{"plus", o->plus},
		{"shuf", o->shuf},
		{"link", o->link},
		{"resume", o->resume},
		{"resume-failed", o->resume_failed},
		{"retry-failed", o->retry_failed},
		{"bar", o->bar},
		{"eta", o->eta},
		{"progress", o->progress},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(map[i].name, name) == 0) {
			return map[i].value;
		}
	}
	return -1;
}

bool options_is_list(const char *name)
{
	return strcmp(name, "arg-file") == 0 || strcmp(name, "rpl") == 0 ||
	       strcmp(name, "filter") == 0;
}

char *options_get(const struct options *o, const char *name)
{
	const char *s;
	int flag;
	struct buf b;

	name = options_canonical(name);
	if (!name || options_is_list(name)) {
		return NULL;
	}
	if ((s = string_value(o, name))) {
		return xstrdup(s);
	}
	if ((flag = flag_value(o, name)) >= 0) {
		return xstrdup(flag ? "true" : "false");
	}
	buf_init(&b);
	if (strcmp(name, "delimiter") == 0) {
		switch (o->delimiter) {
		case '\n': buf_adds(&b, "\\n"); break;
		case '\t': buf_adds(&b, "\\t"); break;
		case '\0': buf_adds(&b, "\\0"); break;
		case '\\': buf_adds(&b, "\\\\"); break;
		default: buf_addc(&b, o->delimiter); break;
		}
	} else if (strcmp(name, "max-args") == 0 ||
		   strcmp(name, "max-replace-args") == 0 ||
		   strcmp(name, "max-lines") == 0) {
		/* One setting, shown under the name that set it. */
		const char *by = o->replace_args ? "max-replace-args"
			       : o->max_lines ? "max-lines" : "max-args";
		if (o->max_args && strcmp(name, by) == 0) {
			buf_addf(&b, "%ld", o->max_args);
		}
	} else if (strcmp(name, "max-chars") == 0) {
		if (o->max_chars) {
			buf_addf(&b, "%ld", o->max_chars);
		}
	} else if (strcmp(name, "timeout") == 0) {
		if (o->timeout_pct > 0) {
			buf_addf(&b, "%g%%", o->timeout_pct * 100);
		} else if (o->timeout > 0) {
			buf_addf(&b, "%g", o->timeout);
		}
	} else if (strcmp(name, "termseq") == 0) {
		for (size_t i = 0; i < o->termseq.n; i++) {
			if (i > 0) {
				buf_addc(&b, ',');
			}
			add_signal_name(&b, o->termseq.sig[i]);
			buf_addf(&b, ",%u", o->termseq.ms[i]);
		}
	} else if (strcmp(name, "halt") == 0) {
		add_halt(&b, &o->halt);
	} else if (strcmp(name, "retries") == 0) {
		buf_addf(&b, "%ld", o->retries);
	} else if (strcmp(name, "delay") == 0) {
		buf_addf(&b, "%g", o->delay);
	} else if (strcmp(name, "load") == 0) {
		buf_addf(&b, "%g", o->load);
	} else if (strcmp(name, "memfree") == 0) {
		buf_addf(&b, "%llu", o->memfree);
	} else if (strcmp(name, "nice") == 0) {
		buf_addf(&b, "%d", o->nice);
	} else if (strcmp(name, "total-jobs") == 0) {
		if (o->total_jobs) {
			buf_addf(&b, "%llu", o->total_jobs);
		}
	} else if (strcmp(name, "joblog") == 0) {
		if (o->joblog) {
			buf_addf(&b, "%s%s", o->joblog_append ? "+" : "",
				 o->joblog);
		}
	} else {
		buf_finish(&b);
		return NULL;
	}
	return buf_steal(&b);
}
