/*
 * The job log: a header line, then one tab-separated line per finished job
 * (Seq, Host, Starttime, JobRuntime, Send, Receive, Exitval, Signal,
 * Command), byte for byte as GNU parallel writes it, so tools that read
 * GNU parallel's logs read prun's.
 */
#include "joblog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static const char header[] =
	"Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal"
	"\tCommand\n";

struct joblog {
	int fd;          /* owned */
	bool to_stdout;  /* fd is a copy of fd 1 */
	struct buf line; /* scratch */
};

int joblog_open(struct joblog **out, const char *path, bool append,
		char **cause)
{
	int flags = O_WRONLY | O_CREAT | O_CLOEXEC |
		    (append ? O_APPEND : O_TRUNC);
	bool to_stdout = strcmp(path, "-") == 0;
	/* GNU parallel's name for standard output, as for other files. */
	int fd = to_stdout ? fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3)
			   : open(path, flags, 0666);
	struct stat st;

	if (to_stdout && fd < 0) {
		*cause = xasprintf("cannot write the job log to standard "
				   "output: %s", strerror(errno));
		return -1;
	}
	if (fd < 0 || fstat(fd, &st) < 0) {
		*cause = xasprintf("cannot open the job log '%s': %s", path,
				   strerror(errno));
		if (fd >= 0) {
			close(fd);
		}
		return -1;
	}
	if ((st.st_size == 0 || to_stdout) &&
	    write(fd, header, sizeof(header) - 1) != sizeof(header) - 1) {
		*cause = xasprintf("cannot write the job log '%s': %s", path,
				   strerror(errno));
		close(fd);
		return -1;
	}
	struct joblog *jl = xcalloc(1, sizeof(*jl));
	jl->fd = fd;
	jl->to_stdout = to_stdout;
	buf_init(&jl->line);
	*out = jl;
	return 0;
}

bool joblog_is_stdout(const struct joblog *jl)
{
	return jl && jl->to_stdout;
}

void joblog_write(struct joblog *jl, const struct joblog_entry *e)
{
	jl->line.len = 0;
	buf_addf(&jl->line, "%llu\t%s\t%.3f\t%10.3f\t%llu\t%llu\t%d\t%d\t",
		 (unsigned long long)e->seq, e->host ? e->host : ":",
		 e->start, e->runtime,
		 (unsigned long long)e->sent, (unsigned long long)e->received,
		 e->exitval, e->signal);
	/* A newline in a command would split the line: GNU writes \n. */
	for (const char *c = e->command; *c; c++) {
		if (*c == '\n') {
			buf_add(&jl->line, "\\n", 2);
		} else {
			buf_addc(&jl->line, *c);
		}
	}
	buf_addc(&jl->line, '\n');
	ssize_t r = write(jl->fd, jl->line.data, jl->line.len);
	(void)r;
}

void joblog_close(struct joblog *jl)
{
	if (!jl) {
		return;
	}
	close(jl->fd);
	buf_finish(&jl->line);
	free(jl);
}

/* Parses one line of a log; false if it is not an entry. */
static bool parse_line(char *line, struct joblog_entry *e)
{
	char *field[9];
	size_t n = 0;

	field[n++] = line;
	for (char *c = line; *c && n < 9; c++) {
		if (*c == '\t') {
			*c = '\0';
			field[n++] = c + 1;
		}
	}
	if (n < 9) {
		return false;
	}
	char *end;
	uint64_t seq = strtoull(field[0], &end, 10);
	if (*end || end == field[0]) {
		return false;
	}
	/* Every field set (the host NULL, for ":"): callers may read any. */
	*e = (struct joblog_entry){.seq = seq};
	e->start = strtod(field[2], NULL);
	e->runtime = strtod(field[3], NULL);
	e->sent = strtoull(field[4], NULL, 10);
	e->received = strtoull(field[5], NULL, 10);
	e->exitval = (int)strtol(field[6], NULL, 10);
	e->signal = (int)strtol(field[7], NULL, 10);
	e->command = xstrdup(field[8]);
	return true;
}

int joblog_read(const char *path, struct joblog_entry **out, size_t *n,
		char **cause)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0, count = 0, alloc = 0;
	struct joblog_entry *v = NULL;

	*out = NULL;
	*n = 0;
	if (!f) {
		if (errno == ENOENT) {
			return 0;
		}
		*cause = xasprintf("cannot read the job log '%s': %s", path,
				   strerror(errno));
		return -1;
	}
	ssize_t len;
	while ((len = getline(&line, &cap, f)) >= 0) {
		if (len > 0 && line[len - 1] == '\n') {
			line[len - 1] = '\0';
		}
		struct joblog_entry e;
		if (!parse_line(line, &e)) {
			continue; /* the header, or a torn last line */
		}
		if (count == alloc) {
			alloc = alloc ? alloc * 2 : 64;
			v = xreallocarray(v, alloc, sizeof(*v));
		}
		v[count++] = e;
	}
	free(line);
	fclose(f);
	*out = v;
	*n = count;
	return 0;
}

void joblog_entries_free(struct joblog_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].command);
	}
	free(v);
}
