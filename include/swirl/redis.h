/* swirl/redis.h — an asynchronous Redis client on a swirl loop.
 *
 * One swirl_redis_t is one connection (TCP or a Unix socket) driven by the
 * loop it was made for; hiredis speaks the protocol. Commands are sent as
 * soon as they are issued (pipelining: any number in flight, answered in
 * order), each with its own callback. AUTH and SELECT are sent at connect
 * and again after each reconnect, and the subscriptions come back too.
 *
 * Callbacks run on the loop's thread. Every call may be made from inside
 * any of the client's callbacks, free included. A call that returns an
 * error never runs a callback for it. A command's callback runs exactly
 * once: with status 0 and the reply, or with a negative code and no reply
 * (swirl_redis_errmsg() then says why):
 *   -ETIMEDOUT      no reply within command_timeout (the connection is then
 *                   dropped and reconnected: a late reply would answer the
 *                   next command)
 *   SWIRL_ECLOSED   the connection went away before the reply came
 *   SWIRL_EPROTO    the server broke the protocol (the connection is dropped)
 *   -ECANCELED      swirl_redis_close() or swirl_redis_free() came first
 *   -EACCES         AUTH was refused at (re)connect; -EINVAL: SELECT was
 *   SWIRL_EQUEUEFULL never here: a full queue is the call's own error.
 * A reply of type SWIRL_REDIS_ERROR ("-ERR ...") is a reply, status 0. */
#ifndef SWIRL_REDIS_H
#define SWIRL_REDIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <swirl/event.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A Redis connection (opaque). */
typedef struct swirl_redis swirl_redis_t;
/* A reply, valid only during the callback that receives it (opaque). */
typedef struct swirl_redis_reply swirl_redis_reply_t;

/* Reply types (RESP2). */
enum {
    SWIRL_REDIS_STRING = 1,  /* bulk string: swirl_redis_reply_str */
    SWIRL_REDIS_ARRAY = 2,   /* swirl_redis_reply_count / _element */
    SWIRL_REDIS_INTEGER = 3, /* swirl_redis_reply_integer */
    SWIRL_REDIS_NIL = 4,     /* a nil bulk string or array */
    SWIRL_REDIS_STATUS = 5,  /* "+OK": swirl_redis_reply_str */
    SWIRL_REDIS_ERROR = 6,   /* "-ERR ...": swirl_redis_reply_str */
};

/* Connection states (swirl_redis_state). */
enum {
    SWIRL_REDIS_IDLE = 0,         /* made, not connected yet */
    SWIRL_REDIS_CONNECTING = 1,   /* connect, AUTH, SELECT under way */
    SWIRL_REDIS_READY = 2,        /* commands go out at once */
    SWIRL_REDIS_RECONNECTING = 3, /* lost; waiting for the next attempt */
    SWIRL_REDIS_CLOSED = 4,       /* closed for good */
};

/* Events given to the event callback. */
enum {
    /* Connected and ready (status 0), after the first connect and after each
     * reconnect; or the first connect failed (status < 0), and the client is
     * closed: there is no reconnect before a first success. */
    SWIRL_REDIS_EV_CONNECT = 1,
    /* The connection was lost (status < 0); a reconnect is scheduled. */
    SWIRL_REDIS_EV_DISCONNECT = 2,
    /* Closed for good: swirl_redis_close() (status 0), a loss with reconnect
     * off, or AUTH/SELECT refused at a reconnect (status < 0). */
    SWIRL_REDIS_EV_CLOSE = 3,
};

/* A client's options (swirl_redis_options_init fills the defaults). */
typedef struct {
    double connect_timeout;   /* seconds for connect + AUTH + SELECT (default 3; <= 0: none) */
    double command_timeout;   /* seconds for each reply (default 0: none) */
    const char *password;     /* AUTH at connect (NULL: none); copied */
    size_t password_len;      /* its length (binary-safe) */
    int database;             /* SELECT at connect (-1, the default: none) */
    bool reconnect;           /* reconnect after a loss (default true) */
    double reconnect_min;     /* first delay, seconds (default 0.1), doubled each time */
    double reconnect_max;     /* the delay's cap, seconds (default 5) */
    size_t queue_max;         /* commands held while not connected (default 1024; 0: refuse) */
    size_t max_pending;       /* bytes of one unfinished reply element held (a bulk string
                               * or a line): more drops the connection, SWIRL_ETOOBIG
                               * (default 512 MiB, Redis's proto-max-bulk-len; 0: default) */
} swirl_redis_options_t;

/* Fill *o with the defaults above. */
SWIRL_API void swirl_redis_options_init(swirl_redis_options_t *o);

/* A command's reply (status 0, reply set) or its failure (status < 0,
 * reply NULL). */
typedef void (*swirl_redis_reply_cb)(swirl_redis_t *r, int status, const swirl_redis_reply_t *reply,
                                     void *user);
/* A connection event: SWIRL_REDIS_EV_* and its status. */
typedef void (*swirl_redis_event_cb)(swirl_redis_t *r, int event, int status, void *user);
/* A pub/sub reply: the array as Redis sends it — ["message", channel,
 * payload], ["pmessage", pattern, channel, payload], or the confirmations
 * ["subscribe"|"psubscribe"|"unsubscribe"|"punsubscribe", name, count]. */
