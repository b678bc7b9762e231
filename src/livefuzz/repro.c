/*
 * The reproducer file: a versioned, line-oriented text form of one session.
 *
 *   # comment lines and blank lines are ignored
 *   wsspec-repro 1                     format version (first keyword line)
 *   mode server                        wsspec is the client of a server under test;
 *                                      "mode client": wsspec is the server, the sends
 *                                      are its response and frames, and "{accept}" in
 *                                      them stands for the client key's accept value
 *   target ws://127.0.0.1:9001/        where it was found (replay may override)
 *   oracle crash                       none|crash|sanitizer|unreachable|unresponsive|
 *                                      rss|hang|must
 *   detail exit status 3               the oracle's one-line explanation
 *   shape hs101 T:1 eof                the observed response shape
 *   note ...                           free text (minimisation figures)
 *   send 474554202f...                 one TCP write, hex; long writes continue on
 *   + 0d0a0d0a...                      lines starting with "+"
 *   repeat 4096                        the write above is sent this many times
 *                                      in a row (at most 256 MiB in all)
 *   pause 50                           milliseconds, reading what arrives
 *   shutdown                           half-close (TCP FIN)
 *   reset                              abort the connection (TCP RST)
 *
 * Mask keys are inside the sent octets, so a replay is byte for byte.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "livefuzz/livefuzz.h"
#include "wsspec/mutator.h"

static const char *const oracle_names[WS_LF_ORACLE_COUNT_] = {
    "none", "crash", "sanitizer", "unreachable", "unresponsive", "rss", "hang", "must"};

const char *ws_lf_oracle_name(ws_lf_oracle o)
{
    return (unsigned)o < WS_LF_ORACLE_COUNT_ ? oracle_names[o] : "unknown";
}

bool ws_lf_oracle_parse(const char *s, size_t len, ws_lf_oracle *out)
{
    for (int i = 0; i < WS_LF_ORACLE_COUNT_; i++)
        if (strlen(oracle_names[i]) == len && memcmp(oracle_names[i], s, len) == 0) {
            *out = (ws_lf_oracle)i;
            return true;
        }
    return false;
}

void ws_lf_repro_init(ws_lf_repro *r)
{
    memset(r, 0, sizeof *r);
    r->version = WS_LF_REPRO_VERSION;
}

void ws_lf_repro_clear_actions(ws_lf_repro *r)
{
    for (size_t i = 0; i < r->nacts; i++)
        free(r->acts[i].data);
    r->nacts = 0;
}

void ws_lf_repro_free(ws_lf_repro *r)
{
    ws_lf_repro_clear_actions(r);
    free(r->acts);
    r->acts = NULL;
    r->cap = 0;
}

static ws_lf_action *push(ws_lf_repro *r)
{
    if (r->nacts == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        ws_lf_action *a = realloc(r->acts, cap * sizeof *a);
        if (!a)
            return NULL;
        r->acts = a;
        r->cap = cap;
    }
    ws_lf_action *a = &r->acts[r->nacts++];
    memset(a, 0, sizeof *a);
    return a;
}

bool ws_lf_repro_send(ws_lf_repro *r, const uint8_t *data, size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        return false;
    if (len)
        memcpy(copy, data, len);
    ws_lf_action *a = push(r);
    if (!a) {
        free(copy);
        return false;
    }
    a->kind = WS_LF_SEND;
    a->data = copy;
    a->len = len;
    return true;
}

bool ws_lf_repro_act(ws_lf_repro *r, ws_lf_act_kind kind, int ms)
{
    ws_lf_action *a = push(r);
    if (!a)
        return false;
    a->kind = kind;
    a->ms = ms;
    return true;
}

size_t ws_lf_repro_bytes(const ws_lf_repro *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nacts; i++)
        n += r->acts[i].len * (r->acts[i].repeat > 1 ? r->acts[i].repeat : 1);
    return n;
}

/* A printable preview of a write, for the comment above it. */
static void preview(FILE *out, const uint8_t *d, size_t n)
{
    fputs("# ", out);
    size_t show = n < 48 ? n : 48;
    for (size_t i = 0; i < show; i++) {
        if (d[i] == '\r')
            fputs("\\r", out);
        else if (d[i] == '\n')
            fputs("\\n", out);
        else if (d[i] >= 0x20 && d[i] < 0x7f && d[i] != '\\')
            fputc(d[i], out);
        else
            fprintf(out, "\\x%02x", d[i]);
    }
    fprintf(out, "%s (%zu octets)\n", n > show ? "..." : "", n);
}

