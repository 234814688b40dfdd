// The C API (include/onnxi/onnxi.h): thin wrappers over the C++ API that turn exceptions
// into status codes and a per-thread message.
#include <map>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "onnxi/io.h"
#include "onnxi/onnxi.h"
#include "onnxi/session.h"

struct onnxi_thread_pool {
  std::shared_ptr<onnxi::ThreadPool> pool;
};

struct onnxi_options {
  onnxi::SessionOptions options;
};

struct onnxi_session {
  std::unique_ptr<onnxi::Session> session;
  // C views of the declared inputs/outputs, valid as long as the session.
  struct IO {
    std::vector<const char*> dim_names;
    onnxi_io_info info{};
  };
  std::vector<IO> inputs, outputs;
};

struct onnxi_tensor {
  onnxi::Tensor tensor;
};

namespace {

thread_local std::string last_error;

onnxi_status status_of(onnxi::Stage s) {
  switch (s) {
    case onnxi::Stage::Load:
      return ONNXI_ERROR_LOAD;
    case onnxi::Stage::Build:
      return ONNXI_ERROR_BUILD;
    case onnxi::Stage::Plan:
      return ONNXI_ERROR_PLAN;
    case onnxi::Stage::Run:
      return ONNXI_ERROR_RUN;
    case onnxi::Stage::Io:
      return ONNXI_ERROR_IO;
    case onnxi::Stage::Usage:
      return ONNXI_ERROR_USAGE;
  }
  return ONNXI_ERROR_INTERNAL;
}

onnxi_status fail(onnxi_status s, std::string message) {
  last_error = std::move(message);
  return s;
}

// Runs `f`, mapping any exception to a status and the thread's last error.
template <class F>
onnxi_status guarded(F&& f) {
  try {
    f();
    return ONNXI_OK;
  } catch (const onnxi::Error& e) {
    return fail(status_of(e.stage()), e.what());
  } catch (const std::bad_alloc&) {
    return fail(ONNXI_ERROR_INTERNAL, "out of memory");
  } catch (const std::exception& e) {
    return fail(ONNXI_ERROR_INTERNAL, e.what());
  } catch (...) {
    return fail(ONNXI_ERROR_INTERNAL, "unknown error");
  }
}

#define ONNXI_REQUIRE_ARG(cond, what) \
  if (!(cond)) return fail(ONNXI_ERROR_USAGE, std::string(__func__) + ": " + (what))

onnxi::DType checked_dtype(onnxi_dtype d) {
  auto t = onnxi::dtype_from_onnx(static_cast<int32_t>(d));
  if (!t || *t == onnxi::DType::Undefined)
    throw onnxi::Error(onnxi::Stage::Usage, "unknown dtype code " + std::to_string(static_cast<int>(d)));
  if (*t == onnxi::DType::String)
    throw onnxi::Error(onnxi::Stage::Usage, "string tensors are not supported by the C API");
  return *t;
}

onnxi::Shape checked_shape(const int64_t* shape, size_t rank) {
  if (rank && !shape)
    throw onnxi::Error(onnxi::Stage::Usage, "shape is NULL with rank " + std::to_string(rank));
  onnxi::Shape s(shape, shape + rank);
  try {
    onnxi::shape_numel(s);  // negative dims, overflow
  } catch (const onnxi::Error& e) {
    throw onnxi::Error(onnxi::Stage::Usage, e.message());
  }
  return s;
}

void fill_io(const std::vector<onnxi::IOInfo>& from, std::vector<onnxi_session::IO>& to) {
  to.resize(from.size());
  for (size_t i = 0; i < from.size(); ++i) {
    const onnxi::IOInfo& io = from[i];
    onnxi_session::IO& c = to[i];
    for (const auto& n : io.dim_names) c.dim_names.push_back(n.c_str());
    c.info.name = io.name.c_str();
    c.info.dtype = static_cast<onnxi_dtype>(io.dtype);
    c.info.has_shape = io.has_shape ? 1 : 0;
    c.info.rank = io.shape.size();
    c.info.shape = io.shape.data();
    c.info.dim_names = c.dim_names.data();
  }
}

onnxi_status finish_session(std::unique_ptr<onnxi::Session> s, onnxi_session** out) {
  auto h = std::make_unique<onnxi_session>();
  h->session = std::move(s);
  fill_io(h->session->inputs(), h->inputs);
  fill_io(h->session->outputs(), h->outputs);
  *out = h.release();
  return ONNXI_OK;
}

}  // namespace

