/*
 * uuid.h -- the one UUID helper.  Rows keep UUIDs as 32 lowercase hex
 * digits; the API shows them dashed (as DRF does) and takes either form.
 */
#ifndef ZM_UUID_H
#define ZM_UUID_H

#include "arena.h"

/** A new random (version 4) UUID as 32 lowercase hex digits. */
void zm_uuid4(char out[33]);

/** Parse a UUID in dashed or plain hex form into 32 lowercase hex digits; ZM_EINVAL if it is none. */
int zm_uuid_parse(const char *s, char out[33]);

/** Is s a UUID in dashed or plain hex form? */
int zm_uuid_valid(const char *s);

/** The dashed form of a 32-hex UUID in the arena; anything else comes back as it is (NULL too). */
const char *zm_uuid_dashed(zm_arena_t *a, const char *hex);

#endif
