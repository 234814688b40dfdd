// TensorScatter (opset 24): writes `update` into a copy of `past_cache` along the sequence
// axis (`axis`, not 0), at the position write_indices[b] of each batch entry b (0 when the
// input is omitted). Mode "linear" requires write_indices[b] + sequence_length <=
// max_sequence_length; "circular" wraps the position modulo max_sequence_length. The
// caches and the update differ only in the axis dim. Any dtype with storage.
#include "ops/common/kernel_util.h"
#include "ops/tensor/element_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

class TensorScatterKernel : public Kernel {
 public:
  explicit TensorScatterKernel(const BuildContext& ctx) {
    if (!ctx.has_input(0) || !ctx.has_input(1))
      throw Error(Stage::Build, "TensorScatter expects past_cache and update inputs");
    dtype_ = ctx.input_dtype(0);
    if (ctx.input_dtype(1) != dtype_)
      throw Error(Stage::Build, "TensorScatter update has dtype " + dtype_str(ctx.input_dtype(1)) +
                                    ", past_cache " + dtype_str(dtype_));
    if (ctx.has_input(2) && ctx.input_dtype(2) != DType::Int64)
      throw Error(Stage::Build, "TensorScatter write_indices must be int64, got " + dtype_str(ctx.input_dtype(2)));
    const std::string mode = ctx.attrs.get_string("mode", "linear");
    if (mode != "linear" && mode != "circular")
      throw Error(Stage::Build, "TensorScatter mode must be 'linear' or 'circular', got '" + mode + "'");
    circular_ = mode == "circular";
    axis_ = ctx.attrs.get_int("axis", -2);
  }

  void infer(InferContext& ctx) override {
    const Shape* past = ctx.input_shape(0);
    const Shape* upd = ctx.input_shape(1);
    if (past && upd) check_shapes(*past, *upd, Stage::Plan);
    if (past)
      ctx.set_output(0, dtype_, *past);
    else
      ctx.set_output_dtype(0, dtype_);
  }

  void run(RunContext& ctx) const override {
    const Tensor& past = ctx.input(0);
    const Tensor& upd = ctx.input(1);
    const size_t axis = check_shapes(past.shape(), upd.shape(), Stage::Run);
    const int64_t batch = past.shape()[0];
    std::vector<int64_t> write(static_cast<size_t>(batch), 0);
    if (ctx.has_input(2)) {
      const Tensor& w = ctx.input(2);
      if (w.shape() != Shape{batch})
        throw Error(Stage::Run, "TensorScatter write_indices has shape " + shape_to_string(w.shape()) +
                                    ", expected [" + std::to_string(batch) + "]");
      write = read_int_values(w, "write_indices");
    }
    const int64_t max_len = past.shape()[axis], len = upd.shape()[axis];
    if (!circular_) {
      for (int64_t b = 0; b < batch; ++b)
        if (write[b] < 0 || write[b] > max_len - len)
          throw Error(Stage::Run, "TensorScatter write index " + std::to_string(write[b]) + " of batch " +
                                      std::to_string(b) + " with " + std::to_string(len) +
                                      " updates does not fit a sequence of " + std::to_string(max_len) +
                                      " (linear mode)");
    } else if (max_len == 0 && len > 0) {
      throw Error(Stage::Run, "TensorScatter cannot wrap into an empty sequence axis");
    }
    Tensor& out = output_for(ctx, 0, dtype_, past.shape());
    copy_elements(past, out);
    if (upd.numel() == 0) return;
    const int64_t outer = dims_product(past.shape(), 0, axis);  // prefixes, batch major
    const int64_t per_batch = outer / batch;
    const int64_t inner = dims_product(past.shape(), axis + 1, past.rank());
    dispatch_storage(dtype_, Stage::Run, [&](auto tag) {
      using S = typename decltype(tag)::type;
      const S* src = elements<S>(upd);
      S* dst = elements<S>(out);
      for (int64_t o = 0; o < outer; ++o) {
        const int64_t start = write[o / per_batch];
        for (int64_t s = 0; s < len; ++s) {
          int64_t pos = start + s;
          if (circular_) pos = ((pos % max_len) + max_len) % max_len;
          const S* from = src + (o * len + s) * inner;
          std::copy(from, from + inner, dst + (o * max_len + pos) * inner);
        }
      }
    });
  }

 private:
  // Checks the update against the cache and returns the sequence axis.
  size_t check_shapes(const Shape& past, const Shape& upd, Stage stage) const {
    const int64_t r = static_cast<int64_t>(past.size());
    if (r < 2) throw Error(stage, "TensorScatter past_cache must have rank >= 2, got " + shape_to_string(past));
    if (axis_ < -r || axis_ >= r)
      throw Error(stage, "TensorScatter axis " + std::to_string(axis_) + " is out of range for rank " +
                             std::to_string(r));
    const size_t axis = static_cast<size_t>(axis_ < 0 ? axis_ + r : axis_);
    if (axis == 0) throw Error(stage, "TensorScatter axis cannot be the batch dim 0");
    bool ok = upd.size() == past.size();
    for (size_t d = 0; ok && d < past.size(); ++d) ok = d == axis ? upd[d] <= past[d] : upd[d] == past[d];
    if (!ok)
      throw Error(stage, "TensorScatter update " + shape_to_string(upd) + " does not fit past_cache " +
                             shape_to_string(past) + " (same dims except a no longer axis " +
                             std::to_string(axis) + ")");
    return axis;
  }

  DType dtype_ = DType::Undefined;
  bool circular_ = false;
  int64_t axis_ = -2;
};

ONNXI_REGISTER_KERNEL("", "TensorScatter", 24, 24, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new TensorScatterKernel(ctx));
});

}  // namespace
}  // namespace onnxi
