"""Generates tests/ops/math/activation_cases.inc (Gelu, Swish, SwiGLU); run from the
repository root: python tests/ops/math/gen/gen_activation_cases.py."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "harness"))
from gen_cases import case, rand, write  # noqa: E402

rng = np.random.default_rng(20)
x = rand(rng, (2, 5), lo=-6, hi=6)
b = rand(rng, (2, 5), lo=-2, hi=2)
for t in (np.float32, np.float64, np.float16):
    name = np.dtype(t).name
    if t != np.float64:  # the evaluator's Erf computes in float32; the C++ test checks double
        case(f"Gelu:erf {name}", "Gelu", 20, [x.astype(t)])
    case(f"Gelu:tanh {name}", "Gelu", 20, [x.astype(t)], approximate="tanh")
    case(f"Swish:{name}", "Swish", 24, [x.astype(t)])
    case(f"Swish:alpha {name}", "Swish", 24, [x.astype(t)], alpha=1.702)
    case(f"SwiGLU:{name}", "SwiGLU", 28, [x.astype(t), b.astype(t)])
    case(f"SwiGLU:alpha {name}", "SwiGLU", 28, [x.astype(t), b.astype(t)], alpha=0.5)

write(os.path.join(os.path.dirname(__file__), "..", "activation_cases.inc"), "activation_cases",
      "tests/ops/math/gen/gen_activation_cases.py")
