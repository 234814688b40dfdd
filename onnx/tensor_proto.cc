#include "onnx/tensor_proto.h"

#include <google/protobuf/io/coded_stream.h>
#include <onnx/onnx-data_pb.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <filesystem>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

#include "onnxi/io.h"
#include "ir/file_util.h"

namespace onnxi::detail {

namespace fs = std::filesystem;

static_assert(sizeof(bool) == 1, "bool tensors are stored one byte per element");

namespace {

// Names the tensor in every message and throws with the caller's stage and file.
struct Reporter {
  const TensorReadOptions& options;
  std::string label;

  [[noreturn]] void fail(const std::string& message) const {
    ErrorContext ctx;
    ctx.file = options.file;
    throw Error(options.stage, printable(label + ": " + message), ctx);
  }
};

std::string tensor_label(const std::string& kind, const std::string& name) {
  return name.empty() ? "unnamed " + kind : kind + " '" + printable(name, 200) + "'";
}

std::string describe(DType dtype, const Shape& shape) {
  return std::string(dtype_name(dtype)) + " " + shape_to_string(shape);
}

// Element count of `shape`, rejecting negative dims, overflow and tensors over the byte
// limit. Checked before anything is allocated.
int64_t checked_numel(const Shape& shape, DType dtype, const Reporter& r) {
  for (int64_t d : shape)
    if (d < 0) r.fail("negative dimension " + std::to_string(d) + " in dims " + shape_to_string(shape));
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d != 0 && n > INT64_MAX / d) r.fail("dims " + shape_to_string(shape) + " have too many elements");
    n *= d;
  }
  int64_t limit = r.options.max_tensor_bytes;
  const size_t bytes = dtype_nbytes(dtype, n);  // SIZE_MAX when it overflows
  if (bytes > static_cast<size_t>(limit)) {
    std::string size = bytes != SIZE_MAX ? "is " + std::to_string(bytes) + " bytes"
                                         : "has " + std::to_string(n) + " elements";
    r.fail(describe(dtype, shape) + " " + size + ", more than the limit of " + std::to_string(limit) +
           " bytes");
  }
  return n;
}

DType checked_dtype(const onnx::TensorProto& p, const Reporter& r) {
  if (!p.has_data_type() || p.data_type() == onnx::TensorProto::UNDEFINED) r.fail("data_type is not set");
  auto dt = dtype_from_onnx(p.data_type());
  if (!dt) r.fail("unsupported data_type " + std::to_string(p.data_type()));
  return *dt;
}

// The typed field that holds values of `dtype`, and how many values one element takes.
const char* typed_field_for(DType dtype, int* per_element) {
  *per_element = 1;
  switch (dtype) {
    case DType::Float:
      return "float_data";
    case DType::Complex64:
      *per_element = 2;
      return "float_data";
    case DType::Double:
      return "double_data";
    case DType::Complex128:
      *per_element = 2;
      return "double_data";
    case DType::Int64:
      return "int64_data";
    case DType::UInt32:
    case DType::UInt64:
      return "uint64_data";
    case DType::String:
      return "string_data";
    default:
      return "int32_data";  // int8/16/32, uint8/16, bool, float16, bfloat16, float8, packed types
  }
}

struct FieldCount {
  const char* name;
  int64_t count;
};

std::vector<FieldCount> typed_field_counts(const onnx::TensorProto& p) {
  return {{"float_data", p.float_data_size()},   {"int32_data", p.int32_data_size()},
          {"string_data", p.string_data_size()}, {"int64_data", p.int64_data_size()},
          {"double_data", p.double_data_size()}, {"uint64_data", p.uint64_data_size()}};
}

// Copies `src` into `dst`, checking every value fits the element type.
template <class Dst, class Src>
void fill_checked(Dst* dst, const google::protobuf::RepeatedField<Src>& src, const char* field, DType dtype,
                  const Reporter& r) {
  for (int i = 0; i < src.size(); ++i) {
    Src v = src.Get(i);
    if (!std::in_range<Dst>(v))
      r.fail(std::string(field) + "[" + std::to_string(i) + "] = " + std::to_string(v) +
             " is out of range for " + std::string(dtype_name(dtype)));
    dst[i] = static_cast<Dst>(v);
  }
}

// Bit patterns in int32_data: float16/bfloat16 (normally 0..65535) and float8 or bytes of
// packed 2/4-bit elements (0..255). The sign-extended form of an int16 (int8) is accepted
// too since some writers produce it.
template <class Bits>
void fill_bits(Bits* dst, const google::protobuf::RepeatedField<int32_t>& src, DType dtype, const Reporter& r) {
  constexpr int32_t lo = std::numeric_limits<std::make_signed_t<Bits>>::min(), hi = std::numeric_limits<Bits>::max();
  for (int i = 0; i < src.size(); ++i) {
    int32_t v = src.Get(i);
    if (v < lo || v > hi)
      r.fail("int32_data[" + std::to_string(i) + "] = " + std::to_string(v) + " is not a " +
             std::string(dtype_name(dtype)) + (dtype_is_packed(dtype) ? " packed byte" : " bit pattern"));
    dst[i] = static_cast<Bits>(v & hi);
  }
}

