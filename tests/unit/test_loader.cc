// Loader tests: ModelProtos built here with the protobuf API, serialized, loaded, checked;
// and every malformed input we can think of must give a clear onnxi::Error, never a crash.
#include <onnx/onnx_pb.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "onnx/loader.h"

namespace fs = std::filesystem;
using namespace onnxi;
using Catch::Matchers::Contains;

namespace {

// A fresh directory under the system temp dir, removed with everything in it.
struct TempDir {
  fs::path path;
  TempDir() {
    static std::atomic<int> counter{0};
    path = fs::temp_directory_path() /
           ("onnxi_loader_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(f.good());
}

std::string float_bytes(const std::vector<float>& v) {
  std::string s(v.size() * sizeof(float), '\0');
  if (!v.empty()) std::memcpy(s.data(), v.data(), s.size());
  return s;
}

// Dims for a declared shape: a number, a symbol, or "?" for unknown.
void set_tensor_type(onnx::TypeProto* t, int elem, const std::vector<std::string>& dims,
                     bool has_shape = true) {
  auto* tt = t->mutable_tensor_type();
  tt->set_elem_type(elem);
  if (!has_shape) return;
  auto* shape = tt->mutable_shape();
  for (const auto& d : dims) {
    auto* dim = shape->add_dim();
    if (d == "?") continue;
    if (std::isdigit(static_cast<unsigned char>(d[0])))
      dim->set_dim_value(std::stoll(d));
    else
      dim->set_dim_param(d);
  }
}

onnx::ValueInfoProto* add_value(google::protobuf::RepeatedPtrField<onnx::ValueInfoProto>* list,
                                const std::string& name, int elem, const std::vector<std::string>& dims) {
  auto* vi = list->Add();
  vi->set_name(name);
  set_tensor_type(vi->mutable_type(), elem, dims);
  return vi;
}

onnx::TensorProto float_tensor(const std::string& name, const std::vector<int64_t>& dims,
                               const std::vector<float>& values) {
  onnx::TensorProto t;
  t.set_name(name);
  for (auto d : dims) t.add_dims(d);
  t.set_data_type(onnx::TensorProto::FLOAT);
  t.set_raw_data(float_bytes(values));
  return t;
}

onnx::NodeProto* add_node(onnx::GraphProto* g, const std::string& op, const std::vector<std::string>& inputs,
                          const std::vector<std::string>& outputs, const std::string& name = "") {
  auto* n = g->add_node();
  n->set_op_type(op);
  n->set_name(name);
  for (const auto& i : inputs) n->add_input(i);
  for (const auto& o : outputs) n->add_output(o);
  return n;
}

// y = Add(x, W) with W a 2x3 initializer; ir_version 8, ai.onnx opset 13.
onnx::ModelProto small_model() {
  onnx::ModelProto m;
  m.set_ir_version(8);
  auto* g = m.mutable_graph();
  g->set_name("small");
  add_value(g->mutable_input(), "x", onnx::TensorProto::FLOAT, {"2", "3"});
  add_value(g->mutable_output(), "y", onnx::TensorProto::FLOAT, {"2", "3"});
  *g->add_initializer() = float_tensor("W", {2, 3}, {1, 2, 3, 4, 5, 6});
  add_node(g, "Add", {"x", "W"}, {"y"}, "add0");
  auto* op = m.add_opset_import();
  op->set_domain("");
  op->set_version(13);
  return m;
}

std::string serialize(const onnx::ModelProto& m) {
  std::string s;
  REQUIRE(m.SerializeToString(&s));
  return s;
}

Model load(const onnx::ModelProto& m, const LoadOptions& options = {}) {
  std::string bytes = serialize(m);
  return load_model_bytes(bytes.data(), bytes.size(), "m.onnx", "", options);
}

// The Error loading `bytes` throws; fails the test when it loads.
Error load_error_bytes(const std::string& bytes, const std::string& base_dir = "",
                       const LoadOptions& options = {}) {
  try {
    load_model_bytes(bytes.data(), bytes.size(), "m.onnx", base_dir, options);
  } catch (const Error& e) {
    return e;
  }
  FAIL("model loaded but should not have");
  return Error(Stage::Usage, "unreachable");
}

Error load_error(const onnx::ModelProto& m, const LoadOptions& options = {}) {
  return load_error_bytes(serialize(m), "", options);
}

Error file_error(const std::string& path) {
  try {
    load_model_file(path);
  } catch (const Error& e) {
    return e;
  }
  FAIL("model file loaded but should not have: " << path);
  return Error(Stage::Usage, "unreachable");
}

// Checks an error is a one-line load error naming `file` and containing `text`.
void check_error(const Error& e, const std::string& text, const std::string& file = "m.onnx") {
  INFO(e.what());
  CHECK(e.stage() == Stage::Load);
  CHECK(e.context().file == file);
  CHECK_THAT(e.what(), Contains(text));
  CHECK(std::string(e.what()).find('\n') == std::string::npos);
}

// "prefix<n>", built by appending: GCC 12 at -O3 warns falsely (-Wrestrict) on
// "literal" + std::to_string(n).
std::string numbered(std::string prefix, int64_t n) {
  prefix += std::to_string(n);
  return prefix;
}

const float* floats(const Tensor& t) { return t.data<float>(); }

}  // namespace

TEST_CASE("loader: a small model converts to the Graph", "[loader]") {
  onnx::ModelProto m = small_model();
  m.set_producer_name("onnxi-test");
  m.set_producer_version("1.2");
  m.set_doc_string("doc");
  auto* ml = m.add_opset_import();
  ml->set_domain("ai.onnx.ml");
  ml->set_version(3);
  auto* kv = m.add_metadata_props();
  kv->set_key("author");
  kv->set_value("me");
  auto* g = m.mutable_graph();
  // x gets a symbolic and an unknown dim; z is declared without a shape.
  g->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(0)->set_dim_param(
      "N");
  g->mutable_input(0)
      ->mutable_type()
      ->mutable_tensor_type()
      ->mutable_shape()
      ->mutable_dim(1)
      ->clear_dim_value();
  auto* z = g->add_value_info();
  z->set_name("y");
  set_tensor_type(z->mutable_type(), onnx::TensorProto::FLOAT, {}, false);

  Model model = load(m);
  CHECK(model.path.empty());
  CHECK(model.ir_version == 8);
  CHECK(model.producer_name == "onnxi-test");
  CHECK(model.producer_version == "1.2");
  CHECK(model.doc_string == "doc");
  CHECK(model.opsets.size() == 2);
  CHECK(model.opset_for("") == 13);
  CHECK(model.opset_for("ai.onnx") == 13);
  CHECK(model.opset_for("ai.onnx.ml") == 3);
  CHECK(model.metadata.at("author") == "me");

  REQUIRE(model.graph);
  const Graph& graph = *model.graph;
  CHECK(graph.name == "small");
  REQUIRE(graph.inputs.size() == 1);
  const ValueInfo& x = graph.inputs[0];
  CHECK(x.name == "x");
  CHECK(x.kind == "tensor");
  CHECK(x.dtype == DType::Float);
  CHECK(x.has_shape);
  REQUIRE(x.shape.size() == 2);
  CHECK(!x.shape[0].fixed());
  CHECK(x.shape[0].symbol == "N");
  CHECK(!x.shape[1].fixed());
  CHECK(x.shape[1].symbol.empty());
  REQUIRE(graph.outputs.size() == 1);
  CHECK(graph.outputs[0].shape[1].value == 3);
  REQUIRE(graph.value_info.size() == 1);
  CHECK(!graph.value_info[0].has_shape);

  REQUIRE(graph.initializers.count("W"));
  const Tensor& w = graph.initializers.at("W");
  CHECK(w.dtype() == DType::Float);
  CHECK(w.shape() == Shape{2, 3});
  CHECK(floats(w)[5] == 6.0f);

  REQUIRE(graph.nodes.size() == 1);
  const Node& n = graph.nodes[0];
  CHECK(n.name == "add0");
  CHECK(n.op_type == "Add");
  CHECK(n.domain.empty());
  CHECK(n.inputs == std::vector<std::string>{"x", "W"});
  CHECK(n.outputs == std::vector<std::string>{"y"});
}

TEST_CASE("loader: file and memory loads agree", "[loader]") {
  TempDir dir;
  std::string path = dir.file("model.onnx");
  write_file(path, serialize(small_model()));
  Model a = load_model_file(path);
  Model b = load(small_model());
  CHECK(a.path == path);
  CHECK(a.graph->nodes.size() == b.graph->nodes.size());
  CHECK(std::memcmp(a.graph->initializers.at("W").raw_data(), b.graph->initializers.at("W").raw_data(), 24) ==
        0);
}

TEST_CASE("loader: every attribute kind", "[loader]") {
  onnx::ModelProto m = small_model();
  auto* g = m.mutable_graph();
  auto* n = add_node(g, "Custom", {"y"}, {"z", ""}, "custom");
  n->set_domain("ai.onnx");  // canonicalized to ""
  using A = onnx::AttributeProto;
  auto attr = [&](const std::string& name, A::AttributeType type) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(type);
    return a;
  };
  attr("f", A::FLOAT)->set_f(1.5f);
  attr("i", A::INT)->set_i(-7);
  attr("s", A::STRING)->set_s("hello");
  *attr("t", A::TENSOR)->mutable_t() = float_tensor("tv", {2}, {3, 4});
  auto* floats_attr = attr("floats", A::FLOATS);
  floats_attr->add_floats(1);
  floats_attr->add_floats(2);
  auto* ints_attr = attr("ints", A::INTS);
  ints_attr->add_ints(4);
  ints_attr->add_ints(-5);
  auto* strings_attr = attr("strings", A::STRINGS);
  strings_attr->add_strings("a");
  strings_attr->add_strings("b");
  auto* tensors_attr = attr("tensors", A::TENSORS);
  *tensors_attr->add_tensors() = float_tensor("", {1}, {9});
  *tensors_attr->add_tensors() = float_tensor("", {}, {8});
  set_tensor_type(attr("tp", A::TYPE_PROTO)->mutable_tp(), onnx::TensorProto::INT64, {"?"});
  auto* tps = attr("tps", A::TYPE_PROTOS);
  set_tensor_type(tps->add_type_protos()->mutable_sequence_type()->mutable_elem_type(),
                  onnx::TensorProto::FLOAT, {}, false);
  // Sparse: 3 values in a [2,3] tensor at linear positions 0, 4, 5.
  auto* sp = attr("sparse", A::SPARSE_TENSOR)->mutable_sparse_tensor();
  *sp->mutable_values() = float_tensor("sv", {3}, {1, 2, 3});
  sp->add_dims(2);
  sp->add_dims(3);
  auto* idx = sp->mutable_indices();
  idx->set_data_type(onnx::TensorProto::INT64);
  idx->add_dims(3);
  for (int64_t v : {0, 4, 5}) idx->add_int64_data(v);
  // Subgraph with a Constant node that uses the outer "x".
  auto* body = attr("body", A::GRAPH)->mutable_g();
  body->set_name("body");
  auto* c = add_node(body, "Constant", {}, {"c"}, "const");
  auto* value = c->add_attribute();
  value->set_name("value");
  value->set_type(A::TENSOR);
  *value->mutable_t() = float_tensor("", {1}, {42});
  add_node(body, "Add", {"x", "c"}, {"out"});
  add_value(body->mutable_output(), "out", onnx::TensorProto::FLOAT, {});
  auto* graphs = attr("graphs", A::GRAPHS);
  graphs->add_graphs()->set_name("g0");
  graphs->add_graphs()->set_name("g1");
  // No type: the kind comes from the field that is set (old writers).
  auto* untyped = n->add_attribute();
  untyped->set_name("untyped");
  untyped->add_ints(1);

