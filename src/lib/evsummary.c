/* The closing report of event-listing commands; see evsummary.h. */
#include <stdio.h>
#include "lib/evsummary.h"
#include "lib/out.h"

void event_summary(const char *command, bool json, uint64_t events, uint64_t lost)
{
	if (json) {
		struct json j;

		json_begin(&j, stdout, command);
		json_bool(&j, "summary", true);
		json_u64(&j, "events", events);
		json_u64(&j, "lost_events", lost);
		json_end(&j);
	} else if (lost) {
		printf("%llu events lost\n", (unsigned long long)lost);
	}
	fflush(stdout);
}
