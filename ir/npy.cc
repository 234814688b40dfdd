// NumPy .npy files (format versions 1.0, 2.0 and 3.0): little-endian numeric arrays in C
// order. The float8, float4 and 2/4-bit integer types have no .npy dtype (NumPy writes
// ml_dtypes arrays as untyped 'V1'), so they are refused both ways with a pointer to .pb. The header is a Python dict literal, parsed strictly here: exactly the keys
// 'descr', 'fortran_order' and 'shape', nothing after the closing brace but whitespace.
#include <cstring>
#include <string_view>

#include "onnxi/io.h"
#include "ir/file_util.h"

namespace onnxi {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;

[[noreturn]] void fail(const std::string& what, const std::string& message) {
  ErrorContext ctx;
  ctx.file = what;
  throw Error(Stage::Io, message, ctx);
}

struct NpyHeader {
  DType dtype = DType::Undefined;
  Shape shape;
  bool fortran_order = false;
};

// The dtype a descr such as '<f4' or '|b1' names. Big-endian multi-byte data, object
// (pickled) arrays and non-numeric kinds are errors.
DType dtype_from_descr(const std::string& descr, const std::string& what) {
  if (descr.size() < 2) fail(what, "malformed .npy header: dtype '" + descr + "' is not a type descriptor");
  char order = descr[0];
  char kind = descr[1];
  if (order != '<' && order != '>' && order != '|' && order != '=')
    fail(what, "malformed .npy header: dtype '" + descr + "' has no byte-order character");
  if (kind == 'O')
    fail(what, ".npy file holds Python objects (dtype '" + descr + "', pickled); not supported");
  std::string_view size_text(descr.data() + 2, descr.size() - 2);
  int size = 0;
  if (size_text.empty() || size_text.size() > 2) size = -1;
  for (char c : size_text) {
    if (c < '0' || c > '9') size = -1;
    if (size >= 0) size = size * 10 + (c - '0');
  }
  DType dt = DType::Undefined;
  switch (kind) {
    case 'f':
      dt = size == 2 ? DType::Float16 : size == 4 ? DType::Float : size == 8 ? DType::Double : dt;
      break;
    case 'i':
      dt = size == 1   ? DType::Int8
           : size == 2 ? DType::Int16
           : size == 4 ? DType::Int32
           : size == 8 ? DType::Int64
                       : dt;
      break;
    case 'u':
      dt = size == 1   ? DType::UInt8
           : size == 2 ? DType::UInt16
           : size == 4 ? DType::UInt32
           : size == 8 ? DType::UInt64
                       : dt;
      break;
    case 'b':
      dt = size == 1 ? DType::Bool : dt;
      break;
    case 'c':
      dt = size == 8 ? DType::Complex64 : size == 16 ? DType::Complex128 : dt;
      break;
    case 'U':
    case 'S':
    case 'a':
      fail(what, ".npy string arrays (dtype '" + descr + "') are not supported");
    case 'V':
      fail(what, ".npy structured/void arrays (dtype '" + descr +
                     "') are not supported (NumPy saves ml_dtypes arrays such as float8 and int4 this "
                     "way, without their type: use a .pb TensorProto for those types)");
    case 'M':
    case 'm':
      fail(what, ".npy datetime arrays (dtype '" + descr + "') are not supported");
    default:
      break;
  }
  if (dt == DType::Undefined) fail(what, "unsupported .npy dtype '" + descr + "'");
  if (order == '>' && dtype_size(dt) > 1)
    fail(what, ".npy file is big-endian (dtype '" + descr + "'); only little-endian data is supported");
  return dt;
}

// Recursive-descent parser for the header dict.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& what) : s_(text), what_(what) {}

  NpyHeader parse() {
    NpyHeader h;
    bool has_descr = false, has_fortran = false, has_shape = false;
    skip_ws();
    expect('{');
    skip_ws();
    while (!eat('}')) {
      std::string key = parse_string();
      skip_ws();
      expect(':');
      skip_ws();
      if (key == "descr") {
        if (has_descr) bad("key 'descr' appears twice");
        has_descr = true;
        if (peek() == '[') fail(what_, ".npy structured dtypes are not supported");
        h.dtype = dtype_from_descr(parse_string(), what_);
      } else if (key == "fortran_order") {
        if (has_fortran) bad("key 'fortran_order' appears twice");
        has_fortran = true;
        h.fortran_order = parse_bool();
      } else if (key == "shape") {
        if (has_shape) bad("key 'shape' appears twice");
        has_shape = true;
        h.shape = parse_shape();
      } else {
        bad("unexpected key '" + key + "'");
      }
      skip_ws();
      if (eat(',')) {
        skip_ws();
      } else if (peek() != '}') {
        bad("expected ',' or '}' after the value of '" + key + "'");
      }
    }
    skip_ws();
    if (pos_ != s_.size()) bad("unexpected text after the closing '}'");
    if (!has_descr || !has_fortran || !has_shape)
      bad(std::string("missing key '") +
          (!has_descr     ? "descr"
           : !has_fortran ? "fortran_order"
                          : "shape") +
          "'");
    return h;
  }

