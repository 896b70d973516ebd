/*
 * Diagnostics on stderr, all prefixed "prun: ".
 */
#ifndef PRUN_LOG_H
#define PRUN_LOG_H

/* Prints "prun: <message>" on stderr. */
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "prun: <message>" and exits 255; for broken invariants and OOM. */
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
