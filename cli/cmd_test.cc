// onnxi test PATH... : runs ONNX backend-test directories (model.onnx +
// test_data_set_N/{input,output}_K.pb) and compares with the expected outputs.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "cli/commands.h"
#include "onnxi/summary.h"
#include "cli/json.h"
#include "cli/tensor_util.h"
#include "onnxi/io.h"

namespace fs = std::filesystem;

namespace onnxi::cli {

namespace {

struct TestOptions {
  std::vector<std::string> paths;
  std::string json_file;
  std::string filter;
  double rtol = 1e-3;
  double atol = 1e-7;
  SessionFlags session{1, false, ""};
  std::string expectations;
  std::string write_expectations;
  bool no_fork = false;
  int timeout_s = 300;
  bool quiet = false;
  CLI::Option* json_opt = nullptr;
  // --json without FILE (or with "-"): the report is the only thing on stdout.
  bool json_stdout() const { return json_opt && json_opt->count() > 0 && (json_file.empty() || json_file == "-"); }
};

struct TestCase {
  std::string name;  // "<folder>/<test>"
  fs::path dir;
};

struct TestResult {
  std::string name;
  std::string status;  // PASS FAIL ERROR UNSUPPORTED CRASH TIMEOUT
  std::string detail;
  std::vector<std::string> ops;
  double ms = 0;
  bool values_only = false;  // a FAIL where every output had the expected dtype and shape
};

// The outcomes an expected RANDOM (values from a generator onnxi does not reproduce)
// matches: a PASS by chance, or a FAIL on values alone; an error, crash or wrong
// dtype/shape does not.
bool matches_random(const TestResult& r) { return r.status == "PASS" || (r.status == "FAIL" && r.values_only); }

std::vector<TestCase> discover(const std::vector<std::string>& paths) {
  std::vector<TestCase> out;
  for (const auto& p : paths) {
    fs::path root(p);
    if (!fs::exists(root)) throw Error(Stage::Usage, "no such test path: " + p);
    auto label = [](const fs::path& d) {
      fs::path abs = fs::absolute(d).lexically_normal();
      if (abs.filename().empty()) abs = abs.parent_path();
      return abs.parent_path().filename().string() + "/" + abs.filename().string();
    };
    if (fs::exists(root / "model.onnx")) {
      out.push_back({label(root), root});
      continue;
    }
    std::vector<fs::path> dirs;
    for (const auto& e : fs::directory_iterator(root))
      if (e.is_directory() && fs::exists(e.path() / "model.onnx")) dirs.push_back(e.path());
    std::sort(dirs.begin(), dirs.end());
    if (dirs.empty()) throw Error(Stage::Usage, "no test directories (with model.onnx) under " + p);
    for (const auto& d : dirs) out.push_back({label(d), d});
  }
  return out;
}

std::vector<fs::path> numbered(const fs::path& dir, const std::string& prefix) {
  std::vector<std::pair<int, fs::path>> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string n = e.path().filename().string();
    if (n.rfind(prefix, 0) != 0 || e.path().extension() != ".pb") continue;
    try {
      files.push_back({std::stoi(n.substr(prefix.size())), e.path()});
    } catch (...) {
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<fs::path> out;
  for (auto& f : files) out.push_back(f.second);
  return out;
}

// ONNX 1.12's backend data stores bfloat16 tensors as uint16 TensorProtos; the bits are
// the same, so the runner reads them as the type the model declares.
Tensor as_bfloat16_if_uint16(const Tensor& t, DType want) {
  if (!t.is_tensor() || want != DType::BFloat16 || t.dtype() != DType::UInt16) return t;
  Tensor out(DType::BFloat16, t.shape());
  std::memcpy(out.raw_data(), t.raw_data(), t.nbytes());
  return out;
}

// Reads a test-data file for the model input or output it belongs to (matched by the
// name stored in the file, else by position `k`). Sequences and optionals are stored as
// SequenceProto / OptionalProto, which only the declared kind tells apart.
std::pair<std::string, Tensor> read_test_value(const fs::path& file, size_t k, const std::vector<IOInfo>& ios,
                                               const char* role) {
  std::string name;
  Tensor t = read_tensor_pb(file.string(), &name);
  auto it = std::find_if(ios.begin(), ios.end(), [&](const IOInfo& io) { return io.name == name; });
  if (it == ios.end()) {
    if (k >= ios.size())
      throw Error(Stage::Io, file.string() + ": more " + role + " files than model " + role + "s");
    it = ios.begin() + static_cast<long>(k);
  }
  if (it->kind == "sequence" || it->kind == "optional") {
    std::string ignored;
    t = read_tensor_pb(file.string(), &ignored, it->kind == "sequence" ? PbKind::Sequence : PbKind::Optional);
  }
  return {it->name, as_bfloat16_if_uint16(t, it->dtype)};
}

TestResult run_test(const TestCase& tc, const TestOptions& o) {
  TestResult r;
  r.name = tc.name;
  std::string model = (tc.dir / "model.onnx").string();
  try {
    ModelSummary sum = summarize_model(model);
    for (const auto& [op, n] : sum.op_histogram) r.ops.push_back(op);
    if (!sum.unsupported.empty()) {
      r.status = "UNSUPPORTED";
      for (size_t i = 0; i < sum.unsupported.size(); ++i) r.detail += (i ? ", " : "") + sum.unsupported[i];
      return r;
    }
    auto session = Session::from_file(model, o.session.options());
    std::vector<fs::path> sets;
    for (const auto& e : fs::directory_iterator(tc.dir))
      if (e.is_directory() && e.path().filename().string().rfind("test_data_set_", 0) == 0) sets.push_back(e.path());
    std::sort(sets.begin(), sets.end());
    if (sets.empty()) throw Error(Stage::Io, "no test_data_set_* in " + tc.dir.string());
    const auto& ins = session->inputs();
    const auto& outs = session->outputs();
    for (const auto& set : sets) {
      std::map<std::string, Tensor> feeds;
      auto in_files = numbered(set, "input_");
      for (size_t k = 0; k < in_files.size(); ++k) {
        auto [name, t] = read_test_value(in_files[k], k, ins, "input");
        feeds[name] = t;
      }
      auto out_files = numbered(set, "output_");
      std::vector<std::string> names;
      std::vector<Tensor> expected;
      for (size_t k = 0; k < out_files.size(); ++k) {
        auto [name, want] = read_test_value(out_files[k], k, outs, "output");
        expected.push_back(want);
        names.push_back(name);
      }
      auto t0 = std::chrono::steady_clock::now();
      std::vector<Tensor> got = session->run(feeds, names);
      r.ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      for (size_t k = 0; k < got.size(); ++k) {
        CompareResult c = compare_tensors(got[k], expected[k], o.rtol, o.atol);
        if (!c.ok) {
          r.status = "FAIL";
          r.values_only = got[k].dtype() == expected[k].dtype() && got[k].shape() == expected[k].shape();
          r.detail = set.filename().string() + " output '" + names[k] + "' " + c.detail;
          return r;
        }
      }
    }
    r.status = "PASS";
  } catch (const Error& e) {
    std::string what = e.what();
    r.status = what.find("unsupported operator") != std::string::npos ? "UNSUPPORTED" : "ERROR";
    r.detail = what;
  } catch (const std::exception& e) {
    r.status = "ERROR";
    r.detail = e.what();
  }
  return r;
}

std::string one_line(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  std::replace(s.begin(), s.end(), '\t', ' ');
  return s;
}

// Runs a test in a child process so that a crash or hang is reported, not fatal.
TestResult run_isolated(const TestCase& tc, const TestOptions& o) {
  int fds[2];
  if (pipe(fds) != 0) return run_test(tc, o);
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return run_test(tc, o);
  }
  if (pid == 0) {
    close(fds[0]);
    alarm(static_cast<unsigned>(o.timeout_s));
    TestResult r = run_test(tc, o);
    std::string msg = r.status + "\t" + one_line(r.detail) + "\t" + std::to_string(r.ms) + "\t" + (r.values_only ? "1" : "0") + "\t";
    for (size_t i = 0; i < r.ops.size(); ++i) msg += (i ? "," : "") + r.ops[i];
    msg += "\n";
    size_t off = 0;
    while (off < msg.size()) {
      ssize_t w = write(fds[1], msg.data() + off, msg.size() - off);
      if (w <= 0) break;
      off += static_cast<size_t>(w);
    }
    close(fds[1]);
    _exit(0);
  }
  close(fds[1]);
  std::string data;
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) data.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  TestResult r;
  r.name = tc.name;
  if (WIFSIGNALED(wstatus)) {
    int sig = WTERMSIG(wstatus);
    r.status = sig == SIGALRM ? "TIMEOUT" : "CRASH";
    r.detail = sig == SIGALRM ? "did not finish in " + std::to_string(o.timeout_s) + " s"
                              : std::string("killed by signal ") + strsignal(sig);
    return r;
  }
  std::vector<std::string> parts;
  std::stringstream ss(data);
  std::string part;
  while (std::getline(ss, part, '\t')) parts.push_back(part);
  if (parts.size() < 5) {
    r.status = "CRASH";
    r.detail = "test process exited without a result";
    return r;
  }
  r.status = parts[0];
  r.detail = parts[1];
  r.ms = std::atof(parts[2].c_str());
  r.values_only = parts[3] == "1";
  std::string ops = parts[4];
  if (!ops.empty() && ops.back() == '\n') ops.pop_back();
  std::stringstream os(ops);
  while (std::getline(os, part, ','))
    if (!part.empty()) r.ops.push_back(part);
  return r;
}

// Expectations file: "<name> PASS" or "<name> <STATUS> <reason...>", '#' comments.
std::map<std::string, std::pair<std::string, std::string>> read_expectations(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw Error(Stage::Io, "cannot read expectations file " + path);
  std::map<std::string, std::pair<std::string, std::string>> out;
  std::string line;
  int lineno = 0;
  while (std::getline(f, line)) {
    ++lineno;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    std::string name, status, reason;
    ls >> name >> status;
    std::getline(ls, reason);
    reason.erase(0, reason.find_first_not_of(' '));
    if (status.empty())
      throw Error(Stage::Io, path + ":" + std::to_string(lineno) + ": expected '<test> <STATUS> [reason]'");
    if (status != "PASS" && reason.empty())
      throw Error(Stage::Io, path + ":" + std::to_string(lineno) + ": a known failure needs a reason");
    out[name] = {status, reason};
  }
  return out;
}

}  // namespace

