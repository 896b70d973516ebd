/*
 * The jobserver: MAKEFLAGS as make 4.3 and 4.4 write it (read back), the
 * MAKEFLAGS jobs get, and a pool's tokens taken, given back and refilled.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jobserver.h"
#include "tap.h"

static void test_parse(void)
{
	struct jobserver_auth a;

	jobserver_parse(NULL, &a);
	tap_ok(!a.in_make && a.rfd < 0 && !a.fifo, "no MAKEFLAGS: no make");
	jobserver_parse("", &a);
	tap_ok(a.in_make && a.jobs == 0 && a.rfd < 0, "make without -j");
	jobserver_parse(" -j1", &a);
	tap_ok(a.jobs == 1 && a.rfd < 0, "make -j1: no pool");
	jobserver_parse(" -j3 --jobserver-auth=3,4", &a);
	tap_ok(a.jobs == 3 && a.rfd == 3 && a.wfd == 4 && !a.dry_run,
	       "make 4.3's pipe");
	jobserver_parse("ks -j2 --jobserver-auth=5,6 -- FOO=bar", &a);
	tap_ok(a.rfd == 5 && a.wfd == 6 && !a.dry_run, "flags and variables");
	jobserver_parse("n -j2 --jobserver-auth=3,4", &a);
	tap_ok(a.dry_run, "make -n");
	jobserver_parse(" -- n=1", &a);
	tap_ok(!a.dry_run, "a variable named n is not -n");
	jobserver_parse(" -j4 --jobserver-fds=7,8", &a);
	tap_ok(a.rfd == 7 && a.wfd == 8, "make 4.1's --jobserver-fds");
	jobserver_parse(" -j4 --jobserver-auth=-2,-2", &a);
	tap_ok(a.rfd < 0 && a.wfd < 0, "negative descriptors: none");
	jobserver_parse(" -j4 --jobserver-auth=fifo:/tmp/GMfifo1", &a);
	tap_ok(a.fifo && strcmp(a.fifo, "/tmp/GMfifo1") == 0 && a.rfd < 0,
	       "make 4.4's fifo");
	jobserver_auth_finish(&a);
	jobserver_parse(" --jobserver-auth=fifo:/x --jobserver-auth=3,4", &a);
	tap_ok(!a.fifo && a.rfd == 3, "the last one counts");
	jobserver_auth_finish(&a);
}

static void check_flags(const char *in, long jobs, const char *auth,
			const char *want, const char *what)
{
	char *got = jobserver_makeflags(in, jobs, auth);
	tap_is(got, want, what);
	free(got);
}

static void test_makeflags(void)
{
	check_flags(NULL, 4, "3,4", " -j4 --jobserver-auth=3,4",
		    "a pool of prun's, outside make");
	check_flags("ks -j8 --jobserver-auth=9,10 -- V=1 W=a\\ b", 8, "3,4",
		    "ks -j8 --jobserver-auth=3,4 -- V=1 W=a\\ b",
		    "make's pool at jobs' descriptors");
	check_flags(" -j2 --jobserver-auth=3,4", 2, NULL, " -j2",
		    "--no-jobserver: the pool's words go");
	check_flags(" -s -I a\\ dir -j2", 3, "fifo:/p",
		    " -s -I a\\ dir -j3 --jobserver-auth=fifo:/p",
		    "escaped spaces stay in their word");
}

static void test_pool(void)
{
	struct jobserver *js = NULL;
	char *cause = NULL;

	tap_ok(jobserver_serve(&js, 3, false, "/tmp", NULL, &cause) == 0,
	       "a pipe pool of 3 slots");
	int n = 0;
	while (jobserver_take(js)) {
		n++;
	}
	tap_ok(n == 2 && jobserver_held(js) == 2, "it holds 2 tokens");
	jobserver_give(js);
	tap_ok(jobserver_take(js) && !jobserver_take(js),
	       "a token given back can be taken again");
	/* A client that dies with a token: the pool is whole again. */
	int fds[2];
	const char *mf;
	jobserver_child(js, fds, &mf);
	char c;
	jobserver_give(js);
	tap_ok(read(fds[0], &c, 1) == 1 && c == '+', "jobs read tokens too");
	jobserver_refill(js);
	tap_ok(jobserver_take(js) && !jobserver_take(js),
	       "a token lost by a job is put back");
	jobserver_give(js);
	jobserver_give(js);
	jobserver_refill(js);
	n = 0;
	while (jobserver_take(js)) {
		n++;
	}
	tap_ok(n == 2, "refill leaves a whole pool as it is");
	tap_is(mf, " -j3 --jobserver-auth=3,4", "jobs' MAKEFLAGS");
	jobserver_destroy(js);

	/* -j 0: as many tokens as fit, and one taken can go back. */
	tap_ok(jobserver_serve(&js, 1000000, false, "/tmp", NULL, &cause) == 0,
	       "a pool for -j 0");
	n = 0;
	while (jobserver_take(js)) {
		n++;
	}
	tap_ok(n >= 1024, "it holds many tokens");
	while (jobserver_held(js) > 0) {
		jobserver_give(js);
	}
	tap_ok(jobserver_take(js), "every token went back");
	jobserver_destroy(js);

	tap_ok(jobserver_serve(&js, 1, true, "/tmp", NULL, &cause) == 0 &&
	       !jobserver_take(js), "a fifo pool of 1 slot has no token");
	jobserver_destroy(js);
}

int main(void)
{
	test_parse();
	test_makeflags();
	test_pool();
	return tap_done();
}
