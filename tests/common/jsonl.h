/* tests/common/jsonl.h — just enough JSON to read the conformance data
 * (one flat object per line): a field's string (escapes decoded, \u as
 * UTF-8) or number, and base64. Test code only. */
#ifndef SWIRL_TEST_JSONL_H
#define SWIRL_TEST_JSONL_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where the value of "key" starts in a line, or NULL. */
static const char *jl_find(const char *line, const char *key) {
    char pat[96];
    snprintf(pat, sizeof(pat), "\"%s\":", key);
    const char *p = strstr(line, pat);
    if (!p)
        return NULL;
    p += strlen(pat);
    while (*p == ' ')
        p++;
    return p;
}

/* The string value of "key" decoded into out (size bytes); its length, or
 * -1 when the key is missing or not a string (null). */
__attribute__((unused)) static long jl_str(const char *line, const char *key, char *out,
                                           size_t size) {
    const char *p = jl_find(line, key);
    if (!p || *p != '"')
        return -1;
    p++;
    size_t n = 0;
    while (*p && *p != '"' && n + 4 < size) {
        unsigned c = (unsigned char)*p++;
        if (c == '\\') {
            char e = *p++;
            switch (e) {
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 't': c = '\t'; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'u': {
                char hex[5] = {p[0], p[1], p[2], p[3], 0};
                c = (unsigned)strtoul(hex, NULL, 16);
                p += 4;
                if (c >= 0x80) { /* as UTF-8 */
                    if (c < 0x800) {
                        out[n++] = (char)(0xc0 | (c >> 6));
                    } else {
                        out[n++] = (char)(0xe0 | (c >> 12));
                        out[n++] = (char)(0x80 | ((c >> 6) & 0x3f));
                    }
                    c = 0x80 | (c & 0x3f);
                }
                break;
            }
            default: c = (unsigned char)e; break;
            }
        }
        out[n++] = (char)c;
    }
    out[n] = 0;
    return (long)n;
}

/* The number value of "key" (true = 1, false = 0), or `dflt`. */
__attribute__((unused)) static long jl_num(const char *line, const char *key, long dflt) {
    const char *p = jl_find(line, key);
    if (!p)
        return dflt;
    if (strncmp(p, "true", 4) == 0)
        return 1;
    if (strncmp(p, "false", 5) == 0)
        return 0;
    char *end;
    long v = strtol(p, &end, 10);
    return end == p ? dflt : v;
}

/* Decode base64 text into out; the byte count. */
__attribute__((unused)) static size_t jl_base64(const char *in, char *out, size_t size) {
    static const char *abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    unsigned acc = 0;
    int bits = 0;
    size_t n = 0;
    for (; *in && *in != '=' && *in != '"'; in++) {
        const char *k = strchr(abc, *in);
        if (!k)
            continue;
        acc = (acc << 6) | (unsigned)(k - abc);
        bits += 6;
        if (bits >= 8 && n < size) {
            bits -= 8;
            out[n++] = (char)((acc >> bits) & 0xff);
        }
    }
    return n;
}

/* One of llhttp's cases (llhttp_cases.jsonl). */
typedef struct {
    char name[256], verdict[32];
    long messages;      /* complete messages expected */
    bool no_host;       /* an HTTP/1.1 request without Host */
    char input[1 << 17];
    size_t len;
} jl_case_t;

/* Read the next strict request case that is not SKIP into *c (line is
 * scratch space); false at the end of the file. */
__attribute__((unused)) static bool jl_next_request_case(FILE *f, char *line, size_t size,
                                                         jl_case_t *c) {
    while (fgets(line, (int)size, f)) {
        char type[64];
        if (jl_str(line, "type", type, sizeof(type)) < 0 || strcmp(type, "request") != 0)
            continue;
        jl_str(line, "verdict", c->verdict, sizeof(c->verdict));
        jl_str(line, "name", c->name, sizeof(c->name));
        const char *b64 = jl_find(line, "input_b64");
        if (strcmp(c->verdict, "SKIP") == 0 || !b64)
            continue;
        c->len = jl_base64(b64 + 1, c->input, sizeof(c->input));
        c->messages = jl_num(line, "messages", 0);
        c->no_host = jl_num(line, "no_host_http11", 0) == 1;
        return true;
    }
    return false;
}

/* Open a conformance file under ../shared/conformance (next to the
 * checkout), or NULL: a user's clone does not have it. */
__attribute__((unused)) static FILE *jl_open(const char *rel) {
    char path[1024];
    snprintf(path, sizeof(path), "%s/../shared/conformance/%s", SWIRL_SOURCE_DIR, rel);
    return fopen(path, "re");
}

#endif
