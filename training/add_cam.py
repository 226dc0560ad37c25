"""Add the referable class-activation map to a grader's ONNX graph (graph surgery).

    python -m training.add_cam models/grader.onnx [--card models/grader.card.json]

Why surgery and not retraining: the grader's head is global average pooling over the
last feature map F (K channels, h×w) followed by one linear layer (logits z = W·mean(F)
+ b) and a softmax over the five ICDR grades. The referable score the kiosk decides on
is P(2)+P(3)+P(4), i.e. the referable log-odds y = logsumexp(z₂..₄) − logsumexp(z₀..₁).
y is not linear in F, so the map added here is its exact first-order (Grad-CAM)
linearisation, computed from tensors the same forward pass already has:

    ∂y/∂z_c = +q_c for c ∈ {2,3,4} (softmax over the referable logits),
              −q_c for c ∈ {0,1}   (softmax over the others)
    w       = Σ_c ∂y/∂z_c · W_c                   (K weights; = h·w · ∂y/∂F_k(i,j))
    CAM(i,j) = Σ_k w_k · F_k(i,j)                  (logit units; signed)

so mean(CAM) + Σ_c ∂y/∂z_c·b_c is the tangent of the referable log-odds at this
photograph, and a positive cell is a region whose features push that view towards
"refer". With a mirror-averaged graph (the batch holds each photograph and its left-
right mirror), the mirror's map is flipped back and the two are averaged, like the
probabilities. It is not a lesion map and it decides nothing.

The surgery only adds nodes and one output (``referable_cam``, N×h×w float32): every
existing node, initializer and output is left as it was, so the probabilities are the
same (tests/integration/test_cam.py compares them bit for bit on real photographs).
``training.export`` calls :func:`add_referable_cam` on every grader it exports.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

CAM_OUTPUT = "referable_cam"
REFERABLE_CLASSES = (2, 3, 4)
PREFIX = "cam/"
DME_OUTPUT = "dme_probability"
DME_PREFIX = "dme/"
"""training.dme's head, the other surgery on the exported grader (kept here so that
:func:`strip_cam` gives back the exported graph whichever surgeries were done)."""
ADDED_PREFIXES = (PREFIX, DME_PREFIX)
ADDED_OUTPUTS = (CAM_OUTPUT, DME_OUTPUT)


class SurgeryError(ValueError):
    """The graph's head is not the pooled-linear-softmax shape this surgery understands."""


def _producers(graph: onnx.GraphProto) -> dict[str, onnx.NodeProto]:
    return {out: node for node in graph.node for out in node.output}


def _head(graph: onnx.GraphProto) -> tuple[str, str, np.ndarray]:
    """(feature map, logits, W as classes×K): the GlobalAveragePool whose output, through
    Flatten/Reshape only, feeds the one Gemm whose output feeds a Softmax."""
    producers = _producers(graph)
    initializers = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    softmaxes = [
        n
        for n in graph.node
        if n.op_type == "Softmax" and not n.output[0].startswith(ADDED_PREFIXES)
    ]
    if len(softmaxes) != 1:
        raise SurgeryError(f"expected one Softmax, found {len(softmaxes)}")
    gemm = producers.get(softmaxes[0].input[0])
    if gemm is None or gemm.op_type != "Gemm":
        raise SurgeryError("the Softmax does not follow a Gemm (linear layer)")
    attributes = {a.name: helper.get_attribute_value(a) for a in gemm.attribute}
    if attributes.get("alpha", 1.0) != 1.0 or attributes.get("transA", 0):
        raise SurgeryError("the linear layer is scaled or transposed on its input")
    if gemm.input[1] not in initializers:
        raise SurgeryError("the linear layer's weights are not a constant")
    weights = initializers[gemm.input[1]].astype(np.float32)
    weights = weights if attributes.get("transB", 0) else weights.T
    node = producers.get(gemm.input[0])
    while node is not None and node.op_type in ("Flatten", "Reshape"):
        node = producers.get(node.input[0])
    if node is None or node.op_type != "GlobalAveragePool":
        raise SurgeryError("the linear layer does not read globally pooled features")
    return node.input[0], gemm.output[0], weights


