// The operator test harness (see op_tester.h).
#include "tests/harness/op_tester.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <sstream>

#include "runtime/provider.h"
#include "runtime/session_internal.h"
#include "tests/harness/tensor_values.h"

namespace onnxi::test {

// ---- Attributes ----

namespace {
Attribute named(const std::string& n, Attribute::Kind k) {
  Attribute a;
  a.name = n;
  a.kind = k;
  return a;
}
}  // namespace

Attribute attr_int(const std::string& n, int64_t v) {
  Attribute a = named(n, Attribute::Kind::Int);
  a.i = v;
  return a;
}
Attribute attr_float(const std::string& n, float v) {
  Attribute a = named(n, Attribute::Kind::Float);
  a.f = v;
  return a;
}
Attribute attr_string(const std::string& n, const std::string& v) {
  Attribute a = named(n, Attribute::Kind::String);
  a.s = v;
  return a;
}
Attribute attr_ints(const std::string& n, std::vector<int64_t> v) {
  Attribute a = named(n, Attribute::Kind::Ints);
  a.ints = std::move(v);
  return a;
}
Attribute attr_floats(const std::string& n, std::vector<float> v) {
  Attribute a = named(n, Attribute::Kind::Floats);
  a.floats = std::move(v);
  return a;
}
Attribute attr_strings(const std::string& n, std::vector<std::string> v) {
  Attribute a = named(n, Attribute::Kind::Strings);
  a.strings = std::move(v);
  return a;
}
Attribute attr_tensor(const std::string& n, Tensor v) {
  Attribute a = named(n, Attribute::Kind::Tensor);
  a.t = std::move(v);
  return a;
}
Attribute attr_graph(const std::string& n, Graph g) {
  Attribute a = named(n, Attribute::Kind::Graph);
  a.g = std::make_shared<Graph>(std::move(g));
  return a;
}
Attribute attr_type(const std::string& n, const std::string& described) {
  Attribute a = named(n, Attribute::Kind::TypeProto);
  a.s = described;
  return a;
}

// ---- KernelRunner ----

namespace {
KernelRunner::Options over_shapes(pthreadpool_t pool) {
  KernelRunner::Options o;
  o.pool = pool;
  o.shapes_known_at_build = false;
  return o;
}
}  // namespace

KernelRunner::KernelRunner(NodeRun r, pthreadpool_t pool) : KernelRunner(std::move(r), over_shapes(pool)) {}

KernelRunner::KernelRunner(NodeRun r, Options o) : r_(std::move(r)), o_(o) {
  node_.name = "test_node";
  node_.op_type = r_.op_type;
  node_.domain = r_.domain;
  for (const auto& a : r_.attributes) node_.attributes[a.name] = a;
  types_.resize(r_.inputs.size());
  for (size_t i = 0; i < r_.inputs.size(); ++i) {
    node_.inputs.push_back(r_.inputs[i].defined() ? "in" + std::to_string(i) : "");
    if (!r_.inputs[i].defined()) continue;
    const bool constant = o_.skip_prepare || (i < r_.constant.size() && r_.constant[i]);
    types_[i].dtype = r_.inputs[i].dtype();
    types_[i].shape_known = constant || o_.shapes_known_at_build;
    if (types_[i].shape_known) types_[i].shape = r_.inputs[i].shape();
    if (constant) types_[i].constant = &r_.inputs[i];
  }
  for (size_t i = 0; i < r_.num_outputs; ++i) node_.outputs.push_back("out" + std::to_string(i));
  options_.force_provider = r_.provider;
  BuildContext bctx{node_, r_.opset, types_, &options_};
  kernel_ = build_kernel(bctx, r_.provider);
  if (!kernel_) throw Error(Stage::Build, "no kernel for " + r_.op_type);
  if (!r_.provider.empty() && r_.provider != kernel_->provider())
    throw Error(Stage::Build, "forced provider " + r_.provider + " declined; got " + kernel_->provider());
  // Plan-time inference, with what is known at build.
  std::vector<ValueType> out(r_.num_outputs);
  InferContext ictx(types_, out);
  kernel_->infer(ictx);
  if (!o_.skip_prepare) {
    PrepareContext pctx;
    pctx.threadpool = o_.pool;
    pctx.options = &options_;
    kernel_->prepare(pctx);
  }
}

KernelRunner::~KernelRunner() = default;

std::string KernelRunner::provider() const { return kernel_->provider(); }

std::vector<Tensor> KernelRunner::run() { return run(r_.inputs); }

void KernelRunner::infer_run_types(const std::vector<Tensor>& inputs, std::vector<ValueType>& types,
                                   std::vector<ValueType>& out_types) const {
  types = types_;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].defined()) continue;
    types[i].dtype = inputs[i].dtype();
    types[i].shape_known = true;
    types[i].shape = inputs[i].shape();
    types[i].constant = &inputs[i];
  }
  out_types.assign(r_.num_outputs, ValueType{});
  InferContext ictx(types, out_types);
  kernel_->infer(ictx);
}