  Model model = load(m);
  REQUIRE(model.graph->nodes.size() == 2);
  const Node& node = model.graph->nodes[1];
  CHECK(node.domain.empty());
  CHECK(node.outputs == std::vector<std::string>{"z", ""});
  const auto& at = node.attributes;
  CHECK(at.size() == 14);
  CHECK(at.at("f").kind == Attribute::Kind::Float);
  CHECK(at.at("f").f == 1.5f);
  CHECK(at.at("i").i == -7);
  CHECK(at.at("s").s == "hello");
  CHECK(at.at("t").kind == Attribute::Kind::Tensor);
  CHECK(at.at("t").t.shape() == Shape{2});
  CHECK(floats(at.at("t").t)[1] == 4.0f);
  CHECK(at.at("floats").floats == std::vector<float>{1, 2});
  CHECK(at.at("ints").ints == std::vector<int64_t>{4, -5});
  CHECK(at.at("strings").strings == std::vector<std::string>{"a", "b"});
  REQUIRE(at.at("tensors").tensors.size() == 2);
  CHECK(at.at("tensors").tensors[1].rank() == 0);
  CHECK(floats(at.at("tensors").tensors[1])[0] == 8.0f);
  CHECK(at.at("tp").kind == Attribute::Kind::TypeProto);
  CHECK(at.at("tp").s == "tensor(int64)");
  CHECK(at.at("tps").kind == Attribute::Kind::TypeProto);
  CHECK(at.at("tps").strings == std::vector<std::string>{"seq(tensor(float32))"});
  const Tensor& dense = at.at("sparse").t;
  CHECK(at.at("sparse").kind == Attribute::Kind::Tensor);
  REQUIRE(dense.shape() == Shape{2, 3});
  CHECK(std::vector<float>(floats(dense), floats(dense) + 6) == std::vector<float>{1, 0, 0, 0, 2, 3});
  const Attribute& b = at.at("body");
  CHECK(b.kind == Attribute::Kind::Graph);
  REQUIRE(b.g);
  CHECK(b.g->name == "body");
  REQUIRE(b.g->nodes.size() == 2);
  CHECK(b.g->nodes[0].op_type == "Constant");  // Constant nodes stay nodes
  CHECK(floats(b.g->nodes[0].attributes.at("value").t)[0] == 42.0f);
  CHECK(b.g->outputs[0].name == "out");
  CHECK(b.g->outputs[0].has_shape);
  REQUIRE(at.at("graphs").graphs.size() == 2);
  CHECK(at.at("graphs").graphs[1]->name == "g1");
  CHECK(at.at("untyped").kind == Attribute::Kind::Ints);
}

TEST_CASE("loader: non-tensor value types", "[loader]") {
  onnx::ModelProto m = small_model();
  auto* g = m.mutable_graph();
  auto add_typed = [&](const std::string& name) {
    auto* vi = g->add_value_info();
    vi->set_name(name);
    return vi->mutable_type();
  };
  set_tensor_type(add_typed("seq")->mutable_sequence_type()->mutable_elem_type(), onnx::TensorProto::INT64,
                  {"4"});
  set_tensor_type(add_typed("opt")->mutable_optional_type()->mutable_elem_type(), onnx::TensorProto::DOUBLE,
                  {});
  auto* map = add_typed("map")->mutable_map_type();
  map->set_key_type(onnx::TensorProto::STRING);
  set_tensor_type(map->mutable_value_type(), onnx::TensorProto::FLOAT, {}, false);
  auto* sparse = add_typed("sparse")->mutable_sparse_tensor_type();
  sparse->set_elem_type(onnx::TensorProto::FLOAT);
  sparse->mutable_shape()->add_dim()->set_dim_value(10);
  add_typed("untyped");

  Model model = load(m);
  const auto& vis = model.graph->value_info;
  REQUIRE(vis.size() == 5);
  CHECK(vis[0].kind == "sequence");
  CHECK(vis[0].dtype == DType::Int64);
  CHECK(vis[1].kind == "optional");
  CHECK(vis[1].dtype == DType::Double);
  CHECK(vis[1].has_shape);
  CHECK(vis[1].shape.empty());
  CHECK(vis[2].kind == "map");
  CHECK(vis[2].dtype == DType::Float);
  CHECK(vis[3].kind == "sparse_tensor");
  CHECK(vis[3].shape.at(0).value == 10);
  CHECK(vis[4].dtype == DType::Undefined);
  CHECK(!vis[4].has_shape);
}

TEST_CASE("loader: sparse initializers become dense", "[loader]") {
  onnx::ModelProto m = small_model();
  auto* sp = m.mutable_graph()->add_sparse_initializer();
  *sp->mutable_values() = float_tensor("S", {2}, {5, 6});
  sp->add_dims(2);
  sp->add_dims(2);
  auto* idx = sp->mutable_indices();
  idx->set_data_type(onnx::TensorProto::INT64);
  idx->add_dims(2);
  idx->add_dims(2);
  for (int64_t v : {0, 1, 1, 0}) idx->add_int64_data(v);  // (0,1) and (1,0)
  Model model = load(m);
  const Tensor& s = model.graph->initializers.at("S");
  REQUIRE(s.shape() == Shape{2, 2});
  CHECK(std::vector<float>(floats(s), floats(s) + 4) == std::vector<float>{0, 5, 6, 0});

  SECTION("an index outside the dense shape is an error") {
    sp->mutable_indices()->set_int64_data(2, 2);
    check_error(load_error(m), "sparse tensor 'S': index 2 of value 1 is outside dense shape [2,2]");
  }
  SECTION("a name clash with a dense initializer is an error") {
    sp->mutable_values()->set_name("W");
    check_error(load_error(m), "initializer 'W' is declared more than once");
  }
}

TEST_CASE("loader: opsets", "[loader]") {
  onnx::ModelProto m = small_model();
  SECTION("no opset_import is an error from IR version 3") {
    m.clear_opset_import();
    check_error(load_error(m), "model has no opset_import (required since IR version 3");
  }
  SECTION("old IR versions without opset_import default to ai.onnx opset 1") {
    m.clear_opset_import();
    m.set_ir_version(2);
    CHECK(load(m).opset_for("") == 1);
  }
  SECTION("a domain listed twice (ai.onnx and \"\") with two versions is an error") {
    auto* op = m.add_opset_import();
    op->set_domain("ai.onnx");
    op->set_version(m.opset_import(0).version() + 1);
    check_error(load_error(m), "opset_import lists domain 'ai.onnx' twice, with versions");
  }
  SECTION("a domain listed twice with the same version is accepted (skl2onnx writes this)") {
    auto* op = m.add_opset_import();
    op->set_domain("ai.onnx");
    op->set_version(m.opset_import(0).version());
    CHECK(load(m).opset_for("") == m.opset_import(0).version());
  }
  SECTION("a version below 1 is an error") {
    m.mutable_opset_import(0)->set_version(0);
    check_error(load_error(m), "invalid version 0");
  }
  SECTION("a node in a domain that is not imported is an error") {
    m.mutable_graph()->mutable_node(0)->set_domain("com.example");
    Error e = load_error(m);
    check_error(e, "node uses domain 'com.example', which the model does not list in opset_import");
    CHECK(e.context().node == "add0");
    CHECK(e.context().op_type == "Add");
  }
  SECTION("no ir_version is an error") {
    m.clear_ir_version();
    check_error(load_error(m), "model has no ir_version");
  }
}

TEST_CASE("loader: unreadable files", "[loader]") {
  TempDir dir;
  SECTION("missing file") {
    std::string path = dir.file("missing.onnx");
    check_error(file_error(path), "cannot open file: No such file or directory", path);
  }
  SECTION("a directory") { check_error(file_error(dir.path.string()), "is a directory", dir.path.string()); }
  SECTION("empty file") {
    std::string path = dir.file("empty.onnx");
    write_file(path, "");
    check_error(file_error(path), "file is empty", path);
  }
  SECTION("empty memory") { check_error(load_error_bytes(""), "model is empty"); }
}

TEST_CASE("loader: garbage is not a model", "[loader]") {
  check_error(load_error_bytes("hello world, this is not a model\n"), "not an ONNX model");
  check_error(load_error_bytes(std::string("\x89PNG\r\n\x1a\n", 8)), "not an ONNX model");
  // Random bytes of many lengths: always an onnxi::Error, never a crash.
  std::mt19937 rng(1234);
  for (int i = 0; i < 300; ++i) {
    std::string bytes(1 + rng() % 600, '\0');
    for (auto& c : bytes) c = static_cast<char>(rng());
    try {
      load_model_bytes(bytes.data(), bytes.size(), "m.onnx");
      FAIL("random bytes loaded as a model");
    } catch (const Error& e) {
      CHECK(e.stage() == Stage::Load);
    }
  }
}

TEST_CASE("loader: a truncated model fails at every length", "[loader]") {
  std::string bytes = serialize(small_model());
  REQUIRE(bytes.size() > 50);
  // Cut inside the graph gives a protobuf error; cut between fields leaves the graph or
  // the opset_import out. Either way: an error, never a crash or a half model.
  for (size_t len = 0; len < bytes.size(); ++len) {
    INFO("length " << len << " of " << bytes.size());
    try {
      load_model_bytes(bytes.data(), len, "m.onnx");
      FAIL("truncated model loaded");
    } catch (const Error& e) {
      CHECK(e.stage() == Stage::Load);
    }
  }
  check_error(load_error_bytes(bytes.substr(0, bytes.size() / 2)), "truncated or corrupt");

  TempDir dir;
  std::string path = dir.file("cut.onnx");
  write_file(path, bytes.substr(0, bytes.size() - 3));
  check_error(file_error(path), "truncated or corrupt", path);
}

TEST_CASE("loader: corrupted bytes never crash", "[loader]") {
  onnx::ModelProto m = small_model();
  auto* body = add_node(m.mutable_graph(), "If", {"x"}, {"q"})->add_attribute();
  body->set_name("then_branch");
  body->set_type(onnx::AttributeProto::GRAPH);
  add_node(body->mutable_g(), "Identity", {"x"}, {"r"});
  std::string good = serialize(m);
  std::mt19937 rng(99);
  int loaded = 0, failed = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string bytes = good;
    for (int k = 0; k < 1 + static_cast<int>(rng() % 3); ++k)
      bytes[rng() % bytes.size()] = static_cast<char>(rng());
    try {
      load_model_bytes(bytes.data(), bytes.size(), "m.onnx");
      ++loaded;
    } catch (const Error&) {
      ++failed;
    }
  }
  CHECK(loaded + failed == 2000);
  CHECK(failed > 0);
}

