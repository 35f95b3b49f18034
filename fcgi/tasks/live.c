/*
 * live.c -- a user's live channel (see live.h).
 */
#include "live.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "pubsub.h"

int live_user_channel(int64_t user_id, char *buf, size_t n)
{
    int k;

    if (user_id <= 0 || buf == NULL) {
        return ZM_EINVAL;
    }
    k = snprintf(buf, n, "user_%lld", (long long)user_id);
    return k < 0 || (size_t)k >= n ? ZM_EINVAL : ZM_OK;
}

static int publish(const char *channel, const char *type, json_object *msg)
{
    char at[32];
    time_t now;
    struct tm tm;

    if (type == NULL || type[0] == '\0' || msg == NULL || !json_object_is_type(msg, json_type_object)) {
        return ZM_EINVAL;
    }
    if (!pubsub_enabled()) {
        return ZM_OK;
    }
    if (!json_object_object_get_ex(msg, "type", NULL)) {
        json_object_object_add(msg, "type", json_object_new_string(type));
    }
    if (!json_object_object_get_ex(msg, "at", NULL)) {
        now = (time_t)zm_now_s();
        gmtime_r(&now, &tm);
        strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm);
        json_object_object_add(msg, "at", json_object_new_string(at));
    }
    return pubsub_publish_json(channel, msg);
}

int live_user_publish(int64_t user_id, const char *type, json_object *msg)
{
    char channel[32];

    if (live_user_channel(user_id, channel, sizeof(channel)) != ZM_OK) {
        return ZM_EINVAL;
    }
    return publish(channel, type, msg);
}

const char *live_role_channel(const char *role)
{
    if (role == NULL) {
        return "broadcast";
    }
    if (strcmp(role, "seeker") == 0) {
        return "role_seeker";
    }
    if (strcmp(role, "hr") == 0) {
        return "role_hr";
    }
    if (strcmp(role, "admin") == 0) {
        return "role_admin";
    }
    return NULL;
}

int live_role_publish(const char *role, const char *type, json_object *msg)
{
    const char *channel = live_role_channel(role);

    return channel ? publish(channel, type, msg) : ZM_EINVAL;
}
