// SequenceMap (opset 17): applies `body` to each element of the input sequence. Further
// inputs are sequences of the same length (the body gets their i-th element) or tensors
// (given whole to every iteration). Each body output becomes a sequence.
#include "ops/control/subgraph.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

class SequenceMapKernel : public Kernel {
 public:
  explicit SequenceMapKernel(const BuildContext& ctx) {
    const size_t n_in = ctx.node.inputs.size();
    if (n_in < 1) throw Error(Stage::Build, "SequenceMap expects at least 1 input");
    for (size_t i = 0; i < n_in; ++i)
      if (!ctx.has_input(i))
        throw Error(Stage::Build, "SequenceMap input " + std::to_string(i) + " is missing");
    const Graph& body = require_graph(ctx, "body");
    if (body.inputs.size() != n_in)
      throw Error(Stage::Build, "SequenceMap body has " + std::to_string(body.inputs.size()) +
                                    " inputs, the node has " + std::to_string(n_in));
    if (body.outputs.size() != ctx.num_outputs())
      throw Error(Stage::Build, "SequenceMap body has " + std::to_string(body.outputs.size()) +
                                    " outputs, the node has " + std::to_string(ctx.num_outputs()));
    std::vector<DType> in_types;
    for (size_t i = 0; i < n_in; ++i) in_types.push_back(ctx.input_dtype(i));
    body_ = std::make_unique<Subgraph>(ctx, body, "body", in_types);
    for (size_t k = 0; k < body.outputs.size(); ++k) {
      if (body_->output_kind(k) != "tensor")
        throw Error(Stage::Build, "SequenceMap body output " + std::to_string(k) + " must be a tensor");
      dtypes_.push_back(body_->output_dtypes()[k]);
    }
    deterministic_ = graph_is_deterministic(body);
  }

  void infer(InferContext& ctx) override {
    for (size_t i = 0; i < dtypes_.size(); ++i) ctx.set_output_dtype(i, dtypes_[i]);
  }

  void run(RunContext& ctx) const override {
    const Tensor& seq = ctx.input(0);
    if (!seq.is_sequence()) throw Error(Stage::Run, "SequenceMap input 0 must be a sequence");
    const size_t n = seq.elements().size();
    const size_t n_in = body_->num_inputs();
    for (size_t j = 1; j < n_in; ++j) {
      const Tensor& x = ctx.input(j);
      if (x.is_none())
        throw Error(Stage::Run, "SequenceMap input " + std::to_string(j) + " is an empty optional");
      if (x.is_sequence() && x.elements().size() != n)
        throw Error(Stage::Run, "SequenceMap input " + std::to_string(j) + " has " +
                                    std::to_string(x.elements().size()) + " elements, input 0 has " +
                                    std::to_string(n));
    }
    std::vector<std::vector<Tensor>> results(dtypes_.size());
    std::vector<Tensor> in(n_in);
    for (size_t i = 0; i < n; ++i) {
      in[0] = seq.elements()[i];
      for (size_t j = 1; j < n_in; ++j) {
        const Tensor& x = ctx.input(j);
        in[j] = x.is_sequence() ? x.elements()[i] : x;
      }
      std::vector<Tensor> outs = body_->run(in, ctx);
      for (size_t k = 0; k < outs.size() && k < results.size(); ++k) {
        if (!outs[k].is_tensor())
          throw Error(Stage::Run, "SequenceMap body output " + std::to_string(k) + " is not a tensor");
        results[k].push_back(std::move(outs[k]));
      }
    }
    for (size_t k = 0; k < results.size(); ++k)
      ctx.set_output(k, Tensor::sequence(dtypes_[k], std::move(results[k])));
  }

  bool foldable() const override { return deterministic_; }

 private:
  std::unique_ptr<Subgraph> body_;
  std::vector<DType> dtypes_;
  bool deterministic_ = true;
};

ONNXI_REGISTER_KERNEL("", "SequenceMap", 17, 17, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new SequenceMapKernel(ctx));
});

}  // namespace
}  // namespace onnxi
