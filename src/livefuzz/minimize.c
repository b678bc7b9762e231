/*
 * Minimisation: fewer actions, fewer octets, same oracle. Each candidate is
 * a smaller copy of the session; it is kept when the caller's check (a real
 * run against the peer) still fires the same oracle. Passes repeat until
 * nothing shrinks, the try budget is spent or the deadline passes:
 *   end action, write boundaries and pauses, request split;
 *   a flood (a frame written many times), in halves;
 *   frames, in halving chunks (delta-debugging style);
 *   request header lines, in halving chunks;
 *   payloads: emptied, then halves kept.
 */
#include <stdlib.h>
#include <string.h>

#include "livefuzz/livefuzz.h"
#include "wsspec/net.h"

typedef struct {
    ws_lf_session *s, *c;
    ws_lf_reproduces_fn check;
    void *ctx;
    int tries, max_tries;
    int64_t deadline;
    bool changed;
} minimizer;

static bool budget(const minimizer *m)
{
    return m->tries < m->max_tries && ws_now_ns() < m->deadline;
}

/* Check the candidate in m->c; keep it when the oracle still fires. */
static bool attempt(minimizer *m)
{
    m->tries++;
    if (!m->check(m->ctx, m->c))
        return false;
    ws_lf_session_copy(m->s, m->c);
    m->changed = true;
    return true;
}

static void drop_frames(ws_lf_session *s, size_t at, size_t n)
{
    ws_mut_seq *q = &s->seq;
    memmove(&q->f[at], &q->f[at + n], (q->nf - at - n) * sizeof q->f[0]);
    q->nf -= n;
    if (s->flood_frame >= at + n)
        s->flood_frame -= (uint32_t)n;
    else if (s->flood_frame >= at)
        s->flood_count = 0;
}

/* A flood: none, then half as many writes while the oracle still fires. */
static void shrink_flood(minimizer *m)
{
    if (m->s->flood_count < 2 || !budget(m))
        return;
    ws_lf_session_copy(m->c, m->s);
    m->c->flood_count = 0;
    if (attempt(m))
        return;
    while (m->s->flood_count > 2 && budget(m)) {
        ws_lf_session_copy(m->c, m->s);
        m->c->flood_count /= 2;
        if (!attempt(m))
            break;
    }
}

static void shrink_frames(minimizer *m)
{
    for (size_t chunk = m->s->seq.nf / 2 ? m->s->seq.nf / 2 : 1; chunk >= 1 && budget(m);
         chunk /= 2) {
        for (size_t i = 0; i + chunk <= m->s->seq.nf && budget(m);) {
            ws_lf_session_copy(m->c, m->s);
            drop_frames(m->c, i, chunk);
            if (!attempt(m))
                i += chunk;
        }
    }
}

static void shrink_lines(minimizer *m)
{
    size_t n = ws_lf_session_nlines(m->s);
    for (size_t chunk = n > 2 ? (n - 1) / 2 : 1; chunk >= 1 && budget(m); chunk /= 2) {
        for (size_t i = 1; i + chunk <= ws_lf_session_nlines(m->s) && budget(m);) {
            ws_lf_session_copy(m->c, m->s);
            if (!ws_lf_session_drop_lines(m->c, i, chunk) || !attempt(m))
                i += chunk;
        }
    }
}

static void shrink_payloads(minimizer *m)
{
    for (size_t i = 0; i < m->s->seq.nf && budget(m); i++) {
        for (int round = 0; round < 12 && m->s->seq.f[i].n > 0 && budget(m); round++) {
            size_t n = m->s->seq.f[i].n;
            bool kept = false;
            for (int variant = 0; variant < 3 && !kept && budget(m); variant++) {
                ws_lf_session_copy(m->c, m->s);
                ws_mut_frame *f = &m->c->seq.f[i];
                bool honest = f->len == f->n;
                if (variant == 0)
                    f->n = 0;
                else if (variant == 1)
                    f->n = n / 2;
                else {
                    f->off += n - n / 2;
                    f->n = n / 2;
                }
                if (honest)
                    f->len = f->n;
                if (variant > 0 && n < 2)
                    break;
                kept = attempt(m);
            }
            if (!kept)
                break;
        }
    }
}

int ws_lf_minimize(ws_lf_session *s, ws_lf_reproduces_fn check, void *ctx, int max_tries,
                   int64_t deadline)
{
    minimizer m = {
        .s = s, .check = check, .ctx = ctx, .max_tries = max_tries, .deadline = deadline};
    m.c = malloc(sizeof *m.c);
    if (!m.c)
        return 0;
    for (int pass = 0; pass < 4 && budget(&m); pass++) {
        m.changed = false;
        if (s->end != WS_LF_END_NONE) {
            ws_lf_session_copy(m.c, s);
            m.c->end = WS_LF_END_NONE;
            attempt(&m);
        }
        if (s->ncuts && budget(&m)) {
            ws_lf_session_copy(m.c, s);
            m.c->ncuts = 0;
            if (!attempt(&m))
                for (size_t i = 0; i < s->ncuts && budget(&m);) {
                    ws_lf_session_copy(m.c, s);
                    memmove(&m.c->cuts[i], &m.c->cuts[i + 1],
                            (m.c->ncuts - i - 1) * sizeof m.c->cuts[0]);
                    m.c->ncuts--;
                    if (!attempt(&m))
                        i++;
                }
        }
        if ((s->hs_split || s->hs_with_frames) && budget(&m)) {
            ws_lf_session_copy(m.c, s);
            m.c->hs_split = 0;
            m.c->hs_with_frames = false;
            attempt(&m);
        }
        shrink_flood(&m);
        shrink_frames(&m);
        shrink_lines(&m);
        shrink_payloads(&m);
        if (!m.changed)
            break;
    }
    free(m.c);
    return m.tries;
}
