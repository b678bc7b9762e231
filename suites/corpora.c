/* Deterministic data sets for the compression families (12.x): the kinds of
 * payload Autobahn uses (JSON text, an uncompressed bitmap, natural-language
 * text, HTML, a PDF-like binary), generated from fixed seeds so every run
 * sends the same octets. Text sets are ASCII, so every slice is valid UTF-8.
 * The octets differ from Autobahn's files; sizes and settings match. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/case.h"

typedef struct {
    uint64_t state;
} rng;

static uint32_t next(rng *r)
{
    r->state = r->state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(r->state >> 33);
}

static const char *const words[] = {
    "the",    "of",     "and",    "to",      "in",      "socket",  "frame",   "message",
    "server", "client", "close",  "masking", "payload", "deflate", "window",  "protocol",
    "night",  "light",  "spirit", "world",   "heaven",  "earth",   "through", "between",
    "over",   "under",  "again",  "always",  "never",   "within",  "without", "before"};
#define NWORDS (sizeof words / sizeof *words)

typedef struct {
    char *buf;
    size_t len, cap;
} text;

static void add(text *t, const char *s)
{
    size_t n = strlen(s);
    if (t->len + n > t->cap)
        return;
    memcpy(t->buf + t->len, s, n);
    t->len += n;
}

static void json(text *t, rng *r)
{
    char tmp[160];
    add(t, "[");
    for (int i = 0; t->len + 200 < t->cap; i++) {
        snprintf(tmp, sizeof tmp,
                 "%s{\"id\": %d, \"name\": \"%s %s\", \"score\": %u.%02u, \"tags\": [\"%s\", "
                 "\"%s\"], \"active\": %s}",
                 i ? ",\n " : "", i, words[next(r) % NWORDS], words[next(r) % NWORDS],
                 next(r) % 1000, next(r) % 100, words[next(r) % NWORDS], words[next(r) % NWORDS],
                 next(r) % 2 ? "true" : "false");
        add(t, tmp);
    }
    add(t, "]");
}

static void prose(text *t, rng *r)
{
    for (int w = 0; t->len + 40 < t->cap; w++) {
        const char *word = words[next(r) % NWORDS];
        char tmp[40];
        snprintf(tmp, sizeof tmp, "%s%c%s", w % 12 == 0 && w ? ".\n" : " ",
                 w % 12 == 0 ? word[0] - 32 : word[0], word + 1);
        add(t, tmp);
    }
}

static void html(text *t, rng *r)
{
    char tmp[200];
    add(t, "<!DOCTYPE html>\n<html><head><title>wsspec data</title></head><body>\n");
    for (int i = 0; t->len + 300 < t->cap; i++) {
        snprintf(tmp, sizeof tmp,
                 "<div class=\"item-%u\"><a href=\"/%s/%s.html\">%s %s</a><p>%s %s %s.</p></div>\n",
                 next(r) % 50, words[next(r) % NWORDS], words[next(r) % NWORDS],
                 words[next(r) % NWORDS], words[next(r) % NWORDS], words[next(r) % NWORDS],
                 words[next(r) % NWORDS], words[next(r) % NWORDS]);
        add(t, tmp);
    }
    add(t, "</body></html>\n");
}

/* A 512x512 8-bit greyscale bitmap: smooth gradients with noise. */
static void bitmap(uint8_t *b, size_t len, rng *r)
{
    static const uint8_t header[54] = {'B',  'M',  0x36, 0x04, 0x04, 0, 0, 0, 0, 0,
                                       0x36, 0x04, 0,    0,    40,   0, 0, 0, 0, 2,
                                       0,    0,    0,    2,    0,    0, 1, 0, 8, 0};
    memcpy(b, header, sizeof header);
    for (size_t i = sizeof header; i < len; i++) {
        size_t px = i - sizeof header, x = px % 512, y = px / 512;
        b[i] = (uint8_t)((x * 3 + y * 2) / 5 + (x ^ y) % 16 + next(r) % 8);
    }
}

/* A PDF-like file: text objects around streams of (incompressible) data. */
static void pdf(uint8_t *b, size_t len, rng *r)
{
    text t = {(char *)b, 0, len};
    add(&t, "%PDF-1.4\n");
    for (int obj = 1; t.len + 5000 < len; obj++) {
        char tmp[160];
        size_t stream = 1000 + next(r) % 3000;
        snprintf(tmp, sizeof tmp, "%d 0 obj\n<< /Length %zu /Filter /FlateDecode >>\nstream\n", obj,
                 stream);
        add(&t, tmp);
        for (size_t i = 0; i < stream; i++)
            b[t.len++] = (uint8_t)next(r);
        add(&t, "\nendstream\nendobj\n");
    }
    while (t.len < len)
        b[t.len++] = ' ';
}

static const struct {
    const char *name;
    size_t len;
} sets[] = {
    {"JSON text (192 KiB)", 196608},      {"bitmap (257 KiB)", 263222},
    {"prose (256 KiB)", 262144},          {"HTML (256 KiB)", 262144},
    {"PDF-like binary (1 MiB)", 1048576},
};

const char *ws_corpus_name(int which)
{
    return which >= 1 && which <= 5 ? sets[which - 1].name : "?";
}

uint8_t *ws_corpus_generate(int which, size_t *len)
{
    if (which < 1 || which > 5)
        return NULL;
    size_t n = sets[which - 1].len;
    uint8_t *b = malloc(n);
    if (!b)
        return NULL;
    rng r = {0x5eed0000u + (uint64_t)which};
    text t = {(char *)b, 0, n};
    switch (which) {
    case 1:
        json(&t, &r);
        break;
    case 2:
        bitmap(b, n, &r);
        t.len = n;
        break;
    case 3:
        prose(&t, &r);
        break;
    case 4:
        html(&t, &r);
        break;
    case 5:
        pdf(b, n, &r);
        t.len = n;
        break;
    }
    while (t.len < n)
        b[t.len++] = ' '; /* pad text sets to their size */
    *len = n;
    return b;
}
