// Transpose (perm defaults to reversing the dims).
//
// Dims of size 1 are dropped and input dims that stay adjacent in the output are merged, so
// many permutations reduce to a batch of 2-D transposes — in particular NCHW -> NHWC
// ([0,2,3,1] becomes [N, C, HW] -> [N, HW, C]) and back, which run at every layout
// boundary. Those use a cache-blocked tile loop; everything else a strided copy whose inner
// loop writes the output contiguously. Elements are moved as 1/2/4/8-byte words (or strings).
#include <algorithm>
#include <cstring>
#include <numeric>

#include "ops/common/broadcast.h"
#include "ops/common/kernel_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

struct CollapsedTranspose {
  Shape in_dims;              // collapsed input dims
  std::vector<int64_t> perm;  // output dim j reads collapsed input dim perm[j]
};

CollapsedTranspose collapse(const Shape& dims, const std::vector<int64_t>& perm) {
  // Drop size-1 dims.
  std::vector<int64_t> new_index(dims.size(), -1);
  Shape kept;
  for (size_t i = 0; i < dims.size(); ++i)
    if (dims[i] != 1) {
      new_index[i] = static_cast<int64_t>(kept.size());
      kept.push_back(dims[i]);
    }
  std::vector<int64_t> p;
  for (int64_t src : perm)
    if (new_index[src] >= 0) p.push_back(new_index[src]);
  // Group runs of consecutive input dims that stay consecutive in the output.
  std::vector<std::pair<int64_t, int64_t>> groups;  // (first input dim, last input dim), in output order
  for (int64_t src : p) {
    if (!groups.empty() && groups.back().second + 1 == src)
      groups.back().second = src;
    else
      groups.push_back({src, src});
  }
  std::vector<size_t> by_input(groups.size());
  std::iota(by_input.begin(), by_input.end(), 0);
  std::sort(by_input.begin(), by_input.end(),
            [&](size_t a, size_t b) { return groups[a].first < groups[b].first; });
  CollapsedTranspose c;
  c.perm.resize(groups.size());
  for (size_t rank = 0; rank < by_input.size(); ++rank) {
    const auto& g = groups[by_input[rank]];
    c.in_dims.push_back(dims_product(kept, static_cast<size_t>(g.first), static_cast<size_t>(g.second + 1)));
    c.perm[by_input[rank]] = static_cast<int64_t>(rank);
  }
  return c;
}

// out[b][c][r] = in[b][r][c] for `batch` matrices of rows x cols. 64x64 tiles of 8x8 micro
// tiles: measured steadier than plain 16/32 tiles across shapes whose row stride is a large
// power of two (where strided accesses crowd a few cache sets).
template <class U>
void transpose_2d(const U* in, U* out, int64_t batch, int64_t rows, int64_t cols, pthreadpool_t pool) {
  constexpr int64_t kTile = 64, kMicro = 8;
  const int64_t row_tiles = (rows + kTile - 1) / kTile;
  parallel_chunks(pool, batch * row_tiles, kTile * cols, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t b = t / row_tiles, r0 = (t % row_tiles) * kTile, r1 = std::min(rows, r0 + kTile);
      const U* src = in + b * rows * cols;
      U* dst = out + b * rows * cols;
      for (int64_t c0 = 0; c0 < cols; c0 += kTile) {
        const int64_t c1 = std::min(cols, c0 + kTile);
        for (int64_t rr = r0; rr < r1; rr += kMicro)
          for (int64_t cc = c0; cc < c1; cc += kMicro) {
            const int64_t re = std::min(r1, rr + kMicro), ce = std::min(c1, cc + kMicro);
            for (int64_t c = cc; c < ce; ++c)
              for (int64_t r = rr; r < re; ++r) dst[c * rows + r] = src[r * cols + c];
          }
      }
    }
  });
}

// General case: walk the output in order; the innermost output dim reads the input with a stride.
template <class U>
void transpose_strided(const U* in, U* out, const CollapsedTranspose& c) {
  const size_t r = c.perm.size();
  std::vector<int64_t> in_strides(r);
  int64_t s = 1;
  for (size_t i = r; i-- > 0;) {
    in_strides[i] = s;
    s *= c.in_dims[i];
  }
  Shape out_dims(r);
  std::vector<int64_t> strides(r);
  for (size_t j = 0; j < r; ++j) {
    out_dims[j] = c.in_dims[c.perm[j]];
    strides[j] = in_strides[c.perm[j]];
  }
  const int64_t n = out_dims[r - 1], inner = strides[r - 1];
  const int64_t rows = shape_numel(out_dims) / n;
  std::vector<int64_t> idx(r, 0);
  int64_t off = 0;
  for (int64_t row = 0; row < rows; ++row) {
    const U* src = in + off;
    U* dst = out + row * n;
    for (int64_t i = 0; i < n; ++i) dst[i] = src[i * inner];
    for (size_t d = r - 1; d-- > 0;) {
      off += strides[d];
      if (++idx[d] < out_dims[d]) break;
      off -= strides[d] * out_dims[d];
      idx[d] = 0;
    }
  }
}

