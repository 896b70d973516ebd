/*
 * Prints the shell text of transfer.c for one job, to be run by hand
 * against the ssh lab (tests/lab/sshd):
 *
 *   transfer-print [-w WORKDIR] [-u] [-o RSYNC_OPTS] SSH HOST WHAT FILE...
 *
 * WHAT is send, return, cleanup (FILEs are the sent ones, then "--", then
 * the returned ones), basefile or basefile-cleanup.  -u: WORKDIR is
 * unique (--workdir ...).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "transfer.h"
#include "util.h"

int main(int argc, char **argv)
{
	struct transfer t = { 0 };
	char *cause = NULL;
	struct buf b;
	int c;

	while ((c = getopt(argc, argv, "w:uo:")) != -1) {
		switch (c) {
		case 'w':
			t.workdir = optarg;
			break;
		case 'u':
			t.unique = true;
			break;
		case 'o':
			t.rsync_opts = optarg;
			break;
		default:
			return 2;
		}
	}
	if (argc - optind < 3) {
		fprintf(stderr, "usage: transfer-print [-w WORKDIR] [-u] "
				"[-o OPTS] SSH HOST WHAT FILE...\n");
		return 2;
	}
	t.ssh = argv[optind];
	t.host = argv[optind + 1];
	const char *what = argv[optind + 2];
	char **files = argv + optind + 3;
	size_t n = (size_t)(argc - optind - 3);

	buf_init(&b);
	if (strcmp(what, "send") == 0) {
		transfer_send(&b, &t, files, n);
	} else if (strcmp(what, "return") == 0) {
		transfer_return(&b, &t, files, n);
	} else if (strcmp(what, "cleanup") == 0) {
		size_t k = 0;
		while (k < n && strcmp(files[k], "--") != 0) {
			k++;
		}
		size_t rest = k < n ? n - k - 1 : 0;
		transfer_cleanup(&b, &t, files, k, files + k + 1, rest);
	} else if (strcmp(what, "basefile") == 0) {
		if (transfer_basefile(&b, &t, files, n, &cause) < 0) {
			fprintf(stderr, "prun: %s\n", cause);
			free(cause);
			return 255;
		}
	} else if (strcmp(what, "basefile-cleanup") == 0) {
		transfer_basefile_cleanup(&b, &t, files, n);
	} else {
		fprintf(stderr, "transfer-print: unknown %s\n", what);
		return 2;
	}
	if (b.len > 0) {
		puts(b.data);
	}
	buf_finish(&b);
	return 0;
}