typedef void (*swirl_redis_message_cb)(swirl_redis_t *r, const swirl_redis_reply_t *msg, void *user);

/* Make a client for `loop` (NULL options: the defaults). The client never
 * outlives the loop: free it before the loop. 0, SWIRL_EBADARG, -ENOMEM. */
SWIRL_API int swirl_redis_new(swirl_redis_t **out, swirl_loop_t *loop,
                              const swirl_redis_options_t *opt);

/* Free the client: the connection is closed, each pending command's
 * callback runs once with -ECANCELED (inside this call, or when the
 * callback that called it returns), and nothing runs after. NULL: no-op. */
SWIRL_API void swirl_redis_free(swirl_redis_t *r);

/* The event and message callbacks (either may be NULL). Set them before
 * connect; subscribing needs a message callback. */
SWIRL_API void swirl_redis_set_event_cb(swirl_redis_t *r, swirl_redis_event_cb cb, void *user);
SWIRL_API void swirl_redis_set_message_cb(swirl_redis_t *r, swirl_redis_message_cb cb, void *user);

/* Start connecting to host:port (an IP address or a name; a name is
 * resolved by hiredis, blocking) or to the Unix socket `path`. Returns 0
 * and reports the outcome through SWIRL_REDIS_EV_CONNECT, never from
 * inside this call; SWIRL_EBADADDR, SWIRL_EBADPORT, SWIRL_ESTATE (not
 * idle). Commands issued before the connection is ready are queued. */
SWIRL_API int swirl_redis_connect(swirl_redis_t *r, const char *host, int port);
SWIRL_API int swirl_redis_connect_unix(swirl_redis_t *r, const char *path);

/* Send a command: argc arguments, argv[i] of lens[i] bytes (binary-safe;
 * lens NULL: NUL-terminated strings). `cb` runs once (see the top).
 * SUBSCRIBE, PSUBSCRIBE, UNSUBSCRIBE and PUNSUBSCRIBE are taken as
 * swirl_redis_subscribe/_unsubscribe (their replies go to the message
 * callback; `cb` must be NULL). While subscribed, only those are allowed.
 * Returns 0; SWIRL_EBADARG (no argument, NULL cb), SWIRL_ENOTSUP (MONITOR),
 * SWIRL_ESTATE (closed, or subscribed), SWIRL_EQUEUEFULL (not connected
 * and queue_max commands already wait), -ENOMEM. */
SWIRL_API int swirl_redis_command(swirl_redis_t *r, int argc, const char *const *argv,
                                  const size_t *lens, swirl_redis_reply_cb cb, void *user);

/* Subscribe to a channel (or a pattern): its messages go to the message
 * callback, from now on and after each reconnect. Subscribing twice to the
 * same name is one subscription. Returns 0; SWIRL_EBADARG (no message
 * callback, empty name), SWIRL_ESTATE (closed), -EBUSY (its unsubscribe is
 * still under way), -ENOMEM. */
SWIRL_API int swirl_redis_subscribe(swirl_redis_t *r, bool pattern, const char *name, size_t len);

/* Unsubscribe from one name, or (name NULL) from every channel (or
 * pattern). The confirmation comes to the message callback. 0, -ENOENT
 * (not subscribed to it), SWIRL_ESTATE (closed). */
SWIRL_API int swirl_redis_unsubscribe(swirl_redis_t *r, bool pattern, const char *name, size_t len);

/* Close: no reconnect; pending commands get -ECANCELED (inside this call,
 * or when the calling callback returns), then SWIRL_REDIS_EV_CLOSE(0).
 * A closed client only takes swirl_redis_free. */
SWIRL_API void swirl_redis_close(swirl_redis_t *r);

/* SWIRL_REDIS_IDLE ... SWIRL_REDIS_CLOSED. */
SWIRL_API int swirl_redis_state(const swirl_redis_t *r);
/* Commands sent or queued and not answered yet. */
SWIRL_API size_t swirl_redis_pending(const swirl_redis_t *r);
/* Subscriptions held (channels and patterns). */
SWIRL_API size_t swirl_redis_subscriptions(const swirl_redis_t *r);
/* The socket's fd, or -1 while not connected. */
SWIRL_API int swirl_redis_fd(const swirl_redis_t *r);
/* The last failure of this client, naming the server ("" if none). */
SWIRL_API const char *swirl_redis_errmsg(const swirl_redis_t *r);

/* ---- replies (valid during the callback only) --------------------------------------------- */
SWIRL_API int swirl_redis_reply_type(const swirl_redis_reply_t *rep);
/* INTEGER: its value (0 for other types). */
SWIRL_API long long swirl_redis_reply_integer(const swirl_redis_reply_t *rep);
/* STRING, STATUS, ERROR: the bytes (NUL-terminated too) and *len; NULL
 * (and *len 0) for other types. `len` may be NULL. */
SWIRL_API const char *swirl_redis_reply_str(const swirl_redis_reply_t *rep, size_t *len);
/* ARRAY: its element count (0 for other types). */
SWIRL_API size_t swirl_redis_reply_count(const swirl_redis_reply_t *rep);
/* ARRAY: element i (NULL if out of range or not an array). */
SWIRL_API const swirl_redis_reply_t *swirl_redis_reply_element(const swirl_redis_reply_t *rep,
                                                               size_t i);

#ifdef __cplusplus
}
#endif
#endif
