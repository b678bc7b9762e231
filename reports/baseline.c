/* Baselines and `wsspec diff`: see baseline.h for the formats and rules. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "baseline.h"
#include "driver/pattern.h"
#include "html_internal.h"
#include "util/json.h"

#define BASELINE_MAX_FILE (64u << 20)
#define LIST_LIMIT        50 /* new / missing / unchanged lines shown before "... N more" */

int ws_result_rank(ws_result r)
{
    switch (r) {
    case WS_RESULT_OK:
        return 4;
    case WS_RESULT_INFORMATIONAL:
        return 3;
    case WS_RESULT_NON_STRICT:
        return 2;
    case WS_RESULT_UNIMPLEMENTED:
        return 1;
    case WS_RESULT_FAILED:
        return 0;
    }
    return 0;
}

int ws_result_parse(const char *name)
{
    for (int r = 0; r < 5; r++)
        if (strcasecmp(name, ws_result_name((ws_result)r)) == 0)
            return r;
    return -1;
}

static int close_parse(const char *name)
{
    for (int v = 0; v <= WS_CLOSE_VERDICT_FAILED; v++)
        if (strcmp(name, ws_close_verdict_name((ws_close_verdict)v)) == 0)
            return v;
    return -1;
}

void ws_baseline_free(ws_baseline *b)
{
    for (size_t i = 0; i < b->n; i++) {
        free(b->rules[i].agent);
        free(b->rules[i].pattern);
        free(b->rules[i].comment);
    }
    free(b->rules);
    memset(b, 0, sizeof *b);
}

static bool add_rule(ws_baseline *b, const char *agent, const char *pattern, size_t plen,
                     int result, const char *comment, size_t clen, int line)
{
    ws_baseline_rule *grown = realloc(b->rules, (b->n + 1) * sizeof *grown);
    if (!grown)
        return false;
    b->rules = grown;
    ws_baseline_rule *r = &b->rules[b->n];
    memset(r, 0, sizeof *r);
    r->agent = agent ? strdup(agent) : NULL;
    r->pattern = strndup(pattern, plen);
    r->comment = comment && clen ? strndup(comment, clen) : NULL;
    r->result = result;
    r->line = line;
    if (!r->pattern || (agent && !r->agent) || (comment && clen && !r->comment)) {
        free(r->agent);
        free(r->pattern);
        free(r->comment);
        return false;
    }
    b->n++;
    return true;
}

