#!/usr/bin/env python3
"""Keeps docs/cli.md in step with `onnxi --help`: every block that follows a marker line
`<!-- help: onnxi ARGS -->` is the verbatim output of `onnxi ARGS --help`, and every
subcommand that `onnxi --help` lists has such a block.

Check (what ctest runs):  cli_docs.py ONNXI docs/cli.md
Regenerate after changing a command's options:  cli_docs.py ONNXI docs/cli.md --write"""
import difflib
import re
import subprocess
import sys

MARKER = re.compile(r"^<!-- help: onnxi ?(.*?) -->$")


def help_text(onnxi, args):
    p = subprocess.run([onnxi] + args.split() + ["--help"], capture_output=True, text=True, timeout=30)
    if p.returncode != 0:
        sys.exit(f"onnxi {args} --help: exit {p.returncode}\n{p.stderr}")
    return p.stdout.rstrip("\n")


def regenerate(onnxi, text):
    lines = text.split("\n")
    out, seen, i = [], [], 0
    while i < len(lines):
        m = MARKER.match(lines[i])
        out.append(lines[i])
        i += 1
        if not m:
            continue
        seen.append(m.group(1))
        if i >= len(lines) or lines[i] != "```text":
            sys.exit(f"docs: the marker for 'onnxi {m.group(1)}' must be followed by a ```text block")
        j = i + 1
        while j < len(lines) and lines[j] != "```":
            j += 1
        out += ["```text"] + help_text(onnxi, m.group(1)).split("\n") + ["```"]
        i = j + 1
    return "\n".join(out), seen


def main():
    onnxi, doc = sys.argv[1], sys.argv[2]
    write = "--write" in sys.argv[3:]
    text = open(doc, encoding="utf-8").read()
    new, seen = regenerate(onnxi, text)
    top = help_text(onnxi, "")
    subs = re.findall(r"^  (\w+)\s{2,}", top.split("Subcommands:", 1)[-1], re.M)
    missing = [s for s in subs if s not in seen]
    if "" not in seen:
        missing.insert(0, "(top level)")
    if missing:
        sys.exit(f"docs/cli.md has no --help block for: {', '.join(missing)}")
    if write:
        open(doc, "w", encoding="utf-8").write(new)
        print(f"wrote {doc} ({len(seen)} help blocks)")
        return
    if new != text:
        sys.stdout.writelines(difflib.unified_diff(text.splitlines(True), new.splitlines(True), doc, "onnxi --help"))
        sys.exit(f"{doc} differs from --help; regenerate: tests/cli/cli_docs.py build/onnxi {doc} --write")
    print(f"{doc}: {len(seen)} help blocks match --help ({', '.join(s or 'onnxi' for s in seen)})")


if __name__ == "__main__":
    main()
