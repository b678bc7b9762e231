/*
 * Client mode's sessions: the opening response wsspec sends (valid, or
 * mutated), then unmasked server frames, with the same write boundaries,
 * pauses and endings as server mode (ws_lf_session, rendered by session.c).
 * The response's Sec-WebSocket-Accept is the token "{accept}", replaced at
 * run time by the value for the client's actual key (client_target.c), so
 * that a session replays byte for byte whatever key the client picks.
 * Frames are mutated by the core's structure-aware mutator.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "livefuzz/livefuzz.h"
#include "wsspec/frame.h"

#define VALID_RESPONSE                                                                             \
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"            \
    "Sec-WebSocket-Accept: {accept}\r\n\r\n"

static void reset(ws_lf_session *s)
{
    s->hs_len = 0;
    s->hs_split = 0;
    s->hs_with_frames = false;
    ws_mut_seq_init(&s->seq, s->arena, sizeof s->arena);
    s->ncuts = 0;
    s->end = WS_LF_END_NONE;
    s->flood_frame = s->flood_count = 0;
}

void ws_lf_client_session_default(ws_lf_session *s)
{
    reset(s);
    s->hs_len = sizeof VALID_RESPONSE - 1;
    memcpy(s->hs, VALID_RESPONSE, s->hs_len);
}

static void add(ws_lf_session *s, bool fin, uint8_t op, const char *payload, size_t n)
{
    ws_mut_frame f = {.fin = fin, .opcode = op, .form = 7, .len = n};
    ws_mut_seq_add(&s->seq, &f, (const uint8_t *)payload, n);
}

bool ws_lf_client_seed(ws_lf_session *s, size_t i)
{
    ws_lf_client_session_default(s);
    static const uint8_t bin[] = {0, 1, 2, 0xfe, 0xff, 0x80, 0x7f, 0x10};
    switch (i) {
    case 0:
        add(s, true, WS_OP_TEXT, "Hello, world!", 13);
        return true;
    case 1:
        add(s, true, WS_OP_BINARY, (const char *)bin, sizeof bin);
        return true;
    case 2:
        add(s, true, WS_OP_PING, "ping", 4);
        add(s, true, WS_OP_TEXT, "after the ping", 14);
        return true;
    case 3:
        add(s, false, WS_OP_TEXT, "frag", 4);
        add(s, true, WS_OP_PING, "", 0);
        add(s, true, WS_OP_CONT, "mented", 6);
        return true;
    case 4:
        add(s, true, WS_OP_TEXT, "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", 11);
        add(s, true, WS_OP_CLOSE,
            "\x03\xe8"
            "bye",
            5);
        return true;
    case 5:
        return true; /* the handshake alone */
    default:
        return false;
    }
}

/* --------------------------------------------------- response mutation */

/* Replace the head with `lines` (each without CRLF), ending it properly. */
static void rebuild(ws_lf_session *s, char lines[][256], size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = strlen(lines[i]);
        if (o + k + 4 >= sizeof s->hs)
            break;
        memcpy(s->hs + o, lines[i], k);
        o += k;
        s->hs[o++] = '\r';
        s->hs[o++] = '\n';
    }
    s->hs[o++] = '\r';
    s->hs[o++] = '\n';
    s->hs_len = o;
    if (s->hs_split >= s->hs_len)
        s->hs_split = 0;
}

