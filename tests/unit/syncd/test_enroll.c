/*
 * test_enroll — the Russian messages a person sees for the hub's token
 * errors (used, expired, unknown) and a message even for no code.
 */
#include "check.h"
#include "syncd/enroll.h"

static void
test_token_messages(void)
{
	CHECK_CONTAINS(enroll_token_message("token_used"), "уже использован");
	CHECK_CONTAINS(enroll_token_message("token_expired"), "истёк");
	CHECK_CONTAINS(enroll_token_message("token_unknown"), "не знает");
	CHECK(enroll_token_message(NULL) != NULL);
}

int
main(void)
{
	test_token_messages();
	return check_summary();
}
