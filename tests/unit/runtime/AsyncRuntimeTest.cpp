//===- AsyncRuntimeTest.cpp - MLIR's async runtime ABI in libkiln_runtime -===//
//
// Compiled modules with parallel loops call the mlirAsyncRuntime* functions
// of libkiln_runtime (async/AsyncRuntime.h). These tests call them as that
// code does: reference counts, tokens, values and groups completed from
// other threads, and tasks ("coroutines": a handle and a resume function)
// run on the worker pool. The parallelism of a run is the thread count of
// its session, so the parallel tests run their body inside a session's run.
// Under valgrind (CMakeLists.txt) they must also free every object.
//
//===----------------------------------------------------------------------===//

#include "TestModules.h"

#include "async/AsyncRuntime.h"

#include <chrono>
#include <cstring>
#include <functional>
#include <mutex>
#include <set>
#include <thread>

using namespace kiln::test;

namespace {

//===----------------------------------------------------------------------===//
// Running test code as a session's run
//===----------------------------------------------------------------------===//

/// What the "body" entry point runs (set by runInSession()).
std::function<void()> sessionBody;

int32_t bodyEntry(void **) {
  sessionBody();
  return 0;
}

/// Runs `body` as the entry point of a session with `threads` threads, so
/// that it sees the parallelism a compiled module's run would.
void runInSession(int32_t threads, std::function<void()> body) {
  static const kiln_abi_function functions[] = {
      {"body", bodyEntry, 0, 0, nullptr, nullptr, 0, nullptr}};
  static const kiln_abi_module table = {KILN_ABI_MAGIC, KILN_ABI_VERSION, 1,
                                        functions, "async runtime test"};
  kiln_module *raw = nullptr;
  ASSERT_TRUE(succeeds(kiln_module_from_abi(&table, nullptr, nullptr, &raw)));
  ModulePtr module(raw);
  kiln_session_options options;
  kiln_session_options_init(&options);
  options.num_threads = threads;
  kiln_session *session = nullptr;
  ASSERT_TRUE(succeeds(kiln_session_create(findFunction(module.get(), "body"),
                                           &options, &session)));
  sessionBody = std::move(body);
  EXPECT_TRUE(succeeds(kiln_session_run(session, nullptr, 0, nullptr, 0)));
  sessionBody = nullptr;
  kiln_session_free(session);
}

//===----------------------------------------------------------------------===//
// Fake coroutines
//===----------------------------------------------------------------------===//

/// A stand-in for a suspended coroutine: resuming it counts the run and
/// records the thread it ran on.
struct FakeCoroutine {
  std::atomic<int> runs{0};
  std::mutex mutex;
  std::set<std::thread::id> threads;

