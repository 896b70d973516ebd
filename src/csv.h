/*
 * CSV records (RFC 4180) for --csv: fields separated by one character,
 * a field in double quotes may hold the separator, newlines and quotes
 * (doubled).  Pure functions on bytes.
 */
#ifndef PRUN_CSV_H
#define PRUN_CSV_H

#include <stdbool.h>
#include <stddef.h>

/* Called once per field of a record, with the field's unquoted bytes. */
typedef void csv_field_fn(void *data, const char *s, size_t len);

/*
 * The separator --csv uses for --colsep's value (NULL: a comma): one
 * character, or \t.  Returns 0, or -1 with *cause.
 */
int csv_separator(const char *colsep, char *sep, char **cause);

/* Whether s[0..len) ends inside a quoted field (its quotes are odd). */
bool csv_open(const char *s, size_t len);

/*
 * Splits the record s[0..len) (without its line end; a last CR is
 * dropped) and calls fn for each field.  Returns 0, or -1 with *cause if
 * the record is not CSV (fields are then not all given).
 */
int csv_split(const char *s, size_t len, char sep, csv_field_fn *fn,
	      void *data, char **cause);

struct buf;

/*
 * Appends s[0..len) to b as one quoted field: in double quotes, each quote
 * doubled (RFC 4180).
 */
void csv_quote(struct buf *b, const char *s, size_t len);

#endif
