// RNN, GRU and LSTM against a double-precision reference written here: directions,
// sequence_lens, initial states, peepholes, clip, activations with alpha/beta,
// linear_before_reset, input_forget, and layout 1 against layout 0.
#include <cmath>
#include <functional>

#include "tests/harness/tensor_values.h"

using namespace onnxi;
using namespace onnxi::test;

namespace {

using Act = std::function<double(double)>;

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

struct RnnCase {
  std::string op = "LSTM";
  std::string direction = "forward";
  int64_t seq = 3, batch = 2, input = 3, hidden = 4;
  bool bias = true, seq_lens = false, init_h = false, init_c = false, peep = false;
  std::optional<float> clip;
  bool linear_before_reset = false, input_forget = false;
  bool custom_acts = false;  // LeakyRelu(0.2)/HardSigmoid(0.3, 0.4)/ScaledTanh(0.9, 1.1)
};

int64_t gates_of(const std::string& op) { return op == "LSTM" ? 4 : op == "GRU" ? 3 : 1; }

struct RnnInputs {
  Tensor x, w, r, b, lens, h0, c0, p;
};

RnnInputs make_inputs(const RnnCase& c, uint64_t seed) {
  const int64_t D = c.direction == "bidirectional" ? 2 : 1, G = gates_of(c.op), H = c.hidden;
  RnnInputs in;
  in.x = random_float({c.seq, c.batch, c.input}, seed, -1, 1);
  in.w = random_float({D, G * H, c.input}, seed + 1, -0.6, 0.6);
  in.r = random_float({D, G * H, H}, seed + 2, -0.6, 0.6);
  if (c.bias) in.b = random_float({D, 2 * G * H}, seed + 3, -0.5, 0.5);
  if (c.seq_lens) {
    std::vector<int32_t> l;
    for (int64_t b = 0; b < c.batch; ++b)
      l.push_back(static_cast<int32_t>(b % 2 == 0 ? c.seq : std::max<int64_t>(c.seq - 1 - b, 0)));
    in.lens = Tensor::from_vector<int32_t>(l, {c.batch});
  }
  if (c.init_h) in.h0 = random_float({D, c.batch, H}, seed + 4, -1, 1);
  if (c.init_c) in.c0 = random_float({D, c.batch, H}, seed + 5, -1, 1);
  if (c.peep) in.p = random_float({D, 3 * H}, seed + 6, -0.5, 0.5);
  return in;
}

struct RnnRef {
  std::vector<double> y, yh, yc;  // layout 0
};

RnnRef reference(const RnnCase& c, const RnnInputs& in) {
  const int64_t D = c.direction == "bidirectional" ? 2 : 1, G = gates_of(c.op), H = c.hidden;
  const int64_t S = c.seq, N = c.batch, I = c.input;
  auto X = values_of(in.x), W = values_of(in.w), R = values_of(in.r);
  std::vector<double> B = in.b.defined() ? values_of(in.b) : std::vector<double>(D * 2 * G * H, 0.0);
  std::vector<double> P = in.p.defined() ? values_of(in.p) : std::vector<double>(D * 3 * H, 0.0);
  std::vector<double> H0 = in.h0.defined() ? values_of(in.h0) : std::vector<double>(D * N * H, 0.0);
  std::vector<double> C0 = in.c0.defined() ? values_of(in.c0) : std::vector<double>(D * N * H, 0.0);
  std::vector<int64_t> lens(N, S);
  if (in.lens.defined())
    for (int64_t b = 0; b < N; ++b) lens[b] = static_cast<int64_t>(get_value(in.lens, b));
  std::vector<Act> acts;
  if (c.custom_acts) {
    Act leaky = [](double x) { return x >= 0 ? x : 0.2 * x; };
    Act hard = [](double x) { return std::clamp(0.3 * x + 0.4, 0.0, 1.0); };
    Act scaled = [](double x) { return 0.9 * std::tanh(1.1 * x); };
    if (c.op == "RNN") acts = {leaky};
    if (c.op == "GRU") acts = {hard, scaled};
    if (c.op == "LSTM") acts = {hard, scaled, leaky};
  } else {
    Act sig = sigmoid;
    Act th = [](double x) { return std::tanh(x); };
    if (c.op == "RNN") acts = {th};
    if (c.op == "GRU") acts = {sig, th};
    if (c.op == "LSTM") acts = {sig, th, th};
  }
  auto clip = [&](double v) { return c.clip ? std::clamp(v, -double(*c.clip), double(*c.clip)) : v; };
  RnnRef out;
  out.y.assign(S * D * N * H, 0.0);
  out.yh.assign(D * N * H, 0.0);
  out.yc.assign(D * N * H, 0.0);
  for (int64_t d = 0; d < D; ++d) {
    const bool reverse = c.direction == "reverse" || d == 1;
    auto w = [&](int64_t g, int64_t k, int64_t i) { return W[((d * G + g) * H + k) * I + i]; };
    auto r = [&](int64_t g, int64_t k, int64_t j) { return R[((d * G + g) * H + k) * H + j]; };
    auto wb = [&](int64_t g, int64_t k) { return B[d * 2 * G * H + g * H + k]; };
    auto rb = [&](int64_t g, int64_t k) { return B[d * 2 * G * H + G * H + g * H + k]; };
    for (int64_t b = 0; b < N; ++b) {
      std::vector<double> h(H), cs(H);
      for (int64_t k = 0; k < H; ++k) h[k] = H0[(d * N + b) * H + k], cs[k] = C0[(d * N + b) * H + k];
      for (int64_t s = 0; s < lens[b]; ++s) {
        const int64_t t = reverse ? lens[b] - 1 - s : s;
        const double* x = &X[(t * N + b) * I];
        auto xw = [&](int64_t g, int64_t k) {
          double v = wb(g, k);
          for (int64_t i = 0; i < I; ++i) v += x[i] * w(g, k, i);
          return v;
        };
        auto hr = [&](int64_t g, int64_t k, const std::vector<double>& hv) {
          double v = 0;
          for (int64_t j = 0; j < H; ++j) v += hv[j] * r(g, k, j);
          return v;
        };
        std::vector<double> hn(H), cn(H);
        if (c.op == "RNN") {
          for (int64_t k = 0; k < H; ++k) hn[k] = acts[0](clip(xw(0, k) + hr(0, k, h) + rb(0, k)));
        } else if (c.op == "GRU") {
          std::vector<double> z(H), rr(H), rh(H);
          for (int64_t k = 0; k < H; ++k) {
            z[k] = acts[0](clip(xw(0, k) + hr(0, k, h) + rb(0, k)));
            rr[k] = acts[0](clip(xw(1, k) + hr(1, k, h) + rb(1, k)));
            rh[k] = rr[k] * h[k];
          }
          for (int64_t k = 0; k < H; ++k) {
            double pre = c.linear_before_reset ? xw(2, k) + rr[k] * (hr(2, k, h) + rb(2, k))
                                               : xw(2, k) + hr(2, k, rh) + rb(2, k);
            double hh = acts[1](clip(pre));
            hn[k] = (1 - z[k]) * hh + z[k] * h[k];
          }
        } else {
          const double* p = &P[d * 3 * H];
          for (int64_t k = 0; k < H; ++k) {
            double ig = acts[0](clip(xw(0, k) + hr(0, k, h) + rb(0, k) + p[k] * cs[k]));
            double fg = c.input_forget
                            ? 1 - ig
                            : acts[0](clip(xw(2, k) + hr(2, k, h) + rb(2, k) + p[2 * H + k] * cs[k]));
            double cg = acts[1](clip(xw(3, k) + hr(3, k, h) + rb(3, k)));
            cn[k] = fg * cs[k] + ig * cg;
            double og = acts[0](clip(xw(1, k) + hr(1, k, h) + rb(1, k) + p[H + k] * cn[k]));
            hn[k] = og * acts[2](cn[k]);
          }
        }
        h = hn;
        if (c.op == "LSTM") cs = cn;
        for (int64_t k = 0; k < H; ++k) out.y[((t * D + d) * N + b) * H + k] = h[k];
      }
      for (int64_t k = 0; k < H; ++k) {
        out.yh[(d * N + b) * H + k] = h[k];
        out.yc[(d * N + b) * H + k] = cs[k];
      }
    }
  }
  return out;
}

NodeRun rnn_node(const RnnCase& c, const RnnInputs& in, int64_t opset = 14) {
  NodeRun r;
  r.op_type = c.op;
  r.opset = opset;
  r.inputs = {in.x, in.w, in.r, in.b, in.lens, in.h0};
  if (c.op == "LSTM") {
    r.inputs.push_back(in.c0);
    r.inputs.push_back(in.p);
  }
  while (!r.inputs.back().defined()) r.inputs.pop_back();
  r.num_outputs = c.op == "LSTM" ? 3 : 2;
  r.attributes = {attr_int("hidden_size", c.hidden), attr_string("direction", c.direction)};
  if (c.clip) r.attributes.push_back(attr_float("clip", *c.clip));
  if (c.linear_before_reset) r.attributes.push_back(attr_int("linear_before_reset", 1));
  if (c.input_forget) r.attributes.push_back(attr_int("input_forget", 1));
  if (c.custom_acts) {
    const int64_t reps = c.direction == "bidirectional" ? 2 : 1;
    Attribute a;
    a.name = "activations";
    a.kind = Attribute::Kind::Strings;
    std::vector<float> alpha, beta;
    for (int64_t i = 0; i < reps; ++i) {
      if (c.op == "RNN") {
        a.strings.insert(a.strings.end(), {"LeakyRelu"});
        alpha.insert(alpha.end(), {0.2f});
      } else if (c.op == "GRU") {
        a.strings.insert(a.strings.end(), {"HardSigmoid", "ScaledTanh"});
        alpha.insert(alpha.end(), {0.3f, 0.9f});
        beta.insert(beta.end(), {0.4f, 1.1f});
      } else {
        a.strings.insert(a.strings.end(), {"HardSigmoid", "ScaledTanh", "LeakyRelu"});
        alpha.insert(alpha.end(), {0.3f, 0.9f, 0.2f});
        beta.insert(beta.end(), {0.4f, 1.1f});
      }
    }
    r.attributes.push_back(a);
    r.attributes.push_back(attr_floats("activation_alpha", alpha));
    if (!beta.empty()) r.attributes.push_back(attr_floats("activation_beta", beta));
  }
  return r;
}

// [A, B, rest...] -> [B, A, rest...]
Tensor swap01(const Tensor& t) {
  Shape s = t.shape();
  std::swap(s[0], s[1]);
  Tensor out(t.dtype(), s);
  const int64_t A = t.dim(0), B = t.dim(1), K = t.numel() / std::max<int64_t>(A * B, 1);
  for (int64_t a = 0; a < A; ++a)
    for (int64_t b = 0; b < B; ++b)
      for (int64_t k = 0; k < K; ++k) set_value(out, (b * A + a) * K + k, get_value(t, (a * B + b) * K + k));
  return out;
}

void check_case(const RnnCase& c, uint64_t seed) {
  RnnInputs in = make_inputs(c, seed);
  RnnRef want = reference(c, in);
  NodeRun r = rnn_node(c, in);
  r.provider = "ref";
  NodeResult res = run_node(r);
  const int64_t D = c.direction == "bidirectional" ? 2 : 1;
  REQUIRE(res.outputs[0].shape() == Shape{c.seq, D, c.batch, c.hidden});
  REQUIRE(res.outputs[1].shape() == Shape{D, c.batch, c.hidden});
  require_values(res.outputs[0], want.y, 1e-4, 1e-5);
  require_values(res.outputs[1], want.yh, 1e-4, 1e-5);
  if (c.op == "LSTM") require_values(res.outputs[2], want.yc, 1e-4, 1e-5);

  // layout = 1: batch-major X, states and Y.
  RnnInputs in1 = in;
  in1.x = swap01(in.x);
  if (in.h0.defined()) in1.h0 = swap01(in.h0);
  if (in.c0.defined()) in1.c0 = swap01(in.c0);
  NodeRun r1 = rnn_node(c, in1);
  r1.attributes.push_back(attr_int("layout", 1));
  r1.provider = "ref";
  NodeResult res1 = run_node(r1);
  // Y [S, D, N, H] -> [N, S, D, H]
  Tensor y0 = res.outputs[0];
  Tensor y1_want(DType::Float, {c.batch, c.seq, D, c.hidden});
  for (int64_t s = 0; s < c.seq; ++s)
    for (int64_t d = 0; d < D; ++d)
      for (int64_t b = 0; b < c.batch; ++b)
        for (int64_t k = 0; k < c.hidden; ++k)
          set_value(y1_want, ((b * c.seq + s) * D + d) * c.hidden + k,
                    get_value(y0, ((s * D + d) * c.batch + b) * c.hidden + k));
  require_same(res1.outputs[0], y1_want);
  require_same(res1.outputs[1], swap01(res.outputs[1]));
  if (c.op == "LSTM") require_same(res1.outputs[2], swap01(res.outputs[2]));
}

}  // namespace

