// What RNN, GRU and LSTM share: attributes (direction, hidden_size, activations with
// alpha/beta, clip, layout), input validation, and the driver that runs a cell over the
// sequence in each direction honouring sequence_lens, initial states and both layouts.
//
// A cell type provides the op name, gate count, default activations and a step:
//   template <class C> void step(const StepArgs<C>&) const;
// The driver computes X_t * W^T + Wb for all steps up front (one GEMM per direction), and
// hands the cell the recurrent weights; the cell adds the recurrent part and the
// recurrent bias Rb (GRU applies Rb of its hidden gate differently).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ops/common/dtype_dispatch.h"
#include "ops/common/kernel_util.h"
#include "ops/math/gemm_core.h"
#include "runtime/kernel.h"

namespace onnxi::rnn {

#define ONNXI_RNN_ACTIVATIONS(X)                    \
  X(Relu, "Relu", 0, 0, 0)                          \
  X(Tanh, "Tanh", 0, 0, 0)                          \
  X(Sigmoid, "Sigmoid", 0, 0, 0)                    \
  X(Affine, "Affine", 2, 1.0f, 0.0f)                \
  X(LeakyRelu, "LeakyRelu", 1, 0.01f, 0)            \
  X(ThresholdedRelu, "ThresholdedRelu", 1, 1.0f, 0) \
  X(ScaledTanh, "ScaledTanh", 2, 1.0f, 1.0f)        \
  X(HardSigmoid, "HardSigmoid", 2, 0.2f, 0.5f)      \
  X(Elu, "Elu", 1, 1.0f, 0)                         \
  X(Softsign, "Softsign", 0, 0, 0)                  \
  X(Softplus, "Softplus", 0, 0, 0)

// X(enum, ONNX name, number of parameters it takes (alpha, then beta), default alpha, default beta)
enum class ActKind {
#define ONNXI_X(e, name, nparams, a, b) e,
  ONNXI_RNN_ACTIVATIONS(ONNXI_X)
#undef ONNXI_X
};

struct Activation {
  ActKind kind = ActKind::Tanh;
  float alpha = 0, beta = 0;

  template <class C>
  C operator()(C x) const {
    switch (kind) {
      case ActKind::Relu:
        return x > C(0) ? x : C(0);
      case ActKind::Tanh:
        return std::tanh(x);
      case ActKind::Sigmoid:
        return x >= C(0) ? C(1) / (C(1) + std::exp(-x)) : std::exp(x) / (C(1) + std::exp(x));
      case ActKind::Affine:
        return C(alpha) * x + C(beta);
      case ActKind::LeakyRelu:
        return x >= C(0) ? x : C(alpha) * x;
      case ActKind::ThresholdedRelu:
        return x > C(alpha) ? x : C(0);
      case ActKind::ScaledTanh:
        return C(alpha) * std::tanh(C(beta) * x);
      case ActKind::HardSigmoid:
        return std::clamp(C(alpha) * x + C(beta), C(0), C(1));
      case ActKind::Elu:
        return x >= C(0) ? x : C(alpha) * (std::exp(x) - C(1));
      case ActKind::Softsign:
        return x / (C(1) + std::fabs(x));
      case ActKind::Softplus:
        return x > C(20) ? x : std::log1p(std::exp(x));
    }
    return x;
  }
};

enum class Direction { Forward, Reverse, Bidirectional };

struct RnnConfig {
  std::string op;
  int64_t gates = 1;
  Direction direction = Direction::Forward;
  int64_t num_directions = 1;
  std::optional<int64_t> hidden_size;  // else taken from R
  std::optional<float> clip;
  int64_t layout = 0;                   // 0: [seq, batch, ...]; 1: [batch, seq, ...]
  std::vector<Activation> activations;  // per_direction entries per direction
  size_t per_direction = 1;
  bool has_cell_state = false;  // LSTM: initial_c input 6, Y_c output 2
  bool has_peepholes = false;   // LSTM: P input 7
};

// Reads the attributes common to the family. `default_acts` are the activation names of
// one direction. Throws Error(Stage::Build).
RnnConfig read_rnn_config(const BuildContext& ctx, const std::string& op, int64_t gates,
                          const std::vector<std::string>& default_acts, bool lstm);

// Dimensions of one run, validated against every input.
struct RnnDims {
  int64_t seq = 0, batch = 0, input = 0, hidden = 0;
};

// Validates the shapes known so far (nullptr = unknown or omitted) and returns the dims when
// X, W and R are known. Throws Error(stage).
std::optional<RnnDims> rnn_dims(const RnnConfig& cfg, const std::vector<const Shape*>& shapes, Stage stage);

// Output shapes: Y, Y_h (and Y_c).
Shape rnn_y_shape(const RnnConfig& cfg, const RnnDims& d);
Shape rnn_state_shape(const RnnConfig& cfg, const RnnDims& d);

// Everything a cell's step needs, for one direction and one time step. All matrices are
// row-major; gate blocks follow the op's gate order.
template <class C>
struct StepArgs {
  int64_t batch = 0, hidden = 0;
  const C* xw = nullptr;             // [batch, G*H]: X_t * W^T + Wb
  const C* rt = nullptr;             // [H, G*H]: R^T
  const C* rt_last = nullptr;        // [H, H]: the last gate's block of R, transposed (GRU)
  const C* rb = nullptr;             // [G*H]: recurrent bias (zeros when B is absent)
  const C* p = nullptr;              // [3H] peepholes (LSTM; zeros when absent)
  const C* h_prev = nullptr;         // [batch, H]
  const C* c_prev = nullptr;         // [batch, H] (LSTM)
  C* h_new = nullptr;                // [batch, H]
  C* c_new = nullptr;                // [batch, H] (LSTM)
  C* scratch = nullptr;              // [2, batch, G*H]
  const Activation* acts = nullptr;  // this direction's activations
  std::optional<float> clip;
  pthreadpool_t pool = nullptr;

