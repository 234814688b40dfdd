// The process-wide memory limit (onnxi/limits.h): tensors, buffers and a session's
// activation arena larger than the limit are an Error naming the limit, not an allocation.
#include <catch2/catch.hpp>

#include "onnxi/limits.h"
#include "runtime/session_internal.h"
#include "tests/harness/tensor_values.h"

using namespace onnxi;
using namespace onnxi::test;

namespace {

// Restores the default limit when a test ends, even when it fails.
struct LimitGuard {
  explicit LimitGuard(size_t bytes) { set_max_tensor_bytes(bytes); }
  ~LimitGuard() { set_max_tensor_bytes(0); }
};

}  // namespace

TEST_CASE("memory limit: tensors and buffers above it are refused", "[limits]") {
  LimitGuard guard(1 << 20);
  CHECK(max_tensor_bytes() == (1u << 20));
  Tensor ok(DType::Float, {256, 1024});  // exactly 1 MiB
  CHECK(ok.numel() == 256 * 1024);
  CHECK_THROWS_WITH(Tensor(DType::Float, {256, 1025}), Catch::Contains("memory limit of 1048576 bytes"));
  CHECK_THROWS_WITH(Tensor(DType::Double, {1 << 20}), Catch::Contains("8388608 bytes"));
  CHECK_THROWS_WITH(Tensor(DType::String, {1 << 20}), Catch::Contains("memory limit"));
  CHECK_THROWS_WITH(allocate_aligned((1 << 20) + 1), Catch::Contains("memory limit"));
  // Products that overflow int64 are refused before any size arithmetic.
  CHECK_THROWS_WITH(Tensor(DType::Float, {int64_t(1) << 62, 8}), Catch::Contains("too many elements"));
  CHECK_THROWS_WITH(Tensor(DType::Float, {int64_t(1) << 62}), Catch::Contains("too large"));
}

TEST_CASE("memory limit: the default comes back after set_max_tensor_bytes(0)", "[limits]") {
  size_t before = max_tensor_bytes();
  CHECK(before > (size_t(1) << 20));
  {
    LimitGuard guard(4096);
    CHECK(max_tensor_bytes() == 4096);
  }
  CHECK(max_tensor_bytes() == before);
}

TEST_CASE("memory limit: a session whose outputs exceed it fails with an Error", "[limits]") {
  Graph g;
  g.inputs = {value_info("x", DType::Float, {-1, 64})};
  g.outputs = {value_info("y", DType::Float, {-1, 64})};
  g.nodes = {make_node("Relu", {"x"}, {"y"})};
  auto session = make_session(make_model(std::move(g)), {});
  Tensor small(DType::Float, {4, 64});
  for (int64_t i = 0; i < small.numel(); ++i) small.data<float>()[i] = static_cast<float>(i % 7) - 3.f;
  auto out = session->run({{"x", small}});
  REQUIRE(out.size() == 1);
  for (int64_t i = 0; i < small.numel(); ++i) CHECK(out[0].data<float>()[i] == std::max(0.f, small.data<float>()[i]));

  Tensor big(DType::Float, {8192, 64});  // 2 MiB in, 2 MiB out
  LimitGuard guard(1 << 20);
  try {
    session->run({{"x", big}});
    FAIL("expected an Error");
  } catch (const Error& e) {
    CHECK((e.stage() == Stage::Plan || e.stage() == Stage::Run));
    CHECK_THAT(e.what(), Catch::Contains("memory limit"));
  }
}
