/*
 * Fuzz target: the ws:// / wss:// URL parser (ws_url_parse, RFC 6455 §3).
 *
 * Input: the URL text (NUL-terminated copy; an embedded NUL ends it).
 * Checked:
 *  - an accepted URL has a non-empty host and resource inside the input
 *    (or the static "/" when there is no path),
 *    a non-zero port (80/443 when none is given), no '#' (§3: fragments
 *    MUST NOT be used) and no space or control character;
 *  - ws_url_host_port / ws_url_resource succeed with a large buffer, fail
 *    cleanly with a tiny one, and always NUL-terminate;
 *  - round trip: "ws[s]://" + host_port + resource parses again to the same
 *    TLS flag, host, port and resource name.
 */
#include <string.h>

#include "fuzz_common.h"
#include "wsspec/url.h"

static void rebuilt_equal(const ws_url *u, const char *res)
{
    char hp[300], again[4096];
    FZ_CHECK(ws_url_host_port(u, hp, sizeof hp));
    FZ_CHECK(strlen(hp) < sizeof hp);
    int n = snprintf(again, sizeof again, "%s://%s%s", u->tls ? "wss" : "ws", hp, res);
    if (n < 0 || (size_t)n >= sizeof again)
        return;
    ws_url v;
    FZ_CHECK(ws_url_parse(again, &v) == WS_OK);
    FZ_CHECK(v.tls == u->tls && v.port == u->port && v.host_is_ipv6 == u->host_is_ipv6);
    FZ_CHECK(v.host_len == u->host_len && memcmp(v.host, u->host, u->host_len) == 0);
    char res2[4096];
    FZ_CHECK(ws_url_resource(&v, res2, sizeof res2) && strcmp(res, res2) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 2048)
        return 0;
    char *url = malloc(size + 1);
    FZ_CHECK(url != NULL);
    memcpy(url, data, size);
    url[size] = 0;
    size_t len = strlen(url);
    ws_url u;
    if (ws_url_parse(url, &u) == WS_OK) {
        FZ_CHECK(u.host_len > 0 && u.host >= url && u.host + u.host_len <= url + len);
        bool res_in = u.resource >= url && u.resource + u.resource_len <= url + len;
        FZ_CHECK(u.resource_len > 0 && (res_in || strcmp(u.resource, "/") == 0));
        FZ_CHECK(u.port != 0);
        FZ_CHECK(strchr(url, '#') == NULL);
        for (size_t i = 0; i < len; i++)
            FZ_CHECK((unsigned char)url[i] > 0x20 && url[i] != 0x7f);
        FZ_CHECK(u.resource_needs_slash ? u.resource[0] == '?' : u.resource[0] == '/');
        char res[4096], tiny[2] = "x";
        FZ_CHECK(ws_url_resource(&u, res, sizeof res));
        FZ_CHECK(res[0] == '/' && strlen(res) == u.resource_len + u.resource_needs_slash);
        FZ_CHECK(!ws_url_host_port(&u, tiny, 1) && !ws_url_resource(&u, tiny, 1));
        rebuilt_equal(&u, res);
    }
    free(url);
    return 0;
}
