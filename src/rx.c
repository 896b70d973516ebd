/*
 * Perl-compatible regexes on PCRE2.  Each regex carries its own match data
 * and a match context without PCRE2's default limits (Perl has none, and
 * a long record makes a long match, not a runaway one), with a JIT stack
 * large enough for records of many megabytes.  A match the JIT cannot
 * finish is run again by the interpreter.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "rx.h"

#include <pcre2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

/* The JIT's stack grows up to this; the interpreter takes over beyond. */
#define JIT_STACK_MAX (64 << 20)

struct rx {
	pcre2_code *code;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	pcre2_jit_stack *stack; /* NULL without JIT */
};

/* PCRE2's message for error code e. */
static char *message(int e)
{
	PCRE2_UCHAR msg[256];

	if (pcre2_get_error_message(e, msg, sizeof(msg)) < 0) {
		return xasprintf("PCRE2 error %d", e);
	}
	return xstrdup((const char *)msg);
}

struct rx *rx_compile(const char *pattern, unsigned flags, char **cause)
{
	pcre2_compile_context *cctx = pcre2_compile_context_create(NULL);
	uint32_t opts = (flags & RX_MULTILINE ? PCRE2_MULTILINE : 0) |
			(flags & RX_DOTALL ? PCRE2_DOTALL : 0) |
			(flags & RX_ANCHORED ? PCRE2_ANCHORED : 0);
	int e;
	PCRE2_SIZE off;

	if (!cctx) {
		die("out of memory");
	}
	/* Perl's lines end at \n only, whatever PCRE2 was built with. */
	pcre2_set_newline(cctx, PCRE2_NEWLINE_LF);
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern,
					 PCRE2_ZERO_TERMINATED, opts, &e, &off,
					 cctx);
	pcre2_compile_context_free(cctx);
	if (!code) {
		char *msg = message(e);
		*cause = xasprintf("%s at offset %zu", msg, (size_t)off);
		free(msg);
		return NULL;
	}
	struct rx *rx = xcalloc(1, sizeof(*rx));
	rx->code = code;
	rx->md = pcre2_match_data_create_from_pattern(code, NULL);
	rx->mctx = pcre2_match_context_create(NULL);
	if (!rx->md || !rx->mctx) {
		die("out of memory");
	}
	pcre2_set_match_limit(rx->mctx, UINT32_MAX);
	pcre2_set_depth_limit(rx->mctx, UINT32_MAX);
	/* Without JIT support, PCRE2's interpreter does the same work. */
	if (pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0) {
		rx->stack = pcre2_jit_stack_create(32 << 10, JIT_STACK_MAX,
						   NULL);
		if (rx->stack) {
			pcre2_jit_stack_assign(rx->mctx, NULL, rx->stack);
		}
	}
	return rx;
}

void rx_free(struct rx *rx)
{
	if (rx) {
		pcre2_jit_stack_free(rx->stack);
		pcre2_match_context_free(rx->mctx);
		pcre2_match_data_free(rx->md);
		pcre2_code_free(rx->code);
		free(rx);
	}
}

int rx_search(struct rx *rx, const char *p, size_t len, size_t at,
	      unsigned n, size_t *so, size_t *eo, char **cause)
{
	int r = pcre2_match(rx->code, (PCRE2_SPTR)p, len, at, 0, rx->md,
			    rx->mctx);

	if (r == PCRE2_ERROR_JIT_STACKLIMIT) {
		r = pcre2_match(rx->code, (PCRE2_SPTR)p, len, at,
				PCRE2_NO_JIT, rx->md, rx->mctx);
	}
	if (r == PCRE2_ERROR_NOMATCH) {
		return 0;
	}
	if (r < 0) {
		char *msg = message(r);
		*cause = xasprintf("regex match failed: %s", msg);
		free(msg);
		return -1;
	}
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(rx->md);
	if (n >= (unsigned)r || ov[2 * n] == PCRE2_UNSET) {
		*so = *eo = at; /* the group took no part in the match */
		return 1;
	}
	*so = ov[2 * n];
	*eo = ov[2 * n + 1];
	return 1;
}

int rx_remove_all(struct rx *rx, const char *p, size_t len, char *out,
		  size_t *out_len, char **cause)
{
	size_t n = 0;    /* bytes of out */
	size_t at = 0;   /* where the next search starts */
	bool after_empty = false;

	while (at <= len) {
		/*
		 * As Perl: after an empty match, the next may not be empty
		 * at the same place; failing that, move on one byte.
		 */
		uint32_t opts = after_empty ? PCRE2_NOTEMPTY_ATSTART |
						      PCRE2_ANCHORED
					    : 0;
		int r = pcre2_match(rx->code, (PCRE2_SPTR)p, len, at, opts,
				    rx->md, rx->mctx);
		if (r == PCRE2_ERROR_JIT_STACKLIMIT) {
			r = pcre2_match(rx->code, (PCRE2_SPTR)p, len, at,
					opts | PCRE2_NO_JIT, rx->md,
					rx->mctx);
		}
		if (r == PCRE2_ERROR_NOMATCH && after_empty) {
			after_empty = false;
			if (at < len) {
				out[n++] = p[at];
			}
			at++;
			continue;
		}
		if (r == PCRE2_ERROR_NOMATCH) {
			break;
		}
		if (r < 0) {
			char *msg = message(r);
			*cause = xasprintf("regex match failed: %s", msg);
			free(msg);
			return -1;
		}
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(rx->md);
		memcpy(out + n, p + at, ov[0] - at);
		n += ov[0] - at;
		after_empty = ov[0] == ov[1];
		at = ov[1];
	}
	if (at < len) {
		memcpy(out + n, p + at, len - at);
		n += len - at;
	}
	*out_len = n;
	return 0;
}
