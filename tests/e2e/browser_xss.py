#!/usr/bin/python3
"""Check the DOM that headless Chromium built from wsspec report pages
written for tests/peers/hostile_server.py's xss mode (see browser_xss.sh).

usage: browser_xss.py REF_INDEX.html DOMDIR PNGDIR PAGE.html...

REF_INDEX.html is the index.html of a run against `wsspec serve` (a benign
peer): its single <script> is the report's own filter script.  For each
PAGE.html (the file wsspec wrote), DOMDIR/<basename>.dom holds the DOM
Chromium dumped (--dump-dom) and PNGDIR/<basename>.png its screenshot.

Per page, in the DOM after parsing (and after the index's script ran):
  - no <script> element, except on index.html exactly one whose text is the
    reference filter script and whose sha256 is the one the CSP allows;
  - no element with an on* attribute, no javascript: URL in any attribute;
  - no <img>, <iframe>, <object>, <embed>, <frame>, <base>, <link>, <form>
    and no <svg> children other than the timeline/chart shapes;
  - no U+FFFD (a raw invalid UTF-8 octet would have been replaced by one);
  - the hostile Server header is visible as text (title/agent);
  - the screenshot is a PNG with real content (not one flat colour).
Across all case pages, every other hostile payload is found as text: the
extra header, the text/ping previews, the binary frame's ASCII dump, the
invalid-UTF-8 text message's dump and the close reason (octets \\xff \\xfe
shown as the text "\\xff\\xfe").  On index.html the filter script must have
run (the #filters form is no longer hidden): Chromium did execute the
page's own script, so nothing else ran only because scripts were off.
"""
import base64
import hashlib
import os
import re
import struct
import sys
import zlib
from html.parser import HTMLParser

SERVER = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
ON_EVERY_PAGE = [SERVER]
ON_SOME_CASE_PAGE = [
    SERVER + "\\xc3(",                                  # invalid UTF-8 in the header
    "X-Hostile: </pre><iframe src=javascript:alert(10)></iframe>\\xff",
    "<script>alert(4)</script><img sr",                 # text preview (32 octets)
    "<script>alert(4)</script><img s",                  # hex dump's ASCII column
    '"><svg onload=alert(6)>',                          # short text preview
    "<b onmouseover=alert(7)>",                         # ping preview
    "..<object data=x",                                 # binary: ASCII column
    "</code><img src=",                                 # non-UTF-8 text, 1st fragment
    "<script>alert(3)</script>\\xff\\xfe",              # close reason
]
FORBIDDEN = {"img", "iframe", "object", "embed", "frame", "frameset", "applet", "base",
             "link", "audio", "video", "source", "portal", "foreignobject", "image",
             "use", "animate", "set", "math"}  # <script>: counted; <a>: local links only;
# <form>: the index's filters (no action=, see the attribute checks)
SVG_OK = {"svg", "text", "line", "rect", "title", "g", "path", "circle", "polyline",
          "polygon", "tspan"}


