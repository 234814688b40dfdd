// Running a node's subgraph (If branches, Loop/Scan bodies, SequenceMap's body) as a
// session of its own. The subgraph's graph gets one extra input per value it captures
// from enclosing scopes; the parent session passes those values to the kernel after the
// formal inputs (node.implicit_inputs), and run() feeds them through. Sub-sessions share
// the parent's options and thread pool, and nest: a subgraph's own control-flow nodes
// make their sub-sessions the same way.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "onnxi/session.h"
#include "runtime/kernel.h"

namespace onnxi {

class Subgraph {
 public:
  // `attr` names the graph attribute (for messages). `input_dtypes` (one per formal graph
  // input, Undefined where the kernel does not know) fills in inputs the graph declares
  // without a type and is checked against those it declares. Throws Error(Stage::Build).
  Subgraph(const BuildContext& ctx, const Graph& graph, std::string attr,
           const std::vector<DType>& input_dtypes = {});
  ~Subgraph();

  size_t num_inputs() const { return input_names_.size(); }
  size_t num_outputs() const { return output_dtypes_.size(); }
  // Element types of the outputs (declared, or inferred by the sub-session).
  const std::vector<DType>& output_dtypes() const { return output_dtypes_; }
  // Declared kind of output i ("tensor", "sequence", "optional", ...).
  const std::string& output_kind(size_t i) const { return output_kinds_.at(i); }
  // Declared output shape when every dim is fixed (else nullptr).
  const Shape* output_fixed_shape(size_t i) const;

  // Runs with one value per formal input and the captured values read from `ctx` (the
  // node's run context). Errors inside are rethrown naming the subgraph and inner node.
  std::vector<Tensor> run(const std::vector<Tensor>& inputs, const RunContext& ctx);

 private:
  std::string attr_;
  std::unique_ptr<Session> session_;
  std::vector<std::string> input_names_;
  std::vector<std::pair<std::string, size_t>> captured_;  // name, index in the node's inputs
  std::vector<DType> output_dtypes_;
  std::vector<std::string> output_kinds_;
  std::vector<std::optional<Shape>> output_shapes_;
};

// The graph attribute `name` of the node; throws Error(Stage::Build) when it is missing.
const Graph& require_graph(const BuildContext& ctx, const std::string& name);

// Whether a value of this graph (or nested subgraphs) could differ between runs with the
// same inputs (random generators): such nodes must not be constant-folded.
bool graph_is_deterministic(const Graph& g);

}  // namespace onnxi
