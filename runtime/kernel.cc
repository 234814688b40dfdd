#include "runtime/kernel.h"

#include <algorithm>
#include <optional>
#include <set>

#include "runtime/op_versions.h"

namespace onnxi {

// ---- AttributeReader ----

const Attribute* AttributeReader::find(const std::string& name, Attribute::Kind kind) const {
  const Attribute* a = node_.find_attribute(name);
  if (a && a->kind != kind)
    throw Error(Stage::Build, "attribute '" + name + "' has type " + attribute_kind_name(a->kind) +
                                  ", expected " + attribute_kind_name(kind));
  return a;
}

const Attribute& AttributeReader::require(const std::string& name, Attribute::Kind kind) const {
  const Attribute* a = find(name, kind);
  if (!a) throw Error(Stage::Build, "required attribute '" + name + "' is missing");
  return *a;
}

int64_t AttributeReader::get_int(const std::string& name, int64_t def) const {
  const Attribute* a = find(name, Attribute::Kind::Int);
  return a ? a->i : def;
}
int64_t AttributeReader::get_int(const std::string& name) const { return require(name, Attribute::Kind::Int).i; }
float AttributeReader::get_float(const std::string& name, float def) const {
  const Attribute* a = find(name, Attribute::Kind::Float);
  return a ? a->f : def;
}
float AttributeReader::get_float(const std::string& name) const {
  return require(name, Attribute::Kind::Float).f;
}
std::string AttributeReader::get_string(const std::string& name, const std::string& def) const {
  const Attribute* a = find(name, Attribute::Kind::String);
  return a ? a->s : def;
}
std::string AttributeReader::get_string(const std::string& name) const {
  return require(name, Attribute::Kind::String).s;
}
std::vector<int64_t> AttributeReader::get_ints(const std::string& name, std::vector<int64_t> def) const {
  const Attribute* a = find(name, Attribute::Kind::Ints);
  return a ? a->ints : def;
}
std::vector<float> AttributeReader::get_floats(const std::string& name, std::vector<float> def) const {
  const Attribute* a = find(name, Attribute::Kind::Floats);
  return a ? a->floats : def;
}
std::vector<std::string> AttributeReader::get_strings(const std::string& name,
                                                      std::vector<std::string> def) const {
  const Attribute* a = find(name, Attribute::Kind::Strings);
  return a ? a->strings : def;
}
const Tensor* AttributeReader::get_tensor(const std::string& name) const {
  const Attribute* a = find(name, Attribute::Kind::Tensor);
  return a ? &a->t : nullptr;
}
const Graph* AttributeReader::get_graph(const std::string& name) const {
  const Attribute* a = find(name, Attribute::Kind::Graph);
  return a ? a->g.get() : nullptr;
}

// ---- Outside a session ----

void run_kernel_once(const Kernel& kernel, std::vector<const Tensor*> inputs, std::vector<Tensor*> outputs,
                     pthreadpool_t pool) {
  std::unique_ptr<KernelState> state = kernel.make_state();
  RunContext ctx(std::move(inputs), std::move(outputs), pool, state.get());
  kernel.reshape(ctx);
  kernel.run(ctx);
}

// ---- InferContext / RunContext ----

void InferContext::set_output(size_t i, DType dtype, Shape shape) {
  if (i >= outputs_.size()) return;  // optional output not requested
  for (int64_t d : shape)
    if (d < 0) throw Error(Stage::Plan, "inferred output " + std::to_string(i) + " has a negative dimension " + shape_to_string(shape));
  outputs_[i].dtype = dtype;
  outputs_[i].shape_known = true;
  outputs_[i].shape = std::move(shape);
}

void InferContext::set_output_dtype(size_t i, DType dtype) {
  if (i >= outputs_.size()) return;
  outputs_[i].dtype = dtype;
  outputs_[i].shape_known = false;
  outputs_[i].shape.clear();
}

const Tensor& RunContext::input(size_t i) const {
  if (!has_input(i)) throw Error(Stage::Run, "input " + std::to_string(i) + " is missing");
  return *inputs_[i];
}

Tensor& RunContext::output(size_t i) {
  if (!has_output(i)) throw Error(Stage::Run, "output " + std::to_string(i) + " is not available");
  return *outputs_[i];
}

void RunContext::set_output(size_t i, Tensor t) {
  if (!has_output(i)) return;
  *outputs_[i] = std::move(t);
}

// ---- registry ----

KernelRegistry& KernelRegistry::global() {
  static KernelRegistry r;
  return r;
}

void KernelRegistry::add(KernelRegistration r) {
  r.domain = canonical_domain(r.domain);
  regs_.push_back(std::move(r));
}

namespace {

// The version a registration's range is compared with: the schema version the opset
// resolves to, the opset itself (custom ops, ops the table does not know), or none.
std::optional<int64_t> version_to_match(const KernelRegistration& r, const SchemaResolution& res, int64_t opset) {
  if (r.opset_range || res.kind == SchemaResolution::Kind::Unknown) return opset;
  if (res.kind == SchemaResolution::Kind::Resolved) return res.version;
  return std::nullopt;
}

std::string qualified_op(const std::string& domain, const std::string& op_type) {
  return (domain.empty() ? std::string("ai.onnx") : domain) + "::" + op_type;
}

}  // namespace

std::vector<const KernelRegistration*> KernelRegistry::find(const std::string& domain,
                                                            const std::string& op_type,
                                                            int64_t opset) const {
  std::string d = canonical_domain(domain);
  SchemaResolution res = resolve_schema_version(d, op_type, opset);
  std::vector<const KernelRegistration*> out;
  for (const auto& r : regs_) {
    if (r.domain != d || r.op_type != op_type) continue;
    std::optional<int64_t> v = version_to_match(r, res, opset);
    if (v && *v >= r.since_version && *v <= r.until_version) out.push_back(&r);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](auto* a, auto* b) { return a->provider->priority > b->provider->priority; });
  return out;
}

