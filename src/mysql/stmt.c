/* src/mysql/stmt.c — prepared statements: prepare, execute with bound
 * parameters (copied when queued), rows of the binary protocol as text, and
 * the statement's close; the steps run inside conn.c's queue. */
#include "mysql/internal.h"

#include <errno.h>
#include <errmsg.h>
#include <stdio.h>
#include <string.h>

#include "core/internal.h"

static void stmt_fail(swirl_mysql_t *c, MYSQL_STMT *st, swirl_mysql_result_t *res,
                      const char *what) {
    swirl__mysql_fail_res(c, res, what, mysql_stmt_errno(st), mysql_stmt_sqlstate(st),
                          mysql_stmt_error(st));
}

void swirl__mysql_stmt_reset_result(swirl_mysql_t *c) {
    if (c->rbuf)
        for (unsigned i = 0; i < c->ncols; i++)
            swirl_free(c->rbuf[i]);
    swirl_free(c->rbuf);
    swirl_free(c->rbind);
    swirl_free(c->rlen);
    swirl_free(c->rnull);
    swirl_free(c->rerr);
    swirl_free(c->pbind);
    if (c->meta)
        mysql_free_result(c->meta);
    c->meta = NULL;
    c->rbuf = NULL;
    c->rbind = NULL;
    c->rlen = NULL;
    c->rnull = c->rerr = NULL;
    c->pbind = NULL;
}

void swirl__mysql_stmts_drop(swirl_mysql_t *c) {
    /* mysql_close detaches them (stmt->mysql = NULL), after which closing
     * one only frees its memory: do it after, with the handles saved */
    for (swirl_mysql_stmt_t *s = c->stmts; s; s = s->next)
        s->prepared = false;
}

void swirl__mysql_stmts_free_all(swirl_mysql_t *c) {
    swirl_mysql_stmt_t *s = c->stmts;
    while (s) {
        swirl_mysql_stmt_t *next = s->next;
        if (s->st)
            mysql_stmt_close(s->st);
        swirl_free(s);
        s = next;
    }
    c->stmts = NULL;
}

/* Bind the result columns as text buffers sized for the stored result. */
static int bind_result(swirl_mysql_t *c, MYSQL_STMT *st) {
    MYSQL_RES *meta = mysql_stmt_result_metadata(st);
    if (!meta)
        return -1;
    c->meta = meta; /* kept until the result is done: the names point into it */
    unsigned n = mysql_num_fields(meta);
    MYSQL_FIELD *f = mysql_fetch_fields(meta);
    if (swirl__mysql_columns(c, f, n))
        return -ENOMEM;
    c->rbind = swirl_calloc(n ? n : 1, sizeof(*c->rbind));
    c->rbuf = swirl_calloc(n ? n : 1, sizeof(*c->rbuf));
    c->rlen = swirl_calloc(n ? n : 1, sizeof(*c->rlen));
    c->rnull = swirl_calloc(n ? n : 1, sizeof(*c->rnull));
    c->rerr = swirl_calloc(n ? n : 1, sizeof(*c->rerr));
    int rc = c->rbind && c->rbuf && c->rlen && c->rnull && c->rerr ? 0 : -ENOMEM;
    for (unsigned i = 0; rc == 0 && i < n; i++) {
        /* the stored result gave max_length (STMT_ATTR_UPDATE_MAX_LENGTH);
         * numbers and dates as text fit in 64 bytes, and a longer value is
         * fetched again into a grown buffer */
        size_t size = (f[i].max_length > 64 ? f[i].max_length : 64) + 1;
        c->rbuf[i] = swirl_malloc(size);
        if (!c->rbuf[i]) {
            rc = -ENOMEM;
            break;
        }
        c->rbind[i].buffer_type = MYSQL_TYPE_STRING;
        c->rbind[i].buffer = c->rbuf[i];
        c->rbind[i].buffer_length = size;
        c->rbind[i].length = &c->rlen[i];
        c->rbind[i].is_null = &c->rnull[i];
        c->rbind[i].error = &c->rerr[i];
    }
    if (rc == 0 && mysql_stmt_bind_result(st, c->rbind))
        rc = -1;
    return rc;
}

