// Memory planning: where each activation of a run lives in the one arena.
//
// A pure function from value lifetimes and sizes to offsets, kept apart from the session so
// that it is tested on its own (tests/unit/test_memory_plan.cc). The session gives it one
// buffer per value that is computed at run time with a shape known ahead of the run.
#pragma once

#include <cstddef>
#include <vector>

namespace onnxi {

struct BufferLifetime {
  size_t bytes = 0;  // what the value needs, before padding
  int first = 0;     // the step that writes it
  int last = 0;      // the last step that reads it (>= first)
};

struct MemoryPlan {
  std::vector<size_t> offsets;  // per buffer, in the order given; multiples of the alignment
  size_t arena_bytes = 0;       // the arena's size: the end of the highest placed buffer
};

// The bytes a buffer takes in the arena: its size plus `tail_padding` readable bytes past
// the end (XNNPACK reads up to 16 bytes past a tensor), rounded up to `alignment` (a power
// of two). Throws Error(Stage::Plan) where that does not fit in size_t.
size_t arena_block_bytes(size_t bytes, size_t alignment, size_t tail_padding);

// Places every buffer at the lowest offset where it overlaps no buffer alive at the same
// time (two buffers are alive together when their [first, last] step ranges intersect),
// trying a few placement orders (largest first, largest size x lifetime first, longest-lived
// first, by birth) and keeping the smallest arena. Buffers with disjoint lifetimes reuse
// the same bytes. Cost: O(n^2 log n) for n buffers.
MemoryPlan plan_memory(const std::vector<BufferLifetime>& buffers, size_t alignment, size_t tail_padding);

// A lower bound for any plan: the most arena bytes alive together at one step.
size_t peak_live_bytes(const std::vector<BufferLifetime>& buffers, size_t alignment, size_t tail_padding);

}  // namespace onnxi
