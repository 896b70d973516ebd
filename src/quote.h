/*
 * Shell quoting, as GNU parallel quotes for Bourne shells, so that
 * --dry-run prints the same text.
 */
#ifndef PRUN_QUOTE_H
#define PRUN_QUOTE_H

#include <stdbool.h>
#include <stddef.h>

struct buf;

/* True if s[0..len) needs no quoting for a Bourne shell. */
bool quote_is_plain(const char *s, size_t len);
/* Appends s[0..len) to b, quoted so that sh reads it back verbatim. */
void quote_append(struct buf *b, const char *s, size_t len);

#endif