double KernelRunner::flops() {
  std::vector<ValueType> types, out_types;
  infer_run_types(r_.inputs, types, out_types);
  return kernel_->flops(types, out_types);
}

std::vector<Tensor> KernelRunner::run(std::vector<Tensor> inputs) {
  inputs.resize(r_.inputs.size());
  for (size_t i = 0; i < r_.inputs.size(); ++i)
    if (i < r_.constant.size() && r_.constant[i]) inputs[i] = r_.inputs[i];
  // Run-time inference, with every input's value.
  std::vector<ValueType> types, out_types;
  infer_run_types(inputs, types, out_types);
  std::vector<Tensor> outs(r_.num_outputs);
  std::vector<Tensor*> out_ptrs;
  for (size_t i = 0; i < r_.num_outputs; ++i) {
    // Left undefined when the shape depends on the values: the kernel sets it.
    if (out_types[i].shape_known) outs[i] = Tensor(out_types[i].dtype, out_types[i].shape);
    out_ptrs.push_back(&outs[i]);
  }
  std::vector<const Tensor*> in_ptrs;
  for (const auto& t : inputs) in_ptrs.push_back(&t);
  if (!state_made_) {
    state_ = kernel_->make_state();
    state_made_ = true;
  }
  std::vector<Shape> shapes;
  for (const auto& t : inputs) shapes.push_back(t.defined() ? t.shape() : Shape{-1});
  RunContext rctx(in_ptrs, out_ptrs, o_.pool, state_.get());
  if (shapes != last_shapes_) {
    kernel_->reshape(rctx);
    last_shapes_ = shapes;
  }
  kernel_->run(rctx);
  return outs;
}

NodeResult run_node(const NodeRun& r, pthreadpool_t pool) {
  KernelRunner::Options o;
  o.pool = pool;
  KernelRunner k(r, o);
  NodeResult res;
  res.provider = k.provider();
  res.outputs = k.run();
  return res;
}

Tensor run1(NodeRun r, const std::string& provider, size_t output) {
  r.provider = provider;
  NodeResult res = run_node(r);
  if (!provider.empty()) REQUIRE(res.provider == provider);
  return res.outputs.at(output);
}

Tensor run_threaded_same(NodeRun r, const std::string& provider) {
  TestThreadPool tp(3);
  r.provider = provider;
  Tensor single = run_node(r).outputs.at(0);
  NodeResult threaded = run_node(r, tp.pool);
  REQUIRE(threaded.provider == provider);
  require_close(threaded.outputs.at(0), single, Tolerance{}, provider + ", 3 threads vs 1");
  return single;
}

Tensor run_without_prepare(const NodeRun& r) {
  KernelRunner::Options o;
  o.skip_prepare = true;
  KernelRunner k(r, o);
  return k.run().at(0);
}

