#!/usr/bin/env python3
"""Rewrites the `--help` blocks of docs/configuration.md from the built executables.

Usage: scripts/update-help-docs.py [build dir, default: build]
Each block follows a marker line `<!-- ariadne-<service> --help -->`; the process tests check
that the blocks equal what the executables print, so run this after changing an option.
"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build")
DOCS = os.path.join(ROOT, "docs", "configuration.md")


def find_executable(name):
    for directory, _, files in os.walk(BUILD):
        if name in files and os.access(os.path.join(directory, name), os.X_OK):
            return os.path.join(directory, name)
    sys.exit(f"{name} is not built under {BUILD}: build it first")


def main():
    with open(DOCS) as f:
        docs = f.read()
    for service in re.findall(r"<!-- (ariadne-[a-z-]+) --help -->", docs):
        help_text = subprocess.run([find_executable(service), "--help"], check=True,
                                   capture_output=True, text=True, timeout=30).stdout
        marker = f"<!-- {service} --help -->\n```text\n"
        start = docs.index(marker) + len(marker)
        end = docs.index("```", start)
        docs = docs[:start] + help_text + docs[end:]
    with open(DOCS, "w") as f:
        f.write(docs)


if __name__ == "__main__":
    main()
