/*
 * Unit tests for src/net/url.c: ws:// and wss:// URLs (RFC 6455 §3).
 */
#include <criterion/criterion.h>

#include <string.h>

#include "wsspec/url.h"

typedef struct {
    const char *url;
    bool tls;
    const char *host;
    bool v6;
    uint16_t port;
    const char *resource; /* as stored in ws_url */
    bool needs_slash;
    const char *host_port; /* ws_url_host_port */
    const char *full;      /* ws_url_resource */
} good_case;

static const good_case good[] = {
    {"ws://127.0.0.1:9001", false, "127.0.0.1", false, 9001, "/", false, "127.0.0.1:9001", "/"},
    {"wss://example.com", true, "example.com", false, 443, "/", false, "example.com:443", "/"},
    {"ws://[::1]:9001/path?q=1", false, "::1", true, 9001, "/path?q=1", false, "[::1]:9001",
     "/path?q=1"},
    {"ws://h", false, "h", false, 80, "/", false, "h:80", "/"},
    {"WS://H/", false, "H", false, 80, "/", false, "H:80", "/"},
    {"wSs://Example.COM:8443/a/b", true, "Example.COM", false, 8443, "/a/b", false,
     "Example.COM:8443", "/a/b"},
    {"ws://h?x=1", false, "h", false, 80, "?x=1", true, "h:80", "/?x=1"},
    {"ws://h:1/", false, "h", false, 1, "/", false, "h:1", "/"},
    {"ws://h:65535", false, "h", false, 65535, "/", false, "h:65535", "/"},
    {"ws://h:0080/x", false, "h", false, 80, "/x", false, "h:80", "/x"},
    {"wss://[2001:db8::a:1]/chat", true, "2001:db8::a:1", true, 443, "/chat", false,
     "[2001:db8::a:1]:443", "/chat"},
    {"ws://[::ffff:1.2.3.4]", false, "::ffff:1.2.3.4", true, 80, "/", false, "[::ffff:1.2.3.4]:80",
     "/"},
    {"ws://my-host.example_1.org/p%20q?a=b&c=d;e", false, "my-host.example_1.org", false, 80,
     "/p%20q?a=b&c=d;e", false, "my-host.example_1.org:80", "/p%20q?a=b&c=d;e"},
    {"ws://h/?", false, "h", false, 80, "/?", false, "h:80", "/?"},
    {"ws://h//double//slash", false, "h", false, 80, "//double//slash", false, "h:80",
     "//double//slash"},
    {"ws://localhost:9001/a:b@c", false, "localhost", false, 9001, "/a:b@c", false,
     "localhost:9001", "/a:b@c"},
};

Test(url, good_urls)
{
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        const good_case *g = &good[i];
        ws_url u;
        ws_err e = ws_url_parse(g->url, &u);
        cr_assert_eq(e, WS_OK, "%s: %s", g->url, ws_err_name(e));
        cr_assert_eq(u.tls, g->tls, "%s", g->url);
        cr_assert_eq(u.host_len, strlen(g->host), "%s", g->url);
        cr_assert_eq(memcmp(u.host, g->host, u.host_len), 0, "%s", g->url);
        cr_assert_eq(u.host_is_ipv6, g->v6, "%s", g->url);
        cr_assert_eq(u.port, g->port, "%s", g->url);
        cr_assert_eq(u.resource_len, strlen(g->resource), "%s", g->url);
        cr_assert_eq(memcmp(u.resource, g->resource, u.resource_len), 0, "%s", g->url);
        cr_assert_eq(u.resource_needs_slash, g->needs_slash, "%s", g->url);
        /* host and (non-default) resource point into the caller's string */
        cr_assert(u.host > g->url && u.host < g->url + strlen(g->url), "%s", g->url);
        char buf[128];
        cr_assert(ws_url_host_port(&u, buf, sizeof buf), "%s", g->url);
        cr_assert_str_eq(buf, g->host_port);
        cr_assert(ws_url_resource(&u, buf, sizeof buf), "%s", g->url);
        cr_assert_str_eq(buf, g->full);
    }
}

