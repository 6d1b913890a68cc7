//===- AsyncRuntime.cpp - MLIR's async runtime ABI on Kiln's threads ------===//
//
// Implements the mlirAsyncRuntime* functions that code lowered by MLIR's
// async passes calls (see AsyncRuntime.h), so that a compiled module's
// parallel loops run on the threads of the session that runs it.
//
// Reference-counted objects: tokens, values (a token plus storage) and groups
// (a count of tokens still pending). Tokens and values start with two
// references: the creator's, and one that emplacing (or setting the error)
// drops, so that the task completing them keeps them alive however early the
// creator lets go.
//
// Threads: the OpenMP threads oneDNN's kernels run on. Execute() queues a
// task (FIFO); the thread that then blocks in an Await* call opens an OpenMP
// parallel region of the run's parallelism whose threads run queued tasks
// until the awaited object is ready. A separate pool of workers was measured
// first: right after each oneDNN kernel, OpenMP's threads spin waiting for
// the next region while the workers want the same cores (SqueezeNet at 2
// threads ran slower than at one). Inside a region (a task that
// awaits, as nested parallel loops do) a thread runs queued tasks itself.
//
//===----------------------------------------------------------------------===//

#include "async/AsyncRuntime.h"

#include <immintrin.h>
#include <omp.h>
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <mutex>
#include <new>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

using namespace kiln::internal;

namespace {

/// The parallelism of the runs of this thread (AsyncParallelismGuard); the
/// workers take the value of the run whose task they execute.
thread_local int32_t currentParallelism = 1;

/// A suspended coroutine to resume, with the parallelism of the run that
/// scheduled it.
struct Task {
  KilnCoroHandle handle;
  KilnCoroResume resume;
  int32_t parallelism;
};

/// Resumes `task` on this thread with its run's parallelism, so that the
/// loops it starts are split as the run's own are.
void runTask(const Task &task) {
  AsyncParallelismGuard parallelism(task.parallelism);
  task.resume(task.handle);
}

//===----------------------------------------------------------------------===//
// The task queue
//===----------------------------------------------------------------------===//

/// The process-wide FIFO queue of tasks, run by the threads that await.
class TaskQueue {
public:
  /// The queue, created on first use.
  static TaskQueue &get() {
    static TaskQueue pool;
    return pool;
  }

  /// Queues `task` for the next thread that awaits.
  void submit(const Task &task);

  /// Runs queued tasks until `done()` is true: on `parallelism` OpenMP
  /// threads when above 1 and not inside a parallel region already, else on
  /// this thread, sleeping while there is nothing to run.
  void helpUntil(const std::function<bool()> &done, int32_t parallelism);

  /// Wakes the threads in helpUntil() to check their condition again: an
  /// object became ready.
  void notifyProgress();

private:
  TaskQueue() = default;

  /// Runs queued tasks on this thread until `done()`.
  void drainUntil(const std::function<bool()> &done);
  /// Takes the oldest task; the caller holds `mutex` and the queue is not
  /// empty.
  Task popTask();

  /// Spins (without the mutex) until `done()` or a task is queued, for at
  /// most kSpinTime; whether either happened.
  bool spinForProgress(const std::function<bool()> &done) const;

