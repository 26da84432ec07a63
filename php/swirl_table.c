/* swirl_table.c — Swoole\Table (swoole_table) on swirl_table_t: typed rows in
 * shared memory, so a table created before fork is shared by the children.
 * The PHP object owns this process's handle; freeing it unmaps the table in
 * this process only. */
#include "php_swirl.h"

#include <zend_exceptions.h>
#include <zend_interfaces.h>

#include "stubs/table_arginfo.h"

typedef struct {
    swirl_table_t *t;
    swirl_table_row_t *row; /* scratch row for get and iteration (after create) */
    size_t cursor;          /* iteration: the next slot to look at */
    bool iter_valid;        /* iteration: `row` holds the current row */
    zend_object std;
} table_obj;

static zend_class_entry *table_ce;
static zend_object_handlers table_handlers;

static inline table_obj *table_from(zend_object *o) {
    return (table_obj *)((char *)o - XtOffsetOf(table_obj, std));
}
#define THIS_TABLE() table_from(Z_OBJ_P(ZEND_THIS))

static zend_object *table_create_object(zend_class_entry *ce) {
    table_obj *o = zend_object_alloc(sizeof(table_obj), ce);
    zend_object_std_init(&o->std, ce);
    object_properties_init(&o->std, ce);
    o->std.handlers = &table_handlers;
    return &o->std;
}

static void table_free_object(zend_object *obj) {
    table_obj *o = table_from(obj);
    swirl_table_row_free(o->row);
    swirl_table_free(o->t);
    zend_object_std_dtor(obj);
}

/* The table of a usable object, or NULL after throwing (a subclass that
 * skipped the parent constructor). */
static swirl_table_t *table_get(table_obj *o) {
    if (!o->t) {
        zend_throw_error(NULL, "Swoole\\Table is not constructed");
    }
    return o->t;
}

/* Created and not destroyed (by any process), or, as Swoole 6.2, a fatal
 * error: a row call on a table that is not there ends the script. */
static bool table_ready(table_obj *o) {
    if (!table_get(o)) {
        return false;
    }
    if (!o->row || !swirl_table_ready(o->t)) {
        php_error_docref(NULL, E_ERROR, "table is not created or has been destroyed");
        return false;
    }
    return true;
}

/* A failed row call: Swoole names the key in its warning; so do we when the
 * key is what was wrong (empty, or longer than 63 bytes). */
static void table_warn(int rc, zend_string *key) {
    if (ZSTR_LEN(key) == 0 || ZSTR_LEN(key) > SWIRL_TABLE_KEY_MAX) {
        php_error_docref(NULL, E_WARNING, "key[%.*s%s]: %s", (int)MIN(ZSTR_LEN(key), 80),
                         ZSTR_VAL(key), ZSTR_LEN(key) > 80 ? "..." : "", swirl_php_error_msg(rc));
    } else {
        swirl_php_warn(rc);
    }
}

/* Column `i` of the copy in `row` as a zval. */
static void row_column_zval(swirl_table_t *t, swirl_table_row_t *row, int i, zval *out) {
    int type;
    swirl_table_column_info(t, i, NULL, &type, NULL);
    if (type == SWIRL_TABLE_INT) {
        int64_t v = 0;
        swirl_table_row_int(row, i, &v);
        ZVAL_LONG(out, (zend_long)v);
    } else if (type == SWIRL_TABLE_FLOAT) {
        double v = 0;
        swirl_table_row_float(row, i, &v);
        ZVAL_DOUBLE(out, v);
    } else {
        const char *p = "";
        size_t len = 0;
        swirl_table_row_string(row, i, &p, &len);
        ZVAL_STRINGL(out, p, len);
    }
}

static void row_to_array(swirl_table_t *t, swirl_table_row_t *row, zval *out) {
    int n = swirl_table_column_count(t);
    array_init_size(out, n);
    for (int i = 0; i < n; i++) {
        const char *name;
        zval v;
        swirl_table_column_info(t, i, &name, NULL, NULL);
        row_column_zval(t, row, i, &v);
        zend_hash_str_update(Z_ARRVAL_P(out), name, strlen(name), &v);
    }
}

