#!/usr/bin/env python3
"""Export torchvision detection models to ONNX in the ONNX backend-test layout.

    <out>/opset<N>/model.onnx                     input  "input"  [1,3,S,S] float, an image in [0,1]
    <out>/opset<N>/test_data_set_0/input_0.pb     outputs "boxes" [K,4], "scores" [K], "labels" [K] (int64)
    <out>/opset<N>/test_data_set_0/output_{0,1,2}.pb   PyTorch's own eval-mode detections

The graph wraps the model's list-of-images interface: it takes one image as a batch of 1
and returns that image's detections (K varies with the input: NonZero, TopK and
NonMaxSuppression inside).  Weights are seeded; BatchNorm statistics are measured on
image-like batches and perturbed (as in export.py); the classification head is rescaled so
the class scores spread out instead of sitting at the initial prior (otherwise every score
ties and the ranking is arbitrary).

    .venv/bin/python models/export_detection.py ssdlite320_mobilenet_v3_large --opset 13,17 --out DIR
"""

import argparse
import collections
import json
import os
import sys
import time
import warnings

import numpy as np
import onnx
import torch
import torch.nn as nn
import torchvision

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export as ex  # noqa: E402  (shared helpers: seeded streams, image-like inputs, .pb writer)

DETECTION_MODELS = {
    # ssdlite resizes to 320x320 itself; retinanet's transform is set to 320 (default 800)
    # to keep the export and the test cheap.
    "ssdlite320_mobilenet_v3_large": dict(size=320, kwargs={}),
    "retinanet_resnet50_fpn": dict(size=320, kwargs=dict(min_size=320, max_size=320)),
}


class FirstImageDetections(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        d = self.model([x[0]])[0]
        return d["boxes"], d["scores"], d["labels"]


def raw_image(size, g):
    """export.image_like, but un-normalized back to [0,1]: detection models normalize inside."""
    x = ex.image_like(1, size, g)
    mean = torch.tensor(ex.IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(ex.IMAGENET_STD).view(1, 3, 1, 1)
    return (x * std + mean).clamp_(0.0, 1.0).contiguous()


def synthesize(model, seed, size):
    bns = ex.bn_modules(model)
    g = ex.gen(seed, ex.STREAM_BN)
    with torch.no_grad():
        for m in bns:
            if m.affine:
                m.weight.copy_(torch.empty_like(m.weight).uniform_(0.8, 1.2, generator=g))
                m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.05)
        # BN statistics: BN layers alone in train mode (the detector itself stays in eval
        # mode, which needs no targets), cumulative average over a few images.
        model.eval()
        for m in bns:
            m.reset_running_stats()
            m.momentum = None
            m.train()
        gc = ex.gen(seed, ex.STREAM_CALIB)
        for _ in range(2):
            model([raw_image(size, gc)[0], raw_image(size, gc)[0]])
        for m in bns:
            m.momentum = 0.1
            noise = torch.randn(m.running_mean.shape, generator=g) * 0.1 * m.running_var.clamp_min(1e-8).sqrt()
            m.running_mean.add_(noise)
            m.running_var.mul_(torch.exp(torch.empty_like(m.running_var).uniform_(np.log(0.8), np.log(1.25),
                                                                                   generator=g)))
            m.num_batches_tracked.zero_()
        model.eval()

        # classification head: scale its last convolutions so the logits have std ~2
        head = model.head.classification_head
        last_convs = []
        if hasattr(head, "cls_logits"):            # RetinaNet
            last_convs = [head.cls_logits]
        else:                                      # SSD / SSDLite: one branch per feature map
            for branch in head.module_list:
                convs = [m for m in branch.modules() if isinstance(m, nn.Conv2d)]
                last_convs.append(convs[-1])
        x = raw_image(size, ex.gen(seed, ex.STREAM_HEAD))
        images, _ = model.transform([x[0]])
        feats = model.backbone(images.tensors)
        feats = list(feats.values()) if isinstance(feats, dict) else list(feats)
        logits = head(feats)
        s = logits.double().std().item()
        if not np.isfinite(s) or s == 0.0:
            raise SystemExit("degenerate classification logits (std=%r)" % s)
        for c in last_convs:
            c.weight.mul_(2.0 / s)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", choices=sorted(DETECTION_MODELS))
    ap.add_argument("--out", required=True)
    ap.add_argument("--opset", default="13", help="comma list; one export per opset into <out>/opset<N>/")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    t_start = time.time()
    spec = DETECTION_MODELS[args.model]
    size = spec["size"]

    torch.manual_seed(args.seed)
    ctor = getattr(torchvision.models.detection, args.model)
    model = ctor(weights=None, weights_backbone=None, **spec["kwargs"]).eval()
    synthesize(model, args.seed, size)
    wrapped = FirstImageDetections(model).eval()
    x = raw_image(size, ex.gen(args.seed, ex.STREAM_DATA))
    with torch.no_grad():
        boxes, scores, labels = wrapped(x)
    ex.log("synthesized weights in %.1fs; %d detections, scores %s" % (
        time.time() - t_start, boxes.shape[0], ex.fmt_stats(ex.stats(scores)) if scores.numel() else "-"))
    if boxes.shape[0] == 0:
        raise SystemExit("no detections on the test image: nothing to compare")

    for opset in [int(v) for v in args.opset.split(",")]:
        out = os.path.join(args.out, "opset%d" % opset)
        os.makedirs(out, exist_ok=True)
        path = os.path.join(out, "model.onnx")
        t0 = time.time()
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torchvision's tracer warnings on tensor constants
            torch.onnx.export(wrapped, x, path, opset_version=opset, input_names=["input"],
                              output_names=["boxes", "scores", "labels"], do_constant_folding=True,
                              **ex.torchscript_export_kwargs())
        onnx.checker.check_model(path)
        m = onnx.load(path)
        hist = collections.Counter(n.op_type for n in m.graph.node)
        d = os.path.join(out, "test_data_set_0")
        os.makedirs(d, exist_ok=True)
        ex.write_pb(os.path.join(d, "input_0.pb"), x.numpy().astype(np.float32), "input")
        for i, (name, t) in enumerate((("boxes", boxes), ("scores", scores), ("labels", labels))):
            ex.write_pb(os.path.join(d, "output_%d.pb" % i), t.numpy(), name)
        size_mb = os.path.getsize(path) / 1e6
        with open(os.path.join(out, "export-info.json"), "w") as f:
            json.dump(dict(model=args.model, opset=opset, size_mb=round(size_mb, 1), nodes=sum(hist.values()),
                           ops=dict(sorted(hist.items()))), f, indent=1)
        ex.log("SUMMARY %s  %.1f MB  opset %d  nodes %d  export %.1fs  total %.1fs" % (
            path, size_mb, opset, sum(hist.values()), time.time() - t0, time.time() - t_start))
    return 0


if __name__ == "__main__":
    sys.exit(main())