  std::mutex mutex;
  /// Signals waiting threads that a task was queued or an object is ready.
  std::condition_variable progress;
  std::deque<Task> queue;
  /// The queue's length, readable without the mutex (spinning threads).
  std::atomic<size_t> queued{0};
};

/// How long a thread with nothing to run spins before it sleeps. The tasks
/// of a parallel loop take microseconds: a thread that sleeps on the
/// condition variable must be woken through the kernel before the OpenMP
/// region (and so the loop) can end, which cost tens of microseconds per loop
/// (SqueezeNet runs about 30 loops).
constexpr std::chrono::microseconds kSpinTime{100};

void TaskQueue::submit(const Task &task) {
  std::lock_guard<std::mutex> lock(mutex);
  queue.push_back(task);
  queued.store(queue.size(), std::memory_order_release);
  progress.notify_all();
}

Task TaskQueue::popTask() {
  Task task = queue.front();
  queue.pop_front();
  queued.store(queue.size(), std::memory_order_release);
  return task;
}

bool TaskQueue::spinForProgress(const std::function<bool()> &done) const {
  auto deadline = std::chrono::steady_clock::now() + kSpinTime;
  for (unsigned spins = 1;; ++spins) {
    if (queued.load(std::memory_order_acquire) > 0 || done())
      return true;
    _mm_pause();
    // Reading the clock costs more than a pause: look at it now and then.
    if (spins % 64 == 0 && std::chrono::steady_clock::now() > deadline)
      return false;
  }
}

void TaskQueue::drainUntil(const std::function<bool()> &done) {
  std::unique_lock<std::mutex> lock(mutex);
  // `done` is checked with the mutex held and notifyProgress() takes it, so
  // a wake-up between the check and the wait cannot be lost.
  while (!done()) {
    if (!queue.empty()) {
      Task task = popTask();
      lock.unlock();
      runTask(task);
      lock.lock();
      continue;
    }
    lock.unlock();
    bool progressed = spinForProgress(done);
    lock.lock();
    // Checked again with the mutex held: what happened since the spin ended
    // was notified before this thread could wait for it.
    if (!progressed && queue.empty() && !done())
      progress.wait(lock);
  }
}

void TaskQueue::helpUntil(const std::function<bool()> &done,
                          int32_t parallelism) {
  if (parallelism <= 1 || omp_in_parallel()) {
    drainUntil(done);
    return;
  }
#pragma omp parallel num_threads(parallelism)
  drainUntil(done);
}

void TaskQueue::notifyProgress() {
  std::lock_guard<std::mutex> lock(mutex);
  progress.notify_all();
}

/// Queues `task` when the run is parallel, runs it inline otherwise.
void execute(const Task &task) {
  if (task.parallelism <= 1) {
    runTask(task);
    return;
  }
  TaskQueue::get().submit(task);
}

} // namespace

//===----------------------------------------------------------------------===//
// Reference-counted objects
//===----------------------------------------------------------------------===//

namespace {

enum class State { Unavailable, Available, Error };

/// The base of every object the ABI hands out as a RefCountedObjPtr.
struct RefCounted {
  explicit RefCounted(int64_t references) : references(references) {}
  virtual ~RefCounted() = default;

  void addRef(int64_t count) {
    references.fetch_add(count, std::memory_order_relaxed);
  }
  /// Deletes the object when the last reference goes. Dropping more
  /// references than there are never deletes twice (the count only reaches
  /// exactly zero once).
  void dropRef(int64_t count) {
    if (references.fetch_sub(count, std::memory_order_acq_rel) == count)
      delete this;
  }

  std::atomic<int64_t> references;
};

/// What runs when an object becomes ready: a resumed coroutine or a group's
/// bookkeeping.
using Awaiter = std::function<void()>;

/// A token or a value: unavailable until emplaced or set to error, once.
struct Awaitable : RefCounted {
  Awaitable() : RefCounted(2) {}

  bool isReady() const {
    return state.load(std::memory_order_acquire) != State::Unavailable;
  }
  bool isError() const {
    return state.load(std::memory_order_acquire) == State::Error;
  }

  std::atomic<State> state{State::Unavailable};
  std::mutex mutex;
  std::vector<Awaiter> awaiters;
};

} // namespace

struct KilnAsyncToken : Awaitable {};

struct KilnAsyncValue : Awaitable {
  /// Aligned for any vector type the value may hold.
  static constexpr std::align_val_t kAlignment{64};

  explicit KilnAsyncValue(std::byte *storage) : storage(storage) {}
  ~KilnAsyncValue() override { ::operator delete(storage, kAlignment); }

  std::byte *storage;
};

struct KilnAsyncGroup : RefCounted {
  explicit KilnAsyncGroup(int64_t size) : RefCounted(1), pending(size) {}

  bool isDone() const { return pending.load(std::memory_order_acquire) <= 0; }

