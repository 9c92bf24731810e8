"""The `tekser` console script: `tekser check FILE…`, like the Rust command's `check`.

Exit status: 0 every packet (and, with --dataset, the dataset) accepted; 1 some packet
rejected; 2 an input unusable or a usage error. The text and JSON it prints come from the
core, so they are the same as the Rust command's.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
from typing import Sequence

from . import TekserError, validate, validate_dataset

ENTITIES = ("plan_item", "lot", "announcement", "contract", "participant", "result", "unreliable_supplier", "legal_act")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tekser", description="Validate Kazakhstan public-procurement data packets (ЕОЗ 2019 regulation).")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="validate packets (JSON or XML); '-' reads standard input")
    check.add_argument("files", nargs="+", help="packet files; '-' for standard input")
    check.add_argument("--entity", choices=ENTITIES, help="entity of the records (needed for a bare list)")
    check.add_argument("--lang", choices=("ru", "kk", "en", "all"), default="ru", help="language of messages")
    check.add_argument("--format", choices=("text", "json"), default="text", help="readable text or the canonical JSON report")
    check.add_argument("--rule-set", dest="ruleset", help="rule set to apply")
    check.add_argument("--dictionaries", type=pathlib.Path, help="a dictionary file applied at run time")
    check.add_argument("--dataset", action="store_true", help="validate the files together (cross-entity checks)")
    return parser


def _read(name: str) -> bytes:
    return sys.stdin.buffer.read() if name == "-" else pathlib.Path(name).read_bytes()


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    options = {"entity": args.entity, "lang": args.lang, "ruleset": args.ruleset, "dictionaries": args.dictionaries}
    out = sys.stdout
    if args.dataset:
        try:
            packets = [("<stdin>" if f == "-" else f, _read(f)) for f in args.files]
            report = validate_dataset(packets, **options)
        except (OSError, TekserError) as e:
            print(f"tekser: {getattr(e, 'packet', '')} {e}".strip(), file=sys.stderr)
            return 2
        out.write(report.to_json() if args.format == "json" else report.to_text())
        return 0 if report.accepted else 1
    worst = 0
    for name in args.files:
        shown = "<stdin>" if name == "-" else name
        try:
            report = validate(_read(name), **options)
        except OSError as e:
            print(f"tekser: {shown}: cannot read: {e}", file=sys.stderr)
            worst = 2
            continue
        except TekserError as e:
            print(f"tekser: {shown}: unusable input ({e.kind}): {e}", file=sys.stderr)
            worst = 2
            continue
        out.write(report.to_json() if args.format == "json" else report.to_text(shown))
        if not report.accepted:
            worst = max(worst, 1)
    return worst


if __name__ == "__main__":
    sys.exit(main())