TEST_CASE("loader: structural errors", "[loader]") {
  onnx::ModelProto m = small_model();
  auto* g = m.mutable_graph();
  SECTION("no graph") {
    m.clear_graph();
    check_error(load_error(m), "model has no graph");
  }
  SECTION("duplicate graph input") {
    add_value(g->mutable_input(), "x", onnx::TensorProto::FLOAT, {});
    check_error(load_error(m), "graph input 'x' is declared more than once");
  }
  SECTION("duplicate initializer") {
    *g->add_initializer() = float_tensor("W", {1}, {0});
    check_error(load_error(m), "initializer 'W' is declared more than once");
  }
  SECTION("a value produced twice") {
    add_node(g, "Relu", {"x"}, {"y"}, "relu");
    check_error(load_error(m), "value 'y' is produced by both node 'add0' (Add) and node 'relu' (Relu)");
  }
  SECTION("a node output redefining a graph input") {
    add_node(g, "Relu", {"y"}, {"x"});
    check_error(load_error(m), "node '#1' (Relu) output 'x' redefines a graph input");
  }
  SECTION("a node output redefining an initializer") {
    add_node(g, "Relu", {"y"}, {"W"});
    check_error(load_error(m), "output 'W' redefines an initializer");
  }
  SECTION("duplicate graph output") {
    add_value(g->mutable_output(), "y", onnx::TensorProto::FLOAT, {});
    check_error(load_error(m), "graph output 'y' is declared more than once");
  }
  SECTION("unnamed input") {
    add_value(g->mutable_input(), "", onnx::TensorProto::FLOAT, {});
    check_error(load_error(m), "graph input has no name");
  }
  SECTION("unknown element type") {
    g->mutable_input(0)->mutable_type()->mutable_tensor_type()->set_elem_type(99);
    check_error(load_error(m), "graph input 'x' has unknown element type 99");
  }
  SECTION("node without op_type") {
    g->mutable_node(0)->clear_op_type();
    check_error(load_error(m), "node has no op_type");
  }
  SECTION("duplicate attribute") {
    for (int i = 0; i < 2; ++i) {
      auto* a = g->mutable_node(0)->add_attribute();
      a->set_name("alpha");
      a->set_type(onnx::AttributeProto::FLOAT);
    }
    Error e = load_error(m);
    check_error(e, "attribute 'alpha' is given more than once");
    CHECK_THAT(e.what(), Contains("at node 'add0' (ai.onnx::Add)"));
  }
  SECTION("names with control characters stay on one line") {
    g->mutable_node(0)->set_name("bad\nname");
    *g->add_initializer() = float_tensor("W\r", {1}, {1, 2});
    Error e = load_error(m);
    check_error(e, "tensor 'W\\x0d': raw_data has 8 bytes, expected 4");
    g->mutable_initializer()->RemoveLast();
    g->mutable_node(0)->set_domain("x\ty");
    e = load_error(m);
    check_error(e, "node uses domain 'x\\x09y'");
    CHECK_THAT(e.what(), Contains("at node 'bad\\x0aname' (x\\x09y::Add)"));
  }
  SECTION("attribute without type or value") {
    g->mutable_node(0)->add_attribute()->set_name("empty");
    check_error(load_error(m), "attribute 'empty' has no type and no value");
  }
  SECTION("attribute referring to a function attribute") {
    auto* a = g->mutable_node(0)->add_attribute();
    a->set_name("alpha");
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_ref_attr_name("outer_alpha");
    check_error(load_error(m), "only allowed inside a function body");
  }
  SECTION("a bad tensor attribute names the attribute") {
    auto* a = g->mutable_node(0)->add_attribute();
    a->set_name("value");
    a->set_type(onnx::AttributeProto::TENSOR);
    *a->mutable_t() = float_tensor("v", {4}, {1, 2});
    check_error(load_error(m),
                "attribute 'value': tensor 'v': raw_data has 8 bytes, expected 16 for float32 [4]");
  }
}

