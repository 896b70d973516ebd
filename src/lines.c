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