PHP_METHOD(Swoole_Table, __construct) {
    zend_long size;
    double conflict = 0.2;
    ZEND_PARSE_PARAMETERS_START(1, 2)
        Z_PARAM_LONG(size)
        Z_PARAM_OPTIONAL
        Z_PARAM_DOUBLE(conflict)
    ZEND_PARSE_PARAMETERS_END();
    table_obj *o = THIS_TABLE();
    if (o->t) {
        zend_throw_error(NULL, "Swoole\\Table is already constructed");
        RETURN_THROWS();
    }
    if (size < 1 || (zend_ulong)size > SWIRL_TABLE_ROWS_MAX) {
        zend_argument_value_error(1, "must be between 1 and %u, " ZEND_LONG_FMT " given",
                                  SWIRL_TABLE_ROWS_MAX, size);
        RETURN_THROWS();
    }
    int rc = swirl_table_new(&o->t, (size_t)size);
    if (rc < 0) {
        swirl_php_throw(rc);
        RETURN_THROWS();
    }
}

PHP_METHOD(Swoole_Table, column) {
    zend_string *name;
    zend_long type, size = 0;
    ZEND_PARSE_PARAMETERS_START(2, 3)
        Z_PARAM_STR(name)
        Z_PARAM_LONG(type)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(size)
    ZEND_PARSE_PARAMETERS_END();
    swirl_table_t *t = table_get(THIS_TABLE());
    if (!t) {
        RETURN_THROWS();
    }
    if (ZSTR_LEN(name) != strlen(ZSTR_VAL(name))) {
        zend_argument_value_error(1, "must not contain any null bytes");
        RETURN_THROWS();
    }
    if (size < 0 || type < INT_MIN || type > INT_MAX) {
        php_error_docref(NULL, E_WARNING, "column %s: invalid type " ZEND_LONG_FMT " or size " ZEND_LONG_FMT,
                         ZSTR_VAL(name), type, size);
        RETURN_FALSE;
    }
    int rc = swirl_table_column(t, ZSTR_VAL(name), (int)type, (size_t)size);
    if (rc < 0) {
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Table, create) {
    ZEND_PARSE_PARAMETERS_NONE();
    table_obj *o = THIS_TABLE();
    if (!table_get(o)) {
        RETURN_THROWS();
    }
    int rc = swirl_table_create(o->t);
    if (rc == SWIRL_ESTATE) {
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    if (rc < 0) {
        swirl_php_throw(rc); /* the mapping failed: Swoole throws too */
        RETURN_THROWS();
    }
    rc = swirl_table_row_new(o->t, &o->row);
    if (rc < 0) {
        swirl_php_throw(rc);
        RETURN_THROWS();
    }
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Table, set) {
    zend_string *key;
    HashTable *values;
    ZEND_PARSE_PARAMETERS_START(2, 2)
        Z_PARAM_STR(key)
        Z_PARAM_ARRAY_HT(values)
    ZEND_PARSE_PARAMETERS_END();
    table_obj *o = THIS_TABLE();
    if (!table_ready(o)) {
        RETURN_FALSE;
    }
    /* Swoole's rule: the table's columns are looked up in the array, other
     * keys of the array are ignored, values are converted to the column's type. */
    int n = swirl_table_column_count(o->t);
    swirl_table_value_t *vals = safe_emalloc(n, sizeof *vals, 0);
    zend_string **strs = ecalloc(n, sizeof *strs);
    size_t used = 0;
    for (int i = 0; i < n; i++) {
        const char *name;
        int type;
        swirl_table_column_info(o->t, i, &name, &type, NULL);
        zval *zv = zend_hash_str_find(values, name, strlen(name));
        if (!zv) {
            continue;
        }
        ZVAL_DEREF(zv);
        swirl_table_value_t *v = &vals[used++];
        v->column = NULL;
        v->index = i;
        v->type = type;
        if (type == SWIRL_TABLE_INT) {
            v->v.i = zval_get_long(zv);
        } else if (type == SWIRL_TABLE_FLOAT) {
            v->v.f = zval_get_double(zv);
        } else {
            strs[i] = zval_get_string(zv);
            v->v.s.ptr = ZSTR_VAL(strs[i]);
            v->v.s.len = ZSTR_LEN(strs[i]);
        }
    }
    int rc = EG(exception) ? 0 : swirl_table_set(o->t, ZSTR_VAL(key), ZSTR_LEN(key), vals, used);
    for (int i = 0; i < n; i++) {
        if (strs[i]) {
            zend_string_release(strs[i]);
        }
    }
    efree(strs);
    efree(vals);
    if (EG(exception)) {
        RETURN_THROWS();
    }
    if (rc < 0) {
        table_warn(rc, key);
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Table, get) {
    zend_string *key, *field = NULL;
    ZEND_PARSE_PARAMETERS_START(1, 2)
        Z_PARAM_STR(key)
        Z_PARAM_OPTIONAL
        Z_PARAM_STR_OR_NULL(field)
    ZEND_PARSE_PARAMETERS_END();
    table_obj *o = THIS_TABLE();
    if (!table_ready(o)) {
        RETURN_FALSE;
    }
    int col = -1;
    if (field) {
        col = swirl_table_column_index(o->t, ZSTR_VAL(field));
        if (col < 0) {
            php_error_docref(NULL, E_WARNING, "column %s does not exist", ZSTR_VAL(field));
            RETURN_FALSE;
        }
    }
    /* Reading into the object's scratch row would spoil a foreach in progress. */
    swirl_table_row_t *row;
    int rc = swirl_table_row_new(o->t, &row);
    if (rc == 0) {
        rc = swirl_table_get(o->t, ZSTR_VAL(key), ZSTR_LEN(key), row);
    }
    if (rc == 0) {
        if (col >= 0) {
            row_column_zval(o->t, row, col, return_value);
        } else {
            row_to_array(o->t, row, return_value);
        }
    }
    swirl_table_row_free(row);
    if (rc == SWIRL_ENOTFOUND) {
        RETURN_FALSE;
    }
    if (rc < 0) {
        table_warn(rc, key);
        RETURN_FALSE;
    }
}

PHP_METHOD(Swoole_Table, exists) {
    zend_string *key;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_STR(key)
    ZEND_PARSE_PARAMETERS_END();
    table_obj *o = THIS_TABLE();
    if (!table_ready(o)) {
        RETURN_FALSE;
    }
    int rc = swirl_table_exists(o->t, ZSTR_VAL(key), ZSTR_LEN(key));
    if (rc < 0) {
        table_warn(rc, key);
        RETURN_FALSE;
    }
    RETURN_BOOL(rc == 1);
}

PHP_METHOD(Swoole_Table, del) {
    zend_string *key;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_STR(key)
    ZEND_PARSE_PARAMETERS_END();
    table_obj *o = THIS_TABLE();
    if (!table_ready(o)) {
        RETURN_FALSE;
    }
    int rc = swirl_table_del(o->t, ZSTR_VAL(key), ZSTR_LEN(key));
    if (rc == SWIRL_ENOTFOUND) {
        RETURN_FALSE;
    }
    if (rc < 0) {
        table_warn(rc, key);
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

static void table_incr(INTERNAL_FUNCTION_PARAMETERS, bool up) {
    zend_string *key, *column;
    zval *by = NULL;
    ZEND_PARSE_PARAMETERS_START(2, 3)
        Z_PARAM_STR(key)
        Z_PARAM_STR(column)
        Z_PARAM_OPTIONAL
        Z_PARAM_NUMBER(by)
    ZEND_PARSE_PARAMETERS_END();
    table_obj *o = THIS_TABLE();
    if (!table_ready(o)) {
        RETURN_FALSE;
    }
    int col = swirl_table_column_index(o->t, ZSTR_VAL(column));
    int type = 0;
    if (col < 0) {
        php_error_docref(NULL, E_WARNING, "column %s does not exist", ZSTR_VAL(column));
        RETURN_FALSE;
    }
    swirl_table_column_info(o->t, col, NULL, &type, NULL);
    int rc;
    if (type == SWIRL_TABLE_INT) {
        if (by && Z_TYPE_P(by) == IS_DOUBLE &&
            (!zend_finite(Z_DVAL_P(by)) || !ZEND_DOUBLE_FITS_LONG(Z_DVAL_P(by)))) {
            zend_string *s = zend_double_to_str(Z_DVAL_P(by));
            php_error_docref(NULL, E_WARNING, "column %s is an int column: cannot %s %s",
                             ZSTR_VAL(column), up ? "add" : "subtract", ZSTR_VAL(s));
            zend_string_release(s);
            RETURN_FALSE;
        }
        int64_t n = by ? (Z_TYPE_P(by) == IS_LONG ? Z_LVAL_P(by) : (int64_t)Z_DVAL_P(by)) : 1, out = 0;
        rc = (up ? swirl_table_incr : swirl_table_decr)(o->t, ZSTR_VAL(key), ZSTR_LEN(key),
                                                       ZSTR_VAL(column), n, &out);
        if (rc == 0) {
            RETURN_LONG((zend_long)out);
        }
    } else if (type == SWIRL_TABLE_FLOAT) {
        double n = by ? zval_get_double(by) : 1.0, out = 0;
        rc = (up ? swirl_table_incr_float : swirl_table_decr_float)(
            o->t, ZSTR_VAL(key), ZSTR_LEN(key), ZSTR_VAL(column), n, &out);
        if (rc == 0) {
            RETURN_DOUBLE(out);
        }
    } else {
        php_error_docref(NULL, E_WARNING, "column %s is a string column: only int and float columns can be %s",
                         ZSTR_VAL(column), up ? "incremented" : "decremented");
        RETURN_FALSE;
    }
    table_warn(rc, key);
    RETURN_FALSE;
}

PHP_METHOD(Swoole_Table, incr) { table_incr(INTERNAL_FUNCTION_PARAM_PASSTHRU, true); }
PHP_METHOD(Swoole_Table, decr) { table_incr(INTERNAL_FUNCTION_PARAM_PASSTHRU, false); }

PHP_METHOD(Swoole_Table, count) {
    ZEND_PARSE_PARAMETERS_NONE();
    swirl_table_t *t = table_get(THIS_TABLE());
    if (!t) {
        RETURN_THROWS();
    }
    RETURN_LONG((zend_long)swirl_table_count(t));
}

PHP_METHOD(Swoole_Table, memorySize) {
    ZEND_PARSE_PARAMETERS_NONE();
    swirl_table_t *t = table_get(THIS_TABLE());
    if (!t) {
        RETURN_THROWS();
    }
    /* Swoole: 0 before create and after destroy */
    RETURN_LONG(swirl_table_ready(t) ? (zend_long)swirl_table_memory_size(t) : 0);
}

/* Swoole's destroy(): the table is gone for every process that shares it
 * (their later row calls end in the fatal error above); true. */
PHP_METHOD(Swoole_Table, destroy) {
    ZEND_PARSE_PARAMETERS_NONE();
    table_obj *o = THIS_TABLE();
    if (!table_ready(o)) {
        RETURN_THROWS();
    }
    int rc = swirl_table_destroy(o->t);
    if (rc < 0) {
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    swirl_table_row_free(o->row);
    o->row = NULL;
    o->iter_valid = false;
    RETURN_TRUE;
}

/* Swoole's stats(): num, conflict_count, conflict_max_level, insert_count,
 * update_count, delete_count, available_slice_num, total_slice_num (rows);
 * false when the table is not created or was destroyed. */
PHP_METHOD(Swoole_Table, stats) {
    ZEND_PARSE_PARAMETERS_NONE();
    swirl_table_t *t = table_get(THIS_TABLE());
    if (!t) {
        RETURN_THROWS();
    }
    swirl_table_stats_t st;
    if (!swirl_table_ready(t) || swirl_table_stats(t, &st) < 0) {
        RETURN_FALSE;
    }
    array_init(return_value);
    add_assoc_long(return_value, "num", (zend_long)st.num);
    add_assoc_long(return_value, "conflict_count", (zend_long)st.conflicts);
    add_assoc_long(return_value, "conflict_max_level", (zend_long)st.conflict_max_level);
    add_assoc_long(return_value, "insert_count", (zend_long)st.inserts);
    add_assoc_long(return_value, "update_count", (zend_long)st.updates);
    add_assoc_long(return_value, "delete_count", (zend_long)st.deletes);
    add_assoc_long(return_value, "available_slice_num", (zend_long)st.free_rows);
    add_assoc_long(return_value, "total_slice_num", (zend_long)st.total_rows);
}

PHP_METHOD(Swoole_Table, getSize) {
    ZEND_PARSE_PARAMETERS_NONE();
    swirl_table_t *t = table_get(THIS_TABLE());
    if (!t) {
        RETURN_THROWS();
    }
    RETURN_LONG((zend_long)swirl_table_size(t));
}

/* ---- Iterator: one row copied at a time, in slot order ---- */

static void table_iter_fetch(table_obj *o) {
    o->iter_valid = o->row && swirl_table_next(o->t, &o->cursor, o->row) == 1;
}

PHP_METHOD(Swoole_Table, rewind) {
    ZEND_PARSE_PARAMETERS_NONE();
    table_obj *o = THIS_TABLE();
    if (!table_get(o)) {
        RETURN_THROWS();
    }
    o->cursor = 0;
    table_iter_fetch(o);
}

PHP_METHOD(Swoole_Table, next) {
    ZEND_PARSE_PARAMETERS_NONE();
    table_obj *o = THIS_TABLE();
    if (!table_get(o)) {
        RETURN_THROWS();
    }
    if (o->iter_valid) {
        table_iter_fetch(o);
    }
}

PHP_METHOD(Swoole_Table, valid) {
    ZEND_PARSE_PARAMETERS_NONE();
    table_obj *o = THIS_TABLE();
    if (!table_get(o)) {
        RETURN_THROWS();
    }
    RETURN_BOOL(o->iter_valid);
}

PHP_METHOD(Swoole_Table, current) {
    ZEND_PARSE_PARAMETERS_NONE();
    table_obj *o = THIS_TABLE();
    if (!table_get(o)) {
        RETURN_THROWS();
    }
    if (!o->iter_valid) {
        RETURN_NULL();
    }
    row_to_array(o->t, o->row, return_value);
}

PHP_METHOD(Swoole_Table, key) {
    ZEND_PARSE_PARAMETERS_NONE();
    table_obj *o = THIS_TABLE();
    if (!table_get(o)) {
        RETURN_THROWS();
    }
    if (!o->iter_valid) {
        RETURN_NULL();
    }
    size_t len;
    const char *k = swirl_table_row_key(o->row, &len);
    RETURN_STRINGL(k, len);
}

void swirl_table_minit(void) {
    table_ce = register_class_Swoole_Table(zend_ce_iterator, zend_ce_countable);
    table_ce->create_object = table_create_object;
    memcpy(&table_handlers, zend_get_std_object_handlers(), sizeof table_handlers);
    table_handlers.offset = XtOffsetOf(table_obj, std);
    table_handlers.free_obj = table_free_object;
    table_handlers.clone_obj = NULL; /* one handle per process: a copy would unmap it twice */
    swirl_php_alias("swoole_table", table_ce);
}
