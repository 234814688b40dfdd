// Integer arithmetic that wraps (two's complement) instead of overflowing into undefined
// behaviour; floats are passed through unchanged.
#pragma once
#include <cstdint>
#include <type_traits>

namespace onnxi {

// Narrow types are widened to uint32 so that e.g. uint16*uint16 cannot overflow int.
template <class C>
using wrap_t = std::conditional_t<(sizeof(C) < 4), uint32_t, std::make_unsigned_t<C>>;

template <class C>
inline C wrap_add(C a, C b) {
  if constexpr (std::is_integral_v<C> && !std::is_same_v<C, bool>)
    return static_cast<C>(static_cast<wrap_t<C>>(a) + static_cast<wrap_t<C>>(b));
  else
    return a + b;
}
template <class C>
inline C wrap_sub(C a, C b) {
  if constexpr (std::is_integral_v<C> && !std::is_same_v<C, bool>)
    return static_cast<C>(static_cast<wrap_t<C>>(a) - static_cast<wrap_t<C>>(b));
  else
    return a - b;
}
template <class C>
inline C wrap_mul(C a, C b) {
  if constexpr (std::is_integral_v<C> && !std::is_same_v<C, bool>)
    return static_cast<C>(static_cast<wrap_t<C>>(a) * static_cast<wrap_t<C>>(b));
  else
    return a * b;
}

}  // namespace onnxi
