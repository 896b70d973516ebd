/*
 * Fuzzes the shell quoting round trip: a word quoted by quote_append(),
 * alone and stuck between two other words, must come back byte for byte
 * from a real `/bin/sh -c 'printf %s ...'`; and quote_split(), which reads
 * $PARALLEL and profile files, must read the quoted word back as that one
 * word.  A mismatch aborts, so libFuzzer keeps the input.
 *
 * Input: the word (up to its first NUL byte: a shell argument cannot hold
 * one).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"
#include "quote.h"
#include "util.h"

/* Runs sh -c `script` and returns what it printed on stdout. */
static char *shell(const char *script, size_t *len)
{
	int fd[2];
	pid_t pid;
	struct buf out;
	char chunk[4096];
	ssize_t r;
	int status;

	if (pipe(fd) < 0) {
		abort();
	}
	pid = fork();
	if (pid < 0) {
		abort();
	}
	if (pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execl("/bin/sh", "sh", "-c", script, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	buf_init(&out);
	/* libFuzzer's -timeout is a SIGALRM, which interrupts both. */
	while ((r = read(fd[0], chunk, sizeof(chunk))) != 0) {
		if (r > 0) {
			buf_add(&out, chunk, (size_t)r);
		} else if (errno != EINTR) {
			abort();
		}
	}
	close(fd[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			abort();
		}
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "sh -c failed on: %s\n", script);
		abort();
	}
	*len = out.len;
	return buf_steal(&out);
}

/* Checks that sh prints want[0..n) for `printf %s PREFIX'QUOTED'SUFFIX`. */
static void check(const char *word, size_t n, const char *prefix,
		  const char *suffix)
{
	struct buf script, want;
	size_t got_len;

	buf_init(&script);
	buf_adds(&script, "printf %s ");
	buf_adds(&script, prefix);
	quote_append(&script, word, n);
	buf_adds(&script, suffix);
	buf_init(&want);
	buf_adds(&want, prefix);
	buf_add(&want, word, n);
	buf_adds(&want, suffix);
	char *got = shell(script.data, &got_len);
	if (got_len != want.len || memcmp(got, want.data, got_len) != 0) {
		fprintf(stderr, "quoting changed the word: sh -c %s\n",
			script.data);
		abort();
	}
	free(got);
	buf_finish(&want);
	buf_finish(&script);
}

/* quote_split() must read a quoted word back as that word alone. */
static void check_split(const char *word, size_t n)
{
	struct buf q;
	char **words = NULL, *cause = NULL;

	buf_init(&q);
	quote_append(&q, word, n);
	long count = quote_split(q.data, &words, &cause);
	if (count != 1 || strcmp(words[0], word) != 0) {
		fprintf(stderr, "quote_split() misread: %s\n", q.data);
		abort();
	}
	quote_split_free(words);
	buf_finish(&q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *word = xmemdup((const char *)data, size);
	size_t n = strlen(word);

	check_split(word, n);
	check(word, n, "", "");
	check(word, n, "a", "b");
	free(word);
	return 0;
}