std::string KernelRegistry::implemented_versions(const std::string& domain, const std::string& op_type) const {
  std::string d = canonical_domain(domain);
  const std::vector<int64_t>* schema = op_schema_versions(d, op_type);
  std::set<int64_t> versions;
  std::set<std::pair<int64_t, int64_t>> ranges;
  for (const auto& r : regs_) {
    if (r.domain != d || r.op_type != op_type) continue;
    if (schema && !r.opset_range) {
      for (int64_t v : *schema)
        if (v >= r.since_version && v <= r.until_version) versions.insert(v);
    } else {
      ranges.insert({r.since_version, r.until_version});
    }
  }
  std::string out;
  auto add = [&](const std::string& s) { out += (out.empty() ? "" : ", ") + s; };
  for (int64_t v : versions) add(std::to_string(v));
  for (const auto& [a, b] : ranges)
    add(a == b ? std::to_string(a) : std::to_string(a) + "-" + (b == INT64_MAX ? std::string() : std::to_string(b)));
  return out;
}

std::string KernelRegistry::unsupported_reason(const std::string& domain, const std::string& op_type,
                                               int64_t opset) const {
  if (supports(domain, op_type, opset)) return "";
  std::string d = canonical_domain(domain);
  SchemaResolution res = resolve_schema_version(d, op_type, opset);
  std::string why;
  switch (res.kind) {
    case SchemaResolution::Kind::TooNew:
      why = "opset " + std::to_string(opset) + " is newer than onnxi knows (" + std::to_string(res.version) + ")";
      break;
    case SchemaResolution::Kind::NotYet:
      why = "the op does not exist before opset " + std::to_string(res.version);
      break;
    case SchemaResolution::Kind::Resolved:
      why = "schema version " + std::to_string(res.version) +
            (op_schema_deprecated(d, op_type, res.version) ? ", deprecated by ONNX" : "");
      break;
    case SchemaResolution::Kind::Unknown:
      break;
  }
  std::string impl = implemented_versions(d, op_type);
  std::string onnxi = impl.empty() ? "onnxi does not implement it"
                                   : "onnxi implements version" + std::string(impl.find_first_of(",-") == std::string::npos ? " " : "s ") + impl;
  return qualified_op(d, op_type) + " at opset " + std::to_string(opset) + " (" + (why.empty() ? "" : why + ", ") +
         onnxi + ")";
}

std::unique_ptr<Kernel> build_kernel(const BuildContext& ctx, const std::string& forced_provider) {
  auto regs = KernelRegistry::global().find(ctx.node.domain, ctx.node.op_type, ctx.opset);
  auto make = [&](const KernelRegistration* r) -> std::unique_ptr<Kernel> {
    if (!provider_enabled(*r->provider, ctx.options) || !r->provider->is_available()) return nullptr;
    std::unique_ptr<Kernel> k = r->factory(ctx);
    if (k) k->provider_ = r->provider;
    return k;
  };
  if (!forced_provider.empty()) {
    for (auto* r : regs)
      if (forced_provider == r->provider->name)
        if (auto k = make(r)) return k;
    for (auto* r : regs)
      if (r->provider == &kRef)
        if (auto k = make(r)) return k;
  }
  for (auto* r : regs)
    if (auto k = make(r)) return k;
  return nullptr;
}

detail::KernelRegistrar::KernelRegistrar(const char* domain, const char* op, int64_t since, int64_t until,
                                         const Provider& provider, KernelFactory f) {
  KernelRegistry::global().add({domain, op, since, until, &provider, std::move(f)});
}

// ---- helpers ----

int64_t normalize_axis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= std::max<int64_t>(rank, 1))
    throw Error(Stage::Build, "axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  return axis < 0 ? axis + rank : axis;
}

Shape broadcast_shapes(const Shape& a, const Shape& b) {
  size_t r = std::max(a.size(), b.size());
  Shape out(r);
  for (size_t i = 0; i < r; ++i) {
    int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    if (da == db || db == 1)
      out[i] = da;
    else if (da == 1)
      out[i] = db;
    else
      throw Error(Stage::Run, "shapes " + shape_to_string(a) + " and " + shape_to_string(b) + " cannot be broadcast");
  }
  return out;
}

}  // namespace onnxi