def _const(name: str, values: list[int]) -> onnx.TensorProto:
    return numpy_helper.from_array(np.asarray(values, dtype=np.int64), PREFIX + name)


def add_referable_cam(model: onnx.ModelProto, mirror_average: bool) -> onnx.ModelProto:
    """A copy of ``model`` with the ``referable_cam`` output added (see the module doc).
    ``mirror_average``: the graph batches each photograph with its mirror (first N
    rows the photographs, last N the mirrors), as ``training.export`` builds the grader."""
    model = onnx.ModelProto.FromString(model.SerializeToString())
    graph = model.graph
    if any(o.name == CAM_OUTPUT for o in graph.output):
        raise SurgeryError(f"the graph already has a {CAM_OUTPUT} output")
    features, logits, weights = _head(graph)
    n_classes = weights.shape[0]
    if n_classes != 5:
        raise SurgeryError(f"expected the five ICDR grades, the head has {n_classes} classes")
    p = PREFIX
    graph.initializer.extend(
        [
            numpy_helper.from_array(weights, p + "W"),  # classes × K
            _const("lo", [0]),
            _const("mid", [2]),
            _const("hi", [5]),
            _const("axis1", [1]),
            _const("axis2", [2]),
            _const("axis_last", [-1]),
            _const("neg1", [-1]),
            _const("to_end", [2**63 - 1]),
            _const("to_start", [-(2**63)]),
            _const("zero", [0]),
            numpy_helper.from_array(np.asarray(-1.0, dtype=np.float32), p + "minus_one"),
            numpy_helper.from_array(np.asarray(0.5, dtype=np.float32), p + "half"),
        ]
    )
    nodes = [
        # ∂y/∂z: softmax within each side of the referral line, negative below it
        helper.make_node("Slice", [logits, p + "lo", p + "mid", p + "axis1"], [p + "z_low"]),
        helper.make_node("Slice", [logits, p + "mid", p + "hi", p + "axis1"], [p + "z_high"]),
        helper.make_node("Softmax", [p + "z_low"], [p + "q_low"], axis=1),
        helper.make_node("Softmax", [p + "z_high"], [p + "q_high"], axis=1),
        helper.make_node("Mul", [p + "q_low", p + "minus_one"], [p + "g_low"]),
        helper.make_node("Concat", [p + "g_low", p + "q_high"], [p + "dy_dz"], axis=1),
        # w = dy_dz · W  (N×K), then CAM = Σ_k w_k F_k  (N×h×w)
        helper.make_node("MatMul", [p + "dy_dz", p + "W"], [p + "w"]),
        helper.make_node("Unsqueeze", [p + "w", p + "axis_last"], [p + "w3"]),
        helper.make_node("Unsqueeze", [p + "w3", p + "axis_last"], [p + "w4"]),
        helper.make_node("Mul", [features, p + "w4"], [p + "weighted"]),
        helper.make_node("ReduceSum", [p + "weighted", p + "axis1"], [p + "per_view"], keepdims=0),
    ]
    if mirror_average:
        image = graph.input[0].name
        nodes += [
            helper.make_node("Shape", [image], [p + "shape"]),
            helper.make_node("Slice", [p + "shape", p + "zero", p + "axis1"], [p + "n"]),
            helper.make_node("Slice", [p + "per_view", p + "zero", p + "n"], [p + "own"]),
            helper.make_node(
                "Slice", [p + "per_view", p + "n", p + "to_end", p + "zero"], [p + "mirror"]
            ),
            helper.make_node(
                "Slice",
                [p + "mirror", p + "neg1", p + "to_start", p + "axis2", p + "neg1"],
                [p + "mirror_back"],
            ),
            helper.make_node("Add", [p + "own", p + "mirror_back"], [p + "sum"]),
            helper.make_node("Mul", [p + "sum", p + "half"], [CAM_OUTPUT]),
        ]
    else:
        nodes.append(helper.make_node("Identity", [p + "per_view"], [CAM_OUTPUT]))
    graph.node.extend(nodes)
    graph.output.append(
        helper.make_tensor_value_info(CAM_OUTPUT, TensorProto.FLOAT, ["batch", "cam_h", "cam_w"])
    )
    onnx.checker.check_model(model)
    return model