class Dom(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts = []
        self.in_script = False
        self.skip = 0  # inside <style>/<script>: not visible text
        self.text = []
        self.errors = []
        self.svg = 0
        self.filters_hidden = None
        self.csp = None

    def starttag(self, tag, attrs):
        for k, v in attrs:
            if k.startswith("on"):
                self.errors.append(f"<{tag}> has an event handler attribute {k}=")
            if v and re.sub(r"[\s\x00-\x20]", "", v).lower().startswith(("javascript:",
                                                                          "vbscript:",
                                                                          "data:text/html")):
                self.errors.append(f"<{tag}> has a script URL in {k}={v!r}")
            if k in ("src", "srcdoc", "data", "xlink:href", "formaction", "action"):
                self.errors.append(f"<{tag}> loads something: {k}={v!r}")
        a = dict(attrs)
        if tag == "a" and not re.fullmatch(r"[A-Za-z0-9_.#-]*", a.get("href") or ""):
            self.errors.append(f"<a href={a.get('href')!r}>: not a link to a report file")
        elif tag in FORBIDDEN:
            self.errors.append(f"forbidden element <{tag}>")
        if tag == "svg":
            self.svg += 1
        elif self.svg and tag not in SVG_OK:
            self.errors.append(f"unexpected <{tag}> inside <svg>")
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "refresh":
            self.errors.append("<meta http-equiv=refresh>")
        if tag == "meta" and a.get("http-equiv") == "Content-Security-Policy":
            self.csp = a.get("content", "")
        if a.get("id") == "filters":
            self.filters_hidden = "hidden" in a

    def handle_starttag(self, tag, attrs):
        self.starttag(tag, attrs)
        if tag == "script":
            self.scripts.append(["", attrs])
            self.in_script = True
        if tag in ("script", "style"):
            self.skip += 1

    def handle_startendtag(self, tag, attrs):
        self.starttag(tag, attrs)
        if tag == "svg":
            self.svg -= 1

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False
        if tag in ("script", "style") and self.skip:
            self.skip -= 1
        if tag == "svg" and self.svg:
            self.svg -= 1

    def handle_data(self, data):
        if self.in_script:
            self.scripts[-1][0] += data
        elif not self.skip:
            self.text.append(data)

    def handle_comment(self, data):
        self.errors.append(f"comment in the DOM: <!--{data[:40]}-->")


def parse(text):
    d = Dom()
    d.feed(text)
    d.close()
    return d


def png_ok(path):
    """A PNG of at least 300x200 whose pixels are not all one value."""
    try:
        raw = open(path, "rb").read()
    except OSError as e:
        return f"no screenshot: {e}"
    if len(raw) < 2000 or raw[:8] != b"\x89PNG\r\n\x1a\n":
        return f"screenshot is not a PNG or is tiny ({len(raw)} octets)"
    w, h = struct.unpack(">II", raw[16:24])
    if w < 300 or h < 200:
        return f"screenshot is {w}x{h}"
    pos, idat = 8, b""
    while pos < len(raw):
        n, kind = struct.unpack(">I4s", raw[pos:pos + 8])
        if kind == b"IDAT":
            idat += raw[pos + 8:pos + 8 + n]
        pos += 12 + n
    px = zlib.decompress(idat)
    if len(set(px[: 4 * 1024 * 1024])) < 16:
        return "screenshot is blank (almost one colour)"
    return None


def main():
    if len(sys.argv) < 5:
        print(__doc__.strip().splitlines()[3], file=sys.stderr)
        return 2
    ref_index, domdir, pngdir, pages = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    ref = parse(open(ref_index, encoding="utf-8").read())
    if len(ref.scripts) != 1 or "getElementById('filters')" not in ref.scripts[0][0]:
        print(f"FAIL: the reference index {ref_index} does not have one filter script")
        return 1
    own = ref.scripts[0][0]
    own_hash = base64.b64encode(hashlib.sha256(own.encode()).digest()).decode()
    errors, case_text, n_case = [], "", 0
    for page in pages:
        name = os.path.basename(page)
        dom_path = os.path.join(domdir, name + ".dom")
        dom_text = open(dom_path, encoding="utf-8", errors="replace").read()
        if "<body" not in dom_text:
            errors.append(f"{name}: Chromium dumped no DOM")
            continue
        d = parse(dom_text)
        errs = list(d.errors)
        text = "".join(d.text)
        is_index = name == "index.html"
        if is_index:
            if len(d.scripts) != 1:
                errs.append(f"{len(d.scripts)} <script> elements (want wsspec's one)")
            elif d.scripts[0][0] != own or d.scripts[0][1]:
                errs.append("the <script> is not the report's own filter script "
                            f"(sha256 {own_hash} expected)")
            if f"'sha256-{own_hash}'" not in (d.csp or ""):
                errs.append(f"the CSP does not allow exactly the filter script: {d.csp!r}")
            if d.filters_hidden is not False:
                errs.append("the filter script did not run (#filters still hidden or missing)")
        else:
            n_case += 1
            case_text += text + "\n"
            if d.scripts:
                errs.append(f"{len(d.scripts)} <script> element(s) on a case page")
            if "script-src 'none'" not in (d.csp or ""):
                errs.append(f"case page CSP is not script-src 'none': {d.csp!r}")
        if "\ufffd" in text:
            i = text.index("\ufffd")
            errs.append(f"U+FFFD in the text (a raw invalid octet?): {text[max(0, i-40):i+10]!r}")
        for s in ON_EVERY_PAGE:
            if s not in text:
                errs.append(f"the hostile string {s!r} is not visible as text")
        bad = png_ok(os.path.join(pngdir, name + ".png"))
        if bad:
            errs.append(bad)
        errors += [f"{name}: {e}" for e in errs]
        print(f"  {'ok ' if not errs else 'BAD'} {name}: {len(d.scripts)} script(s), "
              f"{len(text)} chars of text")
    if n_case == 0:
        errors.append("no case page checked")
    for s in ON_SOME_CASE_PAGE:
        if s not in case_text:
            errors.append(f"no case page shows {s!r} as text")
    for e in errors[:60]:
        print("FAIL:", e)
    if errors:
        print(f"browser_xss: {len(errors)} problem(s) in {len(pages)} page(s)")
        return 1
    print(f"browser_xss: {len(pages)} page(s) OK in Chromium: no peer markup became "
          f"elements, {len(ON_SOME_CASE_PAGE) + 1} hostile payloads shown as text")
    return 0


if __name__ == "__main__":
    sys.exit(main())
