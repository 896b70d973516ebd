/*
 * The file transfers of a remote job as shell text; see transfer.h for the
 * rule of where each file goes.
 *
 * Quoting is done twice where text passes two shells: once for the host's
 * login shell (the arguments of ssh, rsync's --rsync-path), then for the
 * local sh that runs the whole.  File names given to rsync pass one shell
 * only: -s (--protect-args) sends them to the remote rsync inside its own
 * protocol, so a name with blanks or quotes arrives as it is, whatever the
 * local rsync's version (rsync 3.2.4 and later protect them by default,
 * older ones would have the remote shell split them).
 */
#include "transfer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "quote.h"
#include "util.h"

/*
 * rsync 3.1 and later speak protocol 31, which rsync 2.x hosts do not
 * understand; GNU parallel (SSHLogin::rsync) asks for 30, which every
 * rsync since 3.0 speaks, and so do we.
 */
#define RSYNC "rsync --protocol 30"

static void add_quoted(struct buf *b, const char *s)
{
	quote_append(b, s, strlen(s));
}

/*
 * Appends path quoted for sh, with "./" before a relative one so that no
 * command takes it for an option (GNU parallel's shell_quote_file()).
 */
static void add_path(struct buf *b, const char *path)
{
	if (path[0] == '/' || strncmp(path, "./", 2) == 0) {
		add_quoted(b, path);
		return;
	}
	char *p = xasprintf("./%s", path);
	add_quoted(b, p);
	free(p);
}

/* Appends b2's text quoted for sh (b2 holds text quoted for the host). */
static void add_quoted_buf(struct buf *b, struct buf *b2)
{
	quote_append(b, b2->data ? b2->data : "", b2->len);
}

/*
 * Appends path without its "." and empty components, so that the same
 * file or directory is always written the same way ("a/./b//c/" is
 * "a/b/c"; "/" stays).
 */
static void add_clean(struct buf *b, const char *path)
{
	size_t start = b->len;

	if (path[0] == '/') {
		buf_addc(b, '/');
	}
	while (*path) {
		size_t len = strcspn(path, "/");
		if (len > 0 && !(len == 1 && path[0] == '.')) {
			if (b->len > start && b->data[b->len - 1] != '/') {
				buf_addc(b, '/');
			}
			buf_add(b, path, len);
		}
		path += len;
		path += *path == '/';
	}
}

/* True if path lands under the working directory on the host. */
static bool is_relative(const char *path)
{
	return path[0] != '/' || strstr(path, "/./") != NULL;
}

/*
 * The path on the host of a file named path here, relative to the login
 * directory unless absolute, cleaned; owned.  rsync -R cuts a source at
 * its first "/./" (GNU parallel's cleanup_cmd() cuts at the last; a name
 * with two is rare, and this is where rsync puts it).
 */
static char *remote_path(const struct transfer *t, const char *path)
{
	const char *dot = strstr(path, "/./");
	struct buf b;

	buf_init(&b);
	if (dot || path[0] != '/') {
		if (t->workdir) {
			add_clean(&b, t->workdir);
			buf_addc(&b, '/');
		}
		add_clean(&b, dot ? dot + 3 : path);
	} else {
		add_clean(&b, path);
	}
	if (b.len > 1 && b.data[b.len - 1] == '/') {
		/* Nothing after "/./": the working directory itself. */
		b.data[--b.len] = '\0';
	}
	if (b.len == 0) {
		buf_addc(&b, '.');
	}
	return buf_steal(&b);
}

/* Appends "rsync --protocol 30 OPTS -s -e SSH". */
static void add_rsync(struct buf *b, const struct transfer *t)
{
	const char *opts = t->rsync_opts ? t->rsync_opts : TRANSFER_RSYNC_OPTS;

	buf_adds(b, RSYNC " ");
	if (*opts) {
		buf_adds(b, opts);
		buf_addc(b, ' ');
	}
	buf_adds(b, "-s -e ");
	add_quoted(b, t->ssh);
}

/*
 * Appends "host:path" as rsync takes it, quoted for sh: an IPv6 address
 * goes in brackets, or rsync would read its first ':' as the separator.
 */
