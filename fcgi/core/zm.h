/*
 * zm.h -- what every Zhimai module shares: return codes and small macros.
 *
 * One scheme everywhere: 0 is OK, a negative value is an error.  Functions
 * that can fail in more than one way a caller must tell apart return one of
 * the ZM_E* codes below; the rest return ZM_ERR.
 *
 * Out of memory, one policy: a failed malloc (calloc, realloc, strdup) is
 * fatal -- zm_oom() logs and aborts, and the master forks a fresh worker.
 * Code outside an arena allocates with zm_xmalloc() and friends, which never
 * return NULL, so no caller carries a recovery path that is never tested.
 * Only caps are recoverable: an arena past its cap (zm_palloc() returns
 * NULL), a body past http.max_body, a buffer past its own limit -- those are
 * the client's doing, and answer ZM_ENOMEM / ZM_ETOOBIG to that request alone.
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
#define ZM_ERANGE_ACCOUNTS (-20)   /* -20..-29 */
#define ZM_ERANGE_INSPECT (-30)    /* -30..-39 */
#define ZM_ERANGE_RESUMES (-40)    /* -40..-49 */
#define ZM_ERANGE_ANALYSIS (-50)   /* -50..-59 */
#define ZM_ERANGE_SERVICES (-60)   /* -60..-69: STORAGE_EFULL -60, LLM_ECANCELED -61, RL_LIMITED -62 */
#define ZM_ERANGE_JOBS (-70)       /* -70..-79 */
#define ZM_ERANGE_MATCHING (-80)   /* -80..-89 */
#define ZM_ERANGE_PARTNERS (-90)   /* -90..-99 */
#define ZM_ERANGE_POINTS (-100)    /* -100..-109 */
#define ZM_ERANGE_PAYMENTS (-110)  /* -110..-119 */
#define ZM_ERANGE_MESSAGES (-120)  /* -120..-129 */
#define ZM_ERANGE_INTERVIEW (-130) /* -130..-139 */
#define ZM_ERANGE_WECHATPAY (-140) /* -140..-159: two tens (services/wechatpay.h) */
#define ZM_ERANGE_TICKETS (-160)   /* -160..-169 */
#define ZM_ERANGE_SPEECH (-170)    /* -170..-179 */

/**
 * A short name for rc: "OK", "EDBDOWN", ... for the shared codes; for a
 * module's own code, its range's name ("accounts", "services", ...); "ERR"
 * for ZM_ERR and anything else.  For logs and tools, never for clients.
 */
const char *zm_strerror(int rc);

/** Log "out of memory" and abort: the one end of a failed malloc. */
_Noreturn void zm_oom(void);

/* malloc, calloc, realloc and strdup that never return NULL (zm_oom() instead).
 * zm_xstrdup(NULL) is NULL. */
void *zm_xmalloc(size_t size);
void *zm_xcalloc(size_t n, size_t size);
void *zm_xrealloc(void *p, size_t size);
char *zm_xstrdup(const char *s);

/* Does rc lie in the range starting at base?  For _Static_assert next to a module's codes. */
#define ZM_IN_RANGE(rc, base) ((rc) <= (base) && (rc) > (base)-10)

/* who a user is, as every layer sees it (accounts stores it; routes ask for it) */
enum { ZM_ROLE_SEEKER = 1, ZM_ROLE_HR = 2, ZM_ROLE_ADMIN = 3 };

#define ZM_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define ZM_UNUSED(x) ((void)(x))

#endif