TEST_CASE("RNN/GRU/LSTM match the reference over directions and options", "[rnn]") {
  uint64_t seed = 1;
  for (const std::string op : {"RNN", "GRU", "LSTM"})
    for (const std::string dir : {"forward", "reverse", "bidirectional"}) {
      RnnCase c;
      c.op = op;
      c.direction = dir;
      INFO(op << " " << dir);
      check_case(c, seed += 10);
      c.bias = false;
      c.seq_lens = true;
      c.init_h = true;
      c.init_c = op == "LSTM";
      c.batch = 3;
      check_case(c, seed += 10);
      c.bias = true;
      c.clip = 0.7f;
      c.peep = op == "LSTM";
      c.linear_before_reset = true;
      c.input_forget = true;
      c.custom_acts = true;
      check_case(c, seed += 10);
      c.seq = 1;
      c.batch = 1;
      c.hidden = 1;
      c.input = 5;
      check_case(c, seed += 10);
    }
}

TEST_CASE("RNN: hidden_size from R, opset 7, double and float16", "[rnn]") {
  RnnCase c;
  c.op = "GRU";
  RnnInputs in = make_inputs(c, 5);
  RnnRef want = reference(c, in);
  NodeRun r = rnn_node(c, in, 7);
  r.attributes.erase(r.attributes.begin());  // no hidden_size
  r.provider = "ref";
  require_values(run_node(r).outputs[0], want.y, 1e-4, 1e-5);

  auto to = [](const Tensor& t, DType dt) {
    if (!t.defined()) return t;
    Tensor o(dt, t.shape());
    for (int64_t i = 0; i < t.numel(); ++i) {
      double v = get_value(t, i);
      if (dt == DType::Float16) v = std::round(v * 256) / 256;  // exactly representable
      set_value(o, i, v);
    }
    return o;
  };
  for (DType dt : {DType::Double, DType::Float16}) {
    RnnInputs id{to(in.x, dt), to(in.w, dt), to(in.r, dt), to(in.b, dt),
                 Tensor(),     Tensor(),     Tensor(),     Tensor()};
    RnnRef wd = reference(c, id);
    NodeRun rd = rnn_node(c, id);
    rd.provider = "ref";
    NodeResult res = run_node(rd);
    REQUIRE(res.outputs[0].dtype() == dt);
    require_values(res.outputs[0], wd.y, dt == DType::Double ? 1e-12 : 2e-3,
                   dt == DType::Double ? 1e-12 : 2e-3);
  }
}

