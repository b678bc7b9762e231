/*
 * The output queue of a server connection: append at the end, consume from
 * the front, compact lazily, and give memory back once empty.
 */
#include <stdlib.h>
#include <string.h>

#include "server/server_internal.h"

ws_err ws_srv_buf_reserve(ws_srv_buf *b, size_t n)
{
    if (b->pos > 0 && b->cap - b->len < n) {
        /* Reclaim the consumed front before growing. */
        memmove(b->data, b->data + b->pos, b->len - b->pos);
        b->len -= b->pos;
        b->pos = 0;
    }
    if (b->cap - b->len < n) {
        if (n > SIZE_MAX / 2 - b->len)
            return WS_ERR_NOMEM;
        /* Double, but jump straight to the size a large echo needs. */
        size_t need = b->len + n;
        size_t cap = b->cap ? b->cap * 2 : 4096;
        if (cap < need)
            cap = need;
        uint8_t *p = realloc(b->data, cap);
        if (!p)
            return WS_ERR_NOMEM;
        b->data = p;
        b->cap = cap;
    }
    return WS_OK;
}

ws_err ws_srv_buf_append(ws_srv_buf *b, const void *data, size_t len)
{
    if (len == 0)
        return WS_OK;
    ws_err e = ws_srv_buf_reserve(b, len);
    if (e != WS_OK)
        return e;
    memcpy(b->data + b->len, data, len);
    b->len += len;
    return WS_OK;
}

void ws_srv_buf_consume(ws_srv_buf *b, size_t n)
{
    b->pos += n;
    if (b->pos < b->len)
        return;
    b->pos = b->len = 0;
    if (b->cap > WS_SRV_KEEP_BUFFER)
        ws_srv_buf_free(b);
}

void ws_srv_buf_free(ws_srv_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->pos = b->len = b->cap = 0;
}
