/* Minimal C embedding example: classify an image tensor with an ImageNet model
 * (e.g. ResNet-50) and print the top-5 classes.
 *   classify_c MODEL.onnx INPUT.pb|INPUT.npy */
#include <onnxi/onnxi.h>
#include <stdio.h>

static int check(onnxi_status s, const char* what) {
  if (s == ONNXI_OK) return 0;
  fprintf(stderr, "classify: %s: %s\n", what, onnxi_last_error());
  return 1;
}

int main(int argc, char** argv) {
  onnxi_options* options = NULL;
  onnxi_session* session = NULL;
  onnxi_tensor* image = NULL;
  onnxi_tensor* logits = NULL;
  onnxi_io_info in;
  int rc = 1;
  if (argc != 3) {
    fprintf(stderr, "usage: %s MODEL.onnx INPUT.pb\n", argv[0]);
    return 2;
  }
  if (check(onnxi_options_create(&options), "options") ||
      check(onnxi_options_set_threads(options, 2), "options") ||
      check(onnxi_session_create(argv[1], options, &session), "load") ||
      check(onnxi_session_input_info(session, 0, &in), "input info") ||
      check(onnxi_tensor_read_file(argv[2], &image), "input"))
    goto done;
  {
    const onnxi_tensor* inputs[1] = {image};
    if (check(onnxi_session_run(session, &in.name, inputs, 1, NULL, &logits, 1), "run")) goto done;
  }
  {
    size_t rank = onnxi_tensor_rank(logits);
    const int64_t* shape = onnxi_tensor_shape(logits);
    int64_t classes = shape[rank - 1], rows = onnxi_tensor_element_count(logits) / classes, b;
    const float* data = (const float*)onnxi_tensor_data(logits);
    for (b = 0; b < rows; ++b) {
      const float* row = data + b * classes;
      int64_t top[5];
      int k, j;
      /* Five passes of selection: the largest not yet taken. */
      for (k = 0; k < 5; ++k) {
        int64_t best = -1, c;
        for (c = 0; c < classes; ++c) {
          int taken = 0;
          for (j = 0; j < k; ++j) taken |= top[j] == c;
          if (!taken && (best < 0 || row[c] > row[best])) best = c;
        }
        top[k] = best;
      }
      printf("top-5 [%lld]:", (long long)b);
      for (k = 0; k < 5; ++k) printf(" %lld", (long long)top[k]);
      printf("\n");
    }
  }
  rc = 0;
done:
  onnxi_tensor_destroy(logits);
  onnxi_tensor_destroy(image);
  onnxi_session_destroy(session);
  onnxi_options_destroy(options);
  return rc;
}
