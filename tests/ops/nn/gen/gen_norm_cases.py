"""Generates tests/ops/nn/norm_cases.inc (RMSNormalization, GroupNormalization) and
causal_conv_cases.inc (CausalConvWithState); run from the repository root:
python tests/ops/nn/gen/gen_norm_cases.py."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "harness"))
from gen_cases import case, rand, write  # noqa: E402

rng = np.random.default_rng(18)

x = rand(rng, (2, 3, 4), lo=-3, hi=3)
case("RMSNormalization:default axis", "RMSNormalization", 23, [x, rand(rng, (4,))])
case("RMSNormalization:axis 1 epsilon", "RMSNormalization", 23, [x, rand(rng, (3, 4))], axis=1, epsilon=0.1)
case("RMSNormalization:axis -3 broadcast scale", "RMSNormalization", 23, [x, rand(rng, (1, 4))], axis=-3)
case("RMSNormalization:double", "RMSNormalization", 23, [x.astype(np.float64), rand(rng, (4,), np.float64)])
case("RMSNormalization:float16", "RMSNormalization", 23, [x.astype(np.float16), rand(rng, (4,), np.float16)])

xg = rand(rng, (2, 4, 3, 2), lo=-3, hi=3)
case("GroupNormalization:18 per group", "GroupNormalization", 18, [xg, rand(rng, (2,)), rand(rng, (2,))], num_groups=2)
case("GroupNormalization:21 per channel", "GroupNormalization", 21, [xg, rand(rng, (4,)), rand(rng, (4,))],
     num_groups=2, epsilon=0.01)
case("GroupNormalization:21 one group rank 3", "GroupNormalization", 21,
     [xg.reshape(2, 4, 6), rand(rng, (4,)), rand(rng, (4,))], num_groups=1)
case("GroupNormalization:21 double", "GroupNormalization", 21,
     [xg.astype(np.float64), rand(rng, (4,), np.float64), rand(rng, (4,), np.float64)], num_groups=4, stash_type=11)
case("GroupNormalization:21 float16", "GroupNormalization", 21,
     [xg.astype(np.float16), rand(rng, (4,), np.float16), rand(rng, (4,), np.float16)], num_groups=2)

write(os.path.join(os.path.dirname(__file__), "..", "norm_cases.inc"), "norm_cases",
      "tests/ops/nn/gen/gen_norm_cases.py")

# CausalConvWithState (27): kernel sizes 1 and 3, bias, past state, SiLU, a decode step
# shorter than the state.
xc = rand(rng, (2, 3, 4))
w3, w1 = rand(rng, (3, 1, 3)), rand(rng, (3, 1, 1))
bc, pc = rand(rng, (3,)), rand(rng, (2, 3, 2))
case("CausalConvWithState:basic", "CausalConvWithState", 27, [xc, w3], n_outputs=2)
case("CausalConvWithState:bias past silu", "CausalConvWithState", 27, [xc, w3, bc, pc], n_outputs=2,
     activation="silu")
case("CausalConvWithState:decode swish", "CausalConvWithState", 27, [xc[:, :, :1], w3, None, pc], n_outputs=2,
     activation="swish")
case("CausalConvWithState:kernel 1", "CausalConvWithState", 27, [xc, w1, bc], n_outputs=2)
case("CausalConvWithState:float16", "CausalConvWithState", 27,
     [xc.astype(np.float16), w3.astype(np.float16), bc.astype(np.float16), pc.astype(np.float16)], n_outputs=2,
     activation="silu")

write(os.path.join(os.path.dirname(__file__), "..", "causal_conv_cases.inc"), "causal_conv_cases",
      "tests/ops/nn/gen/gen_norm_cases.py")