static bool parse_json(const char *text, size_t len, const char *name, ws_baseline *out, char *err,
                       size_t errcap)
{
    char perr[256];
    ws_json_doc *doc = ws_json_parse(text, len, perr, sizeof perr);
    if (!doc) {
        snprintf(err, errcap, "%s: not valid JSON: %s", name, perr);
        return false;
    }
    const ws_json_value *root = ws_json_root(doc);
    bool ok = true;
    if (ws_json_type_of(root) != WS_JSON_OBJECT) {
        snprintf(err, errcap, "%s: expected an index.json object of agents, found %s", name,
                 ws_json_type_name(ws_json_type_of(root)));
        ok = false;
    }
    for (size_t ai = 0; ok && ai < ws_json_object_size(root); ai++) {
        const char *agent;
        size_t alen;
        const ws_json_value *cases = ws_json_object_at(root, ai, &agent, &alen);
        if (ws_json_type_of(cases) != WS_JSON_OBJECT) {
            snprintf(err, errcap, "%s: agent \"%.100s\": expected an object of cases", name, agent);
            ok = false;
            break;
        }
        for (size_t ci = 0; ok && ci < ws_json_object_size(cases); ci++) {
            const char *id;
            size_t idlen;
            const ws_json_value *v = ws_json_object_at(cases, ci, &id, &idlen);
            const char *bname = ws_json_cstr(ws_json_object_get(v, "behavior"));
            const char *cname = ws_json_cstr(ws_json_object_get(v, "behaviorClose"));
            int bv = bname ? ws_result_parse(bname) : -1;
            int cv = cname ? close_parse(cname) : WS_CLOSE_VERDICT_OK;
            if (!bname || bv < 0 || cv < 0) {
                snprintf(err, errcap, "%s: agent \"%.100s\" case %.40s: %s%.40s%s", name, agent, id,
                         !bname   ? "no \"behavior\""
                         : bv < 0 ? "unknown behavior '"
                                  : "unknown behaviorClose '",
                         !bname   ? ""
                         : bv < 0 ? bname
                                  : cname,
                         !bname ? "" : "'");
                ok = false;
                break;
            }
            /* The behavior names map to the ws_result of the same name. */
            ws_behavior beh = bv == WS_RESULT_OK              ? WS_BEHAVIOR_OK
                              : bv == WS_RESULT_INFORMATIONAL ? WS_BEHAVIOR_INFORMATIONAL
                              : bv == WS_RESULT_UNIMPLEMENTED ? WS_BEHAVIOR_UNIMPLEMENTED
                              : bv == WS_RESULT_NON_STRICT    ? WS_BEHAVIOR_NON_STRICT
                                                              : WS_BEHAVIOR_FAILED;
            int res = (int)ws_result_of(beh, (ws_close_verdict)cv);
            if (!add_rule(out, agent, id, idlen, res, NULL, 0, 0)) {
                snprintf(err, errcap, "%s: out of memory", name);
                ok = false;
            }
        }
    }
    ws_json_free(doc);
    return ok;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static bool parse_text(const char *text, size_t len, const char *name, ws_baseline *out, char *err,
                       size_t errcap)
{
    out->patterns = true;
    size_t pos = 0;
    for (int line = 1; pos < len; line++) {
        size_t end = pos;
        while (end < len && text[end] != '\n')
            end++;
        const char *p = text + pos, *e = text + end;
        pos = end + 1;
        const char *hash = memchr(p, '#', (size_t)(e - p));
        const char *comment = NULL;
        size_t clen = 0;
        if (hash) {
            comment = hash + 1;
            const char *ce = e;
            while (comment < ce && is_space(*comment))
                comment++;
            while (ce > comment && is_space(ce[-1]))
                ce--;
            clen = (size_t)(ce - comment);
            e = hash;
        }
        const char *tok[3];
        size_t toklen[3], ntok = 0;
        while (p < e) {
            while (p < e && is_space(*p))
                p++;
            if (p == e)
                break;
            const char *s = p;
            while (p < e && !is_space(*p))
                p++;
            if (ntok == 3)
                break;
            tok[ntok] = s;
            toklen[ntok++] = (size_t)(p - s);
        }
        if (ntok == 0)
            continue;
        if (ntok != 2) {
            snprintf(err, errcap, "%s:%d: expected 'PATTERN VERDICT [# comment]', found %zu %s",
                     name, line, ntok, ntok == 1 ? "word" : "words or more");
            return false;
        }
        char pat[128], verdict[32], perr[200];
        snprintf(pat, sizeof pat, "%.*s", (int)toklen[0], tok[0]);
        snprintf(verdict, sizeof verdict, "%.*s", (int)toklen[1], tok[1]);
        if (toklen[0] >= sizeof pat || !ws_pattern_valid(pat, perr, sizeof perr)) {
            snprintf(err, errcap, "%s:%d: bad case pattern '%.60s'%s%s", name, line, pat,
                     toklen[0] >= sizeof pat ? "" : ": ", toklen[0] >= sizeof pat ? "" : perr);
            return false;
        }
        int res = strcasecmp(verdict, "ANY") == 0 ? WS_BASELINE_ANY : ws_result_parse(verdict);
        if (res == -1 && strcasecmp(verdict, "ANY") != 0) {
            snprintf(err, errcap,
                     "%s:%d: unknown verdict '%.31s' (OK, INFORMATIONAL, NON-STRICT, "
                     "UNIMPLEMENTED, FAILED or ANY)",
                     name, line, verdict);
            return false;
        }
        if (!add_rule(out, NULL, pat, strlen(pat), res, comment, clen, line)) {
            snprintf(err, errcap, "%s: out of memory", name);
            return false;
        }
    }
    return true;
}

bool ws_baseline_parse(const char *text, size_t len, const char *name, ws_baseline *out, char *err,
                       size_t errcap)
{
    memset(out, 0, sizeof *out);
    snprintf(out->source, sizeof out->source, "%s", name);
    size_t i = 0;
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        i = 3;
    while (i < len && (is_space(text[i]) || text[i] == '\n'))
        i++;
    bool ok = i < len && (text[i] == '{' || text[i] == '[')
                  ? parse_json(text, len, name, out, err, errcap)
                  : parse_text(text, len, name, out, err, errcap);
    if (!ok)
        ws_baseline_free(out);
    return ok;
}

static char *read_file(const char *path, size_t *len, char *shown, size_t shown_cap, char *err,
                       size_t errcap)
{
    struct stat st;
    snprintf(shown, shown_cap, "%s", path);
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        snprintf(shown, shown_cap, "%s/index.json", path);
    FILE *f = fopen(shown, "rb");
    if (!f) {
        snprintf(err, errcap, "%s: %s", shown, strerror(errno));
        return NULL;
    }
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 65536 > cap) {
            cap = cap ? cap * 2 : 131072;
            char *g = realloc(buf, cap + 1);
            if (!g) {
                snprintf(err, errcap, "%s: out of memory", shown);
                break;
            }
            buf = g;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n > BASELINE_MAX_FILE) {
            snprintf(err, errcap, "%s: larger than %u MiB", shown, BASELINE_MAX_FILE >> 20);
            break;
        }
        if (got == 0) {
            if (ferror(f)) {
                snprintf(err, errcap, "%s: read error", shown);
                break;
            }
            fclose(f);
            buf[n] = 0;
            *len = n;
            return buf;
        }
    }
    fclose(f);
    free(buf);
    return NULL;
}

