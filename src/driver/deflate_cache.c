/* Compressed data-set slices, shared by the cases of a run: a fixed array
 * of hash buckets, each a singly linked list, under one mutex. */
#include "driver/deflate_cache.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define BUCKETS 16384 /* a full 12/13 run stores ~13000 entries */

typedef struct entry {
    struct entry *next;
    ws_deflate_key key;
    size_t len;
    uint8_t data[]; /* len octets */
} entry;

struct ws_deflate_cache {
    pthread_mutex_t lock;
    size_t max_octets, octets;
    entry *buckets[BUCKETS];
};

static size_t bucket_of(const ws_deflate_key *k)
{
    uint64_t h = 1469598103934665603u;
    uint64_t parts[5] = {(uint64_t)k->data_set, k->offset, k->len, (uint64_t)k->window_bits,
                         (uint64_t)k->level};
    for (int i = 0; i < 5; i++) {
        h ^= parts[i];
        h *= 1099511628211u;
        h ^= h >> 29;
    }
    return (size_t)(h % BUCKETS);
}

static bool same_key(const ws_deflate_key *a, const ws_deflate_key *b)
{
    return a->data_set == b->data_set && a->offset == b->offset && a->len == b->len &&
           a->window_bits == b->window_bits && a->level == b->level;
}

ws_deflate_cache *ws_deflate_cache_new(size_t max_octets)
{
    ws_deflate_cache *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    if (pthread_mutex_init(&c->lock, NULL) != 0) {
        free(c);
        return NULL;
    }
    c->max_octets = max_octets;
    return c;
}

void ws_deflate_cache_del(ws_deflate_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < BUCKETS; i++) {
        entry *next;
        for (entry *e = c->buckets[i]; e; e = next) {
            next = e->next;
            free(e);
        }
    }
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static entry *find(const ws_deflate_cache *c, size_t b, const ws_deflate_key *key)
{
    for (entry *e = c->buckets[b]; e; e = e->next)
        if (same_key(&e->key, key))
            return e;
    return NULL;
}

const uint8_t *ws_deflate_cache_get(ws_deflate_cache *c, const ws_deflate_key *key, size_t *len)
{
    size_t b = bucket_of(key);
    pthread_mutex_lock(&c->lock);
    const entry *e = find(c, b, key);
    pthread_mutex_unlock(&c->lock);
    if (!e)
        return NULL;
    *len = e->len;
    return e->data;
}

void ws_deflate_cache_put(ws_deflate_cache *c, const ws_deflate_key *key, const uint8_t *data,
                          size_t len)
{
    size_t b = bucket_of(key);
    pthread_mutex_lock(&c->lock);
    bool room = len <= c->max_octets - c->octets;
    entry *e = room && !find(c, b, key) ? malloc(sizeof *e + len) : NULL;
    if (e) {
        e->key = *key;
        e->len = len;
        memcpy(e->data, data, len);
        e->next = c->buckets[b];
        c->buckets[b] = e;
        c->octets += len;
    }
    pthread_mutex_unlock(&c->lock);
}
