// The memory planner (runtime/memory_plan.h) on its own: no two buffers alive together
// overlap, offsets are aligned, disjoint lifetimes reuse bytes, and on small cases the arena
// is as small as the best possible placement (found by brute force).
#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <random>

#include "onnxi/error.h"
#include "runtime/memory_plan.h"

using namespace onnxi;

namespace {

constexpr size_t kAlign = 64, kTail = 64;

size_t block(size_t bytes) { return arena_block_bytes(bytes, kAlign, kTail); }

bool alive_together(const BufferLifetime& a, const BufferLifetime& b) {
  return !(a.last < b.first || b.last < a.first);
}

// Every invariant a plan must keep, whatever the heuristic.
void check_valid(const std::vector<BufferLifetime>& bufs, const MemoryPlan& plan) {
  REQUIRE(plan.offsets.size() == bufs.size());
  size_t end = 0;
  for (size_t i = 0; i < bufs.size(); ++i) {
    CHECK(plan.offsets[i] % kAlign == 0);
    end = std::max(end, plan.offsets[i] + block(bufs[i].bytes));
    for (size_t j = i + 1; j < bufs.size(); ++j) {
      if (!alive_together(bufs[i], bufs[j])) continue;
      bool disjoint = plan.offsets[i] + block(bufs[i].bytes) <= plan.offsets[j] ||
                      plan.offsets[j] + block(bufs[j].bytes) <= plan.offsets[i];
      INFO("buffers " << i << " and " << j);
      CHECK(disjoint);
    }
  }
  CHECK(plan.arena_bytes == end);
  CHECK(plan.arena_bytes >= peak_live_bytes(bufs, kAlign, kTail));
}

// The smallest arena any placement can have: first fit over every order of placement. (Any
// optimal placement is reproduced by first fit in the order of its offsets: each buffer then
// lands at or below its optimal offset.)
size_t brute_force_optimum(const std::vector<BufferLifetime>& bufs) {
  std::vector<size_t> order(bufs.size());
  std::iota(order.begin(), order.end(), size_t{0});
  size_t best = SIZE_MAX;
  do {
    std::vector<size_t> off(bufs.size());
    std::vector<size_t> placed;
    size_t end = 0;
    for (size_t bi : order) {
      std::vector<std::pair<size_t, size_t>> busy;
      for (size_t pi : placed)
        if (alive_together(bufs[pi], bufs[bi])) busy.push_back({off[pi], off[pi] + block(bufs[pi].bytes)});
      std::sort(busy.begin(), busy.end());
      size_t o = 0;
      for (auto [lo, hi] : busy) {
        if (o + block(bufs[bi].bytes) <= lo) break;
        o = std::max(o, hi);
      }
      off[bi] = o;
      end = std::max(end, o + block(bufs[bi].bytes));
      placed.push_back(bi);
    }
    best = std::min(best, end);
  } while (std::next_permutation(order.begin(), order.end()));
  return best;
}

}  // namespace

TEST_CASE("plan_memory: nothing to place is an empty arena") {
  MemoryPlan p = plan_memory({}, kAlign, kTail);
  CHECK(p.offsets.empty());
  CHECK(p.arena_bytes == 0);
}

TEST_CASE("plan_memory: each block has its tail padding and is rounded to the alignment") {
  CHECK(block(0) == 64);
  CHECK(block(1) == 128);
  CHECK(block(64) == 128);
  CHECK(block(65) == 192);
  MemoryPlan p = plan_memory({{100, 0, 0}}, kAlign, kTail);
  CHECK(p.offsets == std::vector<size_t>{0});
  CHECK(p.arena_bytes == 192);
}