// Zeroes the unused high bits of a packed tensor's last byte, so equal tensors have equal bytes.
void clear_packed_padding(Tensor& t) {
  const size_t bits = dtype_bits(t.dtype());
  const size_t used = static_cast<size_t>(t.numel()) * bits % 8;
  if (used && t.nbytes()) static_cast<uint8_t*>(t.raw_data())[t.nbytes() - 1] &= static_cast<uint8_t>((1u << used) - 1);
}

template <class T>
void fill_same(T* dst, const google::protobuf::RepeatedField<T>& src) {
  if (src.size() > 0) std::memcpy(dst, src.data(), sizeof(T) * static_cast<size_t>(src.size()));
}

Tensor from_typed_fields(const onnx::TensorProto& p, DType dtype, const Shape& shape, int64_t numel,
                         const Reporter& r) {
  int per_element = 1;
  const char* field = typed_field_for(dtype, &per_element);
  int64_t have = 0;
  for (const auto& f : typed_field_counts(p)) {
    if (std::strcmp(f.name, field) == 0)
      have = f.count;
    else if (f.count > 0)
      r.fail("stores its values in " + std::string(f.name) + ", but " + std::string(dtype_name(dtype)) +
             " tensors use " + field);
  }
  // Packed sub-byte types keep one byte (2 or 4 elements) per int32_data value.
  int64_t want = dtype_is_packed(dtype) ? static_cast<int64_t>(dtype_nbytes(dtype, numel)) : numel * per_element;
  if (have != want)
    r.fail(std::string(field) + " has " + std::to_string(have) + " values, expected " + std::to_string(want) +
           " for " + describe(dtype, shape));

  Tensor t(dtype, shape);
  void* d = t.raw_data();
  switch (dtype) {
    case DType::Float:
    case DType::Complex64:
      fill_same(static_cast<float*>(d), p.float_data());
      break;
    case DType::Double:
    case DType::Complex128:
      fill_same(static_cast<double*>(d), p.double_data());
      break;
    case DType::Int64:
      fill_same(static_cast<int64_t*>(d), p.int64_data());
      break;
    case DType::Int32:
      fill_same(static_cast<int32_t*>(d), p.int32_data());
      break;
    case DType::UInt64:
      fill_same(static_cast<uint64_t*>(d), p.uint64_data());
      break;
    case DType::UInt32:
      fill_checked(static_cast<uint32_t*>(d), p.uint64_data(), field, dtype, r);
      break;
    case DType::Int16:
      fill_checked(static_cast<int16_t*>(d), p.int32_data(), field, dtype, r);
      break;
    case DType::UInt16:
      fill_checked(static_cast<uint16_t*>(d), p.int32_data(), field, dtype, r);
      break;
    case DType::Int8:
      fill_checked(static_cast<int8_t*>(d), p.int32_data(), field, dtype, r);
      break;
    case DType::UInt8:
      fill_checked(static_cast<uint8_t*>(d), p.int32_data(), field, dtype, r);
      break;
    case DType::Float16:
    case DType::BFloat16:
      fill_bits(static_cast<uint16_t*>(d), p.int32_data(), dtype, r);
      break;
    case DType::Float8E4M3FN:
    case DType::Float8E4M3FNUZ:
    case DType::Float8E5M2:
    case DType::Float8E5M2FNUZ:
    case DType::Float8E8M0:
    case DType::UInt4:
    case DType::Int4:
    case DType::Float4E2M1:
    case DType::UInt2:
    case DType::Int2:
      fill_bits(static_cast<uint8_t*>(d), p.int32_data(), dtype, r);
      if (dtype_is_packed(dtype)) clear_packed_padding(t);
      break;
    case DType::Bool: {
      bool* b = static_cast<bool*>(d);
      for (int i = 0; i < p.int32_data_size(); ++i) b[i] = p.int32_data(i) != 0;
      break;
    }
    case DType::String: {
      auto& s = t.strings();
      for (int i = 0; i < p.string_data_size(); ++i) s[static_cast<size_t>(i)] = p.string_data(i);
      break;
    }
    case DType::Undefined:
      r.fail("data_type is not set");
  }
  return t;
}

// Bytes that are not 0 or 1 would be invalid C++ bools; any non-zero byte means true.
void normalize_bools(Tensor& t) {
  if (t.dtype() != DType::Bool) return;
  auto* p = static_cast<unsigned char*>(t.raw_data());
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = p[i] != 0;
}

