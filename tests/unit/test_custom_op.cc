// Custom operators through the public API (include/onnxi/custom_op.h): a model with a
// custom-domain node, serialized as an ONNX file in memory, run by a Session.
#include <onnx/onnx_pb.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <map>
#include <random>

#include "onnxi/custom_op.h"
#include "onnxi/session.h"

using namespace onnxi;

namespace {

const void* last_scale_add_output = nullptr;  // where ScaleAdd last wrote

// y = alpha * x + b, elementwise over equal shapes; the shape follows from the inputs.
class ScaleAdd : public CustomKernel {
 public:
  explicit ScaleAdd(float alpha) : alpha_(alpha) {}
  void infer(const std::vector<TensorType>& in, std::vector<TensorType>& out) override {
    if (in.size() != 2 || in[0].dtype != DType::Float || in[1].dtype != DType::Float)
      throw Error(Stage::Build, "ScaleAdd takes two float32 inputs");
    out.at(0) = in[0];
  }
  void compute(const std::vector<Tensor>& in, std::vector<Tensor>& out) override {
    if (in[0].shape() != in[1].shape()) throw Error(Stage::Run, "ScaleAdd: shapes differ");
    const float* x = in[0].data<float>();
    const float* b = in[1].data<float>();
    float* y = out.at(0).data<float>();
    last_scale_add_output = y;
    for (int64_t i = 0; i < in[0].numel(); ++i) y[i] = alpha_ * x[i] + b[i];
  }

 private:
  float alpha_;
};

// Repeats the input `times` times along a new leading axis; gives no shape in infer(), so
// the kernel allocates its output while running.
class Repeat : public CustomKernel {
 public:
  explicit Repeat(int64_t times) : times_(times) {}
  void infer(const std::vector<TensorType>& in, std::vector<TensorType>& out) override {
    out.at(0).dtype = in.at(0).dtype;
  }
  void compute(const std::vector<Tensor>& in, std::vector<Tensor>& out) override {
    REQUIRE_FALSE(out[0].defined());
    Shape s = in[0].shape();
    s.insert(s.begin(), times_);
    Tensor t(DType::Float, s);
    for (int64_t r = 0; r < times_; ++r)
      for (int64_t i = 0; i < in[0].numel(); ++i)
        t.data<float>()[r * in[0].numel() + i] = in[0].data<float>()[i];
    out[0] = t;
  }

 private:
  int64_t times_;
};

void register_test_ops() {
  static bool done = false;
  if (done) return;
  done = true;
  CustomOp scale;
  scale.domain = "com.example.test";
  scale.op_type = "ScaleAdd";
  scale.since_version = 1;
  scale.until_version = 2;
  scale.create = [](const CustomNode& n) {
    CHECK(n.num_inputs() == 2);
    return std::make_unique<ScaleAdd>(n.attr_float("alpha"));
  };
  register_custom_op(scale);
  CustomOp repeat;
  repeat.domain = "com.example.test";
  repeat.op_type = "Repeat";
  repeat.create = [](const CustomNode& n) { return std::make_unique<Repeat>(n.attr_int("times", 2)); };
  register_custom_op(repeat);
}

void add_io(onnx::ValueInfoProto* vi, const std::string& name, const std::vector<std::string>& dims) {
  vi->set_name(name);
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  auto* shape = tt->mutable_shape();
  for (const auto& d : dims) {
    auto* dim = shape->add_dim();
    if (!d.empty() && std::isdigit(static_cast<unsigned char>(d[0])))
      dim->set_dim_value(std::stoll(d));
    else
      dim->set_dim_param(d);
  }
}

// X[N,3], B[N,3] -> ScaleAdd(alpha) -> Relu -> Y; optionally Repeat after it -> R.
std::string make_model(const std::string& op = "ScaleAdd", int64_t custom_opset = 1, bool with_repeat = false,
                       float alpha = 2.5f, bool with_relu = true) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  auto* os = m.add_opset_import();
  os->set_domain("");
  os->set_version(13);
  os = m.add_opset_import();
  os->set_domain("com.example.test");
  os->set_version(custom_opset);
  auto* g = m.mutable_graph();
  g->set_name("custom");
  add_io(g->add_input(), "X", {"N", "3"});
  add_io(g->add_input(), "B", {"N", "3"});
  auto* n = g->add_node();
  n->set_name("scale_node");
  n->set_op_type(op);
  n->set_domain("com.example.test");
  n->add_input("X");
  n->add_input("B");
  n->add_output(with_relu ? "S" : "Y");
  auto* a = n->add_attribute();
  a->set_name("alpha");
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(alpha);
  if (with_relu) {
    n = g->add_node();
    n->set_op_type("Relu");
    n->add_input("S");
    n->add_output("Y");
  }
  add_io(g->add_output(), "Y", {"N", "3"});
  if (with_repeat) {
    n = g->add_node();
    n->set_op_type("Repeat");
    n->set_domain("com.example.test");
    n->add_input("Y");
    n->add_output("R");
    a = n->add_attribute();
    a->set_name("times");
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(3);
    auto* r = g->add_output();
    r->set_name("R");
    r->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  }
  return m.SerializeAsString();
}

Tensor random_tensor(Shape s, uint32_t seed) {
  Tensor t(DType::Float, std::move(s));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = u(rng);
  return t;
}

}  // namespace

