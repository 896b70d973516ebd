/*
 * --interactive, as GNU parallel asks: the command and " ?..." on stderr,
 * the answer read from the terminal itself (stdin may be the input), a
 * line at a time.  The loop waits while the user answers, as GNU
 * parallel does: jobs that run meanwhile write into their spools.
 */
#include "prompt.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

int prompt_ask(const char *command, bool *yes, char **cause)
{
	int fd = open("/dev/tty", O_RDONLY | O_CLOEXEC);
	char c;
	ssize_t n;
	bool first = true;

	if (fd < 0) {
		*cause = xasprintf("--interactive: cannot open /dev/tty: %s",
				   strerror(errno));
		return -1;
	}
	fprintf(stderr, "%s ?...", command);
	fflush(stderr);
	*yes = false;
	while ((n = read(fd, &c, 1)) > 0 || (n < 0 && errno == EINTR)) {
		if (n < 0) {
			continue;
		}
		if (c == '\n') {
			break;
		}
		if (first && !isspace((unsigned char)c)) {
			*yes = c == 'y' || c == 'Y';
			first = false;
		}
	}
	close(fd);
	return 0;
}
