/* tests/unit/protocol/test_http_llhttp.c — swirl's HTTP parser against
 * llhttp (strict build) as an oracle: on the shared conformance cases and
 * on a corpus of mutations of them, both must agree on accept or refuse,
 * and for an accepted first message on method, target, header count and
 * body. Where they disagree on purpose, the reason is listed below; any
 * other disagreement fails the test.
 *
 * llhttp comes from Debian's node-llhttp (its generated C under
 * /usr/share/llhttp) and is compiled into this test binary only. Without
 * it the test skips, saying so. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <swirl/protocol.h>

#include "http_driver.h"
#include "jsonl.h"

#ifdef SWIRL_HAVE_LLHTTP
#include "llhttp.h"

/* ---- llhttp's view --------------------------------------------------------------------------- */

typedef struct {
    int messages, nheaders;
    bool error, headers_done;
    const char *reason;
    char method[32], target[1024];
    size_t target_len;
    char body[8192];
    size_t body_len;
} ll_t;

static ll_t *ll_of(llhttp_t *p) { return p->data; }

static int ll_url(llhttp_t *p, const char *at, size_t n) {
    ll_t *r = ll_of(p);
    if (r->messages == 0 && r->target_len + n <= sizeof(r->target)) {
        memcpy(r->target + r->target_len, at, n);
        r->target_len += n;
    }
    return 0;
}

static int ll_field_done(llhttp_t *p) {
    if (ll_of(p)->messages == 0 && !ll_of(p)->headers_done) /* not trailers */
        ll_of(p)->nheaders++;
    return 0;
}

static int ll_headers_done(llhttp_t *p) {
    ll_t *r = ll_of(p);
    r->headers_done = true;
    if (r->messages == 0)
        snprintf(r->method, sizeof(r->method), "%s", llhttp_method_name(llhttp_get_method(p)));
    return 0;
}

static int ll_body(llhttp_t *p, const char *at, size_t n) {
    ll_t *r = ll_of(p);
    if (r->messages == 0) {
        size_t room = sizeof(r->body) - r->body_len;
        memcpy(r->body + r->body_len, at, n < room ? n : room);
        r->body_len += n < room ? n : room;
    }
    return 0;
}

static int ll_done(llhttp_t *p) {
    ll_of(p)->headers_done = false;
    ll_of(p)->messages++;
    return 0;
}

static void ll_run(const char *in, size_t n, ll_t *r) {
    memset(r, 0, sizeof(*r));
    llhttp_settings_t s;
    llhttp_settings_init(&s);
    s.on_url = ll_url;
    s.on_header_field_complete = ll_field_done;
    s.on_headers_complete = ll_headers_done;
    s.on_body = ll_body;
    s.on_message_complete = ll_done;
    llhttp_t p;
    llhttp_init(&p, HTTP_REQUEST, &s);
    p.data = r;
    llhttp_errno_t e = llhttp_execute(&p, in, n);
    /* bytes after a message that closes the connection: not a refusal of
     * what came before (swirl ignores them) */
    if (e != HPE_OK && e != HPE_PAUSED_UPGRADE && e != HPE_CLOSED_CONNECTION) {
        r->error = true;
        r->reason = llhttp_get_error_reason(&p);
    }
}

/* ---- where swirl refuses what llhttp takes, on purpose ---------------------------------------- */

static const char *const policy[][2] = {
    {"malformed HTTP version", "RTSP/ICE versions are not HTTP: swirl serves HTTP/1.x only"},
    {"HTTP version not supported", "HTTP/2.0 in an HTTP/1 request line: 505"},
    {"malformed request target", "HTTP/0.9 requests (no version) are refused"},
    {"unknown method", "RTSP methods (ANNOUNCE, ...) with HTTP: not HTTP methods"},
    {"transfer codings other than chunked are not supported", "swirl decodes chunked only: 501"},
    {"Transfer-Encoding must end with chunked",
     "swirl decodes chunked only (llhttp passes others through as a body to EOF)"},
    {"malformed Transfer-Encoding", "an empty or parameterised Transfer-Encoding"},
    {"more than one Transfer-Encoding", "repeated Transfer-Encoding: one coding list only"},
    {"more than one Host header", "RFC 9112 §3.2: 400 for more than one Host"},
    {"unsupported Expect", "RFC 9110 §10.1.1: 417 for an expectation other than 100-continue"},
    {"Content-Length too large", "a body over 2^53 bytes is refused (413)"},
    {"chunk size too large", "chunk sizes of more than 15 hex digits"},
    {"chunk extension too long", "chunk extensions are bounded (4 KiB a chunk)"},
    {"trailers too long", "trailers are bounded (8 KiB)"},
    {"Transfer-Encoding in an HTTP/1.0 request", "RFC 9112 §6.1: faulty framing in HTTP/1.0"},
    {"empty header name", "field-name is a token of one or more characters (llhttp 9 refuses "
                          "it too: \"Invalid header token #3\" in the conformance data)"},
    {"obs-fold or whitespace before a header", "obs-fold is refused (RFC 9112 §5.2 allows it)"},
    {"request line not ended by CRLF", "a bare LF is not a line ending here"},
    {"bare LF in a header", "a bare LF is not a line ending here"},
    {"bare CR in a header", "a bare CR is refused everywhere"},
    {"bare CR in the head", "a bare CR is refused everywhere"},
    {"bare LF in the head", "a bare LF is not a line ending here"},
    {"bare LF in the trailers", "a bare LF is not a line ending here"},
    {"empty trailer name", "field-name is a token of one or more characters"},
    {"stray CR or LF before the request line",
     "only whole empty lines (CRLF) are skipped before a request (RFC 9112 §2.2)"},
};

