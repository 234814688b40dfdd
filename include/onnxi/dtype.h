// Element types. Values equal ONNX TensorProto.DataType so conversion is a cast.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace onnxi {

// X(enum name, ONNX code, display name, element size in bytes (0 = not fixed-size))
#define ONNXI_DTYPES(X)          \
  X(Undefined, 0, "undefined", 0) \
  X(Float, 1, "float32", 4)       \
  X(UInt8, 2, "uint8", 1)         \
  X(Int8, 3, "int8", 1)           \
  X(UInt16, 4, "uint16", 2)       \
  X(Int16, 5, "int16", 2)         \
  X(Int32, 6, "int32", 4)         \
  X(Int64, 7, "int64", 8)         \
  X(String, 8, "string", 0)       \
  X(Bool, 9, "bool", 1)           \
  X(Float16, 10, "float16", 2)    \
  X(Double, 11, "float64", 8)     \
  X(UInt32, 12, "uint32", 4)      \
  X(UInt64, 13, "uint64", 8)      \
  X(Complex64, 14, "complex64", 8) \
  X(Complex128, 15, "complex128", 16) \
  X(BFloat16, 16, "bfloat16", 2)

enum class DType : int32_t {
#define ONNXI_X(name, code, str, size) name = code,
  ONNXI_DTYPES(ONNXI_X)
#undef ONNXI_X
};

// Name as printed to users ("float32", "int64", ...).
std::string_view dtype_name(DType t);
// Bytes per element; 0 for Undefined and String.
size_t dtype_size(DType t);
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