TEST_CASE("RNN: only Y_h requested, and invalid inputs", "[rnn]") {
  RnnCase c;
  c.op = "RNN";
  RnnInputs in = make_inputs(c, 9);
  RnnRef want = reference(c, in);
  NodeRun r = rnn_node(c, in);
  r.provider = "ref";
  NodeResult res = run_node(r);
  require_values(res.outputs[1], want.yh, 1e-4, 1e-5);

  // sequence_lens out of range.
  RnnInputs bad = in;
  bad.lens = Tensor::from_vector<int32_t>({4, 1}, {2});
  expect_error_all(rnn_node(c, bad));
  bad.lens = Tensor::from_vector<int32_t>({-1, 1}, {2});
  expect_error_all(rnn_node(c, bad));
  // W with the wrong number of gates / wrong input size.
  bad = in;
  bad.w = random_float({1, 8, 3}, 1);
  expect_error_all(rnn_node(c, bad));
  bad.w = random_float({1, 4, 2}, 1);
  expect_error_all(rnn_node(c, bad));
  // Unknown activation / direction.
  NodeRun ra = rnn_node(c, in);
  Attribute a;
  a.name = "activations";
  a.kind = Attribute::Kind::Strings;
  a.strings = {"Bogus"};
  ra.attributes.push_back(a);
  expect_error_all(ra);
  RnnCase cd = c;
  cd.direction = "sideways";
  expect_error_all(rnn_node(cd, in));
}
