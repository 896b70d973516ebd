/*
 * GNU parallel's sshlogins, parsed as its SSHLogin->new() and
 * parse_sshlogin() do, so that a -S line or an sshloginfile that works
 * there means the same here: the same host, port, user and ssh command,
 * and the same login string in the job log.  Where GNU parallel reports a
 * bug or builds a host from nothing, this says which sshlogin is bad.
 */
#include "hosts.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "quote.h"
#include "util.h"

/* Perl's truth of a string, which GNU parallel relies on: "0" is false. */
static bool truthy(const char *s)
{
	return s && *s && strcmp(s, "0") != 0;
}

/* Appends an owned copy of s to the NULL-terminated *v of *n, once. */
static void add_word(char ***v, size_t *n, const char *s)
{
	for (size_t i = 0; i < *n; i++) {
		if (strcmp((*v)[i], s) == 0) {
			return;
		}
	}
	*v = xreallocarray(*v, *n + 2, sizeof(**v));
	(*v)[(*n)++] = xstrdup(s);
	(*v)[*n] = NULL;
}

/* The length of the run of s's leading bytes that are in set. */
static size_t span(const char *s, const char *set, bool nocase)
{
	size_t n = 0;

	for (; s[n]; n++) {
		int c = nocase ? tolower((unsigned char)s[n]) : s[n];
		if (!strchr(set, c)) {
			break;
		}
	}
	return n;
}

#define HOST_CHARS "-abcdefghijklmnopqrstuvwxyz0123456789._"
#define HEX_CHARS "0123456789abcdef"
#define WORD_CHARS "abcdefghijklmnopqrstuvwxyz0123456789_"

/*
 * The host at the start of s: a name or IPv4 address, RFC 2673's
 * \[...], or an IPv6 address, bracketed or bare (with two colons or more,
 * s is taken for IPv6).  Sets *host (owned) and returns the bytes used.
 */
static size_t take_host(const char *s, char **host)
{
	const char *c1 = strchr(s, ':');
	size_t n;

	if (!(c1 && strchr(c1 + 1, ':')) &&
	    (n = span(s, HOST_CHARS, true)) > 0) {
		*host = xmemdup(s, n);
		return n;
	}
	if (s[0] == '\\' && (n = span(s + 1, "[]box." HEX_CHARS, true)) > 0) {
		*host = xmemdup(s, n + 1);
		return n + 1;
	}
	if (s[0] == '[' && (n = span(s + 1, ":" HEX_CHARS, true)) > 0 &&
	    s[n + 1] == ']') {
		*host = xmemdup(s + 1, n);
		return n + 2;
	}
	if ((n = span(s, ":" HEX_CHARS, true)) > 0) {
		*host = xmemdup(s, n);
		return n;
	}
	return 0;
}

/*
 * The port after the host: ":port", or RFC 5952's "pport", ".port" and
 * "#port" (after an IPv6 address).  Sets *port (owned) and returns the
 * bytes used.
 */
static size_t take_port(const char *s, char **port)
{
	size_t n;

	if (s[0] && strchr(":p.#P", s[0]) &&
	    (n = span(s + 1, WORD_CHARS, true)) > 0) {
		*port = xmemdup(s + 1, n);
		return n + 1;
	}
	return 0;
}

/* Makes h->ssh from the ssh command line cmd; -EINVAL with *cause. */
static int make_ssh(struct host *h, const char *cmd, const char *given,
		    char **cause)
{
	char **words = NULL, *why = NULL;
	long n = quote_split(cmd, &words, &why);
	char **v = NULL;
	size_t nv = 0;

	if (n <= 0) {
		*cause = n < 0 ? xasprintf("bad sshlogin '%s': %s", given, why)
			       : xasprintf("bad sshlogin '%s': no ssh command",
					   given);
		free(why);
		quote_split_free(n < 0 ? NULL : words);
		return -EINVAL;
	}
	v = xcalloc((size_t)n + 7, sizeof(*v));
	if (h->password) {
		v[nv++] = xstrdup("sshpass");
		v[nv++] = xstrdup("-e");
	}
	for (long i = 0; i < n; i++) {
		v[nv++] = words[i];
	}
	free(words);
	if (truthy(h->port)) {
		v[nv++] = xstrdup("-p");
		v[nv++] = xstrdup(h->port);
	}
	if (truthy(h->user)) {
		v[nv++] = xstrdup("-l");
		v[nv++] = xstrdup(h->user);
	}
	v[nv] = NULL;
	h->ssh = v;
	return 0;
}

