/* src/websocket/internal.h — what server.c and deflate.c share. Never
 * installed. */
#ifndef SWIRL_WEBSOCKET_INTERNAL_H
#define SWIRL_WEBSOCKET_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <swirl/core.h>
#include <swirl/protocol.h>
#include <zlib.h>

/* A permessage-deflate agreement. */
typedef struct swirl__ws_deflate {
    int server_bits;        /* our window (9..15) */
    bool client_no_context; /* the client resets its context every message */
} swirl__ws_deflate_t;

/* Pick the first offer of a Sec-WebSocket-Extensions value v[0..n) that
 * can be honoured: true with *out and the answer's value in answer. */
bool swirl__ws_deflate_negotiate(const char *v, size_t n, swirl__ws_deflate_t *out, char *answer,
                                 size_t size);

/* Compress one whole message in[0..n) into out (appended), as a message
 * on its own (the stream is reset; *z_bits: the window the stream has, 0
 * when not made yet). The 00 00 ff ff tail is left off. */
int swirl__ws_compress(z_stream *z, int *z_bits, int bits, int level, const void *in, size_t n,
                       swirl_buf_t *out);

/* Inflate in[0..n) of a compressed message into out (appended), checking
 * the total against max (SWIRL_ETOOBIG) and, for text, UTF-8 as it comes
 * (SWIRL_EBADARG); SWIRL_EPROTO for bad deflate data. */
int swirl__ws_inflate(z_stream *z, const void *in, size_t n, swirl_buf_t *out, size_t max,
                      swirl_utf8_t *utf8);
/* The message ended: feed the tail RFC 7692 leaves off; reset the
 * stream when the client does not keep its context. */
int swirl__ws_inflate_end_message(z_stream *z, swirl_buf_t *out, size_t max, swirl_utf8_t *utf8,
                                  bool reset);

#endif
