//===- AsyncRuntime.h - MLIR's async runtime ABI on Kiln's threads --------===//
//
// Compiled modules whose loops went through MLIR's async passes
// (async-parallel-for, async-to-async-runtime, convert-async-to-llvm) call
// the mlirAsyncRuntime* functions that MLIR declares in
// mlir/ExecutionEngine/AsyncRuntime.h. libkiln_runtime implements them
// (async/AsyncRuntime.cpp) without linking MLIR: this header declares the
// same C functions with the same C ABI, plus the guard that sets how many
// threads a run's parallel loops may use.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_ASYNC_ASYNCRUNTIME_H
#define KILN_RUNTIME_ASYNC_ASYNCRUNTIME_H

#include <cstddef>
#include <cstdint>

#define KILN_ASYNC_API __attribute__((visibility("default")))

/// Opaque runtime objects of the `!async.token`, `!async.value` and
/// `!async.group` types (defined in AsyncRuntime.cpp).
struct KilnAsyncToken;
struct KilnAsyncValue;
struct KilnAsyncGroup;

extern "C" {

/// A suspended LLVM coroutine: its handle and the function that resumes it.
typedef void *KilnCoroHandle;
typedef void (*KilnCoroResume)(void *);

// The ABI of MLIR's AsyncRuntime.h (LLVM 22), in its order. Tokens and
// values start with two references (the creator's and the one that emplacing
// drops); groups with one. NULL objects are treated as ready and in error, so
// that a failed creation shows up as an error instead of a crash or a hang.
KILN_ASYNC_API void mlirAsyncRuntimeAddRef(void *object, int64_t count);
KILN_ASYNC_API void mlirAsyncRuntimeDropRef(void *object, int64_t count);
KILN_ASYNC_API KilnAsyncToken *mlirAsyncRuntimeCreateToken();
KILN_ASYNC_API KilnAsyncValue *mlirAsyncRuntimeCreateValue(int64_t size);
KILN_ASYNC_API KilnAsyncGroup *mlirAsyncRuntimeCreateGroup(int64_t size);
KILN_ASYNC_API int64_t mlirAsyncRuntimeAddTokenToGroup(KilnAsyncToken *token,
                                                       KilnAsyncGroup *group);
KILN_ASYNC_API void mlirAsyncRuntimeEmplaceToken(KilnAsyncToken *token);
KILN_ASYNC_API void mlirAsyncRuntimeEmplaceValue(KilnAsyncValue *value);
KILN_ASYNC_API void mlirAsyncRuntimeSetTokenError(KilnAsyncToken *token);
KILN_ASYNC_API void mlirAsyncRuntimeSetValueError(KilnAsyncValue *value);
KILN_ASYNC_API bool mlirAsyncRuntimeIsTokenError(KilnAsyncToken *token);
KILN_ASYNC_API bool mlirAsyncRuntimeIsValueError(KilnAsyncValue *value);
KILN_ASYNC_API bool mlirAsyncRuntimeIsGroupError(KilnAsyncGroup *group);
KILN_ASYNC_API void mlirAsyncRuntimeAwaitToken(KilnAsyncToken *token);
KILN_ASYNC_API void mlirAsyncRuntimeAwaitValue(KilnAsyncValue *value);
KILN_ASYNC_API void mlirAsyncRuntimeAwaitAllInGroup(KilnAsyncGroup *group);
KILN_ASYNC_API std::byte *mlirAsyncRuntimeGetValueStorage(KilnAsyncValue *value);
KILN_ASYNC_API void mlirAsyncRuntimeExecute(KilnCoroHandle handle,
                                            KilnCoroResume resume);
KILN_ASYNC_API void mlirAsyncRuntimeAwaitTokenAndExecute(KilnAsyncToken *token,
                                                         KilnCoroHandle handle,
                                                         KilnCoroResume resume);
KILN_ASYNC_API void mlirAsyncRuntimeAwaitValueAndExecute(KilnAsyncValue *value,
                                                         KilnCoroHandle handle,
                                                         KilnCoroResume resume);
KILN_ASYNC_API void
mlirAsyncRuntimeAwaitAllInGroupAndExecute(KilnAsyncGroup *group,
                                          KilnCoroHandle handle,
                                          KilnCoroResume resume);
/// Spelled as upstream spells it (no 'e' after "Runtim").
KILN_ASYNC_API int64_t mlirAsyncRuntimGetNumWorkerThreads();
KILN_ASYNC_API void mlirAsyncRuntimePrintCurrentThreadId();

} // extern "C"

namespace kiln::internal {

/// Sets the parallelism of the async runtime on this thread (the threads a
/// run's parallel loops may use, the caller's included) until destroyed: a
/// session's num_threads. Without one a thread's parallelism is 1, and
/// parallel loops run sequentially on it.
class AsyncParallelismGuard {
public:
  explicit AsyncParallelismGuard(int32_t parallelism);
  ~AsyncParallelismGuard();
  AsyncParallelismGuard(const AsyncParallelismGuard &) = delete;
  AsyncParallelismGuard &operator=(const AsyncParallelismGuard &) = delete;

private:
  int32_t previous;
};

} // namespace kiln::internal

#endif // KILN_RUNTIME_ASYNC_ASYNCRUNTIME_H