int hosts_parse(const char *given, const char *ssh, struct host **out,
		char **cause)
{
	struct host *h = xcalloc(1, sizeof(*h));
	size_t ngroups = 0;
	const char *s = given;
	char *cmd = NULL;
	struct buf login;
	int err = -EINVAL;

	buf_init(&login);
	/* @group+group/ (the slash may be left out: "@web" alone). */
	if (s[0] == '@' && s[1] && s[1] != '/') {
		const char *end = s + 1 + strcspn(s + 1, "/");
		for (const char *g = s + 1; g < end;) {
			size_t n = strcspn(g, "+/");
			if (n > 0) {
				char *w = xmemdup(g, n);
				add_word(&h->groups, &ngroups, w);
				free(w);
			}
			g += n + (g[n] == '+');
		}
		s = *end == '/' ? end + 1 : end;
	}
	bool had_groups = ngroups > 0;
	if (*s) {
		add_word(&h->groups, &ngroups, s);
	}
	/* N/ */
	size_t nd = span(s, "0123456789", false);
	if (nd > 0 && s[nd] == '/') {
		char *digits = xmemdup(s, nd);
		int r = parse_long(digits, 0, INT_MAX, &h->slots);
		free(digits);
		if (r < 0) {
			*cause = xasprintf("bad sshlogin '%s': too many slots",
					   given);
			goto fail;
		}
		s += nd + 1;
	}
	/* The ssh command: everything up to the last space. */
	const char *sp = strrchr(s, ' ');
	if (sp) {
		if (sp > s) {
			cmd = xmemdup(s, (size_t)(sp - s));
		}
		s = sp + 1;
	}
	/* user[:password]@ */
	const char *at = strchr(s, '@');
	if (at && at > s) {
		const char *colon = memchr(s, ':', (size_t)(at - s));
		if (colon) {
			h->user = xmemdup(s, (size_t)(colon - s));
			h->password = xmemdup(colon + 1,
					      (size_t)(at - colon - 1));
		} else {
			h->user = xmemdup(s, (size_t)(at - s));
		}
		s = at + 1;
	}
	s += take_host(s, &h->host);
	s += take_port(s, &h->port);
	if (*s && strcmp(s, ":") != 0) {
		*cause = xasprintf("bad sshlogin '%s': cannot read '%s'",
				   given, s);
		goto fail;
	}

	if (truthy(cmd)) {
		buf_addf(&login, "%s ", cmd);
	}
	if (truthy(h->user)) {
		buf_addf(&login, "%s@", h->user);
	}
	if (truthy(h->host)) {
		buf_adds(&login, h->host);
	}
	if (truthy(h->port)) {
		buf_addf(&login, ":%s", h->port);
	}
	if (h->host && strcmp(h->host, ":") == 0) {
		h->local = true;
		login.len = 0;
		buf_adds(&login, ":");
	}
	h->login = xstrdup(login.data ? login.data : "");
	if (*h->login == '\0') {
		if (!had_groups) {
			*cause = xasprintf("bad sshlogin '%s': no host",
					   given);
			goto fail;
		}
		/* "@group": a filter, not a host. */
		free(h->host);
		h->host = NULL;
	} else if (!h->host) {
		*cause = xasprintf("bad sshlogin '%s': no host", given);
		goto fail;
	} else {
		add_word(&h->groups, &ngroups, h->login);
		if (!h->local) {
			err = make_ssh(h, truthy(cmd) ? cmd
					: truthy(ssh) ? ssh : "ssh",
				       given, cause);
			if (err < 0) {
				goto fail;
			}
		}
	}
	if (!h->groups) {
		h->groups = xcalloc(1, sizeof(*h->groups));
	}
	free(cmd);
	buf_finish(&login);
	*out = h;
	return 0;
fail:
	free(cmd);
	buf_finish(&login);
	hosts_free_host(h);
	return err;
}

void hosts_free_host(struct host *h)
{
	if (!h) {
		return;
	}
	free(h->login);
	free(h->host);
	free(h->user);
	free(h->password);
	free(h->port);
	quote_split_free(h->groups);
	quote_split_free(h->ssh);
	free(h);
}

bool hosts_in_group(const struct host *h, const char *group)
{
	for (size_t i = 0; h->groups[i]; i++) {
		if (strcmp(h->groups[i], group) == 0) {
			return true;
		}
	}
	return false;
}

void hosts_init(struct hosts *hs)
{
	memset(hs, 0, sizeof(*hs));
}

void hosts_finish(struct hosts *hs)
{
	for (size_t i = 0; i < hs->n; i++) {
		hosts_free_host(hs->v[i]);
	}
	free(hs->v);
	quote_split_free(hs->only);
	hosts_init(hs);
}

