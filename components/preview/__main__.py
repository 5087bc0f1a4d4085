"""``python -m components.preview --stack prod --out build/prod [--diff OTHER_DIR]``

Runs the real program for a stack file under Pulumi's mock runtime (no engine, no Docker, no
secrets needed), prints the resource tree and the policy report, writes every rendered file
with secrets redacted, and with ``--diff`` prints (and writes to ``<out>.diff``) what changed
against another rendered folder. Exit 0: no blocking violation; 1: mandatory policy violations;
2: the program refused the stack file (the settings error is printed).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from components.preview.diff import diff_dirs
from components.preview.render import render, write


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m components.preview",
        description="Render a stack file under the mock runtime: tree, files (secrets redacted), policy report, diff.",
    )
    parser.add_argument("--stack", required=True, help="stack name (dev, prod): selects Pulumi.<stack>.yaml and the enforcement level")
    parser.add_argument("--out", required=True, type=Path, help="folder to write the rendered files into (replaced)")
    parser.add_argument("--stack-file", type=Path, help="render this stack file instead of Pulumi.<stack>.yaml")
    parser.add_argument("--diff", type=Path, metavar="OTHER_DIR", help="a folder rendered before (say, from the base branch)")
    args = parser.parse_args(argv)
    try:
        rendered = render(args.stack, args.stack_file)
    except Exception as error:  # noqa: BLE001 - the program's own message is the useful part
        print(f"the program refused stack {args.stack!r}: {type(error).__name__}: {error}", file=sys.stderr)
        return 2
    write(rendered, args.out)
    print(rendered.tree, end="")
    print("\n".join(rendered.report.lines()))
    print(f"rendered {len(rendered.files)} files into {args.out}")
    if args.diff is not None:
        changes = diff_dirs(args.diff, args.out)
        diff_file = args.out.with_name(args.out.name + ".diff")
        diff_file.write_text(changes)
        print(f"diff against {args.diff} ({diff_file}):")
        print(changes or "(no change in the rendered files)")
    return 1 if rendered.report.blocking else 0


if __name__ == "__main__":
    sys.exit(main())
