// Detection ops: RoiAlign against a direct double-precision reference, and NonMaxSuppression against
// hand-worked cases and a brute-force greedy reference.
#include <catch2/catch.hpp>
#include <optional>

#include "tests/harness/tensor_values.h"

using namespace onnxi;
using namespace onnxi::test;

// A node with the given attributes and inputs (none constant), default provider.
inline onnxi::test::NodeRun op_node(const std::string& op, int64_t opset, std::vector<onnxi::Attribute> attrs,
                                    std::vector<onnxi::Tensor> inputs) {
  onnxi::test::NodeRun r;
  r.op_type = op;
  r.opset = opset;
  r.attributes = std::move(attrs);
  r.inputs = std::move(inputs);
  return r;
}

namespace {

// Bilinear value at (y, x) with RoiAlign's edge rules, or nullopt-as-zero outside.
double roi_bilinear(const std::vector<double>& plane, int64_t h, int64_t w, double y, double x,
                    double weight_out[4], double values[4]) {
  for (int k = 0; k < 4; ++k) weight_out[k] = values[k] = 0;
  if (y < -1.0 || y > h || x < -1.0 || x > w) return 0;
  y = std::max(y, 0.0);
  x = std::max(x, 0.0);
  int64_t y0 = static_cast<int64_t>(y), x0 = static_cast<int64_t>(x), y1 = y0 + 1, x1 = x0 + 1;
  if (y0 >= h - 1) {
    y0 = y1 = h - 1;
    y = static_cast<double>(y0);
  }
  if (x0 >= w - 1) {
    x0 = x1 = w - 1;
    x = static_cast<double>(x0);
  }
  const double ly = y - y0, lx = x - x0;
  weight_out[0] = (1 - ly) * (1 - lx);
  weight_out[1] = (1 - ly) * lx;
  weight_out[2] = ly * (1 - lx);
  weight_out[3] = ly * lx;
  values[0] = plane[static_cast<size_t>(y0 * w + x0)];
  values[1] = plane[static_cast<size_t>(y0 * w + x1)];
  values[2] = plane[static_cast<size_t>(y1 * w + x0)];
  values[3] = plane[static_cast<size_t>(y1 * w + x1)];
  double v = 0;
  for (int k = 0; k < 4; ++k) v += weight_out[k] * values[k];
  return v;
}

std::vector<double> ref_roi_align(const Tensor& x, const std::vector<double>& rois,
                                  const std::vector<int64_t>& batch, int64_t oh, int64_t ow, int64_t ratio,
                                  double scale, bool half_pixel, bool max_mode) {
  const std::vector<double> xv = values_of(x);
  const int64_t c_n = x.dim(1), h = x.dim(2), w = x.dim(3);
  std::vector<double> y;
  for (size_t r = 0; r < batch.size(); ++r) {
    const double off = half_pixel ? 0.5 : 0;
    const double x1 = rois[r * 4] * scale - off, y1 = rois[r * 4 + 1] * scale - off;
    double rw = rois[r * 4 + 2] * scale - off - x1, rh = rois[r * 4 + 3] * scale - off - y1;
    if (!half_pixel) {
      rw = std::max(rw, 1.0);
      rh = std::max(rh, 1.0);
    }
    const double bh = rh / oh, bw = rw / ow;
    const int64_t gh = ratio > 0 ? ratio : static_cast<int64_t>(std::ceil(rh / oh));
    const int64_t gw = ratio > 0 ? ratio : static_cast<int64_t>(std::ceil(rw / ow));
    for (int64_t c = 0; c < c_n; ++c) {
      std::vector<double> plane(xv.begin() + (batch[r] * c_n + c) * h * w,
                                xv.begin() + (batch[r] * c_n + c + 1) * h * w);
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          double acc = 0;
          bool first = true;
          for (int64_t a = 0; a < gh; ++a)
            for (int64_t b = 0; b < gw; ++b) {
              const double yy = y1 + i * bh + (a + 0.5) * bh / gh, xx = x1 + j * bw + (b + 0.5) * bw / gw;
              double wts[4], vals[4];
              const double v = roi_bilinear(plane, h, w, yy, xx, wts, vals);
              if (max_mode) {
                double m = wts[0] * vals[0];
                for (int k = 1; k < 4; ++k) m = std::max(m, wts[k] * vals[k]);
                acc = first ? m : std::max(acc, m);
                first = false;
              } else {
                acc += v;
              }
            }
          y.push_back(max_mode ? acc : acc / std::max<int64_t>(gh * gw, 1));
        }
    }
  }
  return y;
}

