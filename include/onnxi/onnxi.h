/* onnxi C API: load an ONNX model, inspect its inputs and outputs, run it.
 *
 * For FFI and C programs. Objects are opaque handles made by a *_create function and freed
 * by the matching *_destroy (which accepts NULL). Every function that can fail returns an
 * onnxi_status; on failure, onnxi_last_error() gives a one-line message with the context
 * (what failed, the file, the node) for the calling thread. No C++ exception crosses this
 * boundary.
 *
 * Thread safety: a session may be run from several threads at once (onnxi_session_run);
 * other handles (options, tensors) must not be used by two threads at once while one of
 * them modifies it.
 */
#ifndef ONNXI_ONNXI_H_
#define ONNXI_ONNXI_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Result of a call. ONNXI_OK is 0; the others match the stage that failed. */
typedef enum onnxi_status {
  ONNXI_OK = 0,
  ONNXI_ERROR_LOAD = 1,    /* reading or parsing the model */
  ONNXI_ERROR_BUILD = 2,   /* creating kernels (e.g. unsupported operator) */
  ONNXI_ERROR_PLAN = 3,    /* shape inference and memory planning */
  ONNXI_ERROR_RUN = 4,     /* running: bad input, kernel failure */
  ONNXI_ERROR_IO = 5,      /* reading or writing tensor files */
  ONNXI_ERROR_USAGE = 6,   /* invalid argument (NULL handle, bad index, bad size, ...) */
  ONNXI_ERROR_INTERNAL = 7 /* anything else (e.g. out of memory) */
} onnxi_status;

/* Element types; the values are ONNX's TensorProto.DataType codes. */
typedef enum onnxi_dtype {
  ONNXI_DTYPE_UNDEFINED = 0,
  ONNXI_DTYPE_FLOAT = 1,
  ONNXI_DTYPE_UINT8 = 2,
  ONNXI_DTYPE_INT8 = 3,
  ONNXI_DTYPE_UINT16 = 4,
  ONNXI_DTYPE_INT16 = 5,
  ONNXI_DTYPE_INT32 = 6,
  ONNXI_DTYPE_INT64 = 7,
  ONNXI_DTYPE_STRING = 8, /* not supported by the C API's tensors */
  ONNXI_DTYPE_BOOL = 9,
  ONNXI_DTYPE_FLOAT16 = 10,
  ONNXI_DTYPE_DOUBLE = 11,
  ONNXI_DTYPE_UINT32 = 12,
  ONNXI_DTYPE_UINT64 = 13,
  ONNXI_DTYPE_COMPLEX64 = 14,
  ONNXI_DTYPE_COMPLEX128 = 15,
  ONNXI_DTYPE_BFLOAT16 = 16,
  ONNXI_DTYPE_FLOAT8E4M3FN = 17,
  ONNXI_DTYPE_FLOAT8E4M3FNUZ = 18,
  ONNXI_DTYPE_FLOAT8E5M2 = 19,
  ONNXI_DTYPE_FLOAT8E5M2FNUZ = 20,
  ONNXI_DTYPE_UINT4 = 21, /* the 4- and 2-bit types are packed as in ONNX (see onnxi/dtype.h): */
  ONNXI_DTYPE_INT4 = 22,  /* two (four) elements per byte, first element in the low bits */
  ONNXI_DTYPE_FLOAT4E2M1 = 23,
  ONNXI_DTYPE_FLOAT8E8M0 = 24,
  ONNXI_DTYPE_UINT2 = 25,
  ONNXI_DTYPE_INT2 = 26,
  /* not a dtype: makes every int a valid onnxi_dtype value in C++ too, so that an unknown
     code passed in from C is reported as ONNXI_ERROR_USAGE instead of being undefined */
  ONNXI_DTYPE_FORCE_INT_ = 0x7fffffff
} onnxi_dtype;

typedef struct onnxi_options onnxi_options;
typedef struct onnxi_thread_pool onnxi_thread_pool;
typedef struct onnxi_session onnxi_session;
typedef struct onnxi_tensor onnxi_tensor;

/* Library version, e.g. "0.1.0". */
const char* onnxi_version(void);

/* The message of the last failed call on this thread ("" when none). Valid until the next
 * failing call on this thread. */
const char* onnxi_last_error(void);

/* A short name for a status ("ok", "load error", ...). */
const char* onnxi_status_name(onnxi_status status);

/* Bytes per element of `dtype`; 0 for UNDEFINED, STRING, unknown values and the packed 4-
   and 2-bit types (whose tensors take ceil(n * bits / 8) bytes: see onnxi_tensor_byte_size). */
size_t onnxi_dtype_size(onnxi_dtype dtype);

/* ---- thread pools ---- */

/* A pool of `threads` worker threads (0: one per core) that several sessions may share. */
onnxi_status onnxi_thread_pool_create(int threads, onnxi_thread_pool** out);
/* Releases the caller's reference; sessions using the pool keep it alive. */
void onnxi_thread_pool_destroy(onnxi_thread_pool* pool);

