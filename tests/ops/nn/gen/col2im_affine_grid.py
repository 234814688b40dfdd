"""Expected values for tests/ops/nn/test_col2im_affine_grid.cc from ONNX's reference
evaluator (onnx.reference). Run: python col2im_affine_grid.py; paste the printed lists."""
import numpy as np
import onnx.helper as h
from onnx import TensorProto
from onnx.reference import ReferenceEvaluator


def run(op, opset, inputs, **attrs):
    names = [f"i{k}" for k in range(len(inputs))]
    node = h.make_node(op, names, ["y"], **attrs)
    vis = [h.make_tensor_value_info(n, TensorProto.FLOAT if v.dtype == np.float32 else TensorProto.INT64, v.shape)
           for n, v in zip(names, inputs)]
    g = h.make_graph([node], "g", vis, [h.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    m = h.make_model(g, opset_imports=[h.make_opsetid("", opset)])
    return ReferenceEvaluator(m).run(None, dict(zip(names, inputs)))[0]


def show(name, y):
    print(f"// {name}: shape {list(y.shape)}")
    print("{" + ", ".join(f"{v:.9g}" for v in y.ravel()) + "}")


def iota(shape):
    return np.arange(np.prod(shape), dtype=np.float32).reshape(shape)


i64 = lambda v: np.array(v, dtype=np.int64)
show("col2im 2-D", run("Col2Im", 18, [iota([1, 8, 4]), i64([3, 3]), i64([2, 2])]))
show("col2im strides/pads/dilations",
     run("Col2Im", 18, [iota([2, 4, 12]), i64([4, 5]), i64([2, 2])], strides=[2, 1], pads=[1, 0, 1, 1],
         dilations=[1, 2]))
show("col2im 3-D", run("Col2Im", 18, [iota([1, 4, 4]), i64([2, 3, 2]), i64([1, 2, 2])]))

theta2 = np.array([[[1.0, 0.5, 0.25], [-0.3, 0.9, -0.1]], [[0.0, -1.0, 0.2], [1.5, 0.0, 0.3]]], dtype=np.float32)
theta3 = np.array([[[1.0, 0.1, -0.2, 0.3], [0.2, 0.8, 0.1, -0.4], [-0.5, 0.3, 1.2, 0.05]]], dtype=np.float32)
for ac in (0, 1):
    show(f"affine 2-D align_corners={ac}", run("AffineGrid", 20, [theta2, i64([2, 1, 3, 4])], align_corners=ac))
    show(f"affine 3-D align_corners={ac}", run("AffineGrid", 20, [theta3, i64([1, 1, 2, 2, 3])], align_corners=ac))
