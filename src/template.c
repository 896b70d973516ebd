/*
 * Command templates.  The command words are joined with spaces into one
 * shell command line, as GNU parallel does, and cut into pieces: literal
 * text and replacement strings ({}, {.}, {/}, {//}, {/.}, {#}, {%}, {n},
 * {-n} and their variants).  Rendering replaces each replacement string by
 * the job's values, shell-quoted, so any byte sequence arrives intact.
 *
 * When the literal text needs nothing from a shell but word splitting and
 * quote removal, and its first word is a program found in PATH (not a shell
 * builtin, keyword or exported function), the template is also cut into
 * words so the job can be exec'ed directly, as xargs does: the same command,
 * without the cost of a shell.
 */
#define _GNU_SOURCE /* for environ */
#include "template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "quote.h"
#include "util.h"

enum piece_kind {
	P_LIT,  /* literal text */
	P_ALL,  /* {}: every argument, space-separated */
	P_POS,  /* {n} or {-n}: one argument */
	P_SEQ,  /* {#} */
	P_SLOT, /* {%} */
};

enum op {
	OP_NONE,
	OP_NOEXT,     /* {.}  */
	OP_BASE,      /* {/}  */
	OP_DIR,       /* {//} */
	OP_BASENOEXT, /* {/.} */
};

struct piece {
	enum piece_kind kind;
	enum op op;
	long pos;     /* P_POS: 1-based; negative counts from the end */
	bool raw;     /* insert the value unquoted (input lines as commands) */
	char *text;   /* P_LIT: owned */
	size_t len;
};

struct pieces {
	struct piece *v; /* owned */
	size_t n;
	size_t cap;
};

struct word {
	struct pieces p;  /* literals here have their quotes removed */
	bool always;      /* has literal content, so it is never dropped */
};

struct template {
	struct pieces raw;  /* the command line as written */
	struct word *words; /* owned; the direct-exec form, if any */
	size_t n_words;
	char *program;      /* owned; NULL when a shell is needed */
	char *shell;        /* owned */
};

static void pieces_push(struct pieces *ps, struct piece p)
{
	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 8;
		ps->v = xreallocarray(ps->v, ps->cap, sizeof(*ps->v));
	}
	ps->v[ps->n++] = p;
}

static void pieces_add_lit(struct pieces *ps, const char *s, size_t len)
{
	if (len == 0) {
		return;
	}
	if (ps->n && ps->v[ps->n - 1].kind == P_LIT) {
		struct piece *last = &ps->v[ps->n - 1];
		last->text = xrealloc(last->text, last->len + len + 1);
		memcpy(last->text + last->len, s, len);
		last->len += len;
		last->text[last->len] = '\0';
		return;
	}
	pieces_push(ps, (struct piece){.kind = P_LIT,
				       .text = xmemdup(s, len), .len = len});
}

static void pieces_finish(struct pieces *ps)
{
	for (size_t i = 0; i < ps->n; i++) {
		free(ps->v[i].text);
	}
	free(ps->v);
	memset(ps, 0, sizeof(*ps));
}

static bool parse_op(const char *s, size_t len, enum op *op)
{
	static const struct {
		const char *s;
		enum op op;
	} ops[] = {
		{"", OP_NONE}, {".", OP_NOEXT}, {"/", OP_BASE},
		{"//", OP_DIR}, {"/.", OP_BASENOEXT},
	};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (strlen(ops[i].s) == len && memcmp(ops[i].s, s, len) == 0) {
			*op = ops[i].op;
			return true;
		}
	}
	return false;
}

/*
 * Recognises a replacement string at s (NUL-terminated).  Returns its
 * length and fills *p, 0 if there is none, or -1 for a Perl expression.
 */
static long match_repl(const char *s, const char *replace, struct piece *p)
{
	size_t rlen = strlen(replace);

	memset(p, 0, sizeof(*p));
	if (strncmp(s, replace, rlen) == 0) {
		p->kind = P_ALL;
		return (long)rlen;
	}
	if (s[0] != '{') {
		return 0;
	}
	if (s[1] == '=') {
		return -1;
	}
	const char *close = strchr(s + 1, '}');
	if (!close) {
		return 0;
	}
	const char *in = s + 1;
	size_t len = (size_t)(close - in);
	long total = (long)len + 2;
	if (len == 1 && in[0] == '#') {
		p->kind = P_SEQ;
		return total;
	}
	if (len == 1 && in[0] == '%') {
		p->kind = P_SLOT;
		return total;
	}
	if (len > 0 && parse_op(in, len, &p->op) && p->op != OP_NONE) {
		p->kind = P_ALL;
		return total;
	}
	size_t i = 0;
	bool neg = in[0] == '-';
	if (neg) {
		i++;
	}
	size_t digits = i;
	long n = 0;
	while (i < len && in[i] >= '0' && in[i] <= '9' && n < 100000000) {
		n = n * 10 + (in[i] - '0');
		i++;
	}
	if (i == digits || n == 0 || !parse_op(in + i, len - i, &p->op)) {
		return 0;
	}
	p->kind = P_POS;
	p->pos = neg ? -n : n;
	return total;
}