// True when `full` is `base` or lies below it (component-wise, so /a/bc is not in /a/b).
bool is_within(const fs::path& base, const fs::path& full) {
  auto parts = [](const fs::path& p) {
    std::vector<std::string> out;
    for (const auto& c : p)
      if (!c.empty() && c != ".") out.push_back(c.string());
    return out;
  };
  auto b = parts(base), f = parts(full);
  return f.size() >= b.size() && std::equal(b.begin(), b.end(), f.begin());
}

// Parses a non-negative decimal integer (the only form external_data offsets take).
bool parse_size(const std::string& s, uint64_t* out) {
  if (s.empty() || s.size() > 19) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

Tensor from_external_data(const onnx::TensorProto& p, bool has_raw_data, DType dtype, const Shape& shape,
                          int64_t numel, const Reporter& r) {
  if (r.options.external_base_dir.empty())
    r.fail(
        "uses external data, which cannot be resolved without the model's directory "
        "(load the model from its file, or give a base directory)");
  if (dtype == DType::String) r.fail("string tensors cannot be stored as external data");
  if (has_raw_data) r.fail("has both raw_data and external data");
  std::string location;
  uint64_t offset = 0, length = 0;
  bool has_location = false, has_offset = false, has_length = false;
  for (const auto& kv : p.external_data()) {
    const std::string& key = kv.key();
    if (key == "location") {
      if (has_location) r.fail("external_data has 'location' twice");
      has_location = true;
      location = kv.value();
    } else if (key == "offset") {
      if (has_offset) r.fail("external_data has 'offset' twice");
      has_offset = true;
      if (!parse_size(kv.value(), &offset))
        r.fail("external data offset '" + kv.value() + "' is not a non-negative integer");
    } else if (key == "length") {
      if (has_length) r.fail("external_data has 'length' twice");
      has_length = true;
      if (!parse_size(kv.value(), &length))
        r.fail("external data length '" + kv.value() + "' is not a non-negative integer");
    }
    // Other keys ("checksum", ...) carry nothing needed to read the data.
  }
  if (location.empty()) r.fail("external data has no 'location'");

  fs::path rel(location);
  if (rel.is_absolute() || rel.has_root_name() || rel.has_root_directory())
    r.fail("external data location '" + location +
           "' is an absolute path; it must be relative to the model's directory");
  for (const auto& part : rel)
    if (part == "..") r.fail("external data location '" + location + "' may not contain '..'");

  fs::path full;
  try {
    fs::path base = fs::weakly_canonical(fs::absolute(r.options.external_base_dir));
    full = fs::weakly_canonical(base / rel);
    if (!is_within(base, full))
      r.fail("external data location '" + location + "' resolves to '" + full.string() +
             "', outside the model's directory");
  } catch (const fs::filesystem_error& e) {
    r.fail("cannot resolve external data location '" + location + "': " + e.code().message());
  }
  std::error_code ec;
  if (!fs::exists(full, ec)) r.fail("external data file '" + location + "' does not exist");

  size_t expected = dtype_nbytes(dtype, numel);
  uint64_t file_size = 0;
  try {
    file_size = regular_file_size(full.string(), r.options.stage);
  } catch (const Error& e) {
    r.fail("external data file '" + location + "': " + e.message());
  }
  if (offset > file_size)
    r.fail("external data offset " + std::to_string(offset) + " is beyond the end of '" + location + "' (" +
           std::to_string(file_size) + " bytes)");
  if (!has_length) length = file_size - offset;  // the rest of the file
  if (length != expected)
    r.fail("external data has " + std::to_string(length) + " bytes, expected " + std::to_string(expected) +
           " for " + describe(dtype, shape));
  if (length > file_size - offset)
    r.fail("external data range of " + std::to_string(length) + " bytes at offset " + std::to_string(offset) +
           " is beyond the end of '" + location + "' (" + std::to_string(file_size) + " bytes)");

  Tensor t = Tensor::uninitialized(dtype, shape);  // the read fills it or throws
  try {
    read_file_range(full.string(), offset, expected, t.raw_data(), r.options.stage);
  } catch (const Error& e) {
    r.fail("external data file '" + location + "': " + e.message());
  }
  little_endian_to_host(t.raw_data(), expected, dtype);
  normalize_bools(t);
  if (dtype_is_packed(dtype)) clear_packed_padding(t);
  return t;
}

// A tensor's raw_data: in memory, or `size` bytes that `read` copies out (for
// initializers the loader left out of the parse, see model_scan.h).
struct RawData {
  size_t size = 0;
  const char* bytes = nullptr;
  const std::function<void(void* dst)>* read = nullptr;
};

// `raw` is the tensor's raw_data, or null when it has none.
Tensor convert(const onnx::TensorProto& p, const RawData* raw, const Reporter& r) {
  if (p.has_segment()) r.fail("segmented tensors are not supported");
  DType dtype = checked_dtype(p, r);
  Shape shape(p.dims().begin(), p.dims().end());
  int64_t numel = checked_numel(shape, dtype, r);

  if (p.data_location() == onnx::TensorProto::EXTERNAL)
    return from_external_data(p, raw != nullptr, dtype, shape, numel, r);
  if (p.external_data_size() > 0) r.fail("has external_data entries but data_location is not EXTERNAL");

  if (raw) {
    if (dtype == DType::String) r.fail("string tensors cannot use raw_data; they use string_data");
    for (const auto& f : typed_field_counts(p))
      if (f.count > 0) r.fail("has both raw_data and " + std::string(f.name));
    size_t expected = dtype_nbytes(dtype, numel);
    if (raw->size != expected)
      r.fail("raw_data has " + std::to_string(raw->size) + " bytes, expected " + std::to_string(expected) +
             " for " + describe(dtype, shape));
    Tensor t = Tensor::uninitialized(dtype, shape);  // every byte is copied in below
    if (raw->read) {
      try {
        (*raw->read)(t.raw_data());
      } catch (const Error& e) {
        r.fail("cannot read raw_data: " + e.message());
      }
    } else if (expected) {
      std::memcpy(t.raw_data(), raw->bytes, expected);
    }
    little_endian_to_host(t.raw_data(), expected, dtype);
    normalize_bools(t);
    if (dtype_is_packed(dtype)) clear_packed_padding(t);
    return t;
  }
  return from_typed_fields(p, dtype, shape, numel, r);
}

Tensor convert(const onnx::TensorProto& p, const Reporter& r) {
  if (!p.has_raw_data()) return convert(p, nullptr, r);
  RawData raw{p.raw_data().size(), p.raw_data().data(), nullptr};
  return convert(p, &raw, r);
}

// Parses a serialized TensorProto without protobuf's default 64 MiB limit.
void parse_tensor_proto(const void* data, size_t size, onnx::TensorProto* p, const std::string& what) {
  ErrorContext ctx;
  ctx.file = what;
  if (size == 0) throw Error(Stage::Io, "tensor file is empty", ctx);
  if (size > static_cast<size_t>(INT_MAX))
    throw Error(Stage::Io, "tensor file is larger than 2 GiB, which protobuf cannot parse", ctx);
  google::protobuf::io::CodedInputStream in(static_cast<const uint8_t*>(data), static_cast<int>(size));
  in.SetTotalBytesLimit(INT_MAX);
  if (!p->ParseFromCodedStream(&in) || !in.ConsumedEntireMessage())
    throw Error(Stage::Io, "not a valid TensorProto (truncated, corrupt or not a .pb tensor file)", ctx);
}

// Parses a serialized message of type M without protobuf's default 64 MiB limit;
// false when the bytes are not a complete M.
template <class M>
bool parse_whole(const void* data, size_t size, M* m) {
  if (size > static_cast<size_t>(INT_MAX)) return false;
  google::protobuf::io::CodedInputStream in(static_cast<const uint8_t*>(data), static_cast<int>(size));
  in.SetTotalBytesLimit(INT_MAX);
  return m->ParseFromCodedStream(&in) && in.ConsumedEntireMessage();
}

// The ONNX test data stores sequences and optionals as SequenceProto/OptionalProto in
// .pb files too. Read as a TensorProto they turn into nonsense (the name becomes dims).
// Both share field numbers 1 (name) and 2 (elem_type), and the rest of their layout.
// TensorProto writers start with dims (0x08) or, for scalars, data_type (0x10); the ONNX
// writers of the other two start with the name (0x0a). Unnamed ones (starting with
// elem_type, 0x10) are only taken when the caller expects a sequence or optional.
bool looks_like_sequence_or_optional(const void* data, size_t size, bool allow_unnamed = false) {
  const auto* p = static_cast<const unsigned char*>(data);
  if (size == 0 || (p[0] != 0x0a && !(allow_unnamed && p[0] == 0x10))) return false;
  onnx::SequenceProto seq;
  if (!parse_whole(data, size, &seq)) return false;
  return seq.has_elem_type() && seq.elem_type() >= onnx::SequenceProto::UNDEFINED &&
         seq.elem_type() <= onnx::SequenceProto::OPTIONAL;
}

// A named MapProto (name first, then key_type, which as a SequenceProto's elem_type would
// be out of range) with integer or string keys.
bool looks_like_map(const void* data, size_t size) {
  const auto* p = static_cast<const unsigned char*>(data);
  if (size == 0 || p[0] != 0x0a || looks_like_sequence_or_optional(data, size)) return false;
  onnx::MapProto m;
  if (!parse_whole(data, size, &m) || !m.has_key_type() || !m.has_values()) return false;
  return m.key_type() == onnx::TensorProto::STRING || m.key_type() == onnx::TensorProto::INT64 ||
         m.key_type() == onnx::TensorProto::INT32;
}

class ContainerReader {
 public:
  ContainerReader(const TensorReadOptions& options, std::string what)
      : options_(options), what_(std::move(what)) {}

  Tensor sequence(const onnx::SequenceProto& s) const {
    const std::string label = "sequence '" + printable(s.name(), 200) + "'";
    int32_t elem = s.elem_type();
    if (!s.has_elem_type() || elem == onnx::SequenceProto::UNDEFINED) {
      if (s.tensor_values_size())
        elem = onnx::SequenceProto::TENSOR;
      else if (s.sparse_tensor_values_size())
        elem = onnx::SequenceProto::SPARSE_TENSOR;
    }
    const int other = s.sequence_values_size() + s.map_values_size() + s.optional_values_size();
    std::vector<Tensor> elements;
    switch (elem) {
      case onnx::SequenceProto::UNDEFINED:
        if (other) fail(label + " has values but no elem_type");
        break;
      case onnx::SequenceProto::TENSOR:
        if (other || s.sparse_tensor_values_size())
          fail(label + " holds values other than its tensor elements");
        for (const auto& t : s.tensor_values()) elements.push_back(tensor_from_proto(t, options_));
        break;
      case onnx::SequenceProto::SPARSE_TENSOR:
        if (other || s.tensor_values_size())
          fail(label + " holds values other than its sparse tensor elements");
        for (const auto& t : s.sparse_tensor_values())
          elements.push_back(sparse_tensor_to_dense(t, options_));
        break;
      case onnx::SequenceProto::SEQUENCE:
        fail(label + " holds sequences; nested sequences are not supported");
      case onnx::SequenceProto::MAP:
        if (s.tensor_values_size() || s.sparse_tensor_values_size() || s.sequence_values_size() ||
            s.optional_values_size())
          fail(label + " holds values other than its map elements");
        for (const auto& m : s.map_values()) elements.push_back(map(m));
        break;
      case onnx::SequenceProto::OPTIONAL:
        fail(label + " holds optionals, which are not supported");
      default:
        fail(label + " has unknown elem_type " + std::to_string(elem));
    }
    DType dtype = elements.empty() ? DType::Undefined : elements[0].dtype();
    for (size_t i = 1; i < elements.size(); ++i)
      if (elements[i].dtype() != dtype)
        fail(label + " element " + std::to_string(i) + " is " + std::string(dtype_name(elements[i].dtype())) +
             ", element 0 is " + std::string(dtype_name(dtype)));
    return Tensor::sequence(dtype, std::move(elements));
  }

  // A MapProto: integer or string keys; values a sequence of one-element tensors (as
  // onnx.numpy_helper.from_dict writes them), gathered into one 1-D tensor.
  Tensor map(const onnx::MapProto& m) const {
    const std::string label = "map '" + printable(m.name(), 200) + "'";
    const int32_t kt = m.key_type();
    Tensor keys;
    if (kt == onnx::TensorProto::STRING) {
      if (m.keys_size()) fail(label + " has string keys and integer keys");
      keys = Tensor(DType::String, {m.string_keys_size()});
      for (int i = 0; i < m.string_keys_size(); ++i) keys.strings()[static_cast<size_t>(i)] = m.string_keys(i);
    } else if (kt == onnx::TensorProto::INT64 || kt == onnx::TensorProto::INT32 || kt == onnx::TensorProto::INT16 ||
               kt == onnx::TensorProto::INT8 || kt == onnx::TensorProto::UINT64 || kt == onnx::TensorProto::UINT32 ||
               kt == onnx::TensorProto::UINT16 || kt == onnx::TensorProto::UINT8) {
      if (m.string_keys_size()) fail(label + " has integer keys and string keys");
      // Integer keys are kept as int64 (the only integer key type the ml operators use).
      keys = Tensor(DType::Int64, {m.keys_size()});
      for (int i = 0; i < m.keys_size(); ++i) keys.data<int64_t>()[i] = m.keys(i);
    } else {
      fail(label + " has key_type " + std::to_string(kt) + "; keys must be integers or strings");
    }
    Tensor seq = sequence(m.values());
    const std::vector<Tensor>& vals = seq.elements();
    if (static_cast<int64_t>(vals.size()) != keys.numel())
      fail(label + " has " + std::to_string(keys.numel()) + " keys but " + std::to_string(vals.size()) + " values");
    DType vt = vals.empty() ? DType::Float : vals[0].dtype();
    Tensor values(vt, {static_cast<int64_t>(vals.size())});
    for (size_t i = 0; i < vals.size(); ++i) {
      if (!vals[i].is_tensor() || vals[i].numel() != 1) fail(label + " value " + std::to_string(i) + " is not one element");
      if (vt == DType::String)
        values.strings()[i] = vals[i].strings()[0];
      else
        std::memcpy(static_cast<char*>(values.raw_data()) + i * dtype_size(vt), vals[i].raw_data(), dtype_size(vt));
    }
    return Tensor::map(std::move(keys), std::move(values));
  }

  Tensor optional(const onnx::OptionalProto& o) const {
    const std::string label = "optional '" + printable(o.name(), 200) + "'";
    const int values = o.has_tensor_value() + o.has_sparse_tensor_value() + o.has_sequence_value() +
                       o.has_map_value() + o.has_optional_value();
    if (values > 1) fail(label + " holds more than one value");
    switch (o.elem_type()) {
      case onnx::OptionalProto::UNDEFINED:
        if (values) fail(label + " has a value but no elem_type");
        return Tensor::none();
      case onnx::OptionalProto::TENSOR:
        if (values && !o.has_tensor_value())
          fail(label + " is of tensor type but holds another kind of value");
        return o.has_tensor_value() ? tensor_from_proto(o.tensor_value(), options_) : Tensor::none();
      case onnx::OptionalProto::SPARSE_TENSOR:
        if (values && !o.has_sparse_tensor_value())
          fail(label + " is of sparse tensor type but holds another kind of value");
        return o.has_sparse_tensor_value() ? sparse_tensor_to_dense(o.sparse_tensor_value(), options_)
                                           : Tensor::none();
      case onnx::OptionalProto::SEQUENCE:
        if (values && !o.has_sequence_value())
          fail(label + " is of sequence type but holds another kind of value");
        return o.has_sequence_value() ? sequence(o.sequence_value())
                                      : Tensor::none(DType::Undefined, Tensor::Kind::Sequence);
      case onnx::OptionalProto::MAP:
        fail(label + " holds a map, which is not supported");
      case onnx::OptionalProto::OPTIONAL:
        fail(label + " holds an optional; nested optionals are not supported");
      default:
        fail(label + " has unknown elem_type " + std::to_string(o.elem_type()));
    }
  }

  [[noreturn]] void fail(const std::string& message) const {
    ErrorContext ctx;
    ctx.file = what_;
    throw Error(Stage::Io, printable(message), ctx);
  }

 private:
  const TensorReadOptions& options_;
  std::string what_;
};

Tensor parse_container(const void* data, size_t size, std::string* name, PbKind kind,
                       const ContainerReader& reader) {
  if (kind == PbKind::Auto) {
    // The bytes do not say which of the two it is. An optional without a value, or holding
    // one sequence, is read as an optional (nested sequences are not supported anyway);
    // anything else as a sequence.
    onnx::SequenceProto seq;
    parse_whole(data, size, &seq);
    const bool empty = seq.tensor_values_size() + seq.sparse_tensor_values_size() +
                           seq.sequence_values_size() + seq.map_values_size() + seq.optional_values_size() ==
                       0;
    if ((seq.elem_type() == onnx::SequenceProto::UNDEFINED && empty) ||
        (seq.elem_type() == onnx::SequenceProto::SEQUENCE && seq.sequence_values_size() == 1))
      kind = PbKind::Optional;
    else
      kind = PbKind::Sequence;
  }
  if (kind == PbKind::Sequence) {
    onnx::SequenceProto seq;
    if (!parse_whole(data, size, &seq)) reader.fail("not a valid SequenceProto (truncated or corrupt)");
    if (name) *name = seq.name();
    return reader.sequence(seq);
  }
  onnx::OptionalProto opt;
  if (!parse_whole(data, size, &opt)) reader.fail("not a valid OptionalProto (truncated or corrupt)");
  if (name) *name = opt.name();
  return reader.optional(opt);
}

Tensor parse_tensor_pb_in(const void* data, size_t size, std::string* name, const std::string& what,
                          const std::string& base_dir, PbKind kind) {
  TensorReadOptions options;
  options.stage = Stage::Io;
  options.file = what;
  options.external_base_dir = base_dir;
  ContainerReader reader(options, what);
  if (size == 0) reader.fail("tensor file is empty");
  if (kind == PbKind::Map || (kind == PbKind::Auto && looks_like_map(data, size))) {
    onnx::MapProto m;
    if (!parse_whole(data, size, &m)) reader.fail("not a valid MapProto (truncated or corrupt)");
    if (name) *name = m.name();
    return reader.map(m);
  }
  if ((kind == PbKind::Sequence || kind == PbKind::Optional) &&
      looks_like_sequence_or_optional(data, size, true))
    return parse_container(data, size, name, kind, reader);
  onnx::TensorProto p;
  parse_tensor_proto(data, size, &p, what);
  try {
    if (!p.has_data_type()) reader.fail("not a TensorProto: it has no data_type");
    Tensor t = tensor_from_proto(p, options);
    if (name) *name = p.name();
    return t;
  } catch (const Error&) {
    if (!looks_like_sequence_or_optional(data, size)) throw;
    if (kind == PbKind::Tensor) {
      onnx::SequenceProto seq;
      parse_whole(data, size, &seq);
      reader.fail("file holds an ONNX SequenceProto or OptionalProto ('" + printable(seq.name(), 200) +
                  "'), not the TensorProto expected");
    }
    return parse_container(data, size, name, kind, reader);
  }
}

}  // namespace