NodeRun roi_node(const Tensor& x, const std::vector<double>& rois, const std::vector<int64_t>& batch,
                 std::vector<Attribute> attrs, int64_t opset = 16) {
  std::vector<float> rf(rois.begin(), rois.end());
  return op_node("RoiAlign", opset, std::move(attrs),
                 {x, Tensor::from_vector<float>(rf, {static_cast<int64_t>(batch.size()), 4}),
                  Tensor::from_vector<int64_t>(batch, {static_cast<int64_t>(batch.size())})});
}

}  // namespace

TEST_CASE("RoiAlign matches the reference (modes, sampling, coordinate modes, opsets)", "[roialign]") {
  TestThreadPool tp(2);
  Tensor x = random_float({2, 3, 6, 7}, 1, 0, 4);
  const std::vector<double> rois{0, 0, 6, 5, 1.5, 2.2, 4.1, 5.3, -2, -1, 3, 2, 5.5, 4, 9, 8, 2, 2, 2.2, 2.3};
  const std::vector<int64_t> batch{0, 1, 1, 0, 1};
  uint32_t n = 0;
  for (const char* mode : {"avg", "max"})
    for (int64_t ratio : {0, 2})
      for (double scale : {1.0, 0.5})
        for (const char* ct : {"half_pixel", "output_half_pixel"}) {
          INFO(mode << " ratio " << ratio << " scale " << scale << " " << ct);
          std::vector<Attribute> attrs{attr_string("mode", mode),
                                       attr_int("output_height", 3),
                                       attr_int("output_width", 2),
                                       attr_int("sampling_ratio", ratio),
                                       attr_float("spatial_scale", static_cast<float>(scale)),
                                       attr_string("coordinate_transformation_mode", ct)};
          const bool half = std::string(ct) == "half_pixel";
          std::vector<double> fr;
          for (double v : rois) fr.push_back(static_cast<float>(v));
          Tensor y = run_node(roi_node(x, rois, batch, attrs), ++n % 2 ? tp.pool : nullptr).outputs[0];
          expect_close(y, {5, 3, 3, 2},
                       ref_roi_align(x, fr, batch, 3, 2, ratio, scale, half, std::string(mode) == "max"),
                       1e-5);
          if (!half) {  // opset 10 has no coordinate_transformation_mode and behaves like output_half_pixel
            attrs.pop_back();
            Tensor y10 = run_node(roi_node(x, rois, batch, attrs, 10)).outputs[0];
            require_same(y10, y);
          }
        }
  // Defaults: 1x1 output, avg, half_pixel.
  Tensor y = run_node(roi_node(x, {1, 1, 4, 5}, {1}, {})).outputs[0];
  expect_close(y, {1, 3, 1, 1}, ref_roi_align(x, {1, 1, 4, 5}, {1}, 1, 1, 0, 1, true, false), 1e-5);
}

TEST_CASE("RoiAlign rejects invalid inputs with Error", "[roialign][errors]") {
  Tensor x = random_float({1, 2, 4, 4}, 1);
  CHECK_THROWS_AS(run_node(roi_node(x, {0, 0, 2, 2}, {1}, {})), Error);   // batch index out of range
  CHECK_THROWS_AS(run_node(roi_node(x, {0, 0, 2, 2}, {-1}, {})), Error);  // negative batch index
  CHECK_THROWS_AS(run_node(roi_node(x, {0, 0, NAN, 2}, {0}, {})), Error);
  CHECK_THROWS_AS(run_node(roi_node(x, {0, 0, 1e30, 1e30}, {0}, {})), Error);  // too many samples
  CHECK_THROWS_AS(run_node(roi_node(x, {0, 0, 2, 2}, {0}, {attr_string("mode", "sum")})), Error);
  CHECK_THROWS_AS(run_node(roi_node(x, {0, 0, 2, 2}, {0}, {attr_int("output_height", 0)})), Error);
  CHECK_THROWS_AS(run_node(roi_node(x, {0, 0, 2, 2}, {0}, {attr_int("sampling_ratio", -1)})), Error);
  CHECK_THROWS_AS(
      run_node(roi_node(x, {0, 0, 2, 2}, {0}, {attr_string("coordinate_transformation_mode", "x")})), Error);
  NodeRun bad_shape = roi_node(x, {0, 0, 2, 2}, {0}, {});
  bad_shape.inputs[1] = random_float({1, 3}, 2);
  CHECK_THROWS_AS(run_node(bad_shape), Error);
  NodeRun bad_count = roi_node(x, {0, 0, 2, 2, 0, 0, 1, 1}, {0, 0}, {});
  bad_count.inputs[2] = Tensor::from_vector<int64_t>({0}, {1});
  CHECK_THROWS_AS(run_node(bad_count), Error);
  // Empty image: every sample is outside.
  Tensor empty = Tensor(DType::Float, {1, 2, 0, 4});
  require_values(run_node(roi_node(empty, {0, 0, 2, 2}, {0}, {})).outputs[0], {0, 0});
}

