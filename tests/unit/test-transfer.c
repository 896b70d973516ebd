/*
 * The transfer commands of remote jobs: their exact text, checked against
 * what GNU parallel 20221122 runs for the same files (parallel -vv -S host
 * --tf ... --return ... --cleanup), and the commands run for real with
 * rsync, through an "ssh" that runs the host's side in a local directory.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "transfer.h"
#include "util.h"

#define RSYNC "rsync --protocol 30 -rlDzR -s -e 'ssh -F cfg' "

/* The check "if readable, add to $@, else warn" for one file. */
#define CHECK(q, name)                                                    \
	"if [ -r " q " ];then set -- \"$@\" " q ";else printf '%s\\n' "   \
	"'prun: " name " is not readable and will not be transferred' "   \
	">&2;fi;"

static struct transfer job(const char *workdir, bool unique)
{
	return (struct transfer){
		.ssh = "ssh -F cfg",
		.host = "h1",
		.workdir = workdir,
		.unique = unique,
	};
}

enum what { SEND, RETURN, BASEFILE_CLEANUP };

/* Checks the text of one function for the NULL-terminated files. */
static void check(enum what what, const struct transfer *t, char **files,
		  const char *want, const char *desc)
{
	size_t n = 0;
	struct buf b;

	while (files[n]) {
		n++;
	}
	buf_init(&b);
	switch (what) {
	case SEND:
		transfer_send(&b, t, files, n);
		break;
	case RETURN:
		transfer_return(&b, t, files, n);
		break;
	case BASEFILE_CLEANUP:
		transfer_basefile_cleanup(&b, t, files, n);
		break;
	}
	tap_is(b.data ? b.data : "", want, desc);
	buf_finish(&b);
}

static void test_send(void)
{
	struct transfer t = job(NULL, false);

	check(SEND, &t, (char *[]){ NULL }, "", "sends nothing for no file");
	check(SEND, &t, (char *[]){ "a", "sub/dir/b", NULL },
	      "(set --;" CHECK("./a", "a") CHECK("./sub/dir/b", "sub/dir/b")
	      "[ $# = 0 ]||exec " RSYNC "-- \"$@\" 'h1:.');",
	      "sends relative files to the login directory in one rsync");

	t = job("/tmp/w", false);
	check(SEND, &t, (char *[]){ "/abs/f", "a", "/x/./y/z", NULL },
	      "(set --;" CHECK("/abs/f", "/abs/f")
	      "[ $# = 0 ]||exec " RSYNC "-- \"$@\" 'h1:/');"
	      "(set --;" CHECK("./a", "a") CHECK("/x/./y/z", "/x/./y/z")
	      "[ $# = 0 ]||exec " RSYNC
	      "--rsync-path='mkdir -p /tmp/w && rsync' -- \"$@\" 'h1:/tmp/w');",
	      "sends absolute files to / and /./ ones to the workdir");

	t = job("w d/it's", false);
	check(SEND, &t, (char *[]){ "sp ace", "q'x", "-dash", NULL },
	      "(set --;" CHECK("'./sp ace'", "sp ace")
	      "if [ -r './q'\"'\"'x' ];then set -- \"$@\" './q'\"'\"'x';else "
	      "printf '%s\\n' 'prun: q'\"'\"'x is not readable and will not "
	      "be transferred' >&2;fi;" CHECK("./-dash", "-dash")
	      "[ $# = 0 ]||exec " RSYNC "--rsync-path='mkdir -p '\"'\"'./w "
	      "d/it'\"'\"'\"'\"'\"'\"'\"'\"'s'\"'\"' && rsync' -- \"$@\" "
	      "'h1:w d/it'\"'\"'s');",
	      "quotes names for sh and the workdir for the host's shell too");

	t = job(NULL, false);
	t.rsync_opts = "-a --relative";
	t.host = "u@fe80::1";
	check(SEND, &t, (char *[]){ "a", NULL },
	      "(set --;" CHECK("./a", "a") "[ $# = 0 ]||exec rsync "
	      "--protocol 30 -a --relative -s -e 'ssh -F cfg' -- \"$@\" "
	      "'u@[fe80::1]:.');",
	      "takes --rsync-opts and puts an IPv6 host in brackets");
	t.rsync_opts = "";
	check(SEND, &t, (char *[]){ "/a", NULL },
	      "(set --;" CHECK("/a", "/a") "[ $# = 0 ]||exec rsync "
	      "--protocol 30 -s -e 'ssh -F cfg' -- \"$@\" 'u@[fe80::1]:/');",
	      "takes empty --rsync-opts");
}