// ---- Tolerances and comparison ----

Tolerance default_tolerance(DType t) {
  switch (t) {
    case DType::Float:
      return {1e-5, 1e-6};
    case DType::Double:
      return {1e-12, 1e-12};
    case DType::Float16:
      return {1e-3, 1e-3};
    case DType::BFloat16:
      return {8e-3, 8e-3};
    default:
      return {0, 0};
  }
}

namespace {

bool compared_by_value(DType t) {
  switch (t) {
    case DType::Float: case DType::Double: case DType::Int8: case DType::Int16: case DType::Int32:
    case DType::UInt8: case DType::UInt16: case DType::UInt32: case DType::Bool: case DType::Float16:
    case DType::BFloat16:
      return true;
    default:
      return false;
  }
}

}  // namespace

void require_close(const Tensor& got, const Tensor& want, Tolerance tol, const std::string& what) {
  INFO(what);
  REQUIRE(got.defined() == want.defined());
  if (!want.defined()) return;
  REQUIRE(std::string(dtype_name(got.dtype())) == std::string(dtype_name(want.dtype())));
  REQUIRE(shape_to_string(got.shape()) == shape_to_string(want.shape()));
  const int64_t n = want.numel();
  if (want.dtype() == DType::String) {
    for (int64_t i = 0; i < n; ++i) {
      INFO("index " << i);
      REQUIRE(got.strings()[static_cast<size_t>(i)] == want.strings()[static_cast<size_t>(i)]);
    }
    return;
  }
  if (!compared_by_value(want.dtype())) {  // 64-bit integers, float8, int4...: exact bytes
    REQUIRE(std::memcmp(got.raw_data(), want.raw_data(), want.nbytes()) == 0);
    return;
  }
  size_t bad = 0;
  std::ostringstream first;
  for (int64_t i = 0; i < n; ++i) {
    const double g = get_value(got, i), w = get_value(want, i);
    if (std::isnan(w) && std::isnan(g)) continue;
    if (g == w) continue;
    if (!std::isinf(w) && std::fabs(g - w) <= tol.abs + tol.rel * std::fabs(w)) continue;
    if (bad++ < 5) first << " [" << i << "] got " << g << ", want " << w << ";";
  }
  INFO(bad << " of " << n << " elements differ (rel " << tol.rel << ", abs " << tol.abs << "):" << first.str());
  REQUIRE(bad == 0);
}

void require_close(const Tensor& got, const std::vector<double>& want, Tolerance tol, const std::string& what) {
  INFO(what);
  REQUIRE(got.defined());
  REQUIRE((compared_by_value(got.dtype()) || got.dtype() == DType::Int64 || got.dtype() == DType::UInt64));
  REQUIRE(static_cast<size_t>(got.numel()) == want.size());
  size_t bad = 0;
  std::ostringstream first;
  for (size_t i = 0; i < want.size(); ++i) {
    const int64_t k = static_cast<int64_t>(i);
    const double g = get_value(got, k);
    const double w = want[i];
    if (std::isnan(w) && std::isnan(g)) continue;
    if (g == w) continue;
    if (!std::isinf(w) && std::fabs(g - w) <= tol.abs + tol.rel * std::fabs(w)) continue;
    if (bad++ < 5) first << " [" << i << "] got " << g << ", want " << w << ";";
  }
  INFO(bad << " of " << want.size() << " elements differ (rel " << tol.rel << ", abs " << tol.abs
            << "):" << first.str());
  REQUIRE(bad == 0);
}

std::vector<std::string> test_providers() {
  const SessionOptions defaults;  // ONNXI_ONEDNN=0 in the environment disables oneDNN
  std::vector<std::string> names;
  for (const Provider* p : providers())
    if (p->selectable && p->is_available() && provider_enabled(*p, &defaults)) names.push_back(p->name);
  return names;
}

// ---- OpTester ----

