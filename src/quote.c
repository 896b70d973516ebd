/*
 * Shell quoting.  Plain words ([-_.+a-zA-Z0-9/]) stay as they are, the empty
 * string becomes '', anything else is wrapped in single quotes with each
 * embedded quote written as '"'"'.  This is GNU parallel's own rule, so
 * "prun --dry-run" and "parallel --dry-run" print the same commands, and it
 * passes every byte (newlines, invalid UTF-8) through sh unchanged.
 */
#include "quote.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static bool is_plain_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
	       c == '+' || c == '/';
}

bool quote_is_plain(const char *s, size_t len)
{
	if (len == 0) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		if (!is_plain_char((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

void quote_append(struct buf *b, const char *s, size_t len)
{
	if (len == 0) {
		buf_add(b, "''", 2);
		return;
	}
	if (quote_is_plain(s, len)) {
		buf_add(b, s, len);
		return;
	}
	/*
	 * GNU parallel's rule to the letter: wrap in '...', write each ' as
	 * '"'"', then drop the '' this leaves at an end that was a quote.
	 */
	size_t start = b->len;
	buf_addc(b, '\'');
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\'') {
			buf_add(b, "'\"'\"'", 5);
		} else {
			buf_addc(b, s[i]);
		}
	}
	buf_addc(b, '\'');
	char *q = b->data + start;
	if (q[0] == '\'' && q[1] == '\'') {
		memmove(q, q + 2, b->len - start - 2);
		b->len -= 2;
	}
	if (b->len - start >= 2 && b->data[b->len - 1] == '\'' &&
	    b->data[b->len - 2] == '\'') {
		b->len -= 2;
	}
	b->data[b->len] = '\0';
}

long quote_split(const char *s, char ***out, char **cause)
{
	char **words = NULL;
	size_t n = 0;
	struct buf w;

	buf_init(&w);
	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\n') {
			s++;
		}
		if (*s == '\0') {
			break;
		}
		w.len = 0;
		while (*s && *s != ' ' && *s != '\t' && *s != '\n') {
			char q = *s;
			if (q == '\\') {
				if (s[1]) {
					buf_addc(&w, s[1]);
					s++;
				}
				s++;
				continue;
			}
			if (q != '\'' && q != '"') {
				buf_addc(&w, *s++);
				continue;
			}
			for (s++; *s && *s != q; s++) {
				if (q == '"' && *s == '\\' && s[1]) {
					s++;
				}
				buf_addc(&w, *s);
			}
			if (!*s) {
				*cause = xasprintf("a %s quote is not closed",
						   q == '"' ? "double"
							    : "single");
				buf_finish(&w);
				words = xreallocarray(words, n + 1,
						      sizeof(*words));
				words[n] = NULL;
				quote_split_free(words);
				return -1;
			}
			s++;
		}
		words = xreallocarray(words, n + 2, sizeof(*words));
		words[n++] = xmemdup(w.data ? w.data : "", w.len);
	}
	buf_finish(&w);
	words = xreallocarray(words, n + 1, sizeof(*words));
	words[n] = NULL;
	*out = words;
	return (long)n;
}

void quote_split_free(char **words)
{
	for (size_t i = 0; words && words[i]; i++) {
		free(words[i]);
	}
	free(words);
}
