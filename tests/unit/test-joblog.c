/*
 * The job log read back (--resume, --resume-failed, --retry-failed): every
 * field of an entry is set, and an entry written out again gives the line
 * GNU parallel wrote.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "joblog.h"
#include "tap.h"
#include "util.h"

static const char header[] =
	"Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal"
	"\tCommand\n";

static char *write_file(const char *text)
{
	char *path = xstrdup("/tmp/prun-test-joblog-XXXXXX");
	int fd = mkstemp(path);
	size_t len = strlen(text);

	if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
		abort();
	}
	close(fd);
	return path;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "re");
	struct buf b;
	char chunk[512];
	size_t n;

	buf_init(&b);
	buf_adds(&b, "");
	while (f && (n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		buf_add(&b, chunk, n);
	}
	if (f) {
		fclose(f);
	}
	return buf_steal(&b);
}

int main(void)
{
	const char *lines =
		"1\t:\t1700000000.123\t     0.005\t10\t2\t0\t0\techo a\n"
		"2\t:\t1700000000.130\t     1.002\t0\t0\t1\t15\tfalse\tb\n";
	char *text = xasprintf("%s%s2\t:\t1.0", header, lines);
	char *in = write_file(text);
	struct joblog_entry *e = NULL;
	size_t n = 0;
	char *cause = NULL;

	tap_ok(joblog_read(in, &e, &n, &cause) == 0 && n == 2,
	       "reads the entries, not the header or a torn last line");
	tap_ok(n == 2 && e[0].seq == 1 && e[0].sent == 10 &&
		       e[0].received == 2 && e[0].exitval == 0,
	       "reads Seq, Send, Receive and Exitval");
	tap_ok(n == 2 && !e[0].host && !e[1].host,
	       "leaves no host set (it is not kept)");
	tap_ok(n == 2 && e[1].signal == 15 &&
		       strcmp(e[1].command, "false\tb") == 0,
	       "reads Signal, and a command with a tab whole");

	/* Written again, the entries are GNU parallel's lines. */
	char *out = xstrdup("/tmp/prun-test-joblog-out-XXXXXX");
	int fd = mkstemp(out);
	struct joblog *jl;
	close(fd);
	if (joblog_open(&jl, out, false, &cause) < 0) {
		abort();
	}
	for (size_t i = 0; i < n; i++) {
		joblog_write(jl, &e[i]);
	}
	joblog_close(jl);
	char *got = read_file(out);
	char *want = xasprintf("%s%s", header, lines);
	tap_is(got, want, "entries read back are written as they were");

	free(got);
	free(want);
	unlink(out);
	free(out);
	joblog_entries_free(e, n);
	unlink(in);
	free(in);
	free(text);
	return tap_done();
}
