/*
 * Input combination: products, linking, -N, line filling, --colsep,
 * --header, -E, streams read on a libuv loop, and prefetching.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "input.h"
#include "tap.h"
#include "util.h"

static uv_loop_t loop;
static int wakes;

static void wake(void *data)
{
	wakes++;
}

/* Runs the input to its end; returns the jobs as "a b|c d|...". */
static char *run(const struct input_config *cfg, char **cause_out)
{
	struct input *in = NULL;
	char *cause = NULL;
	struct buf out;

	size_t jobs = 0;

	buf_init(&out);
	if (input_create(&in, cfg, &loop, wake, NULL, &cause) < 0) {
		*cause_out = cause;
		return NULL;
	}
	for (;;) {
		struct record *rec;
		int r = input_next(in, &rec, &cause);
		if (r == INPUT_WAIT) {
			uv_run(&loop, UV_RUN_ONCE);
			continue;
		}
		if (r == INPUT_ERROR) {
			*cause_out = cause;
			break;
		}
		if (r == INPUT_END) {
			break;
		}
		if (jobs++) {
			buf_addc(&out, '|');
		}
		for (size_t i = 0; i < rec->n; i++) {
			if (i) {
				buf_addc(&out, ' ');
			}
			buf_add(&out, rec->v[i].s, rec->v[i].len);
		}
		free(rec);
	}
	input_destroy(in);
	return buf_steal(&out);
}

static void check(const struct input_config *cfg, const char *want,
		  const char *what)
{
	char *cause = NULL;
	char *got = run(cfg, &cause);

	tap_is(got ? got : (cause ? cause : "(error)"), want, what);
	free(got);
	free(cause);
}

static struct source_spec list(const char *const *v, size_t n, bool linked)
{
	return (struct source_spec){.values = v, .n = n, .linked = linked};
}

static char *write_file(const char *text, size_t len)
{
	char *path = xstrdup("/tmp/prun-test-input-XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
		abort();
	}
	close(fd);
	return path;
}

/* Each value costs itself and a space; exec counts a pointer more. */
static void cost(void *data, const struct value *v, const struct arg_place *at,
		 struct line_len *len)
{
	len->gnu = v->len + 1;
	len->sys = v->len + 1 + 8;
}