static void test_return(void)
{
	struct transfer t = job(NULL, false);

	check(RETURN, &t, (char *[]){ NULL }, "", "returns nothing for none");
	check(RETURN, &t,
	      (char *[]){ "a.out", "sub/dir/b.out", "./sub/dir/c", "q x",
			  NULL },
	      RSYNC "-- 'h1:./a.out' 'h1:./q x' ./.;"
	      "mkdir -p ./sub/dir && " RSYNC "--rsync-path='cd ./sub/dir && "
	      "rsync' -- 'h1:./b.out' 'h1:./c' ./sub/dir;",
	      "fetches the files of one directory in one rsync");

	t = job("rel/w", false);
	check(RETURN, &t,
	      (char *[]){ "a.out", "/abs/r", "d/./s/z", "/x/./y", NULL },
	      RSYNC "--rsync-path='cd ./rel/w && rsync' -- 'h1:./a.out' ./.;"
	      "mkdir -p /abs && " RSYNC "--rsync-path='cd /abs && rsync' -- "
	      "'h1:./r' /abs;"
	      "mkdir -p ./d/s && " RSYNC "--rsync-path='cd ./rel/w/s && "
	      "rsync' -- 'h1:./z' ./d/s;"
	      "mkdir -p /x/ && " RSYNC "--rsync-path='cd ./rel/w && rsync' -- "
	      "'h1:./y' /x/;",
	      "fetches relative and /./ files from the workdir, absolute "
	      "ones from their path");

	check(RETURN, &t, (char *[]){ "d/./", "./", NULL }, "",
	      "fetches no file for a name of none");
}

/* Checks transfer_cleanup() of sent and returned (NULL-terminated). */
static void check_cleanup(const struct transfer *t, char **sent,
			  char **returned, const char *want, const char *desc)
{
	size_t ns = 0, nr = 0;
	struct buf b;

	while (sent[ns]) {
		ns++;
	}
	while (returned[nr]) {
		nr++;
	}
	buf_init(&b);
	transfer_cleanup(&b, t, sent, ns, returned, nr);
	tap_is(b.data ? b.data : "", want, desc);
	buf_finish(&b);
}

static void test_cleanup(void)
{
	struct transfer t = job(NULL, false);

	check_cleanup(&t, (char *[]){ NULL }, (char *[]){ NULL }, "",
		      "cleans up nothing without files or a unique workdir");
	check_cleanup(&t, (char *[]){ "a", "sub/dir/b", NULL },
		      (char *[]){ "a.out", "./a", NULL },
		      "ssh -F cfg h1 -- exec sh -c \"'\"'rm -f ./a ./sub/dir/b "
		      "./a.out 2>/dev/null;rmdir ./sub/dir/ ./sub/ "
		      "2>/dev/null;'\"'\" </dev/null;",
		      "removes sent and returned files, once each, then their "
		      "empty directories, in one ssh");

	t = job(".parallel/tmp/h-1-2", true);
	t.host = "u@h1";
	check_cleanup(&t, (char *[]){ "x/./a", "/abs/d/f", NULL },
		      (char *[]){ NULL },
		      "ssh -F cfg 'u@h1' -- exec sh -c \"'\"'rm -f "
		      "./.parallel/tmp/h-1-2/a /abs/d/f 2>/dev/null;rm -rf "
		      "./.parallel/tmp/h-1-2;rmdir ./.parallel/tmp/h-1-2/ "
		      "./.parallel/tmp/ /abs/d/ ./.parallel/ /abs/ "
		      "2>/dev/null;'\"'\" </dev/null;",
		      "removes a unique workdir, deepest directories first");
	check_cleanup(&t, (char *[]){ NULL }, (char *[]){ NULL },
		      "ssh -F cfg 'u@h1' -- exec sh -c \"'\"'rm -rf "
		      "./.parallel/tmp/h-1-2;'\"'\" </dev/null;",
		      "removes a unique workdir without --cleanup");

	t = job("/w", false);
	check_cleanup(&t, (char *[]){ "it's", NULL }, (char *[]){ NULL },
		      "ssh -F cfg h1 -- exec sh -c \"'\"'rm -f '\"'\"'\"'\"'\"'"
		      "\"'\"'\"'/w/it'\"'\"'\"'\"'\"'\"'\"'\"'\"'\"'\"'\"'\"'\""
		      "'\"'\"'\"'\"'\"'\"'\"'\"'\"'\"'\"'\"'s'\"'\"'\"'\"'\"'\""
		      "'\"'\"' 2>/dev/null;rmdir /w/ 2>/dev/null;'\"'\" "
		      "</dev/null;",
		      "quotes the name for sh -c, the host's shell and sh");
}

