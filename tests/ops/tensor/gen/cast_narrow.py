"""Expected bit patterns for tests/ops/tensor/test_cast_narrow.cc, from the ONNX reference
evaluator (onnx 1.23, ml_dtypes). Run: python cast_narrow.py; paste the printed lists."""
import numpy as np
import onnx
from onnx import TensorProto as TP, helper
from onnx.reference import ReferenceEvaluator

X = np.array([0.0, -0.0, np.nan, np.inf, -np.inf, 1.0, -1.75, 448.0, 464.0, 500.0, 57344.0, 61440.0,
              1e6, 2.0**-9, 2.0**-10, 3 * 2.0**-11, 2.0**-17, 1.5 * 2.0**-17, 0.3], dtype=np.float32)
F4 = np.array([0.0, -0.0, 0.25, 0.26, 0.75, 1.25, 1.75, 2.5, 3.5, 5.0, 7.0, -100.0, np.inf, np.nan], dtype=np.float32)
E8 = np.array([0.0, 1.0, 1.5, 0.75, 3.0, 2.0**-127, 2.0**127 * 1.5, np.inf, np.nan], dtype=np.float32)
INTS = np.array([-9, -8, -3, -2, -1, 0, 1, 2, 3, 7, 8, 15, 16, 200], dtype=np.int32)


def cast(x, to, opset=25, **attrs):
    node = helper.make_node("Cast", ["x"], ["y"], to=to, **attrs)
    g = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", helper.np_dtype_to_tensor_dtype(x.dtype), x.shape)],
                          [helper.make_tensor_value_info("y", to, x.shape)])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    return ReferenceEvaluator(m).run(None, {"x": x})[0]


def bits(a, nbits=8):
    b = a.view(np.uint8).astype(int) & ((1 << nbits) - 1)
    return "{" + ", ".join(f"0x{v:02x}" for v in b) + "}"


for name, t in [("e4m3fn", TP.FLOAT8E4M3FN), ("e4m3fnuz", TP.FLOAT8E4M3FNUZ), ("e5m2", TP.FLOAT8E5M2),
                ("e5m2fnuz", TP.FLOAT8E5M2FNUZ)]:
    for sat in (1, 0):
        print(f"{name} saturate={sat}: {bits(cast(X, t, saturate=sat))}")
print("float4e2m1 codes:", bits(cast(F4, TP.FLOAT4E2M1), 4))
for mode in ("up", "down", "nearest"):
    for sat in (1, 0):
        print(f"e8m0 {mode} saturate={sat}: {bits(cast(E8, TP.FLOAT8E8M0, saturate=sat, round_mode=mode))}")
for name, t in [("int4", TP.INT4), ("uint4", TP.UINT4), ("int2", TP.INT2), ("uint2", TP.UINT2)]:
    print(f"{name} from int32: {cast(INTS, t).astype(int).tolist()}")
    print(f"{name} from float: {cast(np.array([-2.7, -1.5, 0.9, 1.5, 2.5, 7.9, 9.0], dtype=np.float32), t).astype(int).tolist()}")
