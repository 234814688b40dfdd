// If (opsets 1, 11, 13, 16): runs then_branch or else_branch on a single-element bool
// condition; the node's outputs are the branch's outputs (tensors, sequences or
// optionals; from opset 11 the branches may give different shapes).
#include "ops/control/subgraph.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

class IfKernel : public Kernel {
 public:
  explicit IfKernel(const BuildContext& ctx) {
    if (ctx.node.inputs.size() != 1 || !ctx.has_input(0))
      throw Error(Stage::Build, "If expects 1 input (cond)");
    DType c = ctx.input_dtype(0);
    if (c != DType::Bool && c != DType::Undefined)
      throw Error(Stage::Build, "If cond must be bool, got " + std::string(dtype_name(c)));
    const Graph& then_graph = require_graph(ctx, "then_branch");
    const Graph& else_graph = require_graph(ctx, "else_branch");
    for (const Graph* g : {&then_graph, &else_graph})
      if (!g->inputs.empty()) throw Error(Stage::Build, "If branches take no inputs");
    then_ = std::make_unique<Subgraph>(ctx, then_graph, "then_branch");
    else_ = std::make_unique<Subgraph>(ctx, else_graph, "else_branch");
    const size_t n = ctx.num_outputs();
    for (const auto* b : {then_.get(), else_.get()})
      if (b->num_outputs() != n)
        throw Error(Stage::Build, std::string(b == then_.get() ? "then_branch" : "else_branch") + " has " +
                                      std::to_string(b->num_outputs()) + " outputs, the node has " +
                                      std::to_string(n));
    for (size_t i = 0; i < n; ++i) {
      DType t = then_->output_dtypes()[i], e = else_->output_dtypes()[i];
      if (t != e)
        throw Error(Stage::Build, "output " + std::to_string(i) + " is " + std::string(dtype_name(t)) +
                                      " in then_branch but " + std::string(dtype_name(e)) +
                                      " in else_branch");
      dtypes_.push_back(t);
    }
    deterministic_ = graph_is_deterministic(then_graph) && graph_is_deterministic(else_graph);
  }

  void infer(InferContext& ctx) override {
    for (size_t i = 0; i < dtypes_.size(); ++i) ctx.set_output_dtype(i, dtypes_[i]);
  }

  void run(RunContext& ctx) const override {
    const Tensor& c = ctx.input(0);
    if (!c.is_tensor() || c.dtype() != DType::Bool || c.numel() != 1)
      throw Error(Stage::Run, "If cond must be a bool tensor with one element");
    Subgraph& branch = c.data<bool>()[0] ? *then_ : *else_;
    std::vector<Tensor> outs = branch.run({}, ctx);
    for (size_t i = 0; i < outs.size() && i < ctx.num_outputs(); ++i) ctx.set_output(i, std::move(outs[i]));
  }

  bool foldable() const override { return deterministic_; }

 private:
  std::unique_ptr<Subgraph> then_, else_;
  std::vector<DType> dtypes_;
  bool deterministic_ = true;
};

ONNXI_REGISTER_KERNEL("", "If", 1, 25, kRef,
                      [](const BuildContext& ctx) { return std::unique_ptr<Kernel>(new IfKernel(ctx)); });

}  // namespace
}  // namespace onnxi
