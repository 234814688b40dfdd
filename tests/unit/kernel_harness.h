// Runs one node through the kernel contract (build -> infer -> prepare -> run) without a
// session, so kernel tests can force a provider and compare against a reference.
#pragma once
#include <pthreadpool.h>

#include <string>
#include <vector>

#include "runtime/kernel.h"
#include "onnxi/session.h"

namespace onnxi::test {

inline Attribute attr_int(const std::string& n, int64_t v) {
  Attribute a; a.name = n; a.kind = Attribute::Kind::Int; a.i = v; return a;
}
inline Attribute attr_float(const std::string& n, float v) {
  Attribute a; a.name = n; a.kind = Attribute::Kind::Float; a.f = v; return a;
}
inline Attribute attr_string(const std::string& n, const std::string& v) {
  Attribute a; a.name = n; a.kind = Attribute::Kind::String; a.s = v; return a;
}
inline Attribute attr_ints(const std::string& n, std::vector<int64_t> v) {
  Attribute a; a.name = n; a.kind = Attribute::Kind::Ints; a.ints = std::move(v); return a;
}
inline Attribute attr_floats(const std::string& n, std::vector<float> v) {
  Attribute a; a.name = n; a.kind = Attribute::Kind::Floats; a.floats = std::move(v); return a;
}
inline Attribute attr_tensor(const std::string& n, Tensor v) {
  Attribute a; a.name = n; a.kind = Attribute::Kind::Tensor; a.t = std::move(v); return a;
}

struct NodeRun {
  std::string op_type;
  std::string domain;
  int64_t opset = 13;
  std::vector<Attribute> attributes;
  std::vector<Tensor> inputs;           // undefined Tensor = omitted optional input
  std::vector<bool> constant;           // per input: visible as a constant at build/plan time
  size_t num_outputs = 1;
  std::string provider;                 // "" = best, "ref", "xnnpack"
};

struct NodeResult {
  std::vector<Tensor> outputs;
  std::string provider;
};

inline NodeResult run_node(const NodeRun& r, pthreadpool_t pool = nullptr) {
  Node node;
  node.name = "test_node";
  node.op_type = r.op_type;
  node.domain = r.domain;
  for (const auto& a : r.attributes) node.attributes[a.name] = a;
  std::vector<ValueType> in_types(r.inputs.size());
  for (size_t i = 0; i < r.inputs.size(); ++i) {
    node.inputs.push_back(r.inputs[i].defined() ? "in" + std::to_string(i) : "");
    if (!r.inputs[i].defined()) continue;
    in_types[i].dtype = r.inputs[i].dtype();
    in_types[i].shape_known = true;
    in_types[i].shape = r.inputs[i].shape();
    if (i < r.constant.size() && r.constant[i]) in_types[i].constant = &r.inputs[i];
  }
  for (size_t i = 0; i < r.num_outputs; ++i) node.outputs.push_back("out" + std::to_string(i));
  SessionOptions options;
  options.force_provider = r.provider;
  BuildContext bctx{node, r.opset, in_types, &options};
  auto kernel = build_kernel(bctx, r.provider);
  if (!kernel) throw Error(Stage::Build, "no kernel for " + r.op_type);
  if (!r.provider.empty() && r.provider != kernel->provider())
    throw Error(Stage::Build, "forced provider " + r.provider + " declined; got " + kernel->provider());
  // Plan-time inference (constants only), then run-time inference with all values.
  std::vector<ValueType> out_types(r.num_outputs);
  {
    InferContext ictx(in_types, out_types);
    kernel->infer(ictx);
  }
  std::vector<ValueType> run_types = in_types;
  for (size_t i = 0; i < r.inputs.size(); ++i)
    if (r.inputs[i].defined()) run_types[i].constant = &r.inputs[i];
  std::vector<ValueType> run_out(r.num_outputs);
  {
    InferContext ictx(run_types, run_out);
    kernel->infer(ictx);
  }
  PrepareContext pctx;
  pctx.threadpool = pool;
  pctx.options = &options;
  kernel->prepare(pctx);
  NodeResult res;
  res.provider = kernel->provider();
  res.outputs.resize(r.num_outputs);
  std::vector<const Tensor*> ins;
  for (const auto& t : r.inputs) ins.push_back(&t);
  std::vector<Tensor*> outs;
  for (size_t i = 0; i < r.num_outputs; ++i) {
    if (run_out[i].shape_known) res.outputs[i] = Tensor(run_out[i].dtype, run_out[i].shape);
    outs.push_back(&res.outputs[i]);
  }
  run_kernel_once(*kernel, ins, outs, pool);
  return res;
}

}  // namespace onnxi::test
