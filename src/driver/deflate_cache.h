/*
 * Compressed messages kept for reuse across the cases of a run.
 *
 * A sender that resets its compressor after every message (it must when
 * the peer asked for no context takeover, RFC 7692 §7.1.1.1) turns the
 * same message, at the same window size and level, into the same octets
 * every time. The permessage-deflate families send the same data-set
 * slices in many cases, so wsspec compresses each once and copies it
 * afterwards. Only used for such messages: with context takeover the
 * octets depend on the messages before.
 *
 * Thread-safe (one mutex); entries are immutable and live until the cache
 * is deleted, so a pointer from a lookup stays valid without the lock.
 * Memory is bounded: past max_octets nothing more is stored.
 */
#ifndef WSSPEC_DRIVER_DEFLATE_CACHE_H
#define WSSPEC_DRIVER_DEFLATE_CACHE_H

#include <stddef.h>
#include <stdint.h>

/* What determines the compressed octets of a data-set slice. */
typedef struct {
    int data_set;    /* ws_corpus_generate's `which` */
    uint64_t offset; /* slice start in the data set */
    uint64_t len;    /* slice length */
    int window_bits; /* the compressor's, 8..15 */
    int level;       /* zlib level 0..9 */
} ws_deflate_key;

typedef struct ws_deflate_cache ws_deflate_cache;

/* A cache holding at most max_octets of compressed data; NULL when out of
 * memory. */
ws_deflate_cache *ws_deflate_cache_new(size_t max_octets);

/* Free the cache and every entry. Safe on NULL. */
void ws_deflate_cache_del(ws_deflate_cache *c);

/* The compressed octets stored for key (*len set), or NULL. */
const uint8_t *ws_deflate_cache_get(ws_deflate_cache *c, const ws_deflate_key *key, size_t *len);

/* Store a copy of data[0..len) for key, unless the key is already there
 * or the cache is full (not an error: the caller compresses again). */
void ws_deflate_cache_put(ws_deflate_cache *c, const ws_deflate_key *key, const uint8_t *data,
                          size_t len);

#endif