OpTester::OpTester(std::string op_type, int64_t opset, std::string domain) {
  r_.op_type = std::move(op_type);
  r_.opset = opset;
  r_.domain = std::move(domain);
  r_.num_outputs = 0;
}

OpTester::OpTester(NodeRun r) : r_(std::move(r)) { r_.provider.clear(); }

OpTester& OpTester::attr(Attribute a) {
  r_.attributes.push_back(std::move(a));
  return *this;
}
OpTester& OpTester::input(Tensor t) {
  r_.inputs.push_back(std::move(t));
  r_.constant.resize(r_.inputs.size(), false);
  return *this;
}
OpTester& OpTester::constant(Tensor t) {
  input(std::move(t));
  r_.constant.back() = true;
  return *this;
}
OpTester& OpTester::absent() { return input(Tensor()); }
OpTester& OpTester::expect(Tensor want) {
  std::vector<Tensor>& t = expected_.back().tensors;
  t.push_back(std::move(want));
  r_.num_outputs = std::max(r_.num_outputs, t.size());
  return *this;
}
OpTester& OpTester::expect_values(std::vector<double> want) {
  Expected& e = expected_.back();
  e.values[e.tensors.size()] = std::move(want);
  return expect(Tensor());
}
OpTester& OpTester::then(std::vector<Tensor> inputs) {
  later_inputs_.push_back(std::move(inputs));
  expected_.emplace_back();
  return *this;
}
OpTester& OpTester::expect_flops(double flops) {
  flops_ = flops;
  return *this;
}
OpTester& OpTester::outputs(size_t n) {
  r_.num_outputs = n;
  return *this;
}
OpTester& OpTester::tolerance(double rel, double abs) {
  have_tol_ = true;
  tol_ = {rel, abs};
  return *this;
}
OpTester& OpTester::tolerance(const std::string& provider, double rel, double abs) {
  provider_tol_[provider] = {rel, abs};
  return *this;
}
OpTester& OpTester::providers(std::vector<std::string> names) {
  only_ = std::move(names);
  return *this;
}
OpTester& OpTester::require(const std::string& provider) {
  required_.push_back(provider);
  return *this;
}
OpTester& OpTester::threads(size_t n) {
  threads_ = n;
  return *this;
}
OpTester& OpTester::dynamic_shapes() {
  dynamic_ = true;
  return *this;
}

const std::vector<Tensor>& OpTester::Results::of(const std::string& provider) const {
  for (size_t i = 0; i < providers.size(); ++i)
    if (providers[i] == provider) return outputs[i];
  FAIL("provider " << provider << " did not run this node");
  return outputs.at(0);
}

std::vector<std::string> OpTester::tried() const {
  std::vector<std::string> names = only_.empty() ? test_providers() : only_;
  // The reference kernel first: the others are compared with it.
  std::stable_partition(names.begin(), names.end(), [](const std::string& n) { return n == "ref"; });
  return names;
}

void OpTester::check_outputs(const std::string& label, const std::string& provider,
                             const std::vector<Tensor>& outs, size_t run, const std::vector<Tensor>* ref) const {
  const Expected& want = expected_[run];
  for (size_t i = 0; i < outs.size(); ++i) {
    Tolerance tol = have_tol_ ? tol_ : default_tolerance(outs[i].defined() ? outs[i].dtype() : DType::Float);
    if (auto it = provider_tol_.find(provider); it != provider_tol_.end()) tol = it->second;
    const std::string which =
        label + (run > 0 ? ", run " + std::to_string(run + 1) : "") + ", output " + std::to_string(i);
    if (i < want.tensors.size() && want.tensors[i].defined())
      require_close(outs[i], want.tensors[i], tol, which + " vs expected");
    if (auto it = want.values.find(i); it != want.values.end()) require_close(outs[i], it->second, tol, which + " vs expected");
    if (ref && i < ref->size()) require_close(outs[i], (*ref)[i], tol, which + " vs ref");
  }
}

