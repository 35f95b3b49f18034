/*
 * The work orders' state table without a database (tickets/tickets.h): which moves staff may make,
 * and that unknown states move nowhere.  The rest (the owner's reply and reopen window, the row
 * locks, the messages) is tests/api/test_tickets.py's.
 */
#include "tickets.h"
#include "zt.h"

static void test_transitions(void)
{
    /* the forward path */
    ZT_CHECK(tickets_transition_ok("open", "in_progress"));
    ZT_CHECK(tickets_transition_ok("in_progress", "waiting_user"));
    ZT_CHECK(tickets_transition_ok("waiting_user", "in_progress"));
    ZT_CHECK(tickets_transition_ok("in_progress", "resolved"));
    ZT_CHECK(tickets_transition_ok("resolved", "closed"));
    /* staff reopen */
    ZT_CHECK(tickets_transition_ok("resolved", "in_progress"));
    ZT_CHECK(tickets_transition_ok("closed", "in_progress"));
    /* never back to open, nothing from closed but a reopen, no staying put */
    ZT_CHECK(!tickets_transition_ok("in_progress", "open"));
    ZT_CHECK(!tickets_transition_ok("closed", "resolved"));
    ZT_CHECK(!tickets_transition_ok("closed", "waiting_user"));
    ZT_CHECK(!tickets_transition_ok("resolved", "waiting_user"));
    ZT_CHECK(!tickets_transition_ok("open", "open"));
    ZT_CHECK(!tickets_transition_ok("open", "done"));
    ZT_CHECK(!tickets_transition_ok("bogus", "closed"));
    ZT_CHECK(!tickets_transition_ok(NULL, "closed"));
}

int main(void)
{
    ZT_RUN(test_transitions);
    return zt_done();
}
