"""The command line: generate one corpus and print how its vocabulary grew against Reuters' Heaps law."""

from __future__ import annotations

import argparse
from pathlib import Path

from . import __doc__ as package_doc
from .settings import DATA, DEFAULT_SEED
from .vocabulary import heaps_fit, reuters_vocabulary
from .writing import corpus_name, generate


def main(argv: list[str] | None = None) -> None:
    """Generate one corpus and print the time taken and how its vocabulary grew, against Reuters' Heaps law."""
    # Run as `python -m bench.corpus`: argparse would otherwise call the program "__main__.py".
    parser = argparse.ArgumentParser(prog="python -m bench.corpus", description=package_doc.splitlines()[0])
    parser.add_argument("--n", type=int, required=True, help="number of articles")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, help=f"output file (default: {DATA}/{corpus_name(100_000, 1)} etc.)")
    parser.add_argument("--procs", type=int, help="worker processes (default: 2 from 20,000 articles up)")
    args = parser.parse_args(argv)
    out = args.out or DATA / corpus_name(args.n, args.seed)
    report = generate(args.n, args.seed, out, procs=args.procs)
    _echo(f"wrote {report.path}: {report.articles:,} articles, {report.bytes / 1e6:,.1f} MB "
          f"in {report.seconds:.1f} s ({report.procs} process{'es' if report.procs > 1 else ''})")
    reuters = reuters_vocabulary()
    k, beta = heaps_fit(reuters)
    _echo(f"Reuters-21578: {reuters[-1].tokens:,} tokens, {reuters[-1].words:,} words; Heaps fit K={k:.1f} "
          f"beta={beta:.3f}")
    _echo(f"{'articles':>10} {'tokens':>13} {'words':>9} {'Reuters fit':>12}")
    for p in report.vocabulary:
        _echo(f"{p.articles:>10,} {p.tokens:>13,} {p.words:>9,} {k * p.tokens**beta:>12,.0f}")
    if len(report.vocabulary) > 1:
        k2, beta2 = heaps_fit(report.vocabulary)
        _echo(f"Heaps fit of this corpus: K={k2:.1f} beta={beta2:.3f}")


def _echo(text: str) -> None:
    print(text)  # noqa: T201 (a command-line tool's output)