static void mutate_response(ws_lf_session *s, ws_rng *r)
{
    static const char *const pool[] = {
        "Sec-WebSocket-Extensions: permessage-deflate",
        "Sec-WebSocket-Protocol: chat",
        "Sec-WebSocket-Accept: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Accept: {accept}",
        "Upgrade: h2c",
        "Connection: close",
        "Content-Length: 5",
        "Transfer-Encoding: chunked",
        "X-Empty:",
        " folded continuation",
        "Sec-WebSocket-Version: 13",
    };
    static const char *const status[] = {
        "HTTP/1.1 200 OK",    "HTTP/1.0 101 Switching Protocols", "HTTP/1.1 101",
        "HTTP/1.1 101 ",      "http/1.1 101 Switching Protocols", "HTTP/1.1 1010 Switching",
        "HTTP/1.1 302 Found", "HTTP/1.1 400 Bad Request",
    };
    static char lines[64][256];
    size_t n = 0, pos = 0;
    /* The head's lines, up to the empty line. */
    while (pos < s->hs_len && n < 64) {
        const char *start = s->hs + pos;
        const char *nl = memchr(start, '\n', s->hs_len - pos);
        size_t k = nl ? (size_t)(nl - start) : s->hs_len - pos;
        size_t body = k && start[k - 1] == '\r' ? k - 1 : k;
        pos += k + 1;
        if (body == 0)
            break;
        snprintf(lines[n++], sizeof lines[0], "%.*s", (int)(body < 255 ? body : 255), start);
    }
    if (n == 0) {
        ws_lf_client_session_default(s);
        return;
    }
    switch (ws_rng_below(r, 8)) {
    case 0: /* a different status line */
        snprintf(lines[0], sizeof lines[0], "%s", status[ws_rng_below(r, 8)]);
        break;
    case 1: /* drop a header line */
        if (n > 1) {
            size_t i = 1 + (size_t)ws_rng_below(r, n - 1);
            memmove(lines[i], lines[i + 1], (n - i - 1) * sizeof lines[0]);
            n--;
        }
        break;
    case 2: /* duplicate one */
        if (n > 1 && n < 64) {
            size_t i = 1 + (size_t)ws_rng_below(r, n - 1);
            memcpy(lines[n++], lines[i], sizeof lines[0]);
        }
        break;
    case 3: /* add one */
        if (n < 64) {
            size_t i = 1 + (size_t)ws_rng_below(r, n);
            memmove(lines[i + 1], lines[i], (n - i) * sizeof lines[0]);
            snprintf(lines[i], sizeof lines[0], "%s",
                     pool[ws_rng_below(r, sizeof pool / sizeof pool[0])]);
            n++;
        }
        break;
    case 4: { /* mangle an octet */
        size_t i = (size_t)ws_rng_below(r, n);
        size_t k = strlen(lines[i]);
        static const char repl[] = {'X', ' ', ':', '\t', '\x7f', '\xff', ',', 'w'};
        if (k)
            lines[i][ws_rng_below(r, k)] = repl[ws_rng_below(r, sizeof repl)];
        break;
    }
    case 5: /* write the head in two */
        s->hs_split = 1 + (size_t)ws_rng_below(r, s->hs_len - 1);
        return;
    case 6:
        s->hs_with_frames = !s->hs_with_frames;
        return;
    default: /* odd letter case in a header name */
        if (n > 1) {
            char *l = lines[1 + ws_rng_below(r, n - 1)];
            for (; *l && *l != ':'; l++)
                if (*l >= 'a' && *l <= 'z' && ws_rng_below(r, 2))
                    *l = (char)(*l - 32);
        }
    }
    rebuild(s, lines, n);
}

static int cmp_cut(const void *a, const void *b)
{
    const ws_lf_cut *x = a, *y = b;
    return x->at < y->at ? -1 : x->at > y->at;
}

static void mutate_delivery(ws_lf_session *s, ws_rng *r)
{
    size_t total = ws_mut_size(&s->seq);
    static const uint16_t pauses[] = {0, 0, 0, 5, 50};
    switch (ws_rng_below(r, 4)) {
    case 0:
    case 1:
        if (s->ncuts < WS_LF_MAX_CUTS)
            s->cuts[s->ncuts++] =
                (ws_lf_cut){(uint32_t)ws_rng_below(r, total + 1), pauses[ws_rng_below(r, 5)]};
        break;
    case 2:
        s->ncuts = 0;
        break;
    default:
        s->end = (uint8_t)ws_rng_below(r, 3);
    }
    qsort(s->cuts, s->ncuts, sizeof s->cuts[0], cmp_cut);
}

/* Payload octets: the core's edits, or a run of up to 100 octets inserted
 * (lengths near the control-frame limit and the 7/16-bit boundaries are
 * reached in a few steps, not a hundred). */
static size_t grow_bytes(void *ctx, uint8_t *d, size_t size, size_t max)
{
    ws_rng *r = ctx;
    if (ws_rng_below(r, 4) || size >= max)
        return ws_mut_bytes_default(ctx, d, size, max);
    size_t n = 1 + (size_t)ws_rng_below(r, 100);
    if (n > max - size)
        n = max - size;
    size_t at = (size_t)ws_rng_below(r, size + 1);
    memmove(d + at + n, d + at, size - at);
    uint8_t fill = (uint8_t)('a' + ws_rng_below(r, 26));
    for (size_t i = 0; i < n; i++)
        d[at + i] = ws_rng_below(r, 8) ? fill : (uint8_t)ws_rng_next(r);
    return size + n;
}

void ws_lf_client_mutate(ws_lf_session *s, ws_rng *r)
{
    unsigned what = (unsigned)ws_rng_below(r, 20);
    if (what < 3) {
        mutate_response(s, r);
    } else if (what < 5) {
        mutate_delivery(s, r);
    } else if (what < 6 || s->seq.nf == 0) { /* a fresh valid frame */
        uint8_t p[32];
        size_t n = (size_t)ws_rng_below(r, sizeof p);
        for (size_t i = 0; i < n; i++)
            p[i] = (uint8_t)('a' + ws_rng_below(r, 26));
        add(s, true, ws_rng_below(r, 2) ? WS_OP_TEXT : WS_OP_BINARY, (const char *)p, n);
    } else {
        if (s->seq.used > s->seq.cap / 2) { /* compact the arena */
            static _Thread_local ws_lf_session tmp;
            ws_lf_session_copy(&tmp, s);
            ws_lf_session_copy(s, &tmp);
        }
        ws_mut_ctx ctx = {.rng = r, .bytes = grow_bytes, .bytes_ctx = r};
        ws_mut_seq_mutate(&s->seq, &ctx);
    }
}
