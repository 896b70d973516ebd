/*
 * Option values: defaults, parsing and validation, shared by the command
 * line and the config file.
 */
#include "options.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include "util.h"

void options_init(struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->jobs = xstrdup("100%");
	o->output = OUTPUT_GROUP;
	o->delimiter = '\n';
	o->max_args = -1;
	o->replace = xstrdup("{}");
	o->ext_replace = xstrdup("{.}");
	o->base_replace = xstrdup("{/}");
	o->dir_replace = xstrdup("{//}");
	o->baseext_replace = xstrdup("{/.}");
	o->seq_replace = xstrdup("{#}");
	o->slot_replace = xstrdup("{%}");
	o->arg_sep = xstrdup(":::");
	o->arg_file_sep = xstrdup("::::");
	o->jobserver_style = xstrdup("pipe");
	o->cpus_per_job = 1;
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
	const char *units = "KMGTP";
	const char *u = *end ? strchr(units, toupper((unsigned char)*end))
			     : NULL;

	if (end == s || v < 0 || (*end && !u)) {
		return -1;
	}
	if (u) {
		/* GNU parallel: K is 1024 and k 1000; Ki and ki are 1024. */
		bool binary = isupper((unsigned char)*end) ||
			      (end[1] == 'i' || end[1] == 'I');
		for (const char *k = units; k <= u; k++) {
			mult *= binary ? 1024.0 : 1000.0;
		}
		end += 1 + (end[1] == 'i' || end[1] == 'I');
		if (*end == 'B' || *end == 'b') {
			end++;
		}
	}
	/*
	 * A size past what 64 bits hold (1e30, inf) is as good as endless,
	 * as GNU parallel takes it; converting it would be undefined.  NaN
	 * is no size.
	 */
	double bytes = v * mult;
	if (*end || isnan(bytes)) {
		return -1;
	}
	*out = bytes < 0x1p64 ? (unsigned long long)bytes : ULLONG_MAX;
	return 0;
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

/* Whether spec is one of the number forms of --jobs. */
static bool jobs_is_number(const char *spec)
{
	char *cause = NULL;
	long n = options_jobs_spec(spec, 1, &cause);

	free(cause);
	return n >= 0;
}

bool options_jobs_is_file(const char *spec)
{
	struct stat st;

	return !jobs_is_number(spec) && stat(spec, &st) == 0 &&
	       S_ISREG(st.st_mode);
}

long options_jobs(const char *spec, long cores, char **cause)
{
	if (!options_jobs_is_file(spec)) {
		return options_jobs_spec(spec, cores, cause);
	}
	/* -j FILE: the file holds the spec (GNU parallel's procfile). */
	FILE *f = fopen(spec, "re");
	char line[64] = "";
	if (!f) {
		*cause = xasprintf("--jobs: cannot read '%s': %s", spec,
				   strerror(errno));
		return -1;
	}
	size_t n = fread(line, 1, sizeof(line) - 1, f);
	fclose(f);
	line[n] = '\0';
	char *s = line + strspn(line, " \t\r\n");
	s[strcspn(s, " \t\r\n")] = '\0';
	if (!jobs_is_number(s)) {
		*cause = xasprintf("bad value for --jobs in '%s': '%s' (want "
				   "N, +N, -N, N%% or 0)", spec, s);
		return -1;
	}
	return options_jobs_spec(s, cores, cause);
}

long options_jobs_spec(const char *spec, long cores, char **cause)
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

/*
 * --load: the same forms as --jobs (N, +N, -N, N% of the CPUs), and a
 * fraction.  Returns the load average to stay below, or -1 with *cause.
 * GNU parallel: compute_max_loadavg().
 */
double options_load(const char *spec, long cores, char **cause)
{
	double v;
	long n;
	size_t len = strlen(spec);

	if ((spec[0] == '+' || spec[0] == '-') &&
	    parse_long(spec + 1, 0, 1000000, &n) == 0) {
		return (double)(spec[0] == '+' ? cores + n : cores - n);
	}
	if (len > 1 && spec[len - 1] == '%') {
		char *num = xmemdup(spec, len - 1);
		int r = parse_long(num, 0, 1000000, &n);
		free(num);
		if (r == 0) {
			return (double)cores * (double)n / 100;
		}
	} else if (parse_seconds(spec, &v) == 0) {
		return v;
	}
	*cause = xasprintf("bad value for --load: '%s' (want N, +N, -N or "
			   "N%%)", spec);
	return -1;
}

/*
 * How an option's value is kept.  Most options are one of the plain kinds,
 * set and shown by the generic code; the rest bring their own set/get.
 */
enum opt_kind {
	KIND_FLAG,     /* bool, set to true */
	KIND_CHOICE,   /* an enum several flags share; set to .min */
	KIND_STRING,   /* char *, owned */
	KIND_LONG,     /* long in [.min, .max] */
	KIND_DURATION, /* double seconds, with time postfixes (1m30, 2h) */
	KIND_SIZE,     /* unsigned long long bytes, with K, M, G, T */
	KIND_CUSTOM,   /* .set and .get */
};

enum {
	NONEMPTY = 1,  /* a string that may not be empty */
	UNSET0 = 2,    /* a number that shows as "" while 0 */
	OWNED = 4,     /* a custom option whose field is an owned string */
	LIST = 8,      /* a custom option that adds to a list each time */
};

struct opt_def;
typedef int opt_set_fn(struct options *o, const struct opt_def *d,
		       const char *value, char **cause);
typedef void opt_get_fn(const struct options *o, const struct opt_def *d,
			struct buf *b);

struct opt_def {
	const char *name;     /* the long name */
	const char *shorts;   /* short letters, or NULL */
	const char *const *aliases; /* other long names, NULL-terminated */
	enum opt_kind kind;
	bool value;           /* takes a value */
	unsigned flags;
	size_t off;           /* where the value lives in struct options */
	size_t count;         /* LIST: where the list's length lives */
	const char *field;    /* that member's name: the setting it changes */
	long min, max;        /* KIND_LONG's range; KIND_CHOICE's value */
	opt_set_fn *set;      /* KIND_CUSTOM */
	opt_get_fn *get;      /* KIND_CUSTOM */
};

#define AT(f) .off = offsetof(struct options, f), .field = #f
/* Each line of the table: a kind, the name, AT(member), then the rest. */
#define FLAG(n, ...) {.name = n, .kind = KIND_FLAG, __VA_ARGS__}
#define CHOICE(n, v, ...) \
	{.name = n, .kind = KIND_CHOICE, .min = v, __VA_ARGS__}
#define STRING(n, ...) \
	{.name = n, .kind = KIND_STRING, .value = true, __VA_ARGS__}
#define LONG(n, lo, hi, ...) {.name = n, .kind = KIND_LONG, \
	.value = true, .min = lo, .max = hi, __VA_ARGS__}
