/*
 * --record-env and --env.  GNU parallel copies the variables --env names
 * into the environment of remote jobs; local jobs get the whole
 * environment anyway, so for them --env _ only needs its record to exist,
 * as GNU parallel checks.  The record lives where GNU parallel keeps it,
 * so that both read the same file.  $PARALLEL_ENV, which env_parallel and
 * env_prun set, is shell text that GNU parallel runs before every
 * command, local or remote, and keeps out of the jobs' environment.
 */
#include "gnuenv.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "envcopy.h"
#include "log.h"
#include "util.h"

extern char **environ;

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * GNU parallel's config dir: the first that exists of $PARALLEL_HOME,
 * $XDG_CONFIG_HOME/parallel, each of $XDG_CONFIG_DIRS' parallel and
 * ~/.parallel; else ~/.parallel.  Owned by the caller.
 */
static char *config_dir(void)
{
	const char *pdir = getenv("PARALLEL_HOME");
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *dirs = getenv("XDG_CONFIG_DIRS");
	const char *home = getenv("HOME");
	char *d;

	if (pdir && pdir[0] && is_dir(pdir)) {
		return xstrdup(pdir);
	}
	if (xdg && xdg[0]) {
		d = xasprintf("%s/parallel", xdg);
		if (is_dir(d)) {
			return d;
		}
		free(d);
	}
	while (dirs && *dirs) {
		size_t len = strcspn(dirs, ":");
		d = xasprintf("%.*s/parallel", (int)len, dirs);
		if (len > 0 && is_dir(d)) {
			return d;
		}
		free(d);
		dirs += len + (dirs[len] == ':');
	}
	return xasprintf("%s/.parallel", home ? home : "");
}

int gnuenv_record(char **cause)
{
	char *dir = config_dir();
	char *path = xasprintf("%s/ignored_vars", dir);
	FILE *f = NULL;

	if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
		goto fail;
	}
	f = fopen(path, "w");
	if (!f) {
		goto fail;
	}
	for (char **e = environ; *e; e++) {
		size_t len = strcspn(*e, "=");
		fprintf(f, "%.*s\n", (int)len, *e);
	}
	if (fclose(f) != 0) {
		goto fail;
	}
	free(dir);
	free(path);
	return 0;
fail:
	*cause = xasprintf("--record-env: cannot write '%s': %s", path,
			   strerror(errno));
	free(dir);
	free(path);
	return -1;
}

int gnuenv_check(const char *names, char **cause)
{
	const char *p = names;

	while (*p) {
		size_t len = strcspn(p, ",");
		if (len == 1 && p[0] == '_') {
			char *dir = config_dir();
			char *path = xasprintf("%s/ignored_vars", dir);
			int ok = access(path, R_OK) == 0;
			free(dir);
			free(path);
			if (!ok) {
				*cause = xstrdup("--env _: run 'prun "
						 "--record-env' in a clean "
						 "environment first");
				return -1;
			}
		}
		p += len + (p[len] == ',');
	}
	return 0;
}

/* The names of the record, as an owned NULL-terminated array. */
static int read_ignored(char ***out, char **cause)
{
	char *dir = config_dir();
	char *path = xasprintf("%s/ignored_vars", dir);
	FILE *f = fopen(path, "r");
	char **v = xcalloc(1, sizeof(char *));
	size_t n = 0, cap = 0;
	char *line = NULL;
	ssize_t len;

	free(dir);
	if (!f) {
		*cause = xstrdup("--env _: run 'prun --record-env' in a clean "
				 "environment first");
		free(path);
		free(v);
		return -1;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		if (len > 0 && line[len - 1] == '\n') {
			line[len - 1] = '\0';
		}
		v = xreallocarray(v, n + 2, sizeof(char *));
		v[n++] = xstrdup(line);
		v[n] = NULL;
	}
	free(line);
	fclose(f);
	free(path);
	*out = v;
	return 0;
}

int gnuenv_pairs(const char *names, char ***pairs, char **cause)
{
	char **ignored = NULL;
	bool all = false;

	for (const char *p = names ? names : ""; *p;) {
		size_t len = strcspn(p, ",");
		all |= len == 1 && p[0] == '_';
		p += len + (p[len] == ',');
	}
	if (all && read_ignored(&ignored, cause) < 0) {
		return -1;
	}
	*pairs = envcopy_pairs(names, environ, ignored);
	envcopy_free(ignored);
	return 0;
}

int gnuenv_take_prefix(char **prefix, char **cause)
{
	const char *value = getenv("PARALLEL_ENV");
	char *text = NULL;
	struct stat st;

	*prefix = NULL;
	if (!value) {
		return 0;
	}
	if (value[0] && stat(value, &st) == 0) {
		/* A big environment comes as a file (or a fifo) to read. */
		FILE *f = fopen(value, "r");
		struct buf b;
		char chunk[4096];
		size_t n;

		if (!f) {
			*cause = xasprintf("$PARALLEL_ENV: cannot read '%s': "
					   "%s", value, strerror(errno));
			return -1;
		}
		buf_init(&b);
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
			buf_add(&b, chunk, n);
		}
		fclose(f);
		n = b.len;
		text = buf_steal(&b);
		if (strlen(text) != n) {
			warn("\\0 (NUL) in environment is not supported");
		}
	}
	*prefix = envcopy_prefix(text ? text : value);
	free(text);
	unsetenv("PARALLEL_ENV");
	return 0;
}
