/* Evidence bookkeeping for one case: bounded, whatever the peer sends. */
#include <stdlib.h>
#include <string.h>

#include "driver/result.h"

void ws_result_init(ws_case_result *r, const ws_case *c, size_t index)
{
    memset(r, 0, sizeof *r);
    r->c = c;
    r->index = index;
    r->local_close_code = -1;
    r->remote_close_code = -1;
    r->behavior = WS_BEHAVIOR_FAILED;
    r->behavior_close = WS_CLOSE_VERDICT_FAILED;
    r->result = WS_RESULT_FAILED;
}

void ws_result_free(ws_case_result *r)
{
    free(r->http_request);
    free(r->http_response);
    free(r->events);
    free(r->wire);
    ws_result_record_free(r);
    r->http_request = r->http_response = NULL;
    r->events = NULL;
    r->wire = NULL;
}

static bool grow(void **arr, size_t *cap, size_t need, size_t elem, size_t max)
{
    if (need <= *cap)
        return true;
    size_t ncap = *cap ? *cap * 2 : 32;
    if (ncap > max)
        ncap = max;
    if (ncap < need)
        return false;
    void *n = realloc(*arr, ncap * elem);
    if (!n)
        return false;
    *arr = n;
    *cap = ncap;
    return true;
}

void ws_result_add_event(ws_case_result *r, ws_ev_kind kind, uint64_t len, const uint8_t *data,
                         size_t data_len, int64_t t_us)
{
    /* Bulk cases (9.x, 12.x, 13.x: thousands of echoes, all checked by the
     * matcher) keep the first few events as evidence and count the rest. */
    size_t max = r->c && (r->c->flags & WS_CASE_NO_WIRELOG) ? 16 : WS_EVENTS_MAX;
    if (r->nevents >= max || !grow((void **)&r->events, &r->events_cap, r->nevents + 1,
                                   sizeof *r->events, WS_EVENTS_MAX)) {
        r->events_dropped++;
        return;
    }
    ws_rx_event *e = &r->events[r->nevents++];
    e->kind = kind;
    e->len = len;
    e->t_us = t_us;
    e->preview_len = (uint8_t)(data_len < WS_PREVIEW_MAX ? data_len : WS_PREVIEW_MAX);
    if (e->preview_len)
        memcpy(e->preview, data, e->preview_len);
}

void ws_result_add_wire(ws_case_result *r, const ws_wire_frame *f)
{
    bool limited = r->c && (r->c->flags & WS_CASE_NO_WIRELOG);
    size_t max = limited ? 16 : WS_WIRELOG_MAX;
    if (r->nwire >= max ||
        !grow((void **)&r->wire, &r->wire_cap, r->nwire + 1, sizeof *r->wire, WS_WIRELOG_MAX)) {
        r->wire_dropped++;
        return;
    }
    r->wire[r->nwire++] = *f;
}

void ws_result_count_chop(ws_size_count *stats, size_t *n, uint64_t size)
{
    for (size_t i = 0; i < *n; i++)
        if (stats[i].size == size) {
            stats[i].count++;
            return;
        }
    if (*n < WS_CHOP_STATS_MAX)
        stats[(*n)++] = (ws_size_count){size, 1};
}

void ws_result_set_http(char **dst, size_t *dst_len, const char *src, size_t len)
{
    if (len > WS_HTTP_KEEP_MAX)
        len = WS_HTTP_KEEP_MAX;
    char *p = malloc(len + 1);
    if (!p)
        return;
    memcpy(p, src, len);
    p[len] = 0;
    free(*dst);
    *dst = p;
    *dst_len = len;
}

/* Room for `need` kept octets, at most `limit`. */
static bool grow_octets(ws_tx_record *t, size_t need)
{
    if (need <= t->cap)
        return true;
    if (need > t->limit)
        return false;
    size_t ncap = t->cap ? t->cap * 2 : 4096;
    if (ncap < need)
        ncap = need;
    if (ncap > t->limit)
        ncap = t->limit;
    uint8_t *n = realloc(t->data, ncap);
    if (!n)
        return false;
    t->data = n;
    t->cap = ncap;
    return true;
}

void ws_result_record_start(ws_case_result *r, int64_t now_ns)
{
    if (r->tx_record_limit == 0)
        return;
    ws_result_record_free(r);
    r->tx_record = calloc(1, sizeof *r->tx_record);
    if (r->tx_record) {
        r->tx_record->limit = r->tx_record_limit;
        r->tx_record->last_ns = now_ns;
    }
}

void ws_result_record_tx(ws_case_result *r, const uint8_t *buf, size_t len, int64_t now_ns)
{
    ws_tx_record *t = r->tx_record;
    if (!t)
        return;
    int64_t gap_ms = (now_ns - t->last_ns) / 1000000;
    t->last_ns = now_ns;
    /* The write that crosses the limit is kept up to it. */
    size_t take = t->left_out ? 0 : len <= t->limit - t->len ? len : t->limit - t->len;
    bool keep = (take > 0 || (len == 0 && !t->left_out)) &&
                grow((void **)&t->writes, &t->writes_cap, t->nwrites + 1, sizeof *t->writes,
                     WS_TX_WRITES_MAX) &&
                grow_octets(t, t->len + take);
    if (!keep)
        take = 0;
    if (take < len) {
        t->left_out += len - take;
        t->left_out_writes += take ? 0 : 1;
    }
    if (!keep)
        return;
    t->writes[t->nwrites++] = (ws_tx_write){take, (uint32_t)(gap_ms < 0         ? 0
                                                             : gap_ms > 9999999 ? 9999999
                                                                                : gap_ms)};
    if (take)
        memcpy(t->data + t->len, buf, take);
    t->len += take;
}

void ws_result_record_free(ws_case_result *r)
{
    if (!r->tx_record)
        return;
    free(r->tx_record->data);
    free(r->tx_record->writes);
    free(r->tx_record);
    r->tx_record = NULL;
}
