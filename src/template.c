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

#include "perl.h"
#include "quote.h"
#include "util.h"

enum piece_kind {
	P_LIT,   /* literal text */
	P_ALL,   /* {}: every argument, space-separated */
	P_POS,   /* {n} or {-n}: one argument */
	P_SEQ,   /* {#} */
	P_SLOT,  /* {%} */
	P_TOTAL, /* {##} */
	P_NAME,  /* {name}: a header column, until bound to a position */
	P_CTX,   /* -X: a word with {} in it, repeated for each argument */
	P_PERL,  /* {= expr =} on each argument, or on one ({=n expr =}) */
};

enum op {
	OP_NONE,
	OP_NOEXT,      /* {.}    */
	OP_BASE,       /* {/}    */
	OP_DIR,        /* {//}   */
	OP_BASENOEXT,  /* {/.}   */
	OP_NOEXT2,     /* {..}   */
	OP_NOEXT3,     /* {...}  */
	OP_BASENOEXT2, /* {/..}  */
	OP_BASENOEXT3, /* {/...} */
	OP_PDIR,       /* {+/}   */
	OP_PEXT,       /* {+.}   */
	OP_PEXT2,      /* {+..}  */
	OP_PEXT3,      /* {+...} */
};

struct pieces {
	struct piece *v; /* owned */
	size_t n;
	size_t cap;
};

struct piece {
	enum piece_kind kind;
	enum op op;
	long pos;     /* P_POS: 1-based; negative counts from the end;
	                 P_PERL: the same, or 0 for each argument */
	unsigned expr; /* P_PERL: the expression's number in the perl */
	unsigned named_expr; /* P_PERL with text: the expression after
	                        the column name, once the name is bound */
	bool raw;     /* insert the value unquoted (input lines as commands) */
	char *text;   /* P_LIT, P_NAME, and P_PERL that may start with a
	                 --header column's name ({=name expr =}): owned */
	size_t len;
	struct pieces *sub; /* P_CTX: owned; the word's pieces */
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
	bool quoted;        /* -q: the words are the argv, quoted for sh */
	bool context;       /* -X */
	char *shell;        /* owned */

	/*
	 * What GNU parallel counts of the line's length (CommandLine::len),
	 * so -s and the default limit fit as many arguments as it does.
	 */
	size_t gnu_lit;     /* the literal text of the command line */
	size_t gnu_ctx;     /* of which in words that hold a replacement */
	size_t gnu_groups;  /* those words: repeated per argument (-X) */
	size_t gnu_repl;    /* the replacement strings */
	struct perl *perl;  /* where the expressions are, or NULL */
	bool has_perl;      /* there are P_PERL pieces */
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
		if (ps->v[i].sub) {
			pieces_finish(ps->v[i].sub);
			free(ps->v[i].sub);
		}
	}
	free(ps->v);
	memset(ps, 0, sizeof(*ps));
}

static bool has_kind(const struct pieces *ps, enum piece_kind kind);

/* The suffixes of {n...} and what they do; the --plus ones last. */
static const struct {
	const char *s;
	enum op op;
	bool plus;
} suffixes[] = {
	{"", OP_NONE, false},        {".", OP_NOEXT, false},
	{"/", OP_BASE, false},       {"//", OP_DIR, false},
	{"/.", OP_BASENOEXT, false}, {"..", OP_NOEXT2, true},
	{"...", OP_NOEXT3, true},    {"/..", OP_BASENOEXT2, true},
	{"/...", OP_BASENOEXT3, true}, {"+/", OP_PDIR, true},
	{"+.", OP_PEXT, true},       {"+..", OP_PEXT2, true},
	{"+...", OP_PEXT3, true},
};

static bool parse_suffix(const char *s, size_t len, bool plus, enum op *op)
{
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		if ((plus || !suffixes[i].plus) &&
		    strlen(suffixes[i].s) == len &&
		    memcmp(suffixes[i].s, s, len) == 0) {
			*op = suffixes[i].op;
			return true;
		}
	}
	return false;
}

/* A named replacement string and what it stands for. */
struct rpl {
	const char *s;
	enum piece_kind kind;
	enum op op;
};

/* The replacement strings in force, longest first. */
static size_t rpl_table(const struct template_config *c, struct rpl *t)
{
	size_t n = 0;

	t[n++] = (struct rpl){c->replace, P_ALL, OP_NONE};
	t[n++] = (struct rpl){c->ext_replace, P_ALL, OP_NOEXT};
	t[n++] = (struct rpl){c->base_replace, P_ALL, OP_BASE};
	t[n++] = (struct rpl){c->dir_replace, P_ALL, OP_DIR};
	t[n++] = (struct rpl){c->baseext_replace, P_ALL, OP_BASENOEXT};
	t[n++] = (struct rpl){c->seq_replace, P_SEQ, OP_NONE};
	t[n++] = (struct rpl){c->slot_replace, P_SLOT, OP_NONE};
	if (c->plus) {
		t[n++] = (struct rpl){"{##}", P_TOTAL, OP_NONE};
		for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]);
		     i++) {
			static char bufs[16][8];
			if (!suffixes[i].plus) {
				continue;
			}
			snprintf(bufs[i], sizeof(bufs[i]), "{%s}",
				 suffixes[i].s);
			t[n++] = (struct rpl){bufs[i], P_ALL, suffixes[i].op};
		}
	}
	/* Longest first, so {//} wins over {/} when both could match. */
	for (size_t i = 1; i < n; i++) {
		for (size_t j = i; j > 0 && strlen(t[j].s) > strlen(t[j - 1].s);
		     j--) {
			struct rpl tmp = t[j];
			t[j] = t[j - 1];
			t[j - 1] = tmp;
		}
	}
	return n;
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == ' ';
}

