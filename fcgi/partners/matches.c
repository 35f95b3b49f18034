/*
 * matches.c -- the caller's pairs: accepted partners with their contacts
 * (the only answer outside the owner's own profile that carries contacts),
 * and pending likes sent and received, without them.
 */
#include "partners.h"

#define MATCH_SQL(extra)                                                                                               \
    "SELECT " PARTNERS_PUBLIC_COLS extra ", m.user1_id, m.status, DATE_FORMAT(m.updated_at, '%Y-%m-%dT%H:%i:%sZ') "    \
    "FROM partners_match m JOIN partners_profile p ON p.user_id = IF(m.user1_id = ?, m.user2_id, m.user1_id) "         \
    "WHERE (m.user1_id = ? OR m.user2_id = ?) AND m.status IN ('accepted', 'pending') "                                \
    "ORDER BY m.updated_at DESC, m.id DESC"

int partners_matches(db_t *db, zm_arena_t *a, int64_t user_id, json_object **out)
{
    db_res_t res;
    json_object *accepted, *sent, *received;
    int rc = db_query(db, a, &res, MATCH_SQL(", p.contact_email, p.contact_wechat, p.contact_linkedin"), "iii", user_id,
                      user_id, user_id);

    if (rc != ZM_OK) {
        return rc;
    }
    accepted = json_object_new_array();
    sent = json_object_new_array();
    received = json_object_new_array();
    for (size_t r = 0; r < res.nrows; r++) {
        json_object *o = partners_public_json(a, &res, r, 0);
        unsigned c = PARTNERS_NPUBLIC;
        int is_accepted = db_val(&res, r, c + 4)[0] == 'a';

        json_object_object_add(o, "since", json_object_new_string(db_val(&res, r, c + 5)));
        if (is_accepted) {
            /* contacts only here: both sides said yes */
            json_object_object_add(
                o, "contacts",
                partners_contacts_json(db_val(&res, r, c), db_val(&res, r, c + 1), db_val(&res, r, c + 2)));
            json_object_array_add(accepted, o);
        } else if (db_int(&res, r, c + 3) == user_id) {
            json_object_array_add(sent, o);
        } else {
            json_object_array_add(received, o);
        }
    }
    *out = json_object_new_object();
    json_object_object_add(*out, "accepted", accepted);
    json_object_object_add(*out, "sent", sent);
    json_object_object_add(*out, "received", received);
    return ZM_OK;
}