void ws_lf_repro_write(const ws_lf_repro *r, FILE *out)
{
    fputs(r->client_mode
              ? "# wsspec live-fuzzing reproducer: replay with 'wsspec replay FILE "
                "--client --listen HOST:PORT --exec \"CLIENT {url}\"'\n"
              : "# wsspec live-fuzzing reproducer: replay with 'wsspec replay FILE [URL]'\n",
          out);
    fprintf(out, "wsspec-repro %d\n", WS_LF_REPRO_VERSION);
    fprintf(out, "mode %s\n", r->client_mode ? "client" : "server");
    if (r->target[0])
        fprintf(out, "target %s\n", r->target);
    fprintf(out, "oracle %s\n", ws_lf_oracle_name(r->oracle));
    if (r->detail[0])
        fprintf(out, "detail %s\n", r->detail);
    if (r->shape[0])
        fprintf(out, "shape %s\n", r->shape);
    if (r->note[0])
        fprintf(out, "note %s\n", r->note);
    for (size_t i = 0; i < r->nacts; i++) {
        const ws_lf_action *a = &r->acts[i];
        switch (a->kind) {
        case WS_LF_SEND:
            preview(out, a->data, a->len);
            fputs("send ", out);
            for (size_t k = 0; k < a->len; k++) {
                if (k && k % 32 == 0)
                    fputs("\n+ ", out);
                fprintf(out, "%02x", a->data[k]);
            }
            fputc('\n', out);
            if (a->repeat > 1)
                fprintf(out, "repeat %u\n", (unsigned)a->repeat);
            break;
        case WS_LF_PAUSE:
            fprintf(out, "pause %d\n", a->ms);
            break;
        case WS_LF_SHUTDOWN:
            fputs("shutdown\n", out);
            break;
        case WS_LF_RESET:
            fputs("reset\n", out);
            break;
        }
    }
}

ws_err ws_lf_repro_save(const ws_lf_repro *r, const char *path, char *err, size_t cap)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, cap, "%s: %s", path, strerror(errno));
        return WS_ERR_IO;
    }
    ws_lf_repro_write(r, f);
    if (fclose(f) != 0) {
        snprintf(err, cap, "%s: %s", path, strerror(errno));
        return WS_ERR_IO;
    }
    return WS_OK;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Append the hex digits of s[0..n) (spaces allowed) to a SEND action. */