/*
 * The operation of a positional string {nS}: there is one for each
 * replacement string of the form {S} that stands for the arguments, so
 * renaming {} to ,, (-I ,,) takes {1} away and -I {x} gives {1x}.
 */
static bool positional_op(const struct rpl *table, size_t n_table,
			  const char *s, size_t len, enum op *op)
{
	for (size_t i = 0; i < n_table; i++) {
		const char *r = table[i].s;
		size_t rlen = strlen(r);
		if (table[i].kind == P_ALL && rlen == len + 2 && r[0] == '{' &&
		    r[rlen - 1] == '}' && memcmp(r + 1, s, len) == 0) {
			*op = table[i].op;
			return true;
		}
	}
	return false;
}

/* Where the string `needle` (of length n) starts in s, or NULL. */
static const char *find_str(const char *s, const char *needle, size_t n)
{
	for (; *s; s++) {
		if (strncmp(s, needle, n) == 0) {
			return s;
		}
	}
	return NULL;
}

/*
 * Recognises a perl expression at s, {= expr =} or {=n expr =} (with the
 * delimiters --parens gives): the shortest one that holds no other
 * opening, as GNU parallel matches them.  Returns its length, with the
 * expression's text in *expr (owned) and its position in p->pos, or 0.
 */
static long match_perl(const char *s, const struct template_config *cfg,
		       struct piece *p, char **expr, size_t *len,
		       size_t *name_len)
{
	const char *parens = cfg->parens ? cfg->parens : "{==}";
	size_t half = strlen(parens) / 2;
	const char *left = parens, *right = parens + half;

	if (half == 0 || strncmp(s, left, half) != 0) {
		return 0;
	}
	const char *body = s + half;
	const char *end = find_str(body, right, half);
	const char *inner = find_str(body, left, half);
	if (!end || (inner && inner < end)) {
		return 0;
	}
	/* {=n expr =}: n, then spaces, are not part of the expression. */
	const char *e = body;
	bool neg = *e == '-';
	const char *digits = e + neg;
	long n = 0;
	while (digits < end && *digits >= '0' && *digits <= '9' &&
	       n < 100000000) {
		n = n * 10 + (*digits++ - '0');
	}
	if (digits > e + neg) {
		e = digits;
		p->pos = neg ? -n : n;
	}
	while (e < end && *e == ' ') {
		e++;
	}
	/*
	 * {=name expr =}: with --header, GNU parallel makes a column's name
	 * after {= its position.  Which names the header has is known only
	 * once it is read, so the word is kept (see bind_pieces).
	 */
	*name_len = 0;
	if (cfg->names && e == body) {
		size_t k = 0;
		while (e + k < end && e[k] != ' ' && is_name_char(e[k])) {
			k++;
		}
		if (k > 0 && e + k < end && e[k] == ' ') {
			*name_len = k;
		}
	}
	p->kind = P_PERL;
	*expr = xmemdup(e, (size_t)(end - e));
	*len = (size_t)(end - e);
	return (long)(end + half - s);
}

/*
 * Recognises a replacement string at s (NUL-terminated).  Returns its
 * length and fills *p, 0 if there is none, or -1 for a Perl expression.
 */
static long match_repl(const char *s, const struct template_config *cfg,
		       const struct rpl *table, size_t n_table,
		       struct piece *p)
{
	memset(p, 0, sizeof(*p));
	char *expr;
	size_t expr_len, name_len;
	long m = match_perl(s, cfg, p, &expr, &expr_len, &name_len);
	if (m > 0) {
		if (!cfg->perl) {
			free(expr);
			return -1;
		}
		/* Which of the two forms is used is known only then. */
		p->expr = name_len ? perl_add_lenient(cfg->perl, expr, expr_len)
				   : perl_add(cfg->perl, expr, expr_len);
		if (name_len) {
			size_t k = name_len;
			while (k < expr_len && expr[k] == ' ') {
				k++;
			}
			p->text = xmemdup(expr, name_len);
			p->len = name_len;
			p->named_expr = perl_add_lenient(cfg->perl, expr + k,
							 expr_len - k);
		}
		free(expr);
		return m;
	}
	for (size_t i = 0; i < n_table; i++) {
		size_t len = strlen(table[i].s);
		if (strncmp(s, table[i].s, len) == 0) {
			p->kind = table[i].kind;
			p->op = table[i].op;
			return (long)len;
		}
	}
	if (s[0] != '{') {
		return 0;
	}
	const char *close = strchr(s + 1, '}');
	if (!close) {
		return 0;
	}
	const char *in = s + 1;
	size_t len = (size_t)(close - in);
	long total = (long)len + 2;
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
	if (i > digits && n > 0 &&
	    positional_op(table, n_table, in + i, len - i, &p->op)) {
		p->kind = P_POS;
		p->pos = neg ? -n : n;
		return total;
	}
	if (cfg->names && len > 0 && is_name_char(in[0])) {
		/* {name} or {name.} ...: resolved once the header is read. */
		size_t k = 0;
		while (k < len && is_name_char(in[k])) {
			k++;
		}
		if (parse_suffix(in + k, len - k, cfg->plus, &p->op)) {
			p->kind = P_NAME;
			p->text = xmemdup(in, k);
			p->len = k;
			return total;
		}
	}
	return 0;
}

/* Appends literal command text; -q quotes each word of it. */
static void add_text(struct pieces *ps, const char *s, size_t len,
		     bool quote)
{
	if (!quote || len == 0) {
		pieces_add_lit(ps, s, len);
		return;
	}
	struct buf b;
	buf_init(&b);
	quote_append(&b, s, len);
	pieces_add_lit(ps, b.data, b.len);
	buf_finish(&b);
}