/* Where llhttp 8.1 (Debian 12's) refuses what swirl takes, and why swirl
 * is right: `need` must be in the input too, when set. */
static const char *const ll_only[][3] = {
    {"Invalid character in chunk size", ";",
     "chunk extensions (RFC 9112 §7.1.1): llhttp 8.1's strict build refuses them, llhttp 9 "
     "takes them (\"Chunk extensions\" in the conformance data)"},
    {"Invalid character in chunk extensions quoted value", ";", "the same, quoted"},
    {"Invalid character in Content-Length", "\t",
     "OWS around a value may be a tab (RFC 9110 §5.6.3); llhttp 9 agrees (\"Tabs in "
     "Content-Length\")"},
    {"Invalid method encountered", "QUERY", "QUERY is newer than llhttp 8.1"},
    {"Unexpected char in url schema", NULL,
     "swirl checks that the target is visible ASCII; its grammar is the application's"},
    {"Unexpected start char in url", NULL, "the same"},
    {"Invalid characters in url", NULL, "the same"},
    {"Unexpected char in url server", NULL, "the same"},
};

static const char *ll_only_for(const char *reason, const char *in, size_t n) {
    for (size_t i = 0; reason && i < sizeof(ll_only) / sizeof(ll_only[0]); i++)
        if (strcmp(reason, ll_only[i][0]) == 0 &&
            (!ll_only[i][1] || memmem(in, n, ll_only[i][1], strlen(ll_only[i][1]))))
            return ll_only[i][2];
    return NULL;
}

static const char *policy_for(const char *why) {
    for (size_t i = 0; why && i < sizeof(policy) / sizeof(policy[0]); i++)
        if (strcmp(why, policy[i][0]) == 0)
            return policy[i][1];
    return NULL;
}

/* in[0..n) with CR, LF, TAB and other bytes escaped, for log lines. */
static const char *shown(const char *in, size_t n) {
    static char out[1024];
    size_t o = 0;
    for (size_t i = 0; i < n && o + 8 < sizeof(out); i++) {
        unsigned char c = (unsigned char)in[i];
        o += (size_t)(c == '\r'   ? snprintf(out + o, 8, "\\r")
                      : c == '\n' ? snprintf(out + o, 8, "\\n")
                      : c == '\t' ? snprintf(out + o, 8, "\\t")
                      : c < 0x20 || c >= 0x7f ? snprintf(out + o, 8, "\\x%02x", c)
                                              : snprintf(out + o, 8, "%c", c));
    }
    out[o] = 0;
    return out;
}

/* Compare both on one input; false (and a log line) when they differ for a
 * reason not listed. */
static bool agree(const char *label, const char *in, size_t n, int *policy_hits) {
    ll_t ll;
    ll_run(in, n, &ll);
    drv_t *d = drive(in, n);
    bool swirl_refused = d->verdict == V_REJECT;
    bool ok = true;
    /* swirl stops at a message that closes the connection; llhttp reads on */
    bool closed_first = d->verdict == V_CLOSE && ll.messages >= d->messages;
    if (swirl_refused != ll.error && !closed_first) {
        if (swirl_refused && policy_for(d->why)) {
            (*policy_hits)++;
        } else if (!swirl_refused && ll_only_for(ll.reason, in, n)) {
            (*policy_hits)++;
        } else {
            ok = false;
            cr_log_error("%s: swirl %s (%s), llhttp %s (%s): %s", label, vname[d->verdict],
                         d->why ? d->why : "", ll.error ? "refuses" : "accepts",
                         ll.reason ? ll.reason : "", shown(in, n));
        }
    } else if (!ll.error && ll.messages > 0 && d->messages > 0) {
        bool same_msg = strcmp(d->method, ll.method) == 0 && d->target_len == ll.target_len &&
                        memcmp(d->target, ll.target, ll.target_len) == 0 &&
                        d->nheaders == ll.nheaders && d->body1_len == ll.body_len &&
                        memcmp(d->body1, ll.body, ll.body_len) == 0;
        if (!same_msg) {
            ok = false;
            cr_log_error("%s: first message differs: method %s/%s target %zu/%zu bytes, "
                         "headers %d/%d, body %zu/%zu bytes",
                         label, d->method, ll.method, d->target_len, ll.target_len, d->nheaders,
                         ll.nheaders, d->body1_len, ll.body_len);
        }
    }
    free(d);
    return ok;
}

