#include "ops/rnn/rnn_common.h"

#include <cctype>

namespace onnxi::rnn {

namespace {

struct ActivationInfo {
  ActKind kind;
  const char* name;
  int nparams;
  float alpha, beta;
};

constexpr ActivationInfo kActivations[] = {
#define ONNXI_X(e, name, nparams, a, b) {ActKind::e, name, nparams, a, b},
    ONNXI_RNN_ACTIVATIONS(ONNXI_X)
#undef ONNXI_X
};

std::string lower(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

const ActivationInfo& find_activation(const std::string& name) {
  for (const auto& a : kActivations)
    if (lower(a.name) == lower(name)) return a;
  throw Error(Stage::Build, "unsupported activation '" + name + "'");
}

std::string dims_str(const Shape* s) { return s ? shape_to_string(*s) : "?"; }

void expect_shape(const Shape* s, const Shape& want, const char* what, Stage stage) {
  if (s && *s != want)
    throw Error(stage, std::string(what) + " has shape " + shape_to_string(*s) + ", expected " +
                           shape_to_string(want));
}

}  // namespace

RnnConfig read_rnn_config(const BuildContext& ctx, const std::string& op, int64_t gates,
                          const std::vector<std::string>& default_acts, bool lstm) {
  RnnConfig c;
  c.op = op;
  c.gates = gates;
  c.has_cell_state = lstm;
  c.has_peepholes = lstm;
  const size_t max_inputs = lstm ? 8 : 6;
  if (!ctx.has_input(0) || !ctx.has_input(1) || !ctx.has_input(2))
    throw Error(Stage::Build, op + " needs inputs X, W and R");
  if (ctx.node.inputs.size() > max_inputs)
    throw Error(Stage::Build, op + " takes at most " + std::to_string(max_inputs) + " inputs");
  if (ctx.num_outputs() > (lstm ? 3u : 2u)) throw Error(Stage::Build, op + " has too many outputs");

  const std::string dir = ctx.attrs.get_string("direction", "forward");
  if (dir == "forward")
    c.direction = Direction::Forward;
  else if (dir == "reverse")
    c.direction = Direction::Reverse;
  else if (dir == "bidirectional")
    c.direction = Direction::Bidirectional;
  else
    throw Error(Stage::Build, "unknown direction '" + dir + "'");
  c.num_directions = c.direction == Direction::Bidirectional ? 2 : 1;

  if (ctx.attrs.has("hidden_size")) {
    c.hidden_size = ctx.attrs.get_int("hidden_size");
    if (*c.hidden_size < 0) throw Error(Stage::Build, "hidden_size must not be negative");
  }
  if (ctx.attrs.has("clip")) {
    float clip = ctx.attrs.get_float("clip");
    if (!(clip >= 0)) throw Error(Stage::Build, "clip must be a non-negative number");
    c.clip = clip;
  }
  c.layout = ctx.opset >= 14 ? ctx.attrs.get_int("layout", 0) : 0;
  if (c.layout != 0 && c.layout != 1) throw Error(Stage::Build, "layout must be 0 or 1");

  c.per_direction = default_acts.size();
  std::vector<std::string> names = ctx.attrs.get_strings("activations", {});
  if (names.empty()) {
    for (int64_t d = 0; d < c.num_directions; ++d)
      names.insert(names.end(), default_acts.begin(), default_acts.end());
  } else if (names.size() == c.per_direction && c.num_directions == 2) {
    names.insert(names.end(), names.begin(), names.end());  // same for both directions
  }
  if (names.size() != c.per_direction * static_cast<size_t>(c.num_directions))
    throw Error(Stage::Build, op + " expects " + std::to_string(c.per_direction * c.num_directions) +
                                  " activations, got " + std::to_string(names.size()));
  // alpha and beta values are consumed in order by the activations that take them.
  const std::vector<float> alphas = ctx.attrs.get_floats("activation_alpha", {});
  const std::vector<float> betas = ctx.attrs.get_floats("activation_beta", {});
  size_t ai = 0, bi = 0;
  for (const auto& n : names) {
    const ActivationInfo& info = find_activation(n);
    Activation a{info.kind, info.alpha, info.beta};
    if (info.nparams >= 1 && ai < alphas.size()) a.alpha = alphas[ai++];
    if (info.nparams >= 2 && bi < betas.size()) a.beta = betas[bi++];
    c.activations.push_back(a);
  }
  return c;
}

std::optional<RnnDims> rnn_dims(const RnnConfig& cfg, const std::vector<const Shape*>& shapes, Stage stage) {
  auto at = [&](size_t i) -> const Shape* { return i < shapes.size() ? shapes[i] : nullptr; };
  const Shape *x = at(0), *w = at(1), *r = at(2);
  const int64_t D = cfg.num_directions, G = cfg.gates;
  if (x && x->size() != 3) throw Error(stage, "X must be 3-D, got " + shape_to_string(*x));
  if (w && (w->size() != 3 || (*w)[0] != D))
    throw Error(stage, "W must be [" + std::to_string(D) + ", " + std::to_string(G) +
                           "*hidden, input], got " + dims_str(w));
  if (r && (r->size() != 3 || (*r)[0] != D))
    throw Error(stage, "R must be [" + std::to_string(D) + ", " + std::to_string(G) +
                           "*hidden, hidden], got " + dims_str(r));
  std::optional<int64_t> H = cfg.hidden_size;
  if (!H && r) H = (*r)[2];
  if (!H && w && (*w)[1] % G == 0) H = (*w)[1] / G;
  if (H) {
    if (w && (*w)[1] != G * *H)
      throw Error(stage, "W " + shape_to_string(*w) + " does not match hidden_size " + std::to_string(*H));
    if (r && ((*r)[1] != G * *H || (*r)[2] != *H))
      throw Error(stage, "R " + shape_to_string(*r) + " does not match hidden_size " + std::to_string(*H));
  }
  if (!x || !w || !r) return std::nullopt;
  RnnDims d;
  d.seq = cfg.layout == 0 ? (*x)[0] : (*x)[1];
  d.batch = cfg.layout == 0 ? (*x)[1] : (*x)[0];
  d.input = (*x)[2];
  d.hidden = *H;
  if ((*w)[2] != d.input)
    throw Error(stage,
                "W " + shape_to_string(*w) + " does not match X's input size " + std::to_string(d.input));
  expect_shape(at(3), {D, 2 * G * d.hidden}, "B", stage);
  expect_shape(at(4), {d.batch}, "sequence_lens", stage);
  const Shape state = rnn_state_shape(cfg, d);
  expect_shape(at(5), state, "initial_h", stage);
  if (cfg.has_cell_state) expect_shape(at(6), state, "initial_c", stage);
  if (cfg.has_peepholes) expect_shape(at(7), {D, 3 * d.hidden}, "P", stage);
  return d;
}

Shape rnn_y_shape(const RnnConfig& cfg, const RnnDims& d) {
  return cfg.layout == 0 ? Shape{d.seq, cfg.num_directions, d.batch, d.hidden}
                         : Shape{d.batch, d.seq, cfg.num_directions, d.hidden};
}

Shape rnn_state_shape(const RnnConfig& cfg, const RnnDims& d) {
  return cfg.layout == 0 ? Shape{cfg.num_directions, d.batch, d.hidden}
                         : Shape{d.batch, cfg.num_directions, d.hidden};
}

}  // namespace onnxi::rnn
