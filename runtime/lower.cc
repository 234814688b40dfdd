// Lowering: the (optimized) graph to the execution graph's values and steps.
#include <algorithm>
#include <set>

#include "runtime/passes/pass.h"
#include "runtime/plan.h"
#include "runtime/session_internal.h"

namespace onnxi {

const Shape kNonTensorShape = {-2};

Error wrap_error(const std::exception& e, Stage stage, const ErrorContext& ctx) {
  if (auto* oe = dynamic_cast<const Error*>(&e)) return oe->with_context(ctx);
  if (dynamic_cast<const std::bad_alloc*>(&e)) return Error(stage, "out of memory", ctx);
  return Error(stage, e.what(), ctx);
}

IOInfo to_io_info(const ValueInfo& vi) {
  IOInfo io;
  io.name = vi.name;
  io.dtype = vi.dtype;
  io.has_shape = vi.has_shape;
  io.kind = vi.kind;
  for (const auto& d : vi.shape) {
    io.shape.push_back(d.fixed() ? d.value : -1);
    io.dim_names.push_back(d.symbol);
  }
  return io;
}

ErrorContext ExecGraph::file_ctx() const {
  ErrorContext c;
  c.file = file;
  return c;
}

int64_t ExecGraph::opset_for(const std::string& domain) const {
  if (domain == kInternalDomain) return 1;
  auto it = opsets.find(domain);
  return it == opsets.end() ? 0 : it->second;
}

int ExecGraph::add_value(const std::string& name) {
  auto it = value_id.find(name);
  if (it != value_id.end()) return it->second;
  int id = static_cast<int>(values.size());
  values.push_back({});
  values.back().name = name;
  value_id[name] = id;
  return id;
}

namespace {

// Declared kinds whose values are not plain tensors (an optional may hold a tensor, but
// its shape is not known ahead of the run either).
bool is_non_tensor_kind(const std::string& kind) {
  return kind == "sequence" || kind == "optional" || kind == "map" || kind == "opaque";
}

void check_supported(const ExecGraph& g) {
  std::vector<std::string> missing;
  for (const auto& n : g.graph->nodes) {
    int64_t opset = g.opset_for(n.domain);
    std::string entry = KernelRegistry::global().unsupported_reason(n.domain, n.op_type, opset);
    if (!entry.empty() && std::find(missing.begin(), missing.end(), entry) == missing.end())
      missing.push_back(entry);
  }
  if (missing.empty()) return;
  std::string msg = "unsupported operator" + std::string(missing.size() > 1 ? "s: " : " ");
  for (size_t i = 0; i < missing.size(); ++i) msg += (i ? "; " : "") + missing[i];
  throw Error(Stage::Build, msg, g.file_ctx());
}

}  // namespace

void add_implicit_inputs(Graph& graph) {
  for (auto& n : graph.nodes) {
    std::set<std::string> captured;
    for (const auto& [an, a] : n.attributes) {
      if (a.g)
        for (auto& v : free_variables(*a.g)) captured.insert(v);
      for (const auto& sg : a.graphs)
        if (sg)
          for (auto& v : free_variables(*sg)) captured.insert(v);
    }
    n.implicit_inputs.assign(captured.begin(), captured.end());
  }
}

void declare_io(ExecGraph& g) {
  // Declared inputs: graph inputs that are not initializers, or that are (then optional).
  for (const auto& vi : g.graph->inputs) {
    bool has_default = g.graph->initializers.count(vi.name) > 0;
    g.inputs.push_back(to_io_info(vi));
    g.input_required.push_back(!has_default);
  }
  for (const auto& vi : g.graph->outputs) g.outputs.push_back(to_io_info(vi));
}

void lower_graph(ExecGraph& g) {
  Graph& graph = *g.graph;
  std::vector<size_t> order;
  try {
    order = topological_order(graph);
  } catch (const std::exception& e) {
    throw wrap_error(e, Stage::Load, g.file_ctx());
  }
  check_supported(g);

  for (const auto& [name, t] : graph.initializers) {
    int id = g.add_value(name);
    g.values[id].dtype = t.dtype();
    g.values[id].constant = t;
    g.values[id].is_constant = true;
  }
  for (size_t i = 0; i < graph.inputs.size(); ++i) {
    int id = g.add_value(graph.inputs[i].name);
    g.values[id].graph_input = static_cast<int>(i);
    g.values[id].is_constant = false;  // an input overrides an initializer of the same name
    g.values[id].dtype = graph.inputs[i].dtype;
    g.input_ids.push_back(id);
  }
  // The values hold the initializers now. The graph keeps only those that are inputs'
  // defaults, so that releasing a constant once it is packed really frees its memory.
  {
    std::set<std::string> input_names;
    for (const auto& vi : graph.inputs) input_names.insert(vi.name);
    for (auto it = graph.initializers.begin(); it != graph.initializers.end();)
      it = input_names.count(it->first) ? std::next(it) : graph.initializers.erase(it);
  }
  for (size_t oi : order) {
    const Node& n = graph.nodes[oi];
    Step s;
    s.node = n;
    s.opset = g.opset_for(n.domain);
    s.ctx = g.file_ctx();
    s.ctx.node = n.name;
    if (s.ctx.node.empty()) s.ctx.node.append("#").append(std::to_string(oi));  // (not "#" + ...: GCC 12 -Wrestrict)
    s.ctx.op_type = n.op_type;
    s.ctx.domain = n.domain;
    s.ctx.opset = s.opset;
    int step_index = static_cast<int>(g.steps.size());
    std::vector<std::string> uses = n.inputs;
    uses.insert(uses.end(), n.implicit_inputs.begin(), n.implicit_inputs.end());
    for (const auto& in : uses) {
      if (in.empty()) {
        s.in.push_back(-1);
        continue;
      }
      int id = g.add_value(in);
      g.values[id].consumers.push_back(step_index);
      s.in.push_back(id);
    }
    for (const auto& o : n.outputs) {
      if (o.empty()) {
        s.out.push_back(-1);
        continue;
      }
      int id = g.add_value(o);
      g.values[id].producer = step_index;
      s.out.push_back(id);
    }
    g.steps.push_back(std::move(s));
  }
  for (const auto& o : graph.outputs) {
    int id = g.add_value(o.name);
    g.values[id].graph_output = true;
    g.output_ids.push_back(id);
  }
}

std::vector<Shape> probe_shapes(const ExecGraph& g, bool* ranks_known) {
  *ranks_known = true;
  std::vector<Shape> probe;
  for (const IOInfo& io : g.inputs) {
    if (is_non_tensor_kind(io.kind)) {
      probe.push_back(kNonTensorShape);
      continue;
    }
    if (!io.has_shape) *ranks_known = false;
    Shape s;
    for (int64_t d : io.shape) s.push_back(d < 0 ? 1 : d);
    probe.push_back(s);
  }
  return probe;
}

}  // namespace onnxi