/* Cuts the joined command line into literal and replacement pieces. */
static int cut_pieces(struct pieces *ps, const char *s, const char *replace,
		      char **cause)
{
	size_t lit = 0, i = 0;
	bool any = false;

	while (s[i] != '\0') {
		struct piece p;
		long m = match_repl(s + i, replace, &p);
		if (m < 0) {
			*cause = xasprintf("perl expressions like '%.20s' are "
					   "not supported: use a shell "
					   "command, e.g. '$(echo {} | sed ...)'",
					   s + i);
			return -1;
		}
		if (m == 0) {
			i++;
			continue;
		}
		pieces_add_lit(ps, s + lit, i - lit);
		pieces_push(ps, p);
		any = true;
		i += (size_t)m;
		lit = i;
	}
	pieces_add_lit(ps, s + lit, i - lit);
	if (!any) {
		/* No replacement string: the arguments are appended. */
		pieces_add_lit(ps, " ", 1);
		pieces_push(ps, (struct piece){.kind = P_ALL});
	}
	return 0;
}

static bool is_shell_word(const char *w)
{
	/* Keywords and builtins with no faithful twin in PATH. */
	static const char *const words[] = {
		"!", "{", "}", "[[", "case", "do", "done", "elif", "else",
		"esac", "fi", "for", "function", "if", "in", "select", "then",
		"time", "until", "while", ".", ":", "alias", "bg", "bind",
		"break", "builtin", "caller", "cd", "command", "compgen",
		"complete", "continue", "declare", "dirs", "disown", "enable",
		"eval", "exec", "exit", "export", "fc", "fg", "getopts",
		"hash", "history", "jobs", "let", "local", "logout", "mapfile",
		"popd", "pushd", "read", "readarray", "readonly", "return",
		"set", "shift", "shopt", "source", "suspend", "times", "trap",
		"type", "typeset", "ulimit", "umask", "unalias", "unset",
		"wait",
	};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (strcmp(words[i], w) == 0) {
			return true;
		}
	}
	return false;
}

/* True if `name` is a bash function exported into the environment. */
static bool is_exported_function(const char *name)
{
	char *key = xasprintf("BASH_FUNC_%s%%%%=", name);
	size_t klen = strlen(key);
	bool found = false;

	for (char **e = environ; *e && !found; e++) {
		found = strncmp(*e, key, klen) == 0;
	}
	free(key);
	return found;
}

static bool is_executable_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	       access(path, X_OK) == 0;
}

/* Finds `name` as execvp would; returns an owned path or NULL. */
static char *find_program(const char *name)
{
	if (strchr(name, '/')) {
		return is_executable_file(name) ? xstrdup(name) : NULL;
	}
	const char *path = getenv("PATH");
	if (!path) {
		path = "/usr/local/bin:/usr/bin:/bin";
	}
	for (const char *p = path;; ) {
		const char *colon = strchr(p, ':');
		size_t len = colon ? (size_t)(colon - p) : strlen(p);
		char *cand = len ? xasprintf("%.*s/%s", (int)len, p, name)
				 : xasprintf("./%s", name);
		if (is_executable_file(cand)) {
			return cand;
		}
		free(cand);
		if (!colon) {
			return NULL;
		}
		p = colon + 1;
	}
}

/*
 * Lexes the raw pieces into words, as sh would, if that needs only word
 * splitting and quote removal.  Returns false if the shell is needed.
 */
