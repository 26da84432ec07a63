/* src/mysql/common.c — helpers the connection (conn.c) and the prepared
 * statements (stmt.c, stmt_api.c) share: error results, column tables, new
 * operations. */
#include "mysql/internal.h"

#include <errmsg.h>
#include <errno.h>
#include <stdio.h>

#include "core/internal.h"

/* The swirl code for a connector/server error number. */
static int map_errno(unsigned e) {
    switch (e) {
    case 0:
        return SWIRL_EPROTO;
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR:
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
    case CR_SERVER_LOST_EXTENDED:
    case CR_UNKNOWN_HOST:
        return SWIRL_ECLOSED;
    case CR_OUT_OF_MEMORY:
        return -ENOMEM;
    default:
        return e >= 2000 && e < 3000 ? SWIRL_EPROTO : SWIRL_EREMOTE;
    }
}

void swirl__mysql_fail_res(swirl_mysql_t *c, swirl_mysql_result_t *res, const char *what,
                           unsigned err, const char *state, const char *text) {
    res->status = map_errno(err);
    res->server_errno = err;
    res->sqlstate = state ? state : "";
    snprintf(c->msg, sizeof(c->msg), "mysql %s: %s: ERROR %u (%s): %s", c->where, what, err,
             state && *state ? state : "HY000", text && *text ? text : "unknown error");
    res->message = c->msg;
}

swirl__mysql_op_t *swirl__mysql_op_new(op_kind_t kind, size_t extra) {
    swirl__mysql_op_t *op = swirl_calloc(1, sizeof(*op) + extra);
    if (op)
        op->kind = kind;
    return op;
}

int swirl__mysql_columns(swirl_mysql_t *c, const MYSQL_FIELD *f, unsigned n) {
    c->ncols = n;
    c->names = swirl_calloc(n ? n : 1, sizeof(*c->names) + 1);
    if (!c->names)
        return -ENOMEM;
    c->kinds = (unsigned char *)(c->names + n);
    for (unsigned i = 0; i < n; i++) {
        c->names[i] = f[i].name;
        switch (f[i].type) {
        case MYSQL_TYPE_TINY:
        case MYSQL_TYPE_SHORT:
        case MYSQL_TYPE_INT24:
        case MYSQL_TYPE_LONG:
        case MYSQL_TYPE_LONGLONG:
        case MYSQL_TYPE_YEAR:
            c->kinds[i] = SWIRL_MYSQL_INT;
            break;
        case MYSQL_TYPE_FLOAT:
        case MYSQL_TYPE_DOUBLE:
            c->kinds[i] = SWIRL_MYSQL_DOUBLE;
            break;
        default:
            c->kinds[i] = SWIRL_MYSQL_TEXT;
        }
    }
    return 0;
}

/* Set by the first mysql_init of this process (conn.c): only then is there
 * global state to release. A per-process singleton. */
bool swirl__mysql_library_used;

void swirl_mysql_library_end(void) {
    if (swirl__mysql_library_used) {
        mysql_library_end();
        swirl__mysql_library_used = false;
    }
}