int main(void)
{
	const char *ab[] = {"a", "b"};
	const char *abc[] = {"a", "b", "c"};
	const char *n12[] = {"1", "2"};
	const char *xy[] = {"x", "y"};
	struct source_spec s[4];
	struct input_config c;

	uv_loop_init(&loop);

	s[0] = list(ab, 2, false);
	s[1] = list(n12, 2, false);
	c = (struct input_config){.sources = s, .n_sources = 2,
				  .delimiter = '\n'};
	check(&c, "a 1|a 2|b 1|b 2", "two sources: every combination");

	s[0] = list(abc, 3, false);
	s[1] = list(n12, 2, true);
	check(&c, "a 1|b 2", "a linked source stops at the shorter");

	s[0] = list(ab, 2, false);
	s[1] = list(n12, 2, true);
	s[2] = list(xy, 2, false);
	c.n_sources = 3;
	check(&c, "a 1 x|a 1 y|b 2 x|b 2 y", "linked and product together");

	const char *none[] = {NULL};
	s[0] = list(ab, 2, false);
	s[1] = list(none, 0, false);
	c.n_sources = 2;
	check(&c, "a |b ", "an empty source is one empty value beside others");
	s[0] = list(none, 0, false);
	check(&c, "", "sources that are all empty give no job");
	s[0] = list(abc, 3, false);
	s[1] = list(n12, 2, false);
	c.link = true;
	check(&c, "a 1|b 2|c 1", "--link wraps the shorter source");
	c.link = false;

	s[0] = list(abc, 3, false);
	c = (struct input_config){.sources = s, .n_sources = 1,
				  .delimiter = '\n', .max_args = 2};
	check(&c, "a b|c", "-N2 groups arguments, the last job short");
	c.max_args = 0;
	c.bare = true;
	check(&c, "||", "-N0 gives a job per argument, with none of them");
	s[1] = list(n12, 2, false);
	c.n_sources = 2;
	check(&c, " | | | | | ",
	      "-N0 gives a job per combination, of empty values");

	char *f = write_file("l1\nl2\nl3\nl4\nl5", 14);
	s[0] = (struct source_spec){.path = f};
	c = (struct input_config){.sources = s, .n_sources = 1,
				  .delimiter = '\n', .max_args = 2};
	wakes = 0;
	check(&c, "l1 l2|l3 l4|l5", "a streamed file, -N2, no final newline");
	tap_ok(wakes > 0, "a streamed file is read on the loop");

	c.max_args = 0;
	c.eof_str = "l3";
	check(&c, "l1|l2", "-E ends a stream at the end-of-file string");
	s[1] = list(xy, 1, false);
	c.n_sources = 2;
	check(&c, "l1 x|l2 x", "-E ends a file that is read in full");
	unlink(f);
	free(f);

	char *e = write_file("", 0);
	s[0] = (struct source_spec){.path = e};
	s[1] = list(xy, 2, false);
	c = (struct input_config){.sources = s, .n_sources = 2,
				  .delimiter = '\n'};
	check(&c, " x| y", "an empty streamed first source is one empty "
	      "value beside others");
	s[1] = list(none, 0, false);
	check(&c, "", "an empty stream and an empty source give no job");
	s[1] = list(xy, 2, true);
	check(&c, " x", "an empty file linked to a source gives one job");
	unlink(e);
	free(e);

	const char *spaced[] = {"1 done", "a ", "b"};
	s[0] = list(spaced, 3, false);
	c = (struct input_config){.sources = s, .n_sources = 1,
				  .delimiter = ' '};
	check(&c, "1|done|a||b", "-d cuts ::: values too");
	c.delimiter = '\n';
	check(&c, "1 done|a |b", "a ::: value is not cut at a newline");
	c.join_lines = true;
	check(&c, "1 done|a b", "-L joins a ::: value ending in a blank");
	const char *blanks[] = {"", "a", " \f", "\t\v\r"};
	s[0] = list(blanks, 4, false);
	c = (struct input_config){.sources = s, .n_sources = 1,
				  .delimiter = '\n', .skip_empty = true};
	check(&c, "a", "-r skips empty and white ::: values");
	const char *stops[] = {"a ", "stop", "b"};
	s[0] = list(stops, 3, false);
	c = (struct input_config){.sources = s, .n_sources = 1,
				  .delimiter = '\n', .eof_str = "stop",
				  .join_lines = true};
	check(&c, "a ", "-E ends a line that -L was joining");
	char *h = write_file("a \nstop\nb\n", 11);
	s[0] = (struct source_spec){.path = h};
	check(&c, "a ", "-E ends a streamed line that -L was joining");
	s[1] = list(xy, 1, false);
	c.n_sources = 2;
	check(&c, "a  x", "-E ends a line read in full that -L was joining");
	unlink(h);
	free(h);

	char *z = write_file("a\0b\n\0\n", 6);
	s[0] = (struct source_spec){.path = z};
	c = (struct input_config){.sources = s, .n_sources = 1,
				  .delimiter = '\n'};
	check(&c, "a\\0b|\\0", "a NUL byte in a value becomes \\0");
	c.delimiter = '\0';
	check(&c, "a|b\n|\n", "-0 cuts at NUL bytes instead");
	unlink(z);
	free(z);

	char *g = write_file("h1,h2\n a , b \nc,d\n", 18);
	s[0] = (struct source_spec){.path = g};
	c = (struct input_config){.sources = s, .n_sources = 1,
				  .delimiter = '\n', .colsep = ",",
				  .header = ":", .trim_left = true,
				  .trim_right = true};
	struct input *in = NULL;
	char *cause = NULL;
	size_t n = 0;
	input_create(&in, &c, &loop, wake, NULL, &cause);
	char *const *names = in ? input_names(in, &n) : NULL;
	tap_ok(n == 2 && strcmp(names[0], "h1") == 0 &&
		       strcmp(names[1], "h2") == 0,
	       "--header reads the column names");
	input_destroy(in);
	check(&c, "a b|c d", "--colsep splits and trims columns");
	unlink(g);
	free(g);

	const char *many[] = {"1", "2", "3", "4", "5", "6", "7"};
	struct line_cost lc = {.arg = cost, .base = {5, 5}, .max = 12,
			       .sys_max = 1000, .fill = true, .strict = true};
	s[0] = list(many, 7, false);
	c = (struct input_config){.sources = s, .n_sources = 1,
				  .delimiter = '\n', .fill = &lc};
	check(&c, "1 2 3|4 5 6|7", "-X fills lines shorter than the limit");
	lc.max = 1000;
	lc.sys_max = 26;
	check(&c, "1 2|3 4|5 6|7", "-X fills lines within what exec takes");
	lc.sys_max = 1000;
	lc.spread = 3;
	check(&c, "1 2 3|4 5 6|7", "a short input is spread over the slots");
	lc.max = 6;
	const char *big[] = {"toolong"};
	s[0] = list(big, 1, false);
	char *err = NULL;
	char *got = run(&c, &err);
	tap_ok(err && strstr(err, "too long"), "an argument too long alone "
	       "is an error");
	free(got);
	free(err);
	err = NULL;
	lc.strict = false;
	lc.max = 10;
	const char *mixed[] = {"1", "toolong", "2", "3"};
	s[0] = list(mixed, 4, false);
	lc.spread = 0;
	got = run(&c, &err);
	tap_is(got ? got : "", "1|toolong|2 3", "without -s, an argument too "
	       "long alone is a job of its own");
	free(got);
	free(err);

	s[0] = list(many, 7, false);
	c = (struct input_config){.sources = s, .n_sources = 1,
				  .delimiter = '\n', .prefetch = true,
				  .shuffle = true};
	in = NULL;
	input_create(&in, &c, &loop, wake, NULL, &cause);
	tap_ok(in && input_total(in) == 7, "prefetching counts the jobs");
	input_destroy(in);
	got = run(&c, &err);
	char sorted[32] = {0};
	for (size_t i = 0; got && got[i]; i++) {
		if (got[i] >= '1' && got[i] <= '7') {
			sorted[got[i] - '1'] = got[i];
		}
	}
	tap_is(sorted, "1234567", "--shuf gives every job once");
	free(got);

	uv_loop_close(&loop);
	return tap_done();
}
