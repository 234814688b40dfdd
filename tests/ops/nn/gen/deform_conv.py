"""Expected values for tests/ops/nn/test_deform_conv.cc from ONNX's reference evaluator
(2-D only there). Run: python deform_conv.py; paste the printed lists."""
import numpy as np
import onnx.helper as h
from onnx import TensorProto
from onnx.reference import ReferenceEvaluator


def run(inputs, **attrs):
    names = ["X", "W", "offset", "B", "mask"][: len(inputs)]
    node = h.make_node("DeformConv", names, ["Y"], **attrs)
    vis = [h.make_tensor_value_info(n, TensorProto.FLOAT, v.shape) for n, v in zip(names, inputs)]
    g = h.make_graph([node], "g", vis, [h.make_tensor_value_info("Y", TensorProto.FLOAT, None)])
    m = h.make_model(g, opset_imports=[h.make_opsetid("", 19)])
    return ReferenceEvaluator(m).run(None, dict(zip(names, inputs)))[0]


def show(name, a):
    print(f"// {name}: shape {list(a.shape)}")
    print("{" + ", ".join(f"{v:.9g}" for v in a.ravel()) + "}")


def vals(shape, scale, shift, mod=7):
    n = int(np.prod(shape))
    return ((np.arange(n) * 5 + shift) % mod * scale - scale * (mod // 2)).astype(np.float32).reshape(shape)


# Case 1: 1 input channel, 2x2 kernel, pads 1, fractional offsets, no mask or bias.
X = np.arange(9, dtype=np.float32).reshape(1, 1, 3, 3)
W = np.array([[[[1.0, 2.0], [-1.0, 0.5]]]], dtype=np.float32)
off1 = vals([1, 8, 4, 4], 0.3, 1)
show("X1", X)
show("offset1", off1)
show("Y1", run([X, W, off1], pads=[1, 1, 1, 1]))
# Case 2: 4 channels in 2 groups, offset_group 2, stride 2, dilation 2 (W dim), bias and mask.
X2 = vals([1, 4, 5, 5], 0.5, 2, 11)
W2 = vals([2, 2, 2, 2], 0.25, 3, 7)
off2 = vals([1, 2 * 4 * 2, 2, 2], 0.35, 4, 9)
B2 = np.array([0.5, -1.0], dtype=np.float32)
M2 = vals([1, 2 * 4, 2, 2], 0.2, 5, 6) + 0.5
show("X2", X2)
show("W2", W2)
show("offset2", off2)
show("mask2", M2)
show("Y2", run([X2, W2, off2, B2, M2], group=2, offset_group=2, strides=[2, 2], dilations=[1, 2], pads=[0, 1, 0, 0]))
