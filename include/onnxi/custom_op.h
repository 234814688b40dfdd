// Public C++ API for custom operators: an embedding program registers its own kernel for
// a (domain, op type, opset range), and sessions created afterwards run models that use it.
//
//   struct MyScale : onnxi::CustomKernel { ... };
//   onnxi::CustomOp op;
//   op.domain = "com.example"; op.op_type = "Scale";
//   op.create = [](const onnxi::CustomNode& n) { return
//   std::make_unique<MyScale>(n.attr_float("alpha", 1.f)); }; onnxi::register_custom_op(op);
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "onnxi/tensor.h"

namespace onnxi {

// What is known of an input or output ahead of running: its dtype, and its shape when
// `shape_known` (input shapes can be unknown while planning, e.g. after a data-dependent op).
struct TensorType {
  DType dtype = DType::Undefined;
  bool shape_known = false;
  Shape shape;
};

// The node a custom kernel is created for: name, opset and typed attribute access. Reading
// an attribute with the wrong kind, or a required one that is absent, throws Error. Valid
// only during CustomOp::create.
class CustomNode {
 public:
  const std::string& name() const;
  const std::string& op_type() const;
  const std::string& domain() const;
  int64_t opset() const;  // the model's opset import for the node's domain
  size_t num_inputs() const;
  size_t num_outputs() const;
  bool has_attr(const std::string& name) const;
  int64_t attr_int(const std::string& name) const;
  int64_t attr_int(const std::string& name, int64_t def) const;
  float attr_float(const std::string& name) const;
  float attr_float(const std::string& name, float def) const;
  std::string attr_string(const std::string& name) const;
  std::string attr_string(const std::string& name, const std::string& def) const;
  std::vector<int64_t> attr_ints(const std::string& name, std::vector<int64_t> def = {}) const;
  std::vector<float> attr_floats(const std::string& name, std::vector<float> def = {}) const;

  // Made by the runtime; `impl` is its internal node description.
  CustomNode(const void* impl, int64_t opset);

 private:
  const void* impl_;
  int64_t opset_;
};

class CustomKernel {
 public:
  virtual ~CustomKernel() = default;
  // Output types from input types; `outputs` has one entry per node output. Set each
  // output's dtype; set its shape (and shape_known) when it follows from the input
  // shapes, which lets the session plan it into its arena. Called when planning.
  virtual void infer(const std::vector<TensorType>& inputs, std::vector<TensorType>& outputs) = 0;
  // Computes the outputs. `outputs[i]` arrives allocated with the shape infer() gave (write
  // into it) or undefined when infer() gave no shape (assign a new Tensor). Omitted
  // optional inputs are undefined tensors. Throw (onnxi::Error or any std::exception) on
  // bad input: the session adds the node's context. A session runs one call of a given
  // kernel at a time, even when Session::run is called from several threads.
  virtual void compute(const std::vector<Tensor>& inputs, std::vector<Tensor>& outputs) = 0;
};

struct CustomOp {
  std::string domain;  // e.g. "com.example"; "" would be ai.onnx (then it takes precedence)
  std::string op_type;
  int64_t since_version = 1;  // opset range of the domain, inclusive
  int64_t until_version = INT64_MAX;
  // Creates the kernel for one node (once per session and node). Throw Error for a node
  // it cannot handle (bad attributes); return nullptr to decline.
  std::function<std::unique_ptr<CustomKernel>(const CustomNode&)> create;
};

// Registers `op` for sessions created from now on. Registering is not synchronized with
// creating sessions: register custom ops at start-up, before any thread creates a session.
// Throws Error(Stage::Usage) when the domain or op type is empty, the range is empty or
// `create` is unset.
void register_custom_op(CustomOp op);

}  // namespace onnxi
