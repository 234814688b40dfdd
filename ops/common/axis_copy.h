// Copies of parts of tensors along one axis, and joining them back: for Scan and Loop
// (slices and stacked scan outputs), SplitToSequence and ConcatFromSequence. Any dtype,
// strings included; results own fresh storage.
#pragma once
#include <cstdint>
#include <vector>

#include "onnxi/tensor.h"

namespace onnxi {

// Elements [start, start + len) along `axis` (which must be a valid, non-negative axis and
// range); the axis is kept, with size len.
Tensor slice_along_axis(const Tensor& t, int64_t axis, int64_t start, int64_t len);
// Element `index` along `axis`, with the axis removed.
Tensor take_along_axis(const Tensor& t, int64_t axis, int64_t index);
// Concatenates `parts` (at least one, same dtype and rank, equal dims except `axis`).
// Throws Error(stage) when they do not fit together.
Tensor concat_along_axis(const std::vector<Tensor>& parts, int64_t axis, Stage stage);
// Stacks equal-shaped `parts` (at least one) along a new axis inserted at `axis`
// (0..rank). Throws Error(stage) when their dtypes or shapes differ.
Tensor stack_along_axis(const std::vector<Tensor>& parts, int64_t axis, Stage stage);
// Copies all of `src` into `dst` starting at element `offset` (same dtype; must fit).
void copy_into(const Tensor& src, Tensor& dst, int64_t offset);

// `t` itself when it can outlive the step that received it (it owns its storage, holds
// strings, or is a sequence or an empty optional), else a copy: a kernel's inputs may be
// views of the session's arena, which later steps reuse.
Tensor detach(const Tensor& t);

}  // namespace onnxi
