// Helpers for the data-movement kernels (Gather, Scatter, Slice, Pad, Tile, ...): these ops
// move elements without looking at them, so they dispatch on the element's storage (its byte
// size, or std::string) rather than on its dtype; plus index validation and output size
// guards shared by the family.
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "ops/common/dtype_dispatch.h"
#include "runtime/kernel.h"

namespace onnxi {

// Opaque 16-byte element (complex128).
struct Bytes16 {
  uint64_t lo, hi;
};

// Calls f(TypeTag<S>{}) where S is a type with the storage size of `t` (uint8_t, uint16_t,
// uint32_t, uint64_t, Bytes16) or std::string. Returns false for Undefined.
template <class F>
bool visit_storage(DType t, F&& f) {
  if (t == DType::String) {
    f(TypeTag<std::string>{});
    return true;
  }
  switch (dtype_size(t)) {
    case 1:
      f(TypeTag<uint8_t>{});
      return true;
    case 2:
      f(TypeTag<uint16_t>{});
      return true;
    case 4:
      f(TypeTag<uint32_t>{});
      return true;
    case 8:
      f(TypeTag<uint64_t>{});
      return true;
    case 16:
      f(TypeTag<Bytes16>{});
      return true;
    default:
      return false;
  }
}

// Like visit_storage, but throws Error(stage) for dtypes that have no storage.
template <class F>
void dispatch_storage(DType t, Stage stage, F&& f) {
  if (!visit_storage(t, std::forward<F>(f)))
    throw Error(stage, "unsupported dtype " + std::string(dtype_name(t)));
}

// Elements of `t` as storage type S (see visit_storage); S must match the dtype's size.
template <class S>
S* elements(Tensor& t) {
  if constexpr (std::is_same_v<S, std::string>)
    return t.strings().data();
  else
    return static_cast<S*>(t.raw_data());
}
template <class S>
const S* elements(const Tensor& t) {
  if constexpr (std::is_same_v<S, std::string>)
    return t.strings().data();
  else
    return static_cast<const S*>(t.raw_data());
}

// Calls f(TypeTag<I>{}) for an int32 or int64 index tensor dtype; throws Error(stage) for
// other dtypes.
template <class F>
void dispatch_index(DType t, Stage stage, const std::string& what, F&& f) {
  if (t == DType::Int64)
    f(TypeTag<int64_t>{});
  else if (t == DType::Int32)
    f(TypeTag<int32_t>{});
  else
    throw Error(stage, what + " must be int32 or int64, got " + std::string(dtype_name(t)));
}

// Index `i` into a dim of size `n`, negative values counting from the end; throws
// Error(Stage::Run) when out of range.
inline int64_t resolve_index(int64_t i, int64_t n) {
  int64_t r = i < 0 ? i + n : i;
  if (r < 0 || r >= n)
    throw Error(Stage::Run,
                "index " + std::to_string(i) + " is out of range for a dim of size " + std::to_string(n));
  return r;
}

// Checks that all of `count` indices in `idx` are within [-n, n-1] before any is used.
template <class I>
void check_indices(const I* idx, int64_t count, int64_t n) {
  for (int64_t i = 0; i < count; ++i) {
    const int64_t v = static_cast<int64_t>(idx[i]);
    if (v < -n || v >= n) resolve_index(v, n);  // throws
  }
}

// Largest output the generating ops (Tile, Expand, ConstantOfShape, Range, EyeLike, Pad,
// OneHot, ...) will create: bigger requests from a model are an error, not an allocation
// that takes the machine down.
inline constexpr int64_t kMaxGeneratedBytes = int64_t(1) << 32;

// Element count of `shape`; throws Error(stage) when a dim is negative or the tensor would
// exceed kMaxGeneratedBytes.
inline int64_t checked_output_numel(const Shape& shape, DType dtype, Stage stage) {
  for (int64_t d : shape)
    if (d < 0) throw Error(stage, "negative dimension in output shape " + shape_to_string(shape));
  const int64_t es =
      dtype == DType::String ? 32 : std::max<int64_t>(1, static_cast<int64_t>(dtype_size(dtype)));
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d != 0 && n > kMaxGeneratedBytes / es / d)
      throw Error(stage, "output shape " + shape_to_string(shape) + " is too large");
    n *= d;
  }
  return n;
}

// Row-major element strides of `shape`.
inline std::vector<int64_t> strides_of(const Shape& shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;) s[d - 1] = s[d] * shape[d];
  return s;
}

// The value every element of a fresh tensor of storage S has (zero bytes, or "").
template <class S>
S zero_element() {
  if constexpr (std::is_same_v<S, std::string>)
    return std::string();
  else
    return S{};
}

