/*
 * Diagnostics on stderr, all prefixed "prun: ".
 */
#ifndef PRUN_LOG_H
#define PRUN_LOG_H

/* Prints "prun: <message>" on stderr. */
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* How many lines warn() has printed so far. */
unsigned long log_lines(void);
/* Prints "prun: <message>" and exits 255; for broken invariants and OOM. */
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