/* Deliver the stored rows (no I/O: all were read by store_result). */
static int deliver_rows(swirl_mysql_t *c, swirl__mysql_op_t *op, MYSQL_STMT *st,
                        swirl_mysql_result_t *res) {
    const char **vals = swirl_calloc(c->ncols ? c->ncols : 1, sizeof(*vals));
    if (!vals)
        return -ENOMEM;
    int rc = 0;
    for (;;) {
        int f = mysql_stmt_fetch(st);
        if (f == MYSQL_NO_DATA)
            break;
        if (f == 1) {
            stmt_fail(c, st, res, "execute");
            break;
        }
        for (unsigned i = 0; i < c->ncols; i++) {
            if (c->rnull[i]) {
                vals[i] = NULL;
                continue;
            }
            if (c->rlen[i] >= c->rbind[i].buffer_length) { /* truncated: grow and fetch again */
                char *b = swirl_realloc(c->rbuf[i], c->rlen[i] + 1);
                if (!b) {
                    rc = -ENOMEM;
                    goto out;
                }
                c->rbuf[i] = b;
                c->rbind[i].buffer = b;
                c->rbind[i].buffer_length = c->rlen[i] + 1;
                if (mysql_stmt_fetch_column(st, &c->rbind[i], i, 0)) {
                    stmt_fail(c, st, res, "execute");
                    goto out;
                }
                mysql_stmt_bind_result(st, c->rbind);
            }
            c->rbuf[i][c->rlen[i]] = 0;
            vals[i] = c->rbuf[i];
        }
        c->rows++;
        if (op->row) {
            swirl_mysql_row_t row = {c->ncols, c->names, vals, c->rlen, c->kinds};
            c->depth++;
            op->row(c, op->user, &row);
            c->depth--;
            if (c->freed || c->head != op) {
                rc = -1;
                goto out;
            }
        }
    }
out:
    swirl_free(vals);
    return rc;
}

static int bind_params(swirl_mysql_t *c, swirl__mysql_op_t *op, MYSQL_STMT *st) {
    if (!op->nparams)
        return 0;
    c->pbind = swirl_calloc(op->nparams, sizeof(*c->pbind));
    if (!c->pbind)
        return -ENOMEM;
    for (size_t i = 0; i < op->nparams; i++) {
        swirl_mysql_param_t *p = &op->params[i];
        MYSQL_BIND *b = &c->pbind[i];
        switch (p->type) {
        case SWIRL_MYSQL_INT:
            b->buffer_type = MYSQL_TYPE_LONGLONG;
            b->buffer = &p->i;
            break;
        case SWIRL_MYSQL_DOUBLE:
            b->buffer_type = MYSQL_TYPE_DOUBLE;
            b->buffer = &p->d;
            break;
        case SWIRL_MYSQL_TEXT:
            b->buffer_type = MYSQL_TYPE_STRING;
            b->buffer = (void *)p->s;
            b->buffer_length = (unsigned long)p->len;
            break;
        default:
            b->buffer_type = MYSQL_TYPE_NULL;
            break;
        }
    }
    return mysql_stmt_bind_param(st, c->pbind) ? -1 : 0;
}

