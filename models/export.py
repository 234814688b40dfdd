#!/usr/bin/env python3
"""Export torchvision classifiers to ONNX in the ONNX backend-test layout.

    <out>/model.onnx
    <out>/test_data_set_0/input_0.pb    batch = --batch (default 1)
    <out>/test_data_set_0/output_0.pb   PyTorch's own eval-mode output
    <out>/test_data_set_1/input_0.pb    a different batch size (2, or 3 if --batch 2)
    <out>/test_data_set_1/output_0.pb

Run with the project's interpreter (made by scripts/setup.sh):
    .venv/bin/python models/export.py resnet50 --out models/resnet50
See models/README.md.
"""

import argparse
import collections
import hashlib
import json
import os
import sys
import time
import warnings

import numpy as np
import torch
import torch.nn as nn
import torchvision
import onnx
from onnx import numpy_helper

# ---------------------------------------------------------------------------
# Model registry.  To add a model, add an entry here: the key must be the name
# of a torchvision.models constructor.  `size` is the square input resolution.
# The classifier head is found automatically (the last nn.Linear module).
# ---------------------------------------------------------------------------
MODELS = {
    "resnet18": dict(size=224),
    "resnet34": dict(size=224),
    "resnet50": dict(size=224),
    "resnet101": dict(size=224),
    "resnet152": dict(size=224),
    "resnext50_32x4d": dict(size=224),
    "wide_resnet50_2": dict(size=224),
    "mobilenet_v2": dict(size=224),
    # --- the rest of the zoo (tests/zoo) -------------------------------------
    "mobilenet_v3_small": dict(size=224),
    "mobilenet_v3_large": dict(size=224),
    "efficientnet_b0": dict(size=224),
    "efficientnet_v2_s": dict(size=224),
    "squeezenet1_1": dict(size=224),          # conv head (no nn.Linear): not rescaled
    "shufflenet_v2_x1_0": dict(size=224),
    "densenet121": dict(size=224),
    "googlenet": dict(size=224, kwargs=dict(init_weights=True)),
    "inception_v3": dict(size=299, kwargs=dict(init_weights=True)),
    "regnet_y_400mf": dict(size=224),
    "mnasnet1_0": dict(size=224),
    "vgg11": dict(size=224),
    "alexnet": dict(size=224),
    "convnext_tiny": dict(size=224),
    # grad_export: trace with autograd on, so nn.MultiheadAttention skips its fused eval
    # fast path (aten::_native_multi_head_attention has no ONNX export in torch 1.13)
    "vit_b_16": dict(size=224, grad_export=True),
    "swin_t": dict(size=224),
    # segmentation: torchvision.models.segmentation constructors; the exported
    # graph returns the "out" entry of the model's dict ([N,21,H,W] logits).
    "fcn_resnet50": dict(size=224, kind="segmentation"),
    "deeplabv3_mobilenet_v3_large": dict(size=224, kind="segmentation"),
    "lraspp_mobilenet_v3_large": dict(size=224, kind="segmentation"),
}
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)

# Fixed offsets so every random stream is derived from --seed but independent
# of the others (e.g. the test inputs do not depend on whether --weights is used).
STREAM_INIT, STREAM_CALIB, STREAM_BN, STREAM_HEAD, STREAM_DATA = 0, 1000, 2000, 3000, 4000


def torchscript_export_kwargs():
    """Keyword arguments that select the TorchScript-based exporter.

    torch >= 2.9 defaults to the torch.export-based exporter (dynamo=True), which emits
    opset 18 and up; the exports here are pinned to opsets 13 and 17 and to the graphs the
    tracing exporter makes, so ask for it explicitly where the option exists."""
    import inspect
    return {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}


def log(msg):
    print(msg, flush=True)


def gen(seed, stream):
    g = torch.Generator()
    g.manual_seed(seed * 7919 + stream)
    return g


