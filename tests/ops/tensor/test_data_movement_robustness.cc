// The data-movement kernels on adversarial inputs: random ranks (0-3), zero-size dims, and
// index/argument values at and beyond the extremes. Each run must either succeed or throw
// onnxi::Error; anything else (another exception, a crash, an out-of-bounds access under
// a sanitizer) fails.
#include <cstdlib>
#include <limits>

#include "tests/ops/tensor/data_movement_util.h"

using namespace onnxi;
using namespace onnxi::test;
using namespace onnxi::test::dm;

namespace {

struct Fuzzer {
  TestRng rng;
  explicit Fuzzer(uint64_t seed) : rng(seed) {}

  int64_t pick(std::initializer_list<int64_t> v) {
    return *(v.begin() + rng.integer(0, static_cast<int64_t>(v.size()) - 1));
  }
  int64_t value() {
    return pick({std::numeric_limits<int64_t>::min(), -(int64_t(1) << 40), -7, -3, -2, -1, 0, 1, 2, 3, 5,
                 int64_t(1) << 40, std::numeric_limits<int64_t>::max()});
  }
  Shape shape(int64_t max_rank = 3) {
    Shape s(static_cast<size_t>(rng.integer(0, max_rank)));
    for (int64_t& d : s) d = pick({0, 1, 2, 3, 4});
    return s;
  }
  // Usually `like`, sometimes a random shape.
  Shape shape_like(const Shape& like) { return rng.integer(0, 3) ? like : shape(); }
  Tensor data(Shape s) { return random_tensor(DType::Float, std::move(s), rng.next(), -3, 3); }
  Tensor ints(Shape s) {
    Tensor t(DType::Int64, std::move(s));
    for (int64_t i = 0; i < t.numel(); ++i) t.data<int64_t>()[i] = value();
    return t;
  }
  // Mostly small valid-looking values, sometimes extremes.
  Tensor small_ints(Shape s) {
    Tensor t(DType::Int64, std::move(s));
    for (int64_t i = 0; i < t.numel(); ++i)
      t.data<int64_t>()[i] = rng.integer(0, 9) ? rng.integer(-4, 4) : value();
    return t;
  }
  Tensor vec(size_t n, bool small = true) {
    Shape s = {static_cast<int64_t>(n)};
    return small ? small_ints(s) : ints(s);
  }
};

// Runs `r`; Error is an accepted outcome.
void run_guarded(NodeRun r, uint64_t iteration) {
  INFO(r.op_type << " iteration " << iteration);
  r.constant.assign(r.inputs.size(), iteration % 2 == 0);
  try {
    run_node(r);
  } catch (const Error&) {
  }
}

}  // namespace

