#include "ops/common/kernel_util.h"

#include <cstring>

namespace onnxi {

Tensor& output_for(RunContext& ctx, size_t i, DType dtype, const Shape& shape) {
  Tensor& out = ctx.output(i);
  if (out.defined() && out.dtype() == dtype && out.shape() == shape) return out;
  ctx.set_output(i, Tensor(dtype, shape));
  return ctx.output(i);
}

void infer_same_shape(InferContext& ctx, DType dtype) {
  if (const Shape* s = ctx.input_shape(0))
    ctx.set_output(0, dtype, *s);
  else
    ctx.set_output_dtype(0, dtype);
}

void copy_elements(const Tensor& src, Tensor& dst) {
  if (src.dtype() != dst.dtype() || src.numel() != dst.numel())
    throw Error(Stage::Run, "copy: " + std::string(dtype_name(src.dtype())) + shape_to_string(src.shape()) +
                                " does not fit " + std::string(dtype_name(dst.dtype())) +
                                shape_to_string(dst.shape()));
  if (src.raw_data() == dst.raw_data() && src.dtype() != DType::String) return;
  if (src.dtype() == DType::String) {
    const auto& s = src.strings();
    auto& d = dst.strings();
    if (&s != &d) std::copy(s.begin(), s.end(), d.begin());
    return;
  }
  if (src.nbytes()) std::memmove(dst.raw_data(), src.raw_data(), src.nbytes());
}

std::vector<int64_t> read_int_values(const Tensor& t, const std::string& what, Stage stage) {
  if (t.rank() > 1)
    throw Error(stage, what + " must be a 1-D tensor, got shape " + shape_to_string(t.shape()));
  std::vector<int64_t> v(static_cast<size_t>(t.numel()));
  if (t.dtype() == DType::Int64) {
    const int64_t* p = t.data<int64_t>();
    v.assign(p, p + t.numel());
  } else if (t.dtype() == DType::Int32) {
    const int32_t* p = t.data<int32_t>();
    for (size_t i = 0; i < v.size(); ++i) v[i] = p[i];
  } else {
    throw Error(stage, what + " must be int64 (or int32), got " + std::string(dtype_name(t.dtype())));
  }
  return v;
}

std::vector<size_t> to_size_dims(const Shape& s) { return std::vector<size_t>(s.begin(), s.end()); }

int64_t dims_product(const Shape& s, size_t begin, size_t end) {
  int64_t p = 1;
  for (size_t i = begin; i < end && i < s.size(); ++i) p *= s[i];
  return p;
}

}  // namespace onnxi
