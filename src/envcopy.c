/*
 * --env for remote jobs.  GNU parallel (vars_to_export, env_as_eval)
 * copies parallel_bash_environment and the named variables, each name
 * also as the bash function bash exports for it (BASH_FUNC_name%%, or
 * BASH_FUNC_name() of older bash), only those that are set.  "_" stands
 * for every variable not in the record of a clean environment.  Never
 * copied: PARALLEL_ENV (its text is the prefix instead), the variable "_"
 * and the job's own PARALLEL_SEQ and the like, which the remote side sets
 * per job.
 */
#include "envcopy.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "quote.h"
#include "util.h"

/* Set per job by the remote side: a copy would be stale. */
static const char *const per_job[] = {
	"PARALLEL_PID", "PARALLEL_SEQ", "PARALLEL_SSHLOGIN",
	"PARALLEL_SSHHOST", "PARALLEL_HOSTGROUPS", "PARALLEL_ARGHOSTGROUPS",
	"PARALLEL_JOBSLOT",
};

struct pairs {
	char **v;       /* owned, NULL-terminated */
	size_t n;
};

/* The length of the name of an environ entry. */
static size_t name_len(const char *e)
{
	return strcspn(e, "=");
}

/* True if the name s[0..len) is n. */
static bool name_is(const char *s, size_t len, const char *n)
{
	return strlen(n) == len && memcmp(s, n, len) == 0;
}

static bool never_copied(const char *name, size_t len)
{
	char *n = xasprintf("%.*s", (int)len, name);
	bool never = strcmp(n, "_") == 0 || strstr(n, "PARALLEL_ENV");

	for (size_t i = 0; !never && i < sizeof(per_job) / sizeof(*per_job);
	     i++) {
		never = strcmp(n, per_job[i]) == 0;
	}
	free(n);
	return never;
}

/* The entry of env named name[0..len), or NULL. */
static const char *lookup(char *const *env, const char *name, size_t len)
{
	for (size_t i = 0; env && env[i]; i++) {
		if (name_len(env[i]) == len &&
		    memcmp(env[i], name, len) == 0) {
			return env[i];
		}
	}
	return NULL;
}

/* Adds the entry named name[0..len) if it is set and not there yet. */
static void add(struct pairs *p, char *const *env, const char *name,
		size_t len)
{
	const char *e = lookup(env, name, len);

	if (!e || never_copied(name, len) || lookup(p->v, name, len)) {
		return;
	}
	p->v = xreallocarray(p->v, p->n + 2, sizeof(char *));
	p->v[p->n++] = xstrdup(e);
	p->v[p->n] = NULL;
}

/* Adds the variable name[0..len) and the bash function of that name. */
static void add_name(struct pairs *p, char *const *env, const char *name,
		     size_t len)
{
	add(p, env, name, len);
	for (int old = 0; old < 2; old++) {
		char *f = xasprintf("BASH_FUNC_%.*s%s", (int)len, name,
				    old ? "()" : "%%");
		add(p, env, f, strlen(f));
		free(f);
	}
}

static bool is_ignored(char *const *ignored, const char *name, size_t len)
{
	for (size_t i = 0; ignored && ignored[i]; i++) {
		if (name_is(name, len, ignored[i])) {
			return true;
		}
	}
	return false;
}

char **envcopy_pairs(const char *names, char *const *env,
		     char *const *ignored)
{
	struct pairs p = {xcalloc(1, sizeof(char *)), 0};
	const char *s = names ? names : "";

	add_name(&p, env, "parallel_bash_environment", 25);
	while (*s) {
		size_t len = strcspn(s, ",");
		if (len == 1 && s[0] == '_') {
			for (size_t i = 0; env && env[i]; i++) {
				size_t n = name_len(env[i]);
				if (!is_ignored(ignored, env[i], n)) {
					add_name(&p, env, env[i], n);
				}
			}
		} else if (len > 0) {
			add_name(&p, env, s, len);
		}
		s += len + (s[len] == ',');
	}
	return p.v;
}

void envcopy_free(char **pairs)
{
	for (size_t i = 0; pairs && pairs[i]; i++) {
		free(pairs[i]);
	}
	free(pairs);
}

/* True if name[0..len) is a shell variable's name. */
static bool is_identifier(const char *name, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		bool digit = c >= '0' && c <= '9';
		if (!(c == '_' || (c >= 'a' && c <= 'z') ||
		      (c >= 'A' && c <= 'Z') || (i > 0 && digit))) {
			return false;
		}
	}
	return len > 0;
}

char *envcopy_script(char *const *pairs)
{
	struct buf b;

	buf_init(&b);
	buf_adds(&b, "");
	for (size_t i = 0; pairs && pairs[i]; i++) {
		const char *e = pairs[i];
		size_t len = name_len(e);
		const char *value = e + len + (e[len] == '=');
		/* BASH_FUNC_name%% (or name() of older bash) */
		size_t f = len > 12 && strncmp(e, "BASH_FUNC_", 10) == 0 &&
				   (memcmp(e + len - 2, "%%", 2) == 0 ||
				    memcmp(e + len - 2, "()", 2) == 0)
			   ? len - 12 : 0;
		if (f && strncmp(value, "() {", 4) == 0 &&
		    quote_is_plain(e + 10, f)) {
			buf_addf(&b, "%.*s%s\ncommand export -f %.*s "
				 "2>/dev/null\n", (int)f, e + 10, value,
				 (int)f, e + 10);
		} else if (is_identifier(e, len)) {
			buf_addf(&b, "export %.*s=", (int)len, e);
			quote_append(&b, value, strlen(value));
			buf_addc(&b, '\n');
		}
	}
	return buf_steal(&b);
}

char *envcopy_prefix(const char *value)
{
	/* As Perl's truth: "0" is as good as unset. */
	if (!value || !value[0] || strcmp(value, "0") == 0) {
		return NULL;
	}
	/* GNU parallel reads \001 as a newline, which is easier to quote. */
	char *text = xasprintf("%s\n", value);
	for (char *c = text; *c; c++) {
		if (*c == '\001') {
			*c = '\n';
		}
	}
	return text;
}
