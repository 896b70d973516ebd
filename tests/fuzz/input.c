/*
 * Fuzzes input splitting: records cut by -d, -0 or newlines, -E, -r, -L,
 * --skip-first-line, columns cut by a --colsep regex or as --csv fields,
 * --header and --trim, -N, line filling (-X, -s) and a second source to
 * combine with; then, on the same bytes, the output's line splitting
 * (--tag, --color-failed, --line-buffer) and the CSV splitter alone.
 *
 * Input: eight bytes of choices, then the input file's bytes.
 */
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "csv.h"
#include "fuzz.h"
#include "input.h"
#include "lines.h"
#include "util.h"

static const char delimiters[] = {'\n', '\0', ',', ':', '\t', ' ', 'a', '\r'};
static const char *const colseps[] = {
	NULL, "\t", ",", " +", ":", "[,;]", "\\s*;\\s*", "(a)|(b)",
};
static const char *const headers[] = {NULL, ":", "^a", ".*", "x\\n"};
static const char *const eofs[] = {NULL, "eof", "", "_"};
static const char *const two[] = {"x", "y"};

static uv_loop_t loop;

static void wake(void *data)
{
}

/* Each value costs itself and a space; exec counts a pointer more. */
static void cost(void *data, const struct value *v, const struct arg_place *at,
		 struct line_len *len)
{
	len->gnu = v->len + 1;
	len->sys = v->len + 1 + 8;
}

static void field(void *data, const char *s, size_t len)
{
	*(size_t *)data += len;
}

/* Runs the input to its end, as the scheduler does. */
static void run(const struct input_config *cfg)
{
	struct input *in = NULL;
	char *cause = NULL;

	if (input_create(&in, cfg, &loop, wake, NULL, &cause) < 0) {
		free(cause);
		return;
	}
	size_t n_names;
	(void)input_names(in, &n_names);
	(void)input_total(in);
	for (;;) {
		struct record *rec;
		int r = input_next(in, &rec, &cause);
		if (r == INPUT_WAIT) {
			uv_run(&loop, UV_RUN_ONCE);
			continue;
		}
		if (r == INPUT_ERROR) {
			free(cause);
			break;
		}
		if (r == INPUT_END) {
			break;
		}
		for (size_t i = 0; i < rec->n; i++) {
			/* Every value is followed by a NUL byte. */
			if (rec->v[i].s && rec->v[i].s != template_void &&
			    rec->v[i].s[rec->v[i].len] != '\0') {
				abort();
			}
		}
		free(rec);
	}
	input_destroy(in);
}

/* The output side: tags and colours put at each line start. */
static void split_lines(const char *p, size_t n)
{
	struct buf b;
	bool bol = true, cr = false;
	size_t half = n / 2;

	buf_init(&b);
	if (lines_whole(p, n) > n) {
		abort();
	}
	lines_tag(&b, "T\t", 2, p, half, &bol);
	lines_tag(&b, "T\t", 2, p + half, n - half, &bol);
	lines_color(&b, "<", "T", 1, ">", p, n, &bol, &cr);
	lines_color_end(&b, "<", "T", 1, ">", &bol, &cr);
	buf_finish(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	uint8_t d = fuzz_byte(&in), f = fuzz_byte(&in), c = fuzz_byte(&in);
	uint8_t h = fuzz_byte(&in), m = fuzz_byte(&in), e = fuzz_byte(&in);
	uint8_t s = fuzz_byte(&in), x = fuzz_byte(&in);
	struct source_spec src[2];
	struct line_cost fill = {
		.arg = cost, .base = {5, 5}, .max = 8 + x % 64,
		.sys_max = 16 + x % 128, .fill = x & 64, .strict = x & 128,
		.spread = s & 4 ? 3 : 0,
	};
	struct input_config cfg = {
		.sources = src, .n_sources = 1 + (s & 1),
		.delimiter = delimiters[d % 8],
		.max_args = m % 4, .bare = m & 4,
		.skip_empty = f & 1, .skip_first_line = f & 2,
		.eof_str = eofs[e % 4],
		.colsep = colseps[c % 8], .csv = f & 4,
		.header = headers[h % 5],
		.trim_left = f & 8, .trim_right = f & 16,
		.link = s & 2, .join_lines = f & 32, .prefetch = f & 64,
		.count = f & 128, .fill = (s & 8) ? &fill : NULL,
	};

	if (!loop.data) {
		uv_loop_init(&loop);
		loop.data = &loop;
	}
	src[0] = (struct source_spec){.path = fuzz_file(in.p, in.n)};
	src[1] = (struct source_spec){.values = two, .n = 2,
				      .linked = s & 16};
	if (cfg.csv) {
		/* --csv takes one character (or \t) as --colsep. */
		char sep;
		char *cause = NULL;
		if (csv_separator(cfg.colsep, &sep, &cause) < 0) {
			free(cause);
			cfg.colsep = ",";
		}
	}
	run(&cfg);

	/* The CSV splitter on each line, and the line splitting. */
	const char *p = (const char *)in.p;
	size_t left = in.n, total = 0;
	char *cause = NULL;
	while (left) {
		const char *nl = memchr(p, '\n', left);
		size_t l = nl ? (size_t)(nl - p) : left;
		(void)csv_open(p, l);
		if (csv_split(p, l, ",;"[s >> 7], field, &total, &cause) < 0) {
			free(cause);
			cause = NULL;
		}
		p += l + (nl != NULL);
		left -= l + (nl != NULL);
	}
	split_lines((const char *)in.p, in.n);
	return 0;
}
