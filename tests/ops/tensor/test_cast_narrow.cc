// Cast and CastLike to and from the narrow types (float8 x4, float8e8m0, float4e2m1,
// int4/uint4/int2/uint2). Expected bit patterns come from the ONNX reference evaluator
// (tests/ops/tensor/gen/cast_narrow.py); outputs of these types are compared byte for byte.
#include <cmath>
#include <cstring>

#include "tests/harness/tensor_values.h"

using namespace onnxi;
using namespace onnxi::test;

namespace {

NodeRun cast_node(Tensor x, DType to, std::vector<Attribute> extra = {}, int64_t opset = 25) {
  NodeRun r;
  r.op_type = "Cast";
  r.opset = opset;
  r.inputs = {std::move(x)};
  r.attributes = {attr_int("to", static_cast<int64_t>(to))};
  for (auto& a : extra) r.attributes.push_back(std::move(a));
  return r;
}

const std::vector<float> kX = {0.0f, -0.0f, NAN, INFINITY, -INFINITY, 1.0f, -1.75f, 448.0f, 464.0f, 500.0f,
                               57344.0f, 61440.0f, 1e6f, 0x1p-9f, 0x1p-10f, 3 * 0x1p-11f, 0x1p-17f,
                               1.5f * 0x1p-17f, 0.3f};

}  // namespace

TEST_CASE("Cast to float8: rounding, saturate, specials", "[tensor][cast][narrow]") {
  struct Case {
    DType to;
    int64_t saturate;
    std::vector<uint8_t> want;
  };
  const std::vector<Case> cases = {
      {DType::Float8E4M3FN, 1, {0x00, 0x80, 0x7f, 0x7e, 0xfe, 0x38, 0xbe, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x01, 0x00, 0x01, 0x00, 0x00, 0x2a}},
      {DType::Float8E4M3FN, 0, {0x00, 0x80, 0x7f, 0x7f, 0xff, 0x38, 0xbe, 0x7e, 0x7e, 0x7f, 0x7f, 0x7f, 0x7f, 0x01, 0x00, 0x01, 0x00, 0x00, 0x2a}},
      {DType::Float8E4M3FNUZ, 1, {0x00, 0x00, 0x80, 0x7f, 0xff, 0x40, 0xc6, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x02, 0x01, 0x02, 0x00, 0x00, 0x32}},
      {DType::Float8E4M3FNUZ, 0, {0x00, 0x00, 0x80, 0x80, 0x80, 0x40, 0xc6, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02, 0x01, 0x02, 0x00, 0x00, 0x32}},
      {DType::Float8E5M2, 1, {0x00, 0x80, 0x7e, 0x7b, 0xfb, 0x3c, 0xbf, 0x5f, 0x5f, 0x60, 0x7b, 0x7b, 0x7b, 0x18, 0x14, 0x16, 0x00, 0x01, 0x35}},
      {DType::Float8E5M2, 0, {0x00, 0x80, 0x7e, 0x7c, 0xfc, 0x3c, 0xbf, 0x5f, 0x5f, 0x60, 0x7b, 0x7c, 0x7c, 0x18, 0x14, 0x16, 0x00, 0x01, 0x35}},
      {DType::Float8E5M2FNUZ, 1, {0x00, 0x00, 0x80, 0x7f, 0xff, 0x40, 0xc3, 0x63, 0x63, 0x64, 0x7f, 0x7f, 0x7f, 0x1c, 0x18, 0x1a, 0x01, 0x02, 0x39}},
      {DType::Float8E5M2FNUZ, 0, {0x00, 0x00, 0x80, 0x80, 0x80, 0x40, 0xc3, 0x63, 0x63, 0x64, 0x7f, 0x80, 0x80, 0x1c, 0x18, 0x1a, 0x01, 0x02, 0x39}},
  };
  const Tensor x = Tensor::from_vector<float>(kX, {static_cast<int64_t>(kX.size())});
  for (const Case& c : cases) {
    INFO(dtype_name(c.to) << " saturate=" << c.saturate);
    OpTester(cast_node(x, c.to, {attr_int("saturate", c.saturate)})).expect(narrow_from_bits(c.to, c.want)).run();
    // Opset 19 has the same rules; from double the same bits.
    OpTester(cast_node(x, c.to, {attr_int("saturate", c.saturate)}, 19)).expect(narrow_from_bits(c.to, c.want)).run();
    OpTester(cast_node(Tensor::from_vector<double>(std::vector<double>(kX.begin(), kX.end()), x.shape()), c.to, {attr_int("saturate", c.saturate)}))
        .expect(narrow_from_bits(c.to, c.want))
        .run();
  }
}