#define DURATION(n, ...) \
	{.name = n, .kind = KIND_DURATION, .value = true, __VA_ARGS__}
#define SIZE(n, ...) \
	{.name = n, .kind = KIND_SIZE, .value = true, __VA_ARGS__}
#define CUSTOM(n, s, g, ...) {.name = n, .kind = KIND_CUSTOM, \
	.value = true, .set = s, .get = g, __VA_ARGS__}
#define LIST_OF(n, f, s, letters) {.name = n, .kind = KIND_CUSTOM, \
	.value = true, AT(f), .count = offsetof(struct options, n_##f), \
	.set = s, .flags = LIST, .shorts = letters}
#define CUSTOM_FLAG(n, s, g, ...) \
	{.name = n, .kind = KIND_CUSTOM, .set = s, .get = g, __VA_ARGS__}

#define ALIASES(...) .aliases = (const char *const[]){__VA_ARGS__, NULL}

#define FIELD(o, d, type) ((type *)(void *)((char *)(o) + (d)->off))
#define CFIELD(o, d, type) \
	((const type *)(const void *)((const char *)(o) + (d)->off))

static void set_str(char **field, const char *value)
{
	free(*field);
	*field = xstrdup(value);
}

static int set_jobs(struct options *o, const struct opt_def *d,
		    const char *value, char **cause)
{
	if (!options_jobs_is_file(value) &&
	    options_jobs_spec(value, 1, cause) < 0) {
		return -1;
	}
	set_str(FIELD(o, d, char *), value);
	return 0;
}

static int set_load(struct options *o, const struct opt_def *d,
		    const char *value, char **cause)
{
	if (options_load(value, 1, cause) < 0) {
		return -1;
	}
	set_str(FIELD(o, d, char *), value);
	return 0;
}

static void get_string(const struct options *o, const struct opt_def *d,
		       struct buf *b)
{
	const char *s = *CFIELD(o, d, char *);

	buf_adds(b, s ? s : "");
}

static int set_null(struct options *o, const struct opt_def *d,
		    const char *value, char **cause)
{
	(void)d, (void)value, (void)cause;
	o->null = true;
	o->delimiter = '\0';
	return 0;
}

static void get_null(const struct options *o, const struct opt_def *d,
		     struct buf *b)
{
	(void)d;
	buf_adds(b, o->delimiter == '\0' ? "true" : "false");
}

static int set_delimiter(struct options *o, const struct opt_def *d,
			 const char *value, char **cause)
{
	(void)d;
	return parse_delimiter(value, &o->delimiter, cause);
}

static void get_delimiter(const struct options *o, const struct opt_def *d,
			  struct buf *b)
{
	(void)d;
	switch (o->delimiter) {
	case '\n': buf_adds(b, "\\n"); break;
	case '\t': buf_adds(b, "\\t"); break;
	case '\0': buf_adds(b, "\\0"); break;
	case '\\': buf_adds(b, "\\\\"); break;
	default: buf_addc(b, o->delimiter); break;
	}
}

