// onnxi classify IMAGE... [--model M] [--top K]: decode JPEG/PNG images, preprocess them as
// torchvision does for ImageNet classifiers, run them as one batch and print the top-K
// classes with their names.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/commands.h"
#include "cli/image.h"
#include "cli/json.h"
#include "onnxi/io.h"

namespace fs = std::filesystem;

namespace onnxi::cli {

namespace {

struct ClassifyOptions {
  std::vector<std::string> images;
  std::string model;
  std::string labels;
  int top = 5;
  int resize = 256;
  int crop = 224;
  std::string save_input;
  bool json = false;
  SessionFlags session;
};

// Where the repository's models/ directory is: next to the current directory, next to the
// binary's parent (build/onnxi -> models/), or the source tree this binary was built from.
std::vector<fs::path> model_dirs() {
  std::vector<fs::path> dirs{fs::path("models")};
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) dirs.push_back(exe.parent_path().parent_path() / "models");
#ifdef ONNXI_SOURCE_DIR
  dirs.push_back(fs::path(ONNXI_SOURCE_DIR) / "models");
#endif
  return dirs;
}

std::string find_default(const std::string& relative, const char* what, const char* hint) {
  std::string tried;
  for (const auto& d : model_dirs()) {
    fs::path p = d / relative;
    if (fs::exists(p)) return p.string();
    tried += (tried.empty() ? "" : ", ") + p.string();
  }
  throw Error(Stage::Usage,
              std::string("no ") + what + " given and none found (tried " + tried + "); " + hint);
}

std::vector<std::string> read_labels(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw Error(Stage::Io, "cannot open class-name file " + path);
  std::vector<std::string> labels;
  std::string line;
  while (std::getline(f, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    labels.push_back(line);
  }
  return labels;
}

struct Scored {
  int64_t cls;
  double logit, prob;
};

// Top-k of one row of logits with softmax probabilities.
std::vector<Scored> top_k(const float* logits, int64_t classes, int k) {
  double mx = -INFINITY;
  for (int64_t c = 0; c < classes; ++c) mx = std::max(mx, double(logits[c]));
  double sum = 0;
  for (int64_t c = 0; c < classes; ++c) sum += std::exp(double(logits[c]) - mx);
  std::vector<Scored> v;
  for (int64_t c = 0; c < classes; ++c) v.push_back({c, logits[c], std::exp(double(logits[c]) - mx) / sum});
  size_t n = std::min<size_t>(size_t(k), v.size());
  std::partial_sort(v.begin(), v.begin() + std::ptrdiff_t(n), v.end(), [](const Scored& a, const Scored& b) {
    return a.logit > b.logit || (a.logit == b.logit && a.cls < b.cls);
  });
  v.resize(n);
  return v;
}

}  // namespace

Command add_classify(CLI::App& app) {
  auto o = std::make_shared<ClassifyOptions>();
  app.add_option("images", o->images, "JPEG or PNG files")->required();
  app.add_option("-m,--model", o->model,
                 "ImageNet classifier, input [N,3,H,W] float32 (default: models/resnet50/model.onnx, as "
                 "scripts/run_resnet50.sh exports it)");
  app.add_option("--labels", o->labels, "Class names, one per line (default: models/imagenet_classes.txt)");
  app.add_option("-k,--top", o->top, "Classes shown per image (default 5)")->check(CLI::Range(1, 100000));
  app.add_option("--resize", o->resize, "Shorter side after resizing (default 256)")
      ->check(CLI::Range(1, 16384));
  app.add_option("--crop", o->crop, "Center crop size (default 224)")->check(CLI::Range(1, 16384));
  app.add_option("--save-input", o->save_input,
                 "Also write the preprocessed batch [N,3,crop,crop] to FILE.npy");
  app.add_flag("--json", o->json, "Print one JSON document (format \"onnxi-classify\", version 1) instead");
  add_session_flags(app, o->session, "Threads (default: one per core)");
  app.footer(
      "Preprocessing is torchvision's ImageNet evaluation transform: Resize(256) (bilinear, antialiased,\n"
      "as Pillow does it), CenterCrop(224), ToTensor, Normalize(mean=[0.485,0.456,0.406],\n"
      "std=[0.229,0.224,0.225]). All images run as one batch when the model's batch dim is dynamic.\n"
      "The model exported without --weights has seeded random weights: its labels are not meaningful.\n"
      "\n"
      "Examples:\n"
      "  onnxi classify cat.jpg dog.png\n"
      "  onnxi classify photos/*.jpg --model models/resnet50/model.onnx --top 3\n"
      "  onnxi classify cat.jpg --json");
  return [o]() {
#if !ONNXI_WITH_IMAGES
    throw Error(Stage::Usage, std::string("onnxi classify: ") + kNoImageSupport);
#endif
    std::string model = o->model.empty()
                            ? find_default("resnet50/model.onnx", "--model",
                                           "export one with scripts/run_resnet50.sh or pass --model")
                            : o->model;
    std::string labels_path = o->labels.empty()
                                  ? find_default("imagenet_classes.txt", "--labels", "pass --labels FILE")
                                  : o->labels;
    std::vector<std::string> labels = read_labels(labels_path);

    // Decode everything first: a bad image fails before the model is loaded.
    const int64_t n = static_cast<int64_t>(o->images.size());
    const int64_t plane = int64_t(3) * o->crop * o->crop;
    Tensor batch(DType::Float, {n, 3, o->crop, o->crop});
    for (int64_t i = 0; i < n; ++i)
      imagenet_preprocess(decode_image(o->images[size_t(i)]), o->resize, o->crop,
                          batch.data<float>() + i * plane);
    if (!o->save_input.empty()) write_npy(o->save_input, batch);

    auto session = Session::from_file(model, o->session.options());
    if (session->inputs().size() != 1)
      throw Error(Stage::Usage, model + " has " + std::to_string(session->inputs().size()) +
                                    " inputs; classify needs a model with one image input");
    const IOInfo& in = session->inputs()[0];
    if (in.dtype != DType::Float || (in.has_shape && in.shape.size() != 4))
      throw Error(Stage::Usage, model + ": input '" + in.name + "' is " + std::string(dtype_name(in.dtype)) +
                                    " " + format_shape(in.shape, in.dim_names) +
                                    "; classify needs float32 [N,3,H,W]");
    // A fixed batch dim means running the images in chunks of that size.
    int64_t chunk = in.has_shape && in.shape[0] > 0 ? in.shape[0] : n;
    if (n % chunk != 0 && chunk != 1)
      throw Error(Stage::Usage,
                  model + " has a fixed batch of " + std::to_string(chunk) + "; give a multiple of it");
    std::vector<std::vector<Scored>> results;
    int64_t classes = -1;
    for (int64_t start = 0; start < n; start += chunk) {
      Tensor part(DType::Float, {chunk, 3, o->crop, o->crop});
      std::copy(batch.data<float>() + start * plane, batch.data<float>() + (start + chunk) * plane,
                part.data<float>());
      std::vector<Tensor> out = session->run({{in.name, part}});
      const Tensor& logits = out.at(0);
      if (logits.dtype() != DType::Float || logits.rank() != 2 || logits.dim(0) != chunk)
        throw Error(Stage::Run, model + ": output is " + std::string(dtype_name(logits.dtype())) +
                                    shape_to_string(logits.shape()) +
                                    ", expected float32 [N,classes] logits");
      classes = logits.dim(1);
      for (int64_t b = 0; b < chunk; ++b)
        results.push_back(top_k(logits.data<float>() + b * classes, classes, o->top));
    }
    if (static_cast<int64_t>(labels.size()) != classes)
      std::fprintf(stderr,
                   "onnxi: warning: %s has %zu names for %lld classes; unnamed classes show their index\n",
                   labels_path.c_str(), labels.size(), static_cast<long long>(classes));
    auto label_of = [&](int64_t c) {
      return c < static_cast<int64_t>(labels.size()) ? labels[size_t(c)] : "class " + std::to_string(c);
    };
    if (o->json) {
      std::ostringstream j;
      j << "{\"format\":\"onnxi-classify\",\"version\":1,\"model\":" << json_string(model) << ",\"images\":[";
      for (size_t i = 0; i < results.size(); ++i) {
        j << (i ? "," : "") << "{\"path\":" << json_string(o->images[i]) << ",\"top\":[";
        for (size_t k = 0; k < results[i].size(); ++k) {
          const auto& s = results[i][k];
          j << (k ? "," : "") << "{\"class\":" << s.cls << ",\"label\":" << json_string(label_of(s.cls))
            << ",\"logit\":" << json_number(s.logit) << ",\"probability\":" << json_number(s.prob) << "}";
        }
        j << "]}";
      }
      j << "]}\n";
      std::fputs(j.str().c_str(), stdout);
      return 0;
    }
    for (size_t i = 0; i < results.size(); ++i) {
      std::printf("%s\n", o->images[i].c_str());
      for (size_t k = 0; k < results[i].size(); ++k) {
        const auto& s = results[i][k];
        std::printf("  %zu. %6.2f%%  %-30s (class %lld, logit %.3f)\n", k + 1, 100.0 * s.prob,
                    label_of(s.cls).c_str(), static_cast<long long>(s.cls), s.logit);
      }
    }
    return 0;
  };
}

}  // namespace onnxi::cli
