"""Speed and memory of the screening path, measured on this machine (never a test).

    python bench/latency.py [--repeats 30] [--out bench/results/latency.json]

Measures, on a 2000×2000 JPEG made from the bundled CC0 demo photograph:
- per-stage latency (load, locate, quality incl. the quality model, grade, report PDF),
  p50/p90 over repeats;
- the two networks alone on prepared inputs (grader + quality model, the #3 target);
- end to end per patient: two photographs → screening → stored → report PDF;
- batch grading throughput (images/s) through Pipeline.assess_eyes;
- CLI cold start to first result (`retiscreen grade` in a fresh process);
- the shipped grader graph run by eager PyTorch, as a ratio (only when torch and the
  checkpoint it was exported from, ``--checkpoint``, are present);
- peak resident memory of this process.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from PIL import Image

from retiscreen.domain import Laterality, Patient
from retiscreen.imaging.fundus import locate_field
from retiscreen.imaging.load import decode_fundus
from retiscreen.imaging.preprocess import model_input
from retiscreen.pipeline import Pipeline
from retiscreen.settings import bundled_dir, load_settings

ROOT = Path(__file__).resolve().parents[1]


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50": round(statistics.median(ordered), 2),
        "p90": round(ordered[int(0.9 * (len(ordered) - 1))], 2),
        "min": round(ordered[0], 2),
    }


def make_photograph(side: int = 2000, mirrored: bool = False) -> bytes:
    """The demo photograph upscaled; ``mirrored`` makes a right eye of it (a different
    photograph: the same one for both eyes is refused)."""
    demo = Image.open(bundled_dir("assets") / "demo" / "retina_cc0.jpg").convert("RGB")
    if mirrored:
        demo = demo.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    buffer = io.BytesIO()
    demo.resize((side, side), Image.Resampling.LANCZOS).save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


def stage_latency(pipeline: Pipeline, data: bytes, repeats: int) -> dict[str, dict[str, float]]:
    stages: dict[str, list[float]] = {
        k: [] for k in ("load", "locate", "quality", "grade", "eye_total")
    }
    for _ in range(repeats + 2):
        start = time.perf_counter()
        image = decode_fundus(data, "bench.jpg")
        eye = pipeline.assess_eye(Laterality.RIGHT, image)
        total = (time.perf_counter() - start) * 1000
        load_ms = total - sum(eye.timings_ms.values())
        stages["load"].append(load_ms)
        for key in ("locate", "quality", "grade"):
            stages[key].append(eye.timings_ms.get(key, float("nan")))
        stages["eye_total"].append(total)
    return {k: percentiles(v[2:]) for k, v in stages.items()}  # first two: warm-up


def end_to_end(pipeline: Pipeline, data: bytes, repeats: int) -> dict[str, object]:
    from retiscreen.report.pdf import render_report
    from retiscreen.service import EyeInput, ScreeningService
    from retiscreen.settings import Settings, StorageSettings

    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(storage=StorageSettings(data_dir=folder))
        service = ScreeningService(settings, pipeline=pipeline)
        patient = Patient("BENCH-1", "Bench Patient", date(1960, 1, 1), "F")
        right_data = make_photograph(mirrored=True)
        totals, reports = [], []
        for _ in range(repeats):
            start = time.perf_counter()
            right = decode_fundus(right_data, "right.jpg")
            left = decode_fundus(data, "left.jpg")
            inputs = [EyeInput(Laterality.RIGHT, right), EyeInput(Laterality.LEFT, left)]
            screening = service.screen(patient, inputs, "bench", "bench")
            report_start = time.perf_counter()
            render_report(screening, settings.clinic, settings.report, "bench", "ABCD-EFGH-IJ")
            reports.append((time.perf_counter() - report_start) * 1000)
            service.record(screening)
            totals.append((time.perf_counter() - start) * 1000)
    return {
        "patient_two_eyes_stored_with_pdf_ms": percentiles(totals),
        "report_pdf_render_ms": percentiles(reports),
    }


def throughput(pipeline: Pipeline, photo: Path, n: int = 64, batch: int = 16) -> float:
    """Files in, results out, in batches of 16 as `retiscreen validate` runs them."""
    items = [(Laterality.RIGHT, photo)] * batch
    pipeline.assess_eyes(items)  # warm-up
    start = time.perf_counter()
    for _ in range(n // batch):
        pipeline.assess_eyes(items)
    return round(n // batch * batch / (time.perf_counter() - start), 2)


def cold_start(photo: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "retiscreen", "grade", str(photo)],
        check=False,
        capture_output=True,
    )
    return round((time.perf_counter() - start) * 1000, 1)


def model_latency(pipeline: Pipeline, data: bytes, repeats: int) -> dict[str, dict[str, float]]:
    """onnxruntime time of each network on its prepared input, and both together."""
    assert pipeline.grader is not None and pipeline.gradability is not None
    image = decode_fundus(data, "bench.jpg")
    field = locate_field(image.pixels)
    assert field is not None
    networks = {"grader": pipeline.grader.model, "quality": pipeline.gradability.model}
    inputs = {k: model_input(image.pixels, field, m.card.spec)[None] for k, m in networks.items()}
    times: dict[str, list[float]] = {"grader": [], "quality": [], "together": []}
    for _ in range(repeats + 2):
        for name, model in networks.items():
            start = time.perf_counter()
            model.predict(inputs[name])
            times[name].append((time.perf_counter() - start) * 1000)
        times["together"].append(times["grader"][-1] + times["quality"][-1])
    return {k: percentiles(v[2:]) for k, v in times.items()}


def torch_ratio(
    pipeline: Pipeline, data: bytes, repeats: int, checkpoint: Path
) -> dict[str, float] | None:
    try:
        import torch

        sys.path.insert(0, str(ROOT))
        from training.export import MIRROR_AVERAGED, Probabilities
        from training.train import TASKS, build_model
    except ImportError:
        return None
    if not checkpoint.exists() or pipeline.grader is None:
        return None
    task = TASKS["grader"]
    network = build_model(5, task.spec.size, pretrained=False)
    network.load_state_dict(torch.load(checkpoint, weights_only=False, map_location="cpu")["model"])
    model = Probabilities(network, task.name in MIRROR_AVERAGED).eval()
    image = decode_fundus(data, "bench.jpg")
    field = locate_field(image.pixels)
    assert field is not None
    x = model_input(image.pixels, field, pipeline.grader.model.card.spec)[None]
    onnx_ms, torch_ms = [], []
    with torch.no_grad():
        tensor = torch.from_numpy(x)
        for _ in range(repeats + 2):
            start = time.perf_counter()
            model(tensor)
            torch_ms.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            pipeline.grader.model.predict(x)
            onnx_ms.append((time.perf_counter() - start) * 1000)
    onnx_p50, torch_p50 = statistics.median(onnx_ms[2:]), statistics.median(torch_ms[2:])
    return {
        "onnxruntime_ms_p50": round(onnx_p50, 2),
        "pytorch_eager_ms_p50": round(torch_p50, 2),
        "pytorch_over_onnx": round(torch_p50 / onnx_p50, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "latency.json")
    parser.add_argument(
        "--checkpoint",
        type=Path,
        default=ROOT / "runs" / "crossfit" / "all" / "best.pt",
        help="the training checkpoint models/grader.onnx was exported from",
    )
    args = parser.parse_args()
    pipeline = Pipeline.from_settings(load_settings())
    if pipeline.unavailable:
        raise SystemExit(f"grading unavailable: {pipeline.unavailable}")
    data = make_photograph()
    with tempfile.TemporaryDirectory() as folder:
        photo = Path(folder) / "bench_2000.jpg"
        photo.write_bytes(data)
        results = {
            "machine": {
                "cpu": platform.processor() or platform.machine(),
                "cores": os.cpu_count(),
                "python": platform.python_version(),
                "provider": pipeline.provider,
            },
            "image": "2000x2000 JPEG (demo photograph upscaled)",
            "per_eye_ms": stage_latency(pipeline, data, args.repeats),
            "models_alone_ms": model_latency(pipeline, data, args.repeats),
            "end_to_end": end_to_end(pipeline, data, max(5, args.repeats // 3)),
            "batch_images_per_s": throughput(pipeline, photo),
            "cli_cold_start_to_first_result_ms": cold_start(photo),
            "pytorch_vs_onnx": torch_ratio(pipeline, data, args.repeats, args.checkpoint),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