/* Cuts one command word (or the joined line) into pieces. */
static int cut_word(struct pieces *ps, const char *s,
		    const struct template_config *cfg,
		    const struct rpl *table, size_t n_table, bool quote,
		    bool *any, char **cause)
{
	size_t lit = 0, i = 0;

	while (s[i] != '\0') {
		struct piece p;
		long m = match_repl(s + i, cfg, table, n_table, &p);
		if (m < 0) {
			*cause = xasprintf("perl expressions like '%.20s' are "
					   "not supported here", s + i);
			return -1;
		}
		if (m == 0) {
			i++;
			continue;
		}
		add_text(ps, s + lit, i - lit, quote);
		pieces_push(ps, p);
		*any = true;
		i += (size_t)m;
		lit = i;
	}
	if (quote && i == 0) {
		pieces_add_lit(ps, "''", 2); /* -q keeps an empty word */
	} else {
		add_text(ps, s + lit, i - lit, quote);
	}
	return 0;
}

/* Cuts the command words into literal and replacement pieces. */
static int cut_pieces(struct pieces *ps, char *const *words, size_t n,
		      const struct template_config *cfg, char **cause)
{
	struct rpl table[32];
	size_t n_table = rpl_table(cfg, table);
	bool any = false;

	if (cfg->quote) {
		/* -q: each word is quoted, so it stays one word. */
		for (size_t i = 0; i < n; i++) {
			if (i) {
				pieces_add_lit(ps, " ", 1);
			}
			if (cut_word(ps, words[i], cfg, table, n_table, true,
				     &any, cause) < 0) {
				return -1;
			}
		}
	} else {
		struct buf line;
		buf_init(&line);
		for (size_t i = 0; i < n; i++) {
			if (i) {
				buf_addc(&line, ' ');
			}
			buf_adds(&line, words[i]);
		}
		int r = cut_word(ps, line.data, cfg, table, n_table, false,
				 &any, cause);
		buf_finish(&line);
		if (r < 0) {
			return -1;
		}
	}
	if (!any && !cfg->no_append) {
		/* No replacement string: the arguments are appended. */
		pieces_add_lit(ps, " ", 1);
		pieces_push(ps, (struct piece){.kind = P_ALL});
	}
	return 0;
}

/* True for a piece that stands for each argument in turn, as {} does. */
static bool is_each(const struct piece *p)
{
	return p->kind == P_ALL || (p->kind == P_PERL && p->pos == 0);
}

