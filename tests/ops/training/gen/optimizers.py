"""Expected values for tests/ops/training/test_optimizers.cc from ONNX's reference evaluator.
Run: python optimizers.py; paste the printed lists."""
import numpy as np
import onnx.helper as h
from onnx import TensorProto
from onnx.reference import ReferenceEvaluator

DOMAIN = "ai.onnx.preview.training"


def run(op, inputs, n_out, **attrs):
    names = [f"i{k}" for k in range(len(inputs))]
    outs = [f"o{k}" for k in range(n_out)]
    node = h.make_node(op, names, outs, domain=DOMAIN, **attrs)
    tp = {np.float32: TensorProto.FLOAT, np.float64: TensorProto.DOUBLE, np.int64: TensorProto.INT64}
    vis = [h.make_tensor_value_info(n, tp[v.dtype.type], v.shape) for n, v in zip(names, inputs)]
    g = h.make_graph([node], "g", vis, [h.make_tensor_value_info(o, TensorProto.UNDEFINED, None) for o in outs])
    m = h.make_model(g, opset_imports=[h.make_opsetid("", 17), h.make_opsetid(DOMAIN, 1)])
    return ReferenceEvaluator(m).run(None, dict(zip(names, inputs)))


def show(name, ys):
    for k, y in enumerate(ys):
        print(f"// {name} output {k}")
        print("{" + ", ".join(f"{v:.9g}" for v in np.asarray(y).ravel()) + "}")


f = lambda v: np.array(v, dtype=np.float32)
R, T0, T3 = f(0.1), np.array(0, dtype=np.int64), np.array(3, dtype=np.int64)
X, G, V, H = f([1.0, -2.0, 0.5]), f([0.3, 0.1, -0.4]), f([0.05, -0.2, 0.0]), f([0.2, 0.4, 0.01])
X2, G2, V2, H2 = f([[3.0, 0.0]]), f([[-1.0, 2.0]]), f([[0.5, 0.5]]), f([[1.0, 0.0]])

show("adagrad T=3", run("Adagrad", [R, T3, X, G, H], 2, norm_coefficient=0.01, decay_factor=0.1, epsilon=1e-5))
show("adagrad two tensors", run("Adagrad", [R, T0, X, X2, G, G2, H, H2], 4))
show("adam T=3", run("Adam", [R, T3, X, G, V, H], 3, norm_coefficient=0.01, norm_coefficient_post=0.02,
                     alpha=0.8, beta=0.95, epsilon=1e-5))
show("adam T=0 defaults, two tensors", run("Adam", [R, T0, X, X2, G, G2, V, V2, H, H2], 6))
for mode in ("standard", "nesterov"):
    for t in (T0, T3):
        show(f"momentum {mode} T={int(t)}",
             run("Momentum", [R, t, X, G, V], 2, norm_coefficient=0.01, alpha=0.9, beta=0.5, mode=mode))