TEST_CASE("loader: initializer data is validated", "[loader]") {
  onnx::ModelProto m = small_model();
  onnx::TensorProto& w = *m.mutable_graph()->mutable_initializer(0);
  SECTION("wrong raw_data size") {
    w.set_raw_data(float_bytes({1, 2, 3, 4, 5}));
    check_error(load_error(m), "tensor 'W': raw_data has 20 bytes, expected 24 for float32 [2,3]");
  }
  SECTION("negative dims") {
    w.set_dims(0, -2);
    check_error(load_error(m), "tensor 'W': negative dimension -2 in dims [-2,3]");
  }
  SECTION("element count overflow") {
    w.set_dims(0, int64_t(1) << 40);
    w.set_dims(1, int64_t(1) << 40);
    check_error(load_error(m), "tensor 'W': dims [1099511627776,1099511627776] have too many elements");
  }
  SECTION("larger than max_tensor_bytes") {
    LoadOptions options;
    options.max_tensor_bytes = 16;
    check_error(load_error(m, options),
                "tensor 'W': float32 [2,3] is 24 bytes, more than the limit of 16 bytes");
  }
  SECTION("no data") {
    w.clear_raw_data();
    check_error(load_error(m), "tensor 'W': float_data has 0 values, expected 6 for float32 [2,3]");
  }
  SECTION("unset data_type") {
    w.clear_data_type();
    check_error(load_error(m), "tensor 'W': data_type is not set");
  }
  SECTION("unknown data_type") {
    w.set_data_type(1000);
    check_error(load_error(m), "tensor 'W': unsupported data_type 1000");
  }
  SECTION("unnamed initializer") {
    w.clear_name();
    check_error(load_error(m), "initializer #0 has no name");
  }
  SECTION("external data in a model from memory without a base directory") {
    w.clear_raw_data();
    w.set_data_location(onnx::TensorProto::EXTERNAL);
    auto* kv = w.add_external_data();
    kv->set_key("location");
    kv->set_value("w.bin");
    check_error(load_error(m), "uses external data, which cannot be resolved without the model's directory");
  }
}