std::string printable(std::string_view text, size_t max_bytes) {
  bool cut = text.size() > max_bytes;
  if (cut) {
    size_t n = max_bytes;
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xc0) == 0x80) --n;  // not mid-character
    text = text.substr(0, n);
  }
  std::string out;
  out.reserve(text.size() + (cut ? 3 : 0));
  static const char kHex[] = "0123456789abcdef";
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  if (cut) out += "...";
  return out;
}

Tensor tensor_from_proto(const onnx::TensorProto& proto, const TensorReadOptions& options) {
  Reporter r{options, tensor_label("tensor", proto.name())};
  return convert(proto, r);
}

Tensor tensor_from_proto(const onnx::TensorProto& proto, size_t raw_size,
                         const std::function<void(void* dst)>& read_raw, const TensorReadOptions& options) {
  Reporter r{options, tensor_label("tensor", proto.name())};
  if (proto.has_raw_data()) throw Error(Stage::Usage, "tensor_from_proto: the proto has raw_data already");
  RawData raw{raw_size, nullptr, &read_raw};
  return convert(proto, &raw, r);
}

Tensor sparse_tensor_to_dense(const onnx::SparseTensorProto& sp, const TensorReadOptions& options) {
  Reporter r{options, tensor_label("sparse tensor", sp.values().name())};
  if (!sp.has_values()) r.fail("has no values");
  Tensor values = convert(sp.values(), r);
  DType dtype = values.dtype();
  if (dtype_is_packed(dtype)) r.fail("sparse tensors of the packed type " + std::string(dtype_name(dtype)) + " are not supported");
  Shape shape(sp.dims().begin(), sp.dims().end());
  int64_t numel = checked_numel(shape, dtype, r);
  if (values.rank() != 1) r.fail("values must be 1-D, got " + shape_to_string(values.shape()));
  const int64_t nnz = values.numel();
  const int64_t rank = static_cast<int64_t>(shape.size());

  // Linear offset of every stored value in the dense tensor.
  std::vector<int64_t> offsets(static_cast<size_t>(nnz));
  if (nnz > 0) {
    if (!sp.has_indices()) r.fail("has " + std::to_string(nnz) + " values but no indices");
    Tensor idx = convert(sp.indices(), r);
    if (idx.dtype() != DType::Int64)
      r.fail("indices must be int64, got " + std::string(dtype_name(idx.dtype())));
    const int64_t* ix = idx.data<int64_t>();
    if (idx.rank() == 1 && idx.dim(0) == nnz) {
      for (int64_t k = 0; k < nnz; ++k) {
        if (ix[k] < 0 || ix[k] >= numel)
          r.fail("index " + std::to_string(ix[k]) + " is outside dense shape " + shape_to_string(shape));
        offsets[static_cast<size_t>(k)] = ix[k];
      }
    } else if (idx.rank() == 2 && idx.dim(0) == nnz && idx.dim(1) == rank) {
      for (int64_t k = 0; k < nnz; ++k) {
        int64_t off = 0;
        for (int64_t j = 0; j < rank; ++j) {
          int64_t c = ix[k * rank + j];
          if (c < 0 || c >= shape[static_cast<size_t>(j)])
            r.fail("index " + std::to_string(c) + " of value " + std::to_string(k) +
                   " is outside dense shape " + shape_to_string(shape));
          off = off * shape[static_cast<size_t>(j)] + c;
        }
        offsets[static_cast<size_t>(k)] = off;
      }
    } else {
      r.fail("indices have shape " + shape_to_string(idx.shape()) + ", expected [" + std::to_string(nnz) +
             "] or [" + std::to_string(nnz) + "," + std::to_string(rank) + "]");
    }
  }

  Tensor dense(dtype, shape);
  if (dtype == DType::String) {
    for (int64_t k = 0; k < nnz; ++k)
      dense.strings()[static_cast<size_t>(offsets[static_cast<size_t>(k)])] =
          values.strings()[static_cast<size_t>(k)];
  } else {
    size_t es = dtype_size(dtype);
    auto* dst = static_cast<unsigned char*>(dense.raw_data());
    const auto* src = static_cast<const unsigned char*>(values.raw_data());
    for (int64_t k = 0; k < nnz; ++k)
      std::memcpy(dst + static_cast<size_t>(offsets[static_cast<size_t>(k)]) * es,
                  src + static_cast<size_t>(k) * es, es);
  }
  return dense;
}