static bool is_blank_char(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/*
 * -X: gathers each word that holds {} (with the literal text around it
 * up to white space) into one P_CTX piece, repeated per argument.  A word
 * that is {} alone needs no gathering.
 */
static void gather_context(struct pieces *ps)
{
	struct pieces out = {0};

	for (size_t i = 0; i < ps->n; i++) {
		if (!is_each(&ps->v[i])) {
			pieces_push(&out, ps->v[i]);
			continue;
		}
		struct pieces *word = xcalloc(1, sizeof(*word));
		/*
		 * The start of the word: the replacement strings right
		 * before it ({#}-{}) and the literal text up to white space.
		 */
		size_t first = out.n, k = 0;
		struct piece *cut = NULL; /* its tail starts the word */
		while (first > 0) {
			struct piece *prev = &out.v[first - 1];
			if (prev->kind == P_LIT) {
				k = prev->len;
				while (k > 0 &&
				       !is_blank_char(prev->text[k - 1])) {
					k--;
				}
				if (k > 0) {
					cut = prev;
					break;
				}
			}
			first--;
		}
		if (cut) {
			pieces_add_lit(word, cut->text + k, cut->len - k);
			cut->len = k;
			cut->text[k] = '\0';
		}
		for (size_t j = first; j < out.n; j++) {
			pieces_push(word, out.v[j]);
		}
		out.n = first;
		pieces_push(word, ps->v[i]);
		/* The rest of the word, up to white space. */
		while (i + 1 < ps->n) {
			struct piece *next = &ps->v[i + 1];
			if (next->kind != P_LIT) {
				pieces_push(word, *next);
				i++;
				continue;
			}
			k = 0;
			while (k < next->len && !is_blank_char(next->text[k])) {
				k++;
			}
			pieces_add_lit(word, next->text, k);
			if (k == next->len) {
				free(next->text);
				next->text = NULL;
				i++;
				continue;
			}
			memmove(next->text, next->text + k, next->len - k + 1);
			next->len -= k;
			break;
		}
		if (word->n == 1) {
			pieces_push(&out, word->v[0]);
			free(word->v);
			free(word);
		} else {
			pieces_push(&out, (struct piece){.kind = P_CTX,
							 .sub = word});
		}
	}
	free(ps->v);
	*ps = out;
}

/* Ends a word for count_gnu(): one holding a replacement is context. */
static void end_gnu_word(struct template *t, size_t *word, bool *repl)
{
	if (*repl) {
		t->gnu_ctx += *word;
		t->gnu_groups++;
	}
	*word = 0;
	*repl = false;
}

/*
 * Counts the command line as GNU parallel does before it fills it: the
 * literal text, and the words around replacement strings (the context
 * that -X repeats for each argument).  Words end at Perl's \s.
 */
static void count_gnu(struct template *t)
{
	size_t word = 0;   /* literal bytes of the current word */
	bool repl = false; /* it holds a replacement string */

	for (size_t i = 0; i < t->raw.n; i++) {
		const struct piece *p = &t->raw.v[i];
		if (p->kind != P_LIT) {
			t->gnu_repl++;
			repl = true;
			continue;
		}
		t->gnu_lit += p->len;
		for (size_t k = 0; k < p->len; k++) {
			if (p->text[k] && strchr(" \t\n\r\f\v", p->text[k])) {
				end_gnu_word(t, &word, &repl);
			} else {
				word++;
			}
		}
	}
	end_gnu_word(t, &word, &repl);
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
			if (q != Q_NONE || p->raw || p->kind == P_CTX) {
				goto shell;
			}
			FLUSH_LIT();
			struct piece copy = *p;
			if (copy.text) {
				copy.text = xmemdup(p->text, p->len);
			}
			pieces_push(&cur.p, copy);
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

/* True if s opens a perl expression that it does not close. */
static bool opens_perl(const char *s, const struct template_config *cfg)
{
	const char *parens = cfg->parens ? cfg->parens : "{==}";
	size_t half = strlen(parens) / 2;

	for (size_t i = 0; s[i]; i++) {
		struct piece p = {0};
		char *expr;
		size_t len, name;
		long m = match_perl(s + i, cfg, &p, &expr, &len, &name);
		if (m > 0) {
			free(expr);
			i += (size_t)m - 1;
		} else if (strncmp(s + i, parens, half) == 0) {
			return true;
		}
	}
	return false;
}

/*
 * -q: words that together hold one perl expression, as in
 * `{= s/a/b/ =}` typed as three words, are one word, as GNU parallel
 * takes them.  Returns owned copies; their number in *n_out.
 */
static char **merge_perl_words(char *const *words, size_t n,
			       const struct template_config *cfg,
			       size_t *n_out)
{
	char **out = xcalloc(n + 1, sizeof(char *));
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		struct buf b;
		buf_init(&b);
		buf_adds(&b, words[i]);
		while (opens_perl(b.data, cfg) && i + 1 < n) {
			buf_addc(&b, ' ');
			buf_adds(&b, words[++i]);
		}
		out[k++] = buf_steal(&b);
	}
	*n_out = k;
	return out;
}

/*
 * -q: every command word stays one word, whatever it holds; replacement
 * strings inside it are filled in raw and the word is quoted as a whole,
 * as GNU parallel does.  The words are then exactly the job's argv.
 */
static int quoted_words(struct template *t, char *const *words, size_t n,
			const struct template_config *cfg, char **cause)
{
	struct rpl table[32];
	size_t n_table = rpl_table(cfg, table);
	bool any = false;

	t->words = xcalloc(n + 1, sizeof(*t->words));
	for (size_t i = 0; i < n; i++) {
		struct word *w = &t->words[t->n_words++];
		w->always = true;
		if (cut_word(&w->p, words[i], cfg, table, n_table, false, &any,
			     cause) < 0) {
			return -1;
		}
	}
	if (!any) {
		struct word *w = &t->words[t->n_words++];
		pieces_push(&w->p, (struct piece){.kind = P_ALL});
	}
	t->quoted = true;
	return 0;
}

int template_parse(struct template **out, char *const *words, size_t n,
		   const struct template_config *cfg, char **cause)
{
	struct template *t = xcalloc(1, sizeof(*t));

	t->context = cfg->context;
	char **tagless = NULL;
	if (cfg->tags && cfg->perl &&
	    perl_rewrite(cfg->perl, cfg->tags, words, n, &tagless, cause) < 0) {
		template_destroy(t);
		return -1;
	}
	size_t n_tagless = tagless ? n : 0;
	if (tagless) {
		words = tagless;
	}
	size_t n_merged = 0;
	char **merged = NULL;
	if (cfg->quote && n > 0) {
		merged = merge_perl_words(words, n, cfg, &n_merged);
		words = merged;
		n = n_merged;
	}
	int r = 0;
	if (cfg->quote && n > 0) {
		r = quoted_words(t, words, n, cfg, cause);
	}
	if (r == 0 && n == 0) {
		pieces_push(&t->raw,
			    (struct piece){.kind = P_ALL, .raw = true});
	} else if (r == 0) {
		r = cut_pieces(&t->raw, words, n, cfg, cause);
	}
	for (size_t i = 0; i < n_merged; i++) {
		free(merged[i]);
	}
	free(merged);
	for (size_t i = 0; i < n_tagless; i++) {
		free(tagless[i]);
	}
	free(tagless);
	if (r < 0) {
		template_destroy(t);
		return -1;
	}
	count_gnu(t);
	if (cfg->context) {
		gather_context(&t->raw);
	}
	t->perl = cfg->perl;
	t->has_perl = has_kind(&t->raw, P_PERL);

	char *first = first_word(t);
	bool function = first && is_exported_function(first);
	t->shell = xstrdup(function ? "/bin/bash" : cfg->shell);
	if (t->quoted) {
		const struct word *w = &t->words[0];
		if (!function && !cfg->shell_only && w->p.n == 1 &&
		    w->p.v[0].kind == P_LIT &&
		    !is_shell_word(w->p.v[0].text)) {
			t->program = find_program(w->p.v[0].text);
		}
		free(first);
		*out = t;
		return 0;
	}
	if (first && !function && lex_words(t)) {
		const struct word *w = &t->words[0];
		bool literal = w->p.n == 1 && w->p.v[0].kind == P_LIT;
		if (literal && !cfg->shell_only &&
		    !is_shell_word(w->p.v[0].text)) {
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

/* Parses text[0..len), in which NUL bytes are text too. */
static int parse_text(struct template **out, const char *text, size_t len,
		      const struct template_config *cfg, char **cause)
{
	struct template *t = xcalloc(1, sizeof(*t));
	struct rpl table[32];
	size_t n_table = rpl_table(cfg, table);
	bool any = false;
	char **tagless = NULL;

	if (cfg->tags && cfg->perl &&
	    perl_rewrite(cfg->perl, cfg->tags, (char *const *)&text, 1,
			 &tagless, cause) < 0) {
		template_destroy(t);
		return -1;
	}
	/* No -q and nothing appended: the text is taken as it is. */
	if (tagless) {
		/* perl_rewrite() gave a C string: the text up to a NUL. */
		text = tagless[0];
		len = strlen(text);
	}
	for (size_t at = 0;;) {
		if (cut_word(&t->raw, text + at, cfg, table, n_table, false,
			     &any, cause) < 0) {
			if (tagless) {
				free(tagless[0]);
				free(tagless);
			}
			template_destroy(t);
			return -1;
		}
		at += strlen(text + at) + 1;
		if (at > len) {
			break;
		}
		pieces_add_lit(&t->raw, text + at - 1, 1);
	}
	if (tagless) {
		free(tagless[0]);
		free(tagless);
	}
	/* Text for people, not for a shell: values go in unquoted. */
	for (size_t i = 0; i < t->raw.n; i++) {
		t->raw.v[i].raw = true;
	}
	/* -X: a word around {} is repeated, as in the command. */
	t->context = cfg->context;
	if (cfg->context) {
		gather_context(&t->raw);
	}
	t->perl = cfg->perl;
	t->has_perl = has_kind(&t->raw, P_PERL);
	t->shell = xstrdup(cfg->shell);
	*out = t;
	return 0;
}

int template_parse_text(struct template **out, const char *text,
			const struct template_config *cfg, char **cause)
{
	return parse_text(out, text, strlen(text), cfg, cause);
}

int template_parse_tag(struct template **out, const char *text,
		       const struct template_config *cfg, char **cause)
{
	size_t len;
	char *s = template_unescape(text, &len);
	int r = parse_text(out, s, len, cfg, cause);

	free(s);
	return r;
}

/* Appends Perl's "\NNN": up to three octal digits, else the digit. */
static size_t add_octal(struct buf *b, const char *p, size_t max)
{
	unsigned c = 0;
	size_t n = 0;

	while (n < max && p[n] >= '0' && p[n] <= '7') {
		c = c * 8 + (unsigned)(p[n++] - '0');
	}
	if (n == 0) {
		buf_addc(b, p[0]); /* \8 and \9 are the digits */
		return 1;
	}
	if (c > 0xff) {
		/* A wide character: Perl prints it in UTF-8. */
		buf_addc(b, (char)(0xc0 | (c >> 6)));
		buf_addc(b, (char)(0x80 | (c & 0x3f)));
	} else {
		buf_addc(b, (char)c);
	}
	return n;
}

char *template_unescape(const char *s, size_t *len)
{
	struct buf b;

	buf_init(&b);
	for (const char *p = s; *p; p++) {
		const char *e = strchr("tnr", p[0] == '\\' ? p[1] : 0);
		if (p[0] != '\\' || !p[1]) {
			buf_addc(&b, *p);
		} else if (e && *e) {
			buf_addc(&b, "\t\n\r"[e - "tnr"]);
			p++;
		} else if (p[1] >= '0' && p[1] <= '9') {
			/* \NNN (three digits) or \N, as GNU parallel. */
			size_t n = 1;
			while (n < 3 && p[1 + n] >= '0' && p[1 + n] <= '9') {
				n++;
			}
			n = n == 3 ? 3 : 1;
			size_t used = add_octal(&b, p + 1, n);
			buf_add(&b, p + 1 + used, n - used);
			p += n;
		} else {
			buf_addc(&b, *p);
		}
	}
	*len = b.len;
	return buf_steal(&b);
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

/*
 * Where the k-th last dot of s is, if the last k dots all stand after the
 * last slash (the extensions of GNU parallel's {.}, {..}, {...}); else -1.
 */
static long dot_from_end(const char *s, size_t len, int k)
{
	for (size_t i = len; i > 0; i--) {
		if (s[i - 1] == '/') {
			return -1;
		}
		if (s[i - 1] == '.' && --k == 0) {
			return (long)(i - 1);
		}
	}
	return -1;
}

/* Cuts off the last k extensions, if s has that many. */
static size_t strip_ext(const char *s, size_t len, int k)
{
	long d = dot_from_end(s, len, k);

	return d < 0 ? len : (size_t)d;
}

/* The last k extensions without their leading dot, or "" (--plus). */
static struct value only_ext(const char *s, size_t len, int k)
{
	long d = dot_from_end(s, len, k);

	if (k == 1) {
		/* {+.} is greedy: after the last dot, slashes or not. */
		const char *dot = memrchr(s, '.', len);
		d = dot ? dot - s : -1;
	}
	if (d < 0) {
		return (struct value){"", 0};
	}
	return (struct value){s + d + 1, len - (size_t)d - 1};
}

/* Applies a {.}/{/}/{//}/... operation; the result may point into v. */
static struct value apply_op(enum op op, struct value v)
{
	const char *s = v.s;
	size_t len = v.len;
	const char *slash;

	switch (op) {
	case OP_NONE:
		break;
	case OP_NOEXT:
		len = strip_ext(s, len, 1);
		break;
	case OP_NOEXT2:
		len = strip_ext(s, len, 2);
		break;
	case OP_NOEXT3:
		len = strip_ext(s, len, 3);
		break;
	case OP_BASE:
	case OP_BASENOEXT:
	case OP_BASENOEXT2:
	case OP_BASENOEXT3:
		slash = memrchr(s, '/', len);
		if (slash) {
			len -= (size_t)(slash + 1 - s);
			s = slash + 1;
		}
		if (op != OP_BASE) {
			len = strip_ext(s, len, op == OP_BASENOEXT ? 1
					: op == OP_BASENOEXT2 ? 2 : 3);
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
	case OP_PDIR:
		slash = memrchr(s, '/', len);
		len = slash ? (size_t)(slash - s) : 0;
		break;
	case OP_PEXT:
		return only_ext(s, len, 1);
	case OP_PEXT2:
		return only_ext(s, len, 2);
	case OP_PEXT3:
		return only_ext(s, len, 3);
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

/*
 * The arguments (0-based, count in *n) a perl piece is evaluated on: the
 * one of -X's context, each in turn, or the one {=n =} names.
 */
static size_t perl_args(const struct piece *p, const struct job_args *a,
			const struct value *ctx, size_t *n)
{
	if (p->pos == 0) {
		*n = ctx ? 1 : a->n;
		return ctx ? (size_t)(ctx - a->v) : 0;
	}
	long idx = p->pos > 0 ? p->pos - 1 : (long)a->n + p->pos;
	*n = idx >= 0 && (size_t)idx < a->n;
	return *n ? (size_t)idx : 0;
}

/* The value of a perl piece on argument i (0-based), "" if unknown. */
static struct value perl_value(const struct piece *p,
			       const struct job_args *a, size_t i,
			       bool *unquoted)
{
	struct value v = {"", 0};

	*unquoted = false;
	perl_memo_get(a->memo, p->expr, i + 1, &v, unquoted);
	return v;
}

/* Appends a perl piece's values, space-separated; quoted unless uq(). */
static void add_perl(struct buf *b, const struct piece *p,
		     const struct job_args *a, const struct value *ctx)
{
	size_t n, first = perl_args(p, a, ctx, &n);

	for (size_t k = first, got = 0; k < first + n; k++) {
		bool uq;
		if (!a->v[k].s) {
			continue;
		}
		if (got++) {
			buf_addc(b, ' ');
		}
		struct value v = perl_value(p, a, k, &uq);
		if (p->raw || uq) {
			buf_add(b, v.s, v.len);
		} else {
			quote_append(b, v.s, v.len);
		}
	}
}

const char template_void[] = "";

/* Appends one value, quoted unless raw. */
static void add_value(struct buf *b, const struct piece *p, struct value v)
{
	if (v.s == template_void) {
		return;
	}
	v = apply_op(p->op, v);
	if (p->raw) {
		buf_add(b, v.s, v.len);
	} else {
		quote_append(b, v.s, v.len);
	}
}

static void render_pieces(const struct pieces *ps, const struct job_args *a,
			  const struct value *ctx, struct buf *b)
{
	for (size_t i = 0; i < ps->n; i++) {
		const struct piece *p = &ps->v[i];
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
		case P_TOTAL:
			buf_addf(b, "%llu", (unsigned long long)a->total);
			break;
		case P_NAME:
			/* A name the header did not have: literal text. */
			buf_addc(b, '{');
			buf_add(b, p->text, p->len);
			for (size_t k = 0; k < sizeof(suffixes) /
					     sizeof(suffixes[0]); k++) {
				if (suffixes[k].op == p->op) {
					buf_adds(b, suffixes[k].s);
					break;
				}
			}
			buf_addc(b, '}');
			break;
		case P_CTX:
			for (size_t k = 0, got = 0; k < a->n; k++) {
				if (got++) {
					buf_addc(b, ' ');
				}
				render_pieces(p->sub, a, &a->v[k], b);
			}
			break;
		case P_PERL:
			add_perl(b, p, a, ctx);
			break;
		case P_ALL:
			if (ctx) {
				add_value(b, p, *ctx);
				break;
			}
			/* fall through */
		case P_POS:
			vs = piece_values(p, a, &n);
			for (size_t k = 0, got = 0; k < n; k++) {
				if (!vs[k].s) {
					continue;
				}
				if (got++) {
					buf_addc(b, ' ');
				}
				add_value(b, p, vs[k]);
			}
			break;
		}
	}
}

void template_render(const struct template *t, const struct job_args *a,
		     struct buf *b)
{
	if (!t->quoted) {
		render_pieces(&t->raw, a, NULL, b);
		return;
	}
	struct argv av;
	argv_init(&av);
	template_render_argv(t, a, &av);
	for (size_t i = 0; i < av.n; i++) {
		if (i) {
			buf_addc(b, ' ');
		}
		quote_append(b, av.v[i], strlen(av.v[i]));
	}
	argv_finish(&av);
}

void template_base_len(const struct template *t, struct line_len *len)
{
	struct job_args none = {.seq = 1, .slot = 1};
	struct buf b;
	/*
	 * Each value is charged the separator before it (template_arg_len),
	 * but the first one needs none.
	 */
	size_t seps = t->context ? t->gnu_ctx + t->gnu_groups : t->gnu_repl;

	len->gnu = t->gnu_lit > seps ? t->gnu_lit - seps : 0;
	buf_init(&b);
	template_render(t, &none, &b);
	seps = 0;
	for (size_t i = 0; i < t->raw.n; i++) {
		seps += t->raw.v[i].kind == P_ALL || t->raw.v[i].kind == P_CTX;
	}
	len->sys = b.len > seps ? b.len - seps : 0;
	buf_finish(&b);
	if (t->program) {
		/* The words with their NULs and pointers, and the path. */
		len->sys += (t->n_words + 1) * (1 + sizeof(char *)) +
			    strlen(t->program) + 1;
	}
	if (t->quoted) {
		/* -q quotes what is quoted: GNU parallel's bound. */
		len->gnu *= 3;
		len->sys *= 3;
	}
}

static size_t digits(uint64_t n)
{
	size_t d = 1;

	while (n >= 10) {
		n /= 10;
		d++;
	}
	return d;
}

/* The length of v as piece p puts it on the line (b is scratch). */
static size_t value_len(const struct piece *p, const struct value *v,
			struct buf *b)
{
	struct value x = apply_op(p->op, *v);

	if (p->raw || quote_is_plain(x.s, x.len)) {
		return x.len;
	}
	b->len = 0;
	quote_append(b, x.s, x.len);
	return b->len;
}

/*
 * True if p puts in the value at column col of a row of width values.  A
 * perl expression is counted as the value it starts from.
 */
static bool piece_takes(const struct piece *p, size_t col, size_t width)
{
	if (is_each(p)) {
		return true;
	}
	long idx = p->pos > 0 ? p->pos - 1 : (long)width + p->pos;
	return (p->kind == P_POS || p->kind == P_PERL) && idx == (long)col;
}

/*
 * GNU parallel's share of a value in the replacement strings: its length
 * in each that takes it, and {#} and the like counted for every value.
 */
static size_t gnu_repl_len(const struct pieces *ps, const struct value *v,
			   const struct arg_place *at, struct buf *b)
{
	size_t len = 0;

	for (size_t i = 0; i < ps->n; i++) {
		const struct piece *p = &ps->v[i];
		if (p->sub) {
			len += gnu_repl_len(p->sub, v, at, b);
		} else if (piece_takes(p, at->col, at->width)) {
			len += value_len(p, v, b);
		} else if (p->kind == P_SEQ || p->kind == P_SLOT ||
			   p->kind == P_TOTAL) {
			len += digits(at->seq);
		}
	}
	return len;
}

/*
 * What a value adds to the rendered line, at most, and the strings it
 * adds to a direct exec's argv, at most (counted into *strings).
 */
static size_t real_len(const struct pieces *ps, const struct value *v,
		       const struct arg_place *at, bool in_ctx,
		       struct buf *b, size_t *strings)
{
	size_t len = 0;

	for (size_t i = 0; i < ps->n; i++) {
		const struct piece *p = &ps->v[i];
		switch (p->kind) {
		case P_CTX:
			len += 1 + real_len(p->sub, v, at, true, b, strings);
			++*strings;
			break;
		case P_ALL:
		case P_POS:
		case P_PERL:
			if (piece_takes(p, at->col, at->width)) {
				len += value_len(p, v, b) + !in_ctx;
				*strings += !in_ctx;
			}
			break;
		case P_LIT:
			len += in_ctx ? p->len : 0;
			break;
		case P_NAME:
			len += in_ctx ? p->len + 8 : 0; /* {name...} */
			break;
		case P_SEQ:
		case P_SLOT:
		case P_TOTAL:
			len += in_ctx ? 20 : 0;
			break;
		}
	}
	return len;
}

void template_arg_len(const struct template *t, const struct value *v,
		      const struct arg_place *at, struct line_len *len)
{
	struct buf b;
	size_t strings = 0;

	buf_init(&b);
	len->gnu = gnu_repl_len(&t->raw, v, at, &b) +
		   (t->context ? t->gnu_ctx + t->gnu_groups : t->gnu_repl);
	len->sys = real_len(&t->raw, v, at, false, &b, &strings);
	buf_finish(&b);
	if (t->program) {
		len->sys += strings * sizeof(char *);
	}
	if (t->quoted) {
		len->gnu *= 3;
		len->sys *= 3;
	}
}

static void bind_pieces(struct pieces *ps, char *const *names, size_t n)
{
	for (size_t i = 0; i < ps->n; i++) {
		struct piece *p = &ps->v[i];
		if (p->sub) {
			bind_pieces(p->sub, names, n);
		}
		if (p->kind == P_PERL && p->text) {
			/* {=name expr =}: expr on that column, else the
			   whole text is the expression. */
			for (size_t k = 0; k < n; k++) {
				if (strlen(names[k]) == p->len &&
				    memcmp(names[k], p->text, p->len) == 0) {
					p->pos = (long)k + 1;
					p->expr = p->named_expr;
					break;
				}
			}
			free(p->text);
			p->text = NULL;
			p->len = 0;
			continue;
		}
		if (p->kind != P_NAME) {
			continue;
		}
		for (size_t k = 0; k < n; k++) {
			if (strlen(names[k]) == p->len &&
			    memcmp(names[k], p->text, p->len) == 0) {
				p->kind = P_POS;
				p->pos = (long)k + 1;
				break;
			}
		}
	}
}

void template_bind_names(struct template *t, char *const *names, size_t n)
{
	bind_pieces(&t->raw, names, n);
	for (size_t i = 0; i < t->n_words; i++) {
		bind_pieces(&t->words[i].p, names, n);
	}
}

static bool has_kind(const struct pieces *ps, enum piece_kind kind)
{
	for (size_t i = 0; i < ps->n; i++) {
		if (ps->v[i].kind == kind ||
		    (ps->v[i].sub && has_kind(ps->v[i].sub, kind))) {
			return true;
		}
	}
	return false;
}

bool template_needs_total(const struct template *t)
{
	return has_kind(&t->raw, P_TOTAL);
}

bool template_has_perl(const struct template *t)
{
	return t->has_perl;
}

struct reqs {
	struct perl_req *v; /* owned */
	size_t n, cap;
};

/* The (expression, argument) pairs the pieces need for a job. */
static void collect_reqs(const struct pieces *ps, const struct job_args *a,
			 struct reqs *r)
{
	for (size_t i = 0; i < ps->n; i++) {
		const struct piece *p = &ps->v[i];
		if (p->sub) {
			collect_reqs(p->sub, a, r);
		}
		if (p->kind != P_PERL) {
			continue;
		}
		size_t n, first = perl_args(p, a, NULL, &n);
		for (size_t k = first; k < first + n; k++) {
			if (!a->v[k].s) {
				continue;
			}
			if (r->n == r->cap) {
				r->cap = r->cap ? r->cap * 2 : 8;
				r->v = xreallocarray(r->v, r->cap,
						     sizeof(*r->v));
			}
			r->v[r->n++] = (struct perl_req){p->expr, k + 1};
		}
	}
}

int template_eval(const struct template *t, const struct job_args *a,
		  char **cause)
{
	if (!t->has_perl) {
		return 0;
	}
	struct reqs r = {0};
	collect_reqs(&t->raw, a, &r);
	struct perl_job j = {
		.seq = a->seq,
		.slot = a->slot,
		.total = a->total,
		.v = a->v,
		.n = a->n,
	};
	int ret = r.n ? perl_eval(t->perl, a->memo, &j, r.v, r.n, cause) : 0;
	free(r.v);
	return ret;
}

bool template_unquoted(const struct template *t, const struct job_args *a)
{
	return t->has_perl && perl_memo_unquoted(a->memo);
}

void argv_init(struct argv *a)
{
	memset(a, 0, sizeof(*a));
	buf_init(&a->store);
}

void argv_finish(struct argv *a)
{
	free(a->v);
	free(a->slot);
	buf_finish(&a->store);
	memset(a, 0, sizeof(*a));
}

/* An argument: a string of its own in store, or a job's value. */
struct argv_slot {
	const char *value;  /* or NULL */
	size_t off;         /* in store, if not a value */
};

static struct argv_slot *argv_next(struct argv *a)
{
	if (a->n + 1 >= a->cap) {
		a->cap = a->cap ? a->cap * 2 : 16;
		a->slot = xreallocarray(a->slot, a->cap, sizeof(*a->slot));
	}
	return &a->slot[a->n++];
}

/* Ends the current argument (it starts at offset `start` in store). */
static void argv_push(struct argv *a, size_t start)
{
	buf_addc(&a->store, '\0');
	*argv_next(a) = (struct argv_slot){NULL, start};
}

/* True if a word of this piece alone is a job's values as they are. */
static bool is_bare_value(const struct word *word)
{
	const struct piece *p = word->p.n == 1 ? &word->p.v[0] : NULL;

	return p && (p->kind == P_ALL || p->kind == P_POS) &&
	       p->op == OP_NONE;
}

/*
 * Renders one word into out, split where a value list would be split by
 * the shell; with ctx, {} stands for that one value (-X and -q).
 */
static void render_word(const struct word *word, const struct job_args *a,
			const struct value *ctx, struct argv *out)
{
	char num[32];
	size_t start = out->store.len;
	bool content = word->always;
	bool split = false; /* -N0 split the word, as the shell would */

	if (is_bare_value(word)) {
		/*
		 * The values are NUL-terminated: no copy (-N1000 has a
		 * thousand of them per job).
		 */
		const struct piece *p = &word->p.v[0];
		size_t n = 1, got = 0;
		const struct value *vs = ctx && p->kind == P_ALL
						 ? ctx : piece_values(p, a, &n);
		for (size_t k = 0; k < n; k++) {
			if (vs[k].s == template_void) {
				got++; /* -N0: nothing, not even '' */
			} else if (vs[k].s) {
				*argv_next(out) = (struct argv_slot){vs[k].s, 0};
				got++;
			}
		}
		if (got > 0 || !content) {
			return;
		}
	}

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
		case P_TOTAL:
			n = (size_t)snprintf(num, sizeof(num), "%llu",
				p->kind == P_SEQ ? (unsigned long long)a->seq
				: p->kind == P_SLOT
					? (unsigned long long)a->slot
					: (unsigned long long)a->total);
			buf_add(&out->store, num, n);
			content = true;
			break;
		case P_PERL: {
			size_t cnt, first = perl_args(p, a, ctx, &cnt);
			for (size_t k = first, got = 0; k < first + cnt; k++) {
				bool uq;
				if (!a->v[k].s) {
					continue;
				}
				if (got++) {
					argv_push(out, start);
					start = out->store.len;
				}
				struct value v = perl_value(p, a, k, &uq);
				buf_add(&out->store, v.s, v.len);
				content = true;
			}
			break;
		}
		case P_NAME:
		case P_CTX:
			/* Unbound names were literal text to lex_words. */
			buf_addc(&out->store, '{');
			buf_add(&out->store, p->text, p->len);
			buf_addc(&out->store, '}');
			content = true;
			break;
		case P_ALL:
		case P_POS:
			if (ctx && p->kind == P_ALL) {
				vs = ctx;
				n = 1;
			} else {
				vs = piece_values(p, a, &n);
			}
			for (size_t k = 0, got = 0; k < n; k++) {
				if (vs[k].s == template_void) {
					/* -N0: nothing, but the shell
					   splits a{}b into a and b. */
					if (got++) {
						if (out->store.len > start) {
							argv_push(out, start);
						}
						start = out->store.len;
						split = true;
					}
					continue;
				}
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
	if (content && !(split && out->store.len == start)) {
		argv_push(out, start);
	} else {
		out->store.len = start;
	}
}

static bool word_has_all(const struct word *w)
{
	for (size_t i = 0; i < w->p.n; i++) {
		if (is_each(&w->p.v[i])) {
			return true;
		}
	}
	return false;
}

void template_render_argv(const struct template *t, const struct job_args *a,
			  struct argv *out)
{
	out->n = 0;
	out->store.len = 0;
	for (size_t w = 0; w < t->n_words; w++) {
		const struct word *word = &t->words[w];
		if (t->context && word_has_all(word)) {
			/* -X: the whole word once per argument. */
			for (size_t k = 0; k < a->n; k++) {
				render_word(word, a, &a->v[k], out);
			}
		} else {
			render_word(word, a, NULL, out);
		}
	}
	out->v = xreallocarray(out->v, out->n + 1, sizeof(char *));
	for (size_t i = 0; i < out->n; i++) {
		const struct argv_slot *sl = &out->slot[i];
		out->v[i] = (char *)(sl->value ? sl->value
					       : out->store.data + sl->off);
	}
	out->v[out->n] = NULL;
}