  static void resume(void *handle) {
    auto *coroutine = static_cast<FakeCoroutine *>(handle);
    {
      std::lock_guard<std::mutex> lock(coroutine->mutex);
      coroutine->threads.insert(std::this_thread::get_id());
    }
    // Long enough that the workers get a share of the tasks.
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    coroutine->runs.fetch_add(1);
  }
};

/// A task that emplaces the token it is given, as an `async.execute` body's
/// coroutine does when it completes.
void emplaceTokenTask(void *token) {
  mlirAsyncRuntimeEmplaceToken(static_cast<KilnAsyncToken *>(token));
}

//===----------------------------------------------------------------------===//
// Reference counting
//===----------------------------------------------------------------------===//

TEST(AsyncRuntimeTest, ObjectsAreFreedWhenTheLastReferenceGoes) {
  // A token starts with the creator's reference and the one emplacing drops;
  // valgrind (CMakeLists.txt) checks that each object here is freed exactly
  // once, whichever of the two goes last.
  KilnAsyncToken *token = mlirAsyncRuntimeCreateToken();
  ASSERT_NE(token, nullptr);
  mlirAsyncRuntimeAddRef(token, 2);
  mlirAsyncRuntimeDropRef(token, 3);
  EXPECT_FALSE(mlirAsyncRuntimeIsTokenError(token));
  mlirAsyncRuntimeEmplaceToken(token); // Drops the last reference.

  KilnAsyncToken *early = mlirAsyncRuntimeCreateToken();
  mlirAsyncRuntimeEmplaceToken(early);
  mlirAsyncRuntimeEmplaceToken(early); // A second emplace is ignored.
  EXPECT_FALSE(mlirAsyncRuntimeIsTokenError(early));
  mlirAsyncRuntimeDropRef(early, 1);

  KilnAsyncValue *value = mlirAsyncRuntimeCreateValue(1000);
  ASSERT_NE(value, nullptr);
  std::memset(mlirAsyncRuntimeGetValueStorage(value), 0xab, 1000);
  mlirAsyncRuntimeSetValueError(value);
  mlirAsyncRuntimeDropRef(value, 1);

  KilnAsyncGroup *group = mlirAsyncRuntimeCreateGroup(0);
  ASSERT_NE(group, nullptr);
  mlirAsyncRuntimeAddRef(group, 1);
  mlirAsyncRuntimeDropRef(group, 2);
}

TEST(AsyncRuntimeTest, NullObjectsAreReadyAndInError) {
  mlirAsyncRuntimeAddRef(nullptr, 1);
  mlirAsyncRuntimeDropRef(nullptr, 1);
  mlirAsyncRuntimeEmplaceToken(nullptr);
  mlirAsyncRuntimeEmplaceValue(nullptr);
  mlirAsyncRuntimeSetTokenError(nullptr);
  mlirAsyncRuntimeSetValueError(nullptr);
  mlirAsyncRuntimeAwaitToken(nullptr);
  mlirAsyncRuntimeAwaitValue(nullptr);
  mlirAsyncRuntimeAwaitAllInGroup(nullptr);
  mlirAsyncRuntimeExecute(nullptr, nullptr);
  EXPECT_TRUE(mlirAsyncRuntimeIsTokenError(nullptr));
  EXPECT_TRUE(mlirAsyncRuntimeIsValueError(nullptr));
  EXPECT_TRUE(mlirAsyncRuntimeIsGroupError(nullptr));
  EXPECT_EQ(mlirAsyncRuntimeGetValueStorage(nullptr), nullptr);
  EXPECT_EQ(mlirAsyncRuntimeAddTokenToGroup(nullptr, nullptr), 0);

  FakeCoroutine coroutine;
  mlirAsyncRuntimeAwaitTokenAndExecute(nullptr, &coroutine,
                                       FakeCoroutine::resume);
  EXPECT_EQ(coroutine.runs, 1);

  // A NULL token (a failed creation) puts its group in error.
  KilnAsyncGroup *group = mlirAsyncRuntimeCreateGroup(1);
  EXPECT_EQ(mlirAsyncRuntimeAddTokenToGroup(nullptr, group), 0);
  mlirAsyncRuntimeAwaitAllInGroup(group);
  EXPECT_TRUE(mlirAsyncRuntimeIsGroupError(group));
  mlirAsyncRuntimeDropRef(group, 1);
}

//===----------------------------------------------------------------------===//
// Tokens, groups and values
//===----------------------------------------------------------------------===//

TEST(AsyncRuntimeTest, AwaitTokenReturnsOnceAnotherThreadEmplacesIt) {
  KilnAsyncToken *token = mlirAsyncRuntimeCreateToken();
  std::thread producer([token] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    mlirAsyncRuntimeEmplaceToken(token);
  });
  mlirAsyncRuntimeAwaitToken(token);
  EXPECT_FALSE(mlirAsyncRuntimeIsTokenError(token));
  producer.join();
  mlirAsyncRuntimeDropRef(token, 1);
}