static bool append_hex(ws_lf_action *a, const char *s, size_t n)
{
    uint8_t *grown = realloc(a->data, a->len + n / 2 + 1);
    if (!grown)
        return false;
    a->data = grown;
    int hi = -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ' ' || s[i] == '\t')
            continue;
        int v = hexval((unsigned char)s[i]);
        if (v < 0)
            return false;
        if (hi < 0) {
            hi = v;
        } else {
            a->data[a->len++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    return hi < 0;
}

static ws_err fail(char *err, size_t cap, const char *name, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static ws_err fail(char *err, size_t cap, const char *name, size_t line, const char *fmt, ...)
{
    int n = snprintf(err, cap, "%s:%zu: ", name, line);
    if (n >= 0 && (size_t)n < cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err + n, cap - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return WS_ERR_CONFIG;
}

static void copy_text(char *dst, size_t cap, const char *s, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, s, n);
    dst[n] = 0;
}

static bool parse_ms(const char *s, size_t n, int *ms)
{
    if (n == 0 || n > 7)
        return false;
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *ms = v;
    return true;
}

ws_err ws_lf_repro_parse(const char *text, size_t len, const char *name, ws_lf_repro *r, char *err,
                         size_t cap)
{
    ws_lf_repro_init(r);
    r->version = 0;
    size_t lineno = 0, pos = 0;
    ws_lf_action *last_send = NULL;
    while (pos < len) {
        const char *line = text + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - line) : len - pos;
        pos += n + (nl ? 1 : 0);
        lineno++;
        while (n && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
            n--;
        size_t lead = 0;
        while (lead < n && (line[lead] == ' ' || line[lead] == '\t'))
            lead++;
        line += lead;
        n -= lead;
        if (n == 0 || line[0] == '#')
            continue;
        size_t kw = 0;
        while (kw < n && line[kw] != ' ' && line[kw] != '\t')
            kw++;
        const char *arg = line + kw;
        size_t alen = n - kw;
        while (alen && (*arg == ' ' || *arg == '\t'))
            arg++, alen--;
#define KW(s) (kw == sizeof(s) - 1 && memcmp(line, s, kw) == 0)
        if (r->version == 0) {
            if (!KW("wsspec-repro"))
                return fail(err, cap, name, lineno, "expected 'wsspec-repro 1' first");
            int v;
            if (!parse_ms(arg, alen, &v) || v != WS_LF_REPRO_VERSION)
                return fail(err, cap, name, lineno, "unsupported format version '%.*s'", (int)alen,
                            arg);
            r->version = v;
            continue;
        }
        if (!KW("+"))
            last_send = KW("send") ? last_send : NULL;
        if (KW("mode")) {
            if (alen == 6 && memcmp(arg, "server", 6) == 0)
                r->client_mode = false;
            else if (alen == 6 && memcmp(arg, "client", 6) == 0)
                r->client_mode = true;
            else
                return fail(err, cap, name, lineno, "mode must be server or client");
        } else if (KW("target")) {
            copy_text(r->target, sizeof r->target, arg, alen);
        } else if (KW("oracle")) {
            if (!ws_lf_oracle_parse(arg, alen, &r->oracle))
                return fail(err, cap, name, lineno, "unknown oracle '%.*s'", (int)alen, arg);
        } else if (KW("detail")) {
            copy_text(r->detail, sizeof r->detail, arg, alen);
        } else if (KW("shape")) {
            copy_text(r->shape, sizeof r->shape, arg, alen);
        } else if (KW("note")) {
            copy_text(r->note, sizeof r->note, arg, alen);
        } else if (KW("send") || KW("+")) {
            if (KW("send")) {
                last_send = push(r);
                if (!last_send)
                    return WS_ERR_NOMEM;
                last_send->kind = WS_LF_SEND;
            } else if (!last_send) {
                return fail(err, cap, name, lineno, "'+' continuation without a 'send'");
            }
            if (!append_hex(last_send, arg, alen))
                return fail(err, cap, name, lineno, "bad hex in send data");
        } else if (KW("repeat")) {
            int times;
            ws_lf_action *prev = r->nacts ? &r->acts[r->nacts - 1] : NULL;
            if (!prev || prev->kind != WS_LF_SEND || prev->repeat > 1)
                return fail(err, cap, name, lineno, "'repeat' must follow a 'send'");
            if (!parse_ms(arg, alen, &times) || times < 1 ||
                (uint64_t)times * prev->len > WS_LF_REPEAT_MAX_OCTETS)
                return fail(err, cap, name, lineno, "repeat needs a count (at most %u MiB in all)",
                            WS_LF_REPEAT_MAX_OCTETS >> 20);
            prev->repeat = (uint32_t)times;
        } else if (KW("pause")) {
            int ms;
            if (!parse_ms(arg, alen, &ms))
                return fail(err, cap, name, lineno, "pause needs milliseconds (0-9999999)");
            if (!ws_lf_repro_act(r, WS_LF_PAUSE, ms))
                return WS_ERR_NOMEM;
        } else if (KW("shutdown") || KW("reset")) {
            if (alen)
                return fail(err, cap, name, lineno, "'%.*s' takes no argument", (int)kw, line);
            if (!ws_lf_repro_act(r, KW("reset") ? WS_LF_RESET : WS_LF_SHUTDOWN, 0))
                return WS_ERR_NOMEM;
        } else {
            return fail(err, cap, name, lineno, "unknown keyword '%.*s'", (int)kw, line);
        }
#undef KW
    }
    if (r->version == 0)
        return fail(err, cap, name, lineno ? lineno : 1,
                    "not a wsspec reproducer (no 'wsspec-repro' line)");
    return WS_OK;
}

ws_err ws_lf_repro_load(const char *path, ws_lf_repro *r, char *err, size_t cap)
{
    ws_lf_repro_init(r);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, cap, "%s: %s", path, strerror(errno));
        return WS_ERR_IO;
    }
    size_t n = 0, bcap = 65536;
    char *buf = malloc(bcap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, bcap - n, f)) > 0) {
        n += got;
        if (n == bcap) {
            char *b = n < (64u << 20) ? realloc(buf, bcap * 2) : NULL;
            if (!b) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = b;
            bcap *= 2;
        }
    }
    fclose(f);
    if (!buf) {
        snprintf(err, cap, "%s: too large or out of memory", path);
        return WS_ERR_NOMEM;
    }
    ws_err e = ws_lf_repro_parse(buf, n, path, r, err, cap);
    free(buf);
    if (e != WS_OK)
        ws_lf_repro_free(r);
    return e;
}

