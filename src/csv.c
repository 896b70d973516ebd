/*
 * CSV records as RFC 4180 writes them, which is also what Perl's
 * Text::CSV (GNU parallel's --csv) reads in binary mode: a field is either
 * bare bytes without quotes, or starts with a quote and runs to the next
 * quote that is not doubled, and then the separator or the record's end
 * must follow.  A record's line end inside quotes belongs to the field, so
 * whoever cuts records keeps reading while csv_open() says so.
 */
#include "csv.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

int csv_separator(const char *colsep, char *sep, char **cause)
{
	if (!colsep) {
		*sep = ',';
		return 0;
	}
	if (strcmp(colsep, "\\t") == 0) {
		*sep = '\t';
		return 0;
	}
	if (colsep[0] != '\0' && colsep[1] == '\0' && colsep[0] != '"' &&
	    colsep[0] != '\n' && colsep[0] != '\r') {
		*sep = colsep[0];
		return 0;
	}
	*cause = xasprintf("bad value for --colsep with --csv: '%s' (want "
			   "one character other than a quote, or \\t)",
			   colsep);
	return -1;
}

bool csv_open(const char *s, size_t len)
{
	bool open = false;

	for (const char *q = memchr(s, '"', len); q;
	     q = memchr(q + 1, '"', len - (size_t)(q + 1 - s))) {
		open = !open;
	}
	return open;
}

/* The record, shortened for a message. */
static char *excerpt(const char *s, size_t len)
{
	size_t n = len > 40 ? 40 : len;
	char *e = xmemdup(s, n);

	for (size_t i = 0; i < n; i++) {
		if (e[i] == '\n' || e[i] == '\r' || e[i] == '\0') {
			e[i] = ' ';
		}
	}
	while (n > 0 && e[n - 1] == ' ' && (s[n - 1] == '\n' ||
					     s[n - 1] == '\r')) {
		e[--n] = '\0'; /* the line end of the input's last record */
	}
	return e;
}

int csv_split(const char *s, size_t len, char sep, csv_field_fn *fn,
	      void *data, char **cause)
{
	struct buf field;
	size_t i = 0;
	const char *why = NULL;

	if (len > 0 && s[len - 1] == '\r') {
		len--; /* RFC 4180's CRLF */
	}
	buf_init(&field);
	for (;;) {
		field.len = 0;
		if (i < len && s[i] == '"') {
			for (i++;; i++) {
				if (i == len) {
					why = "a quote is not closed";
					goto bad;
				}
				if (s[i] == '"' && (i + 1 == len ||
						    s[i + 1] != '"')) {
					break;
				}
				buf_addc(&field, s[i]);
				i += s[i] == '"';
			}
			i++;
			if (i < len && s[i] != sep) {
				why = "a closing quote is not followed by the "
				      "separator";
				goto bad;
			}
		} else {
			const char *end = memchr(s + i, sep, len - i);
			size_t n = end ? (size_t)(end - s) - i : len - i;
			if (memchr(s + i, '"', n)) {
				why = "a quote inside a field that is not "
				      "quoted";
				goto bad;
			}
			buf_add(&field, s + i, n);
			i += n;
		}
		fn(data, field.data ? field.data : "", field.len);
		if (i == len) {
			break;
		}
		i++; /* the separator */
	}
	buf_finish(&field);
	return 0;
bad:;
	char *e = excerpt(s, len);
	*cause = xasprintf("bad CSV: %s in '%s%s'", why, e,
			   len > 40 ? "..." : "");
	free(e);
	buf_finish(&field);
	return -1;
}

void csv_quote(struct buf *b, const char *s, size_t len)
{
	buf_addc(b, '"');
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"') {
			buf_addc(b, '"');
		}
		buf_addc(b, s[i]);
	}
	buf_addc(b, '"');
}