extern "C" {

const char* onnxi_version(void) { return ONNXI_VERSION_STRING; }

const char* onnxi_last_error(void) { return last_error.c_str(); }

const char* onnxi_status_name(onnxi_status status) {
  switch (status) {
    case ONNXI_OK:
      return "ok";
    case ONNXI_ERROR_LOAD:
      return "load error";
    case ONNXI_ERROR_BUILD:
      return "build error";
    case ONNXI_ERROR_PLAN:
      return "plan error";
    case ONNXI_ERROR_RUN:
      return "run error";
    case ONNXI_ERROR_IO:
      return "i/o error";
    case ONNXI_ERROR_USAGE:
      return "usage error";
    case ONNXI_ERROR_INTERNAL:
      return "internal error";
  }
  return "unknown status";
}

size_t onnxi_dtype_size(onnxi_dtype dtype) {
  auto t = onnxi::dtype_from_onnx(static_cast<int32_t>(dtype));
  return t ? onnxi::dtype_size(*t) : 0;
}

onnxi_status onnxi_thread_pool_create(int threads, onnxi_thread_pool** out) {
  ONNXI_REQUIRE_ARG(out, "out is NULL");
  *out = nullptr;
  ONNXI_REQUIRE_ARG(threads >= 0, "threads must be >= 0");
  return guarded([&] { *out = new onnxi_thread_pool{onnxi::make_thread_pool(threads)}; });
}

void onnxi_thread_pool_destroy(onnxi_thread_pool* pool) { delete pool; }

onnxi_status onnxi_options_create(onnxi_options** out) {
  ONNXI_REQUIRE_ARG(out, "out is NULL");
  *out = nullptr;
  return guarded([&] { *out = new onnxi_options{}; });
}

void onnxi_options_destroy(onnxi_options* options) { delete options; }

onnxi_status onnxi_options_set_threads(onnxi_options* options, int threads) {
  ONNXI_REQUIRE_ARG(options, "options is NULL");
  ONNXI_REQUIRE_ARG(threads >= 0, "threads must be >= 0");
  options->options.threads = threads;
  return ONNXI_OK;
}

onnxi_status onnxi_options_set_optimize(onnxi_options* options, int enabled) {
  ONNXI_REQUIRE_ARG(options, "options is NULL");
  options->options.optimize = enabled != 0;
  return ONNXI_OK;
}

onnxi_status onnxi_options_set_profile(onnxi_options* options, int enabled) {
  ONNXI_REQUIRE_ARG(options, "options is NULL");
  options->options.profile = enabled != 0;
  return ONNXI_OK;
}

onnxi_status onnxi_options_set_thread_pool(onnxi_options* options, onnxi_thread_pool* pool) {
  ONNXI_REQUIRE_ARG(options, "options is NULL");
  options->options.thread_pool = pool ? pool->pool : nullptr;
  return ONNXI_OK;
}

onnxi_status onnxi_session_create(const char* path, const onnxi_options* options, onnxi_session** out) {
  ONNXI_REQUIRE_ARG(out, "out is NULL");
  *out = nullptr;
  ONNXI_REQUIRE_ARG(path, "path is NULL");
  return guarded([&] {
    onnxi::SessionOptions o = options ? options->options : onnxi::SessionOptions{};
    finish_session(onnxi::Session::from_file(path, o), out);
  });
}

onnxi_status onnxi_session_create_from_memory(const void* data, size_t size, const onnxi_options* options,
                                              onnxi_session** out) {
  ONNXI_REQUIRE_ARG(out, "out is NULL");
  *out = nullptr;
  ONNXI_REQUIRE_ARG(data || size == 0, "data is NULL");
  return guarded([&] {
    onnxi::SessionOptions o = options ? options->options : onnxi::SessionOptions{};
    finish_session(onnxi::Session::from_bytes(data, size, o), out);
  });
}

void onnxi_session_destroy(onnxi_session* session) { delete session; }

size_t onnxi_session_input_count(const onnxi_session* session) {
  return session ? session->inputs.size() : 0;
}
size_t onnxi_session_output_count(const onnxi_session* session) {
  return session ? session->outputs.size() : 0;
}

onnxi_status onnxi_session_input_info(const onnxi_session* session, size_t index, onnxi_io_info* out) {
  ONNXI_REQUIRE_ARG(session && out, "session or out is NULL");
  ONNXI_REQUIRE_ARG(index < session->inputs.size(), "input index " + std::to_string(index) +
                                                        " out of range (" +
                                                        std::to_string(session->inputs.size()) + " inputs)");
  *out = session->inputs[index].info;
  return ONNXI_OK;
}

onnxi_status onnxi_session_output_info(const onnxi_session* session, size_t index, onnxi_io_info* out) {
  ONNXI_REQUIRE_ARG(session && out, "session or out is NULL");
  ONNXI_REQUIRE_ARG(index < session->outputs.size(),
                    "output index " + std::to_string(index) + " out of range (" +
                        std::to_string(session->outputs.size()) + " outputs)");
  *out = session->outputs[index].info;
  return ONNXI_OK;
}

onnxi_status onnxi_session_run(onnxi_session* session, const char* const* input_names,
                               const onnxi_tensor* const* inputs, size_t n_inputs,
                               const char* const* output_names, onnxi_tensor** outputs, size_t n_outputs) {
  ONNXI_REQUIRE_ARG(session, "session is NULL");
  ONNXI_REQUIRE_ARG(n_inputs == 0 || (input_names && inputs), "input_names or inputs is NULL");
  ONNXI_REQUIRE_ARG(outputs || n_outputs == 0, "outputs is NULL");
  ONNXI_REQUIRE_ARG(output_names || n_outputs == session->outputs.size(),
                    "output_names is NULL but n_outputs (" + std::to_string(n_outputs) +
                        ") is not the model's output count (" + std::to_string(session->outputs.size()) +
                        ")");
  ONNXI_REQUIRE_ARG(n_outputs > 0, "no outputs requested");
  return guarded([&] {
    std::map<std::string, onnxi::Tensor> feeds;
    for (size_t i = 0; i < n_inputs; ++i) {
      if (!input_names[i] || !inputs[i])
        throw onnxi::Error(onnxi::Stage::Usage, "input " + std::to_string(i) + ": name or tensor is NULL");
      if (!feeds.emplace(input_names[i], inputs[i]->tensor).second)
        throw onnxi::Error(onnxi::Stage::Usage, std::string("input '") + input_names[i] + "' given twice");
    }
    std::map<std::string, onnxi::Tensor> outs;
    std::vector<std::string> names;
    for (size_t i = 0; i < n_outputs; ++i) {
      std::string name =
          output_names ? (output_names[i] ? output_names[i] : "") : session->outputs[i].info.name;
      if (name.empty())
        throw onnxi::Error(onnxi::Stage::Usage, "output name " + std::to_string(i) + " is NULL or empty");
      if (!outs.emplace(name, outputs[i] ? outputs[i]->tensor : onnxi::Tensor()).second)
        throw onnxi::Error(onnxi::Stage::Usage, "output '" + name + "' requested twice");
      names.push_back(name);
    }
    session->session->run_into(feeds, outs);
    // Only now, with every output computed, hand out new handles.
    std::vector<std::unique_ptr<onnxi_tensor>> made(n_outputs);
    for (size_t i = 0; i < n_outputs; ++i)
      if (!outputs[i]) made[i] = std::make_unique<onnxi_tensor>(onnxi_tensor{outs.at(names[i])});
    for (size_t i = 0; i < n_outputs; ++i)
      if (made[i]) outputs[i] = made[i].release();
  });
}

onnxi_status onnxi_tensor_create(onnxi_dtype dtype, const int64_t* shape, size_t rank, onnxi_tensor** out) {
  ONNXI_REQUIRE_ARG(out, "out is NULL");
  *out = nullptr;
  return guarded([&] {
    onnxi::DType t = checked_dtype(dtype);
    onnxi::Shape s = checked_shape(shape, rank);
    *out = new onnxi_tensor{onnxi::Tensor(t, std::move(s))};
  });
}

onnxi_status onnxi_tensor_wrap(onnxi_dtype dtype, const int64_t* shape, size_t rank, void* data,
                               size_t data_bytes, onnxi_tensor** out) {
  ONNXI_REQUIRE_ARG(out, "out is NULL");
  *out = nullptr;
  return guarded([&] {
    onnxi::DType t = checked_dtype(dtype);
    onnxi::Shape s = checked_shape(shape, rank);
    size_t need = onnxi::dtype_nbytes(t, onnxi::shape_numel(s));
    if (data_bytes < need)
      throw onnxi::Error(onnxi::Stage::Usage, "tensor_wrap: " + std::to_string(data_bytes) +
                                                  " bytes given, shape " + onnxi::shape_to_string(s) +
                                                  " of " + std::string(onnxi::dtype_name(t)) + " needs " +
                                                  std::to_string(need));
    if (need && !data) throw onnxi::Error(onnxi::Stage::Usage, "tensor_wrap: data is NULL");
    *out = new onnxi_tensor{onnxi::Tensor::view(t, std::move(s), data)};
  });
}

void onnxi_tensor_destroy(onnxi_tensor* tensor) { delete tensor; }

onnxi_dtype onnxi_tensor_dtype(const onnxi_tensor* tensor) {
  return tensor ? static_cast<onnxi_dtype>(tensor->tensor.dtype()) : ONNXI_DTYPE_UNDEFINED;
}
size_t onnxi_tensor_rank(const onnxi_tensor* tensor) { return tensor ? tensor->tensor.rank() : 0; }
const int64_t* onnxi_tensor_shape(const onnxi_tensor* tensor) {
  return tensor ? tensor->tensor.shape().data() : nullptr;
}
int64_t onnxi_tensor_element_count(const onnxi_tensor* tensor) { return tensor ? tensor->tensor.numel() : 0; }
size_t onnxi_tensor_byte_size(const onnxi_tensor* tensor) { return tensor ? tensor->tensor.nbytes() : 0; }
void* onnxi_tensor_data(onnxi_tensor* tensor) {
  if (!tensor || !tensor->tensor.is_tensor() || tensor->tensor.numel() == 0) return nullptr;
  return tensor->tensor.raw_data();
}

onnxi_status onnxi_tensor_read_file(const char* path, onnxi_tensor** out) {
  ONNXI_REQUIRE_ARG(out, "out is NULL");
  *out = nullptr;
  ONNXI_REQUIRE_ARG(path, "path is NULL");
  return guarded([&] {
    onnxi::Tensor t = onnxi::read_tensor_file(path);
    if (!t.is_tensor()) throw onnxi::Error(onnxi::Stage::Io, std::string(path) + ": not a plain tensor");
    if (t.dtype() == onnxi::DType::String)
      throw onnxi::Error(onnxi::Stage::Io,
                         std::string(path) + ": string tensors are not supported by the C API");
    *out = new onnxi_tensor{std::move(t)};
  });
}

}  // extern "C"
