/*
 * wsspec-planted: a single-threaded WebSocket echo server with one planted
 * bug per --bug switch, for the live fuzzer's acceptance test
 * (tests/e2e/planted_bugs.sh). With --bug none it is conformant: it echoes
 * text and binary messages, answers Pings, validates UTF-8, Close codes,
 * RSV bits, opcodes, masking and fragmentation, limits messages to 1 MiB
 * (Close 1009) and request heads to 32 KiB (431).
 *
 *   wsspec-planted --port P [--host 127.0.0.1]
 *                  --bug length64|opcode-loop|continuation-growth|long-header|none
 *
 * The bugs are ordinary code mistakes, each behind its switch:
 *   length64             the message size check is done on a signed copy of
 *                        the 64-bit length, so a length with its most
 *                        significant bit set passes it; the first frame of a
 *                        message is read into a buffer of its declared size,
 *                        that allocation fails and xrealloc() aborts.
 *   opcode-loop          after a control frame interleaved in a fragmented
 *                        message the payload reader insists on reading "at
 *                        least one chunk"; an empty continuation frame after
 *                        it makes the loop spin forever (no answers).
 *   continuation-growth  the message size limit is checked on the first frame
 *                        only; continuation frames of a message that never
 *                        ends are kept (in 16 KiB pieces) without limit.
 *   long-header          each request header line is copied into an 8 KiB
 *                        buffer whose bound is checked against the 32 KiB head
 *                        limit instead; the copy helper detects the overflow
 *                        and aborts (one header line of 8 KiB or more).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "wsspec/close.h"
#include "wsspec/handshake.h"
#include "wsspec/utf8.h"

#define MAX_HEAD    32768
#define MAX_MESSAGE (1u << 20)
#define LINE_MAX_   8192

typedef enum { BUG_NONE, BUG_LENGTH64, BUG_OPCODE_LOOP, BUG_CONT_GROWTH, BUG_LONG_HEADER } bug_kind;

static bug_kind bug;

typedef struct frag {
    struct frag *next;
    uint8_t *data;
    size_t len;
} frag;

typedef struct {
    int fd;
    uint8_t in[65536];
    size_t in_len, in_pos;
    /* the message being reassembled */
    bool in_msg;
    uint8_t msg_op;
    frag *frags, **last; /* the message's pieces, joined when it ends */
    size_t msg_len;
    bool resumed; /* a control frame arrived inside the current message */
} conn;

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fprintf(stderr, "wsspec-planted: out of memory (%zu octets)\n", n);
        abort();
    }
    return q;
}

/* ------------------------------------------------------------------ I/O */

static bool fill(conn *c)
{
    if (c->in_pos == c->in_len)
        c->in_pos = c->in_len = 0;
    if (c->in_len == sizeof c->in) {
        memmove(c->in, c->in + c->in_pos, c->in_len - c->in_pos);
        c->in_len -= c->in_pos;
        c->in_pos = 0;
    }
    ssize_t n = recv(c->fd, c->in + c->in_len, sizeof c->in - c->in_len, 0);
    if (n <= 0)
        return false;
    c->in_len += (size_t)n;
    return true;
}

static bool read_exact(conn *c, uint8_t *out, size_t n)
{
    while (n) {
        if (c->in_pos == c->in_len && !fill(c))
            return false;
        size_t k = c->in_len - c->in_pos < n ? c->in_len - c->in_pos : n;
        memcpy(out, c->in + c->in_pos, k);
        c->in_pos += k;
        out += k;
        n -= k;
    }
    return true;
}

static void write_all(int fd, const void *d, size_t n)
{
    const uint8_t *p = d;
    while (n) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k <= 0)
            return;
        p += k;
        n -= (size_t)k;
    }
}

static void send_frame(conn *c, uint8_t op, const uint8_t *d, size_t n)
{
    uint8_t h[10];
    size_t hl = 2;
    h[0] = (uint8_t)(0x80 | op);
    if (n < 126) {
        h[1] = (uint8_t)n;
    } else if (n <= 0xffff) {
        h[1] = 126;
        h[2] = (uint8_t)(n >> 8);
        h[3] = (uint8_t)n;
        hl = 4;
    } else {
        h[1] = 127;
        for (int i = 0; i < 8; i++)
            h[2 + i] = (uint8_t)((uint64_t)n >> (56 - 8 * i));
        hl = 10;
    }
    write_all(c->fd, h, hl);
    write_all(c->fd, d, n);
}

/* Send a Close with code and end the connection (false: stop reading). */
static bool fail(conn *c, uint16_t code)
{
    uint8_t p[2] = {(uint8_t)(code >> 8), (uint8_t)code};
    send_frame(c, 8, p, 2);
    shutdown(c->fd, SHUT_WR);
    return false;
}

/* ----------------------------------------------------------- handshake */

static void respond(int fd, const char *status, const char *extra)
{
    char r[256];
    int n = snprintf(r, sizeof r, "HTTP/1.1 %s\r\n%sContent-Length: 0\r\nConnection: close\r\n\r\n",
                     status, extra);
    write_all(fd, r, (size_t)n);
}