/* ---- inputs ----------------------------------------------------------------------------------- */

static uint64_t rng = 0x9E3779B97F4A7C15u;
static uint64_t next_rand(void) { /* xorshift64*: a fixed sequence, so runs repeat */
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 2685821657736338717u;
}

/* Mutate in[0..n) into out (room for n + 64): replace, insert or delete a
 * byte with one that matters to HTTP, or repeat a line. */
static size_t mutate(const char *in, size_t n, char *out) {
    static const char interesting[] = " \t\r\n:;,\"=\\/%0aZ\x7f\x80\xff";
    memcpy(out, in, n);
    if (n == 0)
        return 0;
    size_t at = next_rand() % n;
    char c = interesting[next_rand() % (sizeof(interesting) - 1)];
    switch (next_rand() % 4) {
    case 0:
        out[at] = c;
        return n;
    case 1:
        memmove(out + at + 1, out + at, n - at);
        out[at] = c;
        return n + 1;
    case 2:
        memmove(out + at, out + at + 1, n - at - 1);
        return n - 1;
    default: { /* repeat the line holding `at` (up to 60 bytes of it) */
        size_t s = at, e = at;
        while (s > 0 && out[s - 1] != '\n')
            s--;
        while (e < n && out[e] != '\n')
            e++;
        size_t len = e < n ? e - s + 1 : e - s;
        if (len > 60)
            len = 60;
        memmove(out + s + len, out + s, n - s);
        return n + len;
    }
    }
}

Test(http_llhttp, agree_on_the_conformance_cases_and_their_mutations, .timeout = 120) {
    FILE *f = jl_open("http/llhttp_cases.jsonl");
    if (!f)
        cr_skip_test("../shared/conformance/http/llhttp_cases.jsonl not found (a clone without "
                     "the shared data): skipped");
    static char line[1 << 18], out[(1 << 17) + 64];
    static jl_case_t c;
    int cases = 0, mutants = 0, failed = 0, policy_hits = 0;
    while (jl_next_request_case(f, line, sizeof(line), &c)) {
        cases++;
        failed += !agree(c.name, c.input, c.len, &policy_hits);
        for (int m = 0; m < 40 && c.len < sizeof(out) - 64; m++) {
            size_t n = mutate(c.input, c.len, out);
            char label[320];
            snprintf(label, sizeof(label), "\"%s\", mutant %d", c.name, m);
            mutants++;
            failed += !agree(label, out, n, &policy_hits);
        }
    }
    fclose(f);
    cr_log_info("llhttp as oracle: %d cases, %d mutants, %d refusals by policy, %d disagreements",
                cases, mutants, policy_hits, failed);
    cr_assert_gt(cases, 100);
    cr_assert_eq(failed, 0, "%d disagreements with llhttp (see the log)", failed);
}

/* The libFuzzer seed corpus (tests/fuzz/corpus/http_parser), each file
 * and 200 mutations of it. It is the project's own: this runs in every
 * clone. */
Test(http_llhttp, agree_on_the_fuzz_corpus_and_its_mutations, .timeout = 120) {
    const char *dir = SWIRL_SOURCE_DIR "/tests/fuzz/corpus/http_parser";
    DIR *d = opendir(dir);
    cr_assert(d, "%s", dir);
    static char in[1 << 16], out[(1 << 16) + 64];
    int files = 0, mutants = 0, failed = 0, policy_hits = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        cr_assert(f, "%s", path);
        size_t n = fread(in, 1, sizeof(in) - 64, f);
        fclose(f);
        files++;
        failed += !agree(e->d_name, in, n, &policy_hits);
        for (int m = 0; m < 200; m++) {
            size_t k = mutate(in, n, out);
            char label[320];
            snprintf(label, sizeof(label), "%s, mutant %d", e->d_name, m);
            mutants++;
            failed += !agree(label, out, k, &policy_hits);
        }
    }
    closedir(d);
    cr_log_info("llhttp as oracle on the fuzz corpus: %d files, %d mutants, %d refusals by "
                "policy, %d disagreements", files, mutants, policy_hits, failed);
    cr_assert_gt(files, 0);
    cr_assert_eq(failed, 0, "%d disagreements with llhttp (see the log)", failed);
}

#else

Test(http_llhttp, agree_on_the_conformance_cases_and_their_mutations) {
    cr_skip_test("llhttp's C sources are not installed (Debian package node-llhttp, "
                 "/usr/share/llhttp): the differential test is skipped");
}

#endif
