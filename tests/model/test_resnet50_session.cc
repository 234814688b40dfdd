// Session-level checks on the exported ResNet-50 (model dir from ONNXI_RESNET50_DIR).
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <random>

#include "onnxi/io.h"
#include "onnxi/session.h"

using namespace onnxi;

namespace {

std::string model_dir(const char* env) {
  const char* d = std::getenv(env);
  if (!d) FAIL(std::string(env) + " is not set (run through ctest)");
  return d;
}

Tensor random_images(int64_t batch, uint32_t seed) {
  Tensor t(DType::Float, {batch, 3, 224, 224});
  std::mt19937 rng(seed);
  std::normal_distribution<float> n(0.f, 1.f);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = n(rng);
  return t;
}

Tensor slice_batch(const Tensor& t, int64_t b) {
  Shape s = t.shape();
  int64_t per = t.numel() / s[0];
  s[0] = 1;
  Tensor out(t.dtype(), s);
  std::copy(t.data<float>() + b * per, t.data<float>() + (b + 1) * per, out.data<float>());
  return out;
}

// Max abs difference relative to the reference's max magnitude.
double rel_error(const Tensor& got, const float* want, int64_t n) {
  double d = 0, m = 0;
  for (int64_t i = 0; i < n; ++i) {
    d = std::max(d, std::fabs(double(got.data<float>()[i]) - want[i]));
    m = std::max(m, std::fabs(double(want[i])));
  }
  return d / m;
}

}  // namespace

TEST_CASE("resnet50: batch 8 matches batch 1 per image in one session") {
  auto s = Session::from_file(model_dir("ONNXI_RESNET50_DIR") + "/model.onnx");
  Tensor x = random_images(8, 42);
  Tensor y8 = s->run({{"input", x}}).at(0);
  REQUIRE(y8.shape() == Shape{8, 1000});
  for (int64_t b = 0; b < 8; ++b) {
    Tensor y1 = s->run({{"input", slice_batch(x, b)}}).at(0);
    REQUIRE(y1.shape() == Shape{1, 1000});
    CHECK(rel_error(y1, y8.data<float>() + b * 1000, 1000) <= 1e-4);
  }
  // Back to batch 8: the re-plan must give the same result again.
  Tensor again = s->run({{"input", x}}).at(0);
  CHECK(rel_error(again, y8.data<float>(), y8.numel()) == 0.0);
}

TEST_CASE("resnet50: conv chains run in NHWC with one transpose at each boundary") {
  auto s = Session::from_file(model_dir("ONNXI_RESNET50_DIR") + "/model.onnx");
  s->run({{"input", random_images(1, 1)}});
  size_t transposes = 0, convs = 0, relus = 0, adds = 0;
  for (const auto& p : s->profile()) {
    transposes += p.op_type == "Transpose";
    convs += p.op_type == "NhwcConv";
    relus += p.op_type == "Relu";
    adds += p.op_type == "Add";
    // oneDNN takes every convolution of ResNet-50 where it is available (x86-64).
    if (p.op_type == "NhwcConv") CHECK(p.provider == std::string("onednn"));
  }
  CHECK(convs == 53);
  CHECK(transposes == 2);  // NCHW->NHWC at the input, NHWC->NCHW before Flatten
  CHECK(relus == 0);       // all 49 Relus are fused into a conv, 16 of them after its residual
  CHECK(adds == 0);        // the 16 residual Adds are fused into the conv before them
  PlanStats st = s->plan_stats();
  CHECK(st.arena_bytes > 0);
  // Every conv packed its weights: the session keeps no second copy. The fc's (2048 x 1000
  // + 1000 floats) stay unpacked: each execution context packs its own XNNPACK operator.
  const size_t fc_bytes = (2048 * 1000 + 1000) * sizeof(float);
  CHECK(st.weights_bytes >= fc_bytes);
  CHECK(st.weights_bytes < fc_bytes + 1'000'000);
}

TEST_CASE("resnet50 keep-bn: optimized and unoptimized sessions agree") {
  std::string dir = model_dir("ONNXI_RESNET50_BN_DIR");
  SessionOptions off;
  off.optimize = false;
  auto a = Session::from_file(dir + "/model.onnx");
  auto b = Session::from_file(dir + "/model.onnx", off);
  Tensor x = random_images(2, 7);
  Tensor ya = a->run({{"input", x}}).at(0);
  Tensor yb = b->run({{"input", x}}).at(0);
  CHECK(rel_error(ya, yb.data<float>(), yb.numel()) <= 1e-4);
  size_t bn = 0;
  for (const auto& p : b->profile()) bn += p.op_type == "BatchNormalization";
  CHECK(bn == 53);
  for (const auto& p : a->profile()) CHECK(p.op_type != "BatchNormalization");
}

TEST_CASE("resnet50: wrong inputs are clear errors") {
  auto s = Session::from_file(model_dir("ONNXI_RESNET50_DIR") + "/model.onnx");
  auto msg = [&](std::map<std::string, Tensor> feeds) {
    try {
      s->run(feeds);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(msg({}), Catch::Contains("missing input 'input'"));
  CHECK_THAT(msg({{"x", random_images(1, 1)}}), Catch::Contains("unknown input 'x'"));
  CHECK_THAT(msg({{"input", Tensor(DType::Double, {1, 3, 224, 224})}}),
             Catch::Contains("has type float64, the model expects float32"));
  CHECK_THAT(msg({{"input", Tensor(DType::Float, {1, 3, 225, 224})}}),
             Catch::Contains("has shape [1,3,225,224], the model expects [batch,3,224,224]"));
  CHECK_THAT(msg({{"input", Tensor(DType::Float, {3, 224, 224})}}), Catch::Contains("has shape [3,224,224]"));
  // The session still works after the errors.
  CHECK(s->run({{"input", random_images(1, 2)}}).at(0).shape() == Shape{1, 1000});
}
