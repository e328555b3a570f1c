/*
 * test_schedule — the nightly window ("ЧЧ:ММ-ЧЧ:ММ", across midnight too)
 * and the random moment inside it: before the window, inside it not yet
 * run, just ran (the next night).
 */
#include <string.h>
#include <time.h>

#include "check.h"
#include "syncd/schedule.h"

static void
test_window(void)
{
	struct schedule_window w;
	struct tm tm;
	struct terr e;

	CHECK_INT_EQ(schedule_parse_window("01:00-05:00", &w, &e), 0);
	CHECK_INT_EQ(w.start_min, 60);
	CHECK_INT_EQ(w.end_min, 300);
	CHECK_INT_EQ(schedule_parse_window("23:30-02:00", &w, &e), 0);
	CHECK_INT_EQ(w.end_min, 120);
	CHECK_INT_EQ(schedule_parse_window("25:00-03:00", &w, &e), TERR_ARG);
	CHECK_CONTAINS(e.msg, "ЧЧ:ММ-ЧЧ:ММ");
	CHECK_INT_EQ(schedule_parse_window("01:00-05:00x", &w, &e), TERR_ARG);
	CHECK_INT_EQ(schedule_parse_window("01:00", &w, &e), TERR_ARG);
	CHECK_INT_EQ(schedule_parse_window("03:00-03:00", &w, &e), TERR_ARG);

	/* 12:00, window 01:00-05:00: between 13 h and 17 h from now. */
	CHECK_INT_EQ(schedule_parse_window("01:00-05:00", &w, &e), 0);
	memset(&tm, 0, sizeof(tm));
	tm.tm_hour = 12;
	CHECK_INT_EQ(schedule_delay_s(&w, &tm, 0, 0), 13 * 3600);
	CHECK_INT_EQ(schedule_delay_s(&w, &tm, 4 * 3600 - 1, 0), 17 * 3600 - 1);
	for (uint32_t r = 1; r < 4000000000u; r += 123456789u) {
		int64_t d = schedule_delay_s(&w, &tm, r, 0);

		CHECK(d >= 13 * 3600 && d < 17 * 3600);
	}
	/* 02:00, inside the window, not yet run: within what is left (3 h). */
	tm.tm_hour = 2;
	for (uint32_t r = 1; r < 4000000000u; r += 223456789u)
		CHECK(schedule_delay_s(&w, &tm, r, 0) < 3 * 3600);
	/* Just ran: the next night's window (23 h … 27 h from now). */
	for (uint32_t r = 1; r < 4000000000u; r += 223456789u) {
		int64_t d = schedule_delay_s(&w, &tm, r, 1);

		CHECK(d >= 23 * 3600 && d < 27 * 3600);
	}
	/* A window across midnight: 23:30-02:00 at 01:00 is inside. */
	CHECK_INT_EQ(schedule_parse_window("23:30-02:00", &w, &e), 0);
	tm.tm_hour = 1;
	CHECK(schedule_delay_s(&w, &tm, 12345, 0) < 3600);
}

int
main(void)
{
	test_window();
	return check_summary();
}
