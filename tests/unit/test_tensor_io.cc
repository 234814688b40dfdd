// Tensor files: TensorProto (.pb) and NumPy (.npy) round trips and malformed inputs.
#include <onnx/onnx-data_pb.h>
#include <onnx/onnx_pb.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "onnxi/element.h"
#include "onnxi/io.h"

namespace fs = std::filesystem;
using namespace onnxi;
using Catch::Matchers::Contains;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    static std::atomic<int> counter{0};
    path = fs::temp_directory_path() /
           ("onnxi_tensor_io_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
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

const std::vector<DType> kAllDTypes = {DType::Float,  DType::UInt8,     DType::Int8,       DType::UInt16,
                                       DType::Int16,  DType::Int32,     DType::Int64,      DType::String,
                                       DType::Bool,   DType::Float16,   DType::Double,     DType::UInt32,
                                       DType::UInt64, DType::Complex64, DType::Complex128, DType::BFloat16};

const std::vector<Shape> kShapes = {{}, {0}, {5}, {2, 3}, {2, 0, 3}, {1, 2, 1, 3}};

// A tensor whose bytes differ element to element (any bit pattern is fine: we compare
// bytes, not values). Bools are 0/1; strings are distinct, one empty.
Tensor pattern(DType dtype, const Shape& shape) {
  Tensor t(dtype, shape);
  if (dtype == DType::String) {
    for (size_t i = 0; i < t.strings().size(); ++i)
      if (i != 1) t.strings()[i] = std::string(1, 's').append(std::to_string(i * 7));
    return t;
  }
  auto* p = static_cast<unsigned char*>(t.raw_data());
  for (size_t i = 0; i < t.nbytes(); ++i)
    p[i] = dtype == DType::Bool ? static_cast<unsigned char>(i % 3 == 0)
                                : static_cast<unsigned char>(i * 37 + 11);
  return t;
}

void check_same(const Tensor& a, const Tensor& b) {
  REQUIRE(a.dtype() == b.dtype());
  REQUIRE(a.shape() == b.shape());
  if (a.dtype() == DType::String) {
    CHECK(a.strings() == b.strings());
  } else {
    REQUIRE(a.nbytes() == b.nbytes());
    if (a.nbytes()) CHECK(std::memcmp(a.raw_data(), b.raw_data(), a.nbytes()) == 0);
  }
}

std::string serialize(const onnx::TensorProto& p) {
  std::string s;
  REQUIRE(p.SerializeToString(&s));
  return s;
}

Tensor parse_proto(const onnx::TensorProto& p) {
  std::string s = serialize(p);
  return parse_tensor_pb(s.data(), s.size());
}

Error pb_error(const onnx::TensorProto& p) {
  std::string s = serialize(p);
  try {
    parse_tensor_pb(s.data(), s.size(), nullptr, "t.pb");
  } catch (const Error& e) {
    return e;
  }
  FAIL("tensor parsed but should not have");
  return Error(Stage::Usage, "unreachable");
}

void check_error(const Error& e, const std::string& text, const std::string& file) {
  INFO(e.what());
  CHECK(e.stage() == Stage::Io);
  CHECK(e.context().file == file);
  CHECK_THAT(e.what(), Contains(text));
}

template <class T>
std::vector<T> values_of(const Tensor& t) {
  const T* p = static_cast<const T*>(t.raw_data());
  return std::vector<T>(p, p + t.numel());
}

}  // namespace

// ---------------------------------------------------------------------------- .pb