TEST_CASE("Cast from float8 decodes every bit pattern", "[tensor][cast][narrow]") {
  std::vector<uint8_t> all(256);
  for (int i = 0; i < 256; ++i) all[i] = static_cast<uint8_t>(i);
  for (DType t : {DType::Float8E4M3FN, DType::Float8E4M3FNUZ, DType::Float8E5M2, DType::Float8E5M2FNUZ}) {
    INFO(dtype_name(t));
    Tensor y = OpTester(cast_node(narrow_from_bits(t, all), DType::Float)).run().ref();
    const float* f = y.data<float>();
    // Round trip: every non-NaN pattern casts back to itself (infinities need saturate=0).
    Tensor back = OpTester(cast_node(y, t, {attr_int("saturate", 0)})).run().ref();
    for (int i = 0; i < 256; ++i) {
      INFO("bits " << i);
      if (std::isnan(f[i])) continue;
      CHECK(static_cast<const uint8_t*>(back.raw_data())[i] == i);
    }
    // Spot values: 1.0, max finite, smallest subnormal, NaN and infinity patterns.
    const bool fnuz = t == DType::Float8E4M3FNUZ || t == DType::Float8E5M2FNUZ;
    const bool e4m3 = t == DType::Float8E4M3FN || t == DType::Float8E4M3FNUZ;
    CHECK(f[e4m3 ? (fnuz ? 0x40 : 0x38) : (fnuz ? 0x40 : 0x3c)] == 1.0f);
    CHECK(f[0x01] == (e4m3 ? (fnuz ? 0x1p-10f : 0x1p-9f) : (fnuz ? 0x1p-17f : 0x1p-16f)));
    CHECK(std::isnan(f[0x80]) == fnuz);
    if (t == DType::Float8E4M3FN) CHECK((f[0x7e] == 448.0f && std::isnan(f[0x7f]) && std::isnan(f[0xff])));
    if (t == DType::Float8E4M3FNUZ) CHECK(f[0x7f] == 240.0f);
    if (t == DType::Float8E5M2) CHECK((f[0x7b] == 57344.0f && f[0x7c] == INFINITY && f[0xfc] == -INFINITY && std::isnan(f[0x7d])));
    if (t == DType::Float8E5M2FNUZ) CHECK(f[0x7f] == 57344.0f);
  }
}

TEST_CASE("Cast to and from float4e2m1 (packed)", "[tensor][cast][narrow]") {
  const std::vector<float> v = {0.0f, -0.0f, 0.25f, 0.26f, 0.75f, 1.25f, 1.75f, 2.5f, 3.5f, 5.0f, 7.0f, -100.0f,
                                INFINITY, NAN};
  const std::vector<int64_t> codes = {0x0, 0x8, 0x0, 0x1, 0x2, 0x2, 0x4, 0x4, 0x6, 0x6, 0x7, 0xf, 0x7, 0x8};
  Tensor x = Tensor::from_vector<float>(v, {14});
  Tensor want = packed_tensor(DType::Float4E2M1, codes, true);
  CHECK(want.nbytes() == 7);
  OpTester(cast_node(x, DType::Float4E2M1)).expect(want).run();
  OpTester(cast_node(x, DType::Float4E2M1, {}, 23)).expect(want).run();
  // Decoding the 16 codes (odd count: the last byte's high nibble is padding).
  std::vector<int64_t> all(15);
  for (int i = 0; i < 15; ++i) all[i] = i;
  check_all(cast_node(packed_tensor(DType::Float4E2M1, all, true), DType::Float),
            {0, 0.5, 1, 1.5, 2, 3, 4, 6, -0.0, -0.5, -1, -1.5, -2, -3, -4});
}

