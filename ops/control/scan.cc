// Scan: runs `body` once per slice of the scan inputs, threading N state values through
// the iterations and stacking K per-iteration scan outputs.
// - Opset 8: every input has a leading batch axis; an optional first input
//   sequence_lens [batch] gives each batch item's length (default: all of axis 1);
//   `directions` reverses scan inputs. Scan outputs are [batch, max_len, ...], zero past
//   an item's length.
// - Opset 9+: no batch axis; scan_input_axes / scan_input_directions pick the axis and
//   direction of each scan input, scan_output_axes / scan_output_directions where each
//   scan output's new axis goes and whether it is filled back to front.
#include <algorithm>

#include "ops/common/axis_copy.h"
#include "ops/common/kernel_util.h"
#include "ops/control/subgraph.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

std::vector<int64_t> flags_attr(const BuildContext& ctx, const std::string& name, size_t count) {
  std::vector<int64_t> v = ctx.attrs.get_ints(name, std::vector<int64_t>(count, 0));
  if (v.size() != count)
    throw Error(Stage::Build, "Scan " + name + " has " + std::to_string(v.size()) + " entries, expected " +
                                  std::to_string(count));
  return v;
}

class ScanKernel : public Kernel {
 public:
  explicit ScanKernel(const BuildContext& ctx) : batched_(ctx.opset < 9) {
    const int64_t m = ctx.attrs.get_int("num_scan_inputs");
    const size_t first = batched_ ? 1 : 0;  // opset 8: sequence_lens comes first
    const size_t n_in = ctx.node.inputs.size();
    if (m < 1 || first + static_cast<size_t>(m) > n_in)
      throw Error(Stage::Build, "Scan num_scan_inputs " + std::to_string(m) + " does not fit its " +
                                    std::to_string(n_in) + " inputs");
    n_scan_in_ = static_cast<size_t>(m);
    n_state_ = n_in - first - n_scan_in_;
    for (size_t i = first; i < n_in; ++i)
      if (!ctx.has_input(i)) throw Error(Stage::Build, "Scan input " + std::to_string(i) + " is missing");
    if (batched_ && ctx.has_input(0) && ctx.input_dtype(0) != DType::Int64 &&
        ctx.input_dtype(0) != DType::Int32)
      throw Error(Stage::Build, "Scan sequence_lens must be int64");

    const Graph& body = require_graph(ctx, "body");
    if (body.inputs.size() != n_state_ + n_scan_in_)
      throw Error(Stage::Build, "Scan body has " + std::to_string(body.inputs.size()) + " inputs, expected " +
                                    std::to_string(n_state_ + n_scan_in_) + " (" + std::to_string(n_state_) +
                                    " states, " + std::to_string(n_scan_in_) + " scan inputs)");
    if (body.outputs.size() < n_state_)
      throw Error(Stage::Build, "Scan body has " + std::to_string(body.outputs.size()) +
                                    " outputs, expected at least " + std::to_string(n_state_));
    n_scan_out_ = body.outputs.size() - n_state_;
    if (ctx.num_outputs() != n_state_ + n_scan_out_)
      throw Error(Stage::Build, "Scan has " + std::to_string(ctx.num_outputs()) +
                                    " outputs, its body gives " + std::to_string(n_state_ + n_scan_out_));

    if (batched_) {
      in_dirs_ = flags_attr(ctx, "directions", n_scan_in_);
    } else {
      in_axes_ = flags_attr(ctx, "scan_input_axes", n_scan_in_);
      in_dirs_ = flags_attr(ctx, "scan_input_directions", n_scan_in_);
      out_axes_ = flags_attr(ctx, "scan_output_axes", n_scan_out_);
      out_dirs_ = flags_attr(ctx, "scan_output_directions", n_scan_out_);
      for (int64_t d : out_dirs_)
        if (d != 0 && d != 1) throw Error(Stage::Build, "Scan scan_output_directions entries must be 0 or 1");
    }
    for (int64_t d : in_dirs_)
      if (d != 0 && d != 1) throw Error(Stage::Build, "Scan directions must be 0 (forward) or 1 (reverse)");

    std::vector<DType> in_types;
    for (size_t i = first; i < n_in; ++i) in_types.push_back(ctx.input_dtype(i));
    body_ = std::make_unique<Subgraph>(ctx, body, "body", in_types);
    for (size_t i = 0; i < n_state_ + n_scan_out_; ++i) {
      DType t = body_->output_dtypes()[i];
      if (i < n_state_ && in_types[i] != DType::Undefined && t != in_types[i])
        throw Error(Stage::Build, "Scan state " + std::to_string(i) + " enters as " +
                                      std::string(dtype_name(in_types[i])) + " but the body returns " +
                                      std::string(dtype_name(t)));
      dtypes_.push_back(t);
    }
    deterministic_ = graph_is_deterministic(body);
  }

  void infer(InferContext& ctx) override {
    for (size_t i = 0; i < dtypes_.size(); ++i) ctx.set_output_dtype(i, dtypes_[i]);
  }

