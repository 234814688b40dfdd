// The operator version table (runtime/op_versions.h) and the registry's lookup by schema
// version: every kernel registration names schema versions of its op, and a node's opset
// resolves to the op's schema version before matching.
#include <catch2/catch.hpp>

#include <map>
#include <tuple>

#include "runtime/kernel.h"
#include "runtime/op_versions.h"

using namespace onnxi;

namespace {

std::string op_name(const KernelRegistration& r) {
  return (r.domain.empty() ? std::string("ai.onnx") : r.domain) + "::" + r.op_type + " (" + r.provider->name +
         ", " + std::to_string(r.since_version) + ".." + std::to_string(r.until_version) + ")";
}

KernelRegistration reg(const std::string& domain, const std::string& op, int64_t since, int64_t until,
                       bool opset_range = false) {
  KernelRegistration r;
  r.domain = domain;
  r.op_type = op;
  r.since_version = since;
  r.until_version = until;
  r.opset_range = opset_range;
  r.factory = [](const BuildContext&) { return std::unique_ptr<Kernel>(); };
  return r;
}

}  // namespace

TEST_CASE("op versions: the table knows the domains and their latest opsets") {
  CHECK(known_max_opset("") == 28);
  CHECK(known_max_opset("ai.onnx") == 28);
  CHECK(known_max_opset("ai.onnx.ml") == 5);
  CHECK(known_max_opset("ai.onnx.preview.training") == 1);
  CHECK(known_max_opset("ai.onnx.preview") == 1);
  CHECK(known_max_opset("com.microsoft") == 0);
  const auto* pad = op_schema_versions("", "Pad");
  REQUIRE(pad);
  CHECK(*pad == std::vector<int64_t>{1, 2, 11, 13, 18, 19, 21, 23, 24, 25});
  REQUIRE(op_schema_versions("ai.onnx.ml", "TreeEnsembleClassifier"));
  CHECK(op_schema_versions("com.microsoft", "FusedConv") == nullptr);
  CHECK(op_schema_deprecated("", "Upsample", 10));
  CHECK_FALSE(op_schema_deprecated("", "Upsample", 9));
  for (const auto& e : op_schema_table()) {
    INFO(e.domain << "::" << e.op_type);
    REQUIRE_FALSE(e.versions.empty());
    CHECK(std::is_sorted(e.versions.begin(), e.versions.end()));
    CHECK(std::adjacent_find(e.versions.begin(), e.versions.end()) == e.versions.end());
    CHECK(e.versions.front() >= 1);
    CHECK(e.versions.back() <= known_max_opset(e.domain));
  }
}

TEST_CASE("op versions: an opset resolves to the op's schema version") {
  using K = SchemaResolution::Kind;
  auto r = resolve_schema_version("", "Pad", 17);  // between versions: the latest before it
  CHECK(r.kind == K::Resolved);
  CHECK(r.version == 13);
  r = resolve_schema_version("", "Pad", 18);
  CHECK((r.kind == K::Resolved && r.version == 18));
  r = resolve_schema_version("ai.onnx", "Relu", 28);
  CHECK((r.kind == K::Resolved && r.version == 14));
  r = resolve_schema_version("", "Relu", 29);  // newer than the table knows: never the latest known
  CHECK((r.kind == K::TooNew && r.version == 28));
  r = resolve_schema_version("", "Gelu", 13);  // before the op existed
  CHECK((r.kind == K::NotYet && r.version == 20));
  r = resolve_schema_version("", "NoSuchOp", 13);  // unknown op: the opset itself
  CHECK((r.kind == K::Unknown && r.version == 13));
  r = resolve_schema_version("com.example", "Frobnicate", 3);  // custom domain: the opset itself
  CHECK((r.kind == K::Unknown && r.version == 3));
}

TEST_CASE("op versions: every kernel registration names schema versions of its op") {
  const auto& regs = KernelRegistry::global().all();
  REQUIRE(regs.size() > 100);
  for (const KernelRegistration& r : regs) {
    INFO(op_name(r));
    if (r.opset_range) continue;  // custom ops: opset ranges of their domain, by contract
    CHECK(r.since_version >= 1);
    CHECK(r.since_version <= r.until_version);
    CHECK(r.until_version != INT64_MAX);
    const std::vector<int64_t>* versions = op_schema_versions(r.domain, r.op_type);
    if (!versions) {
      // Only ops of domains the table does not cover (onnxi's internal ops, tests' own) may
      // be missing from it: an ai.onnx registration of an unknown op is a typo.
      CHECK(known_max_opset(r.domain) == 0);
      continue;
    }
    CHECK(std::count(versions->begin(), versions->end(), r.since_version) == 1);
    CHECK(std::count(versions->begin(), versions->end(), r.until_version) == 1);
  }
}