TEST_CASE("custom op: a custom-domain node runs the registered kernel, with and without optimization") {
  register_test_ops();
  std::string bytes = make_model();
  for (bool optimize : {true, false}) {
    SessionOptions o;
    o.optimize = optimize;
    o.profile = true;
    auto s = Session::from_bytes(bytes.data(), bytes.size(), o);
    for (int64_t n : {1, 4}) {
      Tensor x = random_tensor({n, 3}, 1 + uint32_t(n)), b = random_tensor({n, 3}, 100 + uint32_t(n));
      Tensor y = s->run({{"X", x}, {"B", b}}).at(0);
      REQUIRE(y.shape() == Shape{n, 3});
      for (int64_t i = 0; i < y.numel(); ++i) {
        double want = std::max(0.0, 2.5 * double(x.data<float>()[i]) + double(b.data<float>()[i]));
        CHECK(std::fabs(double(y.data<float>()[i]) - want) <= 1e-6);
      }
    }
    bool saw_custom = false;
    for (const auto& p : s->profile())
      if (p.op_type == "ScaleAdd") saw_custom = p.provider == "custom" && !p.times_ms.empty();
    CHECK(saw_custom);
  }
}

TEST_CASE("custom op: a kernel that allocates its output while running (shape not inferred)") {
  register_test_ops();
  std::string bytes = make_model("ScaleAdd", 1, /*with_repeat=*/true, 1.0f);
  auto s = Session::from_bytes(bytes.data(), bytes.size());
  Tensor x = random_tensor({2, 3}, 5), b = random_tensor({2, 3}, 6);
  auto outs = s->run({{"X", x}, {"B", b}});
  REQUIRE(outs.size() == 2);
  REQUIRE(outs[1].shape() == Shape{3, 2, 3});
  for (int64_t r = 0; r < 3; ++r)
    for (int64_t i = 0; i < 6; ++i) {
      double want = std::max(0.0, double(x.data<float>()[i]) + double(b.data<float>()[i]));
      CHECK(std::fabs(double(outs[1].data<float>()[r * 6 + i]) - want) <= 1e-6);
      CHECK(outs[1].data<float>()[r * 6 + i] == outs[0].data<float>()[i]);
    }
}

TEST_CASE("custom op: errors name the node and the op") {
  register_test_ops();
  SECTION("an op nobody registered is listed as unsupported at load") {
    std::string bytes = make_model("NotRegistered");
    try {
      Session::from_bytes(bytes.data(), bytes.size());
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(std::string(e.what()).find("com.example.test::NotRegistered at opset 1 (onnxi does not implement it)") != std::string::npos);
    }
  }
  SECTION("outside the registered opset range") {
    std::string bytes = make_model("ScaleAdd", 3);
    CHECK_THROWS_WITH(Session::from_bytes(bytes.data(), bytes.size()),
                      Catch::Contains("com.example.test::ScaleAdd at opset 3 (onnxi implements versions 1-2)"));
  }
  SECTION("a kernel's run-time error carries the node's context") {
    std::string bytes = make_model();
    auto s = Session::from_bytes(bytes.data(), bytes.size());
    // Shapes that fit the declared [N,3] but differ between X and B.
    Tensor x = random_tensor({2, 3}, 1), b = random_tensor({1, 3}, 2);
    try {
      s->run({{"X", x}, {"B", b}});
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(e.stage() == Stage::Run);
      CHECK(e.context().node == "scale_node");
      CHECK(e.context().op_type == "ScaleAdd");
      CHECK(e.context().domain == "com.example.test");
      CHECK(e.message().find("shapes differ") != std::string::npos);
    }
  }
  SECTION("registration is validated") {
    CustomOp bad;
    bad.domain = "com.example.test";
    CHECK_THROWS_AS(register_custom_op(bad), Error);
    bad.op_type = "X";
    CHECK_THROWS_WITH(register_custom_op(bad), Catch::Contains("no create function"));
  }
}

TEST_CASE("run_into: the output's kernel writes straight into caller memory") {
  register_test_ops();
  std::string bytes = make_model("ScaleAdd", 1, false, 2.0f, /*with_relu=*/false);
  auto s = Session::from_bytes(bytes.data(), bytes.size());
  Tensor x = random_tensor({2, 3}, 11), b = random_tensor({2, 3}, 12);
  std::vector<float> mine(6 + 16, -1.f);
  std::map<std::string, Tensor> out{{"Y", Tensor::view(DType::Float, {2, 3}, mine.data())}};
  s->run_into({{"X", x}, {"B", b}}, out);
  CHECK(last_scale_add_output == mine.data());
  CHECK(out.at("Y").raw_data() == mine.data());
  for (int64_t i = 0; i < 6; ++i) CHECK(mine[size_t(i)] == 2.0f * x.data<float>()[i] + b.data<float>()[i]);
  Tensor plain = s->run({{"X", x}, {"B", b}}).at(0);
  CHECK(last_scale_add_output != mine.data());
  CHECK(std::memcmp(plain.raw_data(), mine.data(), 6 * sizeof(float)) == 0);

  SECTION("an empty tensor in the map receives a new one") {
    std::map<std::string, Tensor> fresh{{"Y", Tensor()}};
    s->run_into({{"X", x}, {"B", b}}, fresh);
    CHECK(std::memcmp(fresh.at("Y").raw_data(), mine.data(), 6 * sizeof(float)) == 0);
  }
  SECTION("a tensor of the wrong shape is an error naming the output, and is left alone") {
    std::vector<float> other(4 + 16, -1.f);
    std::map<std::string, Tensor> bad{{"Y", Tensor::view(DType::Float, {2, 2}, other.data())}};
    CHECK_THROWS_WITH(s->run_into({{"X", x}, {"B", b}}, bad), Catch::Contains("output 'Y' is float32 [2,3]"));
    CHECK(other[0] == -1.f);
  }
  SECTION("unknown output names are errors") {
    std::map<std::string, Tensor> bad{{"nope", Tensor()}};
    CHECK_THROWS_WITH(s->run_into({{"X", x}, {"B", b}}, bad), Catch::Contains("unknown output 'nope'"));
  }
}