/* Copy n octets and a NUL into dst (cap octets); an overflow is fatal. */
static void copy_line(char *dst, size_t cap, const char *src, size_t n)
{
    if (n + 1 > cap) {
        fprintf(stderr, "wsspec-planted: header line buffer overflow (%zu > %zu)\n", n + 1, cap);
        abort();
    }
    memcpy(dst, src, n);
    dst[n] = 0;
}

/* Header lines with the name lower-cased (kept for the access log). */
static bool log_header_lines(const char *head, size_t len)
{
    char line[LINE_MAX_];
    size_t pos = 0, lines = 0;
    while (pos < len) {
        const char *nl = memchr(head + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (head + pos)) : len - pos;
        /* The request line and the lines that follow. */
        size_t limit = bug == BUG_LONG_HEADER ? MAX_HEAD : sizeof line - 1;
        if (n > limit)
            return false;
        copy_line(line, sizeof line, head + pos, n);
        for (char *p = line; *p && *p != ':'; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p + 32);
        lines++;
        pos += n + 1;
    }
    return lines > 0;
}

static bool handshake(conn *c)
{
    size_t head_len = 0;
    for (;;) {
        const uint8_t *e = NULL;
        for (size_t i = 0; i + 1 < c->in_len; i++) {
            if (c->in[i] == '\n' && c->in[i + 1] == '\n') {
                e = c->in + i + 2;
                break;
            }
            if (i + 3 < c->in_len && memcmp(c->in + i, "\r\n\r\n", 4) == 0) {
                e = c->in + i + 4;
                break;
            }
        }
        if (e) {
            head_len = (size_t)(e - c->in);
            break;
        }
        if (c->in_len >= MAX_HEAD) {
            respond(c->fd, "431 Request Header Fields Too Large", "");
            return false;
        }
        if (!fill(c))
            return false;
    }
    if (!log_header_lines((const char *)c->in, head_len)) {
        respond(c->fd, "431 Request Header Fields Too Large", "");
        return false;
    }
    ws_http_header hdrs[128];
    ws_http_request req;
    size_t hl = 0;
    ws_err e = ws_http_parse_request((const char *)c->in, head_len, MAX_HEAD, &req, hdrs, 128, &hl);
    ws_hs_request_info info;
    if (e == WS_OK)
        e = ws_handshake_check_request(&req, &info);
    if (e == WS_ERR_HS_VERSION) {
        respond(c->fd, "426 Upgrade Required", "Sec-WebSocket-Version: 13\r\n");
        return false;
    }
    if (e != WS_OK) {
        respond(c->fd, "400 Bad Request", "");
        return false;
    }
    char accept[WS_ACCEPT_LEN + 1], r[256];
    ws_accept_key(info.key, info.key_len, accept);
    int n = snprintf(r, sizeof r,
                     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
                     accept);
    write_all(c->fd, r, (size_t)n);
    c->in_pos = hl;
    return true;
}

/* -------------------------------------------------------------- frames */

/* A new piece of the message, of n octets. */
static frag *add_piece(conn *c, size_t n)
{
    frag *f = xrealloc(NULL, sizeof *f);
    f->data = xrealloc(NULL, n);
    f->len = 0;
    f->next = NULL;
    *c->last = f;
    c->last = &f->next;
    return f;
}

static void drop_pieces(conn *c)
{
    while (c->frags) {
        frag *f = c->frags;
        c->frags = f->next;
        free(f->data);
        free(f);
    }
    c->last = &c->frags;
    c->msg_len = 0;
}

/* Read a data frame's payload (len octets, unmasked with key) into the
 * message: the first frame of a message into one piece of its declared size,
 * continuation frames in pieces of up to 16 KiB. */
static bool read_data_payload(conn *c, uint64_t len, const uint8_t key[4], bool first)
{
    frag *piece = first ? add_piece(c, (size_t)len) : NULL;
    uint64_t got = 0;
    while (got < len || (bug == BUG_OPCODE_LOOP && c->resumed)) {
        /* After a control frame, read at least one chunk before going on. */
        size_t chunk = len - got < 16384 ? (size_t)(len - got) : 16384;
        if (!first && chunk)
            piece = add_piece(c, chunk);
        if (chunk && !read_exact(c, piece->data + piece->len, chunk))
            return false;
        for (size_t i = 0; i < chunk; i++)
            piece->data[piece->len + i] ^= key[(got + i) & 3];
        if (chunk)
            piece->len += chunk;
        c->msg_len += chunk;
        got += chunk;
        if (chunk)
            c->resumed = false;
    }
    c->resumed = false;
    return true;
}

static bool control(conn *c, uint8_t op, const uint8_t *p, size_t n)
{
    if (op == 9) {
        send_frame(c, 10, p, n);
        return true;
    }
    if (op == 10)
        return true;
    ws_close_info ci;
    if (ws_close_parse(p, n, &ci) != WS_OK)
        return fail(c, 1002);
    send_frame(c, 8, p, ci.has_code ? 2 : 0);
    shutdown(c->fd, SHUT_WR);
    return false;
}

