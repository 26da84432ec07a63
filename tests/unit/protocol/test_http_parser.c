/* tests/unit/protocol/test_http_parser.c — the HTTP/1.1 request parser and
 * chunked decoder: the shared conformance cases (llhttp's strict request
 * cases, picohttpparser's, http-parser's whole messages), each fed whole
 * and one byte at a time; our own cases for every refusal; input placed
 * against an unmapped page so any over-read crashes. */
#include <criterion/criterion.h>
#include <sys/mman.h>
#include <swirl/protocol.h>
#include <unistd.h>

#include "http_driver.h"
#include "jsonl.h"

/* ---- the shared conformance data ---------------------------------------------------------- */

static char line[1 << 18], input[1 << 17];

/* Whole messages that http-parser (lenient) and picohttpparser accept and
 * swirl refuses on purpose, and why. Any other refusal is a failure. */
static const char *const refused[][2] = {
    {"with nonsense after the length", "whitespace after ';' in a chunk extension"},
    {"request with no http version", "HTTP/0.9"},
    {"line folding in header value", "obs-fold (RFC 9112 §5.2: refuse or replace; swirl refuses)"},
    {"multiple connection header values with folding", "obs-fold"},
    {"multiple connection header values with folding and lws", "obs-fold"},
    {"source request", "ICE/1.0 is not HTTP"},
    {"post - multi coding transfer-encoding chunked body", "a coding before chunked: 501"},
    {"post - multi line coding transfer-encoding chunked body", "repeated Transfer-Encoding"},
    {"chunked with content-length set, allow_chunked_length flag is set",
     "Content-Length with Transfer-Encoding (smuggling)"},
    {"parse multiline", "obs-fold"},
    {"accept MSB chars", "bytes >= 0x80 in the request target (must be percent-encoded)"},
    {"accept multiple spaces between tokens", "one SP between request-line parts"},
    {"chunked failure", "a chunk size of more than 15 hex digits"},
};

static const char *refusal_reason(const char *name) {
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
        if (strcmp(name, refused[i][0]) == 0)
            return refused[i][1];
    return NULL;
}

/* Where swirl differs from llhttp on purpose, and why. */
static const char *const policies[][2] = {
    {"SOURCE request with ICE", "ICE/1.0 is not HTTP: swirl serves HTTP/1.x only"},
    {"OPTIONS request with RTSP", "RTSP/1.0 is not HTTP: swirl serves HTTP/1.x only"},
    {"ANNOUNCE request with RTSP", "RTSP/1.0 is not HTTP: swirl serves HTTP/1.x only"},
    {"No HTTP version", "HTTP/0.9 (no version, no headers) is refused"},
    {"POST with `chunked` as last transfer-encoding",
     "a coding before chunked (deflate) cannot be decoded by swirl: 501"},
    {"POST with `chunked` as last transfer-encoding (multiple headers)",
     "Transfer-Encoding repeated is refused (and deflate is not decoded)"},
};

Test(http_parser, llhttp_strict_request_cases) {
    FILE *f = jl_open("http/llhttp_cases.jsonl");
    if (!f)
        cr_skip_test("../shared/conformance/http/llhttp_cases.jsonl not found (a clone without "
                     "the shared data): the project's own cases still run");
    int checked = 0, failed = 0;
    static jl_case_t c;
    const char *name = c.name, *verdict = c.verdict;
    while (jl_next_request_case(f, line, sizeof(line), &c)) {
        long want_n = c.messages;
        /* PRI * HTTP/2.0 (the HTTP/2 preface) is not a method we serve: refused */
        int want = strcmp(verdict, "ACCEPT") == 0       ? V_ACCEPT
                   : strcmp(verdict, "CLOSE") == 0      ? V_CLOSE
                   : strcmp(verdict, "UPGRADE") == 0    ? V_UPGRADE
                   : strcmp(verdict, "INCOMPLETE") == 0 ? V_INCOMPLETE
                                                        : V_REJECT;
        cur_name = name;
        drv_t *d = drive(c.input, c.len);
        bool ok = same(d->verdict) == same(want) && (want == V_REJECT || d->messages == want_n);
        const char *policy = NULL;
        for (size_t i = 0; i < sizeof(policies) / sizeof(policies[0]); i++)
            if (strcmp(name, policies[i][0]) == 0)
                policy = policies[i][1];
        if (!ok && policy) {
            cr_log_info("llhttp case \"%s\": want %s, swirl %s: %s", name, verdict,
                        vname[d->verdict], policy);
            cr_expect_eq(d->verdict, V_REJECT, "a policy difference is always a refusal");
        } else if (!ok) {
            failed++;
            cr_log_error("llhttp case \"%s\": want %s %ld, got %s %d (%s)", name, verdict, want_n,
                         vname[d->verdict], d->messages, d->why ? d->why : "");
        }
        checked++;
        free(d);
    }
    fclose(f);
    cr_log_info("llhttp strict request cases: %d checked, %d differ", checked, failed);
    cr_assert_gt(checked, 100);
    cr_assert_eq(failed, 0, "%d llhttp cases differ (see the log)", failed);
}

