/*
 * envcopy: which variables and bash functions --env copies to a remote
 * job, by GNU parallel 20221122's vars_to_export(), and the text that
 * $PARALLEL_ENV puts before each command; and gnuenv_pairs(), which reads
 * the record of --record-env for them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "envcopy.h"
#include "gnuenv.h"
#include "tap.h"
#include "util.h"

/* A clean environment's record, for "_". */
static char *const record[] = {"HOME", "PATH", "BASH_FUNC_old%%", NULL};

/* Checks the pairs of names in env, joined with " | ". */
static void pairs(const char *names, char *const *env, const char *want,
		  const char *what)
{
	char **v = envcopy_pairs(names, env, record);
	struct buf b;

	buf_init(&b);
	buf_adds(&b, "");
	for (size_t i = 0; v[i]; i++) {
		buf_addf(&b, "%s%s", i ? " | " : "", v[i]);
	}
	tap_is(b.data, want, what);
	buf_finish(&b);
	envcopy_free(v);
}

static void prefix(const char *value, const char *want, const char *what)
{
	char *p = envcopy_prefix(value);

	tap_is(p ? p : "(none)", want, what);
	free(p);
}

/* Checks the shell text that sets pairs. */
static void script(char *const *pairs, const char *want, const char *what)
{
	char *s = envcopy_script(pairs);

	tap_is(s, want, what);
	free(s);
}

/* gnuenv_pairs() on the process's environment, with $PARALLEL_HOME. */
static void read_record(void)
{
	char dir[] = "/tmp/test-envcopy.XXXXXX";
	char *cause = NULL, **v = NULL;

	if (!mkdtemp(dir)) {
		tap_ok(0, "makes a temporary directory");
		return;
	}
	char *file = xasprintf("%s/ignored_vars", dir);
	setenv("PARALLEL_HOME", dir, 1);
	setenv("ENVCOPY_OLD", "1", 1);
	setenv("ENVCOPY_NEW", "2", 1);
	int r = gnuenv_pairs("_", &v, &cause);
	tap_ok(r == -1 && cause && strstr(cause, "--record-env"),
	       "gnuenv_pairs: _ without a record is an error");
	free(cause);
	cause = NULL;

	FILE *f = fopen(file, "w");
	extern char **environ;
	for (char **e = environ; f && *e; e++) {
		if (strncmp(*e, "ENVCOPY_NEW=", 12) != 0) {
			fprintf(f, "%.*s\n", (int)strcspn(*e, "="), *e);
		}
	}
	if (f) {
		fclose(f);
	}
	r = gnuenv_pairs("_,ENVCOPY_UNSET", &v, &cause);
	tap_ok(r == 0 && v && v[0] && strcmp(v[0], "ENVCOPY_NEW=2") == 0 &&
	       !v[1], "gnuenv_pairs: _ copies what the record does not name");
	envcopy_free(v);
	r = gnuenv_pairs(NULL, &v, &cause);
	tap_ok(r == 0 && v && !v[0], "gnuenv_pairs: nothing without --env");
	envcopy_free(v);
	unlink(file);
	rmdir(dir);
	free(file);
}

