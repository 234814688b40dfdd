// onnxi run MODEL [--input NAME=FILE ...] [--random] [--output-dir DIR] [--threads N] ...
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>

#include "cli/commands.h"
#include "cli/json.h"
#include "cli/tensor_util.h"
#include "onnxi/io.h"

namespace onnxi::cli {

namespace {

struct RunOptions {
  std::string model;
  std::vector<std::string> inputs;
  std::vector<std::string> compare;
  bool random = false;
  uint32_t seed = 0;
  std::string output_dir;
  SessionFlags session;
  int runs = 1;
  int top = 5;
  double max_rel_error = -1;
  bool json = false;
  bool quiet = false;
  std::string output_format = "npy";
};

// Version of the --json document; bump when a field changes meaning or is removed.
constexpr int kRunJsonVersion = 1;
// Outputs up to this many elements have their values in the --json document.
constexpr int64_t kJsonMaxValues = 4096;

std::string json_shape(const Shape& s) {
  std::string o = "[";
  for (size_t i = 0; i < s.size(); ++i) o += (i ? "," : "") + std::to_string(s[i]);
  return o + "]";
}

std::string json_tensor(const std::string& name, const Tensor& t) {
  std::string o = "{\"name\":" + json_string(name);
  if (t.is_none()) return o + ",\"kind\":\"optional\",\"value\":null}";
  if (t.is_map())
    return o + ",\"kind\":\"map\",\"keys\":" + json_tensor(name + ".keys", t.map_keys()) +
           ",\"values\":" + json_tensor(name + ".values", t.map_values()) + "}";
  if (t.is_sequence()) {
    o += ",\"kind\":\"sequence\",\"elements\":[";
    for (size_t i = 0; i < t.elements().size(); ++i)
      o += (i ? "," : "") + json_tensor(name + "[" + std::to_string(i) + "]", t.elements()[i]);
    return o + "]}";
  }
  o += ",\"kind\":\"tensor\",\"dtype\":" + json_string(std::string(dtype_name(t.dtype()))) +
       ",\"shape\":" + json_shape(t.shape()) + ",\"values\":";
  if (t.numel() > kJsonMaxValues || t.dtype() == DType::Complex64 || t.dtype() == DType::Complex128)
    return o + "null}";
  o += "[";
  for (int64_t i = 0; i < t.numel(); ++i) {
    if (i) o += ",";
    if (t.dtype() == DType::String)
      o += json_string(t.strings()[i]);
    else if (t.dtype() == DType::Int64)
      o += std::to_string(t.data<int64_t>()[i]);
    else if (t.dtype() == DType::UInt64)
      o += std::to_string(t.data<uint64_t>()[i]);
    else if (t.dtype() == DType::Bool)
      o += t.data<bool>()[i] ? "true" : "false";
    else {
      char buf[40];
      double v = element_as_double(t, i);
      if (is_integer_dtype(t.dtype())) {
        std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));  // exact below 64 bits
        o += buf;
      } else if (std::isfinite(v)) {
        // Enough digits to read back the same float32 / float64.
        std::snprintf(buf, sizeof buf, t.dtype() == DType::Double ? "%.17g" : "%.9g", v);
        o += buf;
      } else {
        o += "null";
      }
    }
  }
  return o + "]}";
}

