/* The closing report of a command that lists events through a ring buffer: how many it
 * printed and how many were lost (ring buffer full), never hidden. */
#ifndef WHYSLOW_EVSUMMARY_H
#define WHYSLOW_EVSUMMARY_H

#include <stdbool.h>
#include <stdint.h>

/* JSON: {"command":..,"timestamp":..,"summary":true,"events":N,"lost_events":L};
 * text: "L events lost" when L > 0. Flushes stdout. */
void event_summary(const char *command, bool json, uint64_t events, uint64_t lost);

#endif