TEST_CASE("Data-movement kernels: adversarial inputs succeed or throw Error", "[robustness][data_movement]") {
  // ONNXI_FUZZ_ITERATIONS runs longer (e.g. under sanitizers).
  const char* env = std::getenv("ONNXI_FUZZ_ITERATIONS");
  const uint64_t iterations = env ? std::strtoull(env, nullptr, 10) : 150;
  Fuzzer f(2024);
  for (uint64_t it = 0; it < iterations; ++it) {
    const Shape s = f.shape();
    const int64_t r = static_cast<int64_t>(s.size());
    const Tensor x = f.data(s);
    auto axis = [&] { return f.rng.integer(-r - 1, r); };
    run_guarded(node("Gather", {x, f.small_ints(f.shape(2))}, {attr_int("axis", axis())}), it);
    run_guarded(node("GatherElements", {x, f.small_ints(f.shape_like(s))}, {attr_int("axis", axis())}), it);
    {
      // Index tuples of length k (usually 1..rank), batch dims usually matching.
      Shape is = f.shape(2);
      is.push_back(f.rng.integer(0, 3) ? f.rng.integer(1, std::max<int64_t>(r, 1)) : f.pick({0, 1, 2, 3, 4}));
      const int64_t b = f.rng.integer(0, 2);
      if (b > 0 && r > 0) is.insert(is.begin(), s[0]);
      run_guarded(node("GatherND", {x, f.small_ints(is)}, {attr_int("batch_dims", b)}), it);
      // ScatterND updates: the indices' leading dims and the data's trailing dims, usually.
      Shape us(is.begin(), is.end() - 1);
      if (is.back() <= r) us.insert(us.end(), s.begin() + is.back(), s.end());
      run_guarded(node("ScatterND", {x, f.small_ints(is), f.data(f.shape_like(us))}), it);
    }
    {
      const Shape is = f.shape_like(s);
      const char* red = f.rng.integer(0, 1) ? "add" : "none";
      run_guarded(node("ScatterElements", {x, f.small_ints(is), f.data(is)},
                       {attr_int("axis", axis()), attr_string("reduction", red)}, 16),
                  it);
    }
    run_guarded(node("OneHot", {f.small_ints(f.shape()), f.ints({}), f32({0, 1}, {2})},
                     {attr_int("axis", axis())}, 11),
                it);
    run_guarded(node("Compress", {x, random_tensor(DType::Bool, f.shape(1), f.rng.next(), 0, 1)},
                     {attr_int("axis", axis())}, 11),
                it);
    {
      const size_t n = static_cast<size_t>(f.rng.integer(0, 4));
      run_guarded(node("Slice", {x, f.vec(n, false), f.vec(n, false), f.vec(n), f.vec(n, false)}), it);
    }
    {
      NodeRun sp =
          node("Split", {x, f.vec(static_cast<size_t>(f.rng.integer(1, 3)))}, {attr_int("axis", axis())});
      sp.num_outputs = static_cast<size_t>(f.rng.integer(1, 3));
      run_guarded(sp, it);
      sp.inputs.resize(1);
      run_guarded(sp, it);
    }
    const char* modes[] = {"constant", "edge", "reflect"};
    run_guarded(node("Pad", {x, f.vec(static_cast<size_t>(2 * r))},
                     {attr_string("mode", modes[f.rng.integer(0, 2)])}),
                it);
    run_guarded(node("Tile", {x, f.vec(static_cast<size_t>(r), it % 3 == 0)}), it);
    run_guarded(node("Expand", {x, f.vec(static_cast<size_t>(f.rng.integer(0, 4)), it % 3 == 0)}), it);
    run_guarded(
        node("Where", {random_tensor(DType::Bool, f.shape(), f.rng.next(), 0, 1), x, f.data(f.shape())}), it);
    run_guarded(node("Trilu", {x, f.ints({})}, {attr_int("upper", f.rng.integer(0, 1))}, 14), it);
    run_guarded(node("Range", {f.ints({}), f.ints({}), f.ints({})}, {}, 11), it);
    run_guarded(
        node("ConstantOfShape", {f.vec(static_cast<size_t>(f.rng.integer(0, 3)), it % 2 == 0)}, {}, 9), it);
    run_guarded(node("EyeLike", {x}, {attr_int("k", f.value())}, 9), it);
    {
      const int64_t batch_axis = static_cast<int64_t>(it % 2);
      const Shape lens = r >= 2 ? f.shape_like(Shape{s[batch_axis]}) : f.shape(1);
      run_guarded(node("ReverseSequence", {x, f.small_ints(lens)},
                       {attr_int("time_axis", 1 - batch_axis), attr_int("batch_axis", batch_axis)}, 10),
                  it);
    }
    {
      Shape s4(4);
      for (int64_t& d : s4) d = f.pick({0, 1, 2, 4, 8});
      const Tensor x4 = f.data(s4);
      run_guarded(node("DepthToSpace", {x4}, {attr_int("blocksize", f.rng.integer(1, 3))}), it);
      run_guarded(node("SpaceToDepth", {x4}, {attr_int("blocksize", f.rng.integer(1, 3))}), it);
    }
    {
      Tensor ind = f.small_ints(f.shape_like(s));
      for (int64_t i = 0; i < ind.numel(); ++i) ind.data<int64_t>()[i] = std::abs(ind.data<int64_t>()[i] % 9);
      const std::vector<int64_t> ks(static_cast<size_t>(std::max<int64_t>(r - 2, 1)), 2);
      run_guarded(node("MaxUnpool", {x, ind}, {attr_ints("kernel_shape", ks), attr_ints("strides", ks)}, 11),
                  it);
    }
    run_guarded(node("Upsample", {x, f32(std::vector<float>(static_cast<size_t>(r), 1.5f), {r})},
                     {attr_string("mode", it % 2 ? "linear" : "nearest")}, 9),
                it);
  }
}