bool ws_baseline_load(const char *path, ws_baseline *out, char *err, size_t errcap)
{
    char shown[4096];
    size_t len = 0;
    memset(out, 0, sizeof *out);
    char *text = read_file(path, &len, shown, sizeof shown, err, errcap);
    if (!text)
        return false;
    bool ok = ws_baseline_parse(text, len, shown, out, err, errcap);
    free(text);
    return ok;
}

static void push(ws_baseline_diff *d, ws_diff_kind k, const char *agent, const char *id, int old_r,
                 int new_r, const ws_baseline_rule *rule)
{
    if (d->n == d->cap) {
        size_t ncap = d->cap ? d->cap * 2 : 64;
        ws_diff_item *g = realloc(d->items, ncap * sizeof *g);
        if (!g) {
            d->oom = true;
            return;
        }
        d->items = g;
        d->cap = ncap;
    }
    ws_diff_item *it = &d->items[d->n++];
    it->kind = k;
    snprintf(it->agent, sizeof it->agent, "%s", agent ? agent : "");
    snprintf(it->id, sizeof it->id, "%s", id);
    it->old_result = old_r;
    it->new_result = new_r;
    it->rule = rule;
    d->count[k]++;
}

/* The baseline agent name the current agent is compared with (NULL: none). */
static const char *agent_key(const ws_baseline *b, const char *agent)
{
    const char *only = NULL;
    for (size_t i = 0; i < b->n; i++) {
        if (strcmp(b->rules[i].agent, agent) == 0)
            return b->rules[i].agent;
        if (!only)
            only = b->rules[i].agent;
        else if (strcmp(only, b->rules[i].agent) != 0)
            only = "\x01"; /* several agents */
    }
    return only && only[0] != '\x01' ? only : NULL;
}

static const ws_baseline_rule *accepted(const ws_baseline *b, const char *agent, const char *id)
{
    if (b->patterns) {
        for (size_t i = b->n; i-- > 0;)
            if (ws_pattern_match(b->rules[i].pattern, id))
                return &b->rules[i];
        return NULL;
    }
    const char *key = agent_key(b, agent);
    if (!key)
        return NULL;
    for (size_t i = 0; i < b->n; i++)
        if (strcmp(b->rules[i].agent, key) == 0 && strcmp(b->rules[i].pattern, id) == 0)
            return &b->rules[i];
    return NULL;
}

static int by_kind_agent_id(const void *x, const void *y)
{
    const ws_diff_item *a = x, *b = y;
    if (a->kind != b->kind)
        return (int)a->kind - (int)b->kind;
    int c = strcmp(a->agent, b->agent);
    return c ? c : ws_case_id_compare(a->id, b->id);
}

