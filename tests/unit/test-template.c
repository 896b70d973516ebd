/*
 * Template parsing and rendering: the shell command line for each kind of
 * replacement string, and when the direct-exec path is taken.
 */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "template.h"
#include "util.h"

/* Options for the next parse: --plus, -q, -X. */
static bool opt_plus, opt_quote, opt_context;

static struct template_config config(void)
{
	return (struct template_config){
		.replace = "{}", .ext_replace = "{.}", .base_replace = "{/}",
		.dir_replace = "{//}", .baseext_replace = "{/.}",
		.seq_replace = "{#}", .slot_replace = "{%}",
		.plus = opt_plus, .quote = opt_quote,
		.context = opt_context, .shell = "/bin/sh",
	};
}

static struct template *parse(const char *line)
{
	struct template_config cfg = config();
	struct template *t = NULL;
	char *cause = NULL;
	char *w[1] = {(char *)line};

	if (template_parse(&t, w, line ? 1 : 0, &cfg, &cause) < 0) {
		printf("# parse failed: %s\n", cause);
		free(cause);
		return NULL;
	}
	return t;
}

/* The arguments of job 7 in slot 2, with the values in v. */
static struct job_args job_args(const char *const *vals, size_t n,
				struct value *v)
{
	for (size_t i = 0; i < n; i++) {
		v[i] = (struct value){vals[i], strlen(vals[i])};
	}
	return (struct job_args){.v = v, .n = n, .seq = 7, .slot = 2};
}

/* Renders `line` with the given values; checks the shell form. */
static void check(const char *line, const char *const *vals, size_t n,
		  const char *want)
{
	struct value v[8];
	struct job_args a = job_args(vals, n, v);
	struct template *t = parse(line);
	struct buf b;
	char what[160];

	buf_init(&b);
	if (t) {
		template_render(t, &a, &b);
	}
	snprintf(what, sizeof(what), "renders [%s]", line ? line : "(none)");
	tap_is(b.data ? b.data : "", want, what);
	buf_finish(&b);
	template_destroy(t);
}

/*
 * Checks that both counts of a line's length add up to its rendered
 * length with the n values (GNU parallel's count is exact for {} and
 * contexts), and that exec's count is not below it.
 */
static void check_len(const char *line, const char *const *vals, size_t n)
{
	struct value v[8];
	struct job_args a = job_args(vals, n, v);
	struct template *t = parse(line);
	struct line_len len, one;
	struct buf b;
	char what[160];

	buf_init(&b);
	template_render(t, &a, &b);
	template_base_len(t, &len);
	for (size_t i = 0; i < n; i++) {
		struct arg_place at = {.col = 0, .width = 1, .seq = 7};
		template_arg_len(t, &v[i], &at, &one);
		len.gnu += one.gnu;
		len.sys += one.sys;
	}
	snprintf(what, sizeof(what), "counts the length of [%s]%s as GNU "
		 "parallel does", line, opt_context ? " with -X" : "");
	tap_ok(len.gnu == b.len, what);
	if (len.gnu != b.len) {
		printf("#   got %zu, rendered %zu\n", len.gnu, b.len);
	}
	snprintf(what, sizeof(what), "exec's count of [%s]%s is not short",
		 line, opt_context ? " with -X" : "");
	tap_ok(len.sys >= b.len, what);
	buf_finish(&b);
	template_destroy(t);
}

/* Checks the direct-exec argv, joined with '|', or "SHELL". */
static void check_argv(const char *line, const char *const *vals, size_t n,
		       const char *want)
{
	struct value v[8];
	struct job_args a = job_args(vals, n, v);
	struct template *t = parse(line);
	struct buf got;
	char what[160];

	buf_init(&got);
	if (t && template_program(t)) {
		struct argv av;
		argv_init(&av);
		template_render_argv(t, &a, &av);
		for (size_t i = 0; i < av.n; i++) {
			if (i) {
				buf_addc(&got, '|');
			}
			buf_adds(&got, av.v[i]);
		}
		argv_finish(&av);
	} else {
		buf_adds(&got, "SHELL");
	}
	snprintf(what, sizeof(what), "direct form of [%s]", line);
	tap_is(got.data, want, what);
	buf_finish(&got);
	template_destroy(t);
}

/* A word that is only a value is the job's value itself, not a copy. */
static void check_bare_value(void)
{
	const char *vals[] = {"x", "y"};
	struct value v[2] = {{vals[0], 1}, {vals[1], 1}};
	struct job_args a = {.v = v, .n = 2, .seq = 1, .slot = 1};
	struct template *t = parse("echo {} {2}");
	struct argv av;

	argv_init(&av);
	if (t) {
		template_render_argv(t, &a, &av);
	}
	tap_ok(av.n == 4 && av.v[1] == vals[0] && av.v[2] == vals[1] &&
		       av.v[3] == vals[1] && av.v[4] == NULL,
	       "argv points at bare values rather than copying them");
	argv_finish(&av);
	template_destroy(t);
}