static void test_basefile(void)
{
	struct transfer t = job(".parallel/tmp/h-1-2", true);
	char *cause = NULL;
	struct buf b;

	buf_init(&b);
	int r = transfer_basefile(&b, &t, (char *[]){ "/abs", "/x/./y" }, 2,
				  &cause);
	tap_ok(r == -EINVAL && b.len == 0, "refuses a /./ basefile with "
					   "--workdir ...");
	tap_is(cause ? cause : "", "--basefile /x/./y: a relative path cannot "
	       "go to --workdir ..., which is each job's own",
	       "names the basefile");
	free(cause);
	cause = NULL;
	r = transfer_basefile(&b, &t, (char *[]){ "/abs" }, 1, &cause);
	tap_is(r == 0 ? b.data : cause,
	       "(set --;" CHECK("/abs", "/abs")
	       "[ $# = 0 ]||exec " RSYNC "-- \"$@\" 'h1:/');",
	       "sends an absolute basefile with --workdir ...");
	buf_finish(&b);

	check(BASEFILE_CLEANUP, &t, (char *[]){ "/abs/f", NULL },
	      "ssh -F cfg h1 -- exec sh -c \"'\"'rm -f /abs/f 2>/dev/null;"
	      "rmdir /abs/ 2>/dev/null;'\"'\" </dev/null;",
	      "removes basefiles but not a unique workdir");
	t = job("w", false);
	buf_init(&b);
	r = transfer_basefile(&b, &t, (char *[]){ "rel" }, 1, &cause);
	tap_ok(r == 0 && strstr(b.data, "'h1:w'") != NULL,
	       "sends a relative basefile to a fixed workdir");
	buf_finish(&b);
}

static void test_workdir(void)
{
	const char *cases[][2] = {
		{ "/tmp/./a/././b/", "/tmp/a/b" },
		{ "./rel//", "rel" },
		{ "/", "/" },
		{ "./", "." },
		{ ".", "." },
		{ "a/./", "a" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = transfer_workdir(cases[i][0]);
		char desc[80];
		snprintf(desc, sizeof(desc), "cleans the workdir %s",
			 cases[i][0]);
		tap_is(got, cases[i][1], desc);
		free(got);
	}
}

/* Runs sh -c text in dir; returns its exit status. */
static int run(const char *dir, const char *text)
{
	struct buf b;

	buf_init(&b);
	buf_addf(&b, "cd '%s' && { %s\n} >/dev/null 2>&1", dir, text);
	int r = system(b.data);
	buf_finish(&b);
	return r;
}

static bool exists(const char *dir, const char *path)
{
	char *p = xasprintf("%s/%s", dir, path);
	struct stat st;
	bool r = stat(p, &st) == 0;

	free(p);
	return r;
}

/*
 * A job's whole round trip with the real rsync: its files go to the
 * "host" (a directory here, reached by an ssh that runs the host's side
 * of a command there), the job's results come back, and the host is
 * cleaned while the local files stay.
 */
static void test_round_trip(void)
{
	if (system("rsync --version >/dev/null 2>&1") != 0) {
		tap_ok(1, "# SKIP rsync is not installed");
		return;
	}
	char tmp[] = "/tmp/test-transfer.XXXXXX";
	if (!mkdtemp(tmp)) {
		tap_ok(0, "makes a temporary directory");
		return;
	}
	char *here = xasprintf("%s/here", tmp);
	char *host = xasprintf("%s/host", tmp);
	char *ssh = xasprintf("%s/ssh", tmp);
	char *setup = xasprintf(
		"mkdir -p here/sub/dir host && echo A >here/a && "
		"echo B >here/sub/dir/b && echo Q >\"here/q'x y\" && "
		"printf '%%s\\n' '#!/bin/sh' "
		"'while [ \"$1\" != h1 ]; do shift; done; shift' "
		"'[ \"$1\" = -- ] && shift' "
		"'cd %s && exec sh -c \"$*\"' >ssh && chmod +x ssh", host);
	tap_ok(run(tmp, setup) == 0, "sets up a host");
	free(setup);

	struct transfer t = {
		.ssh = ssh, .host = "h1", .workdir = "w/d", .unique = true,
	};
	char *sent[] = { "a", "sub/dir/b", "q'x y", "missing" };
	char *returned[] = { "a.out", "sub/dir/b.out" };
	struct buf b;

	buf_init(&b);
	transfer_send(&b, &t, sent, 4);
	tap_ok(run(here, b.data) == 0 && exists(host, "w/d/a") &&
		       exists(host, "w/d/sub/dir/b") &&
		       exists(host, "w/d/q'x y"),
	       "sends the files to the workdir on the host");
	tap_ok(run(host, "cd w/d && cat a >a.out && cat sub/dir/b >"
			 "sub/dir/b.out;") == 0,
	       "runs a job on the host");
	b.len = 0;
	transfer_return(&b, &t, returned, 2);
	tap_ok(run(here, b.data) == 0 && exists(here, "a.out") &&
		       exists(here, "sub/dir/b.out"),
	       "returns the results to their place");
	b.len = 0;
	transfer_cleanup(&b, &t, sent, 4, returned, 2);
	run(here, b.data);
	tap_ok(!exists(host, "w") && exists(host, ".") &&
		       exists(here, "a") && exists(here, "sub/dir/b") &&
		       exists(here, "q'x y") && exists(here, "a.out"),
	       "cleans the host up and keeps the local files");
	buf_finish(&b);

	char *rm = xasprintf("rm -rf '%s'", tmp);
	tap_ok(system(rm) == 0, "removes the temporary directory");
	free(rm);
	free(here);
	free(host);
	free(ssh);
}

int main(void)
{
	test_send();
	test_return();
	test_cleanup();
	test_basefile();
	test_workdir();
	test_round_trip();
	return tap_done();
}