Test(http_parser, picohttpparser_cases) {
    FILE *f = jl_open("http/pico_cases.jsonl");
    if (!f)
        cr_skip_test("../shared/conformance/http/pico_cases.jsonl not found: skipped");
    int checked = 0, failed = 0;
    while (fgets(line, sizeof(line), f)) {
        char kind[64], verdict[32], note[256];
        jl_str(line, "kind", kind, sizeof(kind));
        jl_str(line, "verdict", verdict, sizeof(verdict));
        jl_str(line, "note", note, sizeof(note));
        const char *p = jl_find(line, "input_b64");
        size_t n = jl_base64(p + 1, input, sizeof(input));
        int got;
        const char *why = "";
        if (strcmp(kind, "request") == 0 || strcmp(kind, "headers") == 0) {
            static char req[1 << 17];
            size_t m = 0;
            if (strcmp(kind, "headers") == 0) { /* header lines alone: give them a request line */
                memcpy(req, "GET / HTTP/1.1\r\n", 16);
                m = 16;
            }
            memcpy(req + m, input, n);
            drv_t *d = drive(req, m + n);
            got = d->verdict == V_CLOSE ? V_ACCEPT : d->verdict;
            why = d->why ? d->why : "";
            free(d);
        } else if (strcmp(kind, "chunked-body") == 0) {
            swirl_http_chunked_t c;
            swirl_http_chunked_init(&c);
            static char out[1 << 17];
            size_t o = 0;
            ssize_t used = swirl_http_chunked_decode(&c, input, n, out, &o);
            got = used < 0 ? V_REJECT : swirl_http_chunked_done(&c) ? V_ACCEPT : V_INCOMPLETE;
            why = c.error ? c.error : "";
        } else {
            continue; /* responses: the client's parser (issue 8) */
        }
        int want = strcmp(verdict, "ACCEPT") == 0   ? V_ACCEPT
                   : strcmp(verdict, "REJECT") == 0 ? V_REJECT
                                                    : V_INCOMPLETE;
        /* picohttpparser is lenient where we are strict: where it accepts
         * (or waits for) what we refuse, that is our policy, not a bug */
        bool policy = got == V_REJECT && want != V_REJECT && refusal_reason(note);
        if (got != want && !policy) {
            failed++;
            cr_log_error("pico %s \"%s\": want %s, got %s (%s)", kind, note, verdict, vname[got],
                         why);
        } else if (policy) {
            cr_log_info("pico %s \"%s\": pico %s, swirl refuses (%s): %s", kind, note, verdict,
                        why, refusal_reason(note));
        }
        checked++;
    }
    fclose(f);
    cr_assert_gt(checked, 30);
    cr_assert_eq(failed, 0);
}

