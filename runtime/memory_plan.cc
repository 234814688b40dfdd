#include "runtime/memory_plan.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <map>
#include <numeric>
#include <string>
#include <utility>

#include "onnxi/error.h"

namespace onnxi {

size_t arena_block_bytes(size_t bytes, size_t alignment, size_t tail_padding) {
  if (bytes > SIZE_MAX / 2 || tail_padding > SIZE_MAX / 4 || alignment > SIZE_MAX / 4)
    throw Error(Stage::Plan, "activation of " + std::to_string(bytes) + " bytes is too large to plan");
  size_t b = bytes + tail_padding;
  return (b + alignment - 1) / alignment * alignment;
}

namespace {

// First fit in the given order: each buffer at the lowest offset clear of every placed buffer
// alive at the same time.
MemoryPlan first_fit(const std::vector<BufferLifetime>& buffers, const std::vector<size_t>& size,
                     const std::vector<size_t>& order) {
  MemoryPlan plan;
  plan.offsets.assign(buffers.size(), 0);
  std::vector<size_t> placed;
  std::vector<std::pair<size_t, size_t>> busy;
  for (size_t bi : order) {
    const BufferLifetime& b = buffers[bi];
    busy.clear();
    for (size_t pi : placed) {
      const BufferLifetime& p = buffers[pi];
      if (p.last < b.first || b.last < p.first) continue;  // never alive together
      busy.push_back({plan.offsets[pi], plan.offsets[pi] + size[pi]});
    }
    std::sort(busy.begin(), busy.end());
    size_t off = 0;
    for (auto [lo, hi] : busy) {
      if (off + size[bi] <= lo) break;  // fits in the gap below this block
      off = std::max(off, hi);
    }
    plan.offsets[bi] = off;
    plan.arena_bytes = std::max(plan.arena_bytes, off + size[bi]);
    placed.push_back(bi);
  }
  return plan;
}

}  // namespace

MemoryPlan plan_memory(const std::vector<BufferLifetime>& buffers, size_t alignment, size_t tail_padding) {
  const size_t n = buffers.size();
  std::vector<size_t> size(n);
  for (size_t i = 0; i < n; ++i) size[i] = arena_block_bytes(buffers[i].bytes, alignment, tail_padding);
  auto order_by = [&](auto before) {
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), before);
    return order;
  };
  auto span = [&](size_t i) { return static_cast<double>(buffers[i].last - buffers[i].first + 1); };
  // Four orders, the smallest arena wins: largest first (the big blocks settle low and the
  // small ones fill the gaps they leave), largest size x lifetime first, longest-lived first
  // (long-lived blocks out of the way of short ones), and by birth (stack-like, for chains).
  const std::vector<size_t> orders[] = {
      order_by([&](size_t a, size_t b) { return size[a] > size[b]; }),
      order_by([&](size_t a, size_t b) { return double(size[a]) * span(a) > double(size[b]) * span(b); }),
      order_by([&](size_t a, size_t b) { return span(a) != span(b) ? span(a) > span(b) : size[a] > size[b]; }),
      order_by([&](size_t a, size_t b) {
        return buffers[a].first != buffers[b].first ? buffers[a].first < buffers[b].first : size[a] > size[b];
      }),
  };
  MemoryPlan best = first_fit(buffers, size, orders[0]);
  for (size_t k = 1; k < std::size(orders); ++k) {
    MemoryPlan p = first_fit(buffers, size, orders[k]);
    if (p.arena_bytes < best.arena_bytes) best = std::move(p);
  }
  return best;
}

size_t peak_live_bytes(const std::vector<BufferLifetime>& buffers, size_t alignment, size_t tail_padding) {
  std::map<int, long double> delta;  // step -> change of live bytes (long double: no overflow)
  for (const BufferLifetime& b : buffers) {
    long double s = static_cast<long double>(arena_block_bytes(b.bytes, alignment, tail_padding));
    delta[b.first] += s;
    delta[b.last + 1] -= s;
  }
  long double live = 0, peak = 0;
  for (const auto& [step, d] : delta) {
    live += d;
    peak = std::max(peak, live);
  }
  return static_cast<size_t>(peak);
}

}  // namespace onnxi