void tensor_to_proto(const Tensor& t, const std::string& name, onnx::TensorProto* p) {
  if (!t.defined()) throw Error(Stage::Io, "cannot write an undefined tensor");
  p->Clear();
  p->set_name(name);
  for (int64_t d : t.shape()) p->add_dims(d);
  p->set_data_type(static_cast<int32_t>(t.dtype()));
  if (t.dtype() == DType::String) {
    for (const auto& s : t.strings()) p->add_string_data(s);
    return;
  }
  std::string* raw = p->mutable_raw_data();
  if (t.nbytes()) raw->assign(static_cast<const char*>(t.raw_data()), t.nbytes());
  little_endian_to_host(raw->data(), raw->size(), t.dtype());
}

void map_to_proto(const Tensor& t, const std::string& name, onnx::MapProto* p);

// A sequence of tensors or of maps.
void sequence_to_proto(const Tensor& t, const std::string& name, onnx::SequenceProto* p) {
  p->set_name(name);
  const auto& els = t.elements();
  bool maps = !els.empty() && els[0].is_map();
  p->set_elem_type(els.empty() || !maps ? onnx::SequenceProto::TENSOR : onnx::SequenceProto::MAP);
  for (const Tensor& e : els) {
    if (e.is_map() != maps || !(e.is_tensor() || e.is_map()))
      throw Error(Stage::Io, "only sequences of tensors or of maps can be written");
    if (maps)
      map_to_proto(e, "", p->add_map_values());
    else
      tensor_to_proto(e, "", p->add_tensor_values());
  }
}