Test(http_parser, http_parser_whole_messages) {
    FILE *f = jl_open("http/http_parser_messages.jsonl");
    if (!f)
        cr_skip_test("../shared/conformance/http/http_parser_messages.jsonl not found: skipped");
    int checked = 0, failed = 0;
    while (fgets(line, sizeof(line), f)) {
        char table[32], name[256], method[32];
        jl_str(line, "table", table, sizeof(table));
        if (strcmp(table, "requests") != 0)
            continue;
        jl_str(line, "name", name, sizeof(name));
        jl_str(line, "method", method, sizeof(method));
        long n = jl_str(line, "raw", input, sizeof(input));
        cur_name = name;
        drv_t *d = drive(input, (size_t)n);
        bool accepted = d->verdict != V_REJECT && d->verdict != V_INCOMPLETE && d->messages >= 1;
        if (!accepted) {
            const char *reason = refusal_reason(name);
            if (reason) {
                cr_log_info("http-parser message \"%s\": swirl refuses (%s): %s", name,
                            d->why ? d->why : vname[d->verdict], reason);
            } else {
                failed++;
                cr_log_error("http-parser message \"%s\" refused: %s", name,
                             d->why ? d->why : vname[d->verdict]);
            }
            free(d);
            continue;
        }
        /* trailers are checked but not added to the headers (http-parser counts them) */
        long want_headers = jl_num(line, "num_headers", -1);
        if (strstr(name, "trailing headers"))
            want_headers -= 2;
        bool ok = strcmp(d->method, method) == 0 && d->nheaders == want_headers &&
                  (long)d->first_body == jl_num(line, "body_size", -1) &&
                  d->keep_alive == jl_num(line, "keep_alive", -1) &&
                  d->upgrade == jl_num(line, "upgrade", -1);
        if (!ok) {
            failed++;
            cr_log_error("http-parser message \"%s\": method %s/%s headers %d/%ld body %zu/%ld "
                         "keep-alive %d/%ld upgrade %d/%ld",
                         name, d->method, method, d->nheaders, jl_num(line, "num_headers", -1),
                         d->first_body, jl_num(line, "body_size", -1), d->keep_alive,
                         jl_num(line, "keep_alive", -1), d->upgrade, jl_num(line, "upgrade", -1));
        }
        checked++;
        free(d);
    }
    fclose(f);
    cr_log_info("http-parser messages: %d checked", checked);
    cr_assert_gt(checked, 20);
    cr_assert_eq(failed, 0);
}

/* ---- our own cases ------------------------------------------------------------------------------ */

typedef struct {
    const char *name, *in;
    size_t len; /* NUL bytes inside are part of some inputs */
    int status; /* 0: accepted as one whole message */
} own_case_t;
#define OWN(name, lit, status) {name, lit, sizeof(lit) - 1, status}

