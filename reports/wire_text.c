/* The wire log as plain text; see wire_text.h. */
#include <stdio.h>
#include <string.h>

#include "html_internal.h"
#include "wire_text.h"

bool ws_text_escape(char *out, size_t cap, const uint8_t *data, size_t len, size_t max_shown)
{
    if (cap == 0)
        return len > 0;
    size_t o = 0, shown = len < max_shown ? len : max_shown;
    out[0] = 0;
    for (size_t i = 0; i < shown; i++) {
        uint8_t c = data[i];
        char piece[8];
        if (c == '\r' || c == '\n' || c == '\t')
            snprintf(piece, sizeof piece, "\\%c", c == '\r' ? 'r' : c == '\n' ? 'n' : 't');
        else if (c == '"' || c == '\\')
            snprintf(piece, sizeof piece, "\\%c", c);
        else if (c >= 0x20 && c < 0x7f)
            snprintf(piece, sizeof piece, "%c", c);
        else
            snprintf(piece, sizeof piece, "\\x%02x", c);
        size_t k = strlen(piece);
        if (o + k >= cap)
            return true;
        memcpy(out + o, piece, k + 1);
        o += k;
    }
    return shown < len;
}

void ws_wire_text(char *out, size_t cap, const ws_wire_frame *f)
{
    char tmp[32], mask[12] = "-", code[24] = "", payload[320];
    const char *name = ws_html_opcode_name(f->opcode, tmp, sizeof tmp);
    if (f->masked)
        snprintf(mask, sizeof mask, "%02x%02x%02x%02x", f->mask_key[0], f->mask_key[1],
                 f->mask_key[2], f->mask_key[3]);
    size_t plen = f->preview_len <= WS_PREVIEW_MAX ? f->preview_len : WS_PREVIEW_MAX;
    const uint8_t *p = f->preview;
    uint64_t total = f->len;
    if (f->opcode == 8 && plen >= 2 && f->len >= 2) {
        snprintf(code, sizeof code, "code %u ", (unsigned)(p[0] << 8 | p[1]));
        p += 2;
        plen -= 2;
        total -= 2;
    }
    bool cut = ws_text_escape(payload, sizeof payload, p, plen, WS_PREVIEW_MAX) || total > plen;
    snprintf(out, cap, "%s FIN=%d RSV=%d%d%d mask=%s len=%llu %s\"%s\"%s", name, f->fin ? 1 : 0,
             (f->rsv >> 2) & 1, (f->rsv >> 1) & 1, f->rsv & 1, mask, (unsigned long long)f->len,
             code, payload, cut ? "..." : "");
}