/* -n, -N and -L: one setting, shown under the name that set it. */
static int set_max_args(struct options *o, const struct opt_def *d,
			const char *value, char **cause)
{
	if (parse_long(value, 0, 1L << 30, &o->max_args) < 0) {
		*cause = xasprintf("bad value for --%s: '%s' (want a whole "
				   "number >= 0)", d->name, value);
		return -1;
	}
	o->replace_args = strcmp(d->name, "max-replace-args") == 0;
	o->max_lines = strcmp(d->name, "max-lines") == 0;
	/* --pipe: -N counts records and -L lines per record, together. */
	*(o->max_lines ? &o->pipe_lines : &o->pipe_records) = o->max_args;
	return 0;
}

static void get_max_args(const struct options *o, const struct opt_def *d,
			 struct buf *b)
{
	const char *by = o->replace_args ? "max-replace-args"
		       : o->max_lines ? "max-lines" : "max-args";

	if (o->max_args >= 0 && strcmp(d->name, by) == 0) {
		buf_addf(b, "%ld", o->max_args);
	}
}

/* A string option whose value is one of ok[]; `want` lists them. */
static int set_one_of(struct options *o, const struct opt_def *d,
		      const char *value, const char *const *ok, size_t n,
		      const char *want, char **cause)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(value, ok[i]) == 0) {
			set_str(FIELD(o, d, char *), value);
			return 0;
		}
	}
	*cause = xasprintf("bad value for --%s: '%s' (want %s)", d->name,
			   value, want);
	return -1;
}

static int set_trim(struct options *o, const struct opt_def *d,
		    const char *value, char **cause)
{
	static const char *const ok[] = {"n", "l", "r", "lr", "rl"};

	return set_one_of(o, d, value, ok, sizeof(ok) / sizeof(ok[0]),
			  "n, l, r, lr or rl", cause);
}

/* GNU make 4.4's --jobserver-style. */
static int set_jobserver_style(struct options *o, const struct opt_def *d,
			       const char *value, char **cause)
{
	static const char *const ok[] = {"pipe", "fifo"};

	return set_one_of(o, d, value, ok, 2, "pipe or fifo", cause);
}

static int set_shell(struct options *o, const struct opt_def *d,
		     const char *value, char **cause)
{
	if (value[0] != '/') {
		*cause = xasprintf("bad value for --shell: '%s' (want an "
				   "absolute path)", value);
		return -1;
	}
	set_str(FIELD(o, d, char *), value);
	return 0;
}

/* --timeout DURATION, or N% of the median runtime of successful jobs. */
static int set_timeout(struct options *o, const struct opt_def *d,
		       const char *value, char **cause)
{
	size_t len = strlen(value);
	double v;
	char *num = xstrdup(value);
	bool pct = len > 1 && value[len - 1] == '%';

	(void)d;
	if (pct) {
		num[len - 1] = '\0';
	}
	int r = pct ? parse_seconds(num, &v) : parse_duration(num, &v);
	free(num);
	if (r < 0 || v <= 0) {
		*cause = xasprintf("bad value for --timeout: '%s' (want a "
				   "duration > 0 such as 30, 1.5m or 2h, or a "
				   "percentage like 200%%)", value);
		return -1;
	}
	o->timeout = pct ? 0 : v;
	o->timeout_pct = pct ? v / 100 : 0;
	return 0;
}

static void get_timeout(const struct options *o, const struct opt_def *d,
			struct buf *b)
{
	(void)d;
	if (o->timeout_pct > 0) {
		buf_addf(b, "%g%%", o->timeout_pct * 100);
	} else if (o->timeout > 0) {
		buf_addf(b, "%g", o->timeout);
	}
}

static int set_termseq(struct options *o, const struct opt_def *d,
		       const char *value, char **cause)
{
	(void)d;
	return termseq_parse(value, &o->termseq, cause);
}

static void get_termseq(const struct options *o, const struct opt_def *d,
			struct buf *b)
{
	(void)d;
	for (size_t i = 0; i < o->termseq.n; i++) {
		if (i > 0) {
			buf_addc(b, ',');
		}
		add_signal_name(b, o->termseq.sig[i]);
		buf_addf(b, ",%u", o->termseq.ms[i]);
	}
}

static int set_halt(struct options *o, const struct opt_def *d,
		    const char *value, char **cause)
{
	(void)d;
	return halt_parse(value, &o->halt, cause);
}

static void get_halt(const struct options *o, const struct opt_def *d,
		     struct buf *b)
{
	(void)d;
	add_halt(b, &o->halt);
}

static int set_joblog(struct options *o, const struct opt_def *d,
		      const char *value, char **cause)
{
	(void)d, (void)cause;
	o->joblog_append = value[0] == '+';
	set_str(&o->joblog, value + (value[0] == '+'));
	return 0;
}

