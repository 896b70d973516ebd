/*
 * CSV records: the cases Text::CSV (GNU parallel's --csv) reads, records
 * that are not CSV, and random fields written as RFC 4180 writes them,
 * cut into records and split back.
 */
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "tap.h"
#include "util.h"

/* Fields as a|b|c, for comparison. */
struct joined {
	struct buf *b;
	int n;
};

static void join(void *data, const char *s, size_t len)
{
	struct joined *j = data;

	if (j->n++ > 0) {
		buf_addc(j->b, '|');
	}
	buf_add(j->b, s, len);
}

static void check(const char *rec, char sep, const char *want)
{
	struct buf b;
	char *cause = NULL, what[128];

	buf_init(&b);
	buf_adds(&b, "");
	int r = csv_split(rec, strlen(rec), sep, join,
			  &(struct joined){&b, 0}, &cause);
	snprintf(what, sizeof(what), "splits [%s] into [%s]", rec, want);
	tap_is(r == 0 ? b.data : cause, want, what);
	free(cause);
	buf_finish(&b);
}

static void check_bad(const char *rec, const char *want)
{
	struct buf b;
	char *cause = NULL, what[128];

	buf_init(&b);
	int r = csv_split(rec, strlen(rec), ',', join,
			  &(struct joined){&b, 0}, &cause);
	snprintf(what, sizeof(what), "refuses [%s]", rec);
	tap_is(r < 0 ? cause : "accepted", want, what);
	free(cause);
	buf_finish(&b);
}

/* Writes one field as RFC 4180 does: quoted if it must be, or by chance. */
static void put_field(struct buf *b, const char *s, size_t len, char sep)
{
	bool quote = rand() % 4 == 0 || len == 0;

	for (size_t i = 0; i < len; i++) {
		quote = quote || strchr("\"\r\n", s[i]) || s[i] == sep;
	}
	if (quote) {
		csv_quote(b, s, len);
	} else {
		buf_add(b, s, len);
	}
}

/*
 * Random records of random fields, written out one per line, cut into
 * records where the line ends are outside quotes (as prun's input does)
 * and split again: every field must come back.
 */
static void round_trips(char sep, int rounds)
{
	static const char alphabet[] = "ab ,;\t\"\n\r";
	int bad = 0;

	for (int round = 0; round < rounds; round++) {
		struct buf text, want, got;
		buf_init(&text);
		buf_init(&want);
		buf_init(&got);
		buf_adds(&want, "");
		buf_adds(&got, "");
		int n_records = 1 + rand() % 4;
		for (int r = 0; r < n_records; r++) {
			int n_fields = 1 + rand() % 5;
			for (int f = 0; f < n_fields; f++) {
				char field[8];
				size_t len = (size_t)(rand() % 8);
				for (size_t i = 0; i < len; i++) {
					field[i] = alphabet[rand() % 9];
				}
				if (f > 0) {
					buf_addc(&text, sep);
					buf_addc(&want, '|');
				}
				put_field(&text, field, len, sep);
				buf_add(&want, field, len);
			}
			buf_addc(&text, '\n');
			buf_addc(&want, '/');
		}
		size_t start = 0;
		const char *nl;
		for (size_t from = 0;
		     (nl = memchr(text.data + from, '\n', text.len - from));
		     from = (size_t)(nl - text.data) + 1) {
			size_t len = (size_t)(nl - text.data) - start;
			if (csv_open(text.data + start, len)) {
				continue;
			}
			char *cause = NULL;
			struct buf rec;
			buf_init(&rec);
			buf_adds(&rec, "");
			if (csv_split(text.data + start, len, sep, join,
				      &(struct joined){&rec, 0}, &cause) < 0) {
				buf_adds(&got, cause);
				free(cause);
			}
			buf_add(&got, rec.data, rec.len);
			buf_addc(&got, '/');
			buf_finish(&rec);
			start = (size_t)(nl - text.data) + 1;
		}
		if (strcmp(got.data, want.data) != 0 && bad++ == 0) {
			printf("# text: [%s]\n#   got:  [%s]\n#   want: [%s]\n",
			       text.data, got.data, want.data);
		}
		buf_finish(&text);
		buf_finish(&want);
		buf_finish(&got);
	}
	char what[80];
	snprintf(what, sizeof(what), "%d random records with '%s' come back "
		 "whole", rounds, sep == '\t' ? "\\t" : (char[]){sep, 0});
	tap_ok(bad == 0, what);
}

static void separator(const char *colsep, const char *want)
{
	char sep = 0, *cause = NULL, what[80];
	int r = csv_separator(colsep, &sep, &cause);

	snprintf(what, sizeof(what), "-C '%s' with --csv", colsep);
	tap_is(r == 0 ? (char[]){sep, 0} : cause, want, what);
	free(cause);
}

int main(void)
{
	check("a,b,c", ',', "a|b|c");
	check("", ',', "");
	check(",", ',', "|");
	check("a,", ',', "a|");
	check("\"a,b\",c", ',', "a,b|c");
	check("\"say \"\"hi\"\"\",x", ',', "say \"hi\"|x");
	check("\"\"\"\"", ',', "\"");
	check("\"\",\"\"", ',', "|");
	check("\"two\nlines\",x", ',', "two\nlines|x");
	check(" a , b ", ',', " a | b ");
	check("a,b\r", ',', "a|b");
	check("\"a\r\",b\r", ',', "a\r|b");
	check("a;\"b;c\"", ';', "a|b;c");
	check("a\t\"b\tc\"", '\t', "a|b\tc");
	check("a,b", ';', "a,b");
	check_bad("a,\"open", "bad CSV: a quote is not closed in 'a,\"open'");
	check_bad("a,b\"c", "bad CSV: a quote inside a field that is not "
		  "quoted in 'a,b\"c'");
	check_bad("\"a\"b,c", "bad CSV: a closing quote is not followed by "
		  "the separator in '\"a\"b,c'");
	check_bad(" \"a\",c", "bad CSV: a quote inside a field that is not "
		  "quoted in ' \"a\",c'");
	check_bad("\"0123456789012345678901234567890123456789", "bad CSV: a "
		  "quote is not closed in '\"012345678901234567890123456789"
		  "012345678...'");

	tap_ok(csv_open("a,\"b", 4), "a quote left open is open");
	tap_ok(!csv_open("\"a\",b", 5), "a quoted field that ends is closed");
	tap_ok(!csv_open("\"a\"\"b\"", 6), "doubled quotes are closed");
	tap_ok(!csv_open("", 0), "nothing is closed");

	separator(NULL, ",");
	separator(";", ";");
	separator("\\t", "\t");
	separator("\t", "\t");
	separator("::", "bad value for --colsep with --csv: '::' (want one "
		  "character other than a quote, or \\t)");
	separator("\"", "bad value for --colsep with --csv: '\"' (want one "
		  "character other than a quote, or \\t)");

	srand(11);
	round_trips(',', 20000);
	round_trips(';', 5000);
	round_trips('\t', 5000);
	return tap_done();
}
