/* swirl/protocol.h — stream framing (cutting a byte stream into messages,
 * EOF-delimited or length-prefixed), HTTP/1.1 request parsing, multipart
 * bodies and WebSocket frames. Shared by the server and the client. */
#ifndef SWIRL_PROTOCOL_H
#define SWIRL_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <swirl/error.h>
#include <swirl/core.h>

#ifdef __cplusplus
extern "C" {
#endif

/* How a stream is cut into messages (Swoole's framing settings). */
typedef enum {
    SWIRL_FRAMING_NONE = 0,   /* bytes as they come */
    SWIRL_FRAMING_EOF = 1,    /* open_eof_check / open_eof_split + package_eof */
    SWIRL_FRAMING_LENGTH = 2, /* open_length_check + package_length_type/offset/body_offset */
} swirl_framing_kind_t;

#define SWIRL_FRAMING_EOF_MAX 8 /* longest package_eof */
#define SWIRL_PACKAGE_MAX_LENGTH_DEFAULT (2u * 1024 * 1024)

/* A length function (Swoole's package_length_func): given the bytes
 * received so far of the next message (`data[0..len)`, len >= 1), return
 * the whole message's length (> 0), 0 when more bytes are needed to tell,
 * or a negative value when the data is bad (the connection is closed). */
typedef ssize_t (*swirl_framing_length_fn)(const void *data, size_t len, void *user);

/* A framing rule. Plain data; fill with swirl_framing_init() and one of the
 * setters, which validate. */
typedef struct swirl_framing {
    swirl_framing_kind_t kind;
    char eof[SWIRL_FRAMING_EOF_MAX];
    uint8_t eof_len;
    bool eof_split;         /* deliver one message per EOF (else: a chunk ending in EOF) */
    char length_type;       /* one of "cCsSnNlLvV", as PHP's pack() */
    uint8_t length_size;    /* bytes of the length field, from length_type */
    uint32_t length_offset; /* where the length field starts */
    uint32_t body_offset;   /* where the counted part starts: message = body_offset + length */
    size_t max_length;      /* package_max_length: a longer message is an error */
    swirl_framing_length_fn length_fn; /* length framing by a function instead of a field */
    void *length_user;                 /* its argument */
} swirl_framing_t;

/* No framing, package_max_length 2 MiB. */
SWIRL_API void swirl_framing_init(swirl_framing_t *f);

/* EOF framing with `eof` (1..8 bytes). `split`: one message per EOF
 * (open_eof_split); otherwise a delivery is everything up to a read that
 * ends with EOF (open_eof_check). Returns 0 or SWIRL_ESETTING naming the
 * problem. */
SWIRL_API int swirl_framing_set_eof(swirl_framing_t *f, const void *eof, size_t len, bool split);

/* Length framing: the length field has pack() type `type` (c C s S n N l L
 * v V) at `offset`; the message is `body_offset` + that length bytes long.
 * The field must fit before the body (offset + size <= body_offset is not
 * required: Swoole allows the length to count itself). Returns 0 or
 * SWIRL_ESETTING. */
SWIRL_API int swirl_framing_set_length(swirl_framing_t *f, char type, uint32_t offset,
                                       uint32_t body_offset);

/* Length framing by `fn` (called with `user`) instead of a length field:
 * Swoole's package_length_func. A length above max_length is SWIRL_ETOOBIG,
 * and so is a 0 (need more) when max_length bytes are there already (the
 * buffer never grows past it); a negative one is SWIRL_EPROTO. Returns 0
 * or SWIRL_EBADARG (no fn). */
SWIRL_API int swirl_framing_set_length_fn(swirl_framing_t *f, swirl_framing_length_fn fn,
                                          void *user);

/* Largest message (package_max_length), >= 1. Returns 0 or SWIRL_ESETTING. */
SWIRL_API int swirl_framing_set_max_length(swirl_framing_t *f, size_t max_length);

/* Find the first complete message at the start of data[0..len).
 * Returns its length (> 0); 0 if more bytes are needed; SWIRL_ETOOBIG if the
 * message is (or will be) longer than max_length; SWIRL_EPROTO for a
 * negative length field. `*scan_from` (start at 0 for a new message) lets
 * EOF framing resume its search where the last call stopped instead of
 * rescanning; it is updated on a 0 return. With SWIRL_FRAMING_NONE returns
 * len (everything is one chunk). */
SWIRL_API ssize_t swirl_framing_next(const swirl_framing_t *f, const void *data, size_t len,
                                     size_t *scan_from);

/* Write the length field for a body of `body_len` bytes into `header` (which
 * has at least body_offset bytes; other header bytes are left alone), so a
 * sender can frame messages the same way. Returns 0, or SWIRL_ETOOBIG if the
 * length does not fit the type. */
SWIRL_API int swirl_framing_put_length(const swirl_framing_t *f, void *header, size_t body_len);

/* ---- HTTP/1.1 requests (src/protocol/http_parser.c) ----------------------------------------
 * Strict (see the file's comment for what is refused) and zero-copy: every
 * pointer below points into the caller's buffer, valid while it is. */

/* One header line. */
typedef struct swirl_http_header {
    const char *name; /* as sent (compare case-insensitively) */
    size_t name_len;
    const char *value; /* leading and trailing whitespace removed */
    size_t value_len;
} swirl_http_header_t;

/* A parsed request head (swirl_http_parse_head). */
typedef struct swirl_http_request {
    const char *method, *target;
    size_t method_len, target_len;
    int minor;                    /* HTTP/1.<minor>: 0 or 1 */
    swirl_http_header_t *headers; /* the caller's array */
    size_t nheaders, max_headers;
    size_t head_len;        /* request line + headers + the empty line */
    int64_t content_length; /* body bytes (0 when none); -1 with chunked */
    bool chunked;           /* Transfer-Encoding: chunked */
    bool keep_alive;        /* the connection stays open after this request */
    bool upgrade;           /* Connection: upgrade + Upgrade, or CONNECT: the bytes after
                             * the head belong to another protocol */
    bool expect_continue;   /* Expect: 100-continue */
    int host_count;         /* Host headers (HTTP/1.1 needs exactly one) */
    /* on error: the status to answer (400, 413, 417, 431, 501, 505) and why */
    int status;
    const char *error;
    /* internal */
    bool conn_close, conn_keep_alive, conn_upgrade, has_upgrade, te_seen;
} swirl_http_request_t;

/* Find the end of a request head (the empty line) in buf[0..len): its
 * length (> 0), or 0 when it is not there yet. `*scan_from` (0 for a new
 * head) is where the search resumes next time, so bytes are not scanned
 * twice. A bare-LF empty line counts as an end too (the parse refuses it). */
SWIRL_API ssize_t swirl_http_head_end(const char *buf, size_t len, size_t *scan_from);

/* Set up `r` to parse into `headers` (room for `max_headers`). */
SWIRL_API void swirl_http_request_init(swirl_http_request_t *r, swirl_http_header_t *headers,
                                       size_t max_headers);

/* Parse a whole head (len = what swirl_http_head_end returned). 0, or
 * SWIRL_EPROTO with r->status and r->error saying what is wrong. */
SWIRL_API int swirl_http_parse_head(swirl_http_request_t *r, const char *buf, size_t len);

/* Check the start of a head whose end has not come yet, so bad bytes are
 * refused at once instead of waited on: 0 (fine so far) or SWIRL_EPROTO as
 * swirl_http_parse_head. One pass over the bytes; call it once per read. */
SWIRL_API int swirl_http_check_partial(swirl_http_request_t *r, const char *buf, size_t len);

/* The first header named `name` (case-insensitive), or NULL. */
SWIRL_API const swirl_http_header_t *swirl_http_find_header(const swirl_http_request_t *r,
                                                            const char *name);

/* An incremental chunked-body decoder. */
typedef struct swirl_http_chunked {
    int state;
    int digits;
    uint64_t left;    /* bytes left in the current chunk */
    uint64_t total;   /* body bytes so far (chunk sizes announced) */
    uint64_t framing; /* bytes that are not body: size lines, extensions, CRLFs, trailers */
    size_t ext, trailer;
    bool ext_token;
    const char *error; /* on an error: why */
} swirl_http_chunked_t;

/* Ready `c` for a new body. */
SWIRL_API void swirl_http_chunked_init(swirl_http_chunked_t *c);

/* Decode in[0..len): the body bytes go to `out` (which may be `in` itself:
 * data only moves toward the front), *out_len says how many. Returns the
 * input bytes used (all of them unless the body ended: then the rest is
 * the next request's), or an error with c->error: SWIRL_EPROTO for bad
 * syntax, SWIRL_ETOOBIG past a limit (4 KiB of extensions per chunk, 8 KiB
 * of trailers, framing over 64 KiB + 16 times the body). */
SWIRL_API ssize_t swirl_http_chunked_decode(swirl_http_chunked_t *c, const char *in, size_t len,
                                            char *out, size_t *out_len);

/* Has the last chunk (and its trailers) been read? */
SWIRL_API bool swirl_http_chunked_done(const swirl_http_chunked_t *c);

/* ---- HTTP/1.1 responses (src/protocol/http_response.c) ---------------------------------------
 * The request parser's sibling, for clients: the same strictness (CRLF
 * only, no obs-fold, token names, one Content-Length of digits, no
 * Content-Length with Transfer-Encoding, chunked as the only coding) and
 * zero-copy. The end of a head is found with swirl_http_head_end. */

/* A parsed response head (swirl_http_parse_response_head). */
typedef struct swirl_http_response_head {
    int minor;                    /* HTTP/1.<minor>: 0 or 1 */
    int status;                   /* 100..599 */
    const char *reason;           /* may be empty */
    size_t reason_len;
    swirl_http_header_t *headers; /* the caller's array */
    size_t nheaders, max_headers;
    size_t head_len;              /* status line + headers + the empty line */
    int64_t content_length;       /* -1: not given (then chunked, or until close) */
    bool chunked;                 /* Transfer-Encoding: chunked (last coding) */
    bool keep_alive;              /* the connection may be reused (never after a 101) */
    bool upgrade;                 /* 101 with Connection: upgrade and an Upgrade header */
    const char *error;            /* on SWIRL_EPROTO / SWIRL_ETOOBIG: what is wrong */
    /* set by the caller after swirl_http_response_head_init, kept by the parse:
     * the request was HEAD, so the response has no body whatever it says */
    bool head_request;
    /* the response has no body: 1xx, 204, 304, or a HEAD request's (its
     * Content-Length, if any, is left in content_length but frames nothing) */
    bool no_body;
    /* the body runs until the server closes (no length, not chunked, not
     * no_body): keep_alive is then false */
    bool until_close;
    /* internal */
    bool conn_close, conn_keep_alive, conn_upgrade, has_upgrade, te_seen;
} swirl_http_response_head_t;

/* Set up `r` to parse into `headers` (room for `max_headers`). */
SWIRL_API void swirl_http_response_head_init(swirl_http_response_head_t *r,
                                             swirl_http_header_t *headers, size_t max_headers);

/* Parse a whole head (len = what swirl_http_head_end returned): 0, or
 * SWIRL_EPROTO (bad syntax) / SWIRL_ETOOBIG (more headers than
 * max_headers, a Content-Length past 2^53) with r->error saying what is
 * wrong. The pointers in `r` point into buf. */
SWIRL_API int swirl_http_parse_response_head(swirl_http_response_head_t *r, const char *buf,
                                             size_t len);

/* The first header named `name` (case-insensitive), or NULL. */
SWIRL_API const swirl_http_header_t *
swirl_http_response_find_header(const swirl_http_response_head_t *r, const char *name);

/* ---- multipart/form-data bodies (RFC 7578, RFC 2046 §5.1) -------------------------------- */

/* A streaming multipart parser: bytes are fed as they arrive, in pieces of
 * any size, and parts come out through callbacks without the body ever
 * being held whole. Strict: the delimiter must be followed by CRLF (after
 * optional spaces) or "--"; part headers are CRLF-terminated "Name: value"
 * lines, at most SWIRL_MULTIPART_HEAD_MAX bytes of them, without folding;
 * every part needs Content-Disposition: form-data with a name. A preamble
 * before the first delimiter and an epilogue after the last are ignored. */
typedef struct swirl_multipart swirl_multipart_t;

#define SWIRL_MULTIPART_BOUNDARY_MAX 70 /* RFC 2046 */
#define SWIRL_MULTIPART_HEAD_MAX 8192   /* bytes of one part's headers */

/* One part, as its headers describe it. The strings are NUL-terminated,
 * unquoted, and valid during the begin callback only. */
typedef struct swirl_multipart_part {
    const char *name; /* Content-Disposition name */
    size_t name_len;
    const char *filename; /* Content-Disposition filename as sent; NULL: not a file */
    size_t filename_len;
    const char *type; /* Content-Type ("" when none) */
    size_t type_len;
} swirl_multipart_part_t;

/* The callbacks; one that returns a negative code stops the parse, and
 * swirl_multipart_feed returns that code. */
typedef struct swirl_multipart_cbs {
    int (*begin)(void *user, const swirl_multipart_part_t *part);
    int (*data)(void *user, const char *p, size_t n); /* the part's body, in pieces */
    int (*end)(void *user);
} swirl_multipart_cbs_t;

/* Find the boundary parameter of a multipart/form-data Content-Type value
 * (quoted or not). Returns 0 with *b pointing into `ctype`, SWIRL_EPROTO
 * (with the reason as the last error) when it is not multipart/form-data,
 * has no boundary, or the boundary is empty, longer than
 * SWIRL_MULTIPART_BOUNDARY_MAX or has characters RFC 2046 does not allow. */
SWIRL_API int swirl_multipart_boundary(const char *ctype, size_t len, const char **b, size_t *blen);

/* A parser for the boundary b[0..blen) (checked as above). `cbs` is copied. */
SWIRL_API int swirl_multipart_new(swirl_multipart_t **out, const char *b, size_t blen,
                                  const swirl_multipart_cbs_t *cbs, void *user);

/* Parse the next n bytes. 0, SWIRL_EPROTO with the reason as the last
 * error (the parser is then unusable), or a callback's code. Bytes after
 * the closing delimiter are ignored. */
SWIRL_API int swirl_multipart_feed(swirl_multipart_t *mp, const char *p, size_t n);

/* Has the closing delimiter been read? (A body that ends before it is
 * incomplete.) */
SWIRL_API bool swirl_multipart_done(const swirl_multipart_t *mp);

/* Free the parser. */
SWIRL_API void swirl_multipart_free(swirl_multipart_t *mp);

/* ---- WebSocket frames (RFC 6455) ------------------------------------------------------------ */

/* Opcodes. */
enum {
    SWIRL_WS_CONTINUATION = 0,
    SWIRL_WS_TEXT = 1,
    SWIRL_WS_BINARY = 2,
    SWIRL_WS_CLOSE = 8,
    SWIRL_WS_PING = 9,
    SWIRL_WS_PONG = 10,
};

/* Close codes swirl sends (RFC 6455 §7.4.1). */
enum {
    SWIRL_WS_CLOSE_NORMAL = 1000,
    SWIRL_WS_CLOSE_GOING_AWAY = 1001,
    SWIRL_WS_CLOSE_PROTOCOL = 1002,
    SWIRL_WS_CLOSE_NO_STATUS = 1005, /* a close frame without a code (never sent) */
    SWIRL_WS_CLOSE_ABNORMAL = 1006,  /* closed without a close frame (never sent) */
    SWIRL_WS_CLOSE_BAD_DATA = 1007, /* text that is not UTF-8 */
    SWIRL_WS_CLOSE_POLICY = 1008,
    SWIRL_WS_CLOSE_TOO_BIG = 1009,
    SWIRL_WS_CLOSE_SERVER_ERROR = 1011,
};

#define SWIRL_WS_HEADER_MAX 14 /* 2 + 8 (64-bit length) + 4 (mask) */
#define SWIRL_WS_CONTROL_MAX 125

/* A frame header, as parsed or to be written. */
typedef struct swirl_ws_header {
    bool fin;
    uint8_t rsv; /* RSV1..RSV3 as 0x4, 0x2, 0x1 */
    uint8_t opcode;
    bool masked;
    uint8_t mask[4];
    uint64_t len; /* payload bytes */
    size_t size;  /* header bytes (2..14) */
} swirl_ws_header_t;

/* Parse a frame header at p[0..n). Returns its size (2..14) with *h filled,
 * 0 when more bytes are needed, or SWIRL_EPROTO with the reason as the
 * last error for: an RSV bit outside `rsv_allowed`, a reserved opcode
 * (3-7, 11-15), a fragmented control frame, a control payload over 125
 * bytes, a 64-bit length with its top bit set. (Masking and size limits
 * are the caller's policy.) */
SWIRL_API int swirl_ws_header_parse(const void *p, size_t n, uint8_t rsv_allowed,
                                    swirl_ws_header_t *h);

/* Write a frame header into out (SWIRL_WS_HEADER_MAX bytes) using the
 * shortest length form; `mask` NULL for an unmasked (server) frame.
 * Returns its size. */
SWIRL_API size_t swirl_ws_header_write(void *out, bool fin, int opcode, uint64_t len,
                                       const uint8_t *mask);

/* Append a whole frame to `out`: its header (RSV bits `rsv` as in
 * swirl_ws_header_t) and p[0..n), masked with `mask` when not NULL (a
 * client's frame) in the same pass as the copy. 0 or -ENOMEM / SWIRL_ETOOBIG
 * (out unchanged). The frame is not checked: swirl_ws_frame_check first. */
SWIRL_API int swirl_ws_frame_append(swirl_buf_t *out, bool fin, uint8_t rsv, int opcode,
                                    const void *p, size_t n, const uint8_t *mask);

/* XOR p[0..n) with the mask, as payload bytes starting at payload offset
 * `offset` (so a payload can be unmasked in pieces). In place; src and
 * dst may be the same (swirl_ws_unmask_copy writes to dst). */
SWIRL_API void swirl_ws_unmask(void *p, size_t n, const uint8_t mask[4], uint64_t offset);
SWIRL_API void swirl_ws_unmask_copy(void *dst, const void *src, size_t n, const uint8_t mask[4],
                                    uint64_t offset);

/* Sec-WebSocket-Accept for the client's Sec-WebSocket-Key key[0..len):
 * the key must be base64 of 16 bytes (24 characters). Writes 28
 * characters and a NUL into out. 0, or SWIRL_EPROTO naming the fault. */
SWIRL_API int swirl_ws_accept_key(const char *key, size_t len, char out[29]);

/* May a peer send this close code? (1000-1003, 1007-1011, 3000-4999; not
 * 1004-1006, 1015 or unassigned ones.) */
SWIRL_API bool swirl_ws_close_code_valid(int code);

/* Is this a WebSocket opcode (0-2 data, 8-10 control)? */
SWIRL_API bool swirl_ws_opcode_valid(int opcode);
/* May this frame be sent: a WebSocket opcode, and a control frame (close,
 * ping, pong) of at most 125 bytes and not fragmented. 0, or SWIRL_EBADARG
 * naming the fault ("opcode 3 is not a WebSocket opcode"). */
SWIRL_API int swirl_ws_frame_check(int opcode, bool fin, size_t len);
/* A close frame's (unmasked) payload p[0..n): empty (*code 1005
 * SWIRL_WS_CLOSE_NO_STATUS, no reason) or a 2-byte code and the reason
 * after it. 0, or SWIRL_EPROTO for a 1-byte payload. The code and the
 * reason are not checked here: swirl_ws_close_code_valid and swirl_utf8_*
 * (a peer's) or swirl_ws_close_check (one to send). */
SWIRL_API int swirl_ws_close_payload(const void *p, size_t n, int *code, const char **reason,
                                     size_t *reason_len);
/* May a close with this code and reason[0..len) be sent: a code a peer may
 * send (swirl_ws_close_code_valid), a reason of at most 123 bytes of UTF-8
 * text without NUL. 0, or SWIRL_EBADARG naming the fault. */
SWIRL_API int swirl_ws_close_check(int64_t code, const void *reason, size_t len);

/* An incremental UTF-8 validator: text may be split anywhere, also inside
 * a code point. Overlong forms, surrogates and code points past U+10FFFF
 * are invalid. Zeroed state is the start. */
typedef struct swirl_utf8 {
    uint8_t need;   /* continuation bytes still due */
    uint8_t lo, hi; /* allowed range of the next one */
} swirl_utf8_t;

/* Feed p[0..n): false as soon as an invalid byte is seen. */
SWIRL_API bool swirl_utf8_feed(swirl_utf8_t *u, const void *p, size_t n);
/* At a message's end: true when no code point is left unfinished. */
SWIRL_API bool swirl_utf8_complete(const swirl_utf8_t *u);

#ifdef __cplusplus
}
#endif
#endif