static void get_joblog(const struct options *o, const struct opt_def *d,
		       struct buf *b)
{
	(void)d;
	if (o->joblog) {
		buf_addf(b, "%s%s", o->joblog_append ? "+" : "", o->joblog);
	}
}

/* A list option: each use adds a value (-a FILE, --rpl, --filter). */
static int add_to_list(struct options *o, const struct opt_def *d,
		       const char *value, char **cause)
{
	char ***list = FIELD(o, d, char **);
	size_t *n = (size_t *)(void *)((char *)o + d->count);

	(void)cause;
	*list = xreallocarray(*list, *n + 1, sizeof(char *));
	(*list)[(*n)++] = xstrdup(value);
	return 0;
}

/* --rpl 'TAG EXPR': a tag, white space, a perl expression. */
static int set_rpl(struct options *o, const struct opt_def *d,
		   const char *value, char **cause)
{
	if (!strpbrk(value, " \t\n")) {
		*cause = xasprintf("bad value for --rpl: '%s' (want 'TAG "
				   "perl-expression')", value);
		return -1;
	}
	return add_to_list(o, d, value, cause);
}

/* --parens: the two halves that stand for {= and =}. */
static int set_parens(struct options *o, const struct opt_def *d,
		      const char *value, char **cause)
{
	size_t len = strlen(value);

	if (len < 2 || len % 2 != 0) {
		*cause = xasprintf("bad value for --parens: '%s' (want the two "
				   "halves, as '{==}')", value);
		return -1;
	}
	set_str(FIELD(o, d, char *), value);
	return 0;
}

/* --env VAR, repeated or as VAR1,VAR2: one list of names. */
static int set_env(struct options *o, const struct opt_def *d,
		   const char *value, char **cause)
{
	char **names = FIELD(o, d, char *);

	(void)cause;
	if (*names) {
		char *joined = xasprintf("%s,%s", *names, value);
		free(*names);
		*names = joined;
	} else {
		*names = xstrdup(value);
	}
	return 0;
}

/* --ctag is --tag --color. */
static int set_ctag(struct options *o, const struct opt_def *d,
		    const char *value, char **cause)
{
	(void)d, (void)value, (void)cause;
	o->tag = true;
	o->color = true;
	return 0;
}

static void get_ctag(const struct options *o, const struct opt_def *d,
		     struct buf *b)
{
	(void)d;
	buf_adds(b, o->tag && o->color ? "true" : "false");
}

/* --ctagstring STR is --tagstring STR --color. */
static int set_ctagstring(struct options *o, const struct opt_def *d,
			  const char *value, char **cause)
{
	(void)d, (void)cause;
	set_str(&o->tagstring, value);
	o->color = true;
	return 0;
}

static void get_ctagstring(const struct options *o, const struct opt_def *d,
			   struct buf *b)
{
	(void)d;
	if (o->tagstring && o->color) {
		buf_adds(b, o->tagstring);
	}
}

/* --shell-quote counts: each one quotes the command once more. */
static int set_shell_quote(struct options *o, const struct opt_def *d,
			   const char *value, char **cause)
{
	(void)d, (void)value, (void)cause;
	o->shell_quote++;
	return 0;
}

static void get_shell_quote(const struct options *o,
			    const struct opt_def *d, struct buf *b)
{
	(void)d;
	buf_adds(b, o->shell_quote ? "true" : "false");
}

/* A name the shell can export: a letter or _, then letters, digits, _. */
static int set_var_name(struct options *o, const struct opt_def *d,
			const char *value, char **cause)
{
	bool ok = value[0] && !isdigit((unsigned char)value[0]);

	for (const char *p = value; ok && *p; p++) {
		ok = isalnum((unsigned char)*p) || *p == '_';
	}
	if (!ok) {
		*cause = xasprintf("bad value for --%s: '%s' (want a variable "
				   "name)", d->name, value);
		return -1;
	}
	set_str(FIELD(o, d, char *), value);
	return 0;
}

/* --tmpl FILE=REPL, repeatable. */
static int set_tmpl(struct options *o, const struct opt_def *d,
		    const char *value, char **cause)
{
	const char *eq = strchr(value, '=');

	if (!eq || eq == value || eq[1] == '\0') {
		*cause = xasprintf("bad value for --%s: '%s' (want FILE=REPL)",
				   d->name, value);
		return -1;
	}
	return add_to_list(o, d, value, cause);
}

/* --block SIZE, or with --pipepart -N: N parts per job slot. */
static int set_block(struct options *o, const struct opt_def *d,
		     const char *value, char **cause)
{
	unsigned long long n;
	long parts;

	if ((value[0] == '-' && parse_long(value + 1, 1, 1L << 30, &parts) ==
					0) ||
	    (size_parse(value, &n) == 0 && n > 0)) {
		set_str(FIELD(o, d, char *), value);
		return 0;
	}
	*cause = xasprintf("bad value for --%s: '%s' (want a size such as "
			   "1M, or -N with --pipepart)", d->name, value);
	return -1;
}