TEST_CASE("Cast to float8e8m0: round_mode and saturate", "[tensor][cast][narrow]") {
  const std::vector<float> v = {0.0f, 1.0f, 1.5f, 0.75f, 3.0f, 0x1p-127f, 0x1p127f * 1.5f, INFINITY, NAN};
  Tensor x = Tensor::from_vector<float>(v, {9});
  struct Case {
    const char* mode;
    int64_t saturate;
    std::vector<uint8_t> want;
  };
  const std::vector<Case> cases = {
      {"up", 1, {0x00, 0x7f, 0x80, 0x7f, 0x81, 0x01, 0xfe, 0xff, 0xff}},
      {"up", 0, {0x00, 0x7f, 0x80, 0x7f, 0x81, 0x01, 0xff, 0xff, 0xff}},
      {"down", 1, {0x00, 0x7f, 0x7f, 0x7e, 0x80, 0x00, 0xfe, 0xff, 0xff}},
      {"nearest", 1, {0x00, 0x7f, 0x80, 0x7f, 0x81, 0x00, 0xfe, 0xff, 0xff}},
      {"nearest", 0, {0x00, 0x7f, 0x80, 0x7f, 0x81, 0x00, 0xff, 0xff, 0xff}},
  };
  for (const Case& c : cases) {
    INFO(c.mode << " saturate=" << c.saturate);
    OpTester(cast_node(x, DType::Float8E8M0, {attr_string("round_mode", c.mode), attr_int("saturate", c.saturate)}))
        .expect(narrow_from_bits(DType::Float8E8M0, c.want))
        .run();
  }
  check_all(cast_node(narrow_from_bits(DType::Float8E8M0, {0x7f, 0x80, 0x00, 0xfe, 0xff}), DType::Float),
            {1, 2, 0x1p-127, 0x1p127, NAN});
  expect_error_all(cast_node(x, DType::Float8E8M0, {attr_string("round_mode", "sideways")}));
}

