// Copying a tensor through one index map per dim: output index c of dim d reads source
// index map[d][c] of that dim, or the fill value where any dim's entry is -1. Pad and
// CenterCropPad are this with different maps.
#pragma once
#include <cstdint>
#include <vector>

#include "onnxi/tensor.h"

namespace onnxi {

// Fills `y` (already shaped: dim d has map[d].size() elements) from `x` (same dtype and
// rank). `fill` is a one-element tensor of x's dtype, or nullptr for zero (""/false).
void copy_through_dim_maps(const Tensor& x, Tensor& y, const std::vector<std::vector<int64_t>>& map,
                           const Tensor* fill);

}  // namespace onnxi
