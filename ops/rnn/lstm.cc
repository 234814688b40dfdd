// LSTM (opsets 1-7 and 14; layout from 14), gates i, o, f, c; peepholes P = [Pi, Po, Pf]:
//   i = f(X W_i^T + H R_i^T + Pi . C + Wb_i + Rb_i)
//   f = f(X W_f^T + H R_f^T + Pf . C + Wb_f + Rb_f)   (1 - i when input_forget)
//   c = g(X W_c^T + H R_c^T + Wb_c + Rb_c)
//   C' = f . C + i . c
//   o = f(X W_o^T + H R_o^T + Po . C' + Wb_o + Rb_o)
//   H' = o . h(C')
#include "ops/rnn/rnn_common.h"

namespace onnxi {
namespace {

struct LstmCell {
  static constexpr const char* kName = "LSTM";
  static constexpr int64_t kGates = 4;
  static constexpr bool kLstm = true;
  static std::vector<std::string> default_activations() { return {"Sigmoid", "Tanh", "Tanh"}; }

  explicit LstmCell(const BuildContext& ctx) : input_forget(ctx.attrs.get_int("input_forget", 0) != 0) {}

  template <class C>
  void step(const rnn::StepArgs<C>& a) const {
    const int64_t N = a.batch, H = a.hidden, GH = 4 * H;
    C* hr = a.scratch;  // [N, 4H]
    gemm<C>(false, false, N, GH, H, a.h_prev, a.rt, hr, a.pool);
    const rnn::Activation &f = a.acts[0], &g = a.acts[1], &h = a.acts[2];
    const C *pi = a.p, *po = a.p + H, *pf = a.p + 2 * H;
    for (int64_t b = 0; b < N; ++b) {
      const C* xw = a.xw + b * GH;
      const C* r = hr + b * GH;
      for (int64_t k = 0; k < H; ++k) {
        auto pre = [&](int64_t gate) { return xw[gate * H + k] + r[gate * H + k] + a.rb[gate * H + k]; };
        const C c_prev = a.c_prev[b * H + k];
        const C ig = f(a.clipped(pre(0) + pi[k] * c_prev));
        const C fg = input_forget ? C(1) - ig : f(a.clipped(pre(2) + pf[k] * c_prev));
        const C cg = g(a.clipped(pre(3)));
        const C c = fg * c_prev + ig * cg;
        const C og = f(a.clipped(pre(1) + po[k] * c));
        a.c_new[b * H + k] = c;
        a.h_new[b * H + k] = og * h(c);
      }
    }
  }

  bool input_forget;
};

ONNXI_REGISTER_KERNEL("", "LSTM", 1, 22, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new rnn::RecurrentKernel<LstmCell>(ctx));
});

}  // namespace
}  // namespace onnxi
