/*
 * Fuzzes the job log reader that --resume, --resume-failed and
 * --retry-failed use, on any bytes; then writes the entries it read to a
 * new log (appending, as --resume does) and reads that back, which must
 * give the same entries.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "joblog.h"

/* The same entries, but for the times, which the log rounds. */
static bool same(const struct joblog_entry *a, const struct joblog_entry *b)
{
	return a->seq == b->seq && a->sent == b->sent &&
	       a->received == b->received && a->exitval == b->exitval &&
	       a->signal == b->signal && strcmp(a->command, b->command) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct joblog_entry *v = NULL, *w = NULL;
	size_t n = 0, m = 0;
	char *cause = NULL;
	const char *other = fuzz_other_file();
	struct joblog *jl;

	if (joblog_read(fuzz_file(data, size), &v, &n, &cause) < 0) {
		free(cause);
		return 0;
	}
	unlink(other);
	if (joblog_open(&jl, other, true, &cause) < 0) {
		abort();
	}
	for (size_t i = 0; i < n; i++) {
		joblog_write(jl, &v[i]);
	}
	joblog_close(jl);
	if (joblog_read(other, &w, &m, &cause) < 0 || m != n) {
		abort();
	}
	for (size_t i = 0; i < n; i++) {
		if (!same(&v[i], &w[i])) {
			abort();
		}
	}
	joblog_entries_free(v, n);
	joblog_entries_free(w, m);
	return 0;
}
