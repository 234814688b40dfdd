#include "ops/common/axis_copy.h"

#include <algorithm>
#include <cstring>

#include "ops/common/kernel_util.h"

namespace onnxi {

namespace {

// Copies `count` elements from src[src_off...] to dst[dst_off...] (same dtype).
void copy_run(const Tensor& src, int64_t src_off, Tensor& dst, int64_t dst_off, int64_t count) {
  if (count <= 0) return;
  if (src.dtype() == DType::String) {
    const std::string* s = src.strings().data() + src_off;
    std::copy(s, s + count, dst.strings().data() + dst_off);
    return;
  }
  const size_t es = dtype_size(src.dtype());
  std::memcpy(static_cast<char*>(dst.raw_data()) + static_cast<size_t>(dst_off) * es,
              static_cast<const char*>(src.raw_data()) + static_cast<size_t>(src_off) * es,
              static_cast<size_t>(count) * es);
}

void check_tensor(const Tensor& t, Stage stage) {
  if (!t.is_tensor())
    throw Error(stage,
                std::string("expected a tensor, got a ") + (t.is_sequence() ? "sequence" : "none optional"));
  if (t.dtype() != DType::String && dtype_size(t.dtype()) == 0)
    throw Error(stage, "cannot copy elements of type " + std::string(dtype_name(t.dtype())));
}

}  // namespace

Tensor slice_along_axis(const Tensor& t, int64_t axis, int64_t start, int64_t len) {
  check_tensor(t, Stage::Run);
  const Shape& s = t.shape();
  if (axis < 0 || axis >= static_cast<int64_t>(s.size()) || start < 0 || len < 0 || start + len > s[axis])
    throw Error(Stage::Run, "slice [" + std::to_string(start) + ", +" + std::to_string(len) + ") of axis " +
                                std::to_string(axis) + " is outside shape " + shape_to_string(s));
  Shape out_shape = s;
  out_shape[axis] = len;
  Tensor out(t.dtype(), out_shape);
  const int64_t outer = dims_product(s, 0, static_cast<size_t>(axis));
  const int64_t inner = dims_product(s, static_cast<size_t>(axis) + 1, s.size());
  for (int64_t o = 0; o < outer; ++o)
    copy_run(t, (o * s[axis] + start) * inner, out, o * len * inner, len * inner);
  return out;
}

Tensor take_along_axis(const Tensor& t, int64_t axis, int64_t index) {
  Tensor one = slice_along_axis(t, axis, index, 1);
  Shape s = one.shape();
  s.erase(s.begin() + axis);
  return one.reshaped(s);
}

Tensor concat_along_axis(const std::vector<Tensor>& parts, int64_t axis, Stage stage) {
  if (parts.empty()) throw Error(stage, "nothing to concatenate");
  for (const auto& p : parts) check_tensor(p, stage);
  const Tensor& first = parts[0];
  const int64_t rank = static_cast<int64_t>(first.rank());
  if (axis < 0 || axis >= rank)
    throw Error(stage, "axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  Shape out_shape = first.shape();
  out_shape[axis] = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    const Tensor& p = parts[i];
    bool ok = p.dtype() == first.dtype() && p.rank() == first.rank();
    for (int64_t d = 0; ok && d < rank; ++d)
      if (d != axis && p.shape()[d] != first.shape()[d]) ok = false;
    if (!ok)
      throw Error(stage, "tensor " + std::to_string(i) + " (" + std::string(dtype_name(p.dtype())) + " " +
                             shape_to_string(p.shape()) + ") does not fit tensor 0 (" +
                             std::string(dtype_name(first.dtype())) + " " + shape_to_string(first.shape()) +
                             ") along axis " + std::to_string(axis));
    out_shape[axis] += p.shape()[axis];
  }
  Tensor out(first.dtype(), out_shape);
  const int64_t outer = dims_product(out_shape, 0, static_cast<size_t>(axis));
  const int64_t inner = dims_product(out_shape, static_cast<size_t>(axis) + 1, out_shape.size());
  const int64_t out_row = out_shape[axis] * inner;
  int64_t offset = 0;
  for (const auto& p : parts) {
    const int64_t row = p.shape()[axis] * inner;
    for (int64_t o = 0; o < outer; ++o) copy_run(p, o * row, out, o * out_row + offset, row);
    offset += row;
  }
  return out;
}

Tensor stack_along_axis(const std::vector<Tensor>& parts, int64_t axis, Stage stage) {
  if (parts.empty()) throw Error(stage, "nothing to stack");
  for (const auto& p : parts) check_tensor(p, stage);
  const Shape& s0 = parts[0].shape();
  if (axis < 0 || axis > static_cast<int64_t>(s0.size()))
    throw Error(stage, "axis " + std::to_string(axis) + " is out of range for stacking rank " +
                           std::to_string(s0.size()) + " tensors");
  std::vector<Tensor> expanded;
  expanded.reserve(parts.size());
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].shape() != s0 || parts[i].dtype() != parts[0].dtype())
      throw Error(stage, "cannot stack " + std::string(dtype_name(parts[i].dtype())) + " " +
                             shape_to_string(parts[i].shape()) + " (item " + std::to_string(i) + ") with " +
                             std::string(dtype_name(parts[0].dtype())) + " " + shape_to_string(s0) +
                             " (item 0)");
    Shape s = s0;
    s.insert(s.begin() + axis, 1);
    expanded.push_back(parts[i].reshaped(s));
  }
  return concat_along_axis(expanded, axis, stage);
}

void copy_into(const Tensor& src, Tensor& dst, int64_t offset) {
  check_tensor(src, Stage::Run);
  if (src.dtype() != dst.dtype() || offset < 0 || offset + src.numel() > dst.numel())
    throw Error(Stage::Run, "copy: " + std::string(dtype_name(src.dtype())) + shape_to_string(src.shape()) +
                                " does not fit at " + std::to_string(offset) + " in " +
                                std::string(dtype_name(dst.dtype())) + shape_to_string(dst.shape()));
  copy_run(src, 0, dst, offset, src.numel());
}

Tensor detach(const Tensor& t) {
  if (!t.is_tensor() || t.owns_storage() || t.dtype() == DType::String || !t.defined()) return t;
  return t.clone();
}

}  // namespace onnxi