int main(void)
{
	const char *one[] = {"a b"};
	const char *path[] = {"dir/sub.d/file.tar.gz"};
	const char *three[] = {"x", "y z", "w"};
	const char *empty[] = {""};
	const char *dots[] = {"/x/y.tar.gz"};
	const char *noslash[] = {"f."};

	check("echo", one, 1, "echo 'a b'");
	check("echo {}", one, 1, "echo 'a b'");
	check("echo {} {}", one, 1, "echo 'a b' 'a b'");
	check("echo {.}", path, 1, "echo dir/sub.d/file.tar");
	check("echo {/}", path, 1, "echo file.tar.gz");
	check("echo {//}", path, 1, "echo dir/sub.d");
	check("echo {/.}", path, 1, "echo file.tar");
	check("echo {//}", noslash, 1, "echo .");
	check("echo {.}", noslash, 1, "echo f");
	check("echo {//} {/.}", dots, 1, "echo /x y.tar");
	check("echo {#} {%}", one, 1, "echo 7 2");
	check("echo {1} {3} {2}", three, 3, "echo x w 'y z'");
	check("echo {-1} {-3}", three, 3, "echo w x");
	check("echo {4}x", three, 3, "echo x");
	check("echo {}", three, 3, "echo x 'y z' w");
	check("echo {2/}", three, 3, "echo 'y z'");
	check("echo {}", empty, 1, "echo ''");
	check("echo {unknown} {}", one, 1, "echo {unknown} 'a b'");
	check(NULL, one, 1, "a b");

	const char *exts[] = {"d/a.b.c.d"};
	const char *bare[] = {"x"};
	opt_plus = true;
	check("echo {+/} {+.} {..} {...}", exts, 1, "echo d d d/a.b d/a");
	check("echo {/..} {/...} {+..} {+...}", exts, 1,
	      "echo a.b a c.d b.c.d");
	check("echo {+/} {+.} {..} {+..}", bare, 1, "echo '' '' x ''");
	check("echo {1+.} {-1..}", exts, 1, "echo d d/a.b");
	check("echo {##}", bare, 1, "echo 0");
	opt_plus = false;
	check("echo {+/} {..}", bare, 1, "echo {+/} {..} x");

	opt_context = true;
	check("echo pre{}post", three, 3, "echo prexpost pre'y z'post prewpost");
	check("echo a{}b{}c x", three, 2, "echo axbxc a'y z'b'y z'c x");
	check("echo {}", three, 3, "echo x 'y z' w");
	check("echo {#}", three, 3, "echo 7");
	check("echo {#}-{}", three, 2, "echo 7-x 7-'y z'");
	check_len("echo pre{}post", three, 3);
	check_len("echo a{}b {} c{.}d", three, 3);
	opt_context = false;
	check_len("echo pre{}post", three, 3);
	check_len("echo {} {}", three, 3);

	opt_quote = true;
	check("echo", one, 1, "echo 'a b'");
	check("printf %s|", one, 1, "'printf %s|' 'a b'");
	opt_quote = false;

	check_argv("echo {}", one, 1, "echo|a b");
	check_argv("echo", three, 3, "echo|x|y z|w");
	check_argv("echo pre{}post", three, 3, "echo|prex|y z|wpost");
	check_argv("echo '' {}", one, 1, "echo||a b");
	check_argv("echo {4} end", three, 3, "echo|end");
	check_argv("echo 'q w' \"e r\" t\\ y", one, 1,
		   "echo|q w|e r|t y|a b");
	check_argv("echo {} | cat", one, 1, "SHELL");
	check_argv("echo '{}'", one, 1, "SHELL");
	check_argv("echo $HOME", one, 1, "SHELL");
	check_argv("cd /tmp", one, 1, "SHELL");
	check_argv("X=1 env", one, 1, "SHELL");
	check_argv("echo *", one, 1, "SHELL");
	check_argv("no-such-program-here {}", one, 1, "SHELL");
	check_argv("{} arg", one, 1, "SHELL");
	check_argv("echo {2} {} {1}", three, 3, "echo|y z|x|y z|w|x");
	check_argv("echo {.} {}", path, 1,
		   "echo|dir/sub.d/file.tar|dir/sub.d/file.tar.gz");
	check_argv("echo {} {}", empty, 1, "echo||");
	check_bare_value();

	struct template_config cfg = config();
	struct template *t = NULL;
	char *cause = NULL;
	char *w[1] = {"echo {= s/a/b/ =}"};
	tap_ok(template_parse(&t, w, 1, &cfg, &cause) < 0 && cause &&
		       strstr(cause, "perl"),
	       "rejects perl expressions with a message");
	free(cause);
	return tap_done();
}