Command add_test(CLI::App& app) {
  auto o = std::make_shared<TestOptions>();
  app.add_option("paths", o->paths, "Test directories, or folders of them")->required();
  o->json_opt = app.add_option("--json", o->json_file,
                               "Write a JSON report (per test and per op type) to FILE, or with no FILE (or -) print "
                               "it to stdout as the only output; give it last or as --json=FILE")
                    ->expected(0, 1);
  app.add_option("--filter", o->filter, "Only tests whose name matches this regular expression");
  app.add_option("--rtol", o->rtol, "Relative tolerance (default 1e-3)");
  app.add_option("--atol", o->atol, "Absolute tolerance (default 1e-7)");
  add_session_flags(app, o->session, "Threads per test (default 1)");
  app.add_option("--expectations", o->expectations,
                 "Compare with an expectations file: exit 0 only if every result matches it");
  app.add_option("--write-expectations", o->write_expectations,
                 "Write the results as an expectations file (keeps reasons already in --expectations)");
  app.add_flag("--no-fork", o->no_fork, "Run tests in this process (a crash then ends the run)");
  app.add_option("--timeout", o->timeout_s, "Seconds per test before it counts as TIMEOUT")->check(CLI::Range(1, 86400));
  app.add_flag("-q,--quiet", o->quiet, "Print only failures and the summary");
  app.footer(
      "Examples:\n"
      "  onnxi test /usr/share/libonnx-testdata/data/node\n"
      "  onnxi test /usr/share/libonnx-testdata/data/node --filter 'test_conv.*' --json report.json\n"
      "  onnxi test models/resnet50\n"
      "  onnxi test /usr/share/libonnx-testdata/data/simple --json | python3 -m json.tool");
  return [o]() {
    std::vector<TestCase> tests = discover(o->paths);
    if (!o->filter.empty()) {
      std::regex re(o->filter);
      tests.erase(std::remove_if(tests.begin(), tests.end(),
                                 [&](const TestCase& t) { return !std::regex_search(t.name, re); }),
                  tests.end());
    }
    const bool tty = isatty(fileno(stderr));
    const bool human = !o->json_stdout();
    std::vector<TestResult> results;
    std::map<std::string, int> counts;
    for (size_t i = 0; i < tests.size(); ++i) {
      if (tty && !o->quiet) std::fprintf(stderr, "\r[%zu/%zu] %-60s", i + 1, tests.size(), tests[i].name.c_str());
      TestResult r = o->no_fork ? run_test(tests[i], *o) : run_isolated(tests[i], *o);
      counts[r.status]++;
      if (tty && !o->quiet) std::fprintf(stderr, "\r%*s\r", 75, "");
      if (human && (!o->quiet || r.status != "PASS"))
        std::printf("%-11s %s%s%s\n", r.status.c_str(), r.name.c_str(), r.detail.empty() ? "" : ": ",
                    r.detail.c_str());
      std::fflush(stdout);
      results.push_back(std::move(r));
    }
    if (human)
      std::printf("summary: %d pass, %d fail, %d error, %d unsupported, %d crash/timeout (of %zu tests)\n",
                counts["PASS"], counts["FAIL"], counts["ERROR"], counts["UNSUPPORTED"],
                counts["CRASH"] + counts["TIMEOUT"], results.size());

    std::ostringstream f;  // the --json report
    if (o->json_opt->count() > 0) {
      std::map<std::string, std::map<std::string, int>> per_op;
      for (const auto& r : results)
        for (const auto& op : r.ops) per_op[op][r.status]++;
      f << "{\n  \"format\": \"onnxi-test\",\n  \"version\": 1,\n  \"summary\": {";
      bool first = true;
      for (const auto& [k, v] : counts) {
        f << (first ? "" : ", ") << json_string(k) << ": " << v;
        first = false;
      }
      f << "},\n  \"tests\": [\n";
      for (size_t i = 0; i < results.size(); ++i) {
        const auto& r = results[i];
        f << "    {\"name\": " << json_string(r.name) << ", \"status\": " << json_string(r.status)
          << ", \"detail\": " << json_string(r.detail) << ", \"ms\": " << json_number(r.ms) << ", \"ops\": [";
        for (size_t k = 0; k < r.ops.size(); ++k) f << (k ? ", " : "") << json_string(r.ops[k]);
        f << "]}" << (i + 1 < results.size() ? "," : "") << "\n";
      }
      f << "  ],\n  \"ops\": {\n";
      size_t k = 0;
      for (const auto& [op, st] : per_op) {
        f << "    " << json_string(op) << ": {\"passed\": " << (st.count("PASS") ? st.at("PASS") : 0)
          << ", \"failed\": "
          << (st.count("FAIL") ? st.at("FAIL") : 0) + (st.count("ERROR") ? st.at("ERROR") : 0) +
                 (st.count("CRASH") ? st.at("CRASH") : 0) + (st.count("TIMEOUT") ? st.at("TIMEOUT") : 0)
          << ", \"unsupported\": " << (st.count("UNSUPPORTED") ? st.at("UNSUPPORTED") : 0) << "}"
          << (++k < per_op.size() ? "," : "") << "\n";
      }
      f << "  }";
    }

    std::map<std::string, std::pair<std::string, std::string>> expected;
    if (!o->expectations.empty()) expected = read_expectations(o->expectations);
    if (!o->write_expectations.empty()) {
      std::ofstream f(o->write_expectations);
      if (!f) throw Error(Stage::Io, "cannot write " + o->write_expectations);
      f << "# onnxi conformance expectations: <test> PASS, or <test> <STATUS> <reason>.\n"
        << "# Checked by ctest: any change in either direction fails until this file is updated.\n"
        << "# RANDOM: output drawn from a generator onnxi does not reproduce; PASS or a FAIL on values\n"
        << "# alone (right dtype and shape) both match, anything else is a regression.\n";
      for (const auto& r : results) {
        auto it = expected.find(r.name);
        const bool keep_random = it != expected.end() && it->second.first == "RANDOM" && matches_random(r);
        f << r.name << " " << (keep_random ? std::string("RANDOM") : r.status);
        if (keep_random) {
          f << " " << one_line(it->second.second);
        } else if (r.status != "PASS") {
          std::string reason = it != expected.end() && it->second.first != "PASS" ? it->second.second : r.detail;
          if (reason.empty()) reason = "no detail";
          f << " " << one_line(reason);
        }
        f << "\n";
      }
    }
    int status = counts["PASS"] == static_cast<int>(results.size()) ? 0 : 1;
    std::vector<std::string> mismatches;
    if (!o->expectations.empty()) {
      for (const auto& r : results) {
        auto it = expected.find(r.name);
        if (it == expected.end())
          mismatches.push_back("UNLISTED    " + r.name + ": " + r.status + ", not in " + o->expectations);
        else if (it->second.first == "RANDOM") {
          if (!matches_random(r))
            mismatches.push_back("REGRESSION " + r.name + ": expected RANDOM (values only), got " + r.status +
                                 (r.detail.empty() ? "" : ": " + r.detail));
        } else if ((it->second.first == "PASS") != (r.status == "PASS"))
          mismatches.push_back(std::string(r.status == "PASS" ? "UNEXPECTED-PASS" : "REGRESSION") + " " + r.name +
                               ": expected " + it->second.first + ", got " + r.status);
      }
      if (human) {
        for (const auto& m : mismatches) std::printf("%s\n", m.c_str());
        std::printf("expectations: %zu mismatch(es) against %s\n", mismatches.size(), o->expectations.c_str());
      }
      status = mismatches.empty() ? 0 : 1;
    }
    if (o->json_opt->count() > 0) {
      if (!o->expectations.empty()) {
        f << ",\n  \"expectations\": {\"file\": " << json_string(o->expectations) << ", \"mismatches\": [";
        for (size_t i = 0; i < mismatches.size(); ++i) f << (i ? ", " : "") << json_string(mismatches[i]);
        f << "]}";
      }
      f << "\n}\n";
      if (o->json_stdout()) {
        std::fputs(f.str().c_str(), stdout);
      } else {
        std::ofstream out(o->json_file);
        if (!out || !(out << f.str()) || !out.flush()) throw Error(Stage::Io, "cannot write " + o->json_file);
      }
    }
    return status;
  };
}

}  // namespace onnxi::cli
