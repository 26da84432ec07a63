/* swirl/swirl.h — the umbrella header: include this one to get every module. */
#ifndef SWIRL_SWIRL_H
#define SWIRL_SWIRL_H

#include <swirl/version.h>
#include <swirl/error.h>
#include <swirl/core.h>
#include <swirl/event.h>
#include <swirl/net.h>
#include <swirl/process.h>
#include <swirl/async.h>
#include <swirl/protocol.h>
#include <swirl/memory.h>
#include <swirl/server.h>
#include <swirl/http.h>
#include <swirl/websocket.h>
#include <swirl/client.h>
#include <swirl/http_client.h>
#include <swirl/ws_client.h>
#include <swirl/redis.h>
#include <swirl/mysql.h>

#endif