  C clipped(C v) const { return clip ? std::clamp(v, C(-*clip), C(*clip)) : v; }
};

// Reads a float-like tensor into a compute-type buffer.
template <class C, class T>
void load_buffer(const Tensor& t, std::vector<C>& out) {
  out.resize(static_cast<size_t>(t.numel()));
  const T* p = t.data<T>();
  for (int64_t i = 0; i < t.numel(); ++i) out[i] = static_cast<C>(load_elem(p[i]));
}

template <class Cell>
class RecurrentKernel : public Kernel {
 public:
  explicit RecurrentKernel(const BuildContext& ctx)
      : cfg_(read_rnn_config(ctx, Cell::kName, Cell::kGates, Cell::default_activations(), Cell::kLstm)),
        cell_(ctx) {
    dtype_ = ctx.input_dtype(0);
    if (!dtype_in(dtype_, kFloatDTypes))
      throw Error(Stage::Build, cfg_.op + " does not support " + std::string(dtype_name(dtype_)));
    for (size_t i : {1, 2, 3, 5, 6, 7})
      if (ctx.has_input(i) && ctx.input_dtype(i) != dtype_)
        throw Error(Stage::Build, cfg_.op + " input " + std::to_string(i) + " must have X's dtype");
    if (ctx.has_input(4) && ctx.input_dtype(4) != DType::Int32 && ctx.input_dtype(4) != DType::Int64)
      throw Error(Stage::Build, "sequence_lens must be int32");
    std::vector<const Shape*> shapes;
    for (size_t i = 0; i < ctx.num_inputs(); ++i)
      shapes.push_back(ctx.has_input(i) && ctx.inputs[i].shape_known ? &ctx.inputs[i].shape : nullptr);
    rnn_dims(cfg_, shapes, Stage::Build);
  }

  void infer(InferContext& ctx) override {
    std::vector<const Shape*> shapes;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) shapes.push_back(ctx.input_shape(i));
    std::optional<RnnDims> d = rnn_dims(cfg_, shapes, Stage::Plan);
    const size_t nout = cfg_.has_cell_state ? 3 : 2;
    for (size_t i = 0; i < nout; ++i) {
      if (!d)
        ctx.set_output_dtype(i, dtype_);
      else
        ctx.set_output(i, dtype_, i == 0 ? rnn_y_shape(cfg_, *d) : rnn_state_shape(cfg_, *d));
    }
  }

