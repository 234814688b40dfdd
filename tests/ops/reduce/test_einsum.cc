// Einsum against plain loops written per equation.
#include <cmath>

#include "tests/harness/tensor_values.h"

using namespace onnxi;
using namespace onnxi::test;

namespace {

Tensor einsum(const std::string& eq, std::vector<Tensor> inputs, std::vector<bool> constant = {}) {
  NodeRun r;
  r.op_type = "Einsum";
  r.opset = 12;
  r.inputs = std::move(inputs);
  r.constant = std::move(constant);
  r.attributes = {attr_string("equation", eq)};
  return run_all(r);
}

double at(const Tensor& t, std::initializer_list<int64_t> idx) {
  int64_t flat = 0;
  size_t d = 0;
  for (int64_t i : idx) flat = flat * t.shape()[d++] + i;
  return get_value(t, flat);
}

}  // namespace

TEST_CASE("Einsum: matmul, batch matmul, outer and inner products", "[reduce][einsum]") {
  Tensor a = random_float({2, 3}, 1), b = random_float({3, 4}, 2);
  std::vector<double> mm;
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t k = 0; k < 4; ++k) {
      double s = 0;
      for (int64_t j = 0; j < 3; ++j) s += at(a, {i, j}) * at(b, {j, k});
      mm.push_back(s);
    }
  for (const char* eq : {"ij,jk->ik", "ij,jk", " i j , j k -> i k "}) {
    INFO(eq);
    Tensor y = einsum(eq, {a, b});
    REQUIRE(y.shape() == Shape{2, 4});
    require_values(y, mm, 1e-5, 1e-6);
  }
  // Output order follows the explicit output: "ki" is the transposed product.
  Tensor yt = einsum("ij,jk->ki", {a, b});
  REQUIRE(yt.shape() == Shape{4, 2});
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t k = 0; k < 4; ++k) REQUIRE(at(yt, {k, i}) == Approx(mm[i * 4 + k]).epsilon(1e-5));

  Tensor p = random_float({3, 2, 4}, 3), q = random_float({3, 4, 5}, 4);
  Tensor bm = einsum("bij,bjk->bik", {p, q});
  REQUIRE(bm.shape() == Shape{3, 2, 5});
  for (int64_t n = 0; n < 3; ++n)
    for (int64_t i = 0; i < 2; ++i)
      for (int64_t k = 0; k < 5; ++k) {
        double s = 0;
        for (int64_t j = 0; j < 4; ++j) s += at(p, {n, i, j}) * at(q, {n, j, k});
        REQUIRE(at(bm, {n, i, k}) == Approx(s).epsilon(1e-5).margin(1e-6));
      }

  // Two summed labels (the odometer and the inner loop), one repeated across three inputs.
  Tensor f = random_float({2, 3, 4}, 17), g = random_float({3, 4, 5}, 18), h = random_float({4}, 19);
  Tensor two = einsum("ijk,jkl->il", {f, g});
  Tensor three = einsum("ijk,jkl,k->li", {f, g, h});
  REQUIRE(two.shape() == Shape{2, 5});
  REQUIRE(three.shape() == Shape{5, 2});
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t l = 0; l < 5; ++l) {
      double s2 = 0, s3 = 0;
      for (int64_t j = 0; j < 3; ++j)
        for (int64_t k = 0; k < 4; ++k) {
          s2 += at(f, {i, j, k}) * at(g, {j, k, l});
          s3 += at(f, {i, j, k}) * at(g, {j, k, l}) * at(h, {k});
        }
      REQUIRE(at(two, {i, l}) == Approx(s2).epsilon(1e-5).margin(1e-6));
      REQUIRE(at(three, {l, i}) == Approx(s3).epsilon(1e-5).margin(1e-6));
    }

  Tensor u = random_float({5}, 5), v = random_float({5}, 6);
  double dot = 0;
  for (int64_t i = 0; i < 5; ++i) dot += at(u, {i}) * at(v, {i});
  Tensor d = einsum("i,i", {u, v});
  REQUIRE(d.shape() == Shape{});
  require_values(d, {dot}, 1e-5, 1e-6);
  Tensor o = einsum("i,j->ij", {u, v}, {true, false});
  REQUIRE(o.shape() == Shape{5, 5});
  for (int64_t i = 0; i < 5; ++i)
    for (int64_t j = 0; j < 5; ++j) REQUIRE(at(o, {i, j}) == Approx(at(u, {i}) * at(v, {j})));
  // Three inputs.
  Tensor w = random_float({5}, 7);
  double triple = 0;
  for (int64_t i = 0; i < 5; ++i) triple += at(u, {i}) * at(v, {i}) * at(w, {i});
  require_values(einsum("i,i,i->", {u, v, w}), {triple}, 1e-5, 1e-6);
}

