/*
 * The wire log as plain text, one line per frame, with the columns of the
 * HTML case page's wire log (opcode, FIN, RSV, mask key, length, payload
 * preview). Used where a terminal shows frames (`wsspec replay`).
 */
#ifndef WSSPEC_REPORTS_WIRE_TEXT_H
#define WSSPEC_REPORTS_WIRE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "driver/result.h"

/* Octets as one line of text: printable ASCII as is, \r \n \t \" \\ and
 * \xNN otherwise, at most max_shown octets. True when octets were left out
 * (len > max_shown, or the text did not fit in cap). */
bool ws_text_escape(char *out, size_t cap, const uint8_t *data, size_t len, size_t max_shown);

/* "Text FIN=1 RSV=000 mask=12345678 len=5 \"Hello\"" (a Close shows its
 * code first). */
void ws_wire_text(char *out, size_t cap, const ws_wire_frame *f);

#endif