TEST_CASE("loader: subgraph depth limit", "[loader]") {
  // A chain of If nodes, each holding the next level in then_branch.
  auto nested = [](int depth) {
    onnx::ModelProto m = small_model();
    onnx::GraphProto* g = m.mutable_graph();
    for (int d = 0; d < depth; ++d) {
      auto* n = add_node(g, "If", {"x"}, {numbered("o", d)});
      auto* a = n->add_attribute();
      a->set_name("then_branch");
      a->set_type(onnx::AttributeProto::GRAPH);
      g = a->mutable_g();
      g->set_name(numbered("level", d + 1));
    }
    return m;
  };
  LoadOptions options;
  options.max_subgraph_depth = 3;
  CHECK(load(nested(3), options).graph->nodes.size() == 2);
  check_error(load_error(nested(4), options),
              "attribute 'then_branch': subgraphs are nested more than 3 levels deep");
  // The default limit (64) is what counts, not protobuf's own recursion limit of 100
  // messages (three per subgraph level).
  Model deep = load(nested(60));
  const Graph* g = deep.graph.get();
  for (int d = 0; d < 60; ++d) g = g->nodes.back().attributes.at("then_branch").g.get();
  CHECK(g->name == "level60");
  CHECK(load_error(nested(65)).stage() == Stage::Load);
}

namespace {

// Marks `t` as external data at `location` with optional offset/length entries.
void make_external(onnx::TensorProto* t, const std::string& location, const std::string& offset = "",
                   const std::string& length = "") {
  t->clear_raw_data();
  t->set_data_location(onnx::TensorProto::EXTERNAL);
  auto add = [&](const char* k, const std::string& v) {
    auto* kv = t->add_external_data();
    kv->set_key(k);
    kv->set_value(v);
  };
  add("location", location);
  if (!offset.empty()) add("offset", offset);
  if (!length.empty()) add("length", length);
}

}  // namespace

TEST_CASE("loader: external data", "[loader]") {
  TempDir root;
  fs::path dir = root.path / "model";
  fs::create_directories(dir / "sub");
  std::string model_path = (dir / "model.onnx").string();
  std::vector<float> w = {1, 2, 3, 4, 5, 6};
  // 16 bytes of junk, the tensor, junk after: only [16, 40) is W.
  write_file((dir / "weights.bin").string(), std::string(16, 'j') + float_bytes(w) + "tail");
  write_file((dir / "sub" / "w2.bin").string(), float_bytes({7, 8}));
  write_file((root.path / "outside.bin").string(), float_bytes(w));

  onnx::ModelProto m = small_model();
  onnx::TensorProto* wt = m.mutable_graph()->mutable_initializer(0);
  *m.mutable_graph()->add_initializer() = float_tensor("W2", {2}, {0, 0});
  onnx::TensorProto* w2 = m.mutable_graph()->mutable_initializer(1);
  make_external(w2, "sub/w2.bin");  // no offset/length: the whole file

  auto save = [&]() { write_file(model_path, serialize(m)); };
  auto error_for = [&](const std::string& location, const std::string& offset = "",
                       const std::string& length = "") {
    wt->clear_external_data();
    make_external(wt, location, offset, length);
    save();
    return file_error(model_path);
  };

  SECTION("offset and length select the bytes") {
    make_external(wt, "weights.bin", "16", "24");
    save();
    Model model = load_model_file(model_path);
    const Tensor& t = model.graph->initializers.at("W");
    CHECK(std::vector<float>(floats(t), floats(t) + 6) == w);
    CHECK(floats(model.graph->initializers.at("W2"))[1] == 8.0f);

    // From memory: resolved against base_dir, refused without one.
    std::string bytes = serialize(m);
    Model from_memory = load_model_bytes(bytes.data(), bytes.size(), "mem", dir.string());
    CHECK(floats(from_memory.graph->initializers.at("W"))[2] == 3.0f);
    check_error(load_error_bytes(bytes), "tensor 'W': uses external data");
  }
  SECTION("parent directory components are rejected") {
    check_error(error_for("../outside.bin"), "external data location '../outside.bin' may not contain '..'",
                model_path);
    check_error(error_for("sub/../../outside.bin"), "may not contain '..'", model_path);
  }
  SECTION("absolute paths are rejected") {
    check_error(error_for((root.path / "outside.bin").string()), "is an absolute path", model_path);
    check_error(error_for("/etc/passwd"), "is an absolute path", model_path);
  }
  SECTION("symbolic links out of the model directory are rejected") {
    fs::create_symlink(root.path / "outside.bin", dir / "link.bin");
    check_error(error_for("link.bin"), "outside the model's directory", model_path);
    fs::create_directory_symlink(root.path, dir / "up");
    check_error(error_for("up/outside.bin"), "outside the model's directory", model_path);
  }
  SECTION("a symbolic link inside the model directory is fine") {
    fs::create_symlink(dir / "sub" / "w2.bin", dir / "alias.bin");
    *wt = float_tensor("W", {2}, {});
    make_external(wt, "alias.bin");
    save();
    CHECK(floats(load_model_file(model_path).graph->initializers.at("W"))[0] == 7.0f);
  }
  SECTION("missing file") {
    check_error(error_for("nope.bin"), "tensor 'W': external data file 'nope.bin' does not exist",
                model_path);
  }
  SECTION("offset beyond the end of the file") {
    check_error(error_for("weights.bin", "1000", "24"),
                "external data offset 1000 is beyond the end of 'weights.bin' (44 bytes)", model_path);
  }
  SECTION("range beyond the end of the file") {
    check_error(error_for("weights.bin", "30", "24"),
                "external data range of 24 bytes at offset 30 is beyond the end", model_path);
  }
  SECTION("length that does not match the shape") {
    check_error(error_for("weights.bin", "16", "20"),
                "external data has 20 bytes, expected 24 for float32 [2,3]", model_path);
    // Without a length the rest of the file is the tensor, and here that is too much.
    check_error(error_for("weights.bin", "16"), "external data has 28 bytes, expected 24", model_path);
  }
  SECTION("malformed offset") {
    check_error(error_for("weights.bin", "-4", "24"),
                "external data offset '-4' is not a non-negative integer", model_path);
  }
  SECTION("a directory as the location") {
    check_error(error_for("sub"), "external data file 'sub': is a directory", model_path);
  }
}