double elapsed_ms(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

Tensor random_tensor(const IOInfo& io, std::mt19937& rng) {
  Shape shape;
  for (int64_t d : io.shape) shape.push_back(d < 0 ? 1 : d);
  Tensor t(io.dtype, shape);
  std::normal_distribution<float> normal(0.f, 1.f);
  std::uniform_int_distribution<int> small(0, 9);
  switch (io.dtype) {
    case DType::Float:
      for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = normal(rng);
      break;
    case DType::Double:
      for (int64_t i = 0; i < t.numel(); ++i) t.data<double>()[i] = normal(rng);
      break;
    case DType::Int64:
      for (int64_t i = 0; i < t.numel(); ++i) t.data<int64_t>()[i] = small(rng);
      break;
    case DType::Int32:
      for (int64_t i = 0; i < t.numel(); ++i) t.data<int32_t>()[i] = small(rng);
      break;
    case DType::Bool:
      for (int64_t i = 0; i < t.numel(); ++i) t.data<bool>()[i] = small(rng) < 5;
      break;
    default:
      throw Error(Stage::Usage, "--random cannot make inputs of type " + std::string(dtype_name(io.dtype)) +
                                    " (input '" + io.name + "'); give it with --input");
  }
  return t;
}

void print_output(const std::string& name, const Tensor& t, int top) {
  if (t.is_none()) {
    std::printf("output %s: empty optional\n", name.c_str());
    return;
  }
  if (t.is_map()) {
    std::printf("output %s: map of %lld %s keys to %s values\n", name.c_str(),
                static_cast<long long>(t.map_keys().numel()), std::string(dtype_name(t.map_keys().dtype())).c_str(),
                std::string(dtype_name(t.dtype())).c_str());
    return;
  }
  if (t.is_sequence()) {
    bool maps = !t.elements().empty() && t.elements()[0].is_map();
    std::printf("output %s: sequence of %zu %s %s\n", name.c_str(), t.elements().size(),
                std::string(dtype_name(t.dtype())).c_str(), maps ? "maps" : "tensors");
    for (size_t i = 0; i < t.elements().size(); ++i)
      print_output(name + "[" + std::to_string(i) + "]", t.elements()[i], top);
    return;
  }
  std::printf("output %s: %s %s\n", name.c_str(), std::string(dtype_name(t.dtype())).c_str(),
              shape_to_string(t.shape()).c_str());
  if (t.dtype() == DType::String) return;
  std::printf("  values:");
  for (int64_t i = 0; i < std::min<int64_t>(t.numel(), 8); ++i) std::printf(" %.6g", element_as_double(t, i));
  if (t.numel() > 8) std::printf(" ...");
  std::printf("\n");
  // Classifier output: [N, 1000] (or [1000]): top-K per item with softmax probabilities.
  if (t.rank() >= 1 && t.shape().back() == 1000 && top > 0) {
    const int64_t classes = 1000, items = t.numel() / classes;
    for (int64_t b = 0; b < items; ++b) {
      std::vector<std::pair<double, int64_t>> v;
      double mx = -INFINITY;
      for (int64_t c = 0; c < classes; ++c) mx = std::max(mx, element_as_double(t, b * classes + c));
      double sum = 0;
      for (int64_t c = 0; c < classes; ++c) {
        double x = element_as_double(t, b * classes + c);
        sum += std::exp(x - mx);
        v.push_back({x, c});
      }
      std::partial_sort(v.begin(), v.begin() + top, v.end(), [](auto& a, auto& c) { return a.first > c.first; });
      std::printf("  top-%d [%lld]:", top, static_cast<long long>(b));
      for (int k = 0; k < top; ++k)
        std::printf(" %lld (%.4f, p=%.4f)", static_cast<long long>(v[k].second), v[k].first,
                    std::exp(v[k].first - mx) / sum);
      std::printf("\n");
    }
  }
}

// Max abs difference and max |expected|; throws when shapes or types differ.
std::pair<double, double> compare(const Tensor& got, const Tensor& want, const std::string& name) {
  if (!got.is_tensor() || !want.is_tensor())
    throw Error(Stage::Usage, "--compare handles tensors only (output '" + name +
                                  "'); `onnxi test` compares sequences and optionals");
  if (got.shape() != want.shape() || got.dtype() != want.dtype())
    throw Error(Stage::Run, "output '" + name + "' is " + std::string(dtype_name(got.dtype())) +
                                shape_to_string(got.shape()) + ", the reference is " +
                                std::string(dtype_name(want.dtype())) + shape_to_string(want.shape()));
  double max_diff = 0, max_ref = 0;
  for (int64_t i = 0; i < got.numel(); ++i) {
    double g = element_as_double(got, i), w = element_as_double(want, i);
    max_diff = std::max(max_diff, std::fabs(g - w));
    max_ref = std::max(max_ref, std::fabs(w));
  }
  return {max_diff, max_ref};
}

}  // namespace