def strip_cam(model: onnx.ModelProto) -> onnx.ModelProto:
    """A copy of ``model`` without what :func:`add_referable_cam` (and training.dme's
    head) added: the graph as it was exported (tests compare the two)."""
    model = onnx.ModelProto.FromString(model.SerializeToString())
    graph = model.graph
    kept_nodes = [
        n
        for n in graph.node
        if not any(o.startswith(ADDED_PREFIXES) or o in ADDED_OUTPUTS for o in n.output)
    ]
    kept_init = [i for i in graph.initializer if not i.name.startswith(ADDED_PREFIXES)]
    kept_out = [o for o in graph.output if o.name not in ADDED_OUTPUTS]
    del graph.node[:], graph.initializer[:], graph.output[:]
    graph.node.extend(kept_nodes)
    graph.initializer.extend(kept_init)
    graph.output.extend(kept_out)
    return model


def feature_map_name(model: onnx.ModelProto) -> str:
    """The tensor the map is computed on (the input of the head's pooling)."""
    return _head(model.graph)[0]


def cam_size(model: onnx.ModelProto, input_size: int) -> tuple[int, int]:
    """The map's height and width for an ``input_size`` square (one run on zeros: the
    exported graphs carry no static shapes to infer it from)."""
    import onnxruntime as ort

    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    image = session.get_inputs()[0].name
    zeros = np.zeros((1, 3, input_size, input_size), dtype=np.float32)
    (cam,) = session.run([CAM_OUTPUT], {image: zeros})
    return int(cam.shape[1]), int(cam.shape[2])


DISPLAY_MAX = 10.0
"""Map value (logit units) drawn at full colour. Chosen by eye on the two control
photographs (the normal one's map is all below 0, the proliferative one's reaches 17):
a display scale, fixed so that maps of different photographs are comparable."""

CAM_DESCRIPTION = (
    "Grad-CAM of the referable log-odds (logsumexp of the grade 2-4 logits minus that "
    "of grades 0-1) on the last feature map, exact for the pooled linear head: "
    "sum over channels of (d log-odds / d pooled feature) x feature map, in logit units, "
    "signed (positive: pushes towards referral); mean of the photograph's and its "
    "mirror's (flipped back) maps. Not a lesion map; it decides nothing."
)


def card_section(
    model: onnx.ModelProto, input_size: int, mirror_average: bool
) -> dict[str, object]:
    """What the card says about the map (``output.cam``); ``exported_sha256`` is the
    graph before surgery (what :func:`strip_cam` gives back, byte for byte)."""
    height, width = cam_size(model, input_size)
    description = CAM_DESCRIPTION if mirror_average else CAM_DESCRIPTION.split("; mean of")[0] + "."
    return {
        "name": CAM_OUTPUT,
        "size": [height, width],
        "covers": "the model-input square (retiscreen.imaging.preprocess.model_input)",
        "what": description,
        "display_max": DISPLAY_MAX,
        "added_by": "training.add_cam (graph surgery; existing outputs unchanged)",
        "exported_sha256": hashlib.sha256(strip_cam(model).SerializeToString()).hexdigest(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", type=Path)
    parser.add_argument("--card", type=Path, default=None, help="update this card too")
    parser.add_argument("--single-view", action="store_true", help="graph is not mirror-averaged")
    args = parser.parse_args()
    card_path = args.card or args.model.with_name(args.model.stem + ".card.json")
    card = json.loads(card_path.read_text())
    updated = add_referable_cam(onnx.load(str(args.model)), not args.single_view)
    onnx.save(updated, str(args.model))
    data = args.model.read_bytes()
    card["sha256"] = hashlib.sha256(data).hexdigest()
    card["file_bytes"] = len(data)
    card["output"]["cam"] = card_section(updated, int(card["input"]["size"]), not args.single_view)
    card_path.write_text(json.dumps(card, indent=2) + "\n")
    print(f"{args.model}: added {CAM_OUTPUT} {card['output']['cam']['size']}; card updated")


if __name__ == "__main__":
    main()
