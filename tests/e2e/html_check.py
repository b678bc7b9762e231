#!/usr/bin/python3
"""Check wsspec HTML report pages: well-formed, self-contained, safe.

usage: html_check.py FILE.html...   (exit 0 = all fine, 1 = problems listed)

Per page:
  - the file is valid UTF-8;
  - every non-void element is closed, in order (a tag stack; SVG may
    self-close); no stray end tags;
  - no event-handler attribute (on*), no javascript: URL, no src/href to
    another host, no <link>, <img>, <iframe>, <object>, <embed>, <base>;
  - <script> only on index.html, exactly one, without attributes, and its
    text equals the one wsspec writes (no peer bytes inside);
  - the CSP meta tag is present.
"""
import sys
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr"}
FORBIDDEN = {"link", "img", "iframe", "object", "embed", "base", "frame", "frameset", "applet"}


class Checker(HTMLParser):
    def __init__(self, name):
        super().__init__(convert_charrefs=True)
        self.name = name
        self.stack = []
        self.errors = []
        self.scripts = []
        self.in_script = False
        self.csp = False

    def err(self, msg):
        line, col = self.getpos()
        self.errors.append(f"{self.name}:{line}:{col}: {msg}")

    def check_attrs(self, tag, attrs):
        for k, v in attrs:
            if k.lower().startswith("on"):
                self.err(f"event handler attribute {k}= on <{tag}>")
            if v and k.lower() in ("href", "src", "action", "formaction", "xlink:href"):
                low = v.strip().lower()
                if low.startswith("javascript:") or low.startswith("data:text/html"):
                    self.err(f"script URL in {k}= on <{tag}>")
                if "//" in low and k.lower() != "href":
                    self.err(f"external resource {k}={v!r} on <{tag}>")
            if tag == "meta" and k == "http-equiv" and v == "Content-Security-Policy":
                self.csp = True

    def handle_starttag(self, tag, attrs):
        self.check_attrs(tag, attrs)
        if tag in FORBIDDEN:
            self.err(f"forbidden element <{tag}>")
        if tag == "script":
            if attrs:
                self.err("<script> with attributes")
            self.scripts.append("")
            self.in_script = True
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.check_attrs(tag, attrs)
        if tag in FORBIDDEN:
            self.err(f"forbidden element <{tag}>")
        if tag == "script":
            self.err("self-closed <script>")

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.err(f"</{tag}> does not close <{self.stack[-1] if self.stack else '-'}>")
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()

    def handle_data(self, data):
        if self.in_script:
            self.scripts[-1] += data


def check(path):
    raw = open(path, "rb").read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        return [f"{path}: not valid UTF-8: {e}"]
    c = Checker(path)
    c.feed(text)
    c.close()
    if c.stack:
        c.err(f"unclosed elements at end: {c.stack}")
    if not c.csp:
        c.err("no Content-Security-Policy meta tag")
    is_index = path.endswith("index.html")
    if is_index:
        if len(c.scripts) != 1:
            c.err(f"index.html must have exactly one <script>, has {len(c.scripts)}")
        elif "getElementById('filters')" not in c.scripts[0] or "<" in c.scripts[0]:
            c.err("the <script> is not wsspec's filter script")
    elif c.scripts:
        c.err(f"{len(c.scripts)} <script> element(s) on a case page")
    return c.errors


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    errors = []
    for p in sys.argv[1:]:
        errors += check(p)
    for e in errors[:50]:
        print(e)
    if errors:
        print(f"html_check: {len(errors)} problem(s) in {len(sys.argv) - 1} file(s)")
        return 1
    print(f"html_check: {len(sys.argv) - 1} file(s) OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
