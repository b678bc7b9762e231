#include <stdio.h>
#include <string.h>

#include "driver/match.h"

const char *ws_ev_kind_name(ws_ev_kind k)
{
    switch (k) {
    case WS_EV_TEXT:
        return "a text message";
    case WS_EV_BINARY:
        return "a binary message";
    case WS_EV_PING:
        return "a Ping";
    case WS_EV_PONG:
        return "a Pong";
    case WS_EV_MARK:
        return "no failure (the connection stayed open through a pause)";
    }
    return "?";
}

void ws_match_init(ws_match *m, const ws_expect_list *list)
{
    memset(m, 0, sizeof *m);
    m->list = list;
}

static void die(ws_match *m)
{
    m->dead = true;
    m->in_event = false;
}

void ws_match_begin(ws_match *m, ws_ev_kind kind)
{
    if (m->dead || !m->list)
        return;
    if (m->pos >= m->list->n) {
        snprintf(m->why, sizeof m->why, "Received %s after everything expected (%zu event%s).",
                 ws_ev_kind_name(kind), m->list->n, m->list->n == 1 ? "" : "s");
        die(m);
        return;
    }
    const ws_expect_event *e = &m->list->events[m->pos];
    if (e->kind != kind) {
        snprintf(m->why, sizeof m->why, "Expected %s (event %zu of %zu); received %s.",
                 ws_ev_kind_name(e->kind), m->pos + 1, m->list->n, ws_ev_kind_name(kind));
        die(m);
        return;
    }
    m->off = 0;
    m->in_event = true;
}

void ws_match_data(ws_match *m, const uint8_t *data, size_t len)
{
    if (m->dead || !m->in_event)
        return;
    const ws_expect_event *e = &m->list->events[m->pos];
    if (m->off + len > e->len) {
        snprintf(m->why, sizeof m->why, "Event %zu: expected %zu payload octets; received more.",
                 m->pos + 1, e->len);
        die(m);
        return;
    }
    if (len && memcmp(e->data + m->off, data, len) != 0) {
        size_t at = 0;
        while (at < len && e->data[m->off + at] == data[at])
            at++;
        snprintf(m->why, sizeof m->why,
                 "Event %zu: payload differs from what was sent at octet %llu (expected 0x%02x, "
                 "received 0x%02x).",
                 m->pos + 1, (unsigned long long)(m->off + at), e->data[m->off + at], data[at]);
        die(m);
        return;
    }
    m->off += len;
}

void ws_match_end(ws_match *m)
{
    if (m->dead || !m->in_event)
        return;
    const ws_expect_event *e = &m->list->events[m->pos];
    if (m->off != e->len) {
        snprintf(m->why, sizeof m->why, "Event %zu: expected %zu payload octets; received %llu.",
                 m->pos + 1, e->len, (unsigned long long)m->off);
        die(m);
        return;
    }
    m->in_event = false;
    m->pos++;
}

bool ws_match_done(const ws_match *m)
{
    return m->list && !m->dead && !m->in_event && m->pos == m->list->n;
}