/* Adds one parsed sshlogin: a host, a slots update, or a filter. */
static void add_host(struct hosts *hs, struct host *h)
{
	if (!h->host) {
		for (size_t i = 0; h->groups[i]; i++) {
			add_word(&hs->only, &hs->n_only, h->groups[i]);
		}
		hosts_free_host(h);
		return;
	}
	for (size_t i = 0; i < hs->n; i++) {
		if (strcmp(hs->v[i]->login, h->login) == 0) {
			if (h->slots > 0) {
				hs->v[i]->slots = h->slots;
			}
			hosts_free_host(h);
			return;
		}
	}
	hs->v = xreallocarray(hs->v, hs->n + 1, sizeof(*hs->v));
	hs->v[hs->n++] = h;
}

/* Reads the sshloginfile ".." or "-" through file() and adds it. */
static int add_named_file(struct hosts *hs, const char *name,
			  const char *ssh, hosts_file_fn *file, void *data,
			  char **cause)
{
	char *text = NULL;
	int err;

	if (!file) {
		*cause = xasprintf("bad sshlogin '%s': no sshloginfile here",
				   name);
		return -EINVAL;
	}
	/* A file that names itself would never end. */
	if (hs->depth >= 8) {
		*cause = xasprintf("sshloginfiles nest too deep at '%s'",
				   name);
		return -ELOOP;
	}
	err = file(data, name, &text, cause);
	if (err < 0) {
		return err;
	}
	hs->depth++;
	err = hosts_add_file(hs, text, ssh, file, data, cause);
	hs->depth--;
	free(text);
	return err;
}

/*
 * Splits a -S value into its sshlogins as GNU parallel does: at commas and
 * newlines, but "\," and ",," are a comma inside an sshlogin; the empty
 * fields at the end are dropped (Perl's split), those before are kept.
 * Returns the number of fields, in an owned *out.
 */
static size_t split_logins(const char *arg, char ***out)
{
	char **v = NULL;
	size_t n = 0, kept = 0;
	struct buf f;

	buf_init(&f);
	for (const char *p = arg;; p++) {
		if ((p[0] == '\\' || p[0] == ',') && p[1] == ',') {
			buf_addc(&f, ',');
			p++;
			continue;
		}
		if (*p != ',' && *p != '\n' && *p != '\0') {
			buf_addc(&f, *p);
			continue;
		}
		v = xreallocarray(v, n + 1, sizeof(*v));
		v[n++] = xmemdup(f.data ? f.data : "", f.len);
		if (f.len > 0) {
			kept = n;
		}
		f.len = 0;
		if (*p == '\0') {
			break;
		}
	}
	buf_finish(&f);
	for (size_t i = kept; i < n; i++) {
		free(v[i]);
	}
	*out = v;
	return kept;
}

int hosts_add(struct hosts *hs, const char *arg, const char *ssh,
	      hosts_file_fn *file, void *data, char **cause)
{
	char **logins;
	size_t n = split_logins(arg, &logins);
	int err = 0;

	if (n == 0) {
		*cause = xasprintf("bad sshlogin '%s': no host", arg);
		err = -EINVAL;
	}
	for (size_t i = 0; i < n && err == 0; i++) {
		char *s = logins[i];
		size_t len = strlen(s);

		if (strcmp(s, "..") == 0 || strcmp(s, "-") == 0) {
			err = add_named_file(hs, s, ssh, file, data, cause);
			continue;
		}
		while (len > 0 && isspace((unsigned char)s[len - 1])) {
			s[--len] = '\0';
		}
		struct host *h;
		err = hosts_parse(s, ssh, &h, cause);
		if (err == 0) {
			add_host(hs, h);
		}
	}
	for (size_t i = 0; i < n; i++) {
		free(logins[i]);
	}
	free(logins);
	return err;
}

int hosts_add_file(struct hosts *hs, const char *text, const char *ssh,
		   hosts_file_fn *file, void *data, char **cause)
{
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n");
		char *line = xmemdup(p, n);
		const char *q = line + span(line, " \t\r\f\v", false);
		int err = 0;

		if (*q != '\0' && *q != '#') {
			err = hosts_add(hs, line, ssh, file, data, cause);
		}
		free(line);
		if (err < 0) {
			return err;
		}
		p += n + (p[n] == '\n');
	}
	return 0;
}

void hosts_select(struct hosts *hs)
{
	size_t kept = 0;

	if (!hs->only) {
		return;
	}
	for (size_t i = 0; i < hs->n; i++) {
		bool in = false;
		for (size_t g = 0; hs->only[g] && !in; g++) {
			in = hosts_in_group(hs->v[i], hs->only[g]);
		}
		if (in) {
			hs->v[kept++] = hs->v[i];
		} else {
			hosts_free_host(hs->v[i]);
		}
	}
	hs->n = kept;
}
