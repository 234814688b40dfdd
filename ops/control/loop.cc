// Loop (opsets 1, 11, 13, 16): runs `body` while i < M (trip count, optional) and cond
// (optional) holds. Body inputs: (iteration number int64 scalar, cond bool scalar,
// N loop-carried values); body outputs: (cond, N loop-carried values, K scan outputs).
// The node's outputs are the N final values and the K scan outputs stacked along a new
// first axis. Loop-carried values may be tensors, sequences or optionals (13, 16).
#include "ops/common/axis_copy.h"
#include "onnxi/limits.h"
#include "ops/control/subgraph.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

// A loop without a trip count whose condition never turns false is allowed by ONNX; it
// is stopped (with an error) after max_loop_iterations() (onnxi/limits.h) iterations
// rather than hanging forever.
class LoopKernel : public Kernel {
 public:
  explicit LoopKernel(const BuildContext& ctx) {
    const size_t n_in = ctx.node.inputs.size();
    if (n_in < 2)
      throw Error(Stage::Build, "Loop expects at least 2 inputs (M, cond), got " + std::to_string(n_in));
    n_carried_ = n_in - 2;
    has_trip_count_ = ctx.has_input(0);
    has_cond_ = ctx.has_input(1);
    if (has_trip_count_ && ctx.input_dtype(0) != DType::Int64)
      throw Error(Stage::Build, "Loop M must be int64, got " + std::string(dtype_name(ctx.input_dtype(0))));
    if (has_cond_ && ctx.input_dtype(1) != DType::Bool)
      throw Error(Stage::Build, "Loop cond must be bool, got " + std::string(dtype_name(ctx.input_dtype(1))));
    for (size_t j = 0; j < n_carried_; ++j)
      if (!ctx.has_input(2 + j))
        throw Error(Stage::Build, "Loop input " + std::to_string(2 + j) + " is missing");

    const Graph& body = require_graph(ctx, "body");
    if (body.inputs.size() != 2 + n_carried_)
      throw Error(Stage::Build, "Loop body has " + std::to_string(body.inputs.size()) + " inputs, expected " +
                                    std::to_string(2 + n_carried_) + " (iteration number, cond, " +
                                    std::to_string(n_carried_) + " loop-carried values)");
    if (body.outputs.size() < 1 + n_carried_)
      throw Error(Stage::Build, "Loop body has " + std::to_string(body.outputs.size()) +
                                    " outputs, expected at least " + std::to_string(1 + n_carried_));
    n_scan_ = body.outputs.size() - 1 - n_carried_;
    if (ctx.num_outputs() != n_carried_ + n_scan_)
      throw Error(Stage::Build, "Loop has " + std::to_string(ctx.num_outputs()) +
                                    " outputs, its body gives " + std::to_string(n_carried_) +
                                    " loop-carried values and " + std::to_string(n_scan_) + " scan outputs");
    std::vector<DType> in_types = {DType::Int64, DType::Bool};
    for (size_t j = 0; j < n_carried_; ++j) in_types.push_back(ctx.input_dtype(2 + j));
    body_ = std::make_unique<Subgraph>(ctx, body, "body", in_types);
    const auto& out_types = body_->output_dtypes();
    if (out_types[0] != DType::Bool)
      throw Error(Stage::Build,
                  "Loop body output 0 (cond) must be bool, got " + std::string(dtype_name(out_types[0])));
    for (size_t j = 0; j < n_carried_; ++j) {
      DType in = ctx.input_dtype(2 + j), out = out_types[1 + j];
      if (in != DType::Undefined && in != out)
        throw Error(Stage::Build, "loop-carried value " + std::to_string(j) + " enters as " +
                                      std::string(dtype_name(in)) + " but the body returns " +
                                      std::string(dtype_name(out)));
      dtypes_.push_back(out);
    }
    for (size_t k = 0; k < n_scan_; ++k) {
      if (body_->output_kind(1 + n_carried_ + k) == "sequence")
        throw Error(Stage::Build,
                    "Loop scan output " + std::to_string(k) + " is a sequence; scan outputs are tensors");
      dtypes_.push_back(out_types[1 + n_carried_ + k]);
    }
    deterministic_ = graph_is_deterministic(body);
  }

  void infer(InferContext& ctx) override {
    for (size_t i = 0; i < dtypes_.size(); ++i) ctx.set_output_dtype(i, dtypes_[i]);
  }

