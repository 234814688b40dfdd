// GatherND: `indices` [B..., M..., k] holds k-tuples indexing data [B..., D...] after the
// first b = batch_dims (opset 12) dims; each tuple selects the slice data[B, i0..ik-1, ...].
// Output shape B... + M... + D[k:]. Any dtype; int64 (or int32) indices, negative values
// counting from the end, each checked before use.
#include "ops/common/kernel_util.h"
#include "ops/tensor/element_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

struct GatherNdDims {
  Shape out;
  int64_t batches = 1;       // product of the batch dims
  int64_t tuples = 1;        // index tuples per batch
  int64_t k = 0;             // tuple length
  int64_t slice = 1;         // elements per gathered slice
  int64_t batch_stride = 1;  // data elements per batch
};

class GatherNdKernel : public Kernel {
 public:
  explicit GatherNdKernel(const BuildContext& ctx) {
    if (ctx.node.inputs.size() != 2 || !ctx.has_input(0) || !ctx.has_input(1))
      throw Error(Stage::Build, "GatherND expects 2 inputs");
    dtype_ = ctx.input_dtype(0);
    dispatch_index(ctx.input_dtype(1), Stage::Build, "GatherND indices", [](auto) {});
    batch_dims_ = ctx.opset >= 12 ? ctx.attrs.get_int("batch_dims", 0) : 0;
    if (batch_dims_ < 0) throw Error(Stage::Build, "GatherND batch_dims must be >= 0");
  }

  void infer(InferContext& ctx) override {
    const Shape* data = ctx.input_shape(0);
    const Shape* idx = ctx.input_shape(1);
    if (data && idx)
      ctx.set_output(0, dtype_, dims(*data, *idx, Stage::Plan).out);
    else
      ctx.set_output_dtype(0, dtype_);
  }

  void run(RunContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    const Tensor& idx = ctx.input(1);
    const GatherNdDims g = dims(data.shape(), idx.shape(), Stage::Run);
    Tensor& y = output_for(ctx, 0, dtype_, g.out);
    const size_t b = static_cast<size_t>(batch_dims_);
    const std::vector<int64_t> ds = strides_of(data.shape());
    dispatch_index(idx.dtype(), Stage::Run, "GatherND indices", [&](auto itag) {
      using I = typename decltype(itag)::type;
      const I* ind = static_cast<const I*>(idx.raw_data());
      // Offsets (within a batch) of every tuple's slice, validated before copying.
      std::vector<int64_t> offsets(static_cast<size_t>(g.batches * g.tuples));
      for (size_t t = 0; t < offsets.size(); ++t) {
        int64_t off = 0;
        for (int64_t j = 0; j < g.k; ++j) {
          const size_t d = b + static_cast<size_t>(j);
          off += resolve_index(static_cast<int64_t>(ind[t * g.k + j]), data.shape()[d]) * ds[d];
        }
        offsets[t] = off;
      }
      if (y.numel() == 0) return;
      dispatch_storage(dtype_, Stage::Run, [&](auto stag) {
        using S = typename decltype(stag)::type;
        const S* src = elements<S>(data);
        S* dst = elements<S>(y);
        for (size_t t = 0; t < offsets.size(); ++t) {
          const int64_t batch = static_cast<int64_t>(t) / g.tuples;
          const S* s = src + batch * g.batch_stride + offsets[t];
          std::copy(s, s + g.slice, dst + static_cast<int64_t>(t) * g.slice);
        }
      });
    });
  }

 private:
  GatherNdDims dims(const Shape& data, const Shape& idx, Stage stage) const {
    const int64_t r = static_cast<int64_t>(data.size()), q = static_cast<int64_t>(idx.size());
    if (r < 1 || q < 1) throw Error(stage, "GatherND data and indices must have rank >= 1");
    if (batch_dims_ >= std::min(r, q))
      throw Error(stage,
                  "GatherND batch_dims " + std::to_string(batch_dims_) + " must be less than both ranks");
    const size_t b = static_cast<size_t>(batch_dims_);
    for (size_t d = 0; d < b; ++d)
      if (data[d] != idx[d])
        throw Error(stage, "GatherND batch dims of data " + shape_to_string(data) + " and indices " +
                               shape_to_string(idx) + " differ");
    GatherNdDims g;
    g.k = idx.back();
    if (g.k < 1 || g.k > r - batch_dims_)
      throw Error(stage, "GatherND indices' last dim " + std::to_string(g.k) + " must be in [1, " +
                             std::to_string(r - batch_dims_) + "]");
    g.batches = dims_product(data, 0, b);
    g.tuples = dims_product(idx, b, idx.size() - 1);
    g.slice = dims_product(data, b + static_cast<size_t>(g.k), data.size());
    g.batch_stride = dims_product(data, b, data.size());
    g.out.assign(idx.begin(), idx.end() - 1);
    g.out.insert(g.out.end(), data.begin() + static_cast<int64_t>(b) + g.k, data.end());
    return g;
  }

  DType dtype_ = DType::Undefined;
  int64_t batch_dims_ = 0;
};

ONNXI_REGISTER_KERNEL("", "GatherND", 11, 13, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new GatherNdKernel(ctx));
});

}  // namespace
}  // namespace onnxi
