/*
 * sshlogins: what GNU parallel 20221122's SSHLogin->new() makes of each
 * form (the login strings were checked against its --joblog Host column),
 * and how -S values and sshloginfiles add up to a list of hosts.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hosts.h"
#include "tap.h"
#include "util.h"

/* "word word ..." of a NULL-terminated array; "-" for NULL. */
static void add_words(struct buf *b, char **v, const char *sep)
{
	if (!v) {
		buf_adds(b, "-");
		return;
	}
	for (size_t i = 0; v[i]; i++) {
		buf_addf(b, "%s%s", i ? sep : "", v[i]);
	}
}

/* One host as "login|host|user|password|port|slots|local|groups|ssh". */
static void describe(struct buf *b, const struct host *h)
{
	buf_addf(b, "%s|%s|%s|%s|%s|%ld|%d|", h->login,
		 h->host ? h->host : "-", h->user ? h->user : "-",
		 h->password ? h->password : "-", h->port ? h->port : "-",
		 h->slots, h->local);
	add_words(b, h->groups, "+");
	buf_addc(b, '|');
	add_words(b, h->ssh, " ");
}

/* Parses in with the default ssh command ssh and checks the host. */
static void parse(const char *in, const char *ssh, const char *want)
{
	struct host *h = NULL;
	char *cause = NULL, what[160];
	struct buf b;

	buf_init(&b);
	int r = hosts_parse(in, ssh, &h, &cause);
	if (r == 0) {
		describe(&b, h);
	} else {
		buf_addf(&b, "error %d: %s", r, cause);
	}
	snprintf(what, sizeof(what), "parses sshlogin [%s]", in);
	tap_is(b.data, want, what);
	buf_finish(&b);
	free(cause);
	hosts_free_host(h);
}

/* The sshloginfiles ".." and "-" for the list tests. */
static int files(void *data, const char *name, char **text, char **cause)
{
	const char **texts = data;

	if (strcmp(name, "..") == 0 && texts[0]) {
		*text = xstrdup(texts[0]);
		return 0;
	}
	if (strcmp(name, "-") == 0 && texts[1]) {
		*text = xstrdup(texts[1]);
		return 0;
	}
	*cause = xasprintf("cannot open %s", name);
	return -ENOENT;
}

/*
 * Checks the logins with their slots ("login/slots,...") of hs, or the
 * error r with its cause; frees hs and cause.
 */
static void check_list(struct hosts *hs, int r, char *cause, const char *want,
		       const char *what)
{
	struct buf b;

	buf_init(&b);
	if (r == 0) {
		for (size_t i = 0; i < hs->n; i++) {
			buf_addf(&b, "%s%s/%ld", i ? "," : "", hs->v[i]->login,
				 hs->v[i]->slots);
		}
	} else {
		buf_addf(&b, "error %d: %s", r, cause);
	}
	tap_is(b.data ? b.data : "", want, what);
	buf_finish(&b);
	free(cause);
	hosts_finish(hs);
}

/*
 * Adds each of the -S values args (NULL-terminated), selects, and checks
 * the logins with their slots ("login/slots,...") or the error.
 */
static void list(const char *const *args, const char *dotdot,
		 const char *stdin_text, const char *want, const char *what)
{
	const char *texts[2] = {dotdot, stdin_text};
	struct hosts hs;
	char *cause = NULL;
	int r = 0;

	hosts_init(&hs);
	for (size_t i = 0; args[i] && r == 0; i++) {
		r = hosts_add(&hs, args[i], NULL, files, texts, &cause);
	}
	if (r == 0) {
		hosts_select(&hs);
	}
	check_list(&hs, r, cause, want, what);
}

/* The text of an sshloginfile, added to an empty list. */
static void file(const char *text, const char *want, const char *what)
{
	struct hosts hs;
	char *cause = NULL;

	hosts_init(&hs);
	int r = hosts_add_file(&hs, text, NULL, NULL, NULL, &cause);
	check_list(&hs, r, cause, want, what);
}

