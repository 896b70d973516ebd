/*
 * Perl-compatible regular expressions (PCRE2) for the options whose
 * regexes GNU parallel hands to Perl: --header, and --recstart/--recend
 * with --regexp.  Users type them as they would for GNU parallel, so the
 * syntax and the meaning of ^, $ and . must be Perl's.
 */
#ifndef PRUN_RX_H
#define PRUN_RX_H

#include <stdbool.h>
#include <stddef.h>

struct rx;

enum {
	RX_MULTILINE = 1 << 0, /* Perl's /m: ^ and $ at every line */
	RX_DOTALL = 1 << 1,    /* Perl's /s: . matches \n too */
	RX_ANCHORED = 1 << 2,  /* matches only where the search starts */
};

/*
 * Compiles pattern (Perl syntax) with the RX_* flags, JIT-compiled where
 * PCRE2 can.  Returns the regex, or NULL with PCRE2's message in *cause.
 */
struct rx *rx_compile(const char *pattern, unsigned flags, char **cause);
void rx_free(struct rx *rx);

/*
 * Searches p[0..len) from offset at, as Perl would: 1 with group n's
 * bounds in *so and *eo (n = 0: the whole match), 0 if there is no match,
 * or -1 with *cause if PCRE2 gave up.
 */
int rx_search(struct rx *rx, const char *p, size_t len, size_t at,
	      unsigned n, size_t *so, size_t *eo, char **cause);

/*
 * Perl's s/rx//g on p[0..len), into out (room for len bytes), *out_len
 * bytes long.  Returns 0, or -1 with *cause.
 */
int rx_remove_all(struct rx *rx, const char *p, size_t len, char *out,
		  size_t *out_len, char **cause);

#endif