void ws_baseline_compare_list(const ws_baseline *b, const ws_current_result *cur, size_t n,
                              ws_baseline_diff *out)
{
    memset(out, 0, sizeof *out);
    bool *used = calloc(b->n ? b->n : 1, sizeof *used);
    if (!used) {
        out->oom = true;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const ws_baseline_rule *rule = accepted(b, cur[i].agent, cur[i].id);
        int now = (int)cur[i].result;
        if (!rule) {
            push(out, WS_DIFF_NEW, cur[i].agent, cur[i].id, -1, now, NULL);
            continue;
        }
        used[rule - b->rules] = true;
        int was = rule->result;
        ws_diff_kind k = WS_DIFF_UNCHANGED;
        if (was != WS_BASELINE_ANY && ws_result_rank(cur[i].result) < ws_result_rank(was))
            k = WS_DIFF_REGRESSION;
        else if (was != WS_BASELINE_ANY && ws_result_rank(cur[i].result) > ws_result_rank(was))
            k = WS_DIFF_IMPROVED;
        push(out, k, cur[i].agent, cur[i].id, was, now, rule);
    }
    /* Missing: a listed case that did not run (per agent it applies to). */
    for (size_t r = 0; r < b->n; r++) {
        const ws_baseline_rule *rule = &b->rules[r];
        if (b->patterns) {
            if (!used[r] && !strchr(rule->pattern, '*'))
                push(out, WS_DIFF_MISSING, "", rule->pattern, rule->result, -1, rule);
            continue;
        }
        bool any_agent = false;
        for (size_t i = 0; i < n; i++) {
            if (i > 0 && strcmp(cur[i - 1].agent, cur[i].agent) == 0)
                continue; /* once per agent (lists are grouped by agent) */
            const char *key = agent_key(b, cur[i].agent);
            if (!key || strcmp(key, rule->agent) != 0)
                continue;
            any_agent = true;
            bool ran = false;
            for (size_t k = i; k < n && strcmp(cur[k].agent, cur[i].agent) == 0; k++)
                if (strcmp(cur[k].id, rule->pattern) == 0)
                    ran = true;
            if (!ran)
                push(out, WS_DIFF_MISSING, cur[i].agent, rule->pattern, rule->result, -1, rule);
        }
        if (!any_agent)
            push(out, WS_DIFF_MISSING, rule->agent, rule->pattern, rule->result, -1, rule);
    }
    free(used);
    if (out->n)
        qsort(out->items, out->n, sizeof *out->items, by_kind_agent_id);
}

void ws_baseline_compare(const ws_baseline *b, const ws_report_agent *agents, size_t nagents,
                         ws_baseline_diff *out)
{
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < nagents; i++)
        cap += agents[i].nresults;
    ws_current_result *cur = malloc((cap ? cap : 1) * sizeof *cur);
    if (!cur) {
        memset(out, 0, sizeof *out);
        out->oom = true;
        return;
    }
    for (size_t i = 0; i < nagents; i++)
        for (size_t k = 0; k < agents[i].nresults; k++) {
            const ws_case_result *r = &agents[i].results[k];
            if (r->ran && r->c)
                cur[n++] = (ws_current_result){agents[i].name, r->c->id, r->result};
        }
    ws_baseline_compare_list(b, cur, n, out);
    free(cur);
}

void ws_baseline_diff_free(ws_baseline_diff *d)
{
    free(d->items);
    memset(d, 0, sizeof *d);
}

bool ws_baseline_has_regressions(const ws_baseline_diff *d)
{
    return d->count[WS_DIFF_REGRESSION] > 0;
}

static const char *verdict_text(int r)
{
    return r == WS_BASELINE_ANY ? "ANY" : ws_result_name((ws_result)r);
}