namespace {

std::vector<int64_t> nms_values(const Tensor& t) {
  REQUIRE(t.dtype() == DType::Int64);
  REQUIRE(t.rank() == 2);
  REQUIRE(t.dim(1) == 3);
  return std::vector<int64_t>(t.data<int64_t>(), t.data<int64_t>() + t.numel());
}

NodeRun nms_node(const std::vector<float>& boxes, Shape box_shape, const std::vector<float>& scores,
                 Shape score_shape, int64_t max_out, float iou, std::optional<float> score_threshold,
                 int64_t center = 0) {
  NodeRun r =
      op_node("NonMaxSuppression", 11, {attr_int("center_point_box", center)},
              {Tensor::from_vector<float>(boxes, box_shape), Tensor::from_vector<float>(scores, score_shape),
               Tensor::from_vector<int64_t>({max_out}, {1}), Tensor::from_vector<float>({iou}, {1})});
  if (score_threshold) r.inputs.push_back(Tensor::from_vector<float>({*score_threshold}, {1}));
  return r;
}

}  // namespace

TEST_CASE("NonMaxSuppression hand-worked cases", "[nms]") {
  // Six boxes; 0-2 overlap heavily, 3-4 overlap, 5 alone (ONNX's suppress_by_IOU layout).
  const std::vector<float> boxes{0, 0,  1, 1,  0, 0.1f,  1, 1.1f,  0, -0.1f, 1, 0.9f,
                                 0, 10, 1, 11, 0, 10.1f, 1, 11.1f, 0, 100,   1, 101};
  const std::vector<float> scores{0.9f, 0.75f, 0.6f, 0.95f, 0.5f, 0.3f};
  CHECK(nms_values(run_node(nms_node(boxes, {1, 6, 4}, scores, {1, 1, 6}, 3, 0.5f, 0.0f)).outputs[0]) ==
        std::vector<int64_t>{0, 0, 3, 0, 0, 0, 0, 0, 5});
  // Score threshold drops box 5; a limit of 2 keeps the two best.
  CHECK(nms_values(run_node(nms_node(boxes, {1, 6, 4}, scores, {1, 1, 6}, 3, 0.5f, 0.4f)).outputs[0]) ==
        std::vector<int64_t>{0, 0, 3, 0, 0, 0});
  CHECK(
      nms_values(run_node(nms_node(boxes, {1, 6, 4}, scores, {1, 1, 6}, 2, 0.5f, std::nullopt)).outputs[0]) ==
      std::vector<int64_t>{0, 0, 3, 0, 0, 0});
  // max_output_boxes_per_class 0 (or omitted): nothing.
  CHECK(run_node(nms_node(boxes, {1, 6, 4}, scores, {1, 1, 6}, 0, 0.5f, 0.0f)).outputs[0].shape() ==
        Shape{0, 3});
  NodeRun only_two =
      op_node("NonMaxSuppression", 10, {},
              {Tensor::from_vector<float>(boxes, {1, 6, 4}), Tensor::from_vector<float>(scores, {1, 1, 6})});
  CHECK(run_node(only_two).outputs[0].shape() == Shape{0, 3});
  // Flipped corners and center-point boxes describe the same boxes.
  std::vector<float> flipped, centers;
  for (size_t i = 0; i < boxes.size(); i += 4) {
    flipped.insert(flipped.end(), {boxes[i + 2], boxes[i + 3], boxes[i], boxes[i + 1]});
    centers.insert(centers.end(), {(boxes[i + 1] + boxes[i + 3]) / 2, (boxes[i] + boxes[i + 2]) / 2,
                                   boxes[i + 3] - boxes[i + 1], boxes[i + 2] - boxes[i]});
  }
  CHECK(nms_values(run_node(nms_node(flipped, {1, 6, 4}, scores, {1, 1, 6}, 3, 0.5f, 0.0f)).outputs[0]) ==
        std::vector<int64_t>{0, 0, 3, 0, 0, 0, 0, 0, 5});
  CHECK(nms_values(run_node(nms_node(centers, {1, 6, 4}, scores, {1, 1, 6}, 3, 0.5f, 0.0f, 1)).outputs[0]) ==
        std::vector<int64_t>{0, 0, 3, 0, 0, 0, 0, 0, 5});
  // Two batches, two classes: rows ordered by batch, then class, then selection.
  std::vector<float> boxes2 = boxes;
  boxes2.insert(boxes2.end(), boxes.begin(), boxes.end());
  std::vector<float> scores2;
  for (int k = 0; k < 4; ++k) scores2.insert(scores2.end(), scores.begin(), scores.end());
  CHECK(nms_values(run_node(nms_node(boxes2, {2, 6, 4}, scores2, {2, 2, 6}, 2, 0.5f, 0.0f)).outputs[0]) ==
        std::vector<int64_t>{0, 0, 3, 0, 0, 0, 0, 1, 3, 0, 1, 0, 1, 0, 3, 1, 0, 0, 1, 1, 3, 1, 1, 0});
  // Identical scores: lower index first.
  CHECK(nms_values(
            run_node(nms_node({0, 0, 1, 1, 0, 0, 1, 1}, {1, 2, 4}, {0.5f, 0.5f}, {1, 1, 2}, 5, 0.5f, 0.0f))
                .outputs[0]) == std::vector<int64_t>{0, 0, 0});
}