  void run(RunContext& ctx) const override {
    int64_t trip_count = INT64_MAX;
    if (has_trip_count_) {
      const Tensor& m = ctx.input(0);
      if (!m.is_tensor() || m.dtype() != DType::Int64 || m.numel() != 1)
        throw Error(Stage::Run, "Loop M must be an int64 tensor with one element");
      trip_count = m.data<int64_t>()[0];
      if (trip_count < 0) throw Error(Stage::Run, "Loop M is negative (" + std::to_string(trip_count) + ")");
    }
    bool cond = true;
    if (has_cond_) cond = read_cond(ctx.input(1), "Loop cond");

    std::vector<Tensor> carried;
    for (size_t j = 0; j < n_carried_; ++j) carried.push_back(ctx.input(2 + j));
    std::vector<std::vector<Tensor>> scans(n_scan_);
    std::vector<Tensor> body_in(2 + n_carried_);
    int64_t i = 0;
    for (; i < trip_count && cond; ++i) {
      if (i >= max_loop_iterations())
        throw Error(Stage::Run, "Loop stopped after " + std::to_string(max_loop_iterations()) +
                                    " iterations, the limit (ONNXI_MAX_LOOP_ITERATIONS): no trip count, or a "
                                    "huge one, and a condition that stays true");
      body_in[0] = Tensor::scalar<int64_t>(i);
      body_in[1] = Tensor::scalar<bool>(cond);
      for (size_t j = 0; j < n_carried_; ++j) body_in[2 + j] = carried[j];
      std::vector<Tensor> outs = body_->run(body_in, ctx);
      if (has_cond_) cond = read_cond(outs[0], "Loop body cond output");
      for (size_t j = 0; j < n_carried_; ++j) carried[j] = std::move(outs[1 + j]);
      for (size_t k = 0; k < n_scan_; ++k) {
        Tensor& s = outs[1 + n_carried_ + k];
        if (!s.is_tensor())
          throw Error(Stage::Run, "Loop scan output " + std::to_string(k) + " is not a tensor");
        if (!scans[k].empty() && (s.shape() != scans[k][0].shape() || s.dtype() != scans[k][0].dtype()))
          throw Error(Stage::Run, "Loop scan output " + std::to_string(k) + " is " +
                                      shape_to_string(s.shape()) + " in iteration " + std::to_string(i) +
                                      " but " + shape_to_string(scans[k][0].shape()) + " in iteration 0");
        scans[k].push_back(std::move(s));
      }
    }
    // Without an iteration the outputs are the inputs: copied, as inputs may be the
    // session's constants or arena views.
    for (size_t j = 0; j < n_carried_; ++j) ctx.set_output(j, i == 0 ? carried[j].clone() : carried[j]);
    for (size_t k = 0; k < n_scan_; ++k) {
      if (!ctx.has_output(n_carried_ + k)) continue;
      Tensor out;
      if (scans[k].empty()) {
        // No iteration ran: an empty stack, with the declared per-iteration shape if known.
        Shape s = {0};
        if (const Shape* fixed = body_->output_fixed_shape(1 + n_carried_ + k))
          s.insert(s.end(), fixed->begin(), fixed->end());
        out = Tensor(dtypes_[n_carried_ + k], s);
      } else {
        out = stack_along_axis(scans[k], 0, Stage::Run);
      }
      ctx.set_output(n_carried_ + k, std::move(out));
    }
  }

  bool foldable() const override { return deterministic_; }

 private:
  static bool read_cond(const Tensor& c, const char* what) {
    if (!c.is_tensor() || c.dtype() != DType::Bool || c.numel() != 1)
      throw Error(Stage::Run, std::string(what) + " must be a bool tensor with one element");
    return c.data<bool>()[0];
  }

  size_t n_carried_ = 0, n_scan_ = 0;
  bool has_trip_count_ = false, has_cond_ = false;
  std::unique_ptr<Subgraph> body_;
  std::vector<DType> dtypes_;
  bool deterministic_ = true;
};

ONNXI_REGISTER_KERNEL("", "Loop", 1, 25, kRef,
                      [](const BuildContext& ctx) { return std::unique_ptr<Kernel>(new LoopKernel(ctx)); });

}  // namespace
}  // namespace onnxi
