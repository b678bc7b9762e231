#include "wsspec/error.h"

#define WS_ERR_NAME_(name, msg, rfc) #name,
#define WS_ERR_MSG_(name, msg, rfc)  msg,
#define WS_ERR_RFC_(name, msg, rfc)  rfc,

static const char *const err_names[] = {WS_ERR_MAP(WS_ERR_NAME_)};
static const char *const err_messages[] = {WS_ERR_MAP(WS_ERR_MSG_)};
static const char *const err_rfcs[] = {WS_ERR_MAP(WS_ERR_RFC_)};

static int in_range(ws_err e)
{
    return (unsigned)e < (unsigned)WS_ERR_COUNT_;
}

const char *ws_err_name(ws_err e)
{
    return in_range(e) ? err_names[e] : "UNKNOWN";
}

const char *ws_err_message(ws_err e)
{
    return in_range(e) ? err_messages[e] : "unknown error";
}

const char *ws_err_rfc(ws_err e)
{
    return in_range(e) ? err_rfcs[e] : "";
}