int options_sem_timeout(const char *s, double *out, char **cause)
{
	double v;

	if (parse_duration(s + (s[0] == '-'), &v) < 0) {
		*cause = xasprintf("bad value for --semaphore-timeout: '%s' "
				   "(want seconds such as 30 or 2m, negative "
				   "to give up)", s);
		return -1;
	}
	*out = s[0] == '-' ? -v : v;
	return 0;
}

static int set_sem_timeout(struct options *o, const struct opt_def *d,
			   const char *value, char **cause)
{
	double v;

	if (options_sem_timeout(value, &v, cause) < 0) {
		return -1;
	}
	set_str(FIELD(o, d, char *), value);
	return 0;
}

/*
 * Every option that options_set() knows: one line each.  Options that
 * share a member (--group, --ungroup, --line-buffer) change one setting.
 * The other long names and the short letters are GNU parallel's.
 */
static const struct opt_def defs[] = {
	CUSTOM("jobs", set_jobs, get_string, AT(jobs), .shorts = "jP",
	       ALIASES("max-procs"), .flags = OWNED),
	FLAG("keep-order", AT(keep_order), .shorts = "k"),
	CHOICE("group", OUTPUT_GROUP, AT(output)),
	CHOICE("ungroup", OUTPUT_UNGROUP, AT(output), .shorts = "u"),
	CHOICE("line-buffer", OUTPUT_LINE, AT(output), ALIASES("lb",
	       "linebuffer")),
	FLAG("tag", AT(tag)),
	STRING("tagstring", AT(tagstring)),
	FLAG("color", AT(color), ALIASES("colour")),
	FLAG("color-failed", AT(color_failed), ALIASES("cf", "colour-failed",
	     "colorfailed", "colourfailed", "color-fail", "colour-fail",
	     "colorfail", "colourfail")),
	FLAG("latest-line", AT(latest_line), ALIASES("ll", "latestline")),
	FLAG("files", AT(files), ALIASES("output-as-files", "outputasfiles")),
	STRING("tmpdir", AT(tmpdir), .flags = NONEMPTY),
	FLAG("compress", AT(compress)),
	STRING("compress-program", AT(compress_program), .flags = NONEMPTY),
	STRING("decompress-program", AT(decompress_program),
	       .flags = NONEMPTY),
	FLAG("dry-run", AT(dry_run), ALIASES("dryrun")),
	FLAG("print-commands", AT(verbose), .shorts = "v"),
	FLAG("verbose", AT(trace), .shorts = "t"),
	FLAG("no-run-if-empty", AT(no_run_if_empty), .shorts = "r"),
	CUSTOM_FLAG("null", set_null, get_null, AT(delimiter), .shorts = "0"),
	CUSTOM("delimiter", set_delimiter, get_delimiter, AT(delimiter),
	       .shorts = "d"),
	CUSTOM("max-args", set_max_args, get_max_args, AT(max_args),
	       .shorts = "n"),
	CUSTOM("max-replace-args", set_max_args, get_max_args, AT(max_args),
	       .shorts = "N"),
	CUSTOM("max-lines", set_max_args, get_max_args, AT(max_args),
	       .shorts = "L"),
	LONG("max-chars", 1, 1L << 30, AT(max_chars), .shorts = "s",
	       .flags = UNSET0),
	CHOICE("xargs", FILL_XARGS, AT(fill)),
	CHOICE("multi", FILL_MULTI, AT(fill), .shorts = "m"),
	CHOICE("context-replace", FILL_CONTEXT, AT(fill), .shorts = "X"),
	FLAG("csv", AT(csv)),
	CUSTOM("env", set_env, get_string, AT(env), .flags = OWNED),
	FLAG("record-env", AT(record_env), ALIASES("recordenv")),
	FLAG("session", AT(session)),
	FLAG("tty", AT(tty)),
	FLAG("open-tty", AT(open_tty), .shorts = "o"),
	FLAG("interactive", AT(interactive), .shorts = "p"),
	FLAG("tmux", AT(tmux)),
	FLAG("tmuxpane", AT(tmuxpane)),
	FLAG("quote", AT(quote), .shorts = "q"),
	FLAG("plus", AT(plus)),
	FLAG("shuf", AT(shuf)),
	FLAG("link", AT(link), ALIASES("xapply")),
	STRING("eof", AT(eof_str), .shorts = "E"),
	STRING("colsep", AT(colsep), .shorts = "C"),
	STRING("header", AT(header)),
	CUSTOM("trim", set_trim, get_string, AT(trim), .flags = OWNED),
	CUSTOM("timeout", set_timeout, get_timeout, AT(timeout)),
	CUSTOM("termseq", set_termseq, get_termseq, AT(termseq),
	       ALIASES("term-seq")),
	CUSTOM("halt", set_halt, get_halt, AT(halt), ALIASES("halt-on-error")),
	LONG("retries", 0, 1000000, AT(retries)),
	DURATION("delay", AT(delay)),
	CUSTOM("load", set_load, get_string, AT(load), .flags = OWNED),
	SIZE("memfree", AT(memfree)),
	SIZE("memsuspend", AT(memsuspend)),
	FLAG("noswap", AT(noswap)),
	LONG("nice", -20, 19, AT(nice)),
	CUSTOM("joblog", set_joblog, get_joblog, AT(joblog), ALIASES("jl"),
	       .flags = OWNED),
	FLAG("resume", AT(resume)),
	FLAG("resume-failed", AT(resume_failed)),
	FLAG("retry-failed", AT(retry_failed)),
	STRING("results", AT(results), ALIASES("result", "res"),
	       .flags = NONEMPTY),
	FLAG("bar", AT(bar)),
	FLAG("eta", AT(eta)),
	FLAG("progress", AT(progress)),
	LONG("total-jobs", 1, 1L << 62, AT(total_jobs), ALIASES("totaljobs",
	       "total"), .flags = UNSET0),
	CUSTOM("shell", set_shell, get_string, AT(shell), .flags = OWNED),
	FLAG("no-jobserver", AT(no_jobserver)),
	CUSTOM("jobserver-style", set_jobserver_style, get_string,
	       AT(jobserver_style), .flags = OWNED),
	STRING("replace", AT(replace), .shorts = "I", .flags = NONEMPTY),
	STRING("extensionreplace", AT(ext_replace), ALIASES("er"),
	       .flags = NONEMPTY),
	STRING("basenamereplace", AT(base_replace), ALIASES("bnr"),
	       .flags = NONEMPTY),
	STRING("dirnamereplace", AT(dir_replace), ALIASES("dnr"),
	       .flags = NONEMPTY),
	STRING("basenameextensionreplace", AT(baseext_replace),
	       ALIASES("bner"), .flags = NONEMPTY),
	STRING("seqreplace", AT(seq_replace), .flags = NONEMPTY),
	STRING("slotreplace", AT(slot_replace), .flags = NONEMPTY),
	STRING("arg-sep", AT(arg_sep), ALIASES("argsep")),
	STRING("arg-file-sep", AT(arg_file_sep), ALIASES("argfilesep")),
	FLAG("show-limits", AT(show_limits)),
	FLAG("max-line-length-allowed", AT(max_line_length_allowed)),
	LIST_OF("rpl", rpl, set_rpl, NULL),
	CUSTOM("parens", set_parens, get_string, AT(parens), .flags = OWNED),
	LIST_OF("filter", filter, add_to_list, NULL),
	FLAG("skip-first-line", AT(skip_first_line),
	     ALIASES("skipfirstline")),
	FLAG("plain", AT(plain)),
	FLAG("no-keep-order", AT(no_keep_order), ALIASES("nokeeporder",
	     "nok", "no-k")),
	FLAG("silent", AT(silent)),
	FLAG("gnu", AT(gnu)),
	CHOICE("use-cores-instead-of-threads", CPU_CORES, AT(cpus),
	       ALIASES("usecoresinsteadofthreads",
		       "use-cpus-instead-of-cores", "usecpusinsteadofcores")),
	CHOICE("use-sockets-instead-of-threads", CPU_SOCKETS, AT(cpus),
	       ALIASES("usesocketsinsteadofthreads")),
	CUSTOM_FLAG("shell-quote", set_shell_quote, get_shell_quote,
		    AT(shell_quote), ALIASES("shellquote", "shell_quote")),
	CUSTOM("process-slot-var", set_var_name, get_string,
	       AT(process_slot_var), ALIASES("processslotvar"),
	       .flags = OWNED),
	CUSTOM_FLAG("ctag", set_ctag, get_ctag, AT(tag)),
	CUSTOM("ctagstring", set_ctagstring, get_ctagstring, AT(tagstring),
	       ALIASES("ctag-string")),
	STRING("workdir", AT(workdir), ALIASES("work-dir", "wd"),
	       .flags = NONEMPTY),
	STRING("limit", AT(limit), .flags = NONEMPTY),
	{.name = "tmpl", .kind = KIND_CUSTOM, .value = true, AT(tmpls),
	 .count = offsetof(struct options, n_tmpls), .set = set_tmpl,
	 .flags = LIST, ALIASES("template")},
	LIST_OF("arg-file", arg_files, add_to_list, "a"),
	FLAG("pipe", AT(pipe), ALIASES("spreadstdin")),
	FLAG("pipepart", AT(pipepart), ALIASES("pipe-part")),
	CUSTOM("block", set_block, get_string, AT(block),
	       ALIASES("block-size", "blocksize"), .flags = OWNED),
	STRING("recstart", AT(recstart)),
	STRING("recend", AT(recend)),
	FLAG("regexp", AT(regexp), ALIASES("regex")),
	FLAG("remove-rec-sep", AT(remove_rec_sep), ALIASES("removerecsep",
	     "rrs")),
	FLAG("cat", AT(cat)),
	FLAG("fifo", AT(fifo)),
	FLAG("round-robin", AT(round_robin), ALIASES("round", "roundrobin")),
	FLAG("tee", AT(tee)),
	STRING("shard", AT(shard), .flags = NONEMPTY),
	STRING("bin", AT(bin), .flags = NONEMPTY),
	STRING("group-by", AT(group_by), ALIASES("groupby"), .flags = NONEMPTY),
	DURATION("block-timeout", AT(block_timeout), ALIASES("bt")),
	LIST_OF("sshlogin", sshlogins, add_to_list, "S"),
	{.name = "sshloginfile", .kind = KIND_CUSTOM, .value = true,
	 AT(sshloginfiles), .count = offsetof(struct options,
	 n_sshloginfiles), .set = add_to_list, .flags = LIST,
	 ALIASES("slf")},
	STRING("ssh", AT(ssh), .flags = NONEMPTY),
	DURATION("ssh-delay", AT(ssh_delay), ALIASES("sshdelay")),
	FLAG("controlmaster", AT(controlmaster), .shorts = "M"),
	FLAG("filter-hosts", AT(filter_hosts), ALIASES("filterhosts")),
	FLAG("nonall", AT(nonall)),
	FLAG("onall", AT(onall)),
	FLAG("hostgroups", AT(hostgroups), ALIASES("hgrp", "host-groups")),
	CHOICE("slurm", SLURM_YES, AT(slurm)),
	CHOICE("slurm-auto", SLURM_AUTO, AT(slurm)),
	LONG("cpus-per-job", 1, 1000000, AT(cpus_per_job)),
	{.name = "transferfile", .kind = KIND_CUSTOM, .value = true,
	 AT(transferfiles), .count = offsetof(struct options, n_transferfiles),
	 .set = add_to_list, .flags = LIST, ALIASES("transfer-file",
	 "transfer-files", "transferfiles", "tf")},
	FLAG("transfer", AT(transfer)),
	LIST_OF("return", returns, add_to_list, NULL),
	FLAG("cleanup", AT(cleanup)),
	LIST_OF("trc", trc, add_to_list, NULL),
	{.name = "basefile", .kind = KIND_CUSTOM, .value = true,
	 AT(basefiles), .count = offsetof(struct options, n_basefiles),
	 .set = add_to_list, .flags = LIST, ALIASES("bf")},
	STRING("rsync-opts", AT(rsync_opts), ALIASES("rsyncopts")),
	FLAG("semaphore", AT(semaphore)),
	STRING("semaphore-name", AT(semaphore_name), ALIASES("semaphorename",
	       "id"), .flags = NONEMPTY),
	CUSTOM("semaphore-timeout", set_sem_timeout, get_string,
	       AT(semaphore_timeout), ALIASES("semaphoretimeout", "st"),
	       .flags = OWNED),
	FLAG("fg", AT(fg)),
	FLAG("bg", AT(bg)),
	FLAG("wait", AT(wait)),
};

