#include "ops/tensor/dim_map_copy.h"

#include "ops/common/kernel_util.h"
#include "ops/tensor/element_util.h"

namespace onnxi {

void copy_through_dim_maps(const Tensor& x, Tensor& y, const std::vector<std::vector<int64_t>>& map,
                           const Tensor* fill) {
  if (y.numel() == 0) return;
  const Shape& out = y.shape();
  const size_t r = out.size();
  if (r == 0) {
    copy_elements(x, y);
    return;
  }
  const std::vector<int64_t> xs = strides_of(x.shape());
  const int64_t width = out[r - 1];
  const std::vector<int64_t>& last = map[r - 1];
  // Output columns [lo, hi) read a contiguous run of the source row.
  int64_t lo = 0;
  while (lo < width && last[lo] < 0) ++lo;
  int64_t hi = lo;
  while (hi < width && last[hi] == last[lo] + (hi - lo)) ++hi;
  dispatch_storage(x.dtype(), Stage::Run, [&](auto tag) {
    using S = typename decltype(tag)::type;
    const S* src = elements<S>(x);
    S* dst = elements<S>(y);
    const S value = fill ? elements<S>(*fill)[0] : zero_element<S>();
    std::vector<int64_t> idx(r - 1, 0);
    const int64_t rows = row_count(out);
    for (int64_t rw = 0; rw < rows; ++rw) {
      S* o = dst + rw * width;
      int64_t off = 0;
      bool fill_row = false;
      for (size_t d = 0; d + 1 < r; ++d) {
        const int64_t s = map[d][idx[d]];
        if (s < 0) fill_row = true;
        off += s * xs[d];
      }
      if (fill_row) {
        std::fill(o, o + width, value);
      } else {
        const S* row = src + off;
        for (int64_t j = 0; j < lo; ++j) o[j] = last[j] < 0 ? value : row[last[j]];
        if (hi > lo) std::copy(row + last[lo], row + last[lo] + (hi - lo), o + lo);
        for (int64_t j = hi; j < width; ++j) o[j] = last[j] < 0 ? value : row[last[j]];
      }
      for (size_t d = r - 1; d-- > 0;) {
        if (++idx[d] < out[d]) break;
        idx[d] = 0;
      }
    }
  });
}

}  // namespace onnxi
