#include "onnxi/element.h"

#include <bit>
#include <cmath>
#include <limits>

namespace onnxi {

namespace {

// A small binary floating-point format: 1 sign bit, `exp` exponent bits, `man` mantissa
// bits, and how it spells infinity and NaN.
enum class Specials {
  Ieee,      // E5M2: all-ones exponent is inf (mantissa 0) or NaN
  FnAllOnes, // E4M3FN: no inf; S.1111.111 is NaN
  Fnuz,      // E4M3FNUZ, E5M2FNUZ: no inf, no -0; 0x80 is the one NaN
  None       // E2M1: neither inf nor NaN
};
struct Format {
  int exp, man, bias;
  Specials specials;
  uint8_t max_code;  // largest finite positive value
};

const Format* format_of(DType t) {
  static constexpr Format e4m3fn{4, 3, 7, Specials::FnAllOnes, 0x7e};
  static constexpr Format e4m3fnuz{4, 3, 8, Specials::Fnuz, 0x7f};
  static constexpr Format e5m2{5, 2, 15, Specials::Ieee, 0x7b};
  static constexpr Format e5m2fnuz{5, 2, 16, Specials::Fnuz, 0x7f};
  static constexpr Format e2m1{2, 1, 1, Specials::None, 0x7};
  switch (t) {
    case DType::Float8E4M3FN: return &e4m3fn;
    case DType::Float8E4M3FNUZ: return &e4m3fnuz;
    case DType::Float8E5M2: return &e5m2;
    case DType::Float8E5M2FNUZ: return &e5m2fnuz;
    case DType::Float4E2M1: return &e2m1;
    default: return nullptr;
  }
}

uint8_t sign_bit(const Format& f) { return static_cast<uint8_t>(1u << (f.exp + f.man)); }

double decode(const Format& f, uint8_t bits) {
  const uint8_t sign = sign_bit(f);
  bits &= static_cast<uint8_t>(sign | (sign - 1));
  const unsigned mag = bits & (sign - 1u);
  const unsigned e = mag >> f.man, m = mag & ((1u << f.man) - 1);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (f.specials == Specials::Fnuz && bits == sign) return nan;
  if (f.specials == Specials::FnAllOnes && mag == sign - 1u) return nan;
  if (f.specials == Specials::Ieee && e == (1u << f.exp) - 1)
    return m ? nan : ((bits & sign) ? -INFINITY : INFINITY);
  double v = e == 0 ? std::ldexp(m, 1 - f.bias - f.man) : std::ldexp((1u << f.man) + m, int(e) - f.bias - f.man);
  return (bits & sign) ? -v : v;
}

uint8_t encode(const Format& f, double v, bool saturate) {
  const uint8_t sign = std::signbit(v) ? sign_bit(f) : 0;
  if (std::isnan(v)) {
    switch (f.specials) {
      case Specials::Ieee: return static_cast<uint8_t>(sign | 0x7e);
      case Specials::FnAllOnes: return static_cast<uint8_t>(sign | 0x7f);
      case Specials::Fnuz: return 0x80;
      case Specials::None: return sign ? 0 : sign_bit(f);  // ml_dtypes' zero of the opposite sign
    }
  }
  auto overflow = [&]() -> uint8_t {
    if (saturate || f.specials == Specials::None) return static_cast<uint8_t>(sign | f.max_code);
    if (f.specials == Specials::Ieee) return static_cast<uint8_t>(sign | 0x7c);
    if (f.specials == Specials::FnAllOnes) return static_cast<uint8_t>(sign | 0x7f);
    return 0x80;
  };
  const double a = std::fabs(v);
  if (std::isinf(a)) return overflow();
  const uint8_t zero = f.specials == Specials::Fnuz ? 0 : sign;
  if (a == 0) return zero;
  int e2 = 0;
  std::frexp(a, &e2);  // a = m * 2^e2, m in [0.5, 1): unbiased exponent e2 - 1
  const int min_exp = 1 - f.bias;
  const int quantum = std::max(e2 - 1, min_exp) - f.man;
  // Scaling by a power of two is exact; nearbyint rounds half to even.
  double n = std::nearbyint(std::ldexp(a, -quantum));
  if (n == 0) return zero;
  if (std::ldexp(n, quantum) > decode(f, f.max_code)) return overflow();
  auto count = static_cast<unsigned>(n);
  int q = quantum;
  if (count < (1u << f.man)) return static_cast<uint8_t>(sign | count);  // subnormal
  if (count == (2u << f.man)) {  // rounded up into the next binade
    count >>= 1;
    ++q;
  }
  const unsigned ef = static_cast<unsigned>(q + f.man + f.bias);
  return static_cast<uint8_t>(sign | (ef << f.man) | (count - (1u << f.man)));
}

}  // namespace

bool is_small_float(DType t) { return format_of(t) != nullptr || t == DType::Float8E8M0; }

bool is_packed_int(DType t) {
  return t == DType::Int4 || t == DType::UInt4 || t == DType::Int2 || t == DType::UInt2;
}

double small_float_to_double(DType t, uint8_t bits) {
  if (t == DType::Float8E8M0) return bits == 0xff ? std::numeric_limits<double>::quiet_NaN() : std::ldexp(1.0, bits - 127);
  const Format* f = format_of(t);
  return f ? decode(*f, bits) : std::numeric_limits<double>::quiet_NaN();
}

uint8_t small_float_from_double(DType t, double v, bool saturate) {
  const Format* f = format_of(t);
  return f ? encode(*f, v, saturate) : 0;
}

uint8_t e8m0_from_float(float v, bool saturate, E8M0Rounding mode) {
  const uint32_t bits = std::bit_cast<uint32_t>(v);
  unsigned exponent = (bits >> 23) & 0xff;
  if (exponent == 0xff) return 0xff;  // NaN and infinity
  bool round_up = false;
  if (mode == E8M0Rounding::Nearest) {
    const bool g = bits & 0x400000u, r = bits & 0x200000u, s = bits & 0x1fffffu, lsb = exponent > 0;
    round_up = g && (r || s || lsb);
  } else if (mode == E8M0Rounding::Up) {
    round_up = (bits & 0x7fffffu) != 0;
  }
  if (round_up && !(saturate && exponent == 0xfe)) ++exponent;
  return static_cast<uint8_t>(exponent);
}

int32_t packed_int_value(DType t, const void* data, int64_t i) {
  const unsigned bits = static_cast<unsigned>(dtype_bits(t));
  const int32_t code = packed_code(data, i, bits);
  const bool is_signed = t == DType::Int4 || t == DType::Int2;
  return is_signed && (code >> (bits - 1)) ? code - (1 << bits) : code;
}

double narrow_element_value(DType t, const void* data, int64_t i) {
  if (is_packed_int(t)) return packed_int_value(t, data, i);
  if (t == DType::Float4E2M1) return small_float_to_double(t, packed_code(data, i, 4));
  if (is_small_float(t)) return small_float_to_double(t, static_cast<const uint8_t*>(data)[i]);
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace onnxi