#define N_DEFS (sizeof(defs) / sizeof(defs[0]))

/* KIND_CHOICE writes an int into these. */
_Static_assert(sizeof(enum output_mode) == sizeof(int), "enum size");
_Static_assert(sizeof(enum fill_mode) == sizeof(int), "enum size");
_Static_assert(sizeof(enum cpu_unit) == sizeof(int), "enum size");

/*
 * GNU parallel's options that prun does not have: they get a clear "not
 * supported" rather than "unknown option".
 */
static const char *const unsupported[] = {
	"sql", "sqlmaster",
	"sql-master", "sqlandworker", "sql-and-worker", "sqlworker",
	"sql-worker", "embed", "exit",
};

#define N_UNSUPPORTED (sizeof(unsupported) / sizeof(unsupported[0]))

/* Whether `name` is one of the other names of option `d`. */
static bool is_alias(const struct opt_def *d, const char *name)
{
	for (const char *const *a = d->aliases; a && *a; a++) {
		if (strcmp(*a, name) == 0) {
			return true;
		}
	}
	return false;
}

static const struct opt_def *find_def(const char *name)
{
	for (size_t i = 0; i < N_DEFS; i++) {
		if (strcmp(defs[i].name, name) == 0) {
			return &defs[i];
		}
	}
	for (size_t i = 0; i < N_DEFS; i++) {
		if (is_alias(&defs[i], name)) {
			return &defs[i];
		}
	}
	return NULL;
}

