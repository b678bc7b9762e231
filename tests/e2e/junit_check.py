#!/usr/bin/python3
"""Read a wsspec JUnit XML file the way CI consumers do, and check it.

usage: junit_check.py FILE [--tests N] [--failures N] [--skipped N] [--suites N]

Parses with xml.etree.ElementTree (a strict XML 1.0 parser: malformed XML,
forbidden characters or bad escapes fail) and checks the structure that
Jenkins, GitLab and GitHub reporters rely on:
  - root <testsuites>, children <testsuite name tests failures errors skipped time>;
  - each suite's counters equal its children (<testcase>, <failure>, <skipped>),
    and the root's counters equal the sums;
  - every <testcase> has name, classname, a numeric time, and at most one of
    <failure>/<skipped>/<error>; <failure> has message and type;
  - <properties> hold <property name value>; every testcase has a verdict
    property, and NON-STRICT / INFORMATIONAL appear as properties;
  - optional expected totals.
Prints one summary line; exit 0 = OK, 1 = problems.
"""
import sys
import xml.etree.ElementTree as ET


def main(argv):
    if len(argv) < 2:
        print("usage: junit_check.py FILE [--tests N] [--failures N] [--skipped N] [--suites N]",
              file=sys.stderr)
        return 2
    want = {}
    args = argv[2:]
    for i in range(0, len(args) - 1, 2):
        want[args[i].lstrip("-")] = int(args[i + 1])
    errors = []
    try:
        root = ET.parse(argv[1]).getroot()
    except ET.ParseError as e:
        print(f"junit_check: {argv[1]}: not well-formed XML: {e}")
        return 1
    if root.tag != "testsuites":
        errors.append(f"root is <{root.tag}>, not <testsuites>")
    totals = {"tests": 0, "failures": 0, "skipped": 0, "errors": 0}
    suites = root.findall("testsuite")
    verdicts = {}
    for s in suites:
        name = s.get("name")
        if not name:
            errors.append("a <testsuite> without a name")
        cases = s.findall("testcase")
        fails = sum(1 for c in cases if c.find("failure") is not None)
        skips = sum(1 for c in cases if c.find("skipped") is not None)
        errs = sum(1 for c in cases if c.find("error") is not None)
        for attr, n in (("tests", len(cases)), ("failures", fails), ("skipped", skips),
                        ("errors", errs)):
            if s.get(attr) is None or int(s.get(attr)) != n:
                errors.append(f"suite {name!r}: {attr}={s.get(attr)} but {n} found")
            totals[attr] += n
        try:
            float(s.get("time"))
        except (TypeError, ValueError):
            errors.append(f"suite {name!r}: time={s.get('time')!r} is not a number")
        for p in s.findall("properties/property"):
            if p.get("name") is None or p.get("value") is None:
                errors.append(f"suite {name!r}: a property without name/value")
        for c in cases:
            cname = c.get("name")
            if not cname or not c.get("classname"):
                errors.append(f"suite {name!r}: a testcase without name or classname")
            try:
                float(c.get("time"))
            except (TypeError, ValueError):
                errors.append(f"testcase {cname!r}: time={c.get('time')!r} is not a number")
            outcomes = [t for t in ("failure", "skipped", "error") if c.find(t) is not None]
            if len(outcomes) > 1:
                errors.append(f"testcase {cname!r}: several outcomes {outcomes}")
            f = c.find("failure")
            if f is not None and (f.get("message") is None or not f.get("type")):
                errors.append(f"testcase {cname!r}: <failure> without message or type")
            props = {p.get("name"): p.get("value") for p in c.findall("properties/property")}
            v = props.get("verdict")
            if not v:
                errors.append(f"testcase {cname!r}: no verdict property")
            verdicts[v] = verdicts.get(v, 0) + 1
            if v in ("NON-STRICT", "INFORMATIONAL") and f is not None and f.get("type") != v:
                errors.append(f"testcase {cname!r}: {v} with a failure of type {f.get('type')}")
            if v == "INFORMATIONAL" and f is not None:
                errors.append(f"testcase {cname!r}: INFORMATIONAL must never be a failure")
            if v == "UNIMPLEMENTED" and c.find("skipped") is None:
                errors.append(f"testcase {cname!r}: UNIMPLEMENTED must be skipped")
            if v == "FAILED" and f is None:
                errors.append(f"testcase {cname!r}: FAILED without <failure>")
    for attr in ("tests", "failures", "skipped"):
        if root.get(attr) is None or int(root.get(attr)) != totals[attr]:
            errors.append(f"<testsuites> {attr}={root.get(attr)} but suites sum to {totals[attr]}")
    got = dict(totals, suites=len(suites))
    for k, v in want.items():
        if got.get(k) != v:
            errors.append(f"expected {k}={v}, found {got.get(k)}")
    for e in errors[:30]:
        print(f"junit_check: {e}")
    vs = ", ".join(f"{k}={v}" for k, v in sorted(verdicts.items(), key=lambda x: str(x[0])))
    print(f"junit_check: {argv[1]}: {len(suites)} suites, {totals['tests']} tests, "
          f"{totals['failures']} failures, {totals['skipped']} skipped ({vs}): "
          f"{'OK' if not errors else str(len(errors)) + ' problem(s)'}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
