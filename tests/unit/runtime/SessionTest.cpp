//===- SessionTest.cpp - Sessions, module info tables and arenas ----------===//
//
// Sessions record their thread count and arena, run like their function, and
// refuse to be used by two threads at once. Module info tables say how large
// the arena is; a module without one has none.
//
//===----------------------------------------------------------------------===//

#include "TestModules.h"

#include <thread>

using namespace kiln::test;

namespace {

struct SessionDeleter {
  void operator()(kiln_session *session) const { kiln_session_free(session); }
};
using SessionPtr = std::unique_ptr<kiln_session, SessionDeleter>;

SessionPtr createSession(const kiln_function *function, int32_t threads) {
  kiln_session_options options;
  kiln_session_options_init(&options);
  options.num_threads = threads;
  kiln_session *session = nullptr;
  EXPECT_TRUE(succeeds(kiln_session_create(function, &options, &session)));
  return SessionPtr(session);
}

kiln_abi_module_info infoWithArena(uint64_t arenaSize) {
  return kiln_abi_module_info{KILN_MODULE_INFO_MAGIC, KILN_MODULE_INFO_VERSION,
                              arenaSize, nullptr};
}

TEST(SessionTest, DefaultsToOneThreadAndNoArena) {
  ModulePtr module = loadInMemoryModule();
  const kiln_function *add = findFunction(module.get(), "add");
  kiln_session *raw = nullptr;
  ASSERT_TRUE(succeeds(kiln_session_create(add, nullptr, &raw)));
  SessionPtr session(raw);
  EXPECT_EQ(kiln_session_function(session.get()), add);
  EXPECT_EQ(kiln_session_num_threads(session.get()), 1);
  EXPECT_EQ(kiln_session_arena_size(session.get()), 0u);
  EXPECT_EQ(kiln_module_arena_size(module.get()), 0u);
}

TEST(SessionTest, RecordsTheRequestedThreadCount) {
  ModulePtr module = loadInMemoryModule();
  SessionPtr session =
      createSession(findFunction(module.get(), "add"), /*threads=*/8);
  EXPECT_EQ(kiln_session_num_threads(session.get()), 8);
}

TEST(SessionTest, RejectsBadOptions) {
  ModulePtr module = loadInMemoryModule();
  const kiln_function *add = findFunction(module.get(), "add");
  kiln_session *session = nullptr;
  kiln_session_options options;
  kiln_session_options_init(&options);
  options.num_threads = -1;
  EXPECT_TRUE(failsWith(kiln_session_create(add, &options, &session),
                        KILN_INVALID_ARGUMENT, {"num_threads is -1"}));
  options.num_threads = 5000;
  EXPECT_TRUE(failsWith(kiln_session_create(add, &options, &session),
                        KILN_INVALID_ARGUMENT, {"outside [0, 4096]"}));
  kiln_session_options uninitialized{};
  EXPECT_TRUE(failsWith(kiln_session_create(add, &uninitialized, &session),
                        KILN_INVALID_ARGUMENT, {"kiln_session_options_init"}));
  EXPECT_TRUE(failsWith(kiln_session_create(nullptr, nullptr, &session),
                        KILN_INVALID_ARGUMENT));
  EXPECT_EQ(session, nullptr);
}

TEST(SessionTest, RunsLikeItsFunction) {
  ModulePtr module = loadInMemoryModule();
  SessionPtr session = createSession(findFunction(module.get(), "add"), 2);
  TensorPtr a = makeF32({2, 3}, {1, 2, 3, 4, 5, 6});
  TensorPtr b = makeF32({2, 3}, {10, 20, 30, 40, 50, 60});
  const kiln_tensor *inputs[] = {a.get(), b.get()};
  kiln_tensor *sum = nullptr;
  ASSERT_TRUE(succeeds(kiln_session_run(session.get(), inputs, 2, &sum, 1)));
  TensorPtr owned(sum);
  EXPECT_EQ(f32Values(sum), (std::vector<float>{11, 22, 33, 44, 55, 66}));
  // The same argument checks as kiln_function_run.
  EXPECT_TRUE(failsWith(kiln_session_run(session.get(), inputs, 1, &sum, 1),
                        KILN_INVALID_ARGUMENT, {"expects 2 inputs, got 1"}));
  EXPECT_TRUE(failsWith(kiln_session_run(nullptr, inputs, 2, &sum, 1),
                        KILN_INVALID_ARGUMENT));
}

TEST(SessionTest, ArenaSizeComesFromTheModuleInfo) {
  kiln_abi_module_info info = infoWithArena(4096);
  kiln_module *raw = nullptr;
  ASSERT_TRUE(succeeds(kiln_module_from_tables(&inMemoryModule(), &info,
                                               nullptr, nullptr, &raw)));
  ModulePtr module(raw);
  EXPECT_EQ(kiln_module_arena_size(module.get()), 4096u);
  EXPECT_EQ(kiln_module_has_external_weights(module.get()), 0);
  SessionPtr session = createSession(findFunction(module.get(), "add"), 0);
  EXPECT_EQ(kiln_session_arena_size(session.get()), 4096u);
}

TEST(SessionTest, BadModuleInfoIsRejected) {
  kiln_abi_module_info info = infoWithArena(0);
  info.magic = 0x12345678u;
  kiln_module *module = nullptr;
  ReleaseCounter counter;
  EXPECT_TRUE(
      failsWith(kiln_module_from_tables(&inMemoryModule(), &info, &counter,
                                        ReleaseCounter::release, &module),
                KILN_INVALID_MODULE, {"bad magic number"}));
  EXPECT_EQ(counter.count, 1);
  info = infoWithArena(0);
  info.version = 99;
  EXPECT_TRUE(failsWith(kiln_module_from_tables(&inMemoryModule(), &info,
                                                nullptr, nullptr, &module),
                        KILN_INVALID_MODULE, {"version 99"}));
  info = infoWithArena(uint64_t(1) << 60);
  EXPECT_TRUE(failsWith(kiln_module_from_tables(&inMemoryModule(), &info,
                                                nullptr, nullptr, &module),
                        KILN_INVALID_MODULE, {"arena"}));
  EXPECT_EQ(module, nullptr);
}

TEST(SessionTest, InMemoryTablesCannotHaveWeightsInAFile) {
  uint32_t state = 0;
  kiln_abi_weights weights{KILN_WEIGHTS_MAGIC,
                           KILN_WEIGHTS_VERSION,
                           "model.weights",
                           0,
                           0,
                           0,
                           nullptr,
                           &state};
  kiln_abi_module_info info = infoWithArena(0);
  info.weights = &weights;
  kiln_module *module = nullptr;
  EXPECT_TRUE(failsWith(kiln_module_from_tables(&inMemoryModule(), &info,
                                                nullptr, nullptr, &module),
                        KILN_INVALID_MODULE,
                        {"'model.weights'", "--weights=embed"}));
}

// A function whose entry point blocks until the test lets it go, so that a
// second run of the same session is sure to overlap the first.
std::atomic<bool> blockEntered{false};
std::atomic<bool> blockReleased{false};

int32_t blockingEntry(void **) {
  blockEntered = true;
  while (!blockReleased)
    std::this_thread::yield();
  return 0;
}

TEST(SessionTest, ConcurrentUseOfOneSessionIsAnError) {
  static const kiln_abi_function functions[] = {
      {"block", blockingEntry, 0, 0, nullptr, nullptr}};
  static const kiln_abi_module table = {KILN_ABI_MAGIC, KILN_ABI_VERSION, 1,
                                        functions, "blocking"};
  kiln_module *raw = nullptr;
  ASSERT_TRUE(succeeds(kiln_module_from_abi(&table, nullptr, nullptr, &raw)));
  ModulePtr module(raw);
  SessionPtr session = createSession(findFunction(module.get(), "block"), 1);
  SessionPtr other = createSession(findFunction(module.get(), "block"), 1);

  blockEntered = false;
  blockReleased = false;
  std::string firstResult = "not run";
  std::thread first([&] {
    StatusPtr status(kiln_session_run(session.get(), nullptr, 0, nullptr, 0));
    firstResult = kiln_status_message(status.get());
  });
  while (!blockEntered)
    std::this_thread::yield();
  EXPECT_TRUE(failsWith(kiln_session_run(session.get(), nullptr, 0, nullptr, 0),
                        KILN_INVALID_ARGUMENT, {"already running"}));
  blockReleased = true;
  first.join();
  EXPECT_EQ(firstResult, "ok");
  // Once the first run is over the session is free again.
  EXPECT_TRUE(
      succeeds(kiln_session_run(session.get(), nullptr, 0, nullptr, 0)));
  EXPECT_TRUE(succeeds(kiln_session_run(other.get(), nullptr, 0, nullptr, 0)));
}

TEST(SessionTest, AccessorsOfNullAreEmpty) {
  EXPECT_EQ(kiln_session_function(nullptr), nullptr);
  EXPECT_EQ(kiln_session_num_threads(nullptr), 0);
  EXPECT_EQ(kiln_session_arena_size(nullptr), 0u);
  EXPECT_EQ(kiln_module_arena_size(nullptr), 0u);
  kiln_session_free(nullptr);
  kiln_session_options_init(nullptr);
}

} // namespace