  void run(RunContext& ctx) const override {
    if (batched_)
      run_batched(ctx);
    else
      run_unbatched(ctx);
  }

  bool foldable() const override { return deterministic_; }

 private:
  static const Tensor& tensor_input(RunContext& ctx, size_t i) {
    const Tensor& t = ctx.input(i);
    if (!t.is_tensor()) throw Error(Stage::Run, "Scan input " + std::to_string(i) + " must be a tensor");
    return t;
  }

  // Runs the body over `steps` slices; `slice(m, t)` gives scan input m's slice for
  // iteration t. Updates `states`; appends scan outputs to `scans`.
  template <class SliceFn>
  void iterate(RunContext& ctx, std::vector<Tensor>& states, int64_t steps, SliceFn slice,
               std::vector<std::vector<Tensor>>& scans) const {
    std::vector<Tensor> in(n_state_ + n_scan_in_);
    for (int64_t t = 0; t < steps; ++t) {
      for (size_t j = 0; j < n_state_; ++j) in[j] = states[j];
      for (size_t m = 0; m < n_scan_in_; ++m) in[n_state_ + m] = slice(m, t);
      std::vector<Tensor> outs = body_->run(in, ctx);
      for (size_t j = 0; j < n_state_; ++j) states[j] = std::move(outs[j]);
      for (size_t k = 0; k < n_scan_out_; ++k) {
        Tensor& s = outs[n_state_ + k];
        if (!s.is_tensor()) throw Error(Stage::Run, "Scan output " + std::to_string(k) + " is not a tensor");
        if (!scans[k].empty() && s.shape() != scans[k][0].shape())
          throw Error(Stage::Run, "Scan output " + std::to_string(k) + " changes shape from " +
                                      shape_to_string(scans[k][0].shape()) + " to " +
                                      shape_to_string(s.shape()));
        scans[k].push_back(std::move(s));
      }
    }
  }

  // Per-iteration shape of scan output k when no iteration gave one: the declared one.
  Shape declared_step_shape(size_t k) const {
    const Shape* s = body_->output_fixed_shape(n_state_ + k);
    if (!s)
      throw Error(Stage::Run, "Scan ran no iteration and the body does not declare the shape of output " +
                                  std::to_string(n_state_ + k));
    return *s;
  }

  void run_unbatched(RunContext& ctx) const {
    std::vector<Tensor> states;
    for (size_t j = 0; j < n_state_; ++j) states.push_back(tensor_input(ctx, j));
    std::vector<const Tensor*> xs;
    std::vector<int64_t> axes;
    int64_t steps = -1;
    for (size_t m = 0; m < n_scan_in_; ++m) {
      const Tensor& x = tensor_input(ctx, n_state_ + m);
      if (x.rank() == 0)
        throw Error(Stage::Run, "Scan input " + std::to_string(n_state_ + m) + " is a scalar");
      int64_t axis = normalize_axis(in_axes_[m], static_cast<int64_t>(x.rank()));
      int64_t len = x.shape()[axis];
      if (steps >= 0 && len != steps)
        throw Error(Stage::Run, "Scan input " + std::to_string(m) + " has " + std::to_string(len) +
                                    " slices, scan input 0 has " + std::to_string(steps));
      steps = len;
      xs.push_back(&x);
      axes.push_back(axis);
    }
    std::vector<std::vector<Tensor>> scans(n_scan_out_);
    iterate(
        ctx, states, steps,
        [&](size_t m, int64_t t) {
          return take_along_axis(*xs[m], axes[m], in_dirs_[m] ? steps - 1 - t : t);
        },
        scans);
    for (size_t j = 0; j < n_state_; ++j) ctx.set_output(j, steps == 0 ? states[j].clone() : states[j]);
    for (size_t k = 0; k < n_scan_out_; ++k) {
      if (!ctx.has_output(n_state_ + k)) continue;
      if (scans[k].empty()) {
        Shape s = declared_step_shape(k);
        int64_t axis = normalize_axis(out_axes_[k], static_cast<int64_t>(s.size()) + 1);
        s.insert(s.begin() + axis, 0);
        ctx.set_output(n_state_ + k, Tensor(dtypes_[n_state_ + k], s));
        continue;
      }
      if (out_dirs_[k]) std::reverse(scans[k].begin(), scans[k].end());
      int64_t axis = normalize_axis(out_axes_[k], static_cast<int64_t>(scans[k][0].rank()) + 1);
      ctx.set_output(n_state_ + k, stack_along_axis(scans[k], axis, Stage::Run));
    }
  }

