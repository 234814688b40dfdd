// The part NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss share: gathering
// -log_prob[n, target[n, d], d] with optional class weights and an ignored target value,
// then reducing (none / sum / weighted mean); and the kernel base class that checks their
// common inputs (scores, targets, optional class weights) and shapes their loss output.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ops/common/dtype_dispatch.h"
#include "ops/common/kernel_util.h"
#include "runtime/kernel.h"

namespace onnxi::loss {

enum class Reduction { None, Sum, Mean };

struct NllConfig {
  Reduction reduction = Reduction::Mean;
  std::optional<int64_t> ignore_index;
};

// Reads `reduction` and `ignore_index`; throws Error(Stage::Build) for an unknown reduction.
inline NllConfig read_nll_config(const BuildContext& ctx) {
  NllConfig c;
  const std::string r = ctx.attrs.get_string("reduction", "mean");
  if (r == "none")
    c.reduction = Reduction::None;
  else if (r == "sum")
    c.reduction = Reduction::Sum;
  else if (r == "mean")
    c.reduction = Reduction::Mean;
  else
    throw Error(Stage::Build, "unknown reduction '" + r + "'");
  if (ctx.attrs.has("ignore_index")) c.ignore_index = ctx.attrs.get_int("ignore_index");
  return c;
}

// Checks input [N, C, d...] against target [N, d...] and weight [C]; returns the loss shape
// (target's shape for reduction none, else a scalar).
inline Shape nll_output_shape(const NllConfig& c, const Shape& input, const Shape& target,
                              const Shape* weight, Stage stage) {
  if (input.size() < 2) throw Error(stage, "input must have rank >= 2, got " + shape_to_string(input));
  bool ok = target.size() + 1 == input.size() && target[0] == input[0];
  for (size_t i = 1; ok && i < target.size(); ++i) ok = target[i] == input[i + 1];
  if (!ok)
    throw Error(stage,
                "target " + shape_to_string(target) + " does not match input " + shape_to_string(input));
  if (weight && (weight->size() != 1 || (*weight)[0] != input[1]))
    throw Error(stage,
                "weight " + shape_to_string(*weight) + " must be [C] with C = " + std::to_string(input[1]));
  return c.reduction == Reduction::None ? target : Shape{};
}

// The target dtypes both ops accept.
inline bool nll_target_dtype_ok(DType t) { return t == DType::Int32 || t == DType::Int64; }

namespace detail {
template <class I, class T>
void nll_compute_typed(const NllConfig& c, const T* logp, int64_t N, int64_t C, int64_t D, const I* target,
                       const T* weight, T* out) {
  double loss_sum = 0, weight_sum = 0;
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t d = 0; d < D; ++d) {
      const int64_t idx = n * D + d;
      const int64_t t = static_cast<int64_t>(target[idx]);
      double loss = 0, w = 0;
      if (!(c.ignore_index && t == *c.ignore_index)) {
        if (t < 0 || t >= C)
          throw Error(Stage::Run,
                      "target " + std::to_string(t) + " is out of range [0, " + std::to_string(C) + ")");
        w = weight ? static_cast<double>(load_elem(weight[t])) : 1.0;
        // Rounded to T like the per-element losses of the reference.
        loss = static_cast<double>(
            load_elem(store_elem<T>(static_cast<compute_t<T>>(-w * load_elem(logp[(n * C + t) * D + d])))));
      }
      if (c.reduction == Reduction::None) out[idx] = store_elem<T>(static_cast<compute_t<T>>(loss));
      loss_sum += loss;
      weight_sum += w;
    }
  }
  if (c.reduction == Reduction::Sum) out[0] = store_elem<T>(static_cast<compute_t<T>>(loss_sum));
  if (c.reduction == Reduction::Mean)
    out[0] = store_elem<T>(static_cast<compute_t<T>>(loss_sum / weight_sum));  // 0/0 -> NaN when all ignored
}
}  // namespace detail

// Computes the loss from log-probabilities `logp` laid out [N, C, D] into `out` (the
// output tensor, already shaped). Throws Error(Stage::Run) on an out-of-range target.
template <class T>
void nll_compute(const NllConfig& c, const T* logp, const Shape& input_shape, const Tensor& target,
                 const T* weight, T* out) {
  const int64_t N = input_shape[0], C = input_shape[1];
  int64_t D = 1;
  for (size_t i = 2; i < input_shape.size(); ++i) D *= input_shape[i];
  if (target.dtype() == DType::Int64)
    detail::nll_compute_typed(c, logp, N, C, D, target.data<int64_t>(), weight, out);
  else
    detail::nll_compute_typed(c, logp, N, C, D, target.data<int32_t>(), weight, out);
}

// Input 0 (log-probabilities or scores [N, C, d...]), input 1 (targets [N, d...], int32
// or int64), optional input 2 (class weights [C]); output 0 the loss.
class NllKernelBase : public Kernel {
 protected:
  // How the op names its inputs in build errors.
  struct Names {
    const char* op;            // "NegativeLogLikelihoodLoss"
    const char* usage;         // the message for a wrong input count
    const char* target;        // "target"
    const char* weight_dtype;  // the message for a weight of another dtype
  };

  NllKernelBase(const BuildContext& ctx, const Names& names) : cfg_(read_nll_config(ctx)) {
    if (!ctx.has_input(0) || !ctx.has_input(1) || ctx.node.inputs.size() > 3)
      throw Error(Stage::Build, names.usage);
    dtype_ = ctx.input_dtype(0);
    if (!dtype_in(dtype_, kFloatDTypes))
      throw Error(Stage::Build,
                  std::string(names.op) + " does not support " + std::string(dtype_name(dtype_)));
    if (!nll_target_dtype_ok(ctx.input_dtype(1)))
      throw Error(Stage::Build, std::string(names.target) + " must be int32 or int64");
    has_weight_ = ctx.has_input(2);
    if (has_weight_ && ctx.input_dtype(2) != dtype_) throw Error(Stage::Build, names.weight_dtype);
  }

  // Sets output 0 and returns input 0's shape; when a shape is unknown, sets only the
  // dtype of every output and returns null.
  const Shape* infer_loss(InferContext& ctx) const {
    const Shape* x = ctx.input_shape(0);
    const Shape* t = ctx.input_shape(1);
    const Shape* w = has_weight_ ? ctx.input_shape(2) : nullptr;
    if (!x || !t || (has_weight_ && !w)) {
      for (size_t i = 0; i < ctx.num_outputs(); ++i) ctx.set_output_dtype(i, dtype_);
      return nullptr;
    }
    ctx.set_output(0, dtype_, nll_output_shape(cfg_, *x, *t, w, Stage::Plan));
    return x;
  }

  // Output 0, shaped for this run's inputs (which it checks).
  Tensor& loss_output(RunContext& ctx) const {
    const Tensor* w = has_weight_ ? &ctx.input(2) : nullptr;
    return output_for(ctx, 0, dtype_,
                      nll_output_shape(cfg_, ctx.input(0).shape(), ctx.input(1).shape(),
                                       w ? &w->shape() : nullptr, Stage::Run));
  }

  // The loss of log-probabilities `logp` (laid out like input 0) into `y`.
  template <class T>
  void compute_loss(RunContext& ctx, const T* logp, Tensor& y) const {
    const T* w = has_weight_ ? ctx.input(2).data<T>() : nullptr;
    nll_compute<T>(cfg_, logp, ctx.input(0).shape(), ctx.input(1), w, y.data<T>());
  }

  NllConfig cfg_;
  DType dtype_ = DType::Undefined;
  bool has_weight_ = false;
};

}  // namespace onnxi::loss
