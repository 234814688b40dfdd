"""Generates tests/ops/nn/norm_cases.inc (RMSNormalization, GroupNormalization); run
from the repository root: python tests/ops/nn/gen/gen_norm_cases.py."""
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

write(os.path.join(os.path.dirname(__file__), "..", "norm_cases.inc"), "norm_cases",
      "tests/ops/nn/gen/gen_norm_cases.py")