template <class U>
void transpose_typed(const U* in, U* out, int64_t numel, const CollapsedTranspose& c, pthreadpool_t pool) {
  const auto& p = c.perm;
  if (p.size() <= 1) {
    std::copy(in, in + numel, out);
  } else if (p.size() == 2) {
    transpose_2d(in, out, 1, c.in_dims[0], c.in_dims[1], pool);
  } else if (p.size() == 3 && p[0] == 0 && p[1] == 2 && p[2] == 1) {
    transpose_2d(in, out, c.in_dims[0], c.in_dims[1], c.in_dims[2], pool);
  } else {
    transpose_strided(in, out, c);
  }
}

void transpose_tensor(const Tensor& x, Tensor& y, const std::vector<int64_t>& perm, pthreadpool_t pool) {
  if (x.numel() == 0) return;
  CollapsedTranspose c = collapse(x.shape(), perm);
  const int64_t n = x.numel();
  if (x.dtype() == DType::String) {
    transpose_typed(x.strings().data(), y.strings().data(), n, c, nullptr);
    return;
  }
  const void* in = x.raw_data();
  void* out = y.raw_data();
  switch (dtype_size(x.dtype())) {
    case 1:
      transpose_typed(static_cast<const uint8_t*>(in), static_cast<uint8_t*>(out), n, c, pool);
      break;
    case 2:
      transpose_typed(static_cast<const uint16_t*>(in), static_cast<uint16_t*>(out), n, c, pool);
      break;
    case 4:
      transpose_typed(static_cast<const uint32_t*>(in), static_cast<uint32_t*>(out), n, c, pool);
      break;
    case 8:
      transpose_typed(static_cast<const uint64_t*>(in), static_cast<uint64_t*>(out), n, c, pool);
      break;
    default:
      throw Error(Stage::Run, "Transpose does not support " + std::string(dtype_name(x.dtype())));
  }
}

class TransposeKernel : public Kernel {
 public:
  explicit TransposeKernel(const BuildContext& ctx) : dtype_(ctx.input_dtype(0)) {
    if (ctx.node.inputs.size() != 1 || !ctx.has_input(0))
      throw Error(Stage::Build, "Transpose expects 1 input");
    if (dtype_ != DType::String && dtype_size(dtype_) == 0)
      throw Error(Stage::Build, "Transpose does not support " + std::string(dtype_name(dtype_)));
    if (ctx.attrs.has("perm")) {
      perm_ = ctx.attrs.get_ints("perm");
      has_perm_ = true;
      if (ctx.inputs[0].shape_known)
        resolve(ctx.inputs[0].shape.size(), Stage::Build);
      else
        resolve(perm_.size(), Stage::Build);  // at least a permutation of its own length
    }
  }

  void infer(InferContext& ctx) override {
    const Shape* s = ctx.input_shape(0);
    if (!s) {
      ctx.set_output_dtype(0, dtype_);
      return;
    }
    ctx.set_output(0, dtype_, out_shape(*s, Stage::Plan));
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Shape out = out_shape(x.shape(), Stage::Run);
    Tensor& y = output_for(ctx, 0, dtype_, out);
    transpose_tensor(x, y, resolve(x.rank(), Stage::Run), ctx.threadpool());
  }

 private:
  std::vector<int64_t> resolve(size_t rank, Stage stage) const {
    if (!has_perm_) {
      std::vector<int64_t> p(rank);
      for (size_t i = 0; i < rank; ++i) p[i] = static_cast<int64_t>(rank - 1 - i);
      return p;
    }
    if (perm_.size() != rank)
      throw Error(stage, "Transpose perm has " + std::to_string(perm_.size()) + " entries for a rank-" +
                             std::to_string(rank) + " input");
    std::vector<bool> seen(rank, false);
    for (int64_t p : perm_) {
      if (p < 0 || p >= static_cast<int64_t>(rank) || seen[p])
        throw Error(stage, "Transpose perm " + shape_to_string(Shape(perm_)) + " is not a permutation");
      seen[p] = true;
    }
    return perm_;
  }

  Shape out_shape(const Shape& in, Stage stage) const {
    std::vector<int64_t> p = resolve(in.size(), stage);
    Shape out(in.size());
    for (size_t j = 0; j < p.size(); ++j) out[j] = in[p[j]];
    return out;
  }

  DType dtype_;
  bool has_perm_ = false;
  std::vector<int64_t> perm_;
};

ONNXI_REGISTER_KERNEL("", "Transpose", 1, 25, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new TransposeKernel(ctx));
});

}  // namespace
}  // namespace onnxi
