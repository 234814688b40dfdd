// GRU (opsets 1-7 and 14; layout from 14), gates z, r, h:
//   z = f(X W_z^T + H R_z^T + Wb_z + Rb_z),  r = f(X W_r^T + H R_r^T + Wb_r + Rb_r)
//   h = g(X W_h^T + (r . H) R_h^T + Rb_h + Wb_h)      when linear_before_reset = 0
//   h = g(X W_h^T + r . (H R_h^T + Rb_h) + Wb_h)      otherwise
//   H' = (1 - z) . h + z . H
#include "ops/rnn/rnn_common.h"

namespace onnxi {
namespace {

struct GruCell {
  static constexpr const char* kName = "GRU";
  static constexpr int64_t kGates = 3;
  static constexpr bool kLstm = false;
  static std::vector<std::string> default_activations() { return {"Sigmoid", "Tanh"}; }

  explicit GruCell(const BuildContext& ctx)
      : linear_before_reset(ctx.attrs.get_int("linear_before_reset", 0) != 0) {}

  template <class C>
  void step(const rnn::StepArgs<C>& a) const {
    const int64_t N = a.batch, H = a.hidden, GH = 3 * H;
    C* hr = a.scratch;  // [N, 3H]
    gemm<C>(false, false, N, GH, H, a.h_prev, a.rt, hr, a.pool);
    const rnn::Activation &f = a.acts[0], &g = a.acts[1];
    C* reset = a.scratch + N * GH;  // [N, H]: r, then r . H
    C* rh = reset + N * H;          // [N, H]: (r . H) R_h^T
    for (int64_t b = 0; b < N; ++b)
      for (int64_t k = 0; k < H; ++k) {
        const C* xw = a.xw + b * GH;
        const C* h = hr + b * GH;
        const C r = f(a.clipped(xw[H + k] + h[H + k] + a.rb[H + k]));
        reset[b * H + k] = linear_before_reset ? r : r * a.h_prev[b * H + k];
      }
    if (!linear_before_reset) gemm<C>(false, false, N, H, H, reset, a.rt_last, rh, a.pool);
    for (int64_t b = 0; b < N; ++b)
      for (int64_t k = 0; k < H; ++k) {
        const C* xw = a.xw + b * GH;
        const C* h = hr + b * GH;
        const C z = f(a.clipped(xw[k] + h[k] + a.rb[k]));
        const C pre = linear_before_reset
                          ? xw[2 * H + k] + reset[b * H + k] * (h[2 * H + k] + a.rb[2 * H + k])
                          : xw[2 * H + k] + rh[b * H + k] + a.rb[2 * H + k];
        const C hh = g(a.clipped(pre));
        a.h_new[b * H + k] = (C(1) - z) * hh + z * a.h_prev[b * H + k];
      }
  }

  bool linear_before_reset;
};

ONNXI_REGISTER_KERNEL("", "GRU", 1, 22, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new rnn::RecurrentKernel<GruCell>(ctx));
});

}  // namespace
}  // namespace onnxi
