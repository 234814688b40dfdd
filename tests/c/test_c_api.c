/* Exercises the C API (include/onnxi/onnxi.h) on the exported ResNet-50:
 *   onnxi_c_api_test MODEL_DIR
 * Prints one line per failed check and exits non-zero when any failed. */
#include <math.h>
#include <onnxi/onnxi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

#define CHECK(cond)                                                                            \
  do {                                                                                         \
    if (!(cond)) {                                                                             \
      fprintf(stderr, "%s:%d: check failed: %s (last error: %s)\n", __FILE__, __LINE__, #cond, \
              onnxi_last_error());                                                             \
      ++failures;                                                                              \
    }                                                                                          \
  } while (0)

#define REQUIRE(cond)                                                                                   \
  do {                                                                                                  \
    if (!(cond)) {                                                                                      \
      fprintf(stderr, "%s:%d: required check failed: %s (last error: %s)\n", __FILE__, __LINE__, #cond, \
              onnxi_last_error());                                                                      \
      exit(1);                                                                                          \
    }                                                                                                   \
  } while (0)

static char* read_file(const char* path, size_t* size) {
  FILE* f = fopen(path, "rb");
  char* data;
  long n;
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  data = (char*)malloc((size_t)n + 1);
  if (data && fread(data, 1, (size_t)n, f) != (size_t)n) {
    free(data);
    data = NULL;
  }
  fclose(f);
  *size = (size_t)n;
  return data;
}

static int same_bits(onnxi_tensor* a, onnxi_tensor* b) {
  return onnxi_tensor_byte_size(a) == onnxi_tensor_byte_size(b) &&
         memcmp(onnxi_tensor_data(a), onnxi_tensor_data(b), onnxi_tensor_byte_size(a)) == 0;
}

/* Runs `s` on `image` into a new tensor. */
static onnxi_tensor* run1(onnxi_session* s, const onnxi_tensor* image) {
  const char* names[1] = {"input"};
  const onnxi_tensor* inputs[1] = {image};
  onnxi_tensor* out = NULL;
  CHECK(onnxi_session_run(s, names, inputs, 1, NULL, &out, 1) == ONNXI_OK);
  return out;
}