OpTester::Results OpTester::run() const {
  NodeRun r = r_;
  if (r.num_outputs == 0) r.num_outputs = 1;
  Results res;
  std::vector<std::vector<Tensor>> ref_runs;  // the reference kernel's outputs of each run
  for (const std::string& p : tried()) {
    r.provider = p;
    KernelRunner::Options o;
    o.shapes_known_at_build = !dynamic_;
    std::unique_ptr<KernelRunner> k;
    try {
      k = std::make_unique<KernelRunner>(r, o);
    } catch (const Error& e) {
      // A provider other than ref may decline (build_kernel then falls back to ref).
      if (p != "ref" && std::string(e.what()).find("forced provider " + p + " declined") != std::string::npos) continue;
      throw;
    }
    const std::string label = r.op_type + " on " + p;
    if (flops_ >= 0) {
      INFO(label << ": FLOP estimate");
      CHECK(k->flops() == flops_);
    }
    // Every run on this kernel (one execution context), then again on a threaded pool.
    auto run_all_inputs = [&](KernelRunner& kr) {
      std::vector<std::vector<Tensor>> runs{kr.run()};
      for (const auto& in : later_inputs_) runs.push_back(kr.run(in));
      return runs;
    };
    std::vector<std::vector<Tensor>> runs = run_all_inputs(*k);
    for (size_t n = 0; n < runs.size(); ++n) check_outputs(label, p, runs[n], n, ref_runs.empty() ? nullptr : &ref_runs[n]);
    if (threads_ > 1) {
      TestThreadPool tp(threads_);
      o.pool = tp.pool;
      KernelRunner kt(r, o);
      std::vector<std::vector<Tensor>> truns = run_all_inputs(kt);
      for (size_t n = 0; n < truns.size(); ++n)
        for (size_t i = 0; i < truns[n].size(); ++i)
          require_close(truns[n][i], runs[n][i],
                        have_tol_ ? tol_ : default_tolerance(runs[n][i].defined() ? runs[n][i].dtype() : DType::Float),
                        label + ", run " + std::to_string(n + 1) + ", output " + std::to_string(i) + ", " +
                            std::to_string(threads_) + " threads vs 1");
    }
    if (ref_runs.empty()) ref_runs = runs;
    res.providers.push_back(p);
    res.outputs.push_back(std::move(runs[0]));
  }
  INFO(r_.op_type << ": no provider accepted the node");
  REQUIRE(!res.providers.empty());
  for (const auto& want : required_) {
    INFO(r_.op_type << ": provider " << want << " was required to accept the node");
    REQUIRE(std::find(res.providers.begin(), res.providers.end(), want) != res.providers.end());
  }
  return res;
}

Tensor check_all(const NodeRun& r, const std::vector<double>& want, double rel, double abs, size_t output) {
  OpTester t(r);
  for (size_t i = 0; i < output; ++i) t.expect(Tensor());
  t.expect_values(want).tolerance(rel, abs);
  t.outputs(std::max(r.num_outputs, output + 1));
  return t.run().ref(output);
}

Tensor same_on_all(const NodeRun& r, double rel, double abs, size_t output) {
  OpTester t(r);
  if (rel != 0 || abs != 0) t.tolerance(rel, abs);
  return t.run().ref(output);
}

Tensor run_all(const NodeRun& r, size_t output) {
  NodeRun n = r;
  n.num_outputs = std::max(n.num_outputs, output + 1);
  return OpTester(n).run().ref(output);
}

void expect_error_all(const NodeRun& r, const std::string& substring) { OpTester(r).expect_error(substring); }

