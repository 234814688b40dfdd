// The part NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss share: gathering
// -log_prob[n, target[n, d], d] with optional class weights and an ignored target value,
// then reducing (none / sum / weighted mean).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ops/common/dtype_dispatch.h"
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

}  // namespace onnxi::loss
