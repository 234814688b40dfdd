#include "ops/common/convert.h"

#include "onnxi/tensor.h"

namespace onnxi {

void convert_elements(const Tensor& src, Tensor& dst, const CastOptions& opts) {
  if (src.numel() != dst.numel()) throw Error(Stage::Run, "convert: element counts differ");
  if (dtype_in(src.dtype(), kNarrowDTypes) || dtype_in(dst.dtype(), kNarrowDTypes))
    return convert_narrow_elements(src, dst, opts);
  const int64_t n = src.numel();
  bool ok = visit_dtype<kFixedSizeDTypes>(src.dtype(), [&](auto from_tag) {
    using From = typename decltype(from_tag)::type;
    bool inner = visit_dtype<kFixedSizeDTypes>(dst.dtype(), [&](auto to_tag) {
      using To = typename decltype(to_tag)::type;
      const From* s = static_cast<const From*>(src.raw_data());
      To* d = static_cast<To*>(dst.raw_data());
      for (int64_t i = 0; i < n; ++i) d[i] = convert_value<To>(s[i]);
    });
    if (!inner) throw Error(Stage::Run, "cannot convert to " + std::string(dtype_name(dst.dtype())));
  });
  if (!ok) throw Error(Stage::Run, "cannot convert from " + std::string(dtype_name(src.dtype())));
}

Tensor convert_tensor(const Tensor& src, DType to) {
  Tensor out(to, src.shape());
  convert_elements(src, out);
  return out;
}

}  // namespace onnxi