  /// Tokens that are still to become ready. It starts at the group's size;
  /// a group with more tokens than its size is done at the size-th.
  std::atomic<int64_t> pending;
  std::atomic<int64_t> nextRank{0};
  std::atomic<int64_t> errors{0};
  std::mutex mutex;
  std::vector<Awaiter> awaiters;
};

namespace {

/// Makes `object` ready in `state`, runs its awaiters on this thread and
/// drops the reference that emplacing owns. A second emplace is ignored.
void setState(Awaitable *object, State state) {
  if (!object)
    return;
  std::vector<Awaiter> ready;
  {
    std::lock_guard<std::mutex> lock(object->mutex);
    if (object->isReady())
      return;
    object->state.store(state, std::memory_order_release);
    ready.swap(object->awaiters);
  }
  for (Awaiter &awaiter : ready)
    awaiter();
  TaskQueue::get().notifyProgress();
  object->dropRef(1);
}

/// Blocks until `object` is ready, running queued tasks meanwhile.
void await(const Awaitable *object) {
  if (!object || object->isReady())
    return;
  TaskQueue::get().helpUntil([object] { return object->isReady(); },
                             currentParallelism);
}

/// Resumes the coroutine now if `object` (a token, value or group) is
/// `ready`, else when it becomes so, in the parallelism of the run that
/// awaits.
template <typename Object, typename ReadyFn>
void resumeWhenReady(Object *object, KilnCoroHandle handle,
                     KilnCoroResume resume, ReadyFn ready) {
  if (!resume)
    return;
  Task task{handle, resume, currentParallelism};
  if (object) {
    std::lock_guard<std::mutex> lock(object->mutex);
    if (!ready(*object)) {
      object->awaiters.emplace_back([task] { runTask(task); });
      return;
    }
  }
  runTask(task);
}

void awaitAndExecute(Awaitable *object, KilnCoroHandle handle,
                     KilnCoroResume resume) {
  resumeWhenReady(object, handle, resume, [](const Awaitable &awaitable) {
    return awaitable.isReady();
  });
}

/// Counts one of `group`'s tokens as ready; the last runs its awaiters.
void tokenReadyInGroup(KilnAsyncGroup *group, bool error) {
  if (error)
    group->errors.fetch_add(1, std::memory_order_relaxed);
  std::vector<Awaiter> ready;
  {
    std::lock_guard<std::mutex> lock(group->mutex);
    if (group->pending.fetch_sub(1, std::memory_order_acq_rel) != 1)
      return;
    ready.swap(group->awaiters);
  }
  for (Awaiter &awaiter : ready)
    awaiter();
  TaskQueue::get().notifyProgress();
}

} // namespace

//===----------------------------------------------------------------------===//
// The C ABI
//===----------------------------------------------------------------------===//

void mlirAsyncRuntimeAddRef(void *object, int64_t count) {
  if (object && count > 0)
    static_cast<RefCounted *>(object)->addRef(count);
}

void mlirAsyncRuntimeDropRef(void *object, int64_t count) {
  if (object && count > 0)
    static_cast<RefCounted *>(object)->dropRef(count);
}

KilnAsyncToken *mlirAsyncRuntimeCreateToken() {
  return new (std::nothrow) KilnAsyncToken;
}

KilnAsyncValue *mlirAsyncRuntimeCreateValue(int64_t size) {
  // Never a zero-byte allocation, so that the storage is never NULL.
  size_t bytes = static_cast<size_t>(std::max<int64_t>(size, 1));
  auto *storage = static_cast<std::byte *>(
      ::operator new(bytes, KilnAsyncValue::kAlignment, std::nothrow));
  if (!storage)
    return nullptr;
  auto *value = new (std::nothrow) KilnAsyncValue(storage);
  if (!value)
    ::operator delete(storage, KilnAsyncValue::kAlignment);
  return value;
}

KilnAsyncGroup *mlirAsyncRuntimeCreateGroup(int64_t size) {
  return new (std::nothrow) KilnAsyncGroup(std::max<int64_t>(size, 0));
}