int main(int argc, char** argv) {
  char model[4096], input_pb[4096], output_pb[4096];
  onnxi_session* s = NULL;
  onnxi_tensor *image = NULL, *want = NULL, *got = NULL;
  onnxi_io_info info;
  if (argc != 2) {
    fprintf(stderr, "usage: %s RESNET50_DIR\n", argv[0]);
    return 2;
  }
  snprintf(model, sizeof model, "%s/model.onnx", argv[1]);
  snprintf(input_pb, sizeof input_pb, "%s/test_data_set_0/input_0.pb", argv[1]);
  snprintf(output_pb, sizeof output_pb, "%s/test_data_set_0/output_0.pb", argv[1]);

  /* Library basics. */
  CHECK(strlen(onnxi_version()) > 0);
  CHECK(strcmp(onnxi_status_name(ONNXI_ERROR_LOAD), "load error") == 0);
  CHECK(onnxi_dtype_size(ONNXI_DTYPE_FLOAT) == 4 && onnxi_dtype_size(ONNXI_DTYPE_INT64) == 8);
  CHECK(onnxi_dtype_size(ONNXI_DTYPE_STRING) == 0);

  /* Errors: status codes and messages, no crash, out handles set to NULL. */
  s = (onnxi_session*)&failures; /* garbage that must be overwritten */
  CHECK(onnxi_session_create("/nonexistent/model.onnx", NULL, &s) == ONNXI_ERROR_LOAD);
  CHECK(s == NULL);
  CHECK(strstr(onnxi_last_error(), "/nonexistent/model.onnx") != NULL);
  CHECK(onnxi_session_create(NULL, NULL, &s) == ONNXI_ERROR_USAGE);
  CHECK(onnxi_session_create(model, NULL, NULL) == ONNXI_ERROR_USAGE);
  CHECK(onnxi_session_create_from_memory("not a model", 11, NULL, &s) == ONNXI_ERROR_LOAD && s == NULL);
  {
    int64_t shape[2] = {2, 3};
    float small[4];
    onnxi_tensor* t = NULL;
    CHECK(onnxi_tensor_wrap(ONNXI_DTYPE_FLOAT, shape, 2, small, sizeof small, &t) == ONNXI_ERROR_USAGE &&
          t == NULL);
    CHECK(strstr(onnxi_last_error(), "needs 24") != NULL);
    CHECK(onnxi_tensor_create((onnxi_dtype)99, shape, 2, &t) == ONNXI_ERROR_USAGE);
    shape[0] = -1;
    CHECK(onnxi_tensor_create(ONNXI_DTYPE_FLOAT, shape, 2, &t) == ONNXI_ERROR_USAGE);
    shape[0] = 2;
    REQUIRE(onnxi_tensor_create(ONNXI_DTYPE_INT32, shape, 2, &t) == ONNXI_OK);
    CHECK(onnxi_tensor_element_count(t) == 6 && onnxi_tensor_byte_size(t) == 24 && onnxi_tensor_rank(t) == 2);
    CHECK(((int32_t*)onnxi_tensor_data(t))[5] == 0);
    onnxi_tensor_destroy(t);
  }
  CHECK(onnxi_tensor_read_file("/nonexistent.pb", &image) == ONNXI_ERROR_IO && image == NULL);

  /* Load and inspect. */
  REQUIRE(onnxi_session_create(model, NULL, &s) == ONNXI_OK);
  CHECK(onnxi_session_input_count(s) == 1);
  CHECK(onnxi_session_output_count(s) == 1);
  REQUIRE(onnxi_session_input_info(s, 0, &info) == ONNXI_OK);
  CHECK(strcmp(info.name, "input") == 0);
  CHECK(info.dtype == ONNXI_DTYPE_FLOAT && info.has_shape && info.rank == 4);
  CHECK(info.shape[0] < 0 && strlen(info.dim_names[0]) > 0); /* dynamic, named batch */
  CHECK(info.shape[1] == 3 && info.shape[2] == 224 && info.shape[3] == 224);
  CHECK(onnxi_session_input_info(s, 1, &info) == ONNXI_ERROR_USAGE);
  REQUIRE(onnxi_session_output_info(s, 0, &info) == ONNXI_OK);
  CHECK(strcmp(info.name, "output") == 0 && info.rank == 2 && info.shape[1] == 1000);

  /* Run against PyTorch's output. */
  REQUIRE(onnxi_tensor_read_file(input_pb, &image) == ONNXI_OK);
  REQUIRE(onnxi_tensor_read_file(output_pb, &want) == ONNXI_OK);
  got = run1(s, image);
  REQUIRE(got != NULL);
  CHECK(onnxi_tensor_dtype(got) == ONNXI_DTYPE_FLOAT && onnxi_tensor_rank(got) == 2);
  CHECK(onnxi_tensor_shape(got)[0] == 1 && onnxi_tensor_shape(got)[1] == 1000);
  {
    const float* g = (const float*)onnxi_tensor_data(got);
    const float* w = (const float*)onnxi_tensor_data(want);
    double diff = 0, mag = 0;
    int64_t i;
    for (i = 0; i < 1000; ++i) {
      diff = fmax(diff, fabs((double)g[i] - w[i]));
      mag = fmax(mag, fabs((double)w[i]));
    }
    CHECK(mag > 0 && diff / mag <= 1e-4);
  }

  /* Caller-owned input and output memory: same bits as the run above. */
  {
    size_t bytes = onnxi_tensor_byte_size(image);
    float* in_mem = (float*)malloc(bytes + 64);
    float out_mem[1000 + 16];
    int64_t in_shape[4] = {1, 3, 224, 224}, out_shape[2] = {1, 1000}, bad_shape[2] = {2, 1000};
    onnxi_tensor *in_view = NULL, *out_view = NULL, *bad_view = NULL, *kept;
    const char* in_names[1] = {"input"};
    const char* out_names[1] = {"output"};
    const onnxi_tensor* inputs[1];
    REQUIRE(in_mem != NULL);
    memcpy(in_mem, onnxi_tensor_data(image), bytes);
    REQUIRE(onnxi_tensor_wrap(ONNXI_DTYPE_FLOAT, in_shape, 4, in_mem, bytes + 64, &in_view) == ONNXI_OK);
    REQUIRE(onnxi_tensor_wrap(ONNXI_DTYPE_FLOAT, out_shape, 2, out_mem, sizeof out_mem, &out_view) ==
            ONNXI_OK);
    memset(out_mem, 0, sizeof out_mem);
    inputs[0] = in_view;
    kept = out_view;
    CHECK(onnxi_session_run(s, in_names, inputs, 1, out_names, &out_view, 1) == ONNXI_OK);
    CHECK(out_view == kept);
    CHECK(onnxi_tensor_data(out_view) == (void*)out_mem);
    CHECK(memcmp(out_mem, onnxi_tensor_data(got), 1000 * sizeof(float)) == 0);
    /* A caller tensor of the wrong shape: an error, and the handle is left alone. */
    REQUIRE(onnxi_tensor_wrap(ONNXI_DTYPE_FLOAT, bad_shape, 2, out_mem, sizeof out_mem, &bad_view) ==
            ONNXI_ERROR_USAGE);
    REQUIRE(onnxi_tensor_create(ONNXI_DTYPE_FLOAT, bad_shape, 2, &bad_view) == ONNXI_OK);
    kept = bad_view;
    CHECK(onnxi_session_run(s, in_names, inputs, 1, out_names, &bad_view, 1) == ONNXI_ERROR_RUN);
    CHECK(bad_view == kept);
    CHECK(strstr(onnxi_last_error(), "output") != NULL);
    onnxi_tensor_destroy(bad_view);
    onnxi_tensor_destroy(out_view);
    onnxi_tensor_destroy(in_view);
    free(in_mem);
  }

  /* Bad runs: unknown input, missing input, unknown output, wrong dtype. */
  {
    const char* bad_names[1] = {"nope"};
    const char* out_names[1] = {"nope"};
    const onnxi_tensor* inputs[1] = {image};
    const char* in_names[1] = {"input"};
    onnxi_tensor* out = NULL;
    int64_t shape[4] = {1, 3, 224, 224};
    onnxi_tensor* ints = NULL;
    CHECK(onnxi_session_run(s, bad_names, inputs, 1, NULL, &out, 1) == ONNXI_ERROR_RUN && out == NULL);
    CHECK(strstr(onnxi_last_error(), "unknown input 'nope'") != NULL);
    CHECK(onnxi_session_run(s, NULL, NULL, 0, NULL, &out, 1) == ONNXI_ERROR_RUN && out == NULL);
    CHECK(strstr(onnxi_last_error(), "missing input 'input'") != NULL);
    CHECK(onnxi_session_run(s, in_names, inputs, 1, out_names, &out, 1) == ONNXI_ERROR_RUN && out == NULL);
    CHECK(onnxi_session_run(s, in_names, inputs, 1, NULL, &out, 2) == ONNXI_ERROR_USAGE);
    REQUIRE(onnxi_tensor_create(ONNXI_DTYPE_INT32, shape, 4, &ints) == ONNXI_OK);
    inputs[0] = ints;
    CHECK(onnxi_session_run(s, in_names, inputs, 1, NULL, &out, 1) == ONNXI_ERROR_RUN && out == NULL);
    CHECK(strstr(onnxi_last_error(), "int32") != NULL);
    onnxi_tensor_destroy(ints);
  }

  /* From memory, with options and a thread pool shared by two sessions: same bits. */
  {
    size_t size = 0;
    char* bytes = read_file(model, &size);
    onnxi_options* opt = NULL;
    onnxi_thread_pool* pool = NULL;
    onnxi_session *a = NULL, *b = NULL;
    onnxi_tensor *ya, *yb;
    REQUIRE(bytes != NULL);
    REQUIRE(onnxi_options_create(&opt) == ONNXI_OK);
    REQUIRE(onnxi_thread_pool_create(2, &pool) == ONNXI_OK);
    CHECK(onnxi_options_set_thread_pool(opt, pool) == ONNXI_OK);
    CHECK(onnxi_options_set_profile(opt, 1) == ONNXI_OK);
    CHECK(onnxi_options_set_threads(opt, -1) == ONNXI_ERROR_USAGE);
    REQUIRE(onnxi_session_create_from_memory(bytes, size, opt, &a) == ONNXI_OK);
    free(bytes);
    onnxi_thread_pool_destroy(pool); /* the sessions keep it alive */
    REQUIRE(onnxi_session_create(model, opt, &b) == ONNXI_OK);
    ya = run1(a, image);
    yb = run1(b, image);
    CHECK(ya && yb && same_bits(ya, yb));
    onnxi_tensor_destroy(ya);
    onnxi_tensor_destroy(yb);
    onnxi_session_destroy(a);
    onnxi_session_destroy(b);
    onnxi_options_destroy(opt);
  }
  /* Without graph rewrites: same answer within tolerance. */
  {
    onnxi_options* opt = NULL;
    onnxi_session* plain = NULL;
    onnxi_tensor* y;
    REQUIRE(onnxi_options_create(&opt) == ONNXI_OK);
    CHECK(onnxi_options_set_optimize(opt, 0) == ONNXI_OK);
    REQUIRE(onnxi_session_create(model, opt, &plain) == ONNXI_OK);
    y = run1(plain, image);
    if (y) {
      const float* g = (const float*)onnxi_tensor_data(y);
      const float* w = (const float*)onnxi_tensor_data(want);
      double diff = 0, mag = 0;
      int64_t i;
      for (i = 0; i < 1000; ++i) {
        diff = fmax(diff, fabs((double)g[i] - w[i]));
        mag = fmax(mag, fabs((double)w[i]));
      }
      CHECK(diff / mag <= 1e-4);
    }
    onnxi_tensor_destroy(y);
    onnxi_session_destroy(plain);
    onnxi_options_destroy(opt);
  }

  onnxi_tensor_destroy(got);
  onnxi_tensor_destroy(want);
  onnxi_tensor_destroy(image);
  onnxi_session_destroy(s);
  onnxi_session_destroy(NULL); /* destroy accepts NULL */
  if (failures) {
    fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  printf("C API: all checks passed\n");
  return 0;
}