TEST_CASE("loader: a model over protobuf's 64 MiB default limit loads", "[loader]") {
  TempDir dir;
  std::string path = dir.file("big.onnx");
  const int64_t n = int64_t(70) << 18;  // 70 MiB of float zeros
  {
    onnx::ModelProto m = small_model();
    onnx::TensorProto* big = m.mutable_graph()->add_initializer();
    big->set_name("big");
    big->set_data_type(onnx::TensorProto::FLOAT);
    big->add_dims(n);
    big->mutable_raw_data()->assign(static_cast<size_t>(n) * 4, '\0');
    std::string bytes = serialize(m);
    REQUIRE(bytes.size() > (size_t(64) << 20));
    write_file(path, bytes);
  }
  Model model = load_model_file(path);
  const Tensor& big = model.graph->initializers.at("big");
  CHECK(big.numel() == n);
  CHECK(floats(big)[n - 1] == 0.0f);
  fs::remove(path);
}

TEST_CASE("loader: every ONNX backend test model loads", "[loader][.slow]") {
  const fs::path root = "/usr/share/libonnx-testdata/data/node";
  if (!fs::exists(root)) {
    WARN("libonnx-testdata is not installed; skipped");
    return;
  }
  size_t count = 0;
  for (const auto& entry : fs::directory_iterator(root)) {
    fs::path model = entry.path() / "model.onnx";
    if (!fs::exists(model)) continue;
    INFO(model.string());
    CHECK_NOTHROW(load_model_file(model.string()));
    ++count;
  }
  CHECK(count >= 900);
}

// --- Loading a file: protobuf parses the model without the top-level initializers'
// raw_data, which is copied straight from the mapped file. It must agree with the
// all-protobuf path (load_model_bytes) on every tensor and every error.

namespace {

// Protobuf wire format, for models protobuf's API will not write (repeated fields,
// padded lengths, groups, garbage).
std::string varint(uint64_t v) {
  std::string s;
  for (; v >= 0x80; v >>= 7) s += static_cast<char>((v & 0x7f) | 0x80);
  s += static_cast<char>(v);
  return s;
}
std::string tag(uint32_t field, uint32_t wire_type) { return varint(uint64_t(field) << 3 | wire_type); }
std::string len_field(uint32_t field, const std::string& payload) {
  return tag(field, 2) + varint(payload.size()) + payload;
}

// A `dtype` tensor of shape `dims` with pseudo-random raw_data (0/1 bytes for bool).
onnx::TensorProto raw_tensor(const std::string& name, int dtype, size_t elem_size,
                             const std::vector<int64_t>& dims, uint32_t seed) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(dtype);
  size_t count = 1;
  for (auto d : dims) {
    t.add_dims(d);
    count *= static_cast<size_t>(d);
  }
  std::string bytes(count * elem_size, '\0');
  std::mt19937 rng(seed);
  for (auto& c : bytes) c = static_cast<char>(rng());
  if (dtype == onnx::TensorProto::BOOL)
    for (auto& c : bytes) c = static_cast<char>(c & 1);
  t.set_raw_data(bytes);
  return t;
}

// Initializers of many types and sizes: raw_data (empty, scalar, over 1 MiB) and typed
// fields side by side.
onnx::ModelProto many_initializers_model() {
  using T = onnx::TensorProto;
  onnx::ModelProto m = small_model();
  auto* g = m.mutable_graph();
  *g->add_initializer() = raw_tensor("f64", T::DOUBLE, 8, {3, 5}, 1);
  *g->add_initializer() = raw_tensor("i8", T::INT8, 1, {7}, 2);
  *g->add_initializer() = raw_tensor("u8", T::UINT8, 1, {2, 2, 3}, 3);
  *g->add_initializer() = raw_tensor("i16", T::INT16, 2, {5}, 4);
  *g->add_initializer() = raw_tensor("i32", T::INT32, 4, {4, 1}, 5);
  *g->add_initializer() = raw_tensor("i64", T::INT64, 8, {3}, 6);
  *g->add_initializer() = raw_tensor("f16", T::FLOAT16, 2, {9}, 7);
  *g->add_initializer() = raw_tensor("bf16", T::BFLOAT16, 2, {2, 4}, 8);
  *g->add_initializer() = raw_tensor("c64", T::COMPLEX64, 8, {2}, 9);
  *g->add_initializer() = raw_tensor("u64", T::UINT64, 8, {1}, 10);
  *g->add_initializer() = raw_tensor("bool", T::BOOL, 1, {6}, 11);
  *g->add_initializer() = raw_tensor("scalar", T::FLOAT, 4, {}, 12);
  *g->add_initializer() = raw_tensor("empty", T::FLOAT, 4, {0, 3}, 13);
  *g->add_initializer() = raw_tensor("big", T::FLOAT, 4, {3, 100003}, 14);  // 1.2 MB
  auto* typed = g->add_initializer();
  typed->set_name("typed");
  typed->set_data_type(T::INT64);
  typed->add_dims(2);
  typed->add_int64_data(-5);
  typed->add_int64_data(1);
  auto* strings = g->add_initializer();
  strings->set_name("strings");
  strings->set_data_type(T::STRING);
  strings->add_dims(2);
  strings->add_string_data("a");
  strings->add_string_data("bc");
  return m;
}

