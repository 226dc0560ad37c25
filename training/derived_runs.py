"""LOSO rows that need no training: derived from runs' stored held-out scores.

    python -m training.derived_runs ensemble training/runs/R0 training/runs/R2 --out runs/E1
    python -m training.derived_runs one-view training/runs/R4 --out training/runs/R4-one-view

A recipe-search row (issue #15 item 3) costs an hour of CPU per fold when it must be
trained. Two rows the issue asks for do not: a small ensemble is the mean of its members'
held-out scores, and flip test-time augmentation is measured by scoring each held-out
photograph without its mirror (runs since session 13 store that score as
``referable_score_one_view``). Each derived row is written in a run's layout
(``holdout-<source>/holdout-scores-best.json``) and summarised by ``training.loso``'s
``summary``, so it is chosen and reported exactly as a trained row.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from training.loso import ORDER, summary

SCORES = "holdout-scores-best.json"


def photograph_key(path: str) -> str:
    """The photograph's path inside the datasets folder: runs made on different machines
    recorded it under different roots."""
    return path.split("datasets/", 1)[-1]


def _scores(run: Path, source: str) -> list[dict[str, Any]] | None:
    path = run / f"holdout-{source}" / SCORES
    return json.loads(path.read_text()) if path.exists() else None


def _write(out: Path, source: str, rows: list[dict[str, Any]]) -> None:
    folder = out / f"holdout-{source}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / SCORES).write_text(json.dumps(rows))


def ensemble(runs: list[Path], out: Path) -> dict[str, object]:
    """The mean referable score of ``runs`` on every held-out source that all of them
    finished, over the photographs all of them scored."""
    for source in ORDER:
        members = [_scores(run, source) for run in runs]
        if any(m is None for m in members):
            continue
        by_key = [{photograph_key(r["path"]): r for r in m or []} for m in members]
        shared = sorted(set.intersection(*(set(k) for k in by_key)))
        rows = []
        for key in shared:
            first = dict(by_key[0][key])
            first["referable_score"] = float(np.mean([m[key]["referable_score"] for m in by_key]))
            first.pop("referable_score_one_view", None)
            rows.append(first)
        _write(out, source, rows)
    return summary(out)


def one_view(run: Path, out: Path) -> dict[str, object]:
    """``run`` scored on each held-out photograph alone, without its mirror image."""
    for source in ORDER:
        rows = _scores(run, source)
        if rows is None:
            continue
        if any("referable_score_one_view" not in r for r in rows):
            raise SystemExit(f"{run.name} {source}: scored before one-view scores were stored")
        _write(out, source, [{**r, "referable_score": r["referable_score_one_view"]} for r in rows])
    return summary(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    mean = commands.add_parser("ensemble", help="mean held-out score of several runs")
    mean.add_argument("runs", nargs="+", type=Path)
    mean.add_argument("--out", type=Path, required=True)
    single = commands.add_parser("one-view", help="a run without flip test-time augmentation")
    single.add_argument("run", type=Path)
    single.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.command == "ensemble":
        ensemble(args.runs, args.out)
    else:
        one_view(args.run, args.out)


if __name__ == "__main__":
    main()