static bool message_done(conn *c)
{
    uint8_t *msg = xrealloc(NULL, c->msg_len);
    size_t pos = 0;
    for (frag *f = c->frags; f; f = f->next) {
        if (f->len)
            memcpy(msg + pos, f->data, f->len);
        pos += f->len;
    }
    bool ok = c->msg_op != 1 || ws_utf8_is_valid(msg, pos);
    if (ok)
        send_frame(c, c->msg_op, msg, pos);
    free(msg);
    drop_pieces(c);
    c->in_msg = false;
    return ok ? true : fail(c, 1007);
}

/* One frame; false when the connection ends. */
static bool frame(conn *c)
{
    uint8_t h[2], ext[8], key[4];
    if (!read_exact(c, h, 2))
        return false;
    bool fin = h[0] & 0x80, masked = h[1] & 0x80;
    uint8_t rsv = (h[0] >> 4) & 7, op = h[0] & 15;
    uint64_t len = h[1] & 127;
    if (len == 126) {
        if (!read_exact(c, ext, 2))
            return false;
        len = (uint64_t)ext[0] << 8 | ext[1];
    } else if (len == 127) {
        if (!read_exact(c, ext, 8))
            return false;
        len = 0;
        for (int i = 0; i < 8; i++)
            len = len << 8 | ext[i];
        if (bug != BUG_LENGTH64 && len >> 63)
            return fail(c, 1002);
    }
    if (rsv || !masked || (op > 2 && op < 8) || op > 10)
        return fail(c, 1002);
    bool ctl = op >= 8;
    if (ctl && (!fin || len > 125))
        return fail(c, 1002);
    if (!ctl && op == 0 && !c->in_msg)
        return fail(c, 1002);
    if (!ctl && op != 0 && c->in_msg)
        return fail(c, 1002);
    /* The message size limit. */
    if (bug == BUG_LENGTH64) {
        int64_t size = (int64_t)len;
        if ((int64_t)c->msg_len + size > (int64_t)MAX_MESSAGE)
            return fail(c, 1009);
    } else if (bug == BUG_CONT_GROWTH) {
        if (op != 0 && len > MAX_MESSAGE)
            return fail(c, 1009);
    } else if (!ctl && c->msg_len + len > MAX_MESSAGE) {
        return fail(c, 1009);
    }
    if (!read_exact(c, key, 4))
        return false;
    if (ctl) {
        uint8_t p[125];
        if (!read_exact(c, p, (size_t)len))
            return false;
        for (size_t i = 0; i < len; i++)
            p[i] ^= key[i & 3];
        if (c->in_msg)
            c->resumed = true;
        return control(c, op, p, (size_t)len);
    }
    if (op != 0) {
        c->in_msg = true;
        c->msg_op = op;
        drop_pieces(c);
    }
    if (!read_data_payload(c, len, key, op != 0))
        return false;
    return fin ? message_done(c) : true;
}

static void serve(int fd)
{
    static conn c;
    c.fd = fd;
    c.in_len = c.in_pos = 0;
    c.in_msg = c.resumed = false;
    c.frags = NULL;
    c.last = &c.frags;
    c.msg_len = 0;
    struct timeval tv = {.tv_sec = 10};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (handshake(&c))
        while (frame(&c)) {
        }
    drop_pieces(&c);
    close(fd);
}

int main(int argc, char **argv)
{
    const char *host = "127.0.0.1", *bug_name = NULL;
    int port = 0;
    static const char *const names[] = {"none", "length64", "opcode-loop", "continuation-growth",
                                        "long-header"};
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--port") == 0)
            port = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--host") == 0)
            host = argv[i + 1];
        else if (strcmp(argv[i], "--bug") == 0)
            bug_name = argv[i + 1];
    }
    int found = -1;
    for (int k = 0; bug_name && k < 5; k++)
        if (strcmp(bug_name, names[k]) == 0)
            found = k;
    if (port <= 0 || port > 65535 || found < 0) {
        fprintf(stderr, "usage: wsspec-planted --port P [--host 127.0.0.1] "
                        "--bug length64|opcode-loop|continuation-growth|long-header|none\n");
        return 2;
    }
    bug = (bug_kind)found;
    signal(SIGPIPE, SIG_IGN);
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (ls < 0 || inet_pton(AF_INET, host, &a.sin_addr) != 1 ||
        bind(ls, (struct sockaddr *)&a, sizeof a) != 0 || listen(ls, 16) != 0) {
        fprintf(stderr, "wsspec-planted: cannot listen on %s:%d: %s\n", host, port,
                strerror(errno));
        return 1;
    }
    printf("listening on %s:%d\n", host, port);
    fflush(stdout);
    for (;;) {
        int fd = accept(ls, NULL, NULL);
        if (fd >= 0)
            serve(fd);
    }
}