// Checks two loads of the same model have the same initializers, byte for byte.
void check_same_initializers(const Model& a, const Model& b) {
  REQUIRE(a.graph->initializers.size() == b.graph->initializers.size());
  for (const auto& [name, ta] : a.graph->initializers) {
    INFO("initializer " << name);
    REQUIRE(b.graph->initializers.count(name));
    const Tensor& tb = b.graph->initializers.at(name);
    CHECK(ta.dtype() == tb.dtype());
    CHECK(ta.shape() == tb.shape());
    if (ta.dtype() == DType::String) {
      CHECK(ta.strings() == tb.strings());
    } else {
      REQUIRE(ta.nbytes() == tb.nbytes());
      CHECK(reinterpret_cast<uintptr_t>(ta.raw_data()) % kTensorAlignment == 0);
      if (ta.nbytes()) CHECK(std::memcmp(ta.raw_data(), tb.raw_data(), ta.nbytes()) == 0);
    }
  }
}

// Loads `bytes` both from a file and from memory: both load, to the same tensors, or
// both fail with the same message (apart from the name in it).
void check_file_matches_memory(const TempDir& dir, const std::string& bytes) {
  std::string path = dir.file("model.onnx");
  write_file(path, bytes);
  std::optional<Model> from_file, from_memory;
  std::string file_error_text, memory_error_text;
  try {
    from_file = load_model_file(path);
  } catch (const Error& e) {
    CHECK(e.stage() == Stage::Load);
    CHECK(e.context().file == path);
    CHECK(std::string(e.what()).find('\n') == std::string::npos);
    file_error_text = e.message();
  }
  try {
    from_memory = load_model_bytes(bytes.data(), bytes.size(), "m.onnx", dir.path.string());
  } catch (const Error& e) {
    memory_error_text = e.message();
  }
  REQUIRE(from_file.has_value() == from_memory.has_value());
  CHECK(file_error_text == memory_error_text);
  if (from_file) check_same_initializers(*from_file, *from_memory);
}

}  // namespace

TEST_CASE("loader: a model file's raw_data is copied straight into its tensors", "[loader]") {
  TempDir dir;
  onnx::ModelProto m = many_initializers_model();
  std::string path = dir.file("model.onnx");
  write_file(path, serialize(m));
  Model from_file = load_model_file(path);
  Model from_memory = load(m);
  check_same_initializers(from_file, from_memory);
  // And both hold what the protos held.
  for (const auto& tp : m.graph().initializer()) {
    INFO(tp.name());
    const Tensor& t = from_file.graph->initializers.at(tp.name());
    CHECK(t.shape() == Shape(tp.dims().begin(), tp.dims().end()));
    if (tp.has_raw_data()) {
      REQUIRE(t.nbytes() == tp.raw_data().size());
      CHECK(std::memcmp(t.raw_data(), tp.raw_data().data(), t.nbytes()) == 0);
    }
  }
  CHECK(from_file.graph->initializers.at("typed").data<int64_t>()[0] == -5);
  CHECK(from_file.graph->initializers.at("strings").strings()[1] == "bc");
  CHECK(from_file.graph->nodes.size() == 1);
  CHECK(from_file.opset_for("") == 13);
}

TEST_CASE("loader: raw_data and external data in one model file", "[loader]") {
  TempDir dir;
  std::vector<float> w = {1, 2, 3, 4, 5, 6};
  write_file(dir.file("w.bin"), float_bytes(w));
  onnx::ModelProto m = many_initializers_model();
  make_external(m.mutable_graph()->mutable_initializer(0), "w.bin");
  write_file(dir.file("model.onnx"), serialize(m));
  Model model = load_model_file(dir.file("model.onnx"));
  const Tensor& t = model.graph->initializers.at("W");
  CHECK(std::vector<float>(floats(t), floats(t) + 6) == w);
  check_file_matches_memory(dir, serialize(m));
}

TEST_CASE("loader: model files protobuf's API would not write", "[loader]") {
  TempDir dir;
  onnx::ModelProto m = many_initializers_model();
  onnx::GraphProto graph = m.graph();
  m.clear_graph();
  const std::string header = serialize(m);  // everything but the graph
  onnx::TensorProto w = graph.initializer(0);
  graph.mutable_initializer()->DeleteSubrange(0, 1);
  const std::string rest = graph.SerializeAsString();  // the graph without W

  SECTION("the graph field twice: protobuf merges the two") {
    onnx::GraphProto first;
    *first.add_initializer() = w;
    std::string bytes = header + len_field(7, first.SerializeAsString()) + len_field(7, rest);
    check_file_matches_memory(dir, bytes);
    CHECK(load_model_file(dir.file("model.onnx")).graph->initializers.size() == 17);
  }
  SECTION("raw_data twice in one tensor: the last one counts") {
    std::string tensor = w.SerializeAsString() + len_field(9, "not this one") + len_field(9, w.raw_data());
    check_file_matches_memory(dir, header + len_field(7, len_field(5, tensor) + rest));
    CHECK(floats(load_model_file(dir.file("model.onnx")).graph->initializers.at("W"))[5] == 6.0f);
  }
  SECTION("padded (non-minimal) lengths") {
    // The tensor's length in 4 bytes, the graph's in 5.
    auto padded = [](uint64_t v, int n) {
      std::string s;
      for (int i = 0; i < n; ++i, v >>= 7) s += static_cast<char>((v & 0x7f) | (i + 1 < n ? 0x80 : 0));
      return s;
    };
    std::string tensor = w.SerializeAsString();
    std::string graph_bytes = tag(5, 2) + padded(tensor.size(), 4) + tensor + rest;
    std::string bytes = header + tag(7, 2) + padded(graph_bytes.size(), 5) + graph_bytes;
    check_file_matches_memory(dir, bytes);
    CHECK(floats(load_model_file(dir.file("model.onnx")).graph->initializers.at("W"))[1] == 2.0f);
  }
  SECTION("raw_data with another wire type is an unknown field, not raw_data") {
    onnx::TensorProto no_raw = w;
    no_raw.clear_raw_data();
    std::string bytes =
        header + len_field(7, len_field(5, no_raw.SerializeAsString() + tag(9, 0) + varint(3)) + rest);
    check_file_matches_memory(dir, bytes);
    check_error(file_error(dir.file("model.onnx")), "tensor 'W': float_data has 0 values, expected 6",
                dir.file("model.onnx"));
  }
  SECTION("unknown fields are skipped as protobuf skips them") {
    std::string unknown = tag(60, 0) + varint(uint64_t(1) << 63) + tag(61, 2) + varint(2) + "xy";
    std::string tensor = w.SerializeAsString() + tag(50, 5) + "abcd" + tag(51, 1) + "abcdefgh" + unknown;
    std::string bytes = header + unknown + len_field(7, len_field(5, tensor) + unknown + rest) + unknown;
    check_file_matches_memory(dir, bytes);
    CHECK(load_model_file(dir.file("model.onnx")).graph->initializers.size() == 17);
  }
  SECTION("groups (which protobuf skips as unknown fields too)") {
    std::string group = tag(99, 3) + tag(1, 0) + varint(5) + tag(2, 2) + varint(1) + "x" + tag(99, 4);
    for (const std::string& bytes :
         {header + group + len_field(7, len_field(5, w.SerializeAsString()) + rest),
          header + len_field(7, group + len_field(5, w.SerializeAsString()) + rest),
          header + len_field(7, len_field(5, w.SerializeAsString() + group) + rest)}) {
      check_file_matches_memory(dir, bytes);
      CHECK(load_model_file(dir.file("model.onnx")).graph->initializers.size() == 17);
    }
    // An unfinished group is an error either way.
    check_file_matches_memory(dir,
                              header + len_field(7, len_field(5, w.SerializeAsString() + tag(99, 3)) + rest));
    check_error(file_error(dir.file("model.onnx")), "truncated or corrupt", dir.file("model.onnx"));
  }
}