static void add_remote(struct buf *b, const struct transfer *t,
		       const char *path)
{
	const char *at = strrchr(t->host, '@');
	const char *name = at ? at + 1 : t->host;
	char *s;

	if (strchr(name, ':') && name[0] != '[') {
		s = xasprintf("%.*s[%s]:%s", (int)(name - t->host), t->host,
			      name, path);
	} else {
		s = xasprintf("%s:%s", t->host, path);
	}
	add_quoted(b, s);
	free(s);
}

/*
 * Appends one rsync of those of files[0..n) that land under the working
 * directory (relative) or at their own path (not).  A file that cannot be
 * read when the job starts is left out with GNU parallel's warning
 * (rsync_transfer_cmd()), and the job runs all the same; the files are
 * gathered in "$@" of a subshell, so the caller's arguments stay.
 */
static void send_group(struct buf *b, const struct transfer *t,
		       char *const *files, size_t n, bool relative)
{
	struct buf q;

	buf_adds(b, "(set --;");
	for (size_t i = 0; i < n; i++) {
		if (is_relative(files[i]) != relative) {
			continue;
		}
		buf_adds(b, "if [ -r ");
		add_path(b, files[i]);
		buf_adds(b, " ];then set -- \"$@\" ");
		add_path(b, files[i]);
		buf_adds(b, ";else printf '%s\\n' ");
		char *warning = xasprintf("prun: %s is not readable and will "
					  "not be transferred", files[i]);
		add_quoted(b, warning);
		free(warning);
		buf_adds(b, " >&2;fi;");
	}
	buf_adds(b, "[ $# = 0 ]||exec ");
	add_rsync(b, t);
	if (relative && t->workdir) {
		/*
		 * The working directory is made on the host by the command
		 * that starts the remote rsync: no ssh of its own, as GNU
		 * parallel's "ssh host mkdir -p" before each rsync is.
		 */
		buf_init(&q);
		buf_adds(&q, "mkdir -p ");
		add_path(&q, t->workdir);
		buf_adds(&q, " && rsync");
		buf_adds(b, " --rsync-path=");
		add_quoted_buf(b, &q);
		buf_finish(&q);
	}
	buf_adds(b, " -- \"$@\" ");
	add_remote(b, t, relative ? (t->workdir ? t->workdir : ".") : "/");
	buf_adds(b, ");");
}

void transfer_send(struct buf *b, const struct transfer *t,
		   char *const *files, size_t n)
{
	/* At most two rsyncs: to the working directory, and to "/". */
	bool first = n > 0 && is_relative(files[0]);

	for (int pass = 0; pass < 2; pass++) {
		bool relative = pass == 0 ? first : !first;
		for (size_t i = 0; i < n; i++) {
			if (is_relative(files[i]) == relative) {
				send_group(b, t, files, n, relative);
				break;
			}
		}
	}
}

/* The files fetched by one rsync: those of one directory on the host. */
struct fetch {
	char *from;		/* on the host; "" for the login directory */
	char *to;		/* here */
	char **names;		/* owned, in the order given */
	size_t n;
};

/*
 * Splits a --return file into the directory it is fetched from on the
 * host, the directory it goes to here and its name (GNU parallel's
 * sshreturn(): "dir/./sub/f" is WORKDIR/sub/f there and dir/sub/f here).
 * Returns false for a name that names no file.
 */
static bool split_return(const struct transfer *t, const char *file,
			 char **from, char **to, char **name)
{
	const char *s = file, *dot, *rest;
	struct buf here, there, r;

	while (strncmp(s, "./", 2) == 0) {
		s += 2;
	}
	dot = strstr(s, "/./");
	rest = dot ? dot + 3 : s;
	buf_init(&r);
	add_clean(&r, rest);
	if (r.len == 0 || strcmp(r.data, "/") == 0) {
		buf_finish(&r);
		return false;
	}
	char *slash = strrchr(r.data, '/');
	*name = xstrdup(slash ? slash + 1 : r.data);
	if (slash) {
		/* "/f" is in "/"; "sub/f" in "sub". */
		slash[slash == r.data] = '\0';
	} else {
		r.data[0] = '\0';
	}

	buf_init(&there);
	if (is_relative(s) && t->workdir) {
		add_clean(&there, t->workdir);
		if (r.data[0]) {
			buf_addc(&there, '/');
		}
	}
	buf_adds(&there, r.data);
	*from = buf_steal(&there);

	buf_init(&here);
	if (dot) {
		buf_add(&here, s, (size_t)(dot - s) + 1);
	}
	buf_adds(&here, r.data);
	if (here.len == 0) {
		buf_addc(&here, '.');
	}
	*to = buf_steal(&here);
	buf_finish(&r);
	return true;
}

