// onnxi profile MODEL: where the time goes. Per-node table (provider, output shape, median
// time, share, GFLOP/s), per-op-type summary, memory plan, layout report; a Chrome trace
// (--trace) and a versioned JSON document (--json). Timings are printed, never asserted.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "cli/commands.h"
#include "cli/json.h"
#include "cli/progress.h"

namespace onnxi::cli {

namespace {

// Version of the --json document; bump when a field changes meaning or is removed.
constexpr int kProfileJsonVersion = 1;

struct ProfileOptions {
  std::string model;
  SessionFlags session;
  int runs = 10;
  int warmup = 1;
  int64_t batch = 1;
  uint32_t seed = 0;
  std::vector<std::string> inputs;
  std::string trace;
  bool json = false;
  bool quiet = false;
  int top = 0;
};

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

struct NodeRow {
  NodeProfile p;
  std::vector<double> timed;  // the timed runs only (warmup dropped)
  double median_ms = 0;
};

struct OpRow {
  std::string op;
  size_t count = 0;
  double ms = 0;
  double flops = 0;
};

double gflops(double flops, double ms) { return flops > 0 && ms > 0 ? flops / (ms * 1e6) : 0; }

std::string shape_text(const Shape& s) { return s.empty() ? "[]" : format_shape(s); }

// Chrome trace event format ("X" complete events, microseconds). The session records each
// node's duration, not its start, so each run's nodes are laid end to end from the run's
// start; runs follow each other with the sum of their node times as the offset.
void write_trace(const std::string& path, const std::vector<NodeRow>& rows, int runs) {
  std::ofstream f(path);
  if (!f) throw Error(Stage::Io, "cannot write trace file " + path);
  f << "{\"traceEvents\":[\n";
  f << "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"tid\":1,\"args\":{\"name\":\"onnxi\"}}";
  double ts = 0;
  for (int r = 0; r < runs; ++r) {
    double run_start = ts;
    for (const auto& row : rows) {
      if (static_cast<size_t>(r) >= row.timed.size()) continue;
      double dur = row.timed[r] * 1000.0;
      f << ",\n{\"name\":" << json_string(row.p.name) << ",\"cat\":" << json_string(row.p.op_type)
        << ",\"ph\":\"X\",\"pid\":1,\"tid\":1,\"ts\":" << json_number(ts) << ",\"dur\":" << json_number(dur)
        << ",\"args\":{\"op_type\":" << json_string(row.p.op_type)
        << ",\"provider\":" << json_string(row.p.provider)
        << ",\"output_shape\":" << json_string(shape_text(row.p.output_shape)) << ",\"run\":" << r << "}}";
      ts += dur;
    }
    f << ",\n{\"name\":\"run " << r
      << "\",\"cat\":\"run\",\"ph\":\"X\",\"pid\":1,\"tid\":2,\"ts\":" << json_number(run_start)
      << ",\"dur\":" << json_number(ts - run_start) << "}";
  }
  f << "\n],\"displayTimeUnit\":\"ms\"}\n";
  if (!f) throw Error(Stage::Io, "error writing trace file " + path);
}

}  // namespace

Command add_profile(CLI::App& app) {
  auto o = std::make_shared<ProfileOptions>();
  app.add_option("model", o->model, "ONNX model file")->required();
  add_session_flags(app, o->session, "Threads (default: one per core)");
  app.add_option("-r,--runs", o->runs, "Timed runs; each node's median is reported (default 10)")
      ->check(CLI::Range(1, 100000));
  app.add_option("-w,--warmup", o->warmup, "Untimed runs first (default 1)")->check(CLI::Range(0, 100000));
  app.add_option("-b,--batch", o->batch, "Size of dynamic dims for random inputs (default 1)")
      ->check(CLI::Range(int64_t(1), int64_t(1) << 20));
  app.add_option("-i,--input", o->inputs, "Input as NAME=FILE (.pb or .npy); others are seeded random");
  app.add_option("--seed", o->seed, "Seed for random inputs");
  app.add_option("--trace", o->trace, "Write a Chrome trace (JSON; open in Perfetto or chrome://tracing)");
  app.add_option("--top", o->top, "Show only the N slowest nodes in the table (default: all)")
      ->check(CLI::Range(0, 1000000));
  app.add_flag("--json", o->json, "Print one JSON document (format \"onnxi-profile\", version 1) instead");
  app.add_flag("-q,--quiet", o->quiet, "No progress bar");
  app.footer(
      "Times are per node, measured around each kernel call; \"share\" is of the sum of node medians.\n"
      "GFLOP/s is shown for the ops whose kernels estimate their FLOPs: Conv, ConvTranspose, Gemm,\n"
      "MatMul (2 flops per multiply-add).\n"
      "\n"
      "Examples:\n"
      "  onnxi profile models/resnet50/model.onnx\n"
      "  onnxi profile models/resnet50/model.onnx --runs 20 --threads 1 --top 15\n"
      "  onnxi profile models/resnet50/model.onnx --trace resnet50.trace.json\n"
      "  onnxi profile model.onnx --json | python3 -m json.tool");
  return [o]() {
    SessionOptions so = o->session.options();
    so.profile = true;
    auto t0 = std::chrono::steady_clock::now();
    auto session = Session::from_file(o->model, so);
    double create_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    std::map<std::string, Tensor> feeds = make_timing_feeds(*session, o->inputs, o->batch, o->seed);

    Progress progress("profile", static_cast<size_t>(o->warmup + o->runs), o->quiet || o->json);
    for (int i = 0; i < o->warmup + o->runs; ++i) {
      progress.update(static_cast<size_t>(i), i < o->warmup ? "warmup" : "timed runs");
      session->run(feeds);
    }
    progress.clear();

    std::vector<NodeRow> rows;
    double total_ms = 0;
    for (auto& p : session->profile()) {
      NodeRow row;
      size_t n = p.times_ms.size(), keep = std::min<size_t>(n, static_cast<size_t>(o->runs));
      row.timed.assign(p.times_ms.end() - static_cast<std::ptrdiff_t>(keep), p.times_ms.end());
      row.median_ms = median(row.timed);
      row.p = std::move(p);
      total_ms += row.median_ms;
      rows.push_back(std::move(row));
    }
    std::map<std::string, OpRow> by_op;
    for (const auto& r : rows) {
      OpRow& op = by_op[r.p.op_type];
      op.op = r.p.op_type;
      op.count++;
      op.ms += r.median_ms;
      op.flops += r.p.flops;
    }
    std::vector<OpRow> ops;
    for (auto& [k, v] : by_op) ops.push_back(v);
    std::stable_sort(ops.begin(), ops.end(), [](const OpRow& a, const OpRow& b) { return a.ms > b.ms; });
    PlanStats st = session->plan_stats();
    double rss = peak_rss_mb();
    double total_flops = 0;
    for (const auto& r : rows) total_flops += r.p.flops;
    if (!o->trace.empty()) write_trace(o->trace, rows, o->runs);

    if (o->json) {
      std::ostringstream j;
      j << "{\"format\":\"onnxi-profile\",\"version\":" << kProfileJsonVersion
        << ",\"model\":" << json_string(o->model) << ",\"threads\":" << o->session.threads
        << ",\"runs\":" << o->runs << ",\"warmup\":" << o->warmup
        << ",\"session_create_ms\":" << json_number(create_ms) << ",\"total_ms\":" << json_number(total_ms)
        << ",\"total_gflop\":" << json_number(total_flops / 1e9) << ",\"nodes\":[";
      for (size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        j << (i ? "," : "") << "{\"name\":" << json_string(r.p.name)
          << ",\"op_type\":" << json_string(r.p.op_type) << ",\"provider\":" << json_string(r.p.provider)
          << ",\"output_shape\":[";
        for (size_t k = 0; k < r.p.output_shape.size(); ++k) j << (k ? "," : "") << r.p.output_shape[k];
        j << "],\"median_ms\":" << json_number(r.median_ms)
          << ",\"share\":" << json_number(total_ms > 0 ? r.median_ms / total_ms : 0)
          << ",\"flops\":" << json_number(r.p.flops)
          << ",\"gflops_per_s\":" << (r.p.flops > 0 ? json_number(gflops(r.p.flops, r.median_ms)) : "null")
          << ",\"times_ms\":[";
        for (size_t k = 0; k < r.timed.size(); ++k) j << (k ? "," : "") << json_number(r.timed[k]);
        j << "]}";
      }
      j << "],\"op_types\":[";
      for (size_t i = 0; i < ops.size(); ++i)
        j << (i ? "," : "") << "{\"op_type\":" << json_string(ops[i].op) << ",\"count\":" << ops[i].count
          << ",\"ms\":" << json_number(ops[i].ms)
          << ",\"share\":" << json_number(total_ms > 0 ? ops[i].ms / total_ms : 0) << ",\"gflops_per_s\":"
          << (ops[i].flops > 0 ? json_number(gflops(ops[i].flops, ops[i].ms)) : "null") << "}";
      j << "],\"memory\":{\"arena_bytes\":" << st.arena_bytes << ",\"weights_bytes\":" << st.weights_bytes
        << ",\"peak_rss_mb\":" << json_number(rss)
        << "},\"layout\":{\"transposes_inserted\":" << st.transposes_inserted
        << ",\"transposes_removed\":" << st.transposes_removed << ",\"rewrites\":{";
      bool first = true;
      for (const auto& [k, v] : st.rewrites) {
        j << (first ? "" : ",") << json_string(k) << ":" << v;
        first = false;
      }
      j << "}}}\n";
      std::fputs(j.str().c_str(), stdout);
      return 0;
    }

    std::printf("model %s: %zu nodes, %d timed runs (median per node), session created in %.1f ms\n\n",
                o->model.c_str(), rows.size(), o->runs, create_ms);
    std::vector<const NodeRow*> shown;
    for (const auto& r : rows) shown.push_back(&r);
    if (o->top > 0 && static_cast<size_t>(o->top) < shown.size()) {
      std::stable_sort(shown.begin(), shown.end(),
                       [](auto* a, auto* b) { return a->median_ms > b->median_ms; });
      shown.resize(static_cast<size_t>(o->top));
    }
    std::printf("%-4s %-36s %-22s %-8s %-20s %10s %7s %8s\n", "#", "node", "op", "provider", "output shape",
                "median ms", "share", "GFLOP/s");
    for (const NodeRow* r : shown) {
      char gf[32] = "";
      if (r->p.flops > 0) std::snprintf(gf, sizeof gf, "%.1f", gflops(r->p.flops, r->median_ms));
      std::printf("%-4zu %-36.36s %-22.22s %-8.8s %-20.20s %10.3f %6.1f%% %8s\n",
                  static_cast<size_t>(r - rows.data()), r->p.name.c_str(), r->p.op_type.c_str(),
                  r->p.provider.c_str(), shape_text(r->p.output_shape).c_str(), r->median_ms,
                  total_ms > 0 ? 100.0 * r->median_ms / total_ms : 0.0, gf);
    }
    if (shown.size() < rows.size())
      std::printf("     (%zu faster nodes not shown)\n", rows.size() - shown.size());
    char total_gf[32] = "";
    if (total_flops > 0) std::snprintf(total_gf, sizeof total_gf, "%.1f", gflops(total_flops, total_ms));
    std::printf("%-4s %-36s %-22s %-8s %-20s %10.3f %6.1f%% %8s\n\n", "", "total", "", "", "", total_ms,
                100.0, total_gf);

    std::printf("%-22s %6s %10s %7s %8s\n", "op type", "nodes", "ms", "share", "GFLOP/s");
    for (const auto& op : ops) {
      char gf[32] = "";
      if (op.flops > 0) std::snprintf(gf, sizeof gf, "%.1f", gflops(op.flops, op.ms));
      std::printf("%-22.22s %6zu %10.3f %6.1f%% %8s\n", op.op.c_str(), op.count, op.ms,
                  total_ms > 0 ? 100.0 * op.ms / total_ms : 0.0, gf);
    }
    std::printf("\nmemory   arena %.1f MB, weights %.1f MB, peak RSS %.1f MB\n", st.arena_bytes / 1048576.0,
                st.weights_bytes / 1048576.0, rss);
    std::printf("layout   %zu transposes inserted, %zu removed", st.transposes_inserted,
                st.transposes_removed);
    if (!st.rewrites.empty()) {
      std::printf("; rewrites:");
      for (const auto& [k, v] : st.rewrites) std::printf(" %s=%zu", k.c_str(), v);
    }
    std::printf("\n");
    if (!o->trace.empty()) std::printf("trace    %s\n", o->trace.c_str());
    return 0;
  };
}

}  // namespace onnxi::cli