void map_to_proto(const Tensor& t, const std::string& name, onnx::MapProto* p) {
  p->set_name(name);
  const Tensor& keys = t.map_keys();
  const Tensor& vals = t.map_values();
  p->set_key_type(static_cast<int32_t>(keys.dtype() == DType::String ? DType::String : DType::Int64));
  for (int64_t i = 0; i < keys.numel(); ++i) {
    if (keys.dtype() == DType::String)
      p->add_string_keys(keys.strings()[static_cast<size_t>(i)]);
    else
      p->add_keys(keys.dtype() == DType::Int64 ? keys.data<int64_t>()[i] : 0);
  }
  if (keys.dtype() != DType::String && keys.dtype() != DType::Int64)
    throw Error(Stage::Io, "only maps with int64 or string keys can be written");
  onnx::SequenceProto* seq = p->mutable_values();
  seq->set_elem_type(onnx::SequenceProto::TENSOR);
  size_t es = vals.dtype() == DType::String ? 0 : dtype_size(vals.dtype());
  for (int64_t i = 0; i < vals.numel(); ++i) {
    Tensor v(vals.dtype(), {});
    if (es)
      std::memcpy(v.raw_data(), static_cast<const char*>(vals.raw_data()) + static_cast<size_t>(i) * es, es);
    else
      v.strings()[0] = vals.strings()[static_cast<size_t>(i)];
    tensor_to_proto(v, "", seq->add_tensor_values());
  }
}

}  // namespace onnxi::detail

