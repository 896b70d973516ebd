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

/*
 * Splits s into words as Perl's Text::ParseWords::shellwords() does, the
 * way GNU parallel reads $PARALLEL and its profile files' lines: blanks
 * separate words, '...' and "..." quote, a backslash outside '...' makes
 * the next character literal; nothing is expanded.  Returns the number of
 * words, with an owned NULL-terminated array of owned words in
 * *out; -1 with *cause for an unterminated quote.
 */
long quote_split(const char *s, char ***out, char **cause);
/* Frees a NULL-terminated array of owned words, such as quote_split()'s. */
void quote_split_free(char **words);

#endif
