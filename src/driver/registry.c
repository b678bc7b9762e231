/* The case registry: every suite's declarations in one sorted list, plus an
 * arena for the strings and arrays of generated families. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/case.h"
#include "driver/pattern.h"

typedef struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    max_align_t data[];
} arena_block;

struct ws_registry {
    ws_case *cases;
    size_t count, cap;
    arena_block *blocks;
};

ws_registry *ws_registry_new(void)
{
    return calloc(1, sizeof(ws_registry));
}

void ws_registry_free(ws_registry *r)
{
    if (!r)
        return;
    for (arena_block *b = r->blocks, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(r->cases);
    free(r);
}

void *ws_registry_alloc(ws_registry *r, size_t size)
{
    size = (size + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    arena_block *b = r->blocks;
    if (!b || b->cap - b->used < size) {
        size_t cap = size > 65536 ? size : 65536;
        b = malloc(sizeof(arena_block) + cap);
        if (!b)
            return NULL;
        b->used = 0;
        b->cap = cap;
        b->next = r->blocks;
        r->blocks = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

char *ws_registry_strdup(ws_registry *r, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = ws_registry_alloc(r, n);
    if (p)
        memcpy(p, s, n);
    return p;
}

char *ws_registry_printf(ws_registry *r, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return ws_registry_strdup(r, buf);
}

bool ws_registry_add(ws_registry *r, const ws_case *c)
{
    if (!c->id || !c->title)
        return false; /* a failed allocation upstream */
    if (r->count == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 256;
        ws_case *n = realloc(r->cases, cap * sizeof *n);
        if (!n)
            return false;
        r->cases = n;
        r->cap = cap;
    }
    r->cases[r->count++] = *c;
    return true;
}

size_t ws_registry_count(const ws_registry *r)
{
    return r->count;
}

const ws_case *ws_registry_get(const ws_registry *r, size_t i)
{
    return i < r->count ? &r->cases[i] : NULL;
}

const ws_case *ws_registry_find(const ws_registry *r, const char *id)
{
    for (size_t i = 0; i < r->count; i++)
        if (strcmp(r->cases[i].id, id) == 0)
            return &r->cases[i];
    return NULL;
}

static int by_id(const void *a, const void *b)
{
    return ws_case_id_compare(((const ws_case *)a)->id, ((const ws_case *)b)->id);
}

ws_registry *ws_registry_all(void)
{
    ws_registry *r = ws_registry_new();
    if (!r)
        return NULL;
    ws_suite_framing(r);
    ws_suite_pings(r);
    ws_suite_reserved(r);
    ws_suite_opcodes(r);
    ws_suite_fragmentation(r);
    ws_suite_utf8(r);
    ws_suite_close(r);
    ws_suite_limits(r);
    ws_suite_misc(r);
    ws_suite_handshake(r);
    ws_suite_masking(r);
    ws_suite_client_handshake(r);
    ws_suite_compression(r);
    ws_suite_compression_negative(r);
    qsort(r->cases, r->count, sizeof *r->cases, by_id);
    return r;
}

const char *ws_family_title(const char *id)
{
    static const struct {
        const char *family, *title;
    } families[] = {
        {"1", "Framing"},
        {"2", "Pings/Pongs"},
        {"3", "Reserved Bits"},
        {"4", "Opcodes"},
        {"5", "Fragmentation"},
        {"6", "UTF-8 Handling"},
        {"7", "Close Handling"},
        {"9", "Limits/Performance"},
        {"10", "Misc"},
        {"20", "Opening Handshake"},
        {"12", "Compression (data sets)"},
        {"13", "Compression (parameters)"},
        {"22", "Client Handshake Checks"},
        {"23", "Compression Checks"},
        {"21", "Masking and Lengths"},
    };
    size_t n = strcspn(id, ".");
    for (size_t i = 0; i < sizeof families / sizeof *families; i++)
        if (strlen(families[i].family) == n && strncmp(families[i].family, id, n) == 0)
            return families[i].title;
    return "Other";
}