 private:
  [[noreturn]] void bad(const std::string& why) const { fail(what_, "malformed .npy header: " + why); }
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  bool eat(char c) {
    if (peek() != c || pos_ >= s_.size()) return false;
    ++pos_;
    return true;
  }
  void expect(char c) {
    if (!eat(c)) bad(std::string("expected '") + c + "' at offset " + std::to_string(pos_));
  }
  void skip_ws() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
      ++pos_;
  }
  std::string parse_string() {
    char q = peek();
    if (q != '\'' && q != '"') bad("expected a quoted string at offset " + std::to_string(pos_));
    ++pos_;
    size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] != q) {
      if (s_[pos_] == '\\') bad("escape sequences are not supported in strings");
      ++pos_;
    }
    if (pos_ >= s_.size()) bad("unterminated string");
    std::string out(s_.substr(start, pos_ - start));
    ++pos_;
    return out;
  }
  bool parse_bool() {
    if (s_.substr(pos_, 4) == "True") {
      pos_ += 4;
      return true;
    }
    if (s_.substr(pos_, 5) == "False") {
      pos_ += 5;
      return false;
    }
    bad("'fortran_order' must be True or False");
  }
  int64_t parse_int() {
    size_t start = pos_;
    int64_t v = 0;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
      int digit = s_[pos_] - '0';
      if (v > (INT64_MAX - digit) / 10) bad("dimension too large");
      v = v * 10 + digit;
      ++pos_;
    }
    if (pos_ == start) bad("expected a non-negative integer in 'shape' at offset " + std::to_string(pos_));
    eat('L');  // Python 2 long literals
    return v;
  }
  Shape parse_shape() {
    Shape shape;
    expect('(');
    skip_ws();
    while (!eat(')')) {
      shape.push_back(parse_int());
      skip_ws();
      if (eat(',')) {
        skip_ws();
      } else if (peek() != ')') {
        bad("expected ',' or ')' in 'shape'");
      }
    }
    return shape;
  }

  std::string_view s_;
  size_t pos_ = 0;
  const std::string& what_;
};

uint32_t read_le(const unsigned char* p, size_t n) {
  uint32_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= static_cast<uint32_t>(p[i]) << (8 * i);
  return v;
}

const char* descr_for(DType dt) {
  switch (dt) {
    case DType::Float:
      return "<f4";
    case DType::Double:
      return "<f8";
    case DType::Float16:
      return "<f2";
    case DType::Int8:
      return "|i1";
    case DType::UInt8:
      return "|u1";
    case DType::Int16:
      return "<i2";
    case DType::UInt16:
      return "<u2";
    case DType::Int32:
      return "<i4";
    case DType::UInt32:
      return "<u4";
    case DType::Int64:
      return "<i8";
    case DType::UInt64:
      return "<u8";
    case DType::Bool:
      return "|b1";
    case DType::Complex64:
      return "<c8";
    case DType::Complex128:
      return "<c16";
    case DType::BFloat16:  // NumPy has no bfloat16 type, nor any of the narrow types below
    case DType::Float8E4M3FN:
    case DType::Float8E4M3FNUZ:
    case DType::Float8E5M2:
    case DType::Float8E5M2FNUZ:
    case DType::Float8E8M0:
    case DType::Float4E2M1:
    case DType::UInt4:
    case DType::Int4:
    case DType::UInt2:
    case DType::Int2:
    case DType::String:
    case DType::Undefined:
      break;
  }
  return nullptr;
}

}  // namespace