Command add_run(CLI::App& app) {
  auto o = std::make_shared<RunOptions>();
  app.add_option("model", o->model, "ONNX model file")->required();
  app.add_option("-i,--input", o->inputs, "Input as NAME=FILE (.pb TensorProto or .npy); repeatable");
  app.add_flag("--random", o->random, "Fill inputs not given with --input with seeded random values");
  app.add_option("--seed", o->seed, "Seed for --random");
  app.add_option("-o,--output-dir", o->output_dir, "Write each output to DIR/<name>.npy (or .pb)");
  app.add_option("--output-format", o->output_format, "File format for --output-dir: npy (default) or pb (TensorProto)")
      ->check(CLI::IsMember({"npy", "pb"}));
  add_session_flags(app, o->session, "Threads (default: one per core)");
  app.add_option("-r,--runs", o->runs, "Timed runs after the first (latency median is printed)")
      ->check(CLI::Range(1, 1000000));
  app.add_option("--compare", o->compare, "Compare an output with a reference: NAME=FILE; repeatable");
  app.add_option("--max-rel-error", o->max_rel_error,
                 "With --compare: exit 1 when max abs diff / max |reference| exceeds this");
  app.add_option("--top", o->top, "Classes shown for a 1000-class output")->check(CLI::Range(0, 1000));
  app.add_flag("--json", o->json,
               "Print one JSON document (format \"onnxi-run\", version 1): inputs, outputs (values of outputs up to "
               "4096 elements), comparisons, timings");
  app.add_flag("-q,--quiet", o->quiet, "Print nothing but comparison failures (exit status tells the rest)");
  app.footer(
      "Examples:\n"
      "  onnxi run models/resnet50/model.onnx --input input=models/resnet50/test_data_set_0/input_0.pb\n"
      "  onnxi run model.onnx --random --runs 20 --threads 2\n"
      "  onnxi run model.onnx -i x=x.npy --output-dir out/\n"
      "  onnxi run model.onnx -i x=x.npy --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"outputs\"])'");
  return [o]() {
    auto t0 = std::chrono::steady_clock::now();
    auto session = Session::from_file(o->model, o->session.options());
    double create_ms = elapsed_ms(t0);

    std::map<std::string, Tensor> feeds = read_feeds(o->inputs);
    std::mt19937 rng(o->seed);
    for (const auto& io : session->inputs()) {
      if (feeds.count(io.name)) continue;
      if (o->random) {
        if (!io.has_shape) throw Error(Stage::Usage, "--random needs a declared shape for input '" + io.name + "'");
        feeds[io.name] = random_tensor(io, rng);
      }
    }
    const bool human = !o->json && !o->quiet;
    for (const auto& [name, t] : feeds)
      if (human)
        std::printf("input  %s: %s %s\n", name.c_str(), std::string(dtype_name(t.dtype())).c_str(),
                  shape_to_string(t.shape()).c_str());

    t0 = std::chrono::steady_clock::now();
    std::vector<Tensor> outputs = session->run(feeds);
    double first_ms = elapsed_ms(t0);
    std::vector<double> times;
    for (int r = 1; r < o->runs; ++r) {
      t0 = std::chrono::steady_clock::now();
      outputs = session->run(feeds);
      times.push_back(elapsed_ms(t0));
    }
    const auto& outs = session->outputs();
    if (human)
      for (size_t i = 0; i < outputs.size(); ++i) print_output(outs[i].name, outputs[i], o->top);

    int status = 0;
    std::string json_compare;
    for (const auto& spec : o->compare) {
      const auto assignment = split_assignment(spec, "--compare");
      const std::string& name = assignment.first;
      const std::string& file = assignment.second;
      auto it = std::find_if(outs.begin(), outs.end(), [&](const IOInfo& io) { return io.name == name; });
      if (it == outs.end()) throw Error(Stage::Usage, "--compare names unknown output '" + name + "'");
      auto [diff, ref] = compare(outputs[it - outs.begin()], read_tensor_file(file), name);
      double rel = ref > 0 ? diff / ref : diff;
      bool ok = o->max_rel_error < 0 || rel <= o->max_rel_error;
      json_compare += (json_compare.empty() ? "" : ",") + std::string("{\"output\":") + json_string(name) +
                      ",\"max_abs_diff\":" + json_number(diff) + ",\"max_abs_reference\":" + json_number(ref) +
                      ",\"relative\":" + json_number(rel) + ",\"ok\":" + (ok ? "true" : "false") + "}";
      if (!o->json && (!o->quiet || !ok))
        std::printf("compare %s: max abs diff %.3g, max |reference| %.3g, relative %.3g%s\n", name.c_str(), diff, ref,
                  rel, o->max_rel_error < 0 ? "" : ok ? " (ok)" : " (FAIL: above --max-rel-error)");
      if (!ok) status = 1;
    }
    if (!o->output_dir.empty()) write_outputs(o->output_dir, outs, outputs, o->output_format);
    if (o->json) {
      std::string j = "{\"format\":\"onnxi-run\",\"version\":" + std::to_string(kRunJsonVersion) +
                      ",\"model\":" + json_string(o->model) + ",\"inputs\":[";
      bool first = true;
      for (const auto& [name, t] : feeds) {
        j += std::string(first ? "" : ",") + "{\"name\":" + json_string(name) + ",\"dtype\":" +
             json_string(std::string(dtype_name(t.dtype()))) + ",\"shape\":" + json_shape(t.shape()) + "}";
        first = false;
      }
      j += "],\"outputs\":[";
      for (size_t i = 0; i < outputs.size(); ++i) j += (i ? "," : "") + json_tensor(outs[i].name, outputs[i]);
      std::vector<double> sorted = times;
      std::sort(sorted.begin(), sorted.end());
      j += "],\"compare\":[" + json_compare + "],\"session_create_ms\":" + json_number(create_ms) +
           ",\"first_run_ms\":" + json_number(first_ms) + ",\"median_ms\":" +
           (sorted.empty() ? std::string("null") : json_number(sorted[sorted.size() / 2])) +
           ",\"runs\":" + std::to_string(o->runs) + ",\"output_dir\":" +
           (o->output_dir.empty() ? std::string("null") : json_string(o->output_dir)) + "}\n";
      std::fputs(j.c_str(), stdout);
      return status;
    }
    if (o->quiet) return status;
    std::printf("session created in %.1f ms; first run %.2f ms", create_ms, first_ms);
    if (!times.empty()) {
      std::vector<double> sorted = times;
      std::sort(sorted.begin(), sorted.end());
      std::printf("; latency median %.2f ms (min %.2f, max %.2f) over %zu runs", sorted[sorted.size() / 2],
                  sorted.front(), sorted.back(), sorted.size());
    }
    std::printf("\n");
    return status;
  };
}

}  // namespace onnxi::cli