int64_t mlirAsyncRuntimeAddTokenToGroup(KilnAsyncToken *token,
                                        KilnAsyncGroup *group) {
  if (!group)
    return 0;
  int64_t rank = group->nextRank.fetch_add(1, std::memory_order_relaxed);
  if (token) {
    std::lock_guard<std::mutex> lock(token->mutex);
    if (!token->isReady()) {
      // The group must outlive the token's awaiter, whoever lets go first.
      group->addRef(1);
      token->awaiters.emplace_back([token, group] {
        tokenReadyInGroup(group, token->isError());
        group->dropRef(1);
      });
      return rank;
    }
  }
  // A NULL token (a failed creation) counts as ready and in error.
  tokenReadyInGroup(group, !token || token->isError());
  return rank;
}

void mlirAsyncRuntimeEmplaceToken(KilnAsyncToken *token) {
  setState(token, State::Available);
}

void mlirAsyncRuntimeEmplaceValue(KilnAsyncValue *value) {
  setState(value, State::Available);
}

void mlirAsyncRuntimeSetTokenError(KilnAsyncToken *token) {
  setState(token, State::Error);
}

void mlirAsyncRuntimeSetValueError(KilnAsyncValue *value) {
  setState(value, State::Error);
}

bool mlirAsyncRuntimeIsTokenError(KilnAsyncToken *token) {
  return !token || token->isError();
}

bool mlirAsyncRuntimeIsValueError(KilnAsyncValue *value) {
  return !value || value->isError();
}

bool mlirAsyncRuntimeIsGroupError(KilnAsyncGroup *group) {
  return !group || group->errors.load(std::memory_order_relaxed) > 0;
}

void mlirAsyncRuntimeAwaitToken(KilnAsyncToken *token) { await(token); }

void mlirAsyncRuntimeAwaitValue(KilnAsyncValue *value) { await(value); }

void mlirAsyncRuntimeAwaitAllInGroup(KilnAsyncGroup *group) {
  if (!group || group->isDone())
    return;
  TaskQueue::get().helpUntil([group] { return group->isDone(); },
                             currentParallelism);
}

std::byte *mlirAsyncRuntimeGetValueStorage(KilnAsyncValue *value) {
  return value ? value->storage : nullptr;
}

void mlirAsyncRuntimeExecute(KilnCoroHandle handle, KilnCoroResume resume) {
  if (resume)
    execute(Task{handle, resume, currentParallelism});
}

void mlirAsyncRuntimeAwaitTokenAndExecute(KilnAsyncToken *token,
                                          KilnCoroHandle handle,
                                          KilnCoroResume resume) {
  awaitAndExecute(token, handle, resume);
}

void mlirAsyncRuntimeAwaitValueAndExecute(KilnAsyncValue *value,
                                          KilnCoroHandle handle,
                                          KilnCoroResume resume) {
  awaitAndExecute(value, handle, resume);
}

void mlirAsyncRuntimeAwaitAllInGroupAndExecute(KilnAsyncGroup *group,
                                               KilnCoroHandle handle,
                                               KilnCoroResume resume) {
  resumeWhenReady(group, handle, resume,
                  [](const KilnAsyncGroup &g) { return g.isDone(); });
}

int64_t mlirAsyncRuntimGetNumWorkerThreads() {
  return std::max<int32_t>(currentParallelism, 1);
}

void mlirAsyncRuntimePrintCurrentThreadId() {
  std::printf("Current thread id: %lu\n",
              static_cast<unsigned long>(pthread_self()));
  std::fflush(stdout);
}

//===----------------------------------------------------------------------===//
// Parallelism of a run
//===----------------------------------------------------------------------===//

namespace kiln::internal {

AsyncParallelismGuard::AsyncParallelismGuard(int32_t parallelism)
    : previous(currentParallelism) {
  currentParallelism = std::max<int32_t>(parallelism, 1);
}

AsyncParallelismGuard::~AsyncParallelismGuard() {
  currentParallelism = previous;
}

} // namespace kiln::internal