TEST(AsyncRuntimeTest, GroupsRankTheirTokensAndAwaitThemAll) {
  constexpr int kTokens = 4;
  KilnAsyncGroup *group = mlirAsyncRuntimeCreateGroup(kTokens);
  KilnAsyncToken *tokens[kTokens];
  for (int i = 0; i < kTokens; ++i) {
    tokens[i] = mlirAsyncRuntimeCreateToken();
    if (i == 0) // Already ready when added.
      mlirAsyncRuntimeEmplaceToken(tokens[i]);
    EXPECT_EQ(mlirAsyncRuntimeAddTokenToGroup(tokens[i], group), i);
  }
  std::atomic<int> emplaced{0};
  std::vector<std::thread> producers;
  for (int i = 1; i < kTokens; ++i)
    producers.emplace_back([&, i] {
      std::this_thread::sleep_for(std::chrono::milliseconds(10 * i));
      emplaced.fetch_add(1);
      mlirAsyncRuntimeEmplaceToken(tokens[i]);
    });
  mlirAsyncRuntimeAwaitAllInGroup(group);
  EXPECT_EQ(emplaced, kTokens - 1);
  EXPECT_FALSE(mlirAsyncRuntimeIsGroupError(group));
  for (std::thread &producer : producers)
    producer.join();
  for (KilnAsyncToken *token : tokens)
    mlirAsyncRuntimeDropRef(token, 1);
  mlirAsyncRuntimeDropRef(group, 1);
}

TEST(AsyncRuntimeTest, AGroupWithATokenInErrorIsInError) {
  KilnAsyncGroup *group = mlirAsyncRuntimeCreateGroup(2);
  KilnAsyncToken *good = mlirAsyncRuntimeCreateToken();
  KilnAsyncToken *bad = mlirAsyncRuntimeCreateToken();
  mlirAsyncRuntimeAddTokenToGroup(good, group);
  mlirAsyncRuntimeAddTokenToGroup(bad, group);
  // The creator lets go of its tokens before they complete.
  mlirAsyncRuntimeDropRef(good, 1);
  mlirAsyncRuntimeDropRef(bad, 1);
  std::thread producer([good, bad] {
    mlirAsyncRuntimeSetTokenError(bad);
    mlirAsyncRuntimeEmplaceToken(good);
  });
  mlirAsyncRuntimeAwaitAllInGroup(group);
  EXPECT_TRUE(mlirAsyncRuntimeIsGroupError(group));
  producer.join();
  mlirAsyncRuntimeDropRef(group, 1);
}

TEST(AsyncRuntimeTest, ValuesHoldTheirStorageUntilAwaited) {
  KilnAsyncValue *value = mlirAsyncRuntimeCreateValue(sizeof(double));
  std::byte *storage = mlirAsyncRuntimeGetValueStorage(value);
  ASSERT_NE(storage, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(storage) % alignof(double), 0u);
  std::thread producer([value] {
    double result = 42.5;
    std::memcpy(mlirAsyncRuntimeGetValueStorage(value), &result, sizeof result);
    mlirAsyncRuntimeEmplaceValue(value);
  });
  mlirAsyncRuntimeAwaitValue(value);
  EXPECT_FALSE(mlirAsyncRuntimeIsValueError(value));
  double result;
  std::memcpy(&result, storage, sizeof result);
  EXPECT_EQ(result, 42.5);
  producer.join();
  mlirAsyncRuntimeDropRef(value, 1);
}

//===----------------------------------------------------------------------===//
// Execution on the session's threads
//===----------------------------------------------------------------------===//

TEST(AsyncRuntimeTest, OutsideSessionsTheParallelismIsOneAndTasksRunInline) {
  EXPECT_EQ(mlirAsyncRuntimGetNumWorkerThreads(), 1);
  FakeCoroutine coroutine;
  for (int i = 0; i < 5; ++i)
    mlirAsyncRuntimeExecute(&coroutine, FakeCoroutine::resume);
  EXPECT_EQ(coroutine.runs, 5);
  EXPECT_EQ(coroutine.threads,
            std::set<std::thread::id>{std::this_thread::get_id()});
}