int main(void)
{
	char *const env[] = {
		"HOME=/home/u",
		"PATH=/bin",
		"PATHX=x",
		"a=1",
		"eq=x=y",
		"nl=two\nlines",
		"f=also a variable",
		"BASH_FUNC_f%%=() {  echo f\n}",
		"BASH_FUNC_g()=() {  echo g\n}",
		"BASH_FUNC_old%%=() {  echo old\n}",
		"_=/usr/bin/prun",
		"PARALLEL_ENV=x=5",
		"MY_PARALLEL_ENV=no",
		"PARALLEL_SEQ=3",
		"PARALLEL_JOBSLOT=2",
		"PARALLEL_PID=99",
		"PARALLEL_SSHLOGIN=h",
		"PARALLEL_SSHHOST=h",
		"PARALLEL_HOSTGROUPS=g",
		"PARALLEL_ARGHOSTGROUPS=g",
		"PARALLEL_JOBSLOT0=1",
		NULL,
	};
	char *const bashenv[] = {
		"parallel_bash_environment=x=1", "a=1", NULL,
	};
	char *const empty[] = {NULL};

	pairs(NULL, env, "", "copies nothing without --env");
	pairs(NULL, bashenv, "parallel_bash_environment=x=1",
	      "always copies parallel_bash_environment");
	pairs("a", bashenv, "parallel_bash_environment=x=1 | a=1",
	      "copies parallel_bash_environment first");
	pairs("a", empty, "", "copies nothing from an empty environment");
	pairs("a,unset", env, "a=1", "copies only the names that are set");
	pairs("PATH", env, "PATH=/bin", "matches a whole name, not a prefix");
	pairs("PAT", env, "", "a prefix of a name matches nothing");
	pairs("eq,nl", env, "eq=x=y | nl=two\nlines",
	      "copies values verbatim");
	pairs("g", env, "BASH_FUNC_g()=() {  echo g\n}",
	      "a name that is a function copies the function (old bash)");
	pairs("f", env,
	      "f=also a variable | BASH_FUNC_f%%=() {  echo f\n}",
	      "a name copies both the variable and the function");
	pairs("a,,a,", env, "a=1", "copies a name given twice once");
	pairs("nl,a", env, "nl=two\nlines | a=1", "keeps --env's order");
	pairs("BASH_FUNC_f%%", env, "BASH_FUNC_f%%=() {  echo f\n}",
	      "a function can be named as bash exports it");
	pairs("PARALLEL_ENV,MY_PARALLEL_ENV,_", empty, "",
	      "never copies PARALLEL_ENV, nor a name holding it");
	pairs("PARALLEL_SEQ,PARALLEL_JOBSLOT,PARALLEL_PID,PARALLEL_SSHLOGIN,"
	      "PARALLEL_SSHHOST,PARALLEL_HOSTGROUPS,PARALLEL_ARGHOSTGROUPS",
	      env, "", "never copies what the remote side sets per job");
	pairs("_", env,
	      "PATHX=x | a=1 | eq=x=y | nl=two\nlines | f=also a variable | "
	      "BASH_FUNC_f%%=() {  echo f\n} | BASH_FUNC_g()=() {  echo g\n} "
	      "| PARALLEL_JOBSLOT0=1",
	      "_ copies every variable not in the record");
	pairs("HOME,_", env,
	      "HOME=/home/u | PATHX=x | a=1 | eq=x=y | nl=two\nlines | "
	      "f=also a variable | BASH_FUNC_f%%=() {  echo f\n} | "
	      "BASH_FUNC_g()=() {  echo g\n} | PARALLEL_JOBSLOT0=1",
	      "_ with a recorded name copies that name too");
	pairs("old", env, "BASH_FUNC_old%%=() {  echo old\n}",
	      "the record does not stop a named function");

	char *const to_set[] = {
		"a=1",
		"sp=it's \"x\"",
		"nl=two\nlines",
		"empty=",
		"BASH_FUNC_f%%=() {  echo f\n}",
		"BASH_FUNC_g()=() {  echo g\n}",
		"BASH_FUNC_h%%=not a function",
		"BASH_FUNC_a b%%=() {  echo\n}",
		"a-b=1",
		"9x=1",
		NULL,
	};
	script(to_set,
	       "export a=1\n"
	       "export sp='it'\"'\"'s \"x\"'\n"
	       "export nl='two\nlines'\n"
	       "export empty=''\n"
	       "f() {  echo f\n}\ncommand export -f f 2>/dev/null\n"
	       "g() {  echo g\n}\ncommand export -f g 2>/dev/null\n",
	       "the script sets variables and defines functions");
	script(empty, "", "the script of no pairs is empty");

	prefix(NULL, "(none)", "no prefix without $PARALLEL_ENV");
	prefix("", "(none)", "no prefix for an empty $PARALLEL_ENV");
	prefix("0", "(none)", "no prefix for $PARALLEL_ENV=0, as Perl's truth");
	prefix("x=5", "x=5\n", "the prefix is the text and a newline");
	prefix("f() { echo a\001}\001x=1", "f() { echo a\n}\nx=1\n",
	       "\\001 in $PARALLEL_ENV is a newline");
	prefix("a\nb", "a\nb\n", "keeps newlines");
	read_record();
	return tap_done();
}