TEST_CASE("NonMaxSuppression matches a brute-force greedy reference", "[nms]") {
  TestRng rng(5);
  for (int trial = 0; trial < 20; ++trial) {
    const int64_t n = 1 + trial % 9, classes = 1 + trial % 3;
    std::vector<float> boxes, scores;
    for (int64_t i = 0; i < n; ++i) {
      const double y = rng.uniform(0, 5), x = rng.uniform(0, 5);
      boxes.insert(boxes.end(),
                   {static_cast<float>(y), static_cast<float>(x), static_cast<float>(y + rng.uniform(0.5, 3)),
                    static_cast<float>(x + rng.uniform(0.5, 3))});
    }
    for (int64_t i = 0; i < n * classes; ++i) scores.push_back(static_cast<float>(rng.uniform(0, 1)));
    const float iou = static_cast<float>(rng.uniform(0.1, 0.7));
    const int64_t max_out = 1 + trial % 4;
    std::vector<int64_t> want;
    for (int64_t c = 0; c < classes; ++c) {
      std::vector<int64_t> order(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) order[static_cast<size_t>(i)] = i;
      std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
        return scores[static_cast<size_t>(c * n + a)] > scores[static_cast<size_t>(c * n + b)];
      });
      std::vector<int64_t> kept;
      for (int64_t i : order) {
        if (static_cast<int64_t>(kept.size()) == max_out) break;
        if (scores[static_cast<size_t>(c * n + i)] <= 0.2f) continue;
        bool ok = true;
        for (int64_t k : kept) {
          const float* a = &boxes[static_cast<size_t>(i * 4)];
          const float* b = &boxes[static_cast<size_t>(k * 4)];
          const double ih = std::min<double>(a[2], b[2]) - std::max<double>(a[0], b[0]);
          const double iw = std::min<double>(a[3], b[3]) - std::max<double>(a[1], b[1]);
          if (ih <= 0 || iw <= 0) continue;
          const double inter = ih * iw;
          const double uni = (double(a[2]) - a[0]) * (double(a[3]) - a[1]) +
                             (double(b[2]) - b[0]) * (double(b[3]) - b[1]) - inter;
          if (inter / uni > iou) ok = false;
        }
        if (ok) {
          kept.push_back(i);
          want.insert(want.end(), {0, c, i});
        }
      }
    }
    INFO("trial " << trial);
    CHECK(nms_values(
              run_node(nms_node(boxes, {1, n, 4}, scores, {1, classes, n}, max_out, iou, 0.2f)).outputs[0]) ==
          want);
  }
}

TEST_CASE("NonMaxSuppression rejects invalid inputs with Error", "[nms][errors]") {
  const std::vector<float> box{0, 0, 1, 1};
  CHECK_THROWS_AS(run_node(nms_node(box, {1, 1, 4}, {0.5f, 0.5f}, {1, 1, 2}, 1, 0.5f, 0.0f)), Error);
  CHECK_THROWS_AS(run_node(nms_node(box, {1, 4, 1}, {0.5f}, {1, 1, 1}, 1, 0.5f, 0.0f)), Error);
  CHECK_THROWS_AS(run_node(nms_node(box, {1, 1, 4}, {0.5f}, {1, 1, 1}, 1, 1.5f, 0.0f)), Error);
  CHECK_THROWS_AS(run_node(nms_node(box, {1, 1, 4}, {0.5f}, {1, 1, 1}, 1, 0.5f, 0.0f, 2)), Error);
  NodeRun two_max = nms_node(box, {1, 1, 4}, {0.5f}, {1, 1, 1}, 1, 0.5f, 0.0f);
  two_max.inputs[2] = Tensor::from_vector<int64_t>({1, 2}, {2});
  CHECK_THROWS_AS(run_node(two_max), Error);
}
