// onnxi bench MODEL: session creation, first run, latency distribution, throughput and
// peak RSS. A benchmark: numbers are printed, never asserted.
#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "cli/commands.h"
#include "cli/json.h"
#include "cli/progress.h"
#include "onnxi/io.h"

namespace onnxi::cli {

namespace {

struct BenchOptions {
  std::string model;
  SessionFlags session;
  int64_t batch = 1;
  int warmup = 3;
  int runs = 20;
  int concurrent = 1;
  std::vector<std::string> inputs;
  std::string output_dir;
  bool json = false;
  uint32_t seed = 0;
  bool quiet = false;
};

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * double(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

}  // namespace

Command add_bench(CLI::App& app) {
  auto o = std::make_shared<BenchOptions>();
  app.add_option("model", o->model, "ONNX model file")->required();
  add_session_flags(app, o->session, "Threads (default: one per core)");
  app.add_option("-b,--batch", o->batch, "Size of dynamic dims for random inputs (default 1)")
      ->check(CLI::Range(int64_t(1), int64_t(1) << 20));
  app.add_option("-w,--warmup", o->warmup, "Untimed runs after the first (default 3)")->check(CLI::Range(0, 100000));
  app.add_option("-r,--runs", o->runs, "Timed runs (default 20), shared by the concurrent callers")
      ->check(CLI::Range(1, 1000000));
  app.add_option("-c,--concurrent", o->concurrent,
                 "Callers running the one session at once, each on a thread of its own (default 1)")
      ->check(CLI::Range(1, 256));
  app.add_option("-i,--input", o->inputs, "Input as NAME=FILE (.pb or .npy); others are seeded random");
  app.add_option("-o,--output-dir", o->output_dir, "Write the outputs of the last run to DIR/<name>.npy");
  app.add_flag("--json", o->json, "Print one JSON document instead of the table");
  app.add_option("--seed", o->seed, "Seed for random inputs");
  app.add_flag("-q,--quiet", o->quiet, "No progress bar (it is drawn on stderr only when that is a terminal)");
  app.footer(
      "Examples:\n"
      "  onnxi bench models/resnet50/model.onnx --threads 1\n"
      "  onnxi bench models/resnet50/model.onnx --batch 8 --runs 50 --json\n"
      "  onnxi bench models/resnet50/model.onnx --threads 1 --concurrent 2 --runs 40");
  return [o]() {
    auto t0 = std::chrono::steady_clock::now();
    auto session = Session::from_file(o->model, o->session.options());
    double create_ms = ms_since(t0);

    std::map<std::string, Tensor> feeds = make_timing_feeds(*session, o->inputs, o->batch, o->seed);
    int64_t batch = 1;
    if (!feeds.empty() && feeds.begin()->second.rank() > 0) batch = feeds.begin()->second.dim(0);

    t0 = std::chrono::steady_clock::now();
    std::vector<Tensor> outputs = session->run(feeds);
    double first_ms = ms_since(t0);
    const int callers = o->concurrent;
    Progress progress("bench", static_cast<size_t>(o->warmup + o->runs), o->quiet);
    std::vector<double> times;
    double wall_ms = 0;
    if (callers == 1) {
      for (int i = 0; i < o->warmup; ++i) {
        progress.update(static_cast<size_t>(i), "warmup");
        session->run(feeds);
      }
      auto wall0 = std::chrono::steady_clock::now();
      for (int i = 0; i < o->runs; ++i) {
        progress.update(static_cast<size_t>(o->warmup + i), "timed runs");
        t0 = std::chrono::steady_clock::now();
        outputs = session->run(feeds);
        times.push_back(ms_since(t0));
      }
      wall_ms = ms_since(wall0);
    } else {
      // Every caller warms up (so each has its execution context), then all start the timed
      // runs together and take them from a shared count until `runs` are done.
      std::atomic<int> next{0};
      std::barrier start(callers + 1);
      std::vector<std::vector<double>> per_caller(static_cast<size_t>(callers));
      std::vector<std::string> errors(static_cast<size_t>(callers));
      std::vector<std::thread> threads;
      for (int c = 0; c < callers; ++c) {
        threads.emplace_back([&, c] {
          bool ok = true;
          try {
            for (int i = 0; i < std::max(1, o->warmup); ++i) session->run(feeds);
          } catch (const std::exception& e) {
            errors[static_cast<size_t>(c)] = e.what();
            ok = false;
          }
          start.arrive_and_wait();
          while (ok && next.fetch_add(1) < o->runs) {
            try {
              auto r0 = std::chrono::steady_clock::now();
              session->run(feeds);
              per_caller[static_cast<size_t>(c)].push_back(ms_since(r0));
            } catch (const std::exception& e) {
              errors[static_cast<size_t>(c)] = e.what();
              ok = false;
            }
          }
        });
      }
      progress.update(0, "concurrent runs");
      start.arrive_and_wait();
      auto wall0 = std::chrono::steady_clock::now();
      for (auto& t : threads) t.join();
      wall_ms = ms_since(wall0);
      for (const std::string& e : errors)
        if (!e.empty()) throw std::runtime_error(e);
      for (const auto& v : per_caller) times.insert(times.end(), v.begin(), v.end());
    }
    progress.clear();
    const double wall_ips = double(batch) * double(times.size()) * 1000.0 / wall_ms;
    double mean = 0;
    for (double t : times) mean += t / double(times.size());
    double median = percentile(times, 0.5);
    double rss = peak_rss_mb();
    if (!o->output_dir.empty()) write_outputs(o->output_dir, session->outputs(), outputs);
    PlanStats st = session->plan_stats();
    if (o->json) {
      std::printf(
          "{\"runtime\":\"onnxi\",\"version\":\"0.1.0\",\"model\":%s,\"threads\":%d,\"batch\":%lld,"
          "\"create_ms\":%s,\"first_run_ms\":%s,\"latency_ms\":{\"min\":%s,\"median\":%s,\"p90\":%s,\"p99\":%s,"
          "\"mean\":%s},\"throughput_ips\":%s,\"peak_rss_mb\":%s,\"runs\":%d,\"arena_mb\":%s,\"weights_mb\":%s,"
          "\"concurrent\":%d,\"wall_throughput_ips\":%s}\n",
          json_string(o->model).c_str(), o->session.threads, static_cast<long long>(batch), json_number(create_ms).c_str(),
          json_number(first_ms).c_str(), json_number(percentile(times, 0)).c_str(), json_number(median).c_str(),
          json_number(percentile(times, 0.9)).c_str(), json_number(percentile(times, 0.99)).c_str(),
          json_number(mean).c_str(), json_number(double(batch) * 1000.0 / median).c_str(), json_number(rss).c_str(),
          o->runs, json_number(st.arena_bytes / 1048576.0).c_str(), json_number(st.weights_bytes / 1048576.0).c_str(),
          callers, json_number(wall_ips).c_str());
      return 0;
    }
    std::printf("model            %s\n", o->model.c_str());
    std::printf("threads          %s\n", o->session.threads ? std::to_string(o->session.threads).c_str() : "all cores");
    std::printf("batch            %lld\n", static_cast<long long>(batch));
    std::printf("session create   %.1f ms\n", create_ms);
    std::printf("first run        %.2f ms\n", first_ms);
    std::printf("latency          min %.2f  median %.2f  p90 %.2f  p99 %.2f ms (%d runs)\n", percentile(times, 0),
                median, percentile(times, 0.9), percentile(times, 0.99), o->runs);
    if (callers == 1)
      std::printf("throughput       %.1f inferences/s\n", double(batch) * 1000.0 / median);
    else
      std::printf("throughput       %.1f inferences/s (%d concurrent callers, %zu runs in %.1f ms)\n", wall_ips,
                  callers, times.size(), wall_ms);
    std::printf("memory           peak RSS %.1f MB, arena %.1f MB, weights %.1f MB\n", rss,
                st.arena_bytes / 1048576.0, st.weights_bytes / 1048576.0);
    return 0;
  };
}

}  // namespace onnxi::cli