/*
 * Appends the rsync of one group: "mkdir -p TO && rsync ...
 * --rsync-path='cd FROM && rsync' -- host:./name ... TO;".
 */
static void fetch_group(struct buf *b, const struct transfer *t,
			const struct fetch *f)
{
	struct buf q;

	if (strcmp(f->to, ".") != 0 && strcmp(f->to, "/") != 0) {
		/* rsync makes only the last directory of its destination. */
		buf_adds(b, "mkdir -p ");
		add_path(b, f->to);
		buf_adds(b, " && ");
	}
	add_rsync(b, t);
	if (f->from[0]) {
		/*
		 * Fetched from their own directory, each file's name alone
		 * is its path, with or without -R in the options.
		 */
		buf_init(&q);
		buf_adds(&q, "cd ");
		add_path(&q, f->from);
		buf_adds(&q, " && rsync");
		buf_adds(b, " --rsync-path=");
		add_quoted_buf(b, &q);
		buf_finish(&q);
	}
	buf_adds(b, " --");
	for (size_t i = 0; i < f->n; i++) {
		char *p = xasprintf("./%s", f->names[i]);
		buf_addc(b, ' ');
		add_remote(b, t, p);
		free(p);
	}
	buf_addc(b, ' ');
	add_path(b, f->to);
	buf_addc(b, ';');
}

void transfer_return(struct buf *b, const struct transfer *t,
		     char *const *files, size_t n)
{
	struct fetch *fs = NULL;
	size_t nf = 0;

	for (size_t i = 0; i < n; i++) {
		char *from, *to, *name;
		if (!split_return(t, files[i], &from, &to, &name)) {
			continue;
		}
		size_t j = 0;
		while (j < nf && (strcmp(fs[j].from, from) != 0 ||
				  strcmp(fs[j].to, to) != 0)) {
			j++;
		}
		if (j == nf) {
			fs = xreallocarray(fs, nf + 1, sizeof(*fs));
			fs[nf++] = (struct fetch){ .from = from, .to = to };
		} else {
			free(from);
			free(to);
		}
		fs[j].names = xreallocarray(fs[j].names, fs[j].n + 1,
					    sizeof(char *));
		fs[j].names[fs[j].n++] = name;
	}
	for (size_t j = 0; j < nf; j++) {
		fetch_group(b, t, &fs[j]);
		for (size_t i = 0; i < fs[j].n; i++) {
			free(fs[j].names[i]);
		}
		free(fs[j].names);
		free(fs[j].from);
		free(fs[j].to);
	}
	free(fs);
}

/* Adds path to the list dirs[0..*n) unless it is there; takes path. */
static void add_unique(char ***dirs, size_t *n, char *path)
{
	for (size_t i = 0; i < *n; i++) {
		if (strcmp((*dirs)[i], path) == 0) {
			free(path);
			return;
		}
	}
	*dirs = xreallocarray(*dirs, *n + 1, sizeof(char *));
	(*dirs)[(*n)++] = path;
}

/* The number of components of a cleaned path. */
static size_t depth(const char *path)
{
	size_t d = 1;

	for (const char *c = path + 1; *c; c++) {
		d += *c == '/';
	}
	return d;
}

/*
 * Appends one "ssh HOST -- exec sh -c SCRIPT </dev/null;" that removes
 * the files of lists[0..2) on the host and then the directories above
 * them that are left empty, deepest first (GNU parallel's cleanup_cmd()
 * removes those up to the root, one ssh per file), and with rmdir_wd the
 * working directory whatever it holds.  sh, as the host's login shell may
 * be another; stdin is not the job's, which ssh would read from.
 */