TEST_CASE("Einsum: transpose, diagonal, trace, sums and implicit order", "[reduce][einsum]") {
  Tensor x = random_float({2, 3}, 8);
  Tensor t = einsum("ij->ji", {x});
  REQUIRE(t.shape() == Shape{3, 2});
  Tensor ti = einsum("ba", {x});  // implicit output "ab": the transpose
  require_same(ti, t);
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 3; ++j) REQUIRE(at(t, {j, i}) == at(x, {i, j}));
  // Upper case sorts before lower case in the implicit output.
  require_same(einsum("bA", {x}), t);
  require_same(einsum("Ab", {x}), x);

  Tensor sq = random_float({4, 4}, 9);
  Tensor diag = einsum("ii->i", {sq});
  REQUIRE(diag.shape() == Shape{4});
  double trace = 0;
  for (int64_t i = 0; i < 4; ++i) {
    REQUIRE(at(diag, {i}) == at(sq, {i, i}));
    trace += at(sq, {i, i});
  }
  Tensor tr = einsum("ii", {sq});
  REQUIRE(tr.shape() == Shape{});
  require_values(tr, {trace}, 1e-6);

  Tensor bd = random_float({3, 2, 2}, 10);
  Tensor bdy = einsum("bii->bi", {bd});
  REQUIRE(bdy.shape() == Shape{3, 2});
  for (int64_t n = 0; n < 3; ++n)
    for (int64_t i = 0; i < 2; ++i) REQUIRE(at(bdy, {n, i}) == at(bd, {n, i, i}));

  double total = 0, row0 = 0;
  for (int64_t i = 0; i < x.numel(); ++i) total += get_value(x, i);
  for (int64_t j = 0; j < 3; ++j) row0 += at(x, {0, j});
  require_values(einsum("ij->", {x}), {total}, 1e-5, 1e-6);
  Tensor rows = einsum("ij->i", {x});
  REQUIRE(rows.shape() == Shape{2});
  REQUIRE(get_value(rows, 0) == Approx(row0).epsilon(1e-5));
}

TEST_CASE("Einsum: ellipsis broadcasting", "[reduce][einsum]") {
  Tensor a = random_float({2, 1, 2, 3}, 11), b = random_float({3, 3, 4}, 12);
  Tensor y = einsum("...ij,...jk->...ik", {a, b});
  REQUIRE(y.shape() == Shape{2, 3, 2, 4});
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t m = 0; m < 3; ++m)
      for (int64_t i = 0; i < 2; ++i)
        for (int64_t k = 0; k < 4; ++k) {
          double s = 0;
          for (int64_t j = 0; j < 3; ++j) s += at(a, {n, 0, i, j}) * at(b, {m, j, k});
          REQUIRE(at(y, {n, m, i, k}) == Approx(s).epsilon(1e-5).margin(1e-6));
        }
  // Implicit: the ellipsis dims lead, then the single-use letters.
  require_same(einsum("...ij,...jk", {a, b}), y);
  // Elementwise product with broadcasting; the ellipsis may cover no dims.
  Tensor c = random_float({4, 3}, 13), r = random_float({3}, 14);
  Tensor e = einsum("...,...->...", {c, r});
  REQUIRE(e.shape() == Shape{4, 3});
  for (int64_t i = 0; i < 4; ++i)
    for (int64_t j = 0; j < 3; ++j) REQUIRE(at(e, {i, j}) == Approx(at(c, {i, j}) * at(r, {j})));
  Tensor s = einsum("i...->i", {c});  // the ellipsis dims are summed when the output omits them
  REQUIRE(s.shape() == Shape{4});
  REQUIRE(get_value(s, 1) == Approx(at(c, {1, 0}) + at(c, {1, 1}) + at(c, {1, 2})));
  REQUIRE(einsum("...i->...i", {r}).shape() == Shape{3});
}

TEST_CASE("Einsum: dtypes, empty dims and errors", "[reduce][einsum]") {
  for (DType t : {DType::Int32, DType::Int64, DType::Double, DType::Float16, DType::UInt8}) {
    Tensor a = random_tensor(t, {2, 3}, 15, -2, 2), b = random_tensor(t, {3, 2}, 16, -2, 2);
    Tensor y = einsum("ij,jk->ik", {a, b});
    REQUIRE(y.dtype() == t);
    std::vector<double> want;
    for (int64_t i = 0; i < 2; ++i)
      for (int64_t k = 0; k < 2; ++k) {
        double s = 0;
        for (int64_t j = 0; j < 3; ++j) s += at(a, {i, j}) * at(b, {j, k});
        want.push_back(s);
      }
    require_values(y, want);
  }
  Tensor z = einsum("ij,jk->ik", {Tensor(DType::Float, {2, 0}), Tensor(DType::Float, {0, 3})});
  REQUIRE(z.shape() == Shape{2, 3});
  require_values(z, std::vector<double>(6, 0));
  REQUIRE(einsum("ij,jk->ik", {Tensor(DType::Float, {0, 2}), random_float({2, 3}, 1)}).shape() ==
          Shape{0, 3});

  Tensor a = random_float({2, 3}, 1), b = random_float({4, 2}, 2);
  REQUIRE_THROWS_AS(einsum("ij,jk->ik", {a, b}), Error);  // j: 3 vs 4
  REQUIRE_THROWS_AS(einsum("ij,jk->ik", {a}), Error);     // two terms, one input
  REQUIRE_THROWS_AS(einsum("ijk,jk->i", {a, b}), Error);  // rank mismatch
  REQUIRE_THROWS_AS(einsum("ij->iz", {a}), Error);        // z not in an input
  REQUIRE_THROWS_AS(einsum("ij->ii", {a}), Error);        // repeated output label
  REQUIRE_THROWS_AS(einsum("i1->i", {a}), Error);         // bad character
  REQUIRE_THROWS_AS(einsum("i.j->ij", {a}), Error);       // stray dot
  REQUIRE_THROWS_AS(einsum("...i...->i", {a}), Error);    // two ellipses
  REQUIRE_THROWS_AS(einsum("ij->i->j", {a}), Error);      // two arrows
  REQUIRE_THROWS_AS(einsum("ii->i", {a}), Error);         // diagonal of a non-square
  // 2^40 steps: refused rather than looping for hours.
  Tensor big(DType::Float, {1024, 1024});
  REQUIRE_THROWS_AS(einsum("ab,cd->", {big, big}), Error);
  REQUIRE_THROWS_AS(einsum("ij", {Tensor::from_vector<bool>({true, false}, {1, 2})}), Error);
  REQUIRE_THROWS_AS(einsum("i,i", {random_float({2}, 1), Tensor::from_vector<double>({1, 2}, {2})}), Error);
}
