// TensorScatter (opset 24): KV-cache updates along the sequence axis, linear and circular,
// with and without write_indices, over several dtypes; expected values worked out by hand.
#include "tests/ops/tensor/data_movement_util.h"

using namespace onnxi;
using namespace onnxi::test;
using namespace onnxi::test::dm;

namespace {

NodeRun scatter(std::vector<Tensor> in, std::vector<Attribute> attrs = {}) {
  return node("TensorScatter", std::move(in), std::move(attrs), 24);
}

}  // namespace

TEST_CASE("TensorScatter linear with write indices (axis -2)", "[tensor][tensor_scatter]") {
  // past [2 batch, 4 seq, 2]: zeros; update [2, 2, 2] = 1..8.
  for (DType t : {DType::Float, DType::Int8, DType::Float16, DType::Int64}) {
    INFO(dtype_name(t));
    Tensor past = make_tensor(t, {2, 4, 2}, std::vector<double>(16, 0));
    Tensor upd = make_tensor(t, {2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
    Tensor y = check_all(scatter({past, upd, i64({1, 2})}),
                         {0, 0, 1, 2, 3, 4, 0, 0,  // batch 0 at 1..2
                          0, 0, 0, 0, 5, 6, 7, 8});  // batch 1 at 2..3
    CHECK(y.shape() == Shape{2, 4, 2});
  }
  // No write_indices: written at 0; past values outside the window are kept.
  Tensor past = f32({9, 9, 9, 9, 9, 9}, {1, 3, 2});
  check_all(scatter({past, f32({1, 2}, {1, 1, 2})}), {1, 2, 9, 9, 9, 9});
}

TEST_CASE("TensorScatter circular wraps, axis 1 with a head dim", "[tensor][tensor_scatter]") {
  Tensor past = f32({0, 0, 0}, {1, 3});
  // 3 updates from position 2 of a length-3 axis: 2, 0, 1.
  check_all(scatter({past, f32({1, 2, 3}, {1, 3}), i64({2})}, {attr_string("mode", "circular"), attr_int("axis", 1)}),
            {2, 3, 1});
  // [batch 1, heads 2, seq 3, 1] at axis 2 (-2): each head of the batch gets the same index.
  Tensor kv = f32({0, 0, 0, 0, 0, 0}, {1, 2, 3, 1});
  check_all(scatter({kv, f32({7, 8}, {1, 2, 1, 1}), i64({4})}, {attr_string("mode", "circular")}),
            {0, 7, 0, 0, 8, 0});
  // Strings and the batch index per prefix.
  Tensor s = Tensor::from_vector<std::string>({"a", "b", "c", "d"}, {2, 2});
  Tensor u = Tensor::from_vector<std::string>({"x", "y"}, {2, 1});
  Tensor out = run_all(scatter({s, u, i64({1, 0})}, {attr_int("axis", 1)}));
  CHECK(out.strings() == std::vector<std::string>{"a", "x", "y", "d"});
}

TEST_CASE("TensorScatter errors", "[tensor][tensor_scatter]") {
  Tensor past = f32({0, 0, 0, 0}, {1, 4});
  Tensor upd = f32({1, 2}, {1, 2});
  expect_error_all(scatter({past, upd, i64({3})}, {attr_int("axis", 1)}), "does not fit a sequence");
  expect_error_all(scatter({past, upd, i64({-1})}, {attr_int("axis", 1)}), "linear");
  expect_error_all(scatter({past, upd}, {attr_int("axis", 0)}), "batch dim");
  expect_error_all(scatter({past, upd}, {attr_int("axis", 2)}), "out of range");
  expect_error_all(scatter({past, f32({1, 2, 3, 4, 5}, {1, 5})}, {attr_int("axis", 1)}), "does not fit");
  expect_error_all(scatter({past, f32({1, 2}, {2, 1})}, {attr_int("axis", 1)}), "does not fit");
  expect_error_all(scatter({past, upd, i64({0, 0})}, {attr_int("axis", 1)}), "write_indices has shape");
  expect_error_all(scatter({past, upd, i32({0}, {1})}, {attr_int("axis", 1)}), "int64");
  expect_error_all(scatter({past, upd}, {attr_string("mode", "ring"), attr_int("axis", 1)}), "mode");
  expect_error_all(scatter({f32({0}, {1}), f32({0}, {1})}), "rank >= 2");
  expect_error_all(scatter({past, Tensor::from_vector<int32_t>({1, 2}, {1, 2})}, {attr_int("axis", 1)}), "dtype");
}