static void cleanup(struct buf *b, const struct transfer *t,
		    char *const *lists[2], const size_t ns[2], bool rm_wd)
{
	char **paths = NULL, **dirs = NULL;
	size_t np = 0, nd = 0;
	struct buf s;

	for (int l = 0; l < 2; l++) {
		for (size_t i = 0; i < ns[l]; i++) {
			add_unique(&paths, &np, remote_path(t, lists[l][i]));
		}
	}
	rm_wd = rm_wd && t->workdir;
	if (np == 0 && !rm_wd) {
		return;
	}
	for (size_t i = 0; i < np; i++) {
		char *d = xstrdup(paths[i]);
		char *slash;
		while ((slash = strrchr(d, '/')) && slash != d) {
			*slash = '\0';
			add_unique(&dirs, &nd, xasprintf("%s/", d));
		}
		free(d);
	}
	/* Stable: equal depths keep the order the files gave them. */
	for (size_t i = 1; i < nd; i++) {
		char *d = dirs[i];
		size_t j = i;
		while (j > 0 && depth(dirs[j - 1]) < depth(d)) {
			dirs[j] = dirs[j - 1];
			j--;
		}
		dirs[j] = d;
	}

	buf_init(&s);
	if (np > 0) {
		buf_adds(&s, "rm -f");
		for (size_t i = 0; i < np; i++) {
			buf_addc(&s, ' ');
			add_path(&s, paths[i]);
			free(paths[i]);
		}
		buf_adds(&s, " 2>/dev/null;");
	}
	if (rm_wd) {
		buf_adds(&s, "rm -rf ");
		add_path(&s, t->workdir);
		buf_addc(&s, ';');
	}
	if (nd > 0) {
		buf_adds(&s, "rmdir");
		for (size_t i = 0; i < nd; i++) {
			buf_addc(&s, ' ');
			add_path(&s, dirs[i]);
			free(dirs[i]);
		}
		buf_adds(&s, " 2>/dev/null;");
	}
	free(paths);
	free(dirs);

	struct buf q;
	buf_init(&q);
	add_quoted_buf(&q, &s);
	buf_adds(b, t->ssh);
	buf_addc(b, ' ');
	add_quoted(b, t->host);
	buf_adds(b, " -- exec sh -c ");
	add_quoted_buf(b, &q);
	buf_adds(b, " </dev/null;");
	buf_finish(&q);
	buf_finish(&s);
}

void transfer_cleanup(struct buf *b, const struct transfer *t,
		      char *const *sent, size_t n_sent,
		      char *const *returned, size_t n_returned)
{
	char *const *lists[2] = { sent, returned };
	size_t ns[2] = { n_sent, n_returned };

	cleanup(b, t, lists, ns, t->unique);
}

int transfer_basefile(struct buf *b, const struct transfer *t,
		      char *const *files, size_t n, char **cause)
{
	for (size_t i = 0; t->unique && i < n; i++) {
		if (is_relative(files[i])) {
			/* GNU parallel: setup_basefile(). */
			*cause = xasprintf("--basefile %s: a relative path "
					   "cannot go to --workdir ..., which "
					   "is each job's own", files[i]);
			return -EINVAL;
		}
	}
	transfer_send(b, t, files, n);
	return 0;
}

void transfer_basefile_cleanup(struct buf *b, const struct transfer *t,
			       char *const *files, size_t n)
{
	char *const *lists[2] = { files, NULL };
	size_t ns[2] = { n, 0 };

	cleanup(b, t, lists, ns, false);
}

char *transfer_workdir(const char *wd)
{
	char *s = xstrdup(wd), *p;
	size_t len;

	/* rsync would take "/./" for its mark; the path means the same. */
	while ((p = strstr(s, "/./"))) {
		memmove(p, p + 2, strlen(p + 2) + 1);
	}
	len = strlen(s);
	while (len > 1 && s[len - 1] == '/') {
		s[--len] = '\0';
	}
	if (strncmp(s, "./", 2) == 0) {
		memmove(s, s + 2, len - 1);
	}
	return s;
}