def image_like(batch, size, g):
    """Normalized-image-like input: smooth colour blobs + texture + pixel noise in
    [0,1], then ImageNet mean/std normalization (values roughly in [-2.1, 2.6])."""
    up = lambda t: nn.functional.interpolate(t, size=(size, size), mode="bilinear", align_corners=False)
    coarse = up(torch.rand(batch, 3, 7, 7, generator=g))
    mid = up(torch.rand(batch, 3, 28, 28, generator=g) - 0.5)
    fine = torch.rand(batch, 3, size, size, generator=g) - 0.5
    img = (coarse + 0.35 * mid + 0.1 * fine).clamp_(0.0, 1.0)
    mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    return ((img - mean) / std).contiguous()


def bn_modules(model):
    return [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]


def head_linear(model):
    lin = [m for m in model.modules() if isinstance(m, nn.Linear)]
    return lin[-1] if lin else None


class OutEntry(nn.Module):
    """torchvision segmentation models return a dict; export its "out" tensor."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model(x)["out"]


def build_model(name, spec):
    kind = spec.get("kind", "classification")
    kwargs = dict(spec.get("kwargs", {}))
    if kind == "segmentation":
        # weights_backbone=None: nothing may be downloaded; aux head off (eval ignores it)
        ctor = getattr(torchvision.models.segmentation, name)
        return ctor(weights=None, weights_backbone=None, aux_loss=False, **kwargs)
    ctor = getattr(torchvision.models, name)
    return ctor(weights=None, **kwargs)


def stats(t):
    t = t.double()
    return dict(mean=t.mean().item(), std=t.std().item(), min=t.min().item(), max=t.max().item())


def fmt_stats(s):
    return "mean=%.4f std=%.4f min=%.4f max=%.4f" % (s["mean"], s["std"], s["min"], s["max"])


def synthesize_weights(model, seed, size, calib_batches=2, calib_batch=8):
    """Random init (already done by the constructor under torch.manual_seed) plus
    non-trivial BatchNorm affine params / statistics and a rescaled head so the
    logits have std ~ 1 on image-like inputs."""
    bns = bn_modules(model)
    g = gen(seed, STREAM_BN)
    with torch.no_grad():
        # 1) mild random BN affine params (not the identity 1/0 init)
        for m in bns:
            if m.affine:
                m.weight.copy_(torch.empty_like(m.weight).uniform_(0.8, 1.2, generator=g))
                m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.05)

        # 2) measure running stats: train mode, momentum=None -> cumulative average
        saved_momentum = [m.momentum for m in bns]
        for m in bns:
            m.reset_running_stats()
            m.momentum = None
        model.train()
        gc = gen(seed, STREAM_CALIB)
        for _ in range(calib_batches if bns else 0):
            model(image_like(calib_batch, size, gc))
        for m, mom in zip(bns, saved_momentum):
            m.momentum = mom
        model.eval()

        # 3) perturb the measured statistics a little
        for m in bns:
            var = m.running_var
            mean = m.running_mean
            noise = torch.randn(mean.shape, generator=g) * 0.1 * var.clamp_min(1e-8).sqrt()
            mean.add_(noise)
            var.mul_(torch.exp(torch.empty_like(var).uniform_(np.log(0.8), np.log(1.25), generator=g)))
            m.num_batches_tracked.zero_()

        # 4) rescale the classifier head.  Features of a randomly initialised
        #    net share a large input-independent component, so centre it away
        #    (folded into the bias) and scale W so that, across inputs and
        #    classes, the logits have std ~ 1 and the argmax varies per input.
        fc = head_linear(model)
        if fc is None:
            log("no nn.Linear head: logits left as initialised")
            return
        if not fc.weight.any():
            # vit_b_16 zero-initialises its head (torchvision's fine-tuning default), which
            # would make every logit equal; give it a seeded random init to rescale instead.
            fc.weight.copy_(torch.randn(fc.weight.shape, generator=g) * 0.02)
            log("head weight was all zeros: re-initialised (normal, std 0.02)")
        feats = []
        hook = fc.register_forward_hook(lambda mod, inp, out: feats.append(inp[0]))
        model(image_like(calib_batch, size, gen(seed, STREAM_HEAD)))
        hook.remove()
        h = feats[0].double()
        mu = h.mean(0)
        w = fc.weight.double()
        s = ((h - mu) @ w.t()).std().item()
        if not np.isfinite(s) or s == 0.0:
            raise SystemExit("degenerate features before the head (std=%r)" % s)
        w = w / s
        fc.weight.copy_(w.float())
        if fc.bias is None:
            raise SystemExit("classifier head without bias is not supported")
        fc.bias.copy_((-(w @ mu) + torch.randn(fc.bias.shape, generator=g).double() * 0.1).float())


def load_weights(model, path):
    sd = torch.load(path, map_location="cpu")
    for key in ("state_dict", "model"):
        if isinstance(sd, dict) and key in sd and isinstance(sd[key], dict):
            sd = sd[key]
    if isinstance(sd, nn.Module):
        sd = sd.state_dict()
    sd = collections.OrderedDict((k[7:] if k.startswith("module.") else k, v) for k, v in sd.items())
    model.load_state_dict(sd, strict=True)


def write_pb(path, array, name):
    t = numpy_helper.from_array(np.ascontiguousarray(array), name)
    with open(path, "wb") as f:
        f.write(t.SerializeToString())


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", choices=sorted(MODELS), help="torchvision.models constructor name")
    ap.add_argument("--out", help="output directory (default: models/<model>)")
    ap.add_argument("--opset", default="13",
                    help="opset, or a comma list (e.g. 13,17): then one export per opset into <out>/opset<N>/ "
                         "sharing the weights and reference data")
    ap.add_argument("--weights", help="torchvision checkpoint (state_dict .pth) to load; no stat tweaking")
    ap.add_argument("--keep-bn", action="store_true",
                    help="keep BatchNormalization nodes instead of folding them into Conv")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batch", type=int, default=1, help="batch size of test_data_set_0")
    ap.add_argument("--save-weights", metavar="FILE",
                    help="also save the (synthesized or loaded) state_dict to FILE")
    args = ap.parse_args(argv)

    t_start = time.time()
    spec = MODELS[args.model]
    size = spec["size"]
    out_root = args.out or os.path.join(os.path.dirname(os.path.abspath(__file__)), args.model)
    opsets = [int(v) for v in str(args.opset).split(",")]

    # --- build the model ---------------------------------------------------
    torch.manual_seed(args.seed)
    model = build_model(args.model, spec)
    model.eval()
    t0 = time.time()
    if args.weights:
        load_weights(model, args.weights)
        log("loaded weights from %s" % args.weights)
    else:
        synthesize_weights(model, args.seed, size)
        log("synthesized weights (seed %d) in %.1fs" % (args.seed, time.time() - t0))
    model.eval()
    if spec.get("kind") == "segmentation":
        model = OutEntry(model).eval()
    if args.save_weights:
        torch.save(model.state_dict(), args.save_weights)
        log("saved state_dict to %s" % args.save_weights)
    wh = hashlib.sha256()
    for k, v in model.state_dict().items():
        wh.update(k.encode())
        wh.update(v.detach().contiguous().numpy().tobytes())
    log("weights sha256: %s" % wh.hexdigest()[:16])

    # --- reference data ------------------------------------------------------
    batch1 = 2 if args.batch != 2 else 3
    datasets = []
    with torch.no_grad():
        for i, b in enumerate((args.batch, batch1)):
            x = image_like(b, size, gen(args.seed, STREAM_DATA + i))
            y = model(x)
            if not torch.isfinite(y).all():
                raise SystemExit("non-finite logits in data set %d" % i)
            datasets.append((x, y))
    logit_stats = stats(datasets[0][1])
    argmax = lambda y: y.argmax(1).tolist() if y.dim() == 2 else "(per pixel)"
    log("logits (set 0, batch %d): %s argmax=%s" % (args.batch, fmt_stats(logit_stats), argmax(datasets[0][1])))
    log("logits (set 1, batch %d): %s argmax=%s" % (batch1, fmt_stats(stats(datasets[1][1])),
                                                     argmax(datasets[1][1])))

    for opset in opsets:
        out = out_root if len(opsets) == 1 else os.path.join(out_root, "opset%d" % opset)
        os.makedirs(out, exist_ok=True)
        export_one(args, model, datasets, out, opset, logit_stats, t_start)
    return 0


def export_one(args, model, datasets, out, opset, logit_stats, t_start):
    model_path = os.path.join(out, "model.onnx")
    # --- export ----------------------------------------------------------------
    # TrainingMode.EVAL (default) lets the exporter fold BatchNorm into Conv;
    # PRESERVE with the model in eval mode skips that peephole pass and emits
    # inference-form BatchNormalization nodes.
    training = torch.onnx.TrainingMode.PRESERVE if args.keep_bn else torch.onnx.TrainingMode.EVAL
    t0 = time.time()
    grad_mode = torch.enable_grad() if MODELS[args.model].get("grad_export") else torch.no_grad()
    with grad_mode, warnings.catch_warnings():
        # torch 1.13 warns about constant folding for any training != EVAL, even
        # though the model is in eval mode here; folding cannot touch BN params
        # (their X input is not constant) -- checked below against the model.
        warnings.filterwarnings("ignore", message="It is recommended that constant folding be turned off")
        torch.onnx.export(
            model, datasets[0][0], model_path,
            opset_version=opset,
            input_names=["input"], output_names=["output"],
            dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
            do_constant_folding=True,
            training=training,
            **torchscript_export_kwargs(),
        )
    log("torch.onnx.export took %.1fs" % (time.time() - t0))

    # --- verify ----------------------------------------------------------------
    onnx.checker.check_model(model_path)
    m = onnx.load(model_path)
    hist = collections.Counter(n.op_type for n in m.graph.node)
    n_bn = hist.get("BatchNormalization", 0)
    if args.keep_bn:
        if n_bn == 0 and bn_modules(model):
            raise SystemExit("--keep-bn: exported graph has no BatchNormalization nodes")
        bad = [n.name for n in m.graph.node if n.op_type == "BatchNormalization" and len(n.output) != 1]
        if bad:
            raise SystemExit("BatchNormalization nodes in training form (>1 output): %s" % bad[:5])
        # the BN parameters in the graph must be exactly the model's
        inits = {t.name: t for t in m.graph.initializer}
        sd = model.state_dict()
        checked = 0
        for n in m.graph.node:
            if n.op_type != "BatchNormalization":
                continue
            for name in n.input[1:]:
                if name in inits and name in sd:
                    if not np.array_equal(numpy_helper.to_array(inits[name]), sd[name].numpy()):
                        raise SystemExit("BN parameter %s differs from the model" % name)
                    checked += 1
        log("--keep-bn: %d BN nodes, %d BN parameter tensors match the model" % (n_bn, checked))
    elif n_bn:
        log("warning: %d BatchNormalization nodes were not folded" % n_bn)
    init_names = {t.name for t in m.graph.initializer}
    inputs = [i for i in m.graph.input if i.name not in init_names]
    if len(inputs) != 1 or len(m.graph.output) != 1:
        raise SystemExit("expected exactly one graph input and output")
    in_name, out_name = inputs[0].name, m.graph.output[0].name
    d0 = inputs[0].type.tensor_type.shape.dim[0]
    if d0.dim_param != "batch":
        raise SystemExit("input batch dimension is not dynamic: %s" % d0)

    # --- write test data sets ----------------------------------------------------
    for i, (x, y) in enumerate(datasets):
        d = os.path.join(out, "test_data_set_%d" % i)
        os.makedirs(d, exist_ok=True)
        write_pb(os.path.join(d, "input_0.pb"), x.numpy().astype(np.float32), in_name)
        write_pb(os.path.join(d, "output_0.pb"), y.numpy().astype(np.float32), out_name)

    size_mb = os.path.getsize(model_path) / 1e6
    with open(os.path.join(out, "export-info.json"), "w") as f:
        json.dump(dict(model=args.model, opset=opset, size_mb=round(size_mb, 1), nodes=sum(hist.values()),
                       ops=dict(sorted(hist.items()))), f, indent=1)
    hist_s = " ".join("%s:%d" % kv for kv in sorted(hist.items()))
    log("SUMMARY %s  %.1f MB  opset %d  nodes %d  ops {%s}  logits %s  total %.1fs" % (
        model_path, size_mb, opset, sum(hist.values()), hist_s, fmt_stats(logit_stats),
        time.time() - t_start))


if __name__ == "__main__":
    sys.exit(main())
