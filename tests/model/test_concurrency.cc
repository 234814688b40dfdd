// Concurrent Session::run on one ResNet-50 session: every result must be bit-identical to
// the same input run alone on one thread (model dir from ONNXI_RESNET50_DIR).
#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "onnxi/session.h"

using namespace onnxi;

namespace {

std::string resnet_path() {
  const char* d = std::getenv("ONNXI_RESNET50_DIR");
  if (!d) FAIL("ONNXI_RESNET50_DIR is not set (run through ctest)");
  return std::string(d) + "/model.onnx";
}

Tensor images(int64_t batch, uint32_t seed) {
  Tensor t(DType::Float, {batch, 3, 224, 224});
  std::mt19937 rng(seed);
  std::normal_distribution<float> n(0.f, 1.f);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = n(rng);
  return t;
}

bool bit_identical(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         std::memcmp(a.raw_data(), b.raw_data(), a.nbytes()) == 0;
}

// Environment knobs so a sanitizer build can run a smaller case.
int env_int(const char* name, int def) {
  const char* v = std::getenv(name);
  return v ? std::atoi(v) : def;
}

}  // namespace

TEST_CASE("concurrency: N threads x M runs on one resnet50 session equal single-threaded runs") {
  const int threads = env_int("ONNXI_CONCURRENCY_THREADS", 4);
  const int runs = env_int("ONNXI_CONCURRENCY_RUNS", 3);
  SessionOptions opts;
  opts.threads = env_int("ONNXI_CONCURRENCY_SESSION_THREADS", 2);
  auto session = Session::from_file(resnet_path(), opts);

  // A distinct input per thread, so a run reading another run's activations shows.
  std::vector<Tensor> inputs, expected;
  for (int t = 0; t < threads; ++t) inputs.push_back(images(1, 100 + t));
  for (int t = 0; t < threads; ++t) expected.push_back(session->run({{"input", inputs[t]}}).at(0));
  // The inputs differ, so must the outputs (otherwise the test could not see a mix-up).
  for (int t = 1; t < threads; ++t) REQUIRE_FALSE(bit_identical(expected[0], expected[t]));

  std::vector<std::vector<Tensor>> got(threads);
  std::vector<std::string> errors(threads);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      try {
        for (int r = 0; r < runs; ++r) got[t].push_back(session->run({{"input", inputs[t]}}).at(0));
      } catch (const std::exception& e) {
        errors[t] = e.what();
      }
    });
  for (auto& th : pool) th.join();
  for (int t = 0; t < threads; ++t) {
    INFO("thread " << t);
    REQUIRE(errors[t].empty());
    REQUIRE(got[t].size() == static_cast<size_t>(runs));
    for (int r = 0; r < runs; ++r) CHECK(bit_identical(got[t][r], expected[t]));
  }
}

TEST_CASE("concurrency: runs with different batch sizes at once re-plan safely") {
  const int runs = env_int("ONNXI_CONCURRENCY_RUNS", 3);
  SessionOptions opts;
  opts.threads = env_int("ONNXI_CONCURRENCY_SESSION_THREADS", 2);
  auto session = Session::from_file(resnet_path(), opts);
  Tensor x1 = images(1, 7), x2 = images(2, 8);
  Tensor y1 = session->run({{"input", x1}}).at(0);
  Tensor y2 = session->run({{"input", x2}}).at(0);

  std::vector<Tensor> got1, got2;
  std::string err1, err2;
  std::thread a([&] {
    try {
      for (int r = 0; r < runs; ++r) got1.push_back(session->run({{"input", x1}}).at(0));
    } catch (const std::exception& e) {
      err1 = e.what();
    }
  });
  std::thread b([&] {
    try {
      for (int r = 0; r < runs; ++r) got2.push_back(session->run({{"input", x2}}).at(0));
    } catch (const std::exception& e) {
      err2 = e.what();
    }
  });
  a.join();
  b.join();
  REQUIRE(err1.empty());
  REQUIRE(err2.empty());
  for (const auto& y : got1) CHECK(bit_identical(y, y1));
  for (const auto& y : got2) CHECK(bit_identical(y, y2));
}

TEST_CASE("concurrency: two sessions sharing one thread pool run at once") {
  SessionOptions opts;
  opts.thread_pool = make_thread_pool(2);
  auto s1 = Session::from_file(resnet_path(), opts);
  auto s2 = Session::from_file(resnet_path(), opts);
  Tensor x = images(1, 3);
  Tensor want = s1->run({{"input", x}}).at(0);
  Tensor got1, got2;
  std::thread a([&] { got1 = s1->run({{"input", x}}).at(0); });
  std::thread b([&] { got2 = s2->run({{"input", x}}).at(0); });
  a.join();
  b.join();
  CHECK(bit_identical(got1, want));
  CHECK(bit_identical(got2, want));
}
