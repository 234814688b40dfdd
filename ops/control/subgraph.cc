#include "ops/control/subgraph.h"

#include <algorithm>
#include <map>

#include "runtime/session_internal.h"

namespace onnxi {

const Graph& require_graph(const BuildContext& ctx, const std::string& name) {
  const Graph* g = ctx.attrs.get_graph(name);
  if (!g) throw Error(Stage::Build, "required graph attribute '" + name + "' is missing");
  return *g;
}

bool graph_is_deterministic(const Graph& g) {
  for (const auto& n : g.nodes) {
    if (n.domain.empty() &&
        (n.op_type.rfind("Random", 0) == 0 || n.op_type == "Multinomial" || n.op_type == "Bernoulli"))
      return false;
    for (const auto& [name, a] : n.attributes) {
      if (a.g && !graph_is_deterministic(*a.g)) return false;
      for (const auto& sg : a.graphs)
        if (sg && !graph_is_deterministic(*sg)) return false;
    }
  }
  return true;
}

Subgraph::Subgraph(const BuildContext& ctx, const Graph& graph, std::string attr,
                   const std::vector<DType>& input_dtypes)
    : attr_(std::move(attr)) {
  if (!ctx.opsets) throw Error(Stage::Build, "'" + attr_ + "': subgraphs need the model's opset imports");
  if (!input_dtypes.empty() && input_dtypes.size() != graph.inputs.size())
    throw Error(Stage::Build, "'" + attr_ + "' has " + std::to_string(graph.inputs.size()) +
                                  " inputs, expected " + std::to_string(input_dtypes.size()));
  auto g = std::make_shared<Graph>(graph);
  for (size_t i = 0; i < g->inputs.size(); ++i) {
    ValueInfo& vi = g->inputs[i];
    input_names_.push_back(vi.name);
    DType given = i < input_dtypes.size() ? input_dtypes[i] : DType::Undefined;
    if (given == DType::Undefined) continue;
    if (vi.dtype == DType::Undefined)
      vi.dtype = given;
    else if (vi.dtype != given)
      throw Error(Stage::Build, "'" + attr_ + "' input " + std::to_string(i) + " ('" + vi.name +
                                    "') is declared " + std::string(dtype_name(vi.dtype)) + " but receives " +
                                    std::string(dtype_name(given)));
  }
  // Captured values become extra inputs of unknown shape, typed as the parent sees them.
  const auto& implicit = ctx.node.implicit_inputs;
  for (const auto& name : free_variables(graph)) {
    auto it = std::find(implicit.begin(), implicit.end(), name);
    if (it == implicit.end())
      throw Error(Stage::Build,
                  "'" + attr_ + "' uses '" + name + "', which is not defined in an enclosing graph");
    size_t index = ctx.node.inputs.size() + static_cast<size_t>(it - implicit.begin());
    ValueInfo vi;
    vi.name = name;
    vi.dtype = ctx.input_dtype(index);
    vi.has_shape = false;
    g->inputs.push_back(vi);
    captured_.push_back({name, index});
  }
  for (const auto& o : g->outputs) {
    output_kinds_.push_back(o.kind);
    std::optional<Shape> fixed;
    if (o.kind == "tensor" && o.has_shape &&
        std::all_of(o.shape.begin(), o.shape.end(), [](const Dim& d) { return d.fixed(); })) {
      Shape s;
      for (const auto& d : o.shape) s.push_back(d.value);
      fixed = s;
    }
    output_shapes_.push_back(fixed);
  }

  Model m;
  m.opsets = *ctx.opsets;
  m.graph = g;
  SessionOptions options;
  if (ctx.options)
    options = *ctx.options;
  else
    options.threads = 1;
  // Declared output types are taken as they are, so that the sub-session builds its kernels
  // on its first run, with the real shapes (which can pick faster kernels). Otherwise it
  // builds now, with unknown shapes, to infer them.
  bool all_declared = true;
  for (const auto& o : g->outputs) {
    output_dtypes_.push_back(o.dtype);
    all_declared = all_declared && o.dtype != DType::Undefined;
  }
  try {
    session_ = make_session(std::move(m), options);
    if (!all_declared) output_dtypes_ = session_output_dtypes(*session_);
  } catch (const Error& e) {
    std::string where;
    if (!e.context().node.empty() || !e.context().op_type.empty())
      where = ", node '" + e.context().node + "' (" + e.context().op_type + ")";
    throw Error(Stage::Build, "in '" + attr_ + "'" + where + ": " + e.message());
  }
  for (size_t i = 0; i < output_dtypes_.size(); ++i)
    if (output_dtypes_[i] == DType::Undefined)
      throw Error(Stage::Build, "'" + attr_ + "' output " + std::to_string(i) + " has no known type");
}

Subgraph::~Subgraph() = default;

const Shape* Subgraph::output_fixed_shape(size_t i) const {
  return i < output_shapes_.size() && output_shapes_[i] ? &*output_shapes_[i] : nullptr;
}

std::vector<Tensor> Subgraph::run(const std::vector<Tensor>& inputs, const RunContext& ctx) {
  if (inputs.size() != input_names_.size())
    throw Error(Stage::Run, "'" + attr_ + "' takes " + std::to_string(input_names_.size()) + " inputs, got " +
                                std::to_string(inputs.size()));
  std::map<std::string, Tensor> feeds;
  for (size_t i = 0; i < inputs.size(); ++i) feeds[input_names_[i]] = inputs[i];
  for (const auto& [name, index] : captured_) feeds[name] = ctx.input(index);
  try {
    return session_->run(feeds);
  } catch (const Error& e) {
    std::string where;
    if (!e.context().node.empty() || !e.context().op_type.empty())
      where = ", node '" + e.context().node + "' (" + e.context().op_type + ")";
    throw Error(e.stage(), "in '" + attr_ + "'" + where + ": " + e.message());
  }
}

}  // namespace onnxi