TEST_CASE("loader: malformed model files fail as protobuf fails", "[loader]") {
  TempDir dir;
  onnx::ModelProto m = many_initializers_model();
  onnx::GraphProto graph = m.graph();
  m.clear_graph();
  const std::string header = serialize(m);
  onnx::TensorProto w = graph.initializer(0);
  graph.mutable_initializer()->DeleteSubrange(0, 1);
  const std::string rest = graph.SerializeAsString();
  const std::string path = dir.file("model.onnx");
  auto check_corrupt = [&](const std::string& bytes) {
    check_file_matches_memory(dir, bytes);
    check_error(file_error(path), "cannot parse the model: the protobuf data is truncated or corrupt", path);
  };
  auto with_tensor = [&](const std::string& tensor) {
    return header + len_field(7, len_field(5, tensor) + rest);
  };

  SECTION("raw_data longer than what is left of the tensor") {
    onnx::TensorProto no_raw = w;
    no_raw.clear_raw_data();
    check_corrupt(
        with_tensor(no_raw.SerializeAsString() + tag(9, 2) + varint(25) + float_bytes({1, 2, 3, 4, 5, 6})));
  }
  SECTION("a length past the end of the file") {
    std::string bytes = serialize(many_initializers_model());
    check_corrupt(bytes + tag(7, 2) + varint(1000) + "abc");
    check_corrupt(bytes + tag(20, 2) + "\xff\xff\xff\xff\x07");  // INT_MAX
  }
  SECTION("a varint of 11 bytes") {
    check_corrupt(with_tensor(w.SerializeAsString() + tag(40, 0) + std::string(10, '\xff') + '\x01'));
  }
  SECTION("a tag of 6 bytes") {
    check_corrupt(with_tensor(w.SerializeAsString() + "\x80\x80\x80\x80\x80\x01"));
  }
  SECTION("a length of 6 bytes") {
    check_corrupt(
        with_tensor(w.SerializeAsString() + tag(9, 2) + std::string("\x84\x80\x80\x80\x80\x00", 6) + "abcd"));
  }
  SECTION("field number 0") { check_corrupt(with_tensor(w.SerializeAsString() + tag(0, 0) + varint(1))); }
  SECTION("wire types 6 and 7, and an end-group tag without its start") {
    check_corrupt(with_tensor(w.SerializeAsString() + tag(40, 6) + varint(1)));
    check_corrupt(header + len_field(7, tag(40, 7) + rest));
    check_corrupt(header + tag(40, 4) + len_field(7, len_field(5, w.SerializeAsString()) + rest));
  }
  SECTION("a truncated fixed64 or fixed32") {
    check_corrupt(header + len_field(7, len_field(5, w.SerializeAsString() + tag(40, 1) + "abc")));
    check_corrupt(header + len_field(7, len_field(5, w.SerializeAsString() + tag(40, 5) + "ab")));
  }
  SECTION("an initializer whose contents are garbage after the raw_data") {
    check_corrupt(with_tensor(w.SerializeAsString() + "\xff"));
  }
  SECTION("a file that does not start like a model") {
    std::string bytes(1, '\x07');  // field 0, wire type 7
    bytes += serialize(many_initializers_model());
    check_file_matches_memory(dir, bytes);
    check_error(file_error(path), "not an ONNX model", path);
  }
}

TEST_CASE("loader: truncated and corrupted model files fail as protobuf fails", "[loader]") {
  TempDir dir;
  onnx::ModelProto m = many_initializers_model();
  m.mutable_graph()->mutable_initializer()->DeleteSubrange(14, 1);  // no 1.2 MB tensor: many loads
  auto* body = add_node(m.mutable_graph(), "If", {"x"}, {"q"})->add_attribute();
  body->set_name("then_branch");
  body->set_type(onnx::AttributeProto::GRAPH);
  *body->mutable_g()->add_initializer() = raw_tensor("inner", onnx::TensorProto::INT32, 4, {3}, 15);
  add_node(body->mutable_g(), "Identity", {"x"}, {"r"});
  const std::string good = serialize(m);
  std::mt19937 rng(7);
  for (int i = 0; i < 150; ++i) {
    size_t len = rng() % good.size();
    INFO("truncated to " << len << " of " << good.size() << " bytes");
    if (len == 0) continue;  // an empty file is its own error
    check_file_matches_memory(dir, good.substr(0, len));
  }
  for (int i = 0; i < 400; ++i) {
    std::string bytes = good;
    std::string what;
    for (int k = 0; k < 1 + static_cast<int>(rng() % 3); ++k) {
      size_t at = rng() % bytes.size();
      bytes[at] = static_cast<char>(rng());
      what += ' ';
      what += std::to_string(at);
    }
    INFO("bytes changed at" << what);
    check_file_matches_memory(dir, bytes);
  }
}
