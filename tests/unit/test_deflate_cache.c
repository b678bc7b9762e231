/*
 * Unit tests for src/driver/deflate_cache.c, and for the property that
 * makes it correct: a compressor reset after every message (no context
 * takeover) turns a message into the same octets whatever came before.
 */
#include <criterion/criterion.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "driver/case.h"
#include "driver/deflate_cache.h"
#include "wsspec/deflate.h"

static const ws_deflate_key base = {
    .data_set = 1, .offset = 100, .len = 4096, .window_bits = 15, .level = 1};

Test(deflate_cache, put_then_get)
{
    ws_deflate_cache *c = ws_deflate_cache_new(1 << 20);
    cr_assert_not_null(c);
    size_t len = 0;
    cr_expect_null(ws_deflate_cache_get(c, &base, &len));
    ws_deflate_cache_put(c, &base, (const uint8_t *)"abc", 3);
    const uint8_t *p = ws_deflate_cache_get(c, &base, &len);
    cr_assert_not_null(p);
    cr_expect_eq(len, 3);
    cr_expect(memcmp(p, "abc", 3) == 0);
    /* The first entry stays: the pointer handed out remains valid. */
    ws_deflate_cache_put(c, &base, (const uint8_t *)"xyz!", 4);
    cr_expect_eq(ws_deflate_cache_get(c, &base, &len), p);
    cr_expect_eq(len, 3);
    ws_deflate_cache_del(c);
    ws_deflate_cache_del(NULL);
}

Test(deflate_cache, every_key_field_counts)
{
    ws_deflate_cache *c = ws_deflate_cache_new(1 << 20);
    ws_deflate_cache_put(c, &base, (const uint8_t *)"b", 1);
    ws_deflate_key k[5];
    for (int i = 0; i < 5; i++)
        k[i] = base;
    k[0].data_set = 2;
    k[1].offset = 101;
    k[2].len = 4095;
    k[3].window_bits = 9;
    k[4].level = 0;
    size_t len;
    for (int i = 0; i < 5; i++)
        cr_expect_null(ws_deflate_cache_get(c, &k[i], &len), "key variant %d", i);
    ws_deflate_cache_del(c);
}

Test(deflate_cache, stops_storing_when_full)
{
    ws_deflate_cache *c = ws_deflate_cache_new(10);
    ws_deflate_key a = base, b = base, d = base;
    b.offset = 1;
    d.offset = 2;
    size_t len;
    ws_deflate_cache_put(c, &a, (const uint8_t *)"12345678", 8);
    ws_deflate_cache_put(c, &b, (const uint8_t *)"123", 3); /* 11 > 10 */
    ws_deflate_cache_put(c, &d, (const uint8_t *)"12", 2);  /* exactly 10 */
    cr_expect_not_null(ws_deflate_cache_get(c, &a, &len));
    cr_expect_null(ws_deflate_cache_get(c, &b, &len));
    cr_expect_not_null(ws_deflate_cache_get(c, &d, &len));
    ws_deflate_cache_del(c);
}

static void *hammer(void *arg)
{
    ws_deflate_cache *c = arg;
    for (uint64_t i = 0; i < 20000; i++) {
        ws_deflate_key k = base;
        k.offset = i % 3000;
        uint8_t v[8];
        memcpy(v, &k.offset, sizeof v);
        size_t len;
        const uint8_t *p = ws_deflate_cache_get(c, &k, &len);
        if (p)
            cr_assert(len == 8 && memcmp(p, v, 8) == 0);
        else
            ws_deflate_cache_put(c, &k, v, sizeof v);
    }
    return NULL;
}

Test(deflate_cache, threads_agree)
{
    ws_deflate_cache *c = ws_deflate_cache_new(1 << 20);
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        cr_assert_eq(pthread_create(&t[i], NULL, hammer, c), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    ws_deflate_cache_del(c);
}

typedef struct {
    uint8_t *data;
    size_t len;
} bytes;

static ws_err collect(void *ctx, const uint8_t *p, size_t n)
{
    bytes *b = ctx;
    b->data = realloc(b->data, b->len + n);
    cr_assert_not_null(b->data);
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return WS_OK;
}

static bytes compress_one(ws_deflater *d, const uint8_t *msg, size_t len)
{
    bytes b = {0};
    cr_assert_eq(ws_deflate_feed(d, msg, len, true, collect, &b), WS_OK);
    return b;
}

/* The same slice gives the same octets after other messages, with a reset
 * compressor, and (the control) different octets with context takeover. */
Test(deflate_cache, reset_compressor_is_repeatable)
{
    size_t total;
    uint8_t *json = ws_corpus_generate(1, &total);
    cr_assert_not_null(json);
    cr_assert_gt(total, 20000);
    static const int windows[] = {9, 15};
    for (int w = 0; w < 2; w++) {
        for (int nct = 0; nct < 2; nct++) {
            ws_deflater fresh, used;
            cr_assert_eq(ws_deflate_init(&fresh, windows[w], nct, NULL), WS_OK);
            cr_assert_eq(ws_deflate_init(&used, windows[w], nct, NULL), WS_OK);
            bytes other = compress_one(&used, json + 5000, 8000);
            bytes a = compress_one(&fresh, json, 8000);
            bytes b = compress_one(&used, json, 8000);
            bool same = a.len == b.len && memcmp(a.data, b.data, a.len) == 0;
            if (nct)
                cr_expect(same, "window %d: reset compressor differs", windows[w]);
            else
                cr_expect_not(same, "window %d: context takeover had no effect", windows[w]);
            free(other.data);
            free(a.data);
            free(b.data);
            ws_deflate_end(&fresh);
            ws_deflate_end(&used);
        }
    }
    free(json);
}
