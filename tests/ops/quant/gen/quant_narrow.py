"""Expected outputs for tests/ops/quant/test_quant_narrow.cc, from the ONNX reference
evaluator (onnx 1.23). Run: python quant_narrow.py; the test lists the printed values."""
import numpy as np
from onnx import TensorProto as TP, helper, numpy_helper
from onnx.reference import ReferenceEvaluator


def run(op, opset, inputs, out_type, **attrs):
    names = [f"i{k}" for k in range(len(inputs))]
    node = helper.make_node(op, names, ["y"], **attrs)
    vi = [helper.make_tensor_value_info(n, helper.np_dtype_to_tensor_dtype(a.dtype), a.shape) for n, a in zip(names, inputs)]
    g = helper.make_graph([node], "g", vi, [helper.make_tensor_value_info("y", out_type, None)])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    return ReferenceEvaluator(m).run(None, dict(zip(names, inputs)))[0]


def show(name, y):
    if y.dtype.itemsize == 1 and y.dtype.kind == "V":
        print(name, "bits", [int(v) for v in y.view(np.uint8).ravel()])
    else:
        print(name, y.dtype, [float(v) for v in y.astype(np.float64).ravel()])


x = np.array([[-7.5, -3.0, -0.6, 0.5, 1.5, 2.5], [10.0, 4.4, -4.4, 0.26, -100.0, 6.0]], dtype=np.float32)
scale_b = np.array([[1.0, 0.5], [2.0, 0.25]], dtype=np.float32)
zp_b = numpy_helper.from_array(np.array([[1, -2], [0, 3]], dtype=np.int8)) and np.array([[1, -2], [0, 3]], dtype=np.int8)
import ml_dtypes
show("q21 int4 blocked", run("QuantizeLinear", 21, [x, scale_b, zp_b.astype(ml_dtypes.int4)], TP.INT4, axis=1, block_size=3))
show("q21 uint4 per-axis", run("QuantizeLinear", 21, [x, np.array([1.0, 2.0], np.float32), np.array([8, 0], ml_dtypes.uint4)], TP.UINT4, axis=0))
show("q25 int2", run("QuantizeLinear", 25, [x, np.float32(2.0)], TP.INT2, output_dtype=TP.INT2))
show("q25 uint2", run("QuantizeLinear", 25, [x, np.float32(2.0), np.array(1, ml_dtypes.uint2)], TP.UINT2))
xf8 = np.array([0.0, 1.0, -3.3, 300.0, 1000.0, -1e5, 0.01], dtype=np.float32)
for sat in (1, 0):
    show(f"q19 e4m3fn sat{sat}", run("QuantizeLinear", 19, [xf8, np.float32(2.0), np.array(0, ml_dtypes.float8_e4m3fn)], TP.FLOAT8E4M3FN, saturate=sat))
    show(f"q19 e5m2 sat{sat}", run("QuantizeLinear", 19, [xf8, np.float32(0.5), np.array(0, ml_dtypes.float8_e5m2)], TP.FLOAT8E5M2, saturate=sat))
show("q23 float4", run("QuantizeLinear", 23, [xf8, np.float32(0.5)], TP.FLOAT4E2M1, output_dtype=TP.FLOAT4E2M1))
xh = np.array([1.0, 2.0, 3.0, -1000.0], dtype=np.float16)
show("q19 f16", run("QuantizeLinear", 19, [xh, np.float16(0.3), np.int8(1)], TP.INT8))

xi4 = np.array([[-8, -1, 0, 7, 3, 2], [1, 2, 3, 4, 5, 6]], dtype=ml_dtypes.int4)
show("dq21 int4 blocked", run("DequantizeLinear", 21, [xi4, scale_b, zp_b.astype(ml_dtypes.int4)], TP.FLOAT, axis=1, block_size=3))
xe = np.array([0x38, 0xbe, 0x7e, 0x01, 0x7f], dtype=np.uint8).view(ml_dtypes.float8_e4m3fn)
show("dq19 e4m3fn f16 scale", run("DequantizeLinear", 19, [xe, np.float16(0.5)], TP.FLOAT16))
show("dq23 float4 out f16", run("DequantizeLinear", 23, [np.array([0.5, -6, 3], ml_dtypes.float4_e2m1fn), np.float32(3.0)], TP.FLOAT16, output_dtype=TP.FLOAT16))
show("dq24 e8m0 scale", run("DequantizeLinear", 24, [np.array([1, -2, 3], np.int8), np.array(130, np.uint8).view(ml_dtypes.float8_e8m0fnu)], TP.FLOAT, output_dtype=TP.FLOAT))
show("dq25 uint2", run("DequantizeLinear", 25, [np.array([0, 1, 2, 3, 3], ml_dtypes.uint2), np.float32(1.5), np.array(1, ml_dtypes.uint2)], TP.FLOAT))
