// Encoding and decoding of single elements of the narrow ONNX types: the float8 formats
// (E4M3FN, E4M3FNUZ, E5M2, E5M2FNUZ, E8M0), FLOAT4E2M1, and the packed 4- and 2-bit
// integers (see dtype.h for the packed layout).
//
// Conversions to these formats follow ONNX's Cast (opset 19-25):
// - float8 E4M3FN/E4M3FNUZ/E5M2/E5M2FNUZ and float4 E2M1: round to nearest even. With
//   `saturate`, values beyond the largest finite value (after rounding) and infinities
//   become +-max; without it they become the format's infinity (E5M2) or NaN (the others).
//   The FNUZ formats have no negative zero (-0 and values rounding to it give 0) and one
//   NaN, 0x80. FLOAT4E2M1 has neither infinity nor NaN: it always saturates, and NaN
//   becomes a zero of the opposite sign, bit for bit as ml_dtypes (the reference
//   implementation's float4) does.
// - E8M0 (a power of two, 2^(bits-127); 0xFF is NaN) is converted from the float32 value
//   as the reference implementation does: the float32 exponent, rounded up, down, or to
//   nearest (ties up) by the fraction; NaN and infinity give 0xFF, the sign is ignored.
//   With `saturate` the exponent does not round past 0xFE.
#pragma once
#include <cstdint>

#include "onnxi/dtype.h"

namespace onnxi {

// True for the float8 formats, FLOAT8E8M0 and FLOAT4E2M1.
bool is_small_float(DType t);
// True for int4, uint4, int2, uint2.
bool is_packed_int(DType t);

// The value of a small-float bit pattern (for FLOAT4E2M1, the low 4 bits).
double small_float_to_double(DType t, uint8_t bits);
// The bit pattern nearest `v` in float8 E4M3FN/E4M3FNUZ/E5M2/E5M2FNUZ or FLOAT4E2M1.
uint8_t small_float_from_double(DType t, double v, bool saturate);

enum class E8M0Rounding { Up, Down, Nearest };
uint8_t e8m0_from_float(float v, bool saturate, E8M0Rounding mode);

// Element i of a packed buffer of `bits`-bit codes (4 or 2): the raw code.
inline uint8_t packed_code(const void* data, int64_t i, unsigned bits) {
  const unsigned per_byte = 8 / bits;
  const uint8_t byte = static_cast<const uint8_t*>(data)[i / per_byte];
  return static_cast<uint8_t>((byte >> ((i % per_byte) * bits)) & ((1u << bits) - 1));
}
// Sets element i's code; the other elements of the byte are kept.
inline void set_packed_code(void* data, int64_t i, unsigned bits, uint8_t code) {
  const unsigned per_byte = 8 / bits, shift = static_cast<unsigned>(i % per_byte) * bits;
  const unsigned mask = ((1u << bits) - 1) << shift;
  uint8_t& byte = static_cast<uint8_t*>(data)[i / per_byte];
  byte = static_cast<uint8_t>((byte & ~mask) | ((static_cast<unsigned>(code) << shift) & mask));
}

// The integer value of a packed int4/uint4/int2/uint2 element (sign-extended for the
// signed types).
int32_t packed_int_value(DType t, const void* data, int64_t i);
// Stores the low bits of `v` (two's complement: higher bits are discarded) as element i.
inline void set_packed_int(DType t, void* data, int64_t i, int64_t v) {
  const unsigned bits = static_cast<unsigned>(dtype_bits(t));
  set_packed_code(data, i, bits, static_cast<uint8_t>(static_cast<uint64_t>(v) & ((1u << bits) - 1)));
}

// Element i of a tensor buffer of a narrow type (small floats and packed ints) as a double.
double narrow_element_value(DType t, const void* data, int64_t i);

}  // namespace onnxi