int main(void)
{
	/* Host, user, port; the ssh command gets -p and -l. */
	parse("server", NULL, "server|server|-|-|-|0|0|server|ssh");
	parse("h.example.com", NULL,
	      "h.example.com|h.example.com|-|-|-|0|0|h.example.com|ssh");
	parse("u@host:2222", NULL,
	      "u@host:2222|host|u|-|2222|0|0|u@host:2222|ssh -p 2222 -l u");
	parse("root@127.0.0.2:22", NULL,
	      "root@127.0.0.2:22|127.0.0.2|root|-|22|0|0|root@127.0.0.2:22|"
	      "ssh -p 22 -l root");
	parse("h:ssh", NULL, "h:ssh|h|-|-|ssh|0|0|h:ssh|ssh -p ssh");
	parse("host:", NULL, "host|host|-|-|-|0|0|host:+host|ssh");
	parse("-h", NULL, "-h|-h|-|-|-|0|0|-h|ssh");
	parse("H_1", NULL, "H_1|H_1|-|-|-|0|0|H_1|ssh");

	/* Slots and groups; groups hold the login with and without N/. */
	parse("8/server", NULL,
	      "server|server|-|-|-|8|0|8/server+server|ssh");
	parse("0/server", NULL,
	      "server|server|-|-|-|0|0|0/server+server|ssh");
	parse("@web/server", NULL,
	      "server|server|-|-|-|0|0|web+server|ssh");
	parse("@a+b/3/u@h:22", NULL,
	      "u@h:22|h|u|-|22|3|0|a+b+3/u@h:22+u@h:22|ssh -p 22 -l u");
	parse("@a++b/h", NULL, "h|h|-|-|-|0|0|a+b+h|ssh");
	parse("99999999999999999999/h", NULL,
	      "error -22: bad sshlogin '99999999999999999999/h': "
	      "too many slots");

	/* A whole ssh command line: it is part of the login. */
	parse("ssh -p 2222 host", NULL,
	      "ssh -p 2222 host|host|-|-|-|0|0|ssh -p 2222 host|"
	      "ssh -p 2222");
	parse("/usr/bin/ssh -i key u@host", NULL,
	      "/usr/bin/ssh -i key u@host|host|u|-|-|0|0|"
	      "/usr/bin/ssh -i key u@host|/usr/bin/ssh -i key -l u");
	parse("2/ssh -F 'my config' h2", NULL,
	      "ssh -F 'my config' h2|h2|-|-|-|2|0|"
	      "2/ssh -F 'my config' h2+ssh -F 'my config' h2|"
	      "ssh -F my config");
	parse("a b  c", NULL, "a b  c|c|-|-|-|0|0|a b  c|a b");
	parse(" h", NULL, "h|h|-|-|-|0|0| h+h|ssh");
	parse("ssh 'open h", NULL,
	      "error -22: bad sshlogin 'ssh 'open h': "
	      "a single quote is not closed");

	/* --ssh (or $PARALLEL_SSH) for logins without a command. */
	parse("u@h", "ssh -F cfg",
	      "u@h|h|u|-|-|0|0|u@h|ssh -F cfg -l u");
	parse("myssh h", "ssh -F cfg", "myssh h|h|-|-|-|0|0|myssh h|myssh");

	/* This machine. */
	parse(":", NULL, ":|:|-|-|-|0|1|:|-");
	parse("4/:", "ssh -F cfg", ":|:|-|-|-|4|1|4/:+:|-");
	parse("@g/:", NULL, ":|:|-|-|-|0|1|g+:|-");

	/* A password: sshpass gives it to ssh. */
	parse("u:pw@host", NULL,
	      "u@host|host|u|pw|-|0|0|u:pw@host+u@host|sshpass -e ssh -l u");
	parse("u:@host", NULL,
	      "u@host|host|u||-|0|0|u:@host+u@host|sshpass -e ssh -l u");

	/* IPv6 and RFC 2673, as GNU parallel reads them. */
	parse("[::1]:22", NULL, "::1:22|::1|-|-|22|0|0|[::1]:22+::1:22|"
	      "ssh -p 22");
	parse("fe80::1", NULL, "fe80::1|fe80::1|-|-|-|0|0|fe80::1|ssh");
	parse("2001:db8::1#80", NULL,
	      "2001:db8::1:80|2001:db8::1|-|-|80|0|0|"
	      "2001:db8::1#80+2001:db8::1:80|ssh -p 80");
	parse("2001:db8::1p80", NULL,
	      "2001:db8::1:80|2001:db8::1|-|-|80|0|0|"
	      "2001:db8::1p80+2001:db8::1:80|ssh -p 80");
	parse("host#22", NULL,
	      "host:22|host|-|-|22|0|0|host#22+host:22|ssh -p 22");
	parse("a:b:c", NULL, "a:b:c|a:b:c|-|-|-|0|0|a:b:c|ssh");
	parse("\\[b11010000011101]", NULL,
	      "\\[b11010000011101]|\\[b11010000011101]|-|-|-|0|0|"
	      "\\[b11010000011101]|ssh");

	/* Perl's "0" is false: GNU parallel drops such a user or port. */
	parse("0@h:0", NULL, "h|h|0|-|0|0|0|0@h:0+h|ssh");

	/* What GNU parallel cannot read either names the sshlogin. */
	parse("x/y", NULL,
	      "error -22: bad sshlogin 'x/y': cannot read '/y'");
	parse("h:p:x", NULL,
	      "error -22: bad sshlogin 'h:p:x': cannot read 'h:p:x'");
	parse("u@", NULL, "error -22: bad sshlogin 'u@': no host");
	parse("", NULL, "error -22: bad sshlogin '': no host");
	parse("3/", NULL, "error -22: bad sshlogin '3/': no host");
	parse("ssh\thost", NULL,
	      "error -22: bad sshlogin 'ssh\thost': cannot read '\thost'");
	parse("@/h", NULL, "error -22: bad sshlogin '@/h': cannot read '@/h'");

	/* An @group alone is a filter, not a host. */
	parse("@web", NULL, "|-|-|-|-|0|0|web|-");
	parse("@web+db/", NULL, "|-|-|-|-|0|0|web+db|-");

	/* Lists: commas, escaped commas, order, repeats and files. */
	list((const char *[]){"h1,2/h2,u@h3:22", NULL}, NULL, NULL,
	     "h1/0,h2/2,u@h3:22/0", "splits a -S value at commas");
	list((const char *[]){"h1\nh2\n", NULL}, NULL, NULL,
	     "h1/0,h2/0", "splits a -S value at newlines");
	list((const char *[]){"ssh -J j1,,j2 h1,h2", NULL}, NULL, NULL,
	     "ssh -J j1,j2 h1/0,h2/0", "reads ,, as a comma in an sshlogin");
	list((const char *[]){"ssh -J j1\\,j2 h1", NULL}, NULL, NULL,
	     "ssh -J j1,j2 h1/0", "reads \\, as a comma in an sshlogin");
	list((const char *[]){"h1,,,h2", NULL}, NULL, NULL,
	     "error -22: bad sshlogin 'h1,': cannot read ','",
	     "reads ,,, as a comma and a separator");
	list((const char *[]){"h1 ,h2,,", NULL}, NULL, NULL,
	     "error -22: bad sshlogin 'h2,': cannot read ','",
	     "keeps a comma escaped at the end");
	list((const char *[]){"h1 , h2 ,", NULL}, NULL, NULL,
	     "h1/0,h2/0", "drops blanks around sshlogins and a last comma");
	list((const char *[]){",h1", NULL}, NULL, NULL,
	     "error -22: bad sshlogin '': no host",
	     "refuses an empty sshlogin before others");
	list((const char *[]){"", NULL}, NULL, NULL,
	     "error -22: bad sshlogin '': no host", "refuses an empty -S");
	list((const char *[]){"h2,h1", "4/h2", "h1,:", NULL}, NULL, NULL,
	     "h2/4,h1/0,:/0",
	     "keeps each login once, in first order; N/ updates the slots");
	list((const char *[]){"2/h1", "h1", NULL}, NULL, NULL, "h1/2",
	     "keeps the slots when a login comes again without N/");
	list((const char *[]){"h0,..,h9", NULL}, "h1\n# c\n\n h2,h3\n", NULL,
	     "h0/0,h1/0,h2/0,h3/0,h9/0", "reads .. where it stands");
	list((const char *[]){"-", NULL}, NULL, "3/h1\n", "h1/3",
	     "reads - from the caller");
	list((const char *[]){"..", NULL}, NULL, NULL,
	     "error -2: cannot open ..", "passes the reader's error on");
	list((const char *[]){"..", NULL}, "h1\n..\n", NULL,
	     "error -40: sshloginfiles nest too deep at '..'",
	     "stops at a file that names itself");
	list((const char *[]){"@web/h1,@db/h2,@web+db/h3,h4", "@db", NULL},
	     NULL, NULL, "h2/0,h3/0", "keeps only the hosts of an @group");
	list((const char *[]){"@web/h1,h2,h3", "@h3,@web", NULL}, NULL, NULL,
	     "h1/0,h3/0", "takes a login as a group of its own");
	list((const char *[]){"@web/h1,h2", NULL}, NULL, NULL, "h1/0,h2/0",
	     "keeps every host without an @group alone");

	/* sshloginfiles. */
	file("# hosts\n\n  \t\n4/h1\n  # indented\nh2,h3\r\n:\n",
	     "h1/4,h2/0,h3/0,:/0",
	     "skips comments and blank lines; CRLF ends a line");
	file("h1\nx/y\nh2\n",
	     "error -22: bad sshlogin 'x/y': cannot read '/y'",
	     "names the bad line");
	file("..\n", "error -22: bad sshlogin '..': no sshloginfile here",
	     "refuses .. without a reader");

	/* hosts_in_group */
	struct host *h = NULL;
	char *cause = NULL;
	hosts_parse("@a+b/2/h", NULL, &h, &cause);
	tap_ok(h && hosts_in_group(h, "a") && hosts_in_group(h, "b") &&
		       hosts_in_group(h, "h") && hosts_in_group(h, "2/h") &&
		       !hosts_in_group(h, "c") && !hosts_in_group(h, ""),
	       "tells the groups a host is in");
	hosts_free_host(h);

	return tap_done();
}