TEST_CASE("op versions: no two registrations of one provider overlap") {
  std::map<std::tuple<std::string, std::string, std::string>, std::vector<const KernelRegistration*>> by_op;
  for (const KernelRegistration& r : KernelRegistry::global().all())
    if (!r.opset_range) by_op[{r.domain, r.op_type, r.provider->name}].push_back(&r);
  for (const auto& [key, list] : by_op)
    for (size_t i = 0; i < list.size(); ++i)
      for (size_t j = i + 1; j < list.size(); ++j) {
        INFO(op_name(*list[i]) << " and " << op_name(*list[j]));
        CHECK((list[i]->until_version < list[j]->since_version || list[j]->until_version < list[i]->since_version));
      }
}

TEST_CASE("op versions: the registry matches schema versions") {
  KernelRegistry reg_;
  reg_.add(reg("", "Pad", 1, 13));
  reg_.add(reg("ai.onnx", "Relu", 6, 14));
  reg_.add(reg("com.example", "Frobnicate", 1, 2));
  reg_.add(reg("", "NoSuchOp", 13, 13));
  // Between schema versions: opset 17 is Pad version 13.
  CHECK(reg_.supports("", "Pad", 13));
  CHECK(reg_.supports("", "Pad", 17));
  CHECK_FALSE(reg_.supports("", "Pad", 18));  // axes input: a different meaning
  CHECK_FALSE(reg_.supports("", "Pad", 25));
  CHECK(reg_.supports("", "Relu", 28));
  CHECK_FALSE(reg_.supports("", "Relu", 5));  // version 1 is not registered
  CHECK_FALSE(reg_.supports("", "Relu", 29));  // newer than known
  // Unknown ops and custom domains: the opset itself.
  CHECK(reg_.supports("com.example", "Frobnicate", 2));
  CHECK_FALSE(reg_.supports("com.example", "Frobnicate", 3));
  CHECK(reg_.supports("", "NoSuchOp", 13));
  CHECK_FALSE(reg_.supports("", "NoSuchOp", 14));

  CHECK(reg_.unsupported_reason("", "Pad", 17).empty());
  CHECK(reg_.unsupported_reason("", "Pad", 25) ==
        "ai.onnx::Pad at opset 25 (schema version 25, onnxi implements versions 1, 2, 11, 13)");
  CHECK(reg_.unsupported_reason("", "Relu", 29) ==
        "ai.onnx::Relu at opset 29 (opset 29 is newer than onnxi knows (28), onnxi implements versions 6, 13, 14)");
  CHECK(reg_.unsupported_reason("", "Gelu", 13) ==
        "ai.onnx::Gelu at opset 13 (the op does not exist before opset 20, onnxi does not implement it)");
  CHECK(reg_.unsupported_reason("", "Upsample", 10) ==
        "ai.onnx::Upsample at opset 10 (schema version 10, deprecated by ONNX, onnxi does not implement it)");
  CHECK(reg_.unsupported_reason("com.example", "Frobnicate", 3) ==
        "com.example::Frobnicate at opset 3 (onnxi implements versions 1-2)");
  CHECK(reg_.implemented_versions("", "Pad") == "1, 2, 11, 13");
  CHECK(reg_.implemented_versions("", "Nothing").empty());
}

TEST_CASE("op versions: custom ops match the opset directly, even in ai.onnx and past the table") {
  KernelRegistry reg_;
  reg_.add(reg("", "Relu", 29, 30, /*opset_range=*/true));
  reg_.add(reg("", "Relu", 6, 14));
  CHECK(reg_.find("", "Relu", 29).size() == 1);
  CHECK(reg_.find("", "Relu", 31).empty());
  CHECK(reg_.find("", "Relu", 28).size() == 1);
  CHECK(reg_.unsupported_reason("", "Relu", 31) ==
        "ai.onnx::Relu at opset 31 (opset 31 is newer than onnxi knows (28), onnxi implements versions 6, 13, 14, "
        "29-30)");
}

TEST_CASE("op versions: the global registry refuses newer semantics than its kernels implement") {
  const KernelRegistry& g = KernelRegistry::global();
  CHECK(g.supports("", "Resize", 17));
  CHECK_FALSE(g.supports("", "Resize", 18));  // antialias, axes, keep_aspect_ratio_policy
  CHECK(g.supports("", "DFT", 19));
  CHECK_FALSE(g.supports("", "DFT", 20));  // axis becomes an input
  CHECK(g.supports("", "ReduceMean", 18));   // axes as input, implemented
  CHECK(g.supports("", "Relu", 28));
  CHECK_FALSE(g.supports("", "Relu", 29));
  CHECK(g.supports("onnxi", "NhwcConv", 1));
}