static bool lex_words(struct template *t)
{
	enum { Q_NONE, Q_SINGLE, Q_DOUBLE } q = Q_NONE;
	struct word cur = {0};
	bool in_word = false;
	struct buf lit;

	buf_init(&lit);
#define FLUSH_LIT()                                              \
	do {                                                     \
		pieces_add_lit(&cur.p, lit.data ? lit.data : "", lit.len); \
		lit.len = 0;                                     \
	} while (0)
#define END_WORD()                                                        \
	do {                                                              \
		FLUSH_LIT();                                              \
		t->words = xreallocarray(t->words, t->n_words + 1,        \
					 sizeof(*t->words));              \
		t->words[t->n_words++] = cur;                             \
		memset(&cur, 0, sizeof(cur));                             \
		in_word = false;                                          \
	} while (0)

	for (size_t i = 0; i < t->raw.n; i++) {
		const struct piece *p = &t->raw.v[i];
		if (p->kind != P_LIT) {
			if (q != Q_NONE || p->raw) {
				goto shell;
			}
			FLUSH_LIT();
			pieces_push(&cur.p, *p);
			in_word = true;
			continue;
		}
		for (size_t j = 0; j < p->len; j++) {
			char c = p->text[j];
			if (q == Q_SINGLE) {
				if (c == '\'') {
					q = Q_NONE;
				} else {
					buf_addc(&lit, c);
				}
				continue;
			}
			if (q == Q_DOUBLE) {
				if (c == '"') {
					q = Q_NONE;
				} else if (strchr("$`\\", c)) {
					goto shell;
				} else {
					buf_addc(&lit, c);
				}
				continue;
			}
			if (c == ' ' || c == '\t') {
				if (in_word) {
					END_WORD();
				}
				continue;
			}
			if (strchr("|&;<>()$`*?[]{}!\n", c) ||
			    (!in_word && (c == '#' || c == '~')) ||
			    (t->n_words == 0 && c == '=')) {
				goto shell;
			}
			in_word = true;
			cur.always = true;
			if (c == '\'') {
				q = Q_SINGLE;
			} else if (c == '"') {
				q = Q_DOUBLE;
			} else if (c == '\\') {
				if (j + 1 >= p->len || p->text[j + 1] == '\n') {
					goto shell;
				}
				buf_addc(&lit, p->text[++j]);
			} else {
				buf_addc(&lit, c);
			}
		}
	}
	if (q != Q_NONE) {
		goto shell;
	}
	if (in_word) {
		END_WORD();
	}
	buf_finish(&lit);
	return t->n_words > 0;
shell:
	buf_finish(&lit);
	pieces_finish(&cur.p);
	return false;
#undef END_WORD
#undef FLUSH_LIT
}

static void drop_words(struct template *t)
{
	for (size_t i = 0; i < t->n_words; i++) {
		pieces_finish(&t->words[i].p);
	}
	free(t->words);
	t->words = NULL;
	t->n_words = 0;
}

/* The first word of the command line as written, if it is literal. */
static char *first_word(const struct template *t)
{
	if (t->raw.n == 0 || t->raw.v[0].kind != P_LIT) {
		return NULL;
	}
	const char *s = t->raw.v[0].text;
	s += strspn(s, " \t");
	size_t len = strcspn(s, " \t\n");
	if (len == 0 || (s[len] == '\0' && t->raw.n > 1)) {
		return NULL;
	}
	return xmemdup(s, len);
}

int template_parse(struct template **out, char *const *words, size_t n,
		   const struct template_config *cfg, char **cause)
{
	struct template *t = xcalloc(1, sizeof(*t));

	if (n == 0) {
		pieces_push(&t->raw, (struct piece){.kind = P_ALL, .raw = true});
	} else {
		struct buf line;
		buf_init(&line);
		for (size_t i = 0; i < n; i++) {
			if (i) {
				buf_addc(&line, ' ');
			}
			buf_adds(&line, words[i]);
		}
		int r = cut_pieces(&t->raw, line.data, cfg->replace, cause);
		buf_finish(&line);
		if (r < 0) {
			template_destroy(t);
			return -1;
		}
	}

	char *first = first_word(t);
	bool function = first && is_exported_function(first);
	t->shell = xstrdup(function ? "/bin/bash" : cfg->shell);
	if (first && !function && lex_words(t)) {
		const struct word *w = &t->words[0];
		bool literal = w->p.n == 1 && w->p.v[0].kind == P_LIT;
		if (literal && !is_shell_word(w->p.v[0].text)) {
			t->program = find_program(w->p.v[0].text);
		}
	}
	if (!t->program) {
		drop_words(t);
	}
	free(first);
	*out = t;
	return 0;
}

void template_destroy(struct template *t)
{
	if (!t) {
		return;
	}
	pieces_finish(&t->raw);
	drop_words(t);
	free(t->program);
	free(t->shell);
	free(t);
}

const char *template_program(const struct template *t)
{
	return t->program;
}

const char *template_shell(const struct template *t)
{
	return t->shell;
}

/* Length of the extension of s (from the last '.' after the last '/'). */
static size_t ext_len(const char *s, size_t len)
{
	for (size_t i = len; i > 0; i--) {
		if (s[i - 1] == '/') {
			return 0;
		}
		if (s[i - 1] == '.') {
			return len - (i - 1);
		}
	}
	return 0;
}

/* Applies a {.}/{/}/{//}/{/.} operation; the result may point into v. */
static struct value apply_op(enum op op, struct value v)
{
	const char *s = v.s;
	size_t len = v.len;

