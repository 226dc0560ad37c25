"""Render models/MODEL_CARD.md (the readable card) from the machine-readable cards.

python -m training.model_card --models models
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def _pct(value: float | None) -> str:
    return "n/a" if value is None or value != value else f"{100 * value:.1f}%"


def _ci(pair: list[float] | None, percent: bool = True) -> str:
    if not pair:
        return ""
    if percent:
        return f"({100 * pair[0]:.1f}-{100 * pair[1]:.1f}%)"
    return f"({pair[0]:.3f}-{pair[1]:.3f})"


def _binary_row(name: str, m: dict[str, Any]) -> str:
    return (
        f"| {name} | {m['n']} ({m['n_positive']} positive) | {m['auc']:.3f} "
        f"{_ci(m['auc_ci95'], False)} | {_pct(m['sensitivity'])} {_ci(m['sensitivity_ci95'])} | "
        f"{_pct(m['specificity'])} {_ci(m['specificity_ci95'])} |"
    )


def _cam_lines(card: dict[str, Any]) -> list[str]:
    """The heatmap output and the confidence bands, where the card has them."""
    lines = []
    cam = card["output"].get("cam")
    if cam:
        height, width = cam["size"]
        lines.append(
            f"- Heatmap output `{cam['name']}` ({height}×{width} over {cam['covers']}, same "
            f"forward pass): {cam['what']} Drawn at full colour from {cam['display_max']:g} "
            f"logit units up, positive part only. Added by {cam['added_by']}; the graph "
            f"before surgery has sha256 `{cam['exported_sha256']}`."
        )
    confidence = card.get("confidence")
    if confidence:
        bands = ", ".join(
            f"|d| ≥ {b['from']:g}: `{b['below']}` / `{b['above']}`" for b in confidence["bands"]
        )
        lines.append(
            f"- Confidence in words: {confidence['scale']}. Bands: {bands} "
            f"({confidence['selection']})"
        )
    dme = card["output"].get("dme")
    if dme:
        held_out = "; ".join(
            f"{source} held out (n {f['n']}, {f['n_positive']} positive): AUC {f['auc']:.3f} "
            f"{_ci(f['auc_95ci'], False)}, sensitivity {_pct(f['sensitivity'])}, specificity "
            f"{_pct(f['specificity'])}"
            for source, f in dme["held_out"].items()
        )
        use = (
            "refers on its own"
            if dme["folded_into_decision"]
            else "does not decide the referral (held-out specificity below 85 %): a positive "
            "eye puts the screening in the over-read queue"
        )
        lines.append(
            f"- Macular-oedema output `{dme['name']}` (same forward pass; positive: "
            f"{dme['positive']}; threshold {dme['threshold']:.3f}, {dme['selection']}): "
            f"{held_out} ({dme['backbones_for_held_out_figures']}). It {use}. Added by "
            f"{dme['added_by']}."
        )
    reference = card.get("score_reference")
    if reference:
        edges = ", ".join(f"{e:.3f}" for e in reference["edges"][1:-1])
        lines.append(
            f"- Monitoring reference (`score_reference`, for `retiscreen monitor`'s drift "
            f"figures): {reference['source']}. Decile edges of the referable score: {edges} "
            "(`python -m training.score_reference`)."
        )
    return lines


def _section(card: dict[str, Any], title: str, positive: str) -> list[str]:
    spec = card["input"]
    training = card["training"]
    lines = [
        f"## {title}: `{card['file']}`",
        "",
        f"- Name / version: `{card['name']}` {card['version']}",
        f"- sha256: `{card['sha256']}` ({card['file_bytes'] / 1e6:.1f} MB, "
        f"{card['onnx']['precision']}, opset {card['onnx']['opset']}, "
        f"IR {card['onnx']['ir_version']})",
        f"- Architecture: {card['architecture']}",
        f"- Input: {spec['size']}×{spec['size']} RGB, {spec['crop']}; "
        f"{'local-contrast normalised (image − Gaussian blur), ' if spec['local_contrast'] else ''}"
        f"(x − {spec['mean'][0]:g}) / {spec['std'][0]:g}",
        f"- Output: softmax over {', '.join(card['output']['classes'])}"
        f"{'; ' + card['output']['views'] if 'views' in card['output'] else ''}",
        *_cam_lines(card),
        f"- Operating point: {card['operating_point']['threshold']:.4f}: "
        f"{card['operating_point']['selection']}",
        f"- PyTorch vs onnxruntime, largest probability difference on real photographs: "
        f"{card['pytorch_onnx_max_abs_difference']:.2e}",
        f"- Trained {training['date']} with `{training['command']}` "
        f"({training['epochs']} epochs × {training['samples_per_epoch']} samples, best at step "
        f"{training['best_step']}, torch {training['torch']}, {training.get('machine', 'CPU')})",
        "",
        f"Test metrics (positive class: {positive}; 95% CIs: bootstrap for AUC, Wilson for "
        "proportions; computed through the kiosk's own decode/crop and onnxruntime):",
        "",
        "| set | n | AUC | sensitivity | specificity |",
        "|---|---|---|---|---|",
    ]
    extra = []
    for name, metrics in card["metrics"].items():
        lines.append(_binary_row(name, metrics))
        if "quadratic_kappa" in metrics:
            extra.append(
                f"- {name}: quadratic kappa {metrics['quadratic_kappa']:.3f}, exact grade "
                f"accuracy {_pct(metrics['accuracy'])}"
            )
    lines += ["", *extra, ""]
    if "validated_range" in card["operating_point"]:
        low, high = card["operating_point"]["validated_range"]
        lines += [
            f"Site thresholds allowed: strictly between {low:.3f} and {high:.3f}: "
            f"{card['operating_point']['validated_range_selection']}.",
            "",
        ]
    lines += _external(card.get("external_validation", {}))
    lines += ["Training data:", ""]
    lines += [f"- `{name}`: {origin}" for name, origin in training["data"].items()]
    lines += ["", f"Splits: {training['splits']}. {training['licence_note']}", ""]
    return lines


def _external(sets: dict[str, Any]) -> list[str]:
    """Figures on sources absent from the training data (``training.external_validation``)."""
    if not sets:
        return []
    lines = [
        "On sources none of the training data came from (quality gate on, card threshold; "
        "ungradable eyes counted as referred in the last columns):",
        "",
        "| set | n | ungradable | AUC | sensitivity | specificity | grade 2 / 3 / 4 referred |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, m in sets.items():
        op, by_grade = m["at_operating_point"], m["referred_by_true_grade"]
        referred = " / ".join(
            f"{by_grade[g]['referred']}/{by_grade[g]['n']}" for g in ("2", "3", "4")
        )
        lines.append(
            f"| {name} | {m['n']} | {m['n_ungradable']} | {m['auc_referable']:.3f} "
            f"{_ci(m['auc_referable_ci95'], False)} | {_pct(op['sensitivity'])} "
            f"{_ci(op['sensitivity_ci95'])} | {_pct(op['specificity'])} "
            f"{_ci(op['specificity_ci95'])} | {referred} |"
        )
        lines.append("")
        lines.append(
            f"- {name}: calibration Brier {m['calibration']['brier']:.3f}, expected "
            f"calibration error {m['calibration']['expected_calibration_error']:.3f}; "
            f"of the grade 4 eyes, {by_grade['4']['ungradable']} were referred only as "
            "ungradable"
        )
    return [*lines, ""]


def render(models: Path) -> str:
    lines = [
        "# RetiScreen model card",
        "",
        "Generated from `grader.card.json` and `quality.card.json` by "
        "`python -m training.model_card`; the JSON cards are what the runtime checks.",
        "",
        "**Intended use**: research and evaluation of autonomous DR screening. Not a cleared "
        "medical device. Measure it on your own patients with `retiscreen validate` first.",
        "",
    ]
    for name, title, positive in [
        ("grader", "DR grader", "referable DR = ICDR grade ≥ 2, score = P(2)+P(3)+P(4)"),
        ("quality", "Gradability model", "ungradable"),
    ]:
        path = models / f"{name}.card.json"
        if path.exists():
            lines += _section(json.loads(path.read_text()), title, positive)
    lines += [
        "## Known limitations",
        "",
        "- Dev and test photographs come from the same public sets as the training data "
        "(different patients; the IDRiD test split never trained on). Performance on another "
        "camera, population or image-compression pipeline is unknown until measured there.",
        "- The grader's operating point was chosen on IDRiD photographs (one camera). On "
        "EyePACS photographs (other cameras, another population) the same threshold gives a "
        "much lower sensitivity (see the table): a site must measure it on its own patients "
        "and set its own threshold with `retiscreen validate --threshold-for-sensitivity 0.9`, "
        "using the threshold the report shows with 95% confidence. That needs at least 35 "
        "referable eyes, and about 100 to cost little specificity (training/EXPERIMENTS.md, "
        "site calibration). The scale of the scores differs by camera: in the "
        "leave-one-source-out runs, the one threshold reaching sensitivity 0.90 on every "
        "held-out camera left specificities of 0.005-0.58 on the others.",
        "- The eyes it misses are mostly moderate (grade 2): on rahim-dr 22 of 166 grade-2 "
        "eyes were not referred, against 1 of 32 grade 3 and none of 23 grade 4. On the "
        "held-out EyePACS fold of the leave-one-source-out runs, a tenth of the grade-2 eyes "
        "scored below the median of the grade-0 eyes.",
        "- Grades 1 and 3 are rare in the training data; their per-grade accuracy is lower "
        "than the referable / not-referable decision the kiosk acts on.",
        "- The heatmap (`referable_cam`) is a first-order explanation of the referable "
        "score at the last feature map's resolution (9×9 cells over the retina for the "
        "shipped grader): not a lesion segmentation, never validated against lesion "
        "annotations, and an empty map is not evidence of a healthy eye.",
        "- The macular-oedema output is a linear head on the DR features, fitted on two "
        "cameras (IDRiD, rahim-dr) with labels of exudates rather than retinal thickening "
        "(no OCT): at the threshold that finds 90 % of positives on both, it flags 33-42 % "
        "of the negative eyes, so it only asks for a reviewer's look.",
        "- Measured by the maintainers on a European screening programme's photographs "
        "(another camera, not shared here), the same grader at the same threshold reached "
        "AUC 0.881 but sensitivity 0.561: external figures vary widely by camera, and the "
        "rahim-dr figures above are one camera's.",
        "- Many proliferative (grade 4) IDRiD photographs are judged ungradable (10 of 49 in "
        "the shared set, against 16 of all 413 IDRiD photographs): they are referred, but "
        "as ungradable, not as disease.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", type=Path, default=Path("models"))
    args = parser.parse_args()
    (args.models / "MODEL_CARD.md").write_text(render(args.models))


if __name__ == "__main__":
    main()