  void run(RunContext& ctx) const override {
    std::vector<const Shape*> shapes;
    for (size_t i = 0; i < ctx.num_inputs(); ++i)
      shapes.push_back(ctx.has_input(i) ? &ctx.input(i).shape() : nullptr);
    std::optional<RnnDims> d = rnn_dims(cfg_, shapes, Stage::Run);
    if (!d) throw Error(Stage::Run, cfg_.op + " needs X, W and R");
    visit_dtype<kFloatDTypes>(dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      using C = std::conditional_t<std::is_same_v<T, double>, double, float>;
      run_typed<T, C>(ctx, *d);
    });
  }

 private:
  template <class T, class C>
  void run_typed(RunContext& ctx, const RnnDims& d) const {
    const int64_t S = d.seq, N = d.batch, I = d.input, H = d.hidden, G = cfg_.gates;
    const int64_t D = cfg_.num_directions, GH = G * H;
    // Sequence lengths (validated).
    std::vector<int64_t> lens(static_cast<size_t>(N), S);
    if (ctx.has_input(4)) {
      std::vector<int64_t> v = read_int_values(ctx.input(4), "sequence_lens");
      for (size_t b = 0; b < v.size(); ++b) {
        if (v[b] < 0 || v[b] > S)
          throw Error(Stage::Run, "sequence_lens value " + std::to_string(v[b]) + " is outside [0, " +
                                      std::to_string(S) + "]");
        lens[b] = v[b];
      }
    }
    // X as [S, N, I].
    std::vector<C> x, w, r, bias, h0, c0, peep;
    load_buffer<C, T>(ctx.input(0), x);
    if (cfg_.layout == 1) x = swap_leading(x, N, S, I);
    load_buffer<C, T>(ctx.input(1), w);
    load_buffer<C, T>(ctx.input(2), r);
    if (ctx.has_input(3))
      load_buffer<C, T>(ctx.input(3), bias);
    else
      bias.assign(static_cast<size_t>(D * 2 * GH), C(0));
    // Initial states as [D, N, H].
    auto load_state = [&](size_t idx, std::vector<C>& s) {
      if (ctx.has_input(idx)) {
        load_buffer<C, T>(ctx.input(idx), s);
        if (cfg_.layout == 1) s = swap_leading(s, N, D, H);
      } else {
        s.assign(static_cast<size_t>(D * N * H), C(0));
      }
    };
    load_state(5, h0);
    if (cfg_.has_cell_state) load_state(6, c0);
    if (cfg_.has_peepholes && ctx.has_input(7))
      load_buffer<C, T>(ctx.input(7), peep);
    else
      peep.assign(static_cast<size_t>(D * 3 * H), C(0));

    Tensor* y = ctx.has_output(0) ? &output_for(ctx, 0, dtype_, rnn_y_shape(cfg_, d)) : nullptr;
    Tensor* yh = ctx.has_output(1) ? &output_for(ctx, 1, dtype_, rnn_state_shape(cfg_, d)) : nullptr;
    Tensor* yc = cfg_.has_cell_state && ctx.has_output(2)
                     ? &output_for(ctx, 2, dtype_, rnn_state_shape(cfg_, d))
                     : nullptr;
    T* y_data = y ? y->data<T>() : nullptr;
    if (y) std::fill(y_data, y_data + y->numel(), store_elem<T>(compute_t<T>(0)));

    std::vector<C> xw(static_cast<size_t>(S * N * GH)), rt(static_cast<size_t>(H * GH)),
        rt_last(static_cast<size_t>(H * H)), step_xw(static_cast<size_t>(N * GH)),
        scratch(static_cast<size_t>(2 * N * GH)), h(static_cast<size_t>(N * H)),
        c(static_cast<size_t>(N * H)), h_new(static_cast<size_t>(N * H)), c_new(static_cast<size_t>(N * H));
    for (int64_t dir = 0; dir < D; ++dir) {
      const bool reverse = cfg_.direction == Direction::Reverse || dir == 1;
      const C* wd = w.data() + dir * GH * I;
      const C* rd = r.data() + dir * GH * H;
      const C* wb = bias.data() + dir * 2 * GH;
      const C* rb = wb + GH;
      // X * W^T + Wb for every step at once.
      gemm<C>(false, true, S * N, GH, I, x.data(), wd, xw.data(), ctx.threadpool());
      for (int64_t row = 0; row < S * N; ++row)
        for (int64_t j = 0; j < GH; ++j) xw[row * GH + j] += wb[j];
      for (int64_t g = 0; g < GH; ++g)
        for (int64_t k = 0; k < H; ++k) rt[k * GH + g] = rd[g * H + k];
      for (int64_t g = 0; g < H; ++g)
        for (int64_t k = 0; k < H; ++k) rt_last[k * H + g] = rd[((G - 1) * H + g) * H + k];
      std::copy(h0.begin() + dir * N * H, h0.begin() + (dir + 1) * N * H, h.begin());
      if (cfg_.has_cell_state) std::copy(c0.begin() + dir * N * H, c0.begin() + (dir + 1) * N * H, c.begin());

      StepArgs<C> a;
      a.batch = N;
      a.hidden = H;
      a.xw = step_xw.data();
      a.rt = rt.data();
      a.rt_last = rt_last.data();
      a.rb = rb;
      a.p = peep.data() + dir * 3 * H;
      a.h_prev = h.data();
      a.c_prev = c.data();
      a.h_new = h_new.data();
      a.c_new = c_new.data();
      a.scratch = scratch.data();
      a.acts = cfg_.activations.data() + dir * cfg_.per_direction;
      a.clip = cfg_.clip;
      a.pool = ctx.threadpool();
      for (int64_t s = 0; s < S; ++s) {
        // Batch entry b reads time step t(b): s forward; lens[b] - 1 - s in reverse.
        bool any = false;
        for (int64_t b = 0; b < N; ++b) {
          const bool valid = s < lens[b];
          any = any || valid;
          const int64_t t = reverse ? lens[b] - 1 - s : s;
          C* dst = step_xw.data() + b * GH;
          if (valid)
            std::copy(xw.begin() + (t * N + b) * GH, xw.begin() + (t * N + b + 1) * GH, dst);
          else
            std::fill(dst, dst + GH, C(0));
        }
        if (!any) break;
        cell_.template step<C>(a);
        for (int64_t b = 0; b < N; ++b) {
          if (s >= lens[b]) continue;  // finished: the state stays, Y stays zero
          const int64_t t = reverse ? lens[b] - 1 - s : s;
          std::copy(h_new.begin() + b * H, h_new.begin() + (b + 1) * H, h.begin() + b * H);
          if (cfg_.has_cell_state)
            std::copy(c_new.begin() + b * H, c_new.begin() + (b + 1) * H, c.begin() + b * H);
          if (y_data) {
            // Y: [S, D, N, H] or [N, S, D, H].
            const int64_t off = cfg_.layout == 0 ? ((t * D + dir) * N + b) * H : ((b * S + t) * D + dir) * H;
            for (int64_t k = 0; k < H; ++k)
              y_data[off + k] = store_elem<T>(static_cast<compute_t<T>>(h[b * H + k]));
          }
        }
      }
      // Y_h / Y_c: [D, N, H] or [N, D, H].
      auto store_state = [&](Tensor* out, const std::vector<C>& st) {
        if (!out) return;
        T* o = out->data<T>();
        for (int64_t b = 0; b < N; ++b) {
          const int64_t off = cfg_.layout == 0 ? (dir * N + b) * H : (b * D + dir) * H;
          for (int64_t k = 0; k < H; ++k)
            o[off + k] = store_elem<T>(static_cast<compute_t<T>>(st[b * H + k]));
        }
      };
      store_state(yh, h);
      if (cfg_.has_cell_state) store_state(yc, c);
    }
  }

  // [A, B, K] -> [B, A, K].
  template <class C>
  static std::vector<C> swap_leading(const std::vector<C>& v, int64_t A, int64_t B, int64_t K) {
    std::vector<C> out(v.size());
    for (int64_t a = 0; a < A; ++a)
      for (int64_t b = 0; b < B; ++b)
        std::copy(v.begin() + (a * B + b) * K, v.begin() + (a * B + b + 1) * K,
                  out.begin() + (b * A + a) * K);
    return out;
  }

  RnnConfig cfg_;
  Cell cell_;
  DType dtype_ = DType::Undefined;
};

}  // namespace onnxi::rnn
