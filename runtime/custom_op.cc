// Custom operators registered by embedding programs (include/onnxi/custom_op.h): an
// adapter turns the public CustomKernel into a runtime Kernel.
#include "onnxi/custom_op.h"

#include <cstring>
#include <mutex>

#include "runtime/kernel.h"

namespace onnxi {

// Kernels an application registers with register_custom_op: tried ahead of every built-in
// provider (an ai.onnx op it registers overrides the built-in kernels). Not selectable:
// SessionOptions cannot force or disable it (an application that does not want a custom
// kernel does not register it).
constinit const Provider kCustom{"custom", 100, "custom ops registered by the application (onnxi/custom_op.h)",
                                 /*own_threads=*/false, /*available=*/nullptr, /*selectable=*/false};
ONNXI_REGISTER_PROVIDER(kCustom);

namespace {

const Node& node_of(const void* impl) { return *static_cast<const Node*>(impl); }

class CustomKernelAdapter : public Kernel {
 public:
  explicit CustomKernelAdapter(std::unique_ptr<CustomKernel> k) : k_(std::move(k)) {}

  void infer(InferContext& ctx) override {
    std::vector<TensorType> in(ctx.num_inputs()), out(ctx.num_outputs());
    for (size_t i = 0; i < in.size(); ++i) {
      in[i].dtype = ctx.input_dtype(i);
      if (const Shape* s = ctx.input_shape(i)) {
        in[i].shape_known = true;
        in[i].shape = *s;
      }
    }
    k_->infer(in, out);
    for (size_t i = 0; i < out.size(); ++i) {
      if (out[i].dtype == DType::Undefined)
        throw Error(Stage::Plan, "custom kernel's infer() set no dtype for output " + std::to_string(i));
      if (out[i].shape_known)
        ctx.set_output(i, out[i].dtype, out[i].shape);
      else
        ctx.set_output_dtype(i, out[i].dtype);
    }
  }

  void run(RunContext& ctx) const override {
    std::vector<Tensor> in(ctx.num_inputs()), out(ctx.num_outputs());
    for (size_t i = 0; i < in.size(); ++i)
      if (ctx.has_input(i)) in[i] = ctx.input(i);
    for (size_t i = 0; i < out.size(); ++i)
      if (ctx.has_output(i)) out[i] = ctx.output(i);  // a handle on the planned buffer, if any
    {
      // The public contract: one compute() of a given custom kernel at a time (its state is
      // the embedding program's, which the runtime cannot split per execution context).
      std::lock_guard<std::mutex> lock(*compute_mu_);
      k_->compute(in, out);
    }
    for (size_t i = 0; i < out.size(); ++i) {
      if (!ctx.has_output(i)) continue;
      Tensor& planned = ctx.output(i);
      const std::string which = "custom kernel's output " + std::to_string(i);
      if (!out[i].defined()) throw Error(Stage::Run, which + " was not produced");
      if (!planned.defined()) {
        ctx.set_output(i, out[i]);
        continue;
      }
      if (out[i].is_tensor() && out[i].raw_data() == planned.raw_data() &&
          out[i].shape() == planned.shape() && out[i].dtype() == planned.dtype())
        continue;  // written in place
      // A new tensor for a planned output: it must agree with what infer() said.
      if (!out[i].is_tensor() || out[i].dtype() != planned.dtype() || out[i].shape() != planned.shape())
        throw Error(Stage::Run, which + " has type " + std::string(dtype_name(out[i].dtype())) + " shape " +
                                    shape_to_string(out[i].shape()) + ", infer() said " +
                                    std::string(dtype_name(planned.dtype())) + " " +
                                    shape_to_string(planned.shape()));
      if (planned.dtype() == DType::String)
        planned.strings() = out[i].strings();
      else if (planned.nbytes())
        std::memcpy(planned.raw_data(), out[i].raw_data(), planned.nbytes());
    }
  }

  // The embedding program's code may have effects or depend on more than its inputs:
  // never run it at load time.
  bool foldable() const override { return false; }

 private:
  std::unique_ptr<CustomKernel> k_;
  std::unique_ptr<std::mutex> compute_mu_ = std::make_unique<std::mutex>();
};

}  // namespace

CustomNode::CustomNode(const void* impl, int64_t opset) : impl_(impl), opset_(opset) {}
const std::string& CustomNode::name() const { return node_of(impl_).name; }
const std::string& CustomNode::op_type() const { return node_of(impl_).op_type; }
const std::string& CustomNode::domain() const { return node_of(impl_).domain; }
int64_t CustomNode::opset() const { return opset_; }
size_t CustomNode::num_inputs() const { return node_of(impl_).inputs.size(); }
size_t CustomNode::num_outputs() const { return node_of(impl_).outputs.size(); }
bool CustomNode::has_attr(const std::string& n) const { return node_of(impl_).find_attribute(n) != nullptr; }
int64_t CustomNode::attr_int(const std::string& n) const {
  return AttributeReader(node_of(impl_)).get_int(n);
}
int64_t CustomNode::attr_int(const std::string& n, int64_t def) const {
  return AttributeReader(node_of(impl_)).get_int(n, def);
}
float CustomNode::attr_float(const std::string& n) const {
  return AttributeReader(node_of(impl_)).get_float(n);
}
float CustomNode::attr_float(const std::string& n, float def) const {
  return AttributeReader(node_of(impl_)).get_float(n, def);
}
std::string CustomNode::attr_string(const std::string& n) const {
  return AttributeReader(node_of(impl_)).get_string(n);
}
std::string CustomNode::attr_string(const std::string& n, const std::string& def) const {
  return AttributeReader(node_of(impl_)).get_string(n, def);
}
std::vector<int64_t> CustomNode::attr_ints(const std::string& n, std::vector<int64_t> def) const {
  return AttributeReader(node_of(impl_)).get_ints(n, std::move(def));
}
std::vector<float> CustomNode::attr_floats(const std::string& n, std::vector<float> def) const {
  return AttributeReader(node_of(impl_)).get_floats(n, std::move(def));
}

void register_custom_op(CustomOp op) {
  if (op.op_type.empty())
    throw Error(Stage::Usage, "custom op in domain '" + op.domain + "': no op type given");
  const std::string what =
      "custom op " + (op.domain.empty() ? std::string("ai.onnx") : op.domain) + "::" + op.op_type;
  if (!op.create) throw Error(Stage::Usage, what + ": no create function given");
  if (op.since_version < 1 || op.until_version < op.since_version)
    throw Error(Stage::Usage, what + ": empty opset range " + std::to_string(op.since_version) + ".." +
                                  std::to_string(op.until_version));
  auto create = op.create;
  KernelRegistration r;
  r.domain = op.domain;
  r.op_type = op.op_type;
  r.since_version = op.since_version;
  r.until_version = op.until_version;
  r.opset_range = true;  // the public contract: an opset range of the domain
  r.provider = &kCustom;
  r.factory = [create](const BuildContext& ctx) -> std::unique_ptr<Kernel> {
    CustomNode node(&ctx.node, ctx.opset);
    std::unique_ptr<CustomKernel> k = create(node);
    if (!k) return nullptr;
    return std::make_unique<CustomKernelAdapter>(std::move(k));
  };
  KernelRegistry::global().add(std::move(r));
}

}  // namespace onnxi
