/*
 * Line splitting for output that must stay whole lines (--line-buffer) or
 * carry a tag at the start of every line (--tag).  Pure functions on bytes:
 * only '\n' ends a line, every other byte (NUL included) is data.
 */
#ifndef PRUN_LINES_H
#define PRUN_LINES_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* The length of p[0..n) up to and including its last '\n'; 0 if none. */
size_t lines_whole(const char *p, size_t n);

/*
 * Appends p[0..n) to out with tag inserted before every byte that starts a
 * line.  *bol says whether the first byte starts a line and is left saying
 * whether the byte after p would; it is what carries a line across calls.
 */
void lines_tag(struct buf *out, const char *tag, size_t tag_len,
	       const char *p, size_t n, bool *bol);

/*
 * Appends p[0..n) to out as GNU parallel's --color-failed shows it: every
 * piece of a line between line ends ('\n' or '\r') starts with `on` and
 * the tag and ends with `off`, before its line end.  *bol and *cr carry
 * the state across calls: at a line start, and whether a '\r' ended the
 * last piece.
 */
void lines_color(struct buf *out, const char *on, const char *tag,
		 size_t tag_len, const char *off, const char *p, size_t n,
		 bool *bol, bool *cr);

/*
 * Ends the output of lines_color() as GNU parallel does: an unfinished
 * line, or the empty one after a final '\r', is closed with a newline.
 */
void lines_color_end(struct buf *out, const char *on, const char *tag,
		     size_t tag_len, const char *off, bool *bol, bool *cr);

#endif
