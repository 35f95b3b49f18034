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
#define ZM_ETOKEN (-9)    /* a bearer token that is invalid, used, expired or revoked */
#define ZM_EEXPIRED (-10) /* an access token past its exp */

/*
 * Each module's own failures take codes from its range, so a code read in a
 * log names its module (zm_strerror).  -1..-19 are the shared ZM_E* above.
 */
#define ZM_ERANGE_ACCOUNTS (-20) /* -20..-29 */
#define ZM_ERANGE_RESUMES (-40)  /* -40..-49 */
#define ZM_ERANGE_ANALYSIS (-50) /* -50..-59 */
#define ZM_ERANGE_SERVICES (-60) /* -60..-69: storage, llm, ... */
#define ZM_ERANGE_JOBS (-70)     /* -70..-79 */
#define ZM_ERANGE_MATCHING (-80)
#define ZM_ERANGE_PARTNERS (-90)
#define ZM_ERANGE_POINTS (-100)
#define ZM_ERANGE_PAYMENTS (-110)
#define ZM_ERANGE_MESSAGES (-120)
#define ZM_ERANGE_INTERVIEW (-130)

/* who a user is, as every layer sees it (accounts stores it; routes ask for it) */
enum { ZM_ROLE_SEEKER = 1, ZM_ROLE_HR = 2, ZM_ROLE_ADMIN = 3 };

#define ZM_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define ZM_UNUSED(x) ((void)(x))

#endif
