/*
 * mail.h -- outgoing e-mail: render a message, hand it to a transport.
 *
 * Modelled on Django's e-mail backends: mail_build() renders one RFC 5322 /
 * MIME message (UTF-8 text, optional HTML alternative, every non-ASCII
 * header RFC 2047-encoded), and a transport named in mail_conf_t delivers
 * it: "file" drops it into a directory (development, like Django's
 * filebased backend), "smtp" sends it with libcurl.
 *
 * Everything returned comes from the caller's arena.  Input that could
 * smuggle a header or an SMTP command (CR, LF in an address, a name or the
 * subject; an address that is not plain local@domain) is refused with
 * ZM_EINVAL before anything is rendered or sent.
 *
 * Call mail_init() once at process start, before any thread sends mail.
 */
#ifndef ZM_MAIL_H
#define ZM_MAIL_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "zm.h"

/* Caps on input, past which mail_build() returns ZM_ETOOBIG. */
#define MAIL_ADDR_MAX 254        /* RFC 5321 path limit less the brackets */
#define MAIL_NAME_MAX 256        /* display name, bytes */
#define MAIL_SUBJECT_MAX 2048    /* bytes */
#define MAIL_BODY_MAX (8u << 20) /* each of text and HTML, bytes */

/** One message: a single recipient, UTF-8 throughout. */
typedef struct {
    const char *from_addr; /* local@domain; NULL in mail_send() = mail_conf_t.from_addr */
    const char *from_name; /* display name, UTF-8, NULL or "" for none */
    const char *to_addr;   /* local@domain */
    const char *to_name;   /* display name, UTF-8, NULL or "" for none */
    const char *subject;   /* UTF-8, may be "" */
    const char *text;      /* text/plain body, UTF-8, required (may be "") */
    const char *html;      /* text/html alternative, UTF-8, NULL for none */
} mail_msg_t;

/** Where and how to deliver. */
typedef struct {
    const char *transport; /* "file" or "smtp" */
    const char *file_dir;  /* file: directory for .eml files, created 0700 */
    const char *smtp_url;  /* smtp: smtp://host:port or smtps://host:port */
    int smtp_starttls;     /* smtp: refuse to send unless STARTTLS succeeds */
    const char *smtp_user; /* smtp: NULL or "" for no AUTH */
    const char *smtp_password;
    long timeout_ms;       /* smtp: whole transaction, <= 0 means 30 s */
    const char *from_addr; /* default sender when the message has none */
    const char *from_name;
} mail_conf_t;

/**
 * Initialise libsodium and libcurl.  Call once at start-up, before threads:
 * curl_global_init() is not safe to race.  Returns 0 or ZM_ERR.
 */
int mail_init(void);

/** Release what mail_init() set up, at process exit. */
void mail_cleanup(void);

/**
 * 0 if addr is a plain ASCII local@domain address of at most MAIL_ADDR_MAX
 * bytes (dot-atom local part of at most 64 bytes, host name domain), else
 * ZM_EINVAL.  Quoted local parts, address literals and non-ASCII
 * (SMTPUTF8) addresses are refused.
 */
int mail_check_addr(const char *addr);

/**
 * Render m as an RFC 5322 message with CRLF line endings into *out (arena,
 * NUL-terminated; *outlen bytes without the NUL).
 *
 * Date is now (Unix seconds) in UTC; Message-ID is random at
 * message_id_domain (NULL = the sender's domain).  The text body, and the
 * HTML body when there is one (as multipart/alternative), are base64 in
 * lines of 76.
 *
 * Returns 0, ZM_EINVAL (missing field, CR/LF in a header value, bad
 * address or domain, invalid UTF-8, now out of range), ZM_ETOOBIG (over a
 * MAIL_*_MAX cap), ZM_ENOMEM (arena full) or ZM_ERR (libsodium).
 */
int mail_build(zm_arena_t *a, const mail_msg_t *m, const char *message_id_domain, int64_t now, char **out,
               size_t *outlen);

/**
 * Deliver an already rendered message (data, len bytes) through c's
 * transport with envelope sender from_addr and recipient to_addr.
 *
 * Rendering once and delivering many times lets a retrying queue keep the
 * same Message-ID across attempts, so receivers can drop duplicates.
 *
 * *detail (arena, if detail is not NULL): on success the path written for
 * "file", NULL for "smtp"; on failure a short reason, e.g.
 * "smtp 550: 5.1.1 no such user".
 *
 * Returns 0; ZM_EAGAIN on a transient failure worth retrying (connection
 * refused or reset, timeout, DNS, 4xx reply, disk full); ZM_ERR on a
 * permanent one (5xx reply, server without required STARTTLS, I/O error);
 * ZM_EINVAL for a bad address or configuration; ZM_ENOMEM.
 */
int mail_deliver(zm_arena_t *a, const mail_conf_t *c, const char *from_addr, const char *to_addr, const char *data,
                 size_t len, char **detail);

/**
 * mail_build() m at the current time (sender from c when m has none,
 * Message-ID at the sender's domain), then mail_deliver() it.  Returns and
 * *detail as for those two.
 */
int mail_send(zm_arena_t *a, const mail_conf_t *c, const mail_msg_t *m, char **detail);

#endif