  void run_batched(RunContext& ctx) const {
    std::vector<const Tensor*> states, xs;
    int64_t batch = -1, max_len = -1;
    auto check_batch = [&](const Tensor& t, size_t i, size_t min_rank) {
      if (t.rank() < min_rank)
        throw Error(Stage::Run, "Scan input " + std::to_string(i) +
                                    " needs rank >= " + std::to_string(min_rank) +
                                    " (batch axis first), got " + shape_to_string(t.shape()));
      if (batch >= 0 && t.shape()[0] != batch)
        throw Error(Stage::Run, "Scan input " + std::to_string(i) + " has batch size " +
                                    std::to_string(t.shape()[0]) + ", expected " + std::to_string(batch));
      batch = t.shape()[0];
    };
    for (size_t j = 0; j < n_state_; ++j) {
      states.push_back(&tensor_input(ctx, 1 + j));
      check_batch(*states.back(), 1 + j, 1);
    }
    for (size_t m = 0; m < n_scan_in_; ++m) {
      const Tensor& x = tensor_input(ctx, 1 + n_state_ + m);
      check_batch(x, 1 + n_state_ + m, 2);
      if (max_len >= 0 && x.shape()[1] != max_len)
        throw Error(Stage::Run, "Scan input " + std::to_string(1 + n_state_ + m) + " has sequence length " +
                                    std::to_string(x.shape()[1]) + ", expected " + std::to_string(max_len));
      max_len = x.shape()[1];
      xs.push_back(&x);
    }
    std::vector<int64_t> lens(static_cast<size_t>(batch), max_len);
    if (ctx.has_input(0)) {
      lens = read_int_values(tensor_input(ctx, 0), "Scan sequence_lens");
      if (static_cast<int64_t>(lens.size()) != batch)
        throw Error(Stage::Run, "Scan sequence_lens has " + std::to_string(lens.size()) +
                                    " entries, batch size is " + std::to_string(batch));
      for (int64_t l : lens)
        if (l < 0 || l > max_len)
          throw Error(Stage::Run, "Scan sequence length " + std::to_string(l) + " is outside [0, " +
                                      std::to_string(max_len) + "]");
    }

    std::vector<std::vector<Tensor>> final_states(n_state_);
    std::vector<std::vector<std::vector<Tensor>>> scans(static_cast<size_t>(batch),
                                                        std::vector<std::vector<Tensor>>(n_scan_out_));
    std::vector<const Tensor*> step_example(n_scan_out_, nullptr);
    for (int64_t b = 0; b < batch; ++b) {
      std::vector<Tensor> st;
      for (const Tensor* s : states) st.push_back(take_along_axis(*s, 0, b));
      std::vector<Tensor> seqs;
      for (const Tensor* x : xs) seqs.push_back(take_along_axis(*x, 0, b));
      const int64_t len = lens[static_cast<size_t>(b)];
      auto& item_scans = scans[static_cast<size_t>(b)];
      iterate(
          ctx, st, len,
          [&](size_t m, int64_t t) { return take_along_axis(seqs[m], 0, in_dirs_[m] ? len - 1 - t : t); },
          item_scans);
      for (size_t j = 0; j < n_state_; ++j) final_states[j].push_back(std::move(st[j]));
      for (size_t k = 0; k < n_scan_out_; ++k)
        if (!item_scans[k].empty()) {
          if (step_example[k] && item_scans[k][0].shape() != step_example[k]->shape())
            throw Error(Stage::Run, "Scan output " + std::to_string(k) + " has shape " +
                                        shape_to_string(item_scans[k][0].shape()) + " for batch item " +
                                        std::to_string(b) + ", " + shape_to_string(step_example[k]->shape()) +
                                        " before");
          if (!step_example[k]) step_example[k] = &item_scans[k][0];
        }
    }
    for (size_t j = 0; j < n_state_; ++j)
      ctx.set_output(j, batch == 0 ? states[j]->clone() : stack_along_axis(final_states[j], 0, Stage::Run));
    for (size_t k = 0; k < n_scan_out_; ++k) {
      if (!ctx.has_output(n_state_ + k)) continue;
      Shape step = step_example[k] ? step_example[k]->shape() : declared_step_shape(k);
      Shape shape = {batch, max_len};
      shape.insert(shape.end(), step.begin(), step.end());
      Tensor out(dtypes_[n_state_ + k], shape);  // zero past each item's length
      const int64_t step_numel = shape_numel(step);
      for (int64_t b = 0; b < batch; ++b) {
        const auto& item = scans[static_cast<size_t>(b)][k];
        for (size_t t = 0; t < item.size(); ++t)
          copy_into(item[t], out, (b * max_len + static_cast<int64_t>(t)) * step_numel);
      }
      ctx.set_output(n_state_ + k, std::move(out));
    }
  }

  bool batched_;
  size_t n_state_ = 0, n_scan_in_ = 0, n_scan_out_ = 0;
  std::vector<int64_t> in_axes_, in_dirs_, out_axes_, out_dirs_;
  std::unique_ptr<Subgraph> body_;
  std::vector<DType> dtypes_;
  bool deterministic_ = true;
};

ONNXI_REGISTER_KERNEL("", "Scan", 8, 25, kRef,
                      [](const BuildContext& ctx) { return std::unique_ptr<Kernel>(new ScanKernel(ctx)); });

}  // namespace
}  // namespace onnxi