void OpTester::expect_error(const std::string& substring) const {
  NodeRun r = r_;
  if (r.num_outputs == 0) r.num_outputs = 1;
  size_t threw = 0;
  for (const std::string& p : tried()) {
    r.provider = p;
    INFO(r.op_type << " on " << p << ": expected an Error containing \"" << substring << "\"");
    KernelRunner::Options o;
    o.shapes_known_at_build = !dynamic_;
    std::string message;
    try {
      KernelRunner k(r, o);
      k.run();
    } catch (const Error& e) {
      message = e.what();
      // Another provider declining the node is not its error.
      if (p != "ref" && message.find("forced provider " + p + " declined") != std::string::npos) continue;
      INFO("got: " << message);
      CHECK(message.find(substring) != std::string::npos);
      ++threw;
      continue;
    }
    FAIL_CHECK("no Error");
  }
  CHECK(threw > 0);
}

// ---- Small graphs ----

Node make_node(const std::string& op, std::vector<std::string> in, std::vector<std::string> out,
               std::vector<Attribute> attrs, const std::string& name) {
  Node n;
  n.op_type = op;
  n.inputs = std::move(in);
  n.outputs = std::move(out);
  n.name = name.empty() ? n.outputs.at(0) + "_node" : name;
  for (auto& a : attrs) n.attributes[a.name] = a;
  return n;
}

ValueInfo value_info(const std::string& name, DType t, std::vector<int64_t> dims) {
  ValueInfo vi;
  vi.name = name;
  vi.dtype = t;
  vi.has_shape = true;
  for (int64_t d : dims) {
    Dim dim;
    if (d >= 0)
      dim.value = d;
    else
      dim.symbol = "N";
    vi.shape.push_back(dim);
  }
  return vi;
}

ValueInfo unshaped(const std::string& name, DType t, const std::string& kind) {
  ValueInfo vi;
  vi.name = name;
  vi.dtype = t;
  vi.kind = kind;
  return vi;
}

Graph make_graph(std::vector<Node> nodes, std::vector<ValueInfo> inputs, std::vector<ValueInfo> outputs,
                 std::map<std::string, Tensor> initializers) {
  Graph g;
  g.nodes = std::move(nodes);
  g.inputs = std::move(inputs);
  g.outputs = std::move(outputs);
  g.initializers = std::move(initializers);
  return g;
}

Model make_model(Graph g, int64_t opset) {
  Model m;
  m.ir_version = 8;
  m.opsets[""] = opset;
  m.graph = std::make_shared<Graph>(std::move(g));
  return m;
}

size_t count_ops(const Graph& g, const std::string& op) {
  size_t n = 0;
  for (const auto& node : g.nodes) n += node.op_type == op;
  return n;
}

std::unique_ptr<Session> session_for(Graph g, int64_t opset, bool optimize, const std::string& provider) {
  SessionOptions o;
  o.threads = 1;
  o.optimize = optimize;
  o.force_provider = provider;
  return make_session(make_model(std::move(g), opset), o);
}

std::vector<Tensor> build_and_run(Graph g, int64_t opset, const std::map<std::string, Tensor>& feeds,
                                  bool optimize) {
  return session_for(std::move(g), opset, optimize)->run(feeds);
}

std::vector<Tensor> run_graph_on_providers(const Graph& g, int64_t opset, const std::map<std::string, Tensor>& feeds,
                                           const Tolerance* tol) {
  std::vector<Tensor> ref = session_for(g, opset, true, "ref")->run(feeds);
  auto compare = [&](const std::vector<Tensor>& outs, const std::string& what) {
    REQUIRE(outs.size() == ref.size());
    for (size_t i = 0; i < outs.size(); ++i) {
      if (!ref[i].is_tensor()) continue;  // sequences and optionals: the test checks them
      Tolerance t = tol ? *tol : default_tolerance(ref[i].dtype());
      require_close(outs[i], ref[i], t, what + ", output " + std::to_string(i) + " vs ref");
    }
  };
  compare(session_for(g, opset, false, "ref")->run(feeds), "ref, unoptimized");
  for (const std::string& p : test_providers())
    if (p != "ref") compare(session_for(g, opset, true, p)->run(feeds), p);
  return ref;
}

}  // namespace onnxi::test