Test(url, bad_urls)
{
    static const struct {
        const char *url;
        ws_err want;
    } bad[] = {
        {"http://x", WS_ERR_URL_SCHEME},
        {"https://x/", WS_ERR_URL_SCHEME},
        {"", WS_ERR_URL_SCHEME},
        {"ws:/h", WS_ERR_URL_SCHEME},
        {"ws:h", WS_ERR_URL_SCHEME},
        {"wsx://h", WS_ERR_URL_SCHEME},
        {" ws://h", WS_ERR_URL_SCHEME},
        {"ws://", WS_ERR_URL_HOST},
        {"ws:///path", WS_ERR_URL_HOST},
        {"ws://:9001/", WS_ERR_URL_HOST},
        {"ws://::1/", WS_ERR_URL_HOST},
        {"ws://2001:db8::1", WS_ERR_URL_HOST},
        {"ws://[::1/", WS_ERR_URL_HOST},
        {"ws://[]/", WS_ERR_URL_HOST},
        {"ws://[not-v6]/", WS_ERR_URL_HOST},
        {"ws://[::1]x/", WS_ERR_URL_HOST},
        {"ws://[fe80::1%25eth0]/", WS_ERR_URL_HOST},
        {"ws://user@h/", WS_ERR_URL_HOST},
        {"ws://user:pw@h:80/", WS_ERR_URL_HOST},
        {"ws://h!st/", WS_ERR_URL_HOST},
        {"ws://h%41/", WS_ERR_URL_HOST},
        {"ws://256.1.1.1/", WS_ERR_URL_HOST},
        {"ws://1.2.3/", WS_ERR_URL_HOST},
        {"ws://h:0", WS_ERR_URL_PORT},
        {"ws://h:65536", WS_ERR_URL_PORT},
        {"ws://h:99999999999999999999999", WS_ERR_URL_PORT},
        {"ws://h:abc", WS_ERR_URL_PORT},
        {"ws://h:", WS_ERR_URL_PORT},
        {"ws://h:/x", WS_ERR_URL_PORT},
        {"ws://h:-1", WS_ERR_URL_PORT},
        {"ws://h:+80", WS_ERR_URL_PORT},
        {"ws://[::1]:", WS_ERR_URL_PORT},
        {"ws://[::1]:0/", WS_ERR_URL_PORT},
        {"ws://h/#frag", WS_ERR_URL_FRAGMENT},
        {"ws://h#", WS_ERR_URL_FRAGMENT},
        {"ws://h/?q=1#x", WS_ERR_URL_FRAGMENT},
        {"ws://h /x", WS_ERR_URL_SYNTAX},
        {"ws://h/a b", WS_ERR_URL_SYNTAX},
        {"ws://h/\t", WS_ERR_URL_SYNTAX},
        {"ws://h/\x01", WS_ERR_URL_SYNTAX},
        {"ws://h/\x7f", WS_ERR_URL_SYNTAX},
        {"ws://h/caf\xc3\xa9", WS_ERR_URL_SYNTAX},
        {"ws://h/<script>", WS_ERR_URL_SYNTAX},
        {"ws://h/%zz", WS_ERR_URL_SYNTAX},
        {"ws://h/%4", WS_ERR_URL_SYNTAX},
        {"ws://h/\r\nHost: evil", WS_ERR_URL_SYNTAX},
        /* characters are checked before the fragment, the fragment before the host */
        {"ws://h /#x", WS_ERR_URL_SYNTAX},
        {"ws://:0/#x", WS_ERR_URL_FRAGMENT},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ws_url u;
        ws_err e = ws_url_parse(bad[i].url, &u);
        cr_assert_eq(e, bad[i].want, "\"%s\": got %s, want %s", bad[i].url, ws_err_name(e),
                     ws_err_name(bad[i].want));
    }
}

Test(url, long_host)
{
    char url[400] = "ws://";
    memset(url + 5, 'a', 255);
    ws_url u;
    cr_assert_eq(ws_url_parse(url, &u), WS_OK);
    cr_assert_eq(u.host_len, 255);
    url[5 + 255] = 'a';
    cr_assert_eq(ws_url_parse(url, &u), WS_ERR_URL_HOST);
}

Test(url, output_buffers)
{
    ws_url u;
    cr_assert_eq(ws_url_parse("ws://[::1]:9001?x=1", &u), WS_OK);
    char buf[16];
    cr_assert(ws_url_host_port(&u, buf, sizeof("[::1]:9001")));
    cr_assert_str_eq(buf, "[::1]:9001");
    cr_assert_not(ws_url_host_port(&u, buf, sizeof("[::1]:9001") - 1));
    cr_assert_not(ws_url_host_port(&u, buf, 0));
    cr_assert(ws_url_resource(&u, buf, sizeof("/?x=1")));
    cr_assert_str_eq(buf, "/?x=1");
    cr_assert_not(ws_url_resource(&u, buf, sizeof("/?x=1") - 1));
    cr_assert_not(ws_url_host_port(NULL, buf, sizeof buf));
    cr_assert_not(ws_url_resource(NULL, buf, sizeof buf));
}

Test(url, invalid_arguments)
{
    ws_url u;
    cr_assert_eq(ws_url_parse(NULL, &u), WS_ERR_INVALID_ARG);
    cr_assert_eq(ws_url_parse("ws://h", NULL), WS_ERR_INVALID_ARG);
    /* a failed parse leaves nothing stale behind */
    cr_assert_eq(ws_url_parse("ws://h:1/x", &u), WS_OK);
    cr_assert_eq(ws_url_parse("ws://h:0/x", &u), WS_ERR_URL_PORT);
    cr_assert_null(u.resource);
}
