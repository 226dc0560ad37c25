"""LOSO rows derived from stored held-out scores: an ensemble, and a run without flip TTA."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("torch", reason="torch: the train group")

from training.derived_runs import ensemble, one_view

GRADES = [0, 0, 2, 3]


def _run(root: Path, name: str, prefix: str, scores: list[float], stored_one_view: bool) -> Path:
    """A finished fold per source, as training.evaluate writes it."""
    run = root / name
    for source in ("eyepacs", "idrid", "rahim", "aptos"):
        folder = run / f"holdout-{source}"
        folder.mkdir(parents=True)
        rows = []
        for i, (grade, score) in enumerate(zip(GRADES, scores, strict=True)):
            row = {"path": f"{prefix}/datasets/{source}/{i}.jpg", "dataset": source,
                   "grade": grade, "referable_score": score}  # fmt: skip
            if stored_one_view:
                row["referable_score_one_view"] = 1.0 - score
            rows.append(row)
        (folder / "holdout-scores-best.json").write_text(json.dumps(rows))
    return run


def _scores(run: Path, source: str) -> list[float]:
    rows = json.loads((run / f"holdout-{source}" / "holdout-scores-best.json").read_text())
    return [r["referable_score"] for r in rows]


def test_an_ensemble_is_the_mean_score_of_the_same_photographs(tmp_path: Path) -> None:
    a = _run(tmp_path, "A", "../shared", [0.1, 0.2, 0.9, 0.4], stored_one_view=True)
    b = _run(tmp_path, "B", "/work/shared", [0.3, 0.0, 0.5, 0.8], stored_one_view=False)

    result = ensemble([a, b], tmp_path / "E")

    assert _scores(tmp_path / "E", "idrid") == pytest.approx([0.2, 0.1, 0.7, 0.6])
    assert result["complete"] is True
    sources = result["sources"]
    assert isinstance(sources, dict)
    assert sources["aptos"]["auc"] == pytest.approx(1.0)


def test_one_view_reports_the_run_without_its_mirror(tmp_path: Path) -> None:
    run = _run(tmp_path, "A", "..", [0.1, 0.2, 0.9, 0.4], stored_one_view=True)

    result = one_view(run, tmp_path / "one")

    assert _scores(tmp_path / "one", "rahim") == pytest.approx([0.9, 0.8, 0.1, 0.6])
    sources = result["sources"]
    assert isinstance(sources, dict)
    assert sources["eyepacs"]["auc"] == pytest.approx(0.0)


def test_one_view_refuses_a_run_scored_before_it_was_stored(tmp_path: Path) -> None:
    run = _run(tmp_path, "old", "..", [0.1, 0.2, 0.9, 0.4], stored_one_view=False)

    with pytest.raises(SystemExit, match="before one-view scores were stored"):
        one_view(run, tmp_path / "one")