TEST_CASE("Cast to and from int4/uint4/int2/uint2: wrap-around, truncation, packing", "[tensor][cast][narrow]") {
  const std::vector<int32_t> ints = {-9, -8, -3, -2, -1, 0, 1, 2, 3, 7, 8, 15, 16, 200};
  Tensor xi = Tensor::from_vector<int32_t>(ints, {14});
  struct Case {
    DType to;
    std::vector<int64_t> from_ints;
    std::vector<float> floats;  // in range: truncated toward zero
    std::vector<int64_t> from_floats;
  };
  const std::vector<Case> cases = {
      {DType::Int4, {7, -8, -3, -2, -1, 0, 1, 2, 3, 7, -8, -1, 0, -8}, {-2.7f, -1.5f, 0.9f, 1.5f, 2.5f, 7.9f}, {-2, -1, 0, 1, 2, 7}},
      {DType::UInt4, {7, 8, 13, 14, 15, 0, 1, 2, 3, 7, 8, 15, 0, 8}, {0.9f, 1.5f, 2.5f, 7.9f, 15.9f}, {0, 1, 2, 7, 15}},
      {DType::Int2, {-1, 0, 1, -2, -1, 0, 1, -2, -1, -1, 0, -1, 0, 0}, {-2.7f, -1.5f, 0.9f, 1.5f}, {-2, -1, 0, 1}},
      {DType::UInt2, {3, 0, 1, 2, 3, 0, 1, 2, 3, 3, 0, 3, 0, 0}, {0.9f, 1.5f, 2.5f, 3.9f}, {0, 1, 2, 3}},
  };
  for (const Case& c : cases) {
    INFO(dtype_name(c.to));
    Tensor want = packed_tensor(c.to, c.from_ints);
    CHECK(want.nbytes() == (c.to == DType::Int4 || c.to == DType::UInt4 ? 7u : 4u));
    Tensor y = OpTester(cast_node(xi, c.to)).expect(want).run().ref();
    const int64_t n = static_cast<int64_t>(c.floats.size());
    OpTester(cast_node(Tensor::from_vector<float>(c.floats, {n}), c.to)).expect(packed_tensor(c.to, c.from_floats)).run();
    // Back to int32 and int8 (sign extension for the signed types), and between narrow types.
    std::vector<double> back(c.from_ints.begin(), c.from_ints.end());
    check_all(cast_node(y, DType::Int32), back);
    check_all(cast_node(y, DType::Int8), back);
    check_all(cast_node(y, DType::Float), back);
    Tensor as_int4 = OpTester(cast_node(y, DType::Int4)).run().ref();
    std::vector<double> wrapped;
    for (int64_t v : c.from_ints) wrapped.push_back(static_cast<double>(((v & 0xf) ^ 0x8) - 0x8));
    check_all(cast_node(as_int4, DType::Int32), wrapped);
  }
  // int4 <-> float8 and strings.
  Tensor i4 = packed_tensor(DType::Int4, {-8, -1, 0, 7});
  OpTester(cast_node(i4, DType::Float8E4M3FN)).expect(narrow_from_bits(DType::Float8E4M3FN, {0xd0, 0xb8, 0x00, 0x4e})).run();
  Tensor s = OpTester(cast_node(i4, DType::String)).run().ref();
  CHECK(s.strings() == std::vector<std::string>{"-8", "-1", "0", "7"});
  OpTester(cast_node(s, DType::Int4)).expect(i4).run();
  Tensor f8s = OpTester(cast_node(narrow_from_bits(DType::Float8E5M2, {0x3c, 0xc2}), DType::String)).run().ref();
  CHECK(f8s.strings() == std::vector<std::string>{"1", "-3"});
}

TEST_CASE("Cast: narrow types only at the opsets that have them; CastLike", "[tensor][cast][narrow]") {
  Tensor x = Tensor::from_vector<float>({1.0f, -2.0f}, {2});
  expect_error_all(cast_node(x, DType::Float8E4M3FN, {}, 18));
  expect_error_all(cast_node(x, DType::Int4, {}, 19));
  expect_error_all(cast_node(x, DType::Float4E2M1, {}, 21));
  expect_error_all(cast_node(x, DType::Float8E8M0, {}, 23));
  expect_error_all(cast_node(x, DType::Int2, {}, 24));
  NodeRun like;
  like.op_type = "CastLike";
  like.opset = 21;
  like.inputs = {x, packed_tensor(DType::UInt4, {0})};
  OpTester(like).expect(packed_tensor(DType::UInt4, {1, 14})).run();
  like.opset = 19;
  expect_error_all(like);
}