TEST_CASE("plan_memory: a chain reuses memory, a value read later stays out of the way") {
  // x0 -> x1 -> x2 -> x3, each read only by the next step: two blocks at a time.
  std::vector<BufferLifetime> chain = {{1000, 0, 1}, {1000, 1, 2}, {1000, 2, 3}, {1000, 3, 4}};
  MemoryPlan p = plan_memory(chain, kAlign, kTail);
  check_valid(chain, p);
  CHECK(p.arena_bytes == 2 * block(1000));
  CHECK(p.offsets[0] == p.offsets[2]);
  CHECK(p.offsets[1] == p.offsets[3]);

  // A residual: x0 is read again at step 3, so it may share with nothing in between.
  std::vector<BufferLifetime> residual = {{1000, 0, 3}, {1000, 1, 2}, {1000, 2, 3}, {1000, 3, 4}};
  MemoryPlan r = plan_memory(residual, kAlign, kTail);
  check_valid(residual, r);
  CHECK(r.arena_bytes == 3 * block(1000));
  CHECK(r.arena_bytes == peak_live_bytes(residual, kAlign, kTail));
}

TEST_CASE("plan_memory: a small block fills the gap a freed large block leaves") {
  // A (big) dies at step 1; B (big) lives 0..3; C (small) is born at 2 and fits where A was.
  std::vector<BufferLifetime> bufs = {{4096, 0, 1}, {4096, 0, 3}, {512, 2, 3}};
  MemoryPlan p = plan_memory(bufs, kAlign, kTail);
  check_valid(bufs, p);
  CHECK(p.arena_bytes == 2 * block(4096));
  CHECK(p.offsets[2] == p.offsets[0]);
}

TEST_CASE("plan_memory: equals the brute-force optimum on network-shaped cases") {
  const std::vector<std::vector<BufferLifetime>> cases = {
      // conv chain with one residual block (ResNet-like), sizes halving at the downsample
      {{8000, 0, 1}, {8000, 1, 4}, {8000, 2, 3}, {8000, 3, 4}, {4000, 4, 5}, {4000, 5, 6}},
      // inception-like: one input read by three branches, joined by a concat at step 4
      {{6000, 0, 3}, {2000, 1, 4}, {2000, 2, 4}, {2000, 3, 4}, {6000, 4, 5}},
      // a transformer block: x kept for the residual add while q, k, scores, v are made
      {{3000, 0, 5}, {3000, 1, 3}, {3000, 2, 3}, {9000, 3, 4}, {3000, 4, 5}, {3000, 5, 6}},
      // mixed sizes and overlaps
      {{700, 0, 2}, {1500, 1, 1}, {300, 1, 3}, {2000, 2, 4}, {100, 3, 5}, {900, 4, 5}},
  };
  for (size_t c = 0; c < cases.size(); ++c) {
    INFO("case " << c);
    MemoryPlan p = plan_memory(cases[c], kAlign, kTail);
    check_valid(cases[c], p);
    CHECK(p.arena_bytes == brute_force_optimum(cases[c]));
  }
}

TEST_CASE("plan_memory: random lifetimes never overlap and stay near the optimum") {
  std::mt19937 rng(1234);
  size_t optimal = 0, total = 0;
  for (int iter = 0; iter < 200; ++iter) {
    const int n = 1 + static_cast<int>(rng() % 6);
    std::vector<BufferLifetime> bufs(n);
    for (auto& b : bufs) {
      b.bytes = rng() % 5000;
      b.first = static_cast<int>(rng() % 8);
      b.last = b.first + static_cast<int>(rng() % 4);
    }
    MemoryPlan p = plan_memory(bufs, kAlign, kTail);
    check_valid(bufs, p);
    size_t best = brute_force_optimum(bufs);
    REQUIRE(p.arena_bytes >= best);
    optimal += p.arena_bytes == best;
    total += 1;
  }
  // Largest-first first fit is a heuristic; it must still find the optimum on most of these.
  CHECK(optimal * 10 >= total * 8);

  // Larger random sets: only the invariants (no brute force).
  for (int iter = 0; iter < 20; ++iter) {
    std::vector<BufferLifetime> bufs(300);
    for (auto& b : bufs) {
      b.bytes = rng() % 100000;
      b.first = static_cast<int>(rng() % 200);
      b.last = b.first + static_cast<int>(rng() % 20);
    }
    check_valid(bufs, plan_memory(bufs, kAlign, kTail));
  }
}

TEST_CASE("plan_memory: an absurd size is a plan error, not an overflow") {
  CHECK_THROWS_AS(plan_memory({{SIZE_MAX - 10, 0, 0}}, kAlign, kTail), Error);
}
