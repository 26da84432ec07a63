dnl swirl: the Swoole API for PHP on libswirl. The core's C sources are
dnl compiled into the module (see Makefile.frag); their list is read from the
dnl root CMakeLists.txt (SWIRL_SOURCES) so the two builds never drift apart.

PHP_ARG_ENABLE([swirl],
  [whether to enable swirl],
  [AS_HELP_STRING([--enable-swirl], [Enable swirl, the Swoole API on libswirl])],
  [yes])

if test "$PHP_SWIRL" != "no"; then
  SWIRL_ROOT=`cd "$abs_srcdir/.." && pwd`

  AC_MSG_CHECKING([for the swirl core in $SWIRL_ROOT])
  if test ! -f "$SWIRL_ROOT/include/swirl/swirl.h" || test ! -f "$SWIRL_ROOT/CMakeLists.txt"; then
    AC_MSG_ERROR([include/swirl/swirl.h or CMakeLists.txt not found: build from php/ inside a swirl checkout])
  fi
  SWIRL_CORE_SOURCES=`sed -n '/^set(SWIRL_SOURCES/,/)/p' "$SWIRL_ROOT/CMakeLists.txt" | tr ' ()' '\n\n\n' | grep '^src/.*\.c$' | tr '\n' ' '`
  if test -z "$SWIRL_CORE_SOURCES"; then
    AC_MSG_ERROR([no SWIRL_SOURCES list in $SWIRL_ROOT/CMakeLists.txt])
  fi
  SWIRL_CORE_COUNT=`echo $SWIRL_CORE_SOURCES | wc -w`
  AC_MSG_RESULT([yes, $SWIRL_CORE_COUNT core sources])

  PHP_CHECK_LIBRARY(z, deflateInit2_, [], [AC_MSG_ERROR([zlib not found (zlib1g-dev)])])
  PHP_CHECK_LIBRARY(crypto, EVP_DigestInit_ex, [], [AC_MSG_ERROR([libcrypto not found (libssl-dev)])])
  PHP_CHECK_LIBRARY(ssl, SSL_CTX_new, [], [AC_MSG_ERROR([libssl not found (libssl-dev)])], [-lcrypto])

  dnl the MySQL client (src/mysql): MariaDB Connector/C (libmariadb-dev)
  AC_MSG_CHECKING([for libmariadb])
  SWIRL_MARIADB_CFLAGS=`pkg-config --cflags libmariadb 2>/dev/null`
  SWIRL_MARIADB_LIBS=`pkg-config --libs libmariadb 2>/dev/null`
  if test -z "$SWIRL_MARIADB_LIBS"; then
    AC_MSG_ERROR([libmariadb not found (libmariadb-dev)])
  fi
  AC_MSG_RESULT([$SWIRL_MARIADB_LIBS])
  PHP_EVAL_LIBLINE([$SWIRL_MARIADB_LIBS], SWIRL_SHARED_LIBADD)
  PHP_SUBST(SWIRL_MARIADB_CFLAGS)

  PHP_ADD_INCLUDE([$SWIRL_ROOT/include])
  PHP_ADD_LIBRARY(ssl, 1, SWIRL_SHARED_LIBADD)
  PHP_ADD_LIBRARY(crypto, 1, SWIRL_SHARED_LIBADD)
  PHP_CHECK_LIBRARY(hiredis, redisAsyncConnect, [], [AC_MSG_ERROR([hiredis not found (libhiredis-dev)])])
  PHP_ADD_LIBRARY(hiredis, 1, SWIRL_SHARED_LIBADD)
  PHP_ADD_LIBRARY(z, 1, SWIRL_SHARED_LIBADD)
  PHP_ADD_LIBRARY(pthread, 1, SWIRL_SHARED_LIBADD)
  dnl The core archive goes first on the link line, before the libraries it uses.
  SWIRL_SHARED_LIBADD="libswirl/libswirl.a $SWIRL_SHARED_LIBADD"
  SWIRL_SHARED_DEPENDENCIES="libswirl/libswirl.a"

  PHP_NEW_EXTENSION(swirl,
    swirl.c swirl_functions.c swirl_constant.c swirl_loop.c swirl_table.c swirl_lock.c swirl_atomic.c swirl_process.c swirl_event.c swirl_timer.c swirl_server.c swirl_server_events.c swirl_server_methods.c swirl_server_task.c swirl_server_command.c swirl_server_lenfunc.c swirl_pool.c swirl_http.c swirl_http_request.c swirl_websocket.c swirl_port.c swirl_client.c swirl_client_async.c swirl_http_client.c swirl_http_client_ws.c swirl_redis.c swirl_mysql.c,
    $ext_shared,, [-std=gnu11 -Wall -Wextra -Wno-unused-parameter -D_GNU_SOURCE -DZEND_ENABLE_STATIC_TSRMLS_CACHE=1])

  PHP_SUBST(SWIRL_ROOT)
  PHP_SUBST(SWIRL_CORE_SOURCES)
  PHP_SUBST(SWIRL_SHARED_LIBADD)
  PHP_SUBST(SWIRL_SHARED_DEPENDENCIES)
  PHP_ADD_MAKEFILE_FRAGMENT
fi
