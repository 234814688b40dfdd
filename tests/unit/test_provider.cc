// Providers as records (runtime/provider.h): the registry, the kernel registrations that
// name them, the provider a built kernel reports, and SessionOptions' provider selection.
#include <catch2/catch.hpp>

#include <set>
#include <sstream>

#include "onnxi/session.h"
#include "runtime/kernel.h"
#include "runtime/provider.h"
#include "runtime/session_internal.h"
#include "tests/harness/tensor_values.h"

using namespace onnxi;
using namespace onnxi::test;

namespace {

std::vector<std::string> split_csv(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(item);
  return out;
}

// One Conv (+ Relu) at opset 13, as loaded (no rewrites), so the Conv keeps its ai.onnx kernels.
Model conv_model() {
  Graph g;
  g.inputs = {value_info("x", DType::Float, {1, 4, 6, 6})};
  g.outputs = {value_info("y", DType::Float, {1, 8, 6, 6})};
  g.initializers["w"] = random_tensor({8, 4, 3, 3}, 1);
  g.nodes = {make_node("Conv", {"x", "w"}, {"c"}, {attr_ints("pads", {1, 1, 1, 1})}),
             make_node("Relu", {"c"}, {"y"})};
  return make_model(g);
}

std::map<std::string, std::string> providers_by_op(Session& s) {
  std::map<std::string, std::string> out;
  for (const auto& p : s.profile()) out[p.op_type] = p.provider;
  return out;
}

}  // namespace

TEST_CASE("providers: the registry lists every provider once, best first", "[provider]") {
  std::vector<const Provider*> list = providers();
  REQUIRE(!list.empty());
  std::set<std::string> names;
  for (size_t i = 0; i < list.size(); ++i) {
    CHECK(names.insert(list[i]->name).second);
    if (i) CHECK(list[i - 1]->priority >= list[i]->priority);
    CHECK(std::string(list[i]->description).size() > 0);
    CHECK(ProviderRegistry::global().find(list[i]->name) == list[i]);
  }
  CHECK(ProviderRegistry::global().find("ref") == &kRef);
  CHECK(ProviderRegistry::global().find("no-such-provider") == nullptr);
  // The selectable providers, lowest priority first, are the CMake list the tests loop over.
  std::vector<std::string> selectable;
  for (auto it = list.rbegin(); it != list.rend(); ++it)
    if ((*it)->selectable) selectable.push_back((*it)->name);
  CHECK(selectable == split_csv(ONNXI_PROVIDERS_CSV));
  // The public listing says the same.
  std::vector<ProviderInfo> pub = available_providers();
  REQUIRE(pub.size() == list.size());
  for (size_t i = 0; i < pub.size(); ++i) {
    CHECK(pub[i].name == list[i]->name);
    CHECK(pub[i].priority == list[i]->priority);
    CHECK(pub[i].selectable == list[i]->selectable);
  }
}

TEST_CASE("providers: every kernel registration names a registered provider", "[provider]") {
  // find() returns registrations best first; each one's provider must be in the registry.
  for (const char* op : {"Conv", "Relu", "Add", "MatMul", "Gemm", "MaxPool", "Resize", "Softmax"})
    for (const KernelRegistration* r : KernelRegistry::global().find("", op, 13))
      CHECK(ProviderRegistry::global().find(r->provider->name) == r->provider);
  auto nhwc = KernelRegistry::global().find("onnxi", "NhwcConv", 1);
  REQUIRE(nhwc.size() >= 2);
  CHECK(nhwc.back()->provider == &kRef);
  for (size_t i = 1; i < nhwc.size(); ++i) CHECK(nhwc[i - 1]->provider->priority >= nhwc[i]->provider->priority);
}

TEST_CASE("providers: a kernel reports the provider whose registration built it", "[provider]") {
  for (const std::string forced : {"ref", "xnnpack"}) {
    SessionOptions o;
    o.optimize = false;
    o.force_provider = forced;
    o.disabled_providers.clear();
    auto s = make_session(conv_model(), o);
    auto by_op = providers_by_op(*s);
    CHECK(by_op["Conv"] == forced);
    CHECK(by_op["Relu"] == "ref");  // XNNPACK has no Relu kernel (NaN: ops/math/unary_elementwise.cc)
  }
}

TEST_CASE("providers: disabled_providers keeps a provider's kernels out", "[provider]") {
  SessionOptions o;
  o.optimize = false;
  o.disabled_providers = {"xnnpack"};
  auto s = make_session(conv_model(), o);
  auto by_op = providers_by_op(*s);
  CHECK(by_op["Conv"] == "ref");
  CHECK(by_op["Relu"] == "ref");
  o.disabled_providers.clear();
  auto best = make_session(conv_model(), o);
  CHECK(providers_by_op(*best)["Conv"] == "xnnpack");
}

TEST_CASE("providers: SessionOptions naming an unknown provider give an Error listing the known ones",
          "[provider]") {
  SessionOptions o;
  o.force_provider = "cuda";
  try {
    make_session(conv_model(), o);
    FAIL("no error");
  } catch (const Error& e) {
    std::string msg = e.what();
    CHECK(msg.find("unknown provider 'cuda'") != std::string::npos);
    CHECK(msg.find("ref") != std::string::npos);
    CHECK(msg.find("xnnpack") != std::string::npos);
  }
  o.force_provider.clear();
  o.disabled_providers = {"nope"};
  CHECK_THROWS_WITH(make_session(conv_model(), o), Catch::Contains("unknown provider 'nope'"));
  o.disabled_providers = {"ref"};
  CHECK_THROWS_WITH(make_session(conv_model(), o), Catch::Contains("cannot be disabled"));
  o.disabled_providers = {"xnnpack"};
  o.force_provider = "xnnpack";
  CHECK_THROWS_WITH(make_session(conv_model(), o), Catch::Contains("both forced and disabled"));
  o.disabled_providers.clear();
  o.force_provider = "custom";  // an application's custom ops cannot be forced
  CHECK_THROWS_WITH(make_session(conv_model(), o), Catch::Contains("unknown provider 'custom'"));
}