void ws_lf_cursor_init(ws_lf_cursor *c, const ws_lf_repro *r)
{
    *c = (ws_lf_cursor){.r = r};
}

size_t ws_lf_cursor_read(ws_lf_cursor *c, uint8_t *dst, size_t cap)
{
    size_t n = 0;
    while (n < cap && c->act < c->r->nacts) {
        const ws_lf_action *a = &c->r->acts[c->act];
        uint32_t times = a->repeat > 1 ? a->repeat : 1;
        if (a->kind != WS_LF_SEND || c->rep >= times) {
            c->act++;
            c->rep = 0;
            c->off = 0;
            continue;
        }
        size_t k = a->len - c->off < cap - n ? a->len - c->off : cap - n;
        memcpy(dst + n, a->data + c->off, k);
        n += k;
        c->off += k;
        if (c->off == a->len) {
            c->off = 0;
            c->rep++;
        }
    }
    return n;
}

size_t ws_lf_repro_head_len(const ws_lf_repro *r, size_t max)
{
    ws_lf_cursor c;
    ws_lf_cursor_init(&c, r);
    uint8_t buf[4096 + 3];
    size_t carry = 0, base = 0; /* base: stream offset of buf[0] */
    for (;;) {
        size_t got = ws_lf_cursor_read(&c, buf + carry, sizeof buf - carry);
        if (got == 0)
            return 0;
        size_t n = carry + got;
        for (size_t i = 0; i + 3 < n; i++)
            if (memcmp(buf + i, "\r\n\r\n", 4) == 0)
                return base + i + 4 <= max ? base + i + 4 : 0;
        if (base + n > max)
            return 0;
        carry = n < 3 ? n : 3;
        memmove(buf, buf + n - carry, carry);
        base += n - carry;
    }
}

uint8_t *ws_lf_repro_concat(const ws_lf_repro *r, size_t *len, size_t *head_len)
{
    size_t total = ws_lf_repro_bytes(r), pos = 0;
    uint8_t *all = malloc(total ? total : 1);
    if (!all)
        return NULL;
    for (size_t i = 0; i < r->nacts; i++)
        for (uint32_t k = 0;
             r->acts[i].kind == WS_LF_SEND && r->acts[i].len && (k == 0 || k < r->acts[i].repeat);
             k++) {
            memcpy(all + pos, r->acts[i].data, r->acts[i].len);
            pos += r->acts[i].len;
        }
    *len = pos;
    *head_len = 0;
    for (size_t i = 0; i + 3 < pos; i++)
        if (memcmp(all + i, "\r\n\r\n", 4) == 0) {
            *head_len = i + 4;
            break;
        }
    return all;
}

ws_err ws_lf_repro_to_chunks(const ws_lf_repro *r, uint8_t **out, size_t *len)
{
    size_t total, head;
    uint8_t *all = ws_lf_repro_concat(r, &total, &head);
    if (!all)
        return WS_ERR_NOMEM;
    uint8_t sizes[15];
    size_t nsizes = 0, pos = 0;
    for (size_t i = 0; i < r->nacts && nsizes < 15; i++) {
        if (r->acts[i].kind != WS_LF_SEND)
            continue;
        size_t end = pos + r->acts[i].len;
        if (end > head) {
            size_t piece = end - (pos > head ? pos : head);
            sizes[nsizes++] = (uint8_t)(piece > 255 ? 255 : piece ? piece : 1);
        }
        pos = end;
    }
    if (nsizes == 1)
        nsizes = 0; /* one write: one feed */
    size_t n = 2 + nsizes + (total - head);
    uint8_t *o = malloc(n);
    if (!o) {
        free(all);
        return WS_ERR_NOMEM;
    }
    o[0] = 0;
    o[1] = (uint8_t)nsizes;
    memcpy(o + 2, sizes, nsizes);
    memcpy(o + 2 + nsizes, all + head, total - head);
    free(all);
    *out = o;
    *len = n;
    return WS_OK;
}
