// RNN (opsets 1-7 and 14; layout from 14): H_t = f(X_t W^T + H_{t-1} R^T + Wb + Rb).
#include "ops/rnn/rnn_common.h"

namespace onnxi {
namespace {

struct RnnCell {
  static constexpr const char* kName = "RNN";
  static constexpr int64_t kGates = 1;
  static constexpr bool kLstm = false;
  static std::vector<std::string> default_activations() { return {"Tanh"}; }

  explicit RnnCell(const BuildContext&) {}

  template <class C>
  void step(const rnn::StepArgs<C>& a) const {
    const int64_t N = a.batch, H = a.hidden;
    C* hr = a.scratch;
    gemm<C>(false, false, N, H, H, a.h_prev, a.rt, hr, a.pool);
    const rnn::Activation& f = a.acts[0];
    for (int64_t b = 0; b < N; ++b)
      for (int64_t k = 0; k < H; ++k) {
        const int64_t i = b * H + k;
        a.h_new[i] = f(a.clipped(a.xw[i] + hr[i] + a.rb[k]));
      }
  }
};

ONNXI_REGISTER_KERNEL("", "RNN", 1, 22, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new rnn::RecurrentKernel<RnnCell>(ctx));
});

}  // namespace
}  // namespace onnxi
