"""Expected values for "Seeded random ops give ONNX's reference values" in
tests/ops/math/test_det_random.cc: ONNX's reference evaluator (numpy's RandomState).
Run: python random_reference.py; paste the printed lists."""
import numpy as np
import onnx.helper as h
from onnx import TensorProto
from onnx.reference import ReferenceEvaluator


def run(node, inputs, opset=15):
    vis = [h.make_tensor_value_info(n, TensorProto.FLOAT if v.dtype == np.float32 else
                                    TensorProto.BOOL if v.dtype == bool else TensorProto.DOUBLE, v.shape)
           for n, v in inputs.items()]
    outs = [h.make_tensor_value_info(o, TensorProto.UNDEFINED, None) for o in node.output]
    m = h.make_model(h.make_graph([node], "g", vis, outs), opset_imports=[h.make_opsetid("", opset)])
    return ReferenceEvaluator(m).run(None, inputs)


def show(name, ys):
    for k, y in enumerate(ys):
        print(f"// {name} output {k}")
        print("{" + ", ".join(f"{float(v):.17g}" for v in np.asarray(y).ravel()) + "}")


show("RandomUniform seed 5", run(h.make_node("RandomUniform", [], ["y"], shape=[6], low=-2.0, high=3.0, seed=5.0,
                                             dtype=TensorProto.DOUBLE), {}))
show("RandomNormal seed 2", run(h.make_node("RandomNormal", [], ["y"], shape=[5], mean=1.0, scale=2.0, seed=2.0,
                                            dtype=TensorProto.DOUBLE), {}))
p = np.array([0.0, 1.0, 0.3, 0.7, 0.5, 0.9, 0.1, 0.45], dtype=np.float64)
show("Bernoulli seed 1", run(h.make_node("Bernoulli", ["p"], ["y"], seed=1.0), {"p": p}))
x = np.arange(1, 9, dtype=np.float32)
show("Dropout seed 3 ratio 0.4", run(h.make_node("Dropout", ["x", "r", "t"], ["y", "m"], seed=3),
                                     {"x": x, "r": np.array(0.4, dtype=np.float32), "t": np.array(True)}, 13))
