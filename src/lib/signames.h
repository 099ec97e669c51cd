/* Signal names from glibc (sigabbrev_np), not a hand-typed table: "SIGSTOP" for 19,
 * "SIGRT3"-style names for real-time signals, "SIG<n>" for numbers glibc does not name. */
#ifndef WHYSLOW_SIGNAMES_H
#define WHYSLOW_SIGNAMES_H

#include <stddef.h>

/* Name of sig written into buf (and returned). */
const char *signal_name(int sig, char *buf, size_t size);
/* A signal by name ("SIGSTOP", "STOP", any case) or number (1..64); -1 if neither. */
int signal_parse(const char *s);
/* Signals that stop, kill or continue a process: the ones that make stalls (case C6). */
const char *signal_effect(int sig); /* "stops", "kills", "continues" or NULL */

#endif
