// Element types. Values equal ONNX TensorProto.DataType so conversion is a cast.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace onnxi {

// X(enum name, ONNX code, display name, bits per element (0 = not fixed-size)).
// The display names of the newer types are ONNX's lowercase tensor type names.
//
// Sub-byte types (int4, uint4, float4e2m1: 4 bits; int2, uint2: 2 bits) are stored packed
// in memory exactly as ONNX serializes them: element i lives in byte i*bits/8, at bit
// (i*bits)%8 counted from the least significant bit (4-bit: two per byte, low nibble
// first; 2-bit: four per byte, first element in bits 0-1). A tensor of n such elements
// takes dtype_nbytes(t, n) = ceil(n*bits/8) bytes; unused high bits of the last byte are
// zero. dtype_size() is 0 for them, so code that moves whole elements by byte size
// rejects them rather than misreading them.
#define ONNXI_DTYPES(X)                   \
  X(Undefined, 0, "undefined", 0)         \
  X(Float, 1, "float32", 32)              \
  X(UInt8, 2, "uint8", 8)                 \
  X(Int8, 3, "int8", 8)                   \
  X(UInt16, 4, "uint16", 16)              \
  X(Int16, 5, "int16", 16)                \
  X(Int32, 6, "int32", 32)                \
  X(Int64, 7, "int64", 64)                \
  X(String, 8, "string", 0)               \
  X(Bool, 9, "bool", 8)                   \
  X(Float16, 10, "float16", 16)           \
  X(Double, 11, "float64", 64)            \
  X(UInt32, 12, "uint32", 32)             \
  X(UInt64, 13, "uint64", 64)             \
  X(Complex64, 14, "complex64", 64)       \
  X(Complex128, 15, "complex128", 128)    \
  X(BFloat16, 16, "bfloat16", 16)         \
  X(Float8E4M3FN, 17, "float8e4m3fn", 8)     \
  X(Float8E4M3FNUZ, 18, "float8e4m3fnuz", 8) \
  X(Float8E5M2, 19, "float8e5m2", 8)         \
  X(Float8E5M2FNUZ, 20, "float8e5m2fnuz", 8) \
  X(UInt4, 21, "uint4", 4)                   \
  X(Int4, 22, "int4", 4)                     \
  X(Float4E2M1, 23, "float4e2m1", 4)         \
  X(Float8E8M0, 24, "float8e8m0", 8)         \
  X(UInt2, 25, "uint2", 2)                   \
  X(Int2, 26, "int2", 2)

enum class DType : int32_t {
#define ONNXI_X(name, code, str, bits) name = code,
  ONNXI_DTYPES(ONNXI_X)
#undef ONNXI_X
};

// Name as printed to users ("float32", "int64", ...).
std::string_view dtype_name(DType t);
// Bytes per element; 0 for Undefined, String and the packed sub-byte types.
size_t dtype_size(DType t);
// Bits per element; 0 for Undefined and String.
size_t dtype_bits(DType t);
// Whether elements are packed several to a byte (4- and 2-bit types).
inline bool dtype_is_packed(DType t) { size_t b = dtype_bits(t); return b != 0 && b < 8; }
// Storage bytes of `numel` elements: numel * size, or ceil(numel * bits / 8) for packed
// types; SIZE_MAX when that does not fit in size_t. 0 for Undefined and String.
size_t dtype_nbytes(DType t, int64_t numel);
// Maps an ONNX TensorProto data type code to DType; nullopt when unknown.
std::optional<DType> dtype_from_onnx(int32_t code);
// Parses a display name ("float32") or ONNX-ish alias ("float"); nullopt when unknown.
std::optional<DType> dtype_from_name(std::string_view name);

// Compile-time mapping from C++ element type to DType.
struct Float16Bits { uint16_t bits; };
struct BFloat16Bits { uint16_t bits; };
template <class T> struct DTypeOf;
template <> struct DTypeOf<float> { static constexpr DType value = DType::Float; };
template <> struct DTypeOf<double> { static constexpr DType value = DType::Double; };
template <> struct DTypeOf<uint8_t> { static constexpr DType value = DType::UInt8; };
template <> struct DTypeOf<int8_t> { static constexpr DType value = DType::Int8; };
template <> struct DTypeOf<uint16_t> { static constexpr DType value = DType::UInt16; };
template <> struct DTypeOf<int16_t> { static constexpr DType value = DType::Int16; };
template <> struct DTypeOf<int32_t> { static constexpr DType value = DType::Int32; };
template <> struct DTypeOf<int64_t> { static constexpr DType value = DType::Int64; };
template <> struct DTypeOf<uint32_t> { static constexpr DType value = DType::UInt32; };
template <> struct DTypeOf<uint64_t> { static constexpr DType value = DType::UInt64; };
template <> struct DTypeOf<bool> { static constexpr DType value = DType::Bool; };
template <> struct DTypeOf<Float16Bits> { static constexpr DType value = DType::Float16; };
template <> struct DTypeOf<BFloat16Bits> { static constexpr DType value = DType::BFloat16; };
template <> struct DTypeOf<std::string> { static constexpr DType value = DType::String; };

}  // namespace onnxi