static void item_line(ws_jbuf *b, const ws_diff_item *it)
{
    ws_hb_printf(b, "  %-24s %-10s ", it->agent[0] ? it->agent : "(all agents)", it->id);
    switch (it->kind) {
    case WS_DIFF_NEW:
        ws_hb_printf(b, "%s", verdict_text(it->new_result));
        break;
    case WS_DIFF_MISSING:
        ws_hb_printf(b, "accepted %s, not run", verdict_text(it->old_result));
        break;
    default:
        ws_hb_printf(b, "%s -> %s", verdict_text(it->old_result), verdict_text(it->new_result));
    }
    if (it->rule && it->rule->line) {
        ws_hb_printf(b, "   [line %d: %.40s %s", it->rule->line, it->rule->pattern,
                     verdict_text(it->rule->result));
        if (it->rule->comment)
            ws_hb_printf(b, " # %.200s", it->rule->comment);
        ws_hb_puts(b, "]");
    }
    ws_hb_puts(b, "\n");
}

char *ws_baseline_diff_format(const ws_baseline_diff *d, bool show_unchanged)
{
    static const char *const titles[] = {"Regressions", "Improved", "Unchanged",
                                         "New (no accepted verdict)",
                                         "Missing (accepted, but did not run)"};
    ws_jbuf b;
    ws_jbuf_init(&b);
    for (int k = 0; k < 5; k++) {
        if (!d->count[k] || (k == WS_DIFF_UNCHANGED && !show_unchanged))
            continue;
        ws_hb_printf(&b, "%s: %zu\n", titles[k], d->count[k]);
        size_t shown = 0;
        for (size_t i = 0; i < d->n; i++) {
            if ((int)d->items[i].kind != k)
                continue;
            bool limited = k != WS_DIFF_REGRESSION && k != WS_DIFF_IMPROVED;
            if (limited && shown == LIST_LIMIT) {
                ws_hb_printf(&b, "  ... and %zu more\n", d->count[k] - shown);
                break;
            }
            item_line(&b, &d->items[i]);
            shown++;
        }
    }
    ws_hb_printf(&b, "%s%zu regression%s, %zu improved, %zu unchanged, %zu new, %zu missing\n",
                 d->oom ? "(out of memory: incomplete) " : "", d->count[WS_DIFF_REGRESSION],
                 d->count[WS_DIFF_REGRESSION] == 1 ? "" : "s", d->count[WS_DIFF_IMPROVED],
                 d->count[WS_DIFF_UNCHANGED], d->count[WS_DIFF_NEW], d->count[WS_DIFF_MISSING]);
    if (b.oom) {
        ws_jbuf_free(&b);
        return NULL;
    }
    return b.data; /* ownership moves to the caller */
}

int ws_diff_index_files_err(const char *old_path, const char *new_path, FILE *out, char *err,
                            size_t errcap)
{
    ws_baseline old, now;
    if (!ws_baseline_load(old_path, &old, err, errcap))
        return 2;
    if (!ws_baseline_load(new_path, &now, err, errcap)) {
        ws_baseline_free(&old);
        return 2;
    }
    if (now.patterns) {
        snprintf(err, errcap, "%s: not an index.json", now.source);
        ws_baseline_free(&old);
        ws_baseline_free(&now);
        return 2;
    }
    ws_current_result *cur = malloc((now.n ? now.n : 1) * sizeof *cur);
    int rc = 2;
    if (!cur) {
        snprintf(err, errcap, "out of memory");
    } else {
        for (size_t i = 0; i < now.n; i++)
            cur[i] = (ws_current_result){now.rules[i].agent, now.rules[i].pattern,
                                         (ws_result)now.rules[i].result};
        ws_baseline_diff d;
        ws_baseline_compare_list(&old, cur, now.n, &d);
        char *text = ws_baseline_diff_format(&d, false);
        if (!text || d.oom) {
            snprintf(err, errcap, "out of memory");
        } else {
            fprintf(out, "wsspec diff %s -> %s\n%s", old.source, now.source, text);
            rc = ws_baseline_has_regressions(&d) ? 1 : 0;
        }
        free(text);
        ws_baseline_diff_free(&d);
    }
    free(cur);
    ws_baseline_free(&old);
    ws_baseline_free(&now);
    return rc;
}

int ws_diff_index_files(const char *old_path, const char *new_path, FILE *out)
{
    char err[512] = "";
    int rc = ws_diff_index_files_err(old_path, new_path, out, err, sizeof err);
    if (rc == 2)
        fprintf(stderr, "wsspec diff: %s\n", err);
    return rc;
}