/* ---- session options ---- */

/* Defaults: threads 0 (one per core), optimization on, profiling off, own thread pool. */
onnxi_status onnxi_options_create(onnxi_options** out);
void onnxi_options_destroy(onnxi_options* options);
/* Threads of the session's own pool (ignored when a shared pool is set); 0: one per core. */
onnxi_status onnxi_options_set_threads(onnxi_options* options, int threads);
/* Graph rewrites (constant folding, fusion, NHWC layout): 1 on (default), 0 off. */
onnxi_status onnxi_options_set_optimize(onnxi_options* options, int enabled);
/* Per-node timing of runs: 1 on, 0 off (default). */
onnxi_status onnxi_options_set_profile(onnxi_options* options, int enabled);
/* Runs sessions made with these options on `pool` (shared); NULL: each its own pool. */
onnxi_status onnxi_options_set_thread_pool(onnxi_options* options, onnxi_thread_pool* pool);

/* ---- sessions ---- */

/* Loads the ONNX model at `path` and prepares it. `options` may be NULL (defaults). */
onnxi_status onnxi_session_create(const char* path, const onnxi_options* options, onnxi_session** out);
/* Same from `size` bytes of a serialized model at `data` (not needed after the call).
 * External data files, if the model has any, are not supported from memory. */
onnxi_status onnxi_session_create_from_memory(const void* data, size_t size, const onnxi_options* options,
                                              onnxi_session** out);
void onnxi_session_destroy(onnxi_session* session);

/* Declared inputs/outputs. Strings and arrays returned below stay valid as long as the
 * session. */
size_t onnxi_session_input_count(const onnxi_session* session);
size_t onnxi_session_output_count(const onnxi_session* session);

/* An input or output as the model declares it. shape[i] < 0 marks a dynamic dimension,
 * whose symbolic name (or "") is dim_names[i]. has_shape is 0 when the rank is unknown. */
typedef struct onnxi_io_info {
  const char* name;
  onnxi_dtype dtype;
  int has_shape;
  size_t rank;
  const int64_t* shape;
  const char* const* dim_names;
} onnxi_io_info;

onnxi_status onnxi_session_input_info(const onnxi_session* session, size_t index, onnxi_io_info* out);
onnxi_status onnxi_session_output_info(const onnxi_session* session, size_t index, onnxi_io_info* out);

/* Runs the model. `inputs[i]` is fed to the input named `input_names[i]` (n_inputs
 * pairs; inputs with an initializer default may be left out). `output_names` (n_outputs
 * names) says which outputs to compute; NULL means all, in model order (n_outputs must
 * then be the output count). On entry each outputs[i] is either NULL, and receives a new
 * tensor the caller destroys, or a tensor of the output's dtype and shape (e.g. from
 * onnxi_tensor_wrap) which the result is written into (directly by the producing kernel
 * where possible). On failure, outputs[i] that were NULL stay NULL. Safe to call from
 * several threads at once on one session. */
onnxi_status onnxi_session_run(onnxi_session* session, const char* const* input_names,
                               const onnxi_tensor* const* inputs, size_t n_inputs,
                               const char* const* output_names, onnxi_tensor** outputs, size_t n_outputs);

/* ---- tensors ---- */

/* A new tensor of `dtype` and `shape` (rank dims; rank 0 is a scalar), zero-filled, owned
 * by the handle. */
onnxi_status onnxi_tensor_create(onnxi_dtype dtype, const int64_t* shape, size_t rank, onnxi_tensor** out);
/* A tensor over caller-owned memory, not copied: `data` holds `data_bytes` bytes, at least
 * the element count times the element size, and must stay valid (and unchanged while a
 * run reads it) as long as the handle. Kernels may read up to 64 bytes past the end of an
 * input, so give that much slack where you can. */
onnxi_status onnxi_tensor_wrap(onnxi_dtype dtype, const int64_t* shape, size_t rank, void* data,
                               size_t data_bytes, onnxi_tensor** out);
void onnxi_tensor_destroy(onnxi_tensor* tensor);
onnxi_dtype onnxi_tensor_dtype(const onnxi_tensor* tensor);
size_t onnxi_tensor_rank(const onnxi_tensor* tensor);
/* The dims (rank of them); valid as long as the tensor. */
const int64_t* onnxi_tensor_shape(const onnxi_tensor* tensor);
int64_t onnxi_tensor_element_count(const onnxi_tensor* tensor);
size_t onnxi_tensor_byte_size(const onnxi_tensor* tensor);
/* The elements, row-major; NULL for an empty tensor or a NULL handle. */
void* onnxi_tensor_data(onnxi_tensor* tensor);
/* Reads a tensor from an ONNX TensorProto (.pb) or NumPy (.npy) file, by extension, into a
 * new tensor the caller destroys. */
onnxi_status onnxi_tensor_read_file(const char* path, onnxi_tensor** out);

#ifdef __cplusplus
}
#endif

#endif /* ONNXI_ONNXI_H_ */