TEST_CASE("BitCast: same bit width only, packed types keep their packing", "[tensor][bitcast][narrow]") {
  auto bitcast = [](Tensor x, DType to) {
    NodeRun r;
    r.op_type = "BitCast";
    r.opset = 26;
    r.inputs = {std::move(x)};
    r.attributes = {attr_int("to", static_cast<int64_t>(to))};
    return r;
  };
  check_all(bitcast(Tensor::from_vector<float>({1.0f, -2.0f}, {2}), DType::Int32), {1065353216, -1073741824});
  // uint8 -> float8e4m3fn: the bits are kept.
  OpTester(bitcast(Tensor::from_vector<uint8_t>({0x38, 0xfe, 0x7f}, {3}), DType::Float8E4M3FN))
      .expect(narrow_from_bits(DType::Float8E4M3FN, {0x38, 0xfe, 0x7f}))
      .run();
  // int4 -> uint4 -> float4e2m1: -1 is code 0xf, which is -6 in float4.
  Tensor i4 = packed_tensor(DType::Int4, {-1, 3, -8});
  OpTester(bitcast(i4, DType::UInt4)).expect(packed_tensor(DType::UInt4, {15, 3, 8})).run();
  Tensor f4 = OpTester(bitcast(i4, DType::Float4E2M1)).expect(packed_tensor(DType::Float4E2M1, {0xf, 0x3, 0x8}, true)).run().ref();
  CHECK(values_of(f4) == std::vector<double>{-6.0, 1.5, -0.0});
  // uint8 -> bool stores 0/1.
  check_all(bitcast(Tensor::from_vector<uint8_t>({0, 1, 7}, {3}), DType::Bool), {0, 1, 1});
  expect_error_all(bitcast(i4, DType::Int8));
  expect_error_all(bitcast(Tensor::from_vector<float>({1.0f}, {1}), DType::Int64));
  expect_error_all(bitcast(Tensor::from_vector<std::string>({"a"}, {1}), DType::UInt8));
}

TEST_CASE("Byte-moving ops take packed types; others refuse them", "[tensor][narrow]") {
  Tensor i4 = packed_tensor(DType::Int4, {1, -2, 3, -4, 5, -6}).reshaped({2, 3});
  auto op = [](const std::string& type, std::vector<Tensor> in, std::vector<Attribute> attrs = {}) {
    NodeRun r;
    r.op_type = type;
    r.opset = 21;
    r.inputs = std::move(in);
    r.attributes = std::move(attrs);
    return r;
  };
  Tensor flat = packed_tensor(DType::Int4, {1, -2, 3, -4, 5, -6});
  OpTester(op("Reshape", {i4, Tensor::from_vector<int64_t>({6}, {1})})).expect(flat).run();
  OpTester(op("Flatten", {i4}, {attr_int("axis", 0)})).expect(flat.reshaped({1, 6})).run();
  OpTester(op("Identity", {i4})).expect(i4).run();
  OpTester(op("Unsqueeze", {i4, Tensor::from_vector<int64_t>({0}, {1})})).expect(flat.reshaped({1, 2, 3})).run();
  check_all(op("Shape", {i4}), {2, 3});
  check_all(op("Size", {i4}), {6});
}

TEST_CASE("Sessions: packed types flow through Cast/Reshape; a kernel that does not handle them is refused",
          "[tensor][narrow]") {
  Tensor x = Tensor::from_vector<float>({1, -2, 3, -4, 5, 6}, {2, 3});
  // float -> int4 -> reshape -> float, unoptimized and optimized, on every provider.
  Graph g = make_graph({make_node("Cast", {"x"}, {"q"}, {attr_int("to", static_cast<int64_t>(DType::Int4))}),
                        make_node("Reshape", {"q", "s"}, {"r"}),
                        make_node("Cast", {"r"}, {"y"}, {attr_int("to", static_cast<int64_t>(DType::Float))})},
                       {value_info("x", DType::Float, {2, 3})}, {value_info("y", DType::Float, {3, 2})},
                       {{"s", Tensor::from_vector<int64_t>({3, 2}, {2})}});
  std::vector<Tensor> y = run_graph_on_providers(g, 21, {{"x", x}});
  CHECK(values_of(y[0]) == std::vector<double>{1, -2, 3, -4, 5, 6});
  // Concat moves elements by byte size and does not opt in: an int4 input is an error
  // naming the op (the session's check, before any kernel could misread the packing).
  Graph t = make_graph({make_node("Cast", {"x"}, {"q"}, {attr_int("to", static_cast<int64_t>(DType::Int4))}),
                        make_node("Concat", {"q", "q"}, {"y"}, {attr_int("axis", 0)})},
                       {value_info("x", DType::Float, {2, 3})}, {unshaped("y", DType::Int4)});
  REQUIRE_THROWS_WITH(build_and_run(t, 21, {{"x", x}}), Catch::Contains("Concat does not support the packed type int4"));
}