TEST(AsyncRuntimeTest, WorkerThreadsFollowTheSessionsThreadCount) {
  for (int32_t threads : {1, 3, 4}) {
    int64_t seen = 0;
    runInSession(threads, [&] { seen = mlirAsyncRuntimGetNumWorkerThreads(); });
    EXPECT_EQ(seen, threads);
  }
  // The run's setting does not outlive it.
  EXPECT_EQ(mlirAsyncRuntimGetNumWorkerThreads(), 1);
}

TEST(AsyncRuntimeTest, SessionWithOneThreadRunsTasksInline) {
  FakeCoroutine coroutine;
  std::thread::id caller;
  runInSession(1, [&] {
    caller = std::this_thread::get_id();
    for (int i = 0; i < 8; ++i) {
      mlirAsyncRuntimeExecute(&coroutine, FakeCoroutine::resume);
      // Inline: done before Execute returns.
      EXPECT_EQ(coroutine.runs, i + 1);
    }
  });
  EXPECT_EQ(coroutine.threads, std::set<std::thread::id>{caller});
}

/// What each task of ExecuteRunsEveryTask gets: the coroutine to count in,
/// the token to emplace, and the parallelism the task saw.
struct CountingTask {
  FakeCoroutine *coroutine;
  KilnAsyncToken *token;
  int64_t parallelism = 0;

  static void resume(void *handle) {
    auto *task = static_cast<CountingTask *>(handle);
    task->parallelism = mlirAsyncRuntimGetNumWorkerThreads();
    FakeCoroutine::resume(task->coroutine);
    mlirAsyncRuntimeEmplaceToken(task->token);
  }
};

/// Queues every task of `tasks` on `coroutine`, its token counted in `group`.
void executeInGroup(std::vector<CountingTask> &tasks, FakeCoroutine &coroutine,
                    KilnAsyncGroup *group) {
  for (CountingTask &task : tasks) {
    task.coroutine = &coroutine;
    task.token = mlirAsyncRuntimeCreateToken();
    mlirAsyncRuntimeAddTokenToGroup(task.token, group);
    mlirAsyncRuntimeExecute(&task, CountingTask::resume);
  }
}

TEST(AsyncRuntimeTest, ExecuteRunsEveryTaskOnTheSessionsThreads) {
  constexpr int kTasks = 64;
  for (int32_t threads : {2, 4}) {
    FakeCoroutine coroutine;
    std::vector<CountingTask> tasks(kTasks);
    runInSession(threads, [&] {
      KilnAsyncGroup *group = mlirAsyncRuntimeCreateGroup(kTasks);
      executeInGroup(tasks, coroutine, group);
      mlirAsyncRuntimeAwaitAllInGroup(group);
      EXPECT_FALSE(mlirAsyncRuntimeIsGroupError(group));
      for (CountingTask &task : tasks)
        mlirAsyncRuntimeDropRef(task.token, 1);
      mlirAsyncRuntimeDropRef(group, 1);
    });
    EXPECT_EQ(coroutine.runs, kTasks) << threads << " threads";
    // Tasks see their run's parallelism wherever they ran, and the workers
    // (with the caller, which helps while it awaits) shared them.
    for (const CountingTask &task : tasks)
      EXPECT_EQ(task.parallelism, threads);
    EXPECT_GT(coroutine.threads.size(), 1u) << threads << " threads";
  }
}

TEST(AsyncRuntimeTest, AwaitTokenAndExecuteRunsWhenTheTokenIsReady) {
  runInSession(2, [] {
    // Ready already: runs at once, on this thread.
    FakeCoroutine now;
    KilnAsyncToken *ready = mlirAsyncRuntimeCreateToken();
    mlirAsyncRuntimeEmplaceToken(ready);
    mlirAsyncRuntimeAwaitTokenAndExecute(ready, &now, FakeCoroutine::resume);
    EXPECT_EQ(now.runs, 1);
    EXPECT_EQ(now.threads,
              std::set<std::thread::id>{std::this_thread::get_id()});
    mlirAsyncRuntimeDropRef(ready, 1);

    // Emplaced later by a task on a worker: runs then.
    FakeCoroutine later;
    KilnAsyncToken *token = mlirAsyncRuntimeCreateToken();
    mlirAsyncRuntimeAwaitTokenAndExecute(token, &later, FakeCoroutine::resume);
    EXPECT_EQ(later.runs, 0);
    mlirAsyncRuntimeExecute(token, emplaceTokenTask);
    mlirAsyncRuntimeAwaitToken(token);
    // The emplacing thread resumes the awaiter right after it makes the
    // token ready, so this thread may see the token first.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (later.runs == 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::yield();
    EXPECT_EQ(later.runs, 1);
    mlirAsyncRuntimeDropRef(token, 1);
  });
}

