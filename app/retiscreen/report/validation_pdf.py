"""The validation report a clinic can file: what was tested, the figures with their
confidence intervals, the confusion matrix and why images were not graded."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle


def _pct(value: Any) -> str:
    return "n/a" if value is None or value != value else f"{100 * float(value):.1f}%"


def _ci(pair: Any) -> str:
    if not pair or any(v is None or v != v for v in pair):
        return "n/a"
    return f"{100 * pair[0]:.1f}-{100 * pair[1]:.1f}%"


def _num(value: Any, digits: int = 3) -> str:
    return "n/a" if value is None or value != value else f"{float(value):.{digits}f}"


def _table(rows: list[list[str]], widths: list[float] | None = None) -> Table:
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def _grade_row(grade: str, row: dict[str, Any]) -> list[str]:
    return [
        grade,
        str(row["n"]),
        str(row["referred"]),
        _pct(row["referred_fraction"]),
        str(row["ungradable"]),
    ]


def _source_row(group: str, m: dict[str, Any]) -> list[str]:
    grade4 = m["referred_by_true_grade"]["4"]
    return [
        group,
        str(m["n"]),
        str(m["n_graded"]),
        _num(m.get("auc_referable")),
        _pct(m.get("sensitivity")),
        _pct(m.get("specificity")),
        f"{grade4['referred']}/{grade4['n']}",
    ]


def _confident_row(site: dict[str, Any]) -> list[str]:
    """The threshold to use at this site: the target shown with 95% confidence, or how
    many referable eyes it would take."""
    confident = site["confident"]
    label = "The same, shown with 95% confidence"
    if confident["threshold"] is None:
        return [
            label,
            "none",
            "",
            f"{confident['referable_eyes']} referable eyes; "
            f"{confident['referable_eyes_needed']} needed",
        ]
    if confident["accepted"]:
        advice = f"use this; specificity {_pct(confident['specificity'])}"
    elif confident["validated_range"]:
        low, high = confident["validated_range"]
        advice = f"refused: allowed {low:.3f}-{high:.3f}"
    else:
        advice = "refused: no range in card"
    return [label, _num(confident["threshold"], 4), _ci(confident["sensitivity_ci95"]), advice]


def render_validation_report(
    metrics: dict[str, Any], roc_png: Path, calibration_png: Path | None = None
) -> bytes:
    """A PDF of the validation run, built only from ``metrics`` (as in metrics.json)."""
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title="RetiScreen validation report",
    )
    model = metrics.get("model", {})
    story: list[Any] = [
        Paragraph("RetiScreen validation report", styles["Title"]),
        Paragraph(
            f"Run {metrics.get('run_at', '')} on {metrics['n']} photographs listed in "
            f"{Path(str(metrics.get('labels', ''))).name} (folder {metrics.get('images', '')}). "
            f"Model {model.get('name', '?')} {model.get('version', '?')}, sha256 "
            f"{str(model.get('sha256', ''))[:16]}…, "
            f"execution provider {model.get('provider', '?')}. "
            "Referable diabetic retinopathy = ICDR grade 2 or worse. The same pipeline as the "
            "kiosk was used: decode, quality gate, grader, operating threshold "
            f"{_num(metrics.get('threshold'))}.",
            styles["BodyText"],
        ),
        Spacer(1, 4 * mm),
    ]
    op = metrics.get("at_operating_point", {})
    refer_all = metrics["ungradable_counted_as_refer"]
    rows = [
        ["Measure", "Value", "95% CI", "Counts"],
        [
            "Photographs",
            str(metrics["n"]),
            "",
            f"{metrics['n_unreadable']} unreadable, {metrics['n_ungradable']} ungradable",
        ],
        [
            "AUC, referable DR (graded images)",
            _num(metrics.get("auc_referable")),
            _ci(metrics.get("auc_referable_ci95")),
            f"{metrics['n_graded']} graded",
        ],
        [
            "Sensitivity at operating point",
            _pct(op.get("sensitivity")),
            _ci(op.get("sensitivity_ci95")),
            f"TP {op.get('tp', 0)} / FN {op.get('fn', 0)}",
        ],
        [
            "Specificity at operating point",
            _pct(op.get("specificity")),
            _ci(op.get("specificity_ci95")),
            f"TN {op.get('tn', 0)} / FP {op.get('fp', 0)}",
        ],
        [
            "Sensitivity, ungradable = refer",
            _pct(refer_all["sensitivity"]),
            _ci(refer_all["sensitivity_ci95"]),
            f"TP {refer_all['tp']} / FN {refer_all['fn']}",
        ],
        [
            "Specificity, ungradable = refer",
            _pct(refer_all["specificity"]),
            _ci(refer_all["specificity_ci95"]),
            f"TN {refer_all['tn']} / FP {refer_all['fp']}",
        ],
        ["Quadratic weighted kappa", _num(metrics.get("quadratic_kappa")), "", ""],
        ["Exact grade accuracy", _pct(metrics.get("accuracy")), "", ""],
    ]
    site = metrics.get("threshold_for_sensitivity")
    if site:
        rows.append(
            [
                f"Threshold for sensitivity {_pct(site['target'])}",
                _num(site["threshold"], 4),
                "",
                f"specificity there {_pct(site['specificity'])}",
            ]
        )
        rows.append(_confident_row(site))
    story += [_table(rows, [70 * mm, 25 * mm, 30 * mm, 49 * mm]), Spacer(1, 5 * mm)]
    if roc_png.exists():
        story.append(Image(str(roc_png), width=90 * mm, height=90 * mm))
    matrix = metrics.get("confusion_matrix")
    if matrix:
        story.append(
            Paragraph(
                "Confusion matrix (rows: reference grade, columns: RetiScreen grade; "
                "graded images only)",
                styles["Heading3"],
            )
        )
        story.append(
            _table(
                [["ref \\ pred", "0", "1", "2", "3", "4"]]
                + [[str(i)] + [str(v) for v in row] for i, row in enumerate(matrix)]
            )
        )
    by_grade = metrics.get("referred_by_true_grade")
    if by_grade:
        story.append(
            Paragraph(
                "Eyes referred, by reference grade (graded referable, or ungradable: the "
                "kiosk sends those for an examination)",
                styles["Heading3"],
            )
        )
        header = ["Reference grade", "Eyes", "Referred", "Share", "of which ungradable"]
        story.append(_table([header] + [_grade_row(g, row) for g, row in by_grade.items()]))
    found = metrics.get("calibration")
    if found and calibration_png is not None and calibration_png.exists():
        story.append(
            Paragraph(
                f"Calibration of P(referable): Brier score {_num(found['brier'])}, expected "
                f"calibration error {_num(found['expected_calibration_error'])}",
                styles["Heading3"],
            )
        )
        story.append(Image(str(calibration_png), width=80 * mm, height=80 * mm))
    per_source = metrics.get("per_source")
    if per_source:
        column = metrics.get("per_source_column", "source")
        story.append(Paragraph(f"Per {column}", styles["Heading3"]))
        header = ["Value", "Eyes", "Graded", "AUC", "Sens.", "Spec.", "Grade 4 referred"]
        story.append(_table([header] + [_source_row(g, m) for g, m in per_source.items()]))
    story.append(Paragraph("Why photographs were not graded", styles["Heading3"]))
    failures = metrics.get("failures_by_reason") or {}
    story.append(
        _table(
            [["Reason", "Photographs"]]
            + [[reason, str(count)] for reason, count in sorted(failures.items())]
            if failures
            else [["Reason", "Photographs"], ["none", "0"]]
        )
    )
    story.append(Spacer(1, 4 * mm))
    story.append(
        Paragraph(
            "Confidence intervals: Wilson score for proportions, stratified bootstrap (1000 "
            "resamples) for the AUC. Figures describe this image set only; a small set gives wide "
            "intervals. RetiScreen is research software, not a cleared medical device.",
            styles["Italic"],
        )
    )
    document.build(story)
    return buffer.getvalue()