Tensor parse_npy(const void* data, size_t size, const std::string& what) {
  const auto* p = static_cast<const unsigned char*>(data);
  if (size < kMagicSize + 2 || std::memcmp(p, kMagic, kMagicSize) != 0)
    fail(what, "not a .npy file (bad magic; expected \\x93NUMPY)");
  unsigned major = p[6], minor = p[7];
  if ((major != 1 && major != 2 && major != 3) || minor != 0)
    fail(what, "unsupported .npy format version " + std::to_string(major) + "." + std::to_string(minor));
  size_t len_bytes = major == 1 ? 2 : 4;
  size_t preamble = kMagicSize + 2 + len_bytes;
  if (size < preamble) fail(what, ".npy file is truncated inside its header length");
  size_t header_len = read_le(p + kMagicSize + 2, len_bytes);
  if (header_len > size - preamble)
    fail(what, ".npy header claims " + std::to_string(header_len) + " bytes, but the file has only " +
                   std::to_string(size - preamble) + " after the preamble");
  std::string_view text(reinterpret_cast<const char*>(p + preamble), header_len);
  NpyHeader h = HeaderParser(text, what).parse();
  if (h.fortran_order)
    fail(what, ".npy array is in Fortran order (fortran_order: True); only C order is supported");

  size_t es = dtype_size(h.dtype);
  int64_t numel = 1;
  for (int64_t d : h.shape) {
    if (d != 0 && numel > INT64_MAX / d) fail(what, ".npy shape " + shape_to_string(h.shape) + " overflows");
    numel *= d;
  }
  if (numel > INT64_MAX / static_cast<int64_t>(es))
    fail(what, ".npy shape " + shape_to_string(h.shape) + " overflows");
  size_t expected = static_cast<size_t>(numel) * es;
  size_t have = size - preamble - header_len;
  if (have != expected)
    fail(what, ".npy data has " + std::to_string(have) + " bytes, expected " + std::to_string(expected) +
                   " for " + std::string(dtype_name(h.dtype)) + " " + shape_to_string(h.shape) +
                   (have < expected ? " (file truncated)" : " (trailing bytes)"));

  Tensor t(h.dtype, h.shape);
  if (expected) std::memcpy(t.raw_data(), p + preamble + header_len, expected);
  detail::little_endian_to_host(t.raw_data(), expected, h.dtype);
  if (h.dtype == DType::Bool) {
    auto* b = static_cast<unsigned char*>(t.raw_data());
    for (size_t i = 0; i < expected; ++i) b[i] = b[i] != 0;  // only 0/1 are valid bools
  }
  return t;
}

Tensor read_npy(const std::string& path) {
  detail::FileBytes bytes = detail::read_whole_file(path, Stage::Io);
  return parse_npy(bytes.get(), bytes.size, path);
}

std::string serialize_npy(const Tensor& t) {
  if (!t.is_tensor())
    throw Error(Stage::Io, std::string("a ") + kind_name(t.kind()) +
                               " cannot be stored in a .npy file (write it as .pb)");
  const char* descr = descr_for(t.dtype());
  if (!descr)
    throw Error(Stage::Io, std::string(dtype_name(t.dtype())) + " tensors cannot be stored in a .npy file" +
                               (dtype_bits(t.dtype()) && dtype_bits(t.dtype()) <= 8
                                    ? " (NumPy has no such dtype; write a .pb TensorProto instead)"
                                    : ""));
  std::string shape = "(";
  for (size_t i = 0; i < t.rank(); ++i) {
    if (i) shape += ", ";
    shape += std::to_string(t.dim(i));
  }
  if (t.rank() == 1) shape += ",";
  shape += ")";
  std::string header =
      std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad with spaces and end with '\n' so the data starts 64-byte aligned, as NumPy does.
  size_t preamble = kMagicSize + 2 + 2;
  size_t total = (preamble + header.size() + 1 + 63) / 64 * 64;
  unsigned major = 1;
  if (total - preamble > 65535) {
    major = 2;
    preamble = kMagicSize + 2 + 4;
    total = (preamble + header.size() + 1 + 63) / 64 * 64;
  }
  header.append(total - preamble - header.size() - 1, ' ');
  header += '\n';
  size_t header_len = header.size();

  std::string out(kMagic, kMagicSize);
  out += static_cast<char>(major);
  out += '\0';
  for (size_t i = 0; i < preamble - kMagicSize - 2; ++i)
    out += static_cast<char>((header_len >> (8 * i)) & 0xff);
  out += header;
  size_t data_at = out.size();
  out.append(t.nbytes(), '\0');
  if (t.nbytes()) std::memcpy(out.data() + data_at, t.raw_data(), t.nbytes());
  detail::little_endian_to_host(out.data() + data_at, t.nbytes(), t.dtype());
  return out;
}

void write_npy(const std::string& path, const Tensor& t) {
  std::string bytes;
  try {
    bytes = serialize_npy(t);
  } catch (const Error& e) {
    ErrorContext ctx;
    ctx.file = path;
    throw e.with_context(ctx);
  }
  detail::write_whole_file(path, bytes, Stage::Io);
}

}  // namespace onnxi
