"""Encoded test images and their decodings by ONNX's reference evaluator (Pillow), for
tests/ops/image/test_image_decoder.cc. Run: python images.py; paste the printed arrays."""
import io

import numpy as np
import onnx.helper as h
import PIL.Image
from onnx import TensorProto
from onnx.reference import ReferenceEvaluator


def decode(data, fmt):
    node = h.make_node("ImageDecoder", ["x"], ["y"], pixel_format=fmt)
    g = h.make_graph([node], "g", [h.make_tensor_value_info("x", TensorProto.UINT8, [len(data)])],
                     [h.make_tensor_value_info("y", TensorProto.UINT8, None)])
    m = h.make_model(g, opset_imports=[h.make_opsetid("", 20)])
    return ReferenceEvaluator(m).run(None, {"x": np.frombuffer(data, dtype=np.uint8)})[0]


def encode(img, fmt, **kw):
    b = io.BytesIO()
    img.save(b, format=fmt, **kw)
    return b.getvalue()


def show(name, a):
    a = np.asarray(a).ravel()
    print(f"// {name} ({len(a)})")
    print("{" + ", ".join(str(int(v)) for v in a) + "}")


rgb = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255]], [[10, 20, 30], [200, 100, 50], [128, 128, 128]]],
               dtype=np.uint8)
png = encode(PIL.Image.fromarray(rgb), "PNG")
show("png bytes", np.frombuffer(png, dtype=np.uint8))
show("png Grayscale", decode(png, "Grayscale"))
# An 8x8 JPEG with a gradient and a 4:2:0 chroma subsampling (Pillow's default).
yy, xx = np.mgrid[0:8, 0:8]
grad = np.stack([xx * 32, yy * 32, (xx + yy) * 16], axis=2).astype(np.uint8)
jpg = encode(PIL.Image.fromarray(grad), "JPEG", quality=90)
show("jpeg bytes", np.frombuffer(jpg, dtype=np.uint8))
show("jpeg RGB", decode(jpg, "RGB"))
show("jpeg Grayscale", decode(jpg, "Grayscale"))
