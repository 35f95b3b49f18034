/*
 * pubsub.h -- live messages to browsers through nginx's nchan.
 *
 * A message is a small JSON text POSTed to a channel on nchan's publisher
 * (loopback):
 *
 *     POST <events.publish_url>/<channel>
 *
 * Browsers subscribe to the channel over EventSource at a location nginx
 * maps to it (conf/nginx-app.conf.in), behind an authorizer that says who
 * may.  Publishing is best effort: a failed POST is logged (once per
 * outage: again only after a publish succeeded) and dropped, so what a
 * message says must also be readable another way (GET /api/v1/tasks/{id}
 * for task events).  One libcurl handle per process, kept alive between
 * messages; timeouts are short, for a publisher in the middle of its work.
 * Use it from one thread at a time.
 */
#ifndef ZM_PUBSUB_H
#define ZM_PUBSUB_H

#include <json-c/json.h>

#include "zm.h"

/** 1 when live messages are on (events.publish_url set): a caller may skip building a message otherwise. */
int pubsub_enabled(void);

/** Publish json (JSON text) to channel ([A-Za-z0-9_.-]+, e.g. "task_7").  ZM_OK when nchan took it
 *  or when live messages are off (events.publish_url empty); ZM_EINVAL for a bad channel; ZM_ERR when
 *  the POST failed. */
int pubsub_publish(const char *channel, const char *json);

/** pubsub_publish of o's compact text (o stays the caller's). */
int pubsub_publish_json(const char *channel, json_object *o);

#endif