int swirl__mysql_stmt_step(swirl_mysql_t *c, swirl__mysql_op_t *op, int ready, bool *finished,
                           swirl_mysql_result_t *res) {
    swirl_mysql_stmt_t *s = op->stmt;
    int w;
    *finished = true;
    if (op->kind == OP_PREPARE) {
        if (!op->started) {
            if (s->freed) /* freed before its turn: its close op follows */
                goto cancelled;
            s->st = mysql_stmt_init(c->my);
            if (!s->st) {
                swirl__mysql_fail_res(c, res, "prepare", CR_OUT_OF_MEMORY, "HY000",
                                      "out of memory");
                return 0;
            }
            my_bool on = 1;
            mysql_stmt_attr_set(s->st, STMT_ATTR_UPDATE_MAX_LENGTH, &on);
            s->gen = c->gen;
            w = mysql_stmt_prepare_start(&c->ret_int, s->st, op->sql, (unsigned long)op->len);
        } else {
            w = mysql_stmt_prepare_cont(&c->ret_int, s->st, ready);
        }
        op->started = true;
        if (w) {
            *finished = false;
            return w;
        }
        if (c->ret_int) {
            stmt_fail(c, s->st, res, "prepare");
            return 0;
        }
        s->prepared = true;
        res->columns = mysql_stmt_field_count(s->st);
        return 0;
    }
    if (op->kind == OP_STMT_CLOSE) {
        if (!s->st || !s->prepared || s->gen != c->gen)
            return 0; /* nothing on the server; op_free frees the handle */
        w = op->started ? mysql_stmt_close_cont(&c->ret_bool, s->st, ready)
                        : mysql_stmt_close_start(&c->ret_bool, s->st);
        op->started = true;
        if (w) {
            *finished = false;
            return w;
        }
        s->st = NULL; /* closed and freed by the connector */
        return 0;
    }
    /* OP_EXECUTE */
    MYSQL_STMT *st = s->st;
    if (op->phase == 0 && !op->started) {
        if (s->freed)
            goto cancelled;
        if (!st || !s->prepared || s->gen != c->gen) {
            res->status = SWIRL_ESTATE;
            res->sqlstate = "";
            snprintf(c->msg, sizeof(c->msg), "mysql %s: execute: the statement is not prepared%s",
                     c->where, st && s->gen != c->gen ? " (its connection was lost)" : "");
            res->message = c->msg;
            return 0;
        }
        if (mysql_stmt_param_count(st) != op->nparams) {
            res->status = SWIRL_EBADARG;
            res->sqlstate = "";
            snprintf(c->msg, sizeof(c->msg),
                     "mysql %s: execute: the statement takes %lu parameters, got %zu", c->where,
                     mysql_stmt_param_count(st), op->nparams);
            res->message = c->msg;
            return 0;
        }
        int rc = bind_params(c, op, st);
        if (rc < 0) {
            if (rc == -ENOMEM)
                swirl__mysql_fail_res(c, res, "execute", CR_OUT_OF_MEMORY, "HY000",
                                      "out of memory");
            else
                stmt_fail(c, st, res, "execute");
            swirl__mysql_stmt_reset_result(c);
            return 0;
        }
    }
    if (op->phase == 0) {
        w = op->started ? mysql_stmt_execute_cont(&c->ret_int, st, ready)
                        : mysql_stmt_execute_start(&c->ret_int, st);
        op->started = true;
        if (w) {
            *finished = false;
            return w;
        }
        if (c->ret_int) {
            stmt_fail(c, st, res, "execute");
            swirl__mysql_stmt_reset_result(c);
            return 0;
        }
        if (mysql_stmt_field_count(st) == 0) {
            res->affected_rows = mysql_stmt_affected_rows(st);
            res->insert_id = mysql_stmt_insert_id(st);
            res->warnings = mysql_warning_count(c->my);
            swirl__mysql_stmt_reset_result(c);
            return 0;
        }
        op->phase = 1;
        op->started = false;
        ready = 0;
    }
    /* phase 1: read the whole result, then hand out its rows */
    w = op->started ? mysql_stmt_store_result_cont(&c->ret_int, st, ready)
                    : mysql_stmt_store_result_start(&c->ret_int, st);
    op->started = true;
    if (w) {
        *finished = false;
        return w;
    }
    if (c->ret_int) {
        stmt_fail(c, st, res, "execute");
        swirl__mysql_stmt_reset_result(c);
        return 0;
    }
    c->rows = 0;
    int rc = bind_result(c, st);
    if (rc == 0)
        rc = deliver_rows(c, op, st, res);
    if (rc == -1 && (c->freed || c->head != op)) {
        swirl_free(c->names);
        c->names = NULL;
        return -1;
    }
    if (rc == -ENOMEM)
        swirl__mysql_fail_res(c, res, "execute", CR_OUT_OF_MEMORY, "HY000", "out of memory");
    else if (rc < 0)
        stmt_fail(c, st, res, "execute");
    res->columns = c->ncols;
    res->rows = c->rows;
    if (res->status == 0)
        res->warnings = mysql_warning_count(c->my);
    mysql_stmt_free_result(st);
    swirl__mysql_stmt_reset_result(c);
    swirl_free(c->names);
    c->names = NULL;
    return 0;

cancelled:
    res->status = -ECANCELED;
    res->sqlstate = "";
    snprintf(c->msg, sizeof(c->msg), "mysql %s: %s: cancelled: the statement was freed", c->where,
             op->kind == OP_PREPARE ? "prepare" : "execute");
    res->message = c->msg;
    return 0;
}
