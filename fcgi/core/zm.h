/*
 * zm.h -- what every Zhimai module shares: return codes and small macros.
 *
 * One scheme everywhere: 0 is OK, a negative value is an error.  Functions
 * that can fail in more than one way a caller must tell apart return one of
 * the ZM_E* codes below; the rest return ZM_ERR.
 */
#ifndef ZM_H
#define ZM_H

#include <stddef.h>
#include <stdint.h>

#define ZM_OK 0
#define ZM_ERR (-1)     /* generic failure (logged where it happened) */
#define ZM_EDBDOWN (-2) /* database unreachable: answer 503 + Retry-After */
#define ZM_ENOTFOUND (-3)
#define ZM_EDUP (-4)    /* unique key violated */
#define ZM_EINVAL (-5)  /* bad input */
#define ZM_ETOOBIG (-6) /* input over its cap */
#define ZM_EAGAIN (-7)  /* transient: retry later (deadlock, lock wait) */
#define ZM_ENOMEM (-8)

#define ZM_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define ZM_UNUSED(x) ((void)(x))

#endif