/* Whether `d` is the first option to keep its value at its place. */
static bool owns_field(const struct opt_def *d)
{
	for (const struct opt_def *e = defs; e < d; e++) {
		if (e->off == d->off) {
			return false;
		}
	}
	return true;
}

void options_finish(struct options *o)
{
	for (const struct opt_def *d = defs; d < defs + N_DEFS; d++) {
		if (d->flags & LIST) {
			char **list = *FIELD(o, d, char **);
			size_t n = *(size_t *)(void *)((char *)o + d->count);
			for (size_t i = 0; i < n; i++) {
				free(list[i]);
			}
			free(list);
		} else if ((d->kind == KIND_STRING || d->flags & OWNED) &&
			   owns_field(d)) {
			free(*FIELD(o, d, char *));
		}
	}
	memset(o, 0, sizeof(*o));
}

const char *options_canonical(const char *name)
{
	const struct opt_def *d = find_def(name);

	return d ? d->name : NULL;
}

const char *options_name(size_t i, bool *value)
{
	if (i >= N_DEFS) {
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
	for (const struct opt_def *d = defs; d < defs + N_DEFS; d++) {
		for (const char *const *a = d->aliases; a && *a; a++) {
			if (i-- == 0) {
				*name = d->name;
				return *a;
			}
		}
	}
	return NULL;
}

const char *options_shorts(size_t i)
{
	return i < N_DEFS ? defs[i].shorts : NULL;
}

const char *options_unsupported(size_t i)
{
	return i < N_UNSUPPORTED ? unsupported[i] : NULL;
}

const char *options_field(const char *name)
{
	const struct opt_def *d = find_def(name);

	return d ? d->field : NULL;
}

bool options_is_list(const char *name)
{
	const struct opt_def *d = find_def(name);

	return d && d->flags & LIST;
}

bool options_takes_value(const char *name)
{
	const struct opt_def *d = find_def(name);

	return d && d->value;
}

/* The words of a number's range, for an error message. */
static char *long_range(const struct opt_def *d)
{
	if (d->max >= 1L << 30) {
		return xasprintf("a whole number >= %ld", d->min);
	}
	return xasprintf("a whole number from %ld to %ld", d->min, d->max);
}

int options_set(struct options *o, const char *name, const char *value,
		char **cause)
{
	const struct opt_def *d = find_def(name);

	if (!d) {
		for (size_t i = 0; i < N_UNSUPPORTED; i++) {
			if (strcmp(unsupported[i], name) == 0) {
				*cause = xasprintf("--%s is not supported",
						   name);
				return -1;
			}
		}
		*cause = xasprintf("unknown option '%s'", name);
		return -1;
	}
	if (d->value && !value) {
		*cause = xasprintf("option '--%s' needs a value", d->name);
		return -1;
	}
	switch (d->kind) {
	case KIND_FLAG:
		*FIELD(o, d, bool) = true;
		return 0;
	case KIND_CHOICE:
		*FIELD(o, d, int) = (int)d->min;
		return 0;
	case KIND_STRING:
		if (d->flags & NONEMPTY && value[0] == '\0') {
			*cause = xasprintf("bad value for --%s: empty",
					   d->name);
			return -1;
		}
		set_str(FIELD(o, d, char *), value);
		return 0;
	case KIND_LONG:
		if (parse_long(value, d->min, d->max, FIELD(o, d, long)) <
		    0) {
			char *want = long_range(d);
			*cause = xasprintf("bad value for --%s: '%s' (want "
					   "%s)", d->name, value, want);
			free(want);
			return -1;
		}
		return 0;
	case KIND_DURATION:
		if (parse_duration(value, FIELD(o, d, double)) < 0) {
			*cause = xasprintf("bad value for --%s: '%s' (want "
					   "seconds, or a duration such as "
					   "1.5m, 2h or 1d3h)", d->name,
					   value);
			return -1;
		}
		return 0;
	case KIND_SIZE:
		if (size_parse(value, FIELD(o, d, unsigned long long)) < 0) {
			*cause = xasprintf("bad value for --%s: '%s' (want a "
					   "size like 500M or 2G)", d->name,
					   value);
			return -1;
		}
		return 0;
	case KIND_CUSTOM:
		return d->set(o, d, value, cause);
	}
	return 0;
}

char *options_get(const struct options *o, const char *name)
{
	const struct opt_def *d = find_def(name);
	struct buf b;

	if (!d || d->flags & LIST) {
		return NULL;
	}
	buf_init(&b);
	switch (d->kind) {
	case KIND_FLAG:
		buf_adds(&b, *CFIELD(o, d, bool) ? "true" : "false");
		break;
	case KIND_CHOICE:
		buf_adds(&b, *CFIELD(o, d, int) == d->min ? "true" : "false");
		break;
	case KIND_STRING:
		get_string(o, d, &b);
		break;
	case KIND_LONG:
		if (*CFIELD(o, d, long) || !(d->flags & UNSET0)) {
			buf_addf(&b, "%ld", *CFIELD(o, d, long));
		}
		break;
	case KIND_DURATION:
		buf_addf(&b, "%g", *CFIELD(o, d, double));
		break;
	case KIND_SIZE:
		buf_addf(&b, "%llu", *CFIELD(o, d, unsigned long long));
		break;
	case KIND_CUSTOM:
		d->get(o, d, &b);
		break;
	}
	return buf_steal(&b);
}