TEST(AsyncRuntimeTest, AwaitValueAndGroupAndExecuteRunWhenReady) {
  FakeCoroutine coroutine;
  KilnAsyncValue *value = mlirAsyncRuntimeCreateValue(4);
  mlirAsyncRuntimeAwaitValueAndExecute(value, &coroutine,
                                       FakeCoroutine::resume);
  KilnAsyncGroup *group = mlirAsyncRuntimeCreateGroup(1);
  KilnAsyncToken *token = mlirAsyncRuntimeCreateToken();
  mlirAsyncRuntimeAddTokenToGroup(token, group);
  mlirAsyncRuntimeAwaitAllInGroupAndExecute(group, &coroutine,
                                            FakeCoroutine::resume);
  EXPECT_EQ(coroutine.runs, 0);
  mlirAsyncRuntimeEmplaceValue(value);
  EXPECT_EQ(coroutine.runs, 1);
  mlirAsyncRuntimeEmplaceToken(token);
  EXPECT_EQ(coroutine.runs, 2);
  // A group that is done runs its awaiter at once.
  mlirAsyncRuntimeAwaitAllInGroupAndExecute(group, &coroutine,
                                            FakeCoroutine::resume);
  EXPECT_EQ(coroutine.runs, 3);
  mlirAsyncRuntimeDropRef(value, 1);
  mlirAsyncRuntimeDropRef(token, 1);
  mlirAsyncRuntimeDropRef(group, 1);
}

/// A task that runs a parallel "loop" of its own: tasks that await their
/// inner tasks must not deadlock the pool, as awaiting threads help.
void nestedLoopTask(void *handle) {
  auto *done = static_cast<KilnAsyncToken *>(handle);
  constexpr int kInner = 8;
  FakeCoroutine inner;
  KilnAsyncGroup *group = mlirAsyncRuntimeCreateGroup(kInner);
  std::vector<CountingTask> tasks(kInner);
  executeInGroup(tasks, inner, group);
  mlirAsyncRuntimeAwaitAllInGroup(group);
  for (CountingTask &task : tasks)
    mlirAsyncRuntimeDropRef(task.token, 1);
  mlirAsyncRuntimeDropRef(group, 1);
  if (inner.runs == kInner)
    mlirAsyncRuntimeEmplaceToken(done);
  else
    mlirAsyncRuntimeSetTokenError(done);
}

TEST(AsyncRuntimeTest, NestedParallelLoopsDoNotDeadlock) {
  runInSession(2, [] {
    constexpr int kOuter = 6;
    KilnAsyncGroup *group = mlirAsyncRuntimeCreateGroup(kOuter);
    std::vector<KilnAsyncToken *> tokens;
    for (int i = 0; i < kOuter; ++i) {
      tokens.push_back(mlirAsyncRuntimeCreateToken());
      mlirAsyncRuntimeAddTokenToGroup(tokens.back(), group);
      mlirAsyncRuntimeExecute(tokens.back(), nestedLoopTask);
    }
    mlirAsyncRuntimeAwaitAllInGroup(group);
    EXPECT_FALSE(mlirAsyncRuntimeIsGroupError(group));
    for (KilnAsyncToken *token : tokens)
      mlirAsyncRuntimeDropRef(token, 1);
    mlirAsyncRuntimeDropRef(group, 1);
  });
}

} // namespace