static const own_case_t own[] = {
    OWN("plain GET", "GET /a?b=c HTTP/1.1\r\nHost: x\r\n\r\n", 0),
    OWN("body by Content-Length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc", 0),
    OWN("chunked with quoted extension and trailers",
     "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
     "5;a=\"q\\\"x\"\r\nhello\r\n6;b=c\r\n world\r\n0\r\nT1: v\r\nT2: w\r\n\r\n", 0),
    OWN("repeated Content-Length, same value",
     "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", 400),
    OWN("Content-Length with a sign", "POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\nx", 400),
    OWN("Content-Length as a list", "POST / HTTP/1.1\r\nContent-Length: 1, 1\r\n\r\nx", 400),
    OWN("Content-Length and chunked",
     "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    OWN("chunked then Content-Length",
     "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n", 400),
    OWN("gzip only", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
    OWN("chunked not last", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400),
    OWN("Transfer-Encoding in HTTP/1.0",
     "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    OWN("bare CR in a value", "GET / HTTP/1.1\r\nA: b\rc\r\n\r\n", 400),
    OWN("LF-only header line", "GET / HTTP/1.1\r\nA: b\nC: d\r\n\r\n", 400),
    OWN("LF-only request line", "GET / HTTP/1.1\nA: b\r\n\r\n", 400),
    OWN("space before colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400),
    OWN("tab before colon", "GET / HTTP/1.1\r\nHost\t: x\r\n\r\n", 400),
    OWN("obs-fold", "GET / HTTP/1.1\r\nA: b\r\n  c\r\n\r\n", 400),
    OWN("space in a name", "GET / HTTP/1.1\r\nA b: c\r\n\r\n", 400),
    OWN("DEL in a name", "GET / HTTP/1.1\r\nA\x7f: c\r\n\r\n", 400),
    OWN("NUL in a value", "GET / HTTP/1.1\r\nA: b\0c\r\n\r\n", 400),
    OWN("NUL in the target", "GET /a\0b HTTP/1.1\r\n\r\n", 400),
    OWN("lower-case method", "get / HTTP/1.1\r\n\r\n", 400),
    OWN("HTTP/2.0", "GET / HTTP/2.0\r\n\r\n", 505),
    OWN("HTTP/1.2", "GET / HTTP/1.2\r\n\r\n", 505),
    OWN("Expect other than 100-continue", "GET / HTTP/1.1\r\nExpect: 200-ok\r\n\r\n", 417),
    OWN("two Host headers", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
    OWN("Content-Length past 2^53", "POST / HTTP/1.1\r\nContent-Length: 99999999999999999\r\n\r\n",
     413),
    OWN("chunk size of 16 hex digits",
     "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000000\r\n", 400),
    OWN("chunk size with leading space",
     "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n 1\r\na\r\n0\r\n\r\n", 400),
    OWN("chunk size with no digits",
     "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n;a\r\n", 400),
    OWN("chunk data longer than its size",
     "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n0\r\n\r\n", 400),
    OWN("bare LF after a chunk size",
     "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\na\r\n0\r\n\r\n", 400),
    OWN("invalid trailer name",
     "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA B: c\r\n\r\n", 400),
};

Test(http_parser, own_cases_accept_and_refuse_with_the_right_status) {
    for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
        const own_case_t *c = &own[i];
        size_t n = c->len;
        cur_name = c->name;
        drv_t *d = drive(c->in, n);
        if (c->status == 0) {
            cr_expect_eq(d->verdict, V_ACCEPT, "\"%s\": %s (%s)", c->name, vname[d->verdict],
                         d->why ? d->why : "");
            cr_expect_eq(d->messages, 1, "\"%s\"", c->name);
        } else {
            cr_expect_eq(d->verdict, V_REJECT, "\"%s\": %s", c->name, vname[d->verdict]);
            if (d->req.status) /* head errors carry a status; body errors are 400 */
                cr_expect_eq(d->req.status, c->status, "\"%s\": status %d (%s)", c->name,
                             d->req.status, d->why);
            else
                cr_expect_eq(c->status, 400, "\"%s\"", c->name);
        }
        free(d);
    }
}

Test(http_parser, fields_point_into_the_buffer) {
    const char *in = "POST /p/a?x=1&y=%20 HTTP/1.0\r\nHost: h\r\nX-Pad:  \t v a l \t \r\n"
                     "Connection: Keep-Alive\r\nContent-Length: 007\r\n\r\n";
    swirl_http_header_t h[8];
    swirl_http_request_t r;
    swirl_http_request_init(&r, h, 8);
    size_t scan = 0;
    ssize_t e = swirl_http_head_end(in, strlen(in), &scan);
    cr_assert_eq(e, (ssize_t)strlen(in));
    cr_assert_eq(swirl_http_parse_head(&r, in, (size_t)e), 0, "%s", r.error);
    cr_assert_eq(r.method, in);
    cr_assert_eq(r.method_len, 4);
    cr_assert_eq(r.target_len, strlen("/p/a?x=1&y=%20"));
    cr_assert_eq(strncmp(r.target, "/p/a?x=1&y=%20", r.target_len), 0);
    cr_assert_eq(r.minor, 0);
    cr_assert_eq(r.nheaders, 4);
    const swirl_http_header_t *pad = swirl_http_find_header(&r, "x-pad");
    cr_assert(pad);
    cr_assert_eq(pad->value_len, 5);
    cr_assert_eq(strncmp(pad->value, "v a l", 5), 0);
    cr_assert(r.keep_alive, "HTTP/1.0 with Connection: keep-alive");
    cr_assert_eq(r.content_length, 7);
    cr_assert_eq(r.host_count, 1);
    cr_assert_null(swirl_http_find_header(&r, "cookie"));
    /* too many headers: 431 */
    swirl_http_request_init(&r, h, 3);
    cr_assert_eq(swirl_http_parse_head(&r, in, (size_t)e), SWIRL_EPROTO);
    cr_assert_eq(r.status, 431);
}

/* Every prefix of every case, placed so its last byte is the last of a
 * mapped page: reading one byte too far crashes the test. */
Test(http_parser, never_reads_past_the_input) {
    long page = sysconf(_SC_PAGESIZE);
    char *mem = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                     -1, 0);
    cr_assert_neq(mem, MAP_FAILED);
    cr_assert_eq(mprotect(mem + page, (size_t)page, PROT_NONE), 0);
    for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
        size_t n = own[i].len;
        for (size_t k = 0; k <= n; k++) {
            char *at = mem + page - k;
            memcpy(at, own[i].in, k);
            swirl_http_header_t h[64];
            swirl_http_request_t r;
            swirl_http_request_init(&r, h, 64);
            size_t scan = 0;
            ssize_t e = swirl_http_head_end(at, k, &scan);
            if (e > 0) {
                if (swirl_http_parse_head(&r, at, (size_t)e) == 0 && r.chunked) {
                    swirl_http_chunked_t c;
                    swirl_http_chunked_init(&c);
                    size_t out = 0;
                    swirl_http_chunked_decode(&c, at + e, k - (size_t)e, at + e, &out);
                }
            } else {
                swirl_http_check_partial(&r, at, k);
            }
        }
    }
    munmap(mem, (size_t)page * 2);
}
