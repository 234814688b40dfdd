"""Generates tests/ops/attention/attention_cases.inc (run from the repository root:
python tests/ops/attention/gen/gen_attention.py)."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "harness"))
from gen_cases import case, rand, write  # noqa: E402

rng = np.random.default_rng(23)
f32 = np.float32


def qkv(b, hq, hkv, q, kv, d, dv, dtype=f32):
    return rand(rng, (b, hq, q, d), dtype), rand(rng, (b, hkv, kv, d), dtype), rand(rng, (b, hkv, kv, dv), dtype)


Q, K, V = qkv(1, 2, 2, 3, 4, 4, 3)
case("Attention:4d", "Attention", 23, [Q, K, V])
case("Attention:4d double", "Attention", 23, [Q.astype(np.float64), K.astype(np.float64), V.astype(np.float64)])
case("Attention:4d float16 scaled", "Attention", 23, [Q.astype(np.float16), K.astype(np.float16), V.astype(np.float16)],
     scale=0.3)
case("Attention:4d causal qk mode 0", "Attention", 23, [Q, K, V], n_outputs=4, is_causal=1)
case("Attention:4d softcap qk mode 1", "Attention", 23, [Q, K, V], n_outputs=4, softcap=0.5, qk_matmul_output_mode=1)

# GQA, 3-D inputs, past key/value, causal, all outputs.
Q3 = rand(rng, (2, 2, 4 * 2))
K3 = rand(rng, (2, 2, 2 * 2))
V3 = rand(rng, (2, 2, 2 * 3))
PK = rand(rng, (2, 2, 3, 2))
PV = rand(rng, (2, 2, 3, 3))
case("Attention:3d gqa past causal", "Attention", 23, [Q3, K3, V3, None, PK, PV], n_outputs=4, is_causal=1,
     q_num_heads=4, kv_num_heads=2, qk_matmul_output_mode=2)

# A float mask shorter than the total length (padded with -inf), broadcast over heads.
mask = rand(rng, (3, 3))
case("Attention:float mask padded mode 2", "Attention", 23, [Q, K, V, mask], n_outputs=4, qk_matmul_output_mode=2)
# A boolean mask with a fully masked row; mode 3 and softmax in double.
bmask = np.array([[True, False, True, True], [False, False, False, False], [True, True, False, True]])
case("Attention:bool mask masked row mode 3", "Attention", 23, [Q, K, V, bmask.reshape(1, 1, 3, 4)], n_outputs=4,
     qk_matmul_output_mode=3, softmax_precision=11)
case("Attention:bool mask causal", "Attention", 23, [Q, K, V, bmask[:, :3]], is_causal=1)

# Opset 24: nonpad_kv_seqlen with causal (bottom-right per batch) and a 4-D mask per batch.
Qn, Kn, Vn = qkv(2, 2, 1, 2, 5, 2, 2)
case("Attention:24 nonpad causal mqa", "Attention", 24,
     [Qn, Kn, Vn, rand(rng, (2, 1, 2, 5)), None, None, np.array([3, 5], dtype=np.int64)], is_causal=1)
case("Attention:24 nonpad short", "Attention", 24, [Qn, Kn, Vn, None, None, None, np.array([1, 4], dtype=np.int64)],
     is_causal=1, n_outputs=4, qk_matmul_output_mode=3)

# Opset 25: sliding window.
case("Attention:25 window", "Attention", 25, [Q, K, V], left_window_size=1, right_window_size=1)
case("Attention:25 window causal", "Attention", 25, [Q, K, V, None, rand(rng, (1, 2, 2, 4)), rand(rng, (1, 2, 2, 3))],
     left_window_size=2, is_causal=1, n_outputs=3)

# More than 4 query rows: the blocked-gemm path (the cases above take dot products).
Q6, K6, V6 = rand(rng, (2, 6, 4 * 3)), rand(rng, (2, 6, 2 * 3)), rand(rng, (2, 6, 2 * 2))
case("Attention:gemm path 3d gqa past mask causal", "Attention", 23,
     [Q6, K6, V6, rand(rng, (2, 1, 6, 8)), rand(rng, (2, 2, 2, 3)), rand(rng, (2, 2, 2, 2))], n_outputs=3,
     is_causal=1, q_num_heads=4, kv_num_heads=2)
case("Attention:gemm path float16 causal nonpad", "Attention", 24,
     [Q6.astype(np.float16), K6.astype(np.float16), V6.astype(np.float16), None, None, None,
      np.array([6, 4], dtype=np.int64)], is_causal=1, q_num_heads=4, kv_num_heads=2, softcap=2.0)

write(os.path.join(os.path.dirname(__file__), "..", "attention_cases.inc"), "attention_cases",
      "tests/ops/attention/gen/gen_attention.py")

# RotaryEmbedding (23): position ids into a [max_pos, rd / 2] cache, or a per-token cache.
angles = rand(rng, (6, 2), lo=-3, hi=3)
cos, sin = np.cos(angles).astype(f32), np.sin(angles).astype(f32)
pos = np.array([[0, 3, 5], [1, 1, 4]], dtype=np.int64)
x4 = rand(rng, (2, 2, 3, 4))
case("RotaryEmbedding:4d position ids", "RotaryEmbedding", 23, [x4, cos, sin, pos])
case("RotaryEmbedding:4d interleaved", "RotaryEmbedding", 23, [x4, cos, sin, pos], interleaved=1)
x3 = rand(rng, (2, 3, 2 * 6))
case("RotaryEmbedding:3d partial", "RotaryEmbedding", 23, [x3, cos, sin, pos], num_heads=2, rotary_embedding_dim=4)
tok = rand(rng, (2, 3, 2), lo=-3, hi=3)
case("RotaryEmbedding:3d no position ids interleaved partial", "RotaryEmbedding", 23,
     [x3, np.cos(tok).astype(f32), np.sin(tok).astype(f32)], num_heads=2, rotary_embedding_dim=4, interleaved=1)
case("RotaryEmbedding:float16", "RotaryEmbedding", 23,
     [x4.astype(np.float16), cos.astype(np.float16), sin.astype(np.float16), pos])

write(os.path.join(os.path.dirname(__file__), "..", "rotary_cases.inc"), "rotary_cases",
      "tests/ops/attention/gen/gen_attention.py")

# LinearAttention (27): every update rule, GQA, per-head and per-dim decay, past state.
B, T, HQ, HKV, DK, DV = 2, 3, 4, 2, 3, 2
lq, lk, lv = rand(rng, (B, T, HQ * DK)), rand(rng, (B, T, HKV * DK)), rand(rng, (B, T, HKV * DV))
past = rand(rng, (B, HKV, DK, DV))
dec_head, dec_dim = rand(rng, (B, T, HKV), lo=-1, hi=0), rand(rng, (B, T, HKV * DK), lo=-1, hi=0)
beta_h, beta_1 = rand(rng, (B, T, HKV), lo=0, hi=1), rand(rng, (B, T, 1), lo=0, hi=1)
heads = dict(q_num_heads=HQ, kv_num_heads=HKV)
case("LinearAttention:linear no past", "LinearAttention", 27, [lq, lk, lv], n_outputs=2, update_rule="linear", **heads)
case("LinearAttention:linear past scale", "LinearAttention", 27, [lq, lk, lv, past], n_outputs=2,
     update_rule="linear", scale=0.25, **heads)
case("LinearAttention:gated per head", "LinearAttention", 27, [lq, lk, lv, past, dec_head], n_outputs=2,
     update_rule="gated", **heads)
case("LinearAttention:gated per dim", "LinearAttention", 27, [lq, lk, lv, None, dec_dim], n_outputs=2,
     update_rule="gated", **heads)
case("LinearAttention:delta", "LinearAttention", 27, [lq, lk, lv, past, None, beta_h], n_outputs=2,
     update_rule="delta", **heads)
case("LinearAttention:gated_delta shared beta", "LinearAttention", 27, [lq, lk, lv, past, dec_dim, beta_1],
     n_outputs=2, **heads)
case("LinearAttention:float16 state", "LinearAttention", 27,
     [lq, lk, lv, past.astype(np.float16), dec_head, beta_h], n_outputs=2, **heads)

write(os.path.join(os.path.dirname(__file__), "..", "linear_attention_cases.inc"), "linear_attention_cases",
      "tests/ops/attention/gen/gen_attention.py")

# FlexAttention (ai.onnx.preview 1): GQA, scale, softmax precision, score_mod / prob_mod
# graphs (built the same way in test_flex_attention.cc: double_input, square_input).
from onnx import TensorProto, helper  # noqa: E402


def _self_op(op, name, elem):
    return helper.make_graph([helper.make_node(op, ["x", "x"], ["y"])], name,
                             [helper.make_tensor_value_info("x", elem, None)],
                             [helper.make_tensor_value_info("y", elem, None)])


fq, fk, fv = qkv(1, 4, 2, 3, 5, 4, 3)
prev = dict(domain="ai.onnx.preview")
case("FlexAttention:gqa", "FlexAttention", 1, [fq, fk, fv], **prev)
case("FlexAttention:scale double", "FlexAttention", 1,
     [fq.astype(np.float64), fk.astype(np.float64), fv.astype(np.float64)], scale=0.7, **prev)
case("FlexAttention:score_mod prob_mod", "FlexAttention", 1, [fq, fk, fv],
     score_mod=_self_op("Add", "double_input", TensorProto.FLOAT),
     prob_mod=_self_op("Mul", "square_input", TensorProto.FLOAT),
     cpp_attrs={"score_mod": 'attr_graph("score_mod", self_op_graph("Add", DType::Float))',
                "prob_mod": 'attr_graph("prob_mod", self_op_graph("Mul", DType::Float))'}, **prev)
case("FlexAttention:float16 in double precision", "FlexAttention", 1,
     [fq.astype(np.float16), fk.astype(np.float16), fv.astype(np.float16)], softmax_precision=11,
     score_mod=_self_op("Add", "double_input", TensorProto.DOUBLE),
     cpp_attrs={"score_mod": 'attr_graph("score_mod", self_op_graph("Add", DType::Double))'}, **prev)

write(os.path.join(os.path.dirname(__file__), "..", "flex_attention_cases.inc"), "flex_attention_cases",
      "tests/ops/attention/gen/gen_attention.py")
