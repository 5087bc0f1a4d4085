"""Command line: read the stack outputs, run the checks, print the table, pick the exit code."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path

from .errors import OutputError
from .model import Settings
from .outputs import load_outputs
from .report import all_passed, redact, render_table
from .runner import run_checks

EXIT_PASS = 0
EXIT_FAIL = 1
EXIT_USAGE = 2


def _positive_float(text: str) -> float:
    """argparse type for durations: a number of seconds greater than zero."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"must be a finite number greater than 0: {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The CLI definition (also rendered by ``--help``)."""
    parser = argparse.ArgumentParser(
        prog="smoke.py",
        description=(
            "Smoke-check a deployed MT4 ELK stack: Elasticsearch health, one event of each "
            "seed structure through Logstash into its data stream, field mappings, Kibana."
        ),
        epilog="Exit status: 0 all checks passed, 1 a check failed, 2 usage or output error.",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--stack", metavar="NAME", help="Pulumi stack to read outputs from")
    source.add_argument(
        "--outputs-file",
        metavar="PATH",
        type=Path,
        help="JSON saved from `pulumi stack output --json --show-secrets` (skips the CLI)",
    )
    parser.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=_positive_float,
        default=Settings.deadline,
        help="how long to wait for the events to become searchable (default: %(default)g)",
    )
    parser.add_argument(
        "--interval",
        metavar="SECONDS",
        type=_positive_float,
        default=Settings.interval,
        help="pause between searches while waiting (default: %(default)g)",
    )
    parser.add_argument(
        "--request-timeout",
        metavar="SECONDS",
        type=_positive_float,
        default=Settings.request_timeout,
        help="timeout of each HTTP request and TCP send (default: %(default)g)",
    )
    return parser


def _progress(message: str) -> None:
    """Progress notes go to stderr so stdout holds only the table."""
    print(f"smoke: {message}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the smoke check; returns the process exit status."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help and on usage errors
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    settings = Settings(args.timeout, args.interval, args.request_timeout)
    try:
        outputs = load_outputs(args.outputs_file, args.stack)
        results = run_checks(outputs, settings, _progress)
    except OutputError as exc:
        print(f"smoke: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(redact(render_table(results), outputs.elastic_password))
    return EXIT_PASS if all_passed(results) else EXIT_FAIL
