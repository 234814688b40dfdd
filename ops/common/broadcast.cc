#include "ops/common/broadcast.h"

namespace onnxi {

namespace {
// Strides of `in` aligned to the right of `out`, 0 where `in` is broadcast.
std::vector<int64_t> aligned_strides(const Shape& in, const Shape& out, const char* which) {
  const size_t r = out.size();
  if (in.size() > r)
    throw Error(Stage::Run, std::string("input ") + which + " " + shape_to_string(in) +
                                " has more dims than the output " + shape_to_string(out));
  std::vector<int64_t> strides(r, 0);
  int64_t s = 1;
  for (size_t k = in.size(); k-- > 0;) {
    size_t d = k + (r - in.size());
    if (in[k] == out[d]) {
      strides[d] = in[k] == 1 ? 0 : s;
    } else if (in[k] != 1) {
      throw Error(Stage::Run, std::string("input ") + which + " " + shape_to_string(in) +
                                  " cannot be broadcast to " + shape_to_string(out));
    }
    s *= in[k];
  }
  return strides;
}
}  // namespace

BroadcastPlan plan_broadcast(const Shape& a, const Shape& b, const Shape& out) {
  BroadcastPlan p;
  std::vector<int64_t> sa = aligned_strides(a, out, "A"), sb = aligned_strides(b, out, "B");
  p.numel = shape_numel(out);
  if (p.numel == 0) return p;
  for (size_t d = 0; d < out.size(); ++d) {
    if (out[d] == 1) continue;
    if (!p.dims.empty()) {
      // Merge into the previous dim when both operands continue contiguously (or both
      // broadcast) across the boundary.
      int64_t n = out[d];
      if (p.stride_a.back() == sa[d] * n && p.stride_b.back() == sb[d] * n) {
        p.dims.back() *= n;
        p.stride_a.back() = sa[d];
        p.stride_b.back() = sb[d];
        continue;
      }
    }
    p.dims.push_back(out[d]);
    p.stride_a.push_back(sa[d]);
    p.stride_b.push_back(sb[d]);
  }
  if (p.dims.empty()) {
    p.dims = {1};
    p.stride_a = {0};
    p.stride_b = {0};
  }
  return p;
}

}  // namespace onnxi