namespace onnxi {

Tensor read_tensor_pb(const std::string& path, std::string* name, PbKind kind) {
  detail::FileBytes bytes = detail::read_whole_file(path, Stage::Io, static_cast<size_t>(INT_MAX));
  std::string dir = std::filesystem::path(path).parent_path().string();
  return detail::parse_tensor_pb_in(bytes.get(), bytes.size, name, path, dir.empty() ? "." : dir, kind);
}

Tensor parse_tensor_pb(const void* data, size_t size, std::string* name, const std::string& what,
                       PbKind kind) {
  return detail::parse_tensor_pb_in(data, size, name, what, "", kind);
}

void write_tensor_pb(const std::string& path, const Tensor& t, const std::string& name) {
  // A TensorProto, or for a sequence a SequenceProto and for a map a MapProto.
  onnx::TensorProto p;
  onnx::SequenceProto seq;
  onnx::MapProto map;
  google::protobuf::MessageLite* msg = &p;
  try {
    if (t.is_sequence()) {
      detail::sequence_to_proto(t, name, &seq);
      msg = &seq;
    } else if (t.is_map()) {
      detail::map_to_proto(t, name, &map);
      msg = &map;
    } else {
      if (t.is_none()) throw Error(Stage::Io, "an empty optional cannot be written as a .pb file");
      detail::tensor_to_proto(t, name, &p);
    }
  } catch (const Error& e) {
    throw e.with_context(ErrorContext{path, {}, {}, {}, 0});
  }
  std::string bytes;
  if (!msg->SerializeToString(&bytes)) {
    ErrorContext ctx;
    ctx.file = path;
    throw Error(Stage::Io, "cannot serialize tensor '" + name + "' (larger than 2 GiB?)", ctx);
  }
  detail::write_whole_file(path, bytes, Stage::Io);
}

}  // namespace onnxi