// Walks the rows (innermost dim) of an output of shape `out` for rows [row_begin, row_end),
// with K operands addressed through per-dim element strides (0 where an operand is
// broadcast; each strides[k] has out.size() entries). Calls
// row(offsets, out_offset, n, inner_strides), where offsets[k] is operand k's offset of the
// row's first element and inner_strides[k] its stride along the row. A rank-0 output is
// one row of one element.
template <size_t K, class F>
void for_each_row(const Shape& out, const std::array<std::vector<int64_t>, K>& strides, int64_t row_begin,
                  int64_t row_end, F&& row) {
  const size_t r = out.size();
  const int64_t n = r ? out[r - 1] : 1;
  std::array<int64_t, K> inner{};
  if (r)
    for (size_t k = 0; k < K; ++k) inner[k] = strides[k][r - 1];
  std::vector<int64_t> idx(r > 1 ? r - 1 : 0, 0);
  std::array<int64_t, K> off{};
  int64_t rem = row_begin;
  for (size_t d = idx.size(); d-- > 0;) {
    idx[d] = rem % out[d];
    rem /= out[d];
    for (size_t k = 0; k < K; ++k) off[k] += idx[d] * strides[k][d];
  }
  for (int64_t rw = row_begin; rw < row_end; ++rw) {
    row(off, rw * n, n, inner);
    for (size_t d = idx.size(); d-- > 0;) {
      for (size_t k = 0; k < K; ++k) off[k] += strides[k][d];
      if (++idx[d] < out[d]) break;
      for (size_t k = 0; k < K; ++k) off[k] -= strides[k][d] * out[d];
      idx[d] = 0;
    }
  }
}

// Number of rows for_each_row walks for `out` (0 when the output is empty).
inline int64_t row_count(const Shape& out) {
  int64_t n = 1;
  for (size_t d = 0; d + 1 < out.size(); ++d) n *= out[d];
  return (out.empty() || out.back() != 0) ? n : 0;
}

// Strides of an operand of shape `in` numpy-broadcast to `out` (0 on broadcast dims).
inline std::vector<int64_t> broadcast_strides(const Shape& in, const Shape& out) {
  std::vector<int64_t> s(out.size(), 0);
  const std::vector<int64_t> own = strides_of(in);
  const size_t lead = out.size() - in.size();
  for (size_t d = 0; d < in.size(); ++d) s[lead + d] = in[d] == 1 ? 0 : own[d];
  return s;
}

inline std::string dtype_str(DType t) { return std::string(dtype_name(t)); }

// GatherElements and ScatterElements: checks `indices` against `data` (same rank, dims
// other than the axis no larger) and returns the `axis` attribute resolved against data's
// rank; errors start with `prefix`.
inline int64_t resolve_elements_axis(int64_t axis_attr, const Shape& data, const Shape& idx, Stage stage,
                                     const std::string& prefix) {
  const int64_t r = static_cast<int64_t>(data.size());
  if (r < 1) throw Error(stage, prefix + "data must have rank >= 1");
  if (idx.size() != data.size())
    throw Error(stage, prefix + "indices " + shape_to_string(idx) + " and data " + shape_to_string(data) +
                           " differ in rank");
  if (axis_attr < -r || axis_attr >= r)
    throw Error(stage, prefix + "axis " + std::to_string(axis_attr) + " is out of range for rank " +
                           std::to_string(r));
  const int64_t axis = axis_attr < 0 ? axis_attr + r : axis_attr;
  for (int64_t d = 0; d < r; ++d)
    if (d != axis && idx[d] > data[d])
      throw Error(stage, prefix + "indices " + shape_to_string(idx) + " exceed data " +
                             shape_to_string(data) + " outside the axis");
  return axis;
}

// GatherElements and ScatterElements: for every coordinate c of indices (shape `idx`, values
// `ind`, already checked by check_indices against data's axis dim), in order, calls
// f(i, d) with i the flat position of c in indices and d the flat position in data of c with
// c[axis] = ind[i] (negative values counting from the end).
template <class I, class F>
void for_each_element_index(const Shape& data, const Shape& idx, int64_t axis, const I* ind, F&& f) {
  const int64_t n = data[static_cast<size_t>(axis)];
  const std::vector<int64_t> ds = strides_of(data);
  // Operand 0 walks data with the axis stride zeroed (the index supplies it).
  std::array<std::vector<int64_t>, 1> st{ds};
  st[0][static_cast<size_t>(axis)] = 0;
  const int64_t axis_stride = ds[static_cast<size_t>(axis)];
  for_each_row<1>(
      idx, st, 0, row_count(idx),
      [&](const std::array<int64_t, 1>& off, int64_t o, int64_t len, const std::array<int64_t, 1>& in) {
        for (int64_t i = 0; i < len; ++i) {
          int64_t k = static_cast<int64_t>(ind[o + i]);
          if (k < 0) k += n;
          f(o + i, off[0] + i * in[0] + k * axis_stride);
        }
      });
}

}  // namespace onnxi
