/*
 * Line splitting and tagging.  memchr/memrchr do the scanning, so untagged
 * data and long lines cost a copy, not a loop per byte.
 */
#define _GNU_SOURCE /* memrchr */
#include "lines.h"

#include <string.h>

size_t lines_whole(const char *p, size_t n)
{
	const char *nl = n ? memrchr(p, '\n', n) : NULL;

	return nl ? (size_t)(nl - p) + 1 : 0;
}

void lines_tag(struct buf *out, const char *tag, size_t tag_len,
	       const char *p, size_t n, bool *bol)
{
	if (n == 0) {
		return;
	}
	if (tag_len == 0) {
		buf_add(out, p, n);
		*bol = p[n - 1] == '\n';
		return;
	}
	const char *end = p + n;
	while (p < end) {
		if (*bol) {
			buf_add(out, tag, tag_len);
		}
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl + 1 : end;
		buf_add(out, p, (size_t)(stop - p));
		*bol = nl != NULL;
		p = stop;
	}
}

void lines_color(struct buf *out, const char *on, const char *tag,
		 size_t tag_len, const char *off, const char *p, size_t n,
		 bool *bol, bool *cr)
{
	const char *end = p + n;

	while (p < end) {
		if (*bol) {
			buf_adds(out, on);
			if (tag_len > 0) {
				buf_add(out, tag, tag_len);
			}
			*bol = false;
		}
		const char *q = p;
		while (q < end && *q != '\n' && *q != '\r') {
			q++;
		}
		buf_add(out, p, (size_t)(q - p));
		if (q == end) {
			return;
		}
		buf_adds(out, off);
		buf_addc(out, *q);
		*bol = true;
		*cr = *q == '\r';
		p = q + 1;
	}
}

void lines_color_end(struct buf *out, const char *on, const char *tag,
		     size_t tag_len, const char *off, bool *bol, bool *cr)
{
	if (*bol && *cr) {
		buf_adds(out, on);
		if (tag_len > 0) {
			buf_add(out, tag, tag_len);
		}
	}
	if (!*bol || *cr) {
		buf_adds(out, off);
		buf_addc(out, '\n');
	}
	*bol = true;
	*cr = false;
}
