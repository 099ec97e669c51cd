/* Unit tests of the CPU and signal commands' pure parts: signal names. */
#include <signal.h>
#include "unit.h"
#include "lib/signames.h"

TEST(signames_names_and_parse)
{
	char buf[32];

	CHECK(strcmp(signal_name(SIGSTOP, buf, sizeof(buf)), "SIGSTOP") == 0);
	CHECK(strcmp(signal_name(SIGKILL, buf, sizeof(buf)), "SIGKILL") == 0);
	CHECK(strcmp(signal_name(0, buf, sizeof(buf)), "SIG0") == 0);
	CHECK(strcmp(signal_name(200, buf, sizeof(buf)), "SIG200") == 0);
	CHECK_EQ_I64(signal_parse("SIGSTOP"), SIGSTOP);
	CHECK_EQ_I64(signal_parse("stop"), SIGSTOP);
	CHECK_EQ_I64(signal_parse("9"), SIGKILL);
	CHECK_EQ_I64(signal_parse("Cont"), SIGCONT);
	CHECK_EQ_I64(signal_parse("SIGNOPE"), -1);
	CHECK_EQ_I64(signal_parse("0"), -1);
	CHECK_EQ_I64(signal_parse("65"), -1);
	CHECK_EQ_I64(signal_parse("9x"), -1);
	CHECK_EQ_I64(signal_parse(""), -1);
	CHECK(strcmp(signal_effect(SIGSTOP), "stops") == 0);
	CHECK(signal_effect(SIGUSR1) == NULL);
}
