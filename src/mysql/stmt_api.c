/* src/mysql/stmt_api.c — the public calls of prepared statements: they
 * queue operations on the connection (conn.c), whose queue runs them
 * through stmt.c. */
#include "mysql/internal.h"

#include <errno.h>
#include <string.h>

#include "core/internal.h"

int swirl_mysql_prepare(swirl_mysql_t *c, const char *sql, size_t len, swirl_mysql_stmt_t **out,
                        swirl_mysql_done_cb done, void *user) {
    if (!c || c->freed || !out || !done || !sql)
        return swirl__error(SWIRL_EBADARG, "mysql prepare: missing connection, text or callback");
    if (c->state == C_DOWN && !(c->head && c->head->kind == OP_CONNECT))
        return swirl__error(SWIRL_ESTATE, "mysql %s: prepare: not connected", c->where);
    swirl_mysql_stmt_t *s = swirl_calloc(1, sizeof(*s));
    swirl__mysql_op_t *op = swirl__mysql_op_new(OP_PREPARE, len + 1);
    if (!s || !op) {
        swirl_free(s);
        swirl_free(op);
        return swirl__error(-ENOMEM, "mysql %s: prepare:", c->where);
    }
    s->c = c;
    op->sql = (char *)(op + 1);
    memcpy(op->sql, sql, len);
    op->len = len;
    op->stmt = s;
    op->done = done;
    op->user = user;
    s->ops = 1;
    int rc = swirl__mysql_enqueue(c, op);
    if (rc < 0) {
        swirl_free(op);
        swirl_free(s);
        return rc;
    }
    s->next = c->stmts;
    c->stmts = s;
    *out = s;
    return 0;
}

int swirl_mysql_execute(swirl_mysql_stmt_t *s, const swirl_mysql_param_t *params, size_t n,
                        swirl_mysql_row_cb row, swirl_mysql_done_cb done, void *user) {
    if (!s || s->freed || !done || (n && !params))
        return swirl__error(SWIRL_EBADARG, "mysql execute: missing statement, parameters or "
                                           "callback");
    swirl_mysql_t *c = s->c;
    if (c->freed)
        return swirl__error(SWIRL_ESTATE, "mysql %s: execute: connection freed", c->where);
    size_t text = 0;
    for (size_t i = 0; i < n; i++) {
        if (params[i].type == SWIRL_MYSQL_TEXT && !params[i].s && params[i].len)
            return swirl__error(SWIRL_EBADARG, "mysql %s: execute: parameter %zu has no text",
                                c->where, i + 1);
        if (params[i].type == SWIRL_MYSQL_TEXT)
            text += params[i].len + 1;
    }
    swirl__mysql_op_t *op = swirl__mysql_op_new(OP_EXECUTE, n * sizeof(*params) + text);
    if (!op)
        return swirl__error(-ENOMEM, "mysql %s: execute:", c->where);
    op->params = (swirl_mysql_param_t *)(op + 1);
    char *p = (char *)(op->params + n);
    for (size_t i = 0; i < n; i++) {
        op->params[i] = params[i];
        if (params[i].type == SWIRL_MYSQL_TEXT) {
            if (params[i].len)
                memcpy(p, params[i].s, params[i].len);
            p[params[i].len] = 0;
            op->params[i].s = p;
            p += params[i].len + 1;
        }
    }
    op->nparams = n;
    op->stmt = s;
    op->row = row;
    op->done = done;
    op->user = user;
    int rc = swirl__mysql_enqueue(c, op);
    if (rc < 0)
        swirl_free(op);
    else
        s->ops++;
    return rc;
}

void swirl_mysql_stmt_free(swirl_mysql_stmt_t *s) {
    if (!s || s->freed)
        return;
    swirl_mysql_t *c = s->c;
    s->freed = true;
    if (c->freed)
        return; /* freed with the connection */
    swirl__mysql_op_t *op = swirl__mysql_op_new(OP_STMT_CLOSE, 0);
    if (!op) {
        /* no memory for the close op: the handle stays on the connection's
         * list and goes with it */
        return;
    }
    op->stmt = s;
    s->ops++;
    if (swirl__mysql_enqueue(c, op) < 0) { /* the handle goes with the connection */
        s->ops--;
        swirl_free(op);
    }
}