TEST_CASE("tensor_pb: raw_data round trip for every dtype and shape", "[tensor_io]") {
  TempDir dir;
  for (DType dt : kAllDTypes) {
    for (const Shape& shape : kShapes) {
      INFO(dtype_name(dt) << " " << shape_to_string(shape));
      Tensor t = pattern(dt, shape);
      std::string path = dir.file("t.pb");
      write_tensor_pb(path, t, "tensor_name");
      std::string name;
      Tensor back = read_tensor_pb(path, &name);
      CHECK(name == "tensor_name");
      check_same(t, back);

      // What was written is a plain TensorProto with raw_data (string_data for strings).
      std::ifstream f(path, std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
      onnx::TensorProto p;
      REQUIRE(p.ParseFromString(bytes));
      CHECK(p.data_type() == static_cast<int>(dt));
      CHECK(Shape(p.dims().begin(), p.dims().end()) == shape);
      CHECK(p.has_raw_data() == (dt != DType::String));
      CHECK(p.string_data_size() == (dt == DType::String ? t.numel() : 0));
    }
  }
}

TEST_CASE("tensor_pb: typed fields for every dtype", "[tensor_io]") {
  auto proto = [](int dtype, std::vector<int64_t> dims) {
    onnx::TensorProto p;
    p.set_name("t");
    p.set_data_type(dtype);
    for (auto d : dims) p.add_dims(d);
    return p;
  };
  using TP = onnx::TensorProto;
  {
    auto p = proto(TP::FLOAT, {2});
    p.add_float_data(1.5f);
    p.add_float_data(-2.0f);
    CHECK(values_of<float>(parse_proto(p)) == std::vector<float>{1.5f, -2.0f});
  }
  {
    auto p = proto(TP::DOUBLE, {1});
    p.add_double_data(0.25);
    CHECK(values_of<double>(parse_proto(p)) == std::vector<double>{0.25});
  }
  {
    auto p = proto(TP::INT32, {2});
    p.add_int32_data(-5);
    p.add_int32_data(INT32_MAX);
    CHECK(values_of<int32_t>(parse_proto(p)) == std::vector<int32_t>{-5, INT32_MAX});
  }
  {
    auto p = proto(TP::INT16, {2});
    p.add_int32_data(-32768);
    p.add_int32_data(32767);
    CHECK(values_of<int16_t>(parse_proto(p)) == std::vector<int16_t>{-32768, 32767});
  }
  {
    auto p = proto(TP::INT8, {2});
    p.add_int32_data(-128);
    p.add_int32_data(127);
    CHECK(values_of<int8_t>(parse_proto(p)) == std::vector<int8_t>{-128, 127});
  }
  {
    auto p = proto(TP::UINT16, {2});
    p.add_int32_data(0);
    p.add_int32_data(65535);
    CHECK(values_of<uint16_t>(parse_proto(p)) == std::vector<uint16_t>{0, 65535});
  }
  {
    auto p = proto(TP::UINT8, {2});
    p.add_int32_data(0);
    p.add_int32_data(255);
    CHECK(values_of<uint8_t>(parse_proto(p)) == std::vector<uint8_t>{0, 255});
  }
  {
    auto p = proto(TP::BOOL, {3});
    p.add_int32_data(0);
    p.add_int32_data(1);
    p.add_int32_data(2);  // any non-zero is true
    CHECK(values_of<uint8_t>(parse_proto(p)) == std::vector<uint8_t>{0, 1, 1});
  }
  {
    auto p = proto(TP::FLOAT16, {2});
    p.add_int32_data(0x3c00);  // 1.0
    p.add_int32_data(0xc000);  // -2.0
    CHECK(values_of<uint16_t>(parse_proto(p)) == std::vector<uint16_t>{0x3c00, 0xc000});
  }
  {
    auto p = proto(TP::BFLOAT16, {1});
    p.add_int32_data(0x3f80);  // 1.0
    Tensor t = parse_proto(p);
    CHECK(t.dtype() == DType::BFloat16);
    CHECK(values_of<uint16_t>(t) == std::vector<uint16_t>{0x3f80});
  }
  {
    auto p = proto(TP::INT64, {2});
    p.add_int64_data(INT64_MIN);
    p.add_int64_data(3);
    CHECK(values_of<int64_t>(parse_proto(p)) == std::vector<int64_t>{INT64_MIN, 3});
  }
  {
    auto p = proto(TP::UINT32, {2});
    p.add_uint64_data(0);
    p.add_uint64_data(UINT32_MAX);
    CHECK(values_of<uint32_t>(parse_proto(p)) == std::vector<uint32_t>{0, UINT32_MAX});
  }
  {
    auto p = proto(TP::UINT64, {1});
    p.add_uint64_data(UINT64_MAX);
    CHECK(values_of<uint64_t>(parse_proto(p)) == std::vector<uint64_t>{UINT64_MAX});
  }
  {
    auto p = proto(TP::COMPLEX64, {2});
    for (float v : {1.f, 2.f, 3.f, 4.f}) p.add_float_data(v);  // (1+2i), (3+4i)
    Tensor t = parse_proto(p);
    REQUIRE(t.dtype() == DType::Complex64);
    const float* f = static_cast<const float*>(t.raw_data());
    CHECK(std::vector<float>(f, f + 4) == std::vector<float>{1, 2, 3, 4});
  }
  {
    auto p = proto(TP::COMPLEX128, {1});
    p.add_double_data(-1);
    p.add_double_data(0.5);
    Tensor t = parse_proto(p);
    const double* d = static_cast<const double*>(t.raw_data());
    CHECK(std::vector<double>(d, d + 2) == std::vector<double>{-1, 0.5});
  }
  {
    auto p = proto(TP::STRING, {3});
    p.add_string_data("a");
    p.add_string_data("");
    p.add_string_data(std::string("x\0y", 3));
    std::string s = serialize(p);
    std::string name;
    Tensor t = parse_tensor_pb(s.data(), s.size(), &name);
    CHECK(name == "t");
    CHECK(t.strings() == std::vector<std::string>{"a", "", std::string("x\0y", 3)});
  }
  {
    auto p = proto(TP::FLOAT, {});  // a scalar
    p.add_float_data(7);
    Tensor t = parse_proto(p);
    CHECK(t.rank() == 0);
    CHECK(t.data<float>()[0] == 7.0f);
  }
  {
    auto p = proto(TP::INT64, {0, 4});  // no elements, no data
    CHECK(parse_proto(p).numel() == 0);
  }
}

TEST_CASE("tensor_pb: invalid data is reported", "[tensor_io]") {
  onnx::TensorProto p;
  p.set_name("t");
  p.set_data_type(onnx::TensorProto::INT8);
  p.add_dims(2);
  p.add_int32_data(1);
  SECTION("too few values") {
    check_error(pb_error(p), "tensor 't': int32_data has 1 values, expected 2 for int8 [2]", "t.pb");
  }
  SECTION("out of range for the element type") {
    p.add_int32_data(128);
    check_error(pb_error(p), "tensor 't': int32_data[1] = 128 is out of range for int8", "t.pb");
  }
  SECTION("the wrong typed field") {
    p.clear_int32_data();
    p.add_int64_data(1);
    p.add_int64_data(2);
    check_error(pb_error(p), "stores its values in int64_data, but int8 tensors use int32_data", "t.pb");
  }
  SECTION("raw_data and a typed field") {
    p.set_raw_data(std::string(2, '\0'));
    check_error(pb_error(p), "has both raw_data and int32_data", "t.pb");
  }
  SECTION("raw_data of the wrong size") {
    p.clear_int32_data();
    p.set_raw_data(std::string(3, '\0'));
    check_error(pb_error(p), "raw_data has 3 bytes, expected 2 for int8 [2]", "t.pb");
  }
  SECTION("strings in raw_data") {
    p.clear_int32_data();
    p.set_data_type(onnx::TensorProto::STRING);
    p.set_raw_data("ab");
    check_error(pb_error(p), "string tensors cannot use raw_data", "t.pb");
  }
  SECTION("uint32 out of range") {
    p.clear_int32_data();
    p.set_data_type(onnx::TensorProto::UINT32);
    p.add_uint64_data(1);
    p.add_uint64_data(uint64_t(1) << 32);
    check_error(pb_error(p), "uint64_data[1] = 4294967296 is out of range for uint32", "t.pb");
  }
  SECTION("float16 bits out of range") {
    p.clear_int32_data();
    p.set_data_type(onnx::TensorProto::FLOAT16);
    p.add_int32_data(0);
    p.add_int32_data(70000);
    check_error(pb_error(p), "int32_data[1] = 70000 is not a float16 bit pattern", "t.pb");
  }
  SECTION("negative dims") {
    p.set_dims(0, -1);
    check_error(pb_error(p), "negative dimension -1", "t.pb");
  }
  SECTION("segments") {
    p.mutable_segment()->set_begin(0);
    check_error(pb_error(p), "segmented tensors are not supported", "t.pb");
  }
  SECTION("external data from memory") {
    p.clear_int32_data();
    p.set_data_location(onnx::TensorProto::EXTERNAL);
    auto* kv = p.add_external_data();
    kv->set_key("location");
    kv->set_value("t.bin");
    check_error(pb_error(p), "uses external data, which cannot be resolved", "t.pb");
  }
}

TEST_CASE("tensor_pb: external data next to a .pb file", "[tensor_io]") {
  TempDir dir;
  int32_t values[3] = {10, -20, 30};
  write_file(dir.file("data.bin"), std::string(reinterpret_cast<const char*>(values), sizeof(values)));
  onnx::TensorProto p;
  p.set_data_type(onnx::TensorProto::INT32);
  p.add_dims(3);
  p.set_data_location(onnx::TensorProto::EXTERNAL);
  auto* kv = p.add_external_data();
  kv->set_key("location");
  kv->set_value("data.bin");
  write_file(dir.file("t.pb"), serialize(p));
  CHECK(values_of<int32_t>(read_tensor_pb(dir.file("t.pb"))) == std::vector<int32_t>{10, -20, 30});
}

TEST_CASE("tensor_pb: files that are not tensors", "[tensor_io]") {
  TempDir dir;
  SECTION("missing") {
    std::string path = dir.file("none.pb");
    try {
      read_tensor_pb(path);
      FAIL("read a missing file");
    } catch (const Error& e) {
      check_error(e, "cannot open file", path);
    }
  }
  SECTION("empty") {
    CHECK_THROWS_WITH(parse_tensor_pb("", 0, nullptr, "e.pb"), Contains("tensor file is empty"));
  }
  SECTION("garbage") {
    std::string junk = "\xff\xff\xff\xff\xff\xff";
    CHECK_THROWS_WITH(parse_tensor_pb(junk.data(), junk.size(), nullptr, "g.pb"),
                      Contains("not a valid TensorProto"));
  }
  SECTION("truncated") {
    std::string bytes;
    onnx::TensorProto p;
    p.set_data_type(onnx::TensorProto::FLOAT);
    p.add_dims(4);
    p.set_raw_data(std::string(16, '\1'));
    bytes = serialize(p);
    for (size_t len = 1; len < bytes.size(); ++len) {
      INFO("length " << len);
      CHECK_THROWS_AS(parse_tensor_pb(bytes.data(), len), Error);
    }
  }
}

TEST_CASE("tensor_pb: ONNX backend test data", "[tensor_io]") {
  const fs::path node = "/usr/share/libonnx-testdata/data/node";
  fs::path abs_input = node / "test_abs/test_data_set_0/input_0.pb";
  if (!fs::exists(abs_input)) {
    WARN("libonnx-testdata is not installed; skipped");
    return;
  }
  std::string name;
  Tensor x = read_tensor_file(abs_input.string(), &name);
  CHECK(name == "x");
  CHECK(x.dtype() == DType::Float);
  CHECK(x.shape() == Shape{3, 4, 5});

  // Sequences are stored as SequenceProto: read as sequences, never misread as tensors.
  fs::path seq = node / "test_sequence_insert_at_back/test_data_set_0/input_0.pb";
  if (fs::exists(seq)) {
    Tensor s = read_tensor_pb(seq.string(), &name);
    CHECK(name == "sequence");
    REQUIRE(s.is_sequence());
    CHECK(s.dtype() == DType::Int64);
    REQUIRE(s.elements().size() == 3);
    CHECK(s.elements()[0].shape() == Shape{4});
    try {
      read_tensor_pb(seq.string(), nullptr, PbKind::Tensor);
      FAIL("read a SequenceProto as a tensor");
    } catch (const Error& e) {
      check_error(e, "file holds an ONNX SequenceProto or OptionalProto", seq.string());
    }
  }
  // Optionals: empty, holding a tensor, holding a sequence.
  fs::path empty = node / "test_optional_has_element_empty/test_data_set_0/input_0.pb";
  if (fs::exists(empty)) CHECK(read_tensor_pb(empty.string(), nullptr, PbKind::Optional).is_none());
  fs::path opt = node / "test_optional_get_element/test_data_set_0/input_0.pb";
  if (fs::exists(opt)) {
    Tensor t = read_tensor_pb(opt.string(), nullptr, PbKind::Optional);
    REQUIRE(t.is_tensor());
    CHECK(t.shape() == Shape{4});
    CHECK(read_tensor_pb(opt.string(), nullptr, PbKind::Sequence).is_sequence());  // same bytes
  }
  fs::path opt_seq = node / "test_optional_get_element_sequence/test_data_set_0/input_0.pb";
  if (fs::exists(opt_seq)) {
    Tensor t = read_tensor_pb(opt_seq.string(), nullptr, PbKind::Optional);
    REQUIRE(t.is_sequence());
    CHECK(t.elements().size() == 1);
    CHECK(read_tensor_pb(opt_seq.string()).is_sequence());  // Auto: an optional holding a sequence
  }
}

TEST_CASE("tensor_pb: SequenceProto and OptionalProto", "[tensor_io]") {
  auto seq_bytes = [](const onnx::SequenceProto& s) {
    std::string out;
    REQUIRE(s.SerializeToString(&out));
    return out;
  };
  auto opt_bytes = [](const onnx::OptionalProto& o) {
    std::string out;
    REQUIRE(o.SerializeToString(&out));
    return out;
  };
  onnx::TensorProto a, b;
  a.set_data_type(onnx::TensorProto::FLOAT);
  a.add_dims(2);
  a.add_float_data(1.5f);
  a.add_float_data(-2.f);
  b.set_data_type(onnx::TensorProto::FLOAT);
  b.add_float_data(7.f);

  SECTION("sequence of tensors") {
    onnx::SequenceProto s;
    s.set_name("seq");
    s.set_elem_type(onnx::SequenceProto::TENSOR);
    *s.add_tensor_values() = a;
    *s.add_tensor_values() = b;
    std::string bytes = seq_bytes(s);
    for (PbKind kind : {PbKind::Auto, PbKind::Sequence}) {
      std::string name;
      Tensor t = parse_tensor_pb(bytes.data(), bytes.size(), &name, "s.pb", kind);
      CHECK(name == "seq");
      REQUIRE(t.is_sequence());
      CHECK(t.dtype() == DType::Float);
      REQUIRE(t.elements().size() == 2);
      CHECK(t.elements()[0].shape() == Shape{2});
      CHECK(t.elements()[0].data<float>()[1] == -2.f);
      CHECK(t.elements()[1].shape() == Shape{});
    }
  }
  SECTION("empty sequence, named or not") {
    for (const char* n : {"empty", ""}) {
      onnx::SequenceProto s;
      if (*n) s.set_name(n);
      s.set_elem_type(onnx::SequenceProto::TENSOR);
      std::string bytes = seq_bytes(s);
      Tensor t = parse_tensor_pb(bytes.data(), bytes.size(), nullptr, "e.pb", PbKind::Sequence);
      REQUIRE(t.is_sequence());
      CHECK(t.elements().empty());
      CHECK(t.dtype() == DType::Undefined);
    }
  }
  SECTION("mixed element types are refused") {
    onnx::SequenceProto s;
    s.set_name("mixed");
    s.set_elem_type(onnx::SequenceProto::TENSOR);
    *s.add_tensor_values() = a;
    onnx::TensorProto i;
    i.set_data_type(onnx::TensorProto::INT64);
    i.add_int64_data(3);
    *s.add_tensor_values() = i;
    std::string bytes = seq_bytes(s);
    CHECK_THROWS_WITH(parse_tensor_pb(bytes.data(), bytes.size(), nullptr, "m.pb", PbKind::Sequence),
                      Contains("element 1 is int64"));
  }
  SECTION("nested sequences are refused") {
    onnx::SequenceProto s;
    s.set_name("nested");
    s.set_elem_type(onnx::SequenceProto::SEQUENCE);
    s.add_sequence_values()->set_elem_type(onnx::SequenceProto::TENSOR);
    s.add_sequence_values()->set_elem_type(onnx::SequenceProto::TENSOR);
    std::string bytes = seq_bytes(s);
    CHECK_THROWS_WITH(parse_tensor_pb(bytes.data(), bytes.size(), nullptr, "n.pb"),
                      Contains("nested sequences"));
  }
  SECTION("maps and sequences of maps (ZipMap's output, DictVectorizer's input)") {
    auto make_map = [&](const std::string& name) {
      onnx::MapProto m;
      m.set_name(name);
      m.set_key_type(onnx::TensorProto::STRING);
      for (std::string key : {"a", "b"}) *m.add_string_keys() = key;
      m.mutable_values()->set_elem_type(onnx::SequenceProto::TENSOR);
      *m.mutable_values()->add_tensor_values() = b;  // 7
      onnx::TensorProto c = b;
      c.set_float_data(0, 0.5f);
      *m.mutable_values()->add_tensor_values() = c;
      return m;
    };
    auto check_map = [](const Tensor& t) {
      REQUIRE(t.is_map());
      CHECK(t.dtype() == DType::Float);
      CHECK(t.map_keys().strings() == std::vector<std::string>{"a", "b"});
      CHECK(t.map_values().data<float>()[0] == 7.f);
      CHECK(t.map_values().data<float>()[1] == 0.5f);
    };
    std::string bytes;
    REQUIRE(make_map("m").SerializeToString(&bytes));
    for (PbKind kind : {PbKind::Auto, PbKind::Map}) {
      std::string name;
      check_map(parse_tensor_pb(bytes.data(), bytes.size(), &name, "m.pb", kind));
      CHECK(name == "m");
    }
    onnx::SequenceProto s;
    s.set_name("maps");
    s.set_elem_type(onnx::SequenceProto::MAP);
    *s.add_map_values() = make_map("");
    *s.add_map_values() = make_map("");
    bytes = seq_bytes(s);
    Tensor t = parse_tensor_pb(bytes.data(), bytes.size(), nullptr, "s.pb", PbKind::Sequence);
    REQUIRE(t.is_sequence());
    REQUIRE(t.elements().size() == 2);
    check_map(t.elements()[1]);
    // Written back and read again (a sequence of maps, and one map).
    TempDir dir;
    write_tensor_pb(dir.file("s.pb"), t, "maps");
    Tensor again = read_tensor_pb(dir.file("s.pb"));
    REQUIRE(again.is_sequence());
    check_map(again.elements()[0]);
    write_tensor_pb(dir.file("m.pb"), t.elements()[0], "one");
    std::string name;
    check_map(read_tensor_pb(dir.file("m.pb"), &name));
    CHECK(name == "one");

    onnx::MapProto bad = make_map("bad");
    bad.set_key_type(onnx::TensorProto::FLOAT);
    REQUIRE(bad.SerializeToString(&bytes));
    CHECK_THROWS_WITH(parse_tensor_pb(bytes.data(), bytes.size(), nullptr, "b.pb", PbKind::Map),
                      Contains("keys must be integers or strings"));
    bad = make_map("bad");
    *bad.add_string_keys() = std::string(1, 'c');
    REQUIRE(bad.SerializeToString(&bytes));
    CHECK_THROWS_WITH(parse_tensor_pb(bytes.data(), bytes.size(), nullptr, "b.pb", PbKind::Map),
                      Contains("3 keys but 2 values"));
    CHECK_THROWS_WITH(Tensor::map(Tensor::from_vector<float>({1}, {1}), Tensor::from_vector<float>({1}, {1})),
                      Contains("integers or strings"));
  }
  SECTION("optionals") {
    onnx::OptionalProto none;
    none.set_name("none");
    none.set_elem_type(onnx::OptionalProto::UNDEFINED);
    std::string bytes = opt_bytes(none);
    CHECK(parse_tensor_pb(bytes.data(), bytes.size(), nullptr, "o.pb").is_none());  // Auto
    CHECK(parse_tensor_pb(bytes.data(), bytes.size(), nullptr, "o.pb", PbKind::Optional).is_none());

    onnx::OptionalProto none_seq;
    none_seq.set_name("none_seq");
    none_seq.set_elem_type(onnx::OptionalProto::SEQUENCE);
    bytes = opt_bytes(none_seq);
    Tensor t = parse_tensor_pb(bytes.data(), bytes.size(), nullptr, "o.pb", PbKind::Optional);
    REQUIRE(t.is_none());
    CHECK(t.none_of() == Tensor::Kind::Sequence);

    onnx::OptionalProto with_tensor;
    with_tensor.set_name("x");
    with_tensor.set_elem_type(onnx::OptionalProto::TENSOR);
    *with_tensor.mutable_tensor_value() = a;
    bytes = opt_bytes(with_tensor);
    std::string name;
    t = parse_tensor_pb(bytes.data(), bytes.size(), &name, "o.pb", PbKind::Optional);
    CHECK(name == "x");
    REQUIRE(t.is_tensor());
    CHECK(t.shape() == Shape{2});

    onnx::OptionalProto nested;
    nested.set_name("nested");
    nested.set_elem_type(onnx::OptionalProto::OPTIONAL);
    nested.mutable_optional_value()->set_elem_type(onnx::OptionalProto::UNDEFINED);
    bytes = opt_bytes(nested);
    CHECK_THROWS_WITH(parse_tensor_pb(bytes.data(), bytes.size(), nullptr, "o.pb", PbKind::Optional),
                      Contains("nested optionals"));
  }
  SECTION("a plain tensor file is still read when a sequence is expected") {
    std::string bytes = serialize(a);
    Tensor t = parse_tensor_pb(bytes.data(), bytes.size(), nullptr, "t.pb", PbKind::Sequence);
    CHECK(t.is_tensor());
  }
  SECTION("truncated containers give errors") {
    onnx::SequenceProto s;
    s.set_name("seq");
    s.set_elem_type(onnx::SequenceProto::TENSOR);
    *s.add_tensor_values() = a;
    std::string bytes = seq_bytes(s);
    for (size_t len = 1; len < bytes.size(); ++len) {
      INFO("length " << len);
      for (PbKind kind : {PbKind::Auto, PbKind::Tensor, PbKind::Sequence, PbKind::Optional}) {
        try {
          parse_tensor_pb(bytes.data(), len, nullptr, "s.pb", kind);
        } catch (const Error&) {
        }
      }
    }
  }
}

TEST_CASE("tensor_pb: every ONNX backend test tensor parses", "[tensor_io][.slow]") {
  const fs::path node = "/usr/share/libonnx-testdata/data/node";
  if (!fs::exists(node)) return;
  size_t tensors = 0, containers = 0;
  for (const auto& test : fs::directory_iterator(node))
    for (const auto& set : fs::directory_iterator(test.path())) {
      if (!set.is_directory()) continue;
      for (const auto& f : fs::directory_iterator(set.path())) {
        INFO(f.path().string());
        Tensor t = read_tensor_file(f.path().string());
        ++(t.is_tensor() ? tensors : containers);
      }
    }
  CHECK(tensors > 2500);
  CHECK(containers > 10);
  CHECK(containers < 100);
}

// ---------------------------------------------------------------------------- .npy

namespace {

// An .npy file from its parts: version, header text (no padding added) and data.
std::string npy(const std::string& header, const std::string& data = "", int major = 1) {
  std::string out = std::string("\x93NUMPY", 6);
  out += static_cast<char>(major);
  out += '\0';
  size_t n = header.size();
  int len_bytes = major == 1 ? 2 : 4;
  for (int i = 0; i < len_bytes; ++i) out += static_cast<char>((n >> (8 * i)) & 0xff);
  return out + header + data;
}

Error npy_error(const std::string& bytes) {
  try {
    parse_npy(bytes.data(), bytes.size(), "a.npy");
  } catch (const Error& e) {
    return e;
  }
  FAIL("npy parsed but should not have");
  return Error(Stage::Usage, "unreachable");
}

std::string header(const std::string& descr, const std::string& shape, const std::string& fortran = "False") {
  return "{'descr': '" + descr + "', 'fortran_order': " + fortran + ", 'shape': " + shape + ", }\n";
}

}  // namespace

TEST_CASE("npy: round trip for every numeric dtype and shape", "[tensor_io]") {
  TempDir dir;
  for (DType dt : kAllDTypes) {
    if (dt == DType::String || dt == DType::BFloat16) continue;
    for (const Shape& shape : kShapes) {
      INFO(dtype_name(dt) << " " << shape_to_string(shape));
      Tensor t = pattern(dt, shape);
      std::string bytes = serialize_npy(t);
      // Header padded so the data starts 64-byte aligned, ending with a newline.
      size_t header_len = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
      CHECK((10 + header_len) % 64 == 0);
      CHECK(bytes[10 + header_len - 1] == '\n');
      CHECK(bytes.size() == 10 + header_len + t.nbytes());
      check_same(t, parse_npy(bytes.data(), bytes.size()));

      std::string path = dir.file("t.npy");
      write_npy(path, t);
      std::string name = "stale";
      check_same(t, read_tensor_file(path, &name));
      CHECK(name.empty());
    }
  }
}

TEST_CASE("npy: header text matches NumPy's", "[tensor_io]") {
  std::string bytes = serialize_npy(Tensor::from_vector<int32_t>({1, 2, 3}, {3}));
  CHECK(bytes.substr(0, 8) == std::string("\x93NUMPY\x01\x00", 8));
  const std::string dict = "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }";
  CHECK(bytes.substr(10, dict.size()) == dict);
  std::string scalar = serialize_npy(Tensor::scalar<double>(1.0));
  CHECK_THAT(scalar, Contains("{'descr': '<f8', 'fortran_order': False, 'shape': (), }"));
  std::string matrix = serialize_npy(Tensor(DType::Bool, {2, 3}));
  CHECK_THAT(matrix, Contains("{'descr': '|b1', 'fortran_order': False, 'shape': (2, 3), }"));
}

TEST_CASE("npy: headers as other writers produce them", "[tensor_io]") {
  std::string six_floats(24, '\0');
  auto parse = [](const std::string& bytes) { return parse_npy(bytes.data(), bytes.size(), "a.npy"); };
  CHECK(parse(npy(header("<f4", "(2, 3)"), six_floats)).shape() == Shape{2, 3});
  CHECK(parse(npy(header("<f4", "(2, 3)"), six_floats, 2)).shape() == Shape{2, 3});
  CHECK(parse(npy(header("<f4", "(2, 3)"), six_floats, 3)).shape() == Shape{2, 3});
  CHECK(parse(npy("{\"descr\":\"<f4\",\"fortran_order\":False,\"shape\":(6,)}", six_floats)).shape() ==
        Shape{6});
  CHECK(parse(npy("{'shape': (3L, 2L), 'fortran_order': False, 'descr': '<f4'}   \n", six_floats)).shape() ==
        Shape{3, 2});
  CHECK(parse(npy(header("=i4", "(6,)"), six_floats)).dtype() == DType::Int32);
  CHECK(parse(npy(header("|u1", "(24,)"), six_floats)).dtype() == DType::UInt8);
  CHECK(parse(npy(header(">i1", "(24,)"), six_floats)).dtype() == DType::Int8);  // byte order moot
  CHECK(parse(npy(header("<c8", "(3,)"), six_floats)).dtype() == DType::Complex64);
  CHECK(parse(npy(header("<f2", "(12,)"), six_floats)).dtype() == DType::Float16);
  CHECK(parse(npy(header("<f4", "(0, 5)"))).numel() == 0);
  // Bool bytes other than 0/1 read as true.
  Tensor b = parse(npy(header("|b1", "(3,)"), std::string("\0\1\7", 3)));
  CHECK(values_of<uint8_t>(b) == std::vector<uint8_t>{0, 1, 1});
}

TEST_CASE("npy: malformed files are reported", "[tensor_io]") {
  std::string f4x2(8, '\0');
  check_error(npy_error("\x93NUMPZ\x01\x00"), "not a .npy file (bad magic", "a.npy");
  check_error(npy_error("PK\x03\x04 zip"), "bad magic", "a.npy");
  check_error(npy_error(""), "bad magic", "a.npy");
  check_error(npy_error(npy(header("<f4", "(2,)"), f4x2, 4)), "unsupported .npy format version 4.0", "a.npy");
  check_error(npy_error(npy(header("<f4", "(2, 2)", "True"), f4x2 + f4x2)), "Fortran order", "a.npy");
  check_error(npy_error(npy(header("|O", "(2,)"), f4x2)), "holds Python objects", "a.npy");
  check_error(npy_error(npy(header(">f4", "(2,)"), f4x2)), "big-endian", "a.npy");
  check_error(npy_error(npy(header("<U3", "(2,)"), f4x2)), "string arrays", "a.npy");
  check_error(npy_error(npy(header("<f3", "(2,)"), f4x2)), "unsupported .npy dtype '<f3'", "a.npy");
  check_error(npy_error(npy(header("f4", "(2,)"), f4x2)), "has no byte-order character", "a.npy");
  check_error(npy_error(npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,)}", f4x2)),
              "structured dtypes", "a.npy");
  check_error(npy_error(npy(header("<f4", "(3,)"), f4x2)),
              ".npy data has 8 bytes, expected 12 for float32 [3] (file truncated)", "a.npy");
  check_error(npy_error(npy(header("<f4", "(1,)"), f4x2)), "(trailing bytes)", "a.npy");
  check_error(npy_error(npy(header("<f4", "(1099511627776,)"), f4x2)), "expected 4398046511104", "a.npy");
  check_error(npy_error(npy(header("<f4", "(4294967296, 4294967296, 4294967296)"))), "overflows", "a.npy");
  check_error(npy_error(npy(header("<f4", "(-1,)"))), "expected a non-negative integer", "a.npy");
  check_error(npy_error(npy(header("<f4", "(99999999999999999999,)"))), "dimension too large", "a.npy");
  check_error(npy_error(npy("{'descr': '<f4', 'shape': (2,)}", f4x2)), "missing key 'fortran_order'",
              "a.npy");
  check_error(npy_error(npy("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", f4x2)),
              "key 'descr' appears twice", "a.npy");
  check_error(npy_error(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}", f4x2)),
              "unexpected key 'extra'", "a.npy");
  check_error(npy_error(npy("{'descr': '<f4' 'fortran_order': False, 'shape': (2,)}", f4x2)),
              "expected ',' or '}'", "a.npy");
  check_error(npy_error(npy("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}", f4x2)),
              "must be True or False", "a.npy");
  check_error(npy_error(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} x", f4x2)),
              "unexpected text after the closing '}'", "a.npy");
  check_error(npy_error(npy("{'descr': '<f4")), "unterminated string", "a.npy");
  check_error(npy_error(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,")),
              "malformed .npy header", "a.npy");
  // Header length pointing past the end of the file, and a file cut in the preamble.
  std::string cut = npy(header("<f4", "(2,)"), f4x2).substr(0, 30);
  check_error(npy_error(cut), "the file has only", "a.npy");
  check_error(npy_error(std::string("\x93NUMPY\x02\x00\x10", 9)), "truncated inside its header length",
              "a.npy");

  // Every prefix of a valid file fails cleanly.
  std::string good = serialize_npy(Tensor::from_vector<float>({1, 2, 3}, {3}));
  for (size_t len = 0; len < good.size(); ++len) CHECK_THROWS_AS(parse_npy(good.data(), len), Error);
}

TEST_CASE("npy: files", "[tensor_io]") {
  TempDir dir;
  std::string missing = dir.file("missing.npy");
  try {
    read_npy(missing);
    FAIL("read a missing file");
  } catch (const Error& e) {
    check_error(e, "cannot open file", missing);
  }
  std::string bad = dir.file("bad.npy");
  write_file(bad, npy(header("<f4", "(2,)"), "abc"));
  try {
    read_tensor_file(bad);
    FAIL("read a truncated file");
  } catch (const Error& e) {
    check_error(e, "file truncated", bad);
  }
  CHECK_THROWS_WITH(write_npy(dir.file("s.npy"), Tensor::from_vector<std::string>({"a"}, {1})),
                    Contains("string tensors cannot be stored in a .npy file"));
  CHECK_THROWS_WITH(write_npy(dir.file("b.npy"), Tensor(DType::BFloat16, {2})), Contains("bfloat16"));
  try {
    read_tensor_file(dir.file("x.txt"));
    FAIL("read a .txt file");
  } catch (const Error& e) {
    check_error(e, "unknown tensor file type '.txt'", dir.file("x.txt"));
  }
  // Extensions are matched without regard to case.
  write_npy(dir.file("t.NPY"), Tensor::scalar<int64_t>(5));
  CHECK(read_tensor_file(dir.file("t.NPY")).data<int64_t>()[0] == 5);
}

TEST_CASE("TensorProto: the narrow types (float8, packed 4- and 2-bit) from raw_data and int32_data", "[io][narrow]") {
  using TP = onnx::TensorProto;
  // int4: two per byte, low nibble first; 3 elements take 2 bytes.
  TP p;
  p.set_data_type(22);  // INT4 (the system onnx.proto predates the narrow types)
  p.add_dims(3);
  p.set_raw_data(std::string("\x7f\x08", 2));  // 0xf, 0x7 | 0x8 (padding bits set)
  Tensor t = parse_proto(p);
  REQUIRE(t.dtype() == DType::Int4);
  REQUIRE(t.nbytes() == 2);
  CHECK(packed_int_value(DType::Int4, t.raw_data(), 0) == -1);
  CHECK(packed_int_value(DType::Int4, t.raw_data(), 1) == 7);
  CHECK(packed_int_value(DType::Int4, t.raw_data(), 2) == -8);
  CHECK(static_cast<const uint8_t*>(t.raw_data())[1] == 0x08);
  // The same in int32_data: one byte (two elements) per value.
  p.clear_raw_data();
  p.add_int32_data(0x7f);
  p.add_int32_data(0x08);
  Tensor t2 = parse_proto(p);
  CHECK(std::memcmp(t.raw_data(), t2.raw_data(), 2) == 0);
  // A wrong byte count, and a value that is not a byte.
  p.add_int32_data(0);
  check_error(pb_error(p), "int32_data has 3 values, expected 2", "t.pb");
  p.clear_int32_data();
  p.add_int32_data(0x7f);
  p.add_int32_data(300);
  check_error(pb_error(p), "not a int4 packed byte", "t.pb");
  // uint2: four per byte; 5 elements take 2 bytes. The padding bits of the last byte are cleared.
  TP q;
  q.set_data_type(25);  // UINT2
  q.add_dims(5);
  q.set_raw_data(std::string("\xe4\xff", 2));  // 0,1,2,3 | 3 + padding
  Tensor u = parse_proto(q);
  for (int i = 0; i < 4; ++i) CHECK(packed_int_value(DType::UInt2, u.raw_data(), i) == i);
  CHECK(packed_int_value(DType::UInt2, u.raw_data(), 4) == 3);
  CHECK(static_cast<const uint8_t*>(u.raw_data())[1] == 0x03);
  q.set_raw_data(std::string("\xe4", 1));
  check_error(pb_error(q), "raw_data has 1 bytes, expected 2", "t.pb");
  // float8: one element per byte or per int32_data value.
  TP f;
  f.set_data_type(17);  // FLOAT8E4M3FN
  f.add_dims(2);
  f.add_int32_data(0x38);
  f.add_int32_data(0xfe);
  Tensor g = parse_proto(f);
  CHECK(narrow_element_value(DType::Float8E4M3FN, g.raw_data(), 0) == 1.0);
  CHECK(narrow_element_value(DType::Float8E4M3FN, g.raw_data(), 1) == -448.0);
  // Written back as raw_data and read again: the same bytes, for every narrow type.
  TempDir dir;
  for (DType d : {DType::Float8E4M3FN, DType::Float8E4M3FNUZ, DType::Float8E5M2, DType::Float8E5M2FNUZ, DType::UInt4,
                  DType::Int4, DType::Float4E2M1, DType::Float8E8M0, DType::UInt2, DType::Int2}) {
    INFO(dtype_name(d));
    Tensor x(d, {3, 3});
    CHECK(x.nbytes() == dtype_nbytes(d, 9));
    for (size_t i = 0; i < x.nbytes(); ++i) static_cast<uint8_t*>(x.raw_data())[i] = static_cast<uint8_t>(37 * i + 5);
    if (dtype_is_packed(d)) static_cast<uint8_t*>(x.raw_data())[x.nbytes() - 1] &= static_cast<uint8_t>((1u << (9 * dtype_bits(d) % 8)) - 1);
    std::string path = dir.file("x.pb");
    write_tensor_pb(path, x, "x");
    check_same(read_tensor_pb(path), x);
    // .npy has no such dtypes.
    REQUIRE_THROWS_WITH(serialize_npy(x), Contains(".pb TensorProto"));
  }
}

TEST_CASE("dtype sizes: packed types never overflow a byte count", "[io][narrow]") {
  CHECK(dtype_size(DType::Int4) == 0);
  CHECK(dtype_bits(DType::Int4) == 4);
  CHECK(dtype_nbytes(DType::Int4, 7) == 4);
  CHECK(dtype_nbytes(DType::Int2, 9) == 3);
  CHECK(dtype_nbytes(DType::Float8E5M2, 9) == 9);
  CHECK(dtype_nbytes(DType::Int2, INT64_MAX) == static_cast<size_t>(INT64_MAX / 4 + 1));
  CHECK(dtype_nbytes(DType::Int64, INT64_MAX) == SIZE_MAX);
  CHECK(dtype_nbytes(DType::String, 5) == 0);
  CHECK(*dtype_from_onnx(22) == DType::Int4);
  CHECK(dtype_name(DType::Float8E4M3FNUZ) == "float8e4m3fnuz");
  CHECK(!dtype_from_onnx(27));  // float6: not supported
}