	switch (op) {
	case OP_NONE:
		break;
	case OP_NOEXT:
		len -= ext_len(s, len);
		break;
	case OP_BASE:
	case OP_BASENOEXT:
		for (size_t i = len; i > 0; i--) {
			if (s[i - 1] == '/') {
				s += i;
				len -= i;
				break;
			}
		}
		if (op == OP_BASENOEXT) {
			len -= ext_len(s, len);
		}
		break;
	case OP_DIR: {
		/* POSIX dirname(), as Perl's File::Basename::dirname. */
		while (len > 1 && s[len - 1] == '/') {
			len--;
		}
		size_t i = len;
		while (i > 0 && s[i - 1] != '/') {
			i--;
		}
		if (i == 0) {
			return (struct value){".", 1};
		}
		while (i > 1 && s[i - 1] == '/') {
			i--;
		}
		len = i;
		break;
	}
	}
	return (struct value){s, len};
}

/* The values a replacement piece stands for; count in *n. */
static const struct value *piece_values(const struct piece *p,
					const struct job_args *a, size_t *n)
{
	if (p->kind == P_ALL) {
		*n = a->n;
		return a->v;
	}
	long idx = p->pos > 0 ? p->pos - 1 : (long)a->n + p->pos;
	*n = 1;
	if (idx < 0 || (size_t)idx >= a->n) {
		static const struct value missing = {NULL, 0};
		return &missing;
	}
	return &a->v[idx];
}

void template_render(const struct template *t, const struct job_args *a,
		     struct buf *b)
{
	for (size_t i = 0; i < t->raw.n; i++) {
		const struct piece *p = &t->raw.v[i];
		size_t n;
		const struct value *vs;

		switch (p->kind) {
		case P_LIT:
			buf_add(b, p->text, p->len);
			break;
		case P_SEQ:
			buf_addf(b, "%llu", (unsigned long long)a->seq);
			break;
		case P_SLOT:
			buf_addf(b, "%u", a->slot);
			break;
		case P_ALL:
		case P_POS:
			vs = piece_values(p, a, &n);
			for (size_t k = 0; k < n; k++) {
				if (!vs[k].s) {
					continue;
				}
				struct value v = apply_op(p->op, vs[k]);
				if (k) {
					buf_addc(b, ' ');
				}
				if (p->raw) {
					buf_add(b, v.s, v.len);
				} else {
					quote_append(b, v.s, v.len);
				}
			}
			break;
		}
	}
}

void argv_init(struct argv *a)
{
	memset(a, 0, sizeof(*a));
	buf_init(&a->store);
}

void argv_finish(struct argv *a)
{
	free(a->v);
	free(a->off);
	buf_finish(&a->store);
	memset(a, 0, sizeof(*a));
}

/* Ends the current argument (it starts at offset `start` in store). */
static void argv_push(struct argv *a, size_t start)
{
	if (a->n + 1 >= a->cap) {
		a->cap = a->cap ? a->cap * 2 : 16;
		a->off = xreallocarray(a->off, a->cap, sizeof(*a->off));
	}
	buf_addc(&a->store, '\0');
	a->off[a->n++] = start;
}

void template_render_argv(const struct template *t, const struct job_args *a,
			  struct argv *out)
{
	char num[32];

	out->n = 0;
	out->store.len = 0;
	for (size_t w = 0; w < t->n_words; w++) {
		const struct word *word = &t->words[w];
		size_t start = out->store.len;
		bool content = word->always;

		for (size_t i = 0; i < word->p.n; i++) {
			const struct piece *p = &word->p.v[i];
			size_t n = 0;
			const struct value *vs;

			switch (p->kind) {
			case P_LIT:
				buf_add(&out->store, p->text, p->len);
				break;
			case P_SEQ:
			case P_SLOT:
				n = (size_t)snprintf(num, sizeof(num), "%llu",
					p->kind == P_SEQ
						? (unsigned long long)a->seq
						: (unsigned long long)a->slot);
				buf_add(&out->store, num, n);
				content = true;
				break;
			case P_ALL:
			case P_POS:
				vs = piece_values(p, a, &n);
				for (size_t k = 0, got = 0; k < n; k++) {
					if (!vs[k].s) {
						continue;
					}
					if (got++) {
						/* The shell would split here. */
						argv_push(out, start);
						start = out->store.len;
					}
					struct value v = apply_op(p->op, vs[k]);
					buf_add(&out->store, v.s, v.len);
					content = true;
				}
				break;
			}
		}
		if (content) {
			argv_push(out, start);
		} else {
			out->store.len = start;
		}
	}
	out->v = xreallocarray(out->v, out->n + 1, sizeof(char *));
	for (size_t i = 0; i < out->n; i++) {
		out->v[i] = out->store.data + out->off[i];
	}
	out->v[out->n] = NULL;
}
