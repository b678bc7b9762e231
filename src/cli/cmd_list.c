/* wsspec list [PATTERN] and wsspec show ID. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "driver/case.h"
#include "driver/pattern.h"
#include "driver/plan.h"

int ws_cmd_list(int argc, char **argv)
{
    if (argc > 2 || (argc == 2 && (strcmp(argv[1], "--help") == 0 || argv[1][0] == '-'))) {
        fprintf(argc == 2 && strcmp(argv[1], "--help") == 0 ? stdout : stderr,
                "usage: wsspec list [PATTERN]   (PATTERN: ids or globs, e.g. \"6.4.*,7.*\")\n");
        return argc == 2 && strcmp(argv[1], "--help") == 0 ? 0 : WS_EXIT_USAGE;
    }
    ws_pattern_list pats = {0};
    char err[256];
    if (argc == 2 && ws_pattern_list_parse(argv[1], &pats, err, sizeof err) != 0) {
        fprintf(stderr, "wsspec list: %s\n", err);
        return WS_EXIT_USAGE;
    }
    ws_registry *r = ws_registry_all();
    if (!r) {
        fprintf(stderr, "wsspec list: out of memory\n");
        ws_pattern_list_free(&pats);
        return WS_EXIT_USAGE;
    }
    size_t shown = 0;
    for (size_t i = 0; i < ws_registry_count(r); i++) {
        const ws_case *c = ws_registry_get(r, i);
        if (argc == 2 && !ws_pattern_list_match((const char *const *)pats.items, pats.n, c->id))
            continue;
        printf("%-8s %-17s %s\n", c->id, c->rfc, c->title);
        shown++;
    }
    ws_registry_free(r);
    ws_pattern_list_free(&pats);
    if (shown == 0) {
        fprintf(stderr, "wsspec list: no case matches '%s'\n", argv[1]);
        return WS_EXIT_USAGE;
    }
    return 0;
}

static const char *step_text(const ws_step *s, char *buf, size_t cap)
{
    static const char *const writes[] = {"in one TCP write", "one TCP write per frame",
                                         "in TCP writes of"};
    switch (s->kind) {
    case WS_STEP_SEND:
        if (s->write == WS_WRITE_CHOP)
            snprintf(buf, cap, "send %zu frame(s) %s %zu octet(s)%s", s->nframes, writes[2],
                     s->chop, s->hold ? ", holding back the tail" : "");
        else
            snprintf(buf, cap, "send %zu frame(s) %s%s", s->nframes, writes[s->write],
                     s->hold ? ", holding back the tail" : "");
        break;
    case WS_STEP_PAUSE:
        snprintf(buf, cap, "pause %d ms%s%s", s->ms, s->mark ? ", then record mark " : "",
                 s->mark ? s->mark : "");
        break;
    case WS_STEP_AWAIT:
        snprintf(buf, cap, "wait (at most %d ms) for every answer owed so far", s->ms);
        break;
    case WS_STEP_ROUNDTRIPS:
        snprintf(buf, cap, "%d sequential round trips of the frame below", s->count);
        break;
    case WS_STEP_RELEASE:
        snprintf(buf, cap, "write %s held-back octets", s->count ? "some" : "the remaining");
        break;
    }
    return buf;
}

static const char *opcode_name(unsigned op)
{
    static const char *const names[16] = {
        "continuation", "text",        "binary",      "reserved-3", "reserved-4", "reserved-5",
        "reserved-6",   "reserved-7",  "close",       "ping",       "pong",       "reserved-11",
        "reserved-12",  "reserved-13", "reserved-14", "reserved-15"};
    return names[op & 15];
}

int ws_cmd_show(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-') {
        bool help = argc == 2 && strcmp(argv[1], "--help") == 0;
        fprintf(help ? stdout : stderr, "usage: wsspec show ID   (e.g. wsspec show 6.4.3)\n");
        return help ? 0 : WS_EXIT_USAGE;
    }
    ws_registry *r = ws_registry_all();
    const ws_case *c = r ? ws_registry_find(r, argv[1]) : NULL;
    if (!c) {
        fprintf(stderr, "wsspec show: no case with id '%s' (see 'wsspec list')\n", argv[1]);
        ws_registry_free(r);
        return WS_EXIT_USAGE;
    }
    printf("Case %s - %s\n", c->id, c->title);
    printf("Section:     %s (%s)\n", c->rfc, ws_family_title(c->id));
    if (c->requirement)
        printf("Requirement: %s\n", c->requirement);
    printf("Steps:\n");
    char buf[256];
    for (size_t i = 0; i < c->nsteps; i++) {
        const ws_step *s = &c->steps[i];
        printf("  %zu. %s\n", i + 1, step_text(s, buf, sizeof buf));
        for (size_t k = 0; k < s->nframes; k++) {
            const ws_send_frame *f = &s->frames[k];
            size_t len = f->gen == WS_GEN_HEX ? strlen(f->data) / 2 : f->len;
            printf("       %s frame, FIN=%d, RSV=%u, %zu payload octet(s)%s",
                   opcode_name(f->opcode), !f->more, f->rsv, len + (f->coded ? 2 : 0),
                   f->coded ? " (code " : "");
            if (f->coded)
                printf("%u)", f->code);
            if (f->fragment)
                printf(", as a message in frames of %zu octets", f->fragment);
            printf("\n");
        }
    }
    printf("Then:        %s after %d ms unless the case is decided earlier\n",
           c->end == WS_END_KILL ? "fail the connection (close 1001)" : "close normally (1000)",
           c->end_ms);
    ws_plan plan;
    if (ws_plan_build(c, &plan) == WS_OK) {
        char exp[600];
        ws_plan_describe(&plan, exp, sizeof exp);
        printf("Expectation: %s\n", exp);
        ws_plan_free(&plan);
    }
    ws_registry_free(r);
    return 0;
}
