//===- NoAllocationTest.cpp - The run hot path does not use the heap ------===//
//
// Replaces the global operator new of this test binary (which the runtime's
// shared library also resolves to) with one that counts calls made while a
// thread-local flag is set. A run with caller-provided outputs and few values
// must allocate nothing: its descriptors live on the stack.
//
//===----------------------------------------------------------------------===//

#include "TestModules.h"

#include <cstdlib>
#include <new>

namespace {
thread_local bool countingAllocations = false;
thread_local size_t allocationCount = 0;
} // namespace

namespace {
void *countedAllocate(std::size_t size) noexcept {
  if (countingAllocations)
    ++allocationCount;
  return std::malloc(size == 0 ? 1 : size);
}
} // namespace

// Every non-aligned form is replaced, so that no allocation escapes the count
// and every delete matches its new (sanitizers check that).
void *operator new(std::size_t size) {
  if (void *memory = countedAllocate(size))
    return memory;
  throw std::bad_alloc();
}
void *operator new[](std::size_t size) { return operator new(size); }
void *operator new(std::size_t size, const std::nothrow_t &) noexcept {
  return countedAllocate(size);
}
void *operator new[](std::size_t size, const std::nothrow_t &) noexcept {
  return countedAllocate(size);
}
void operator delete(void *memory) noexcept { std::free(memory); }
void operator delete[](void *memory) noexcept { std::free(memory); }
void operator delete(void *memory, std::size_t) noexcept { std::free(memory); }
void operator delete[](void *memory, std::size_t) noexcept {
  std::free(memory);
}
void operator delete(void *memory, const std::nothrow_t &) noexcept {
  std::free(memory);
}
void operator delete[](void *memory, const std::nothrow_t &) noexcept {
  std::free(memory);
}

using namespace kiln::test;

namespace {

TEST(NoAllocationTest, RunWithProvidedOutputsDoesNotAllocate) {
  ModulePtr module = loadInMemoryModule();
  const kiln_function *add = findFunction(module.get(), "add");
  TensorPtr a = makeF32({2, 3}, {1, 2, 3, 4, 5, 6});
  TensorPtr b = makeF32({2, 3}, {1, 1, 1, 1, 1, 1});
  TensorPtr sum = makeTensor(KILN_DTYPE_F32, {2, 3});
  const kiln_tensor *inputs[] = {a.get(), b.get()};
  kiln_tensor *outputs[] = {sum.get()};

  allocationCount = 0;
  countingAllocations = true;
  kiln_status *status = nullptr;
  for (int i = 0; i < 100 && !status; ++i)
    status = kiln_function_run(add, inputs, 2, outputs, 1);
  countingAllocations = false;

  ASSERT_TRUE(succeeds(status));
  EXPECT_EQ(allocationCount, 0u);
  EXPECT_EQ(f32Values(sum.get()), (std::vector<float>{2, 3, 4, 5, 6, 7}));
}

TEST(NoAllocationTest, TheCounterSeesRuntimeAllocations) {
  // Guards the test above: errors build heap strings inside the runtime, so
  // if the counter works these must be counted.
  ModulePtr module = loadInMemoryModule();
  const kiln_function *add = findFunction(module.get(), "add");
  countingAllocations = true;
  allocationCount = 0;
  StatusPtr status(kiln_function_run(add, nullptr, 0, nullptr, 0));
  countingAllocations = false;
  EXPECT_NE(status, nullptr);
  EXPECT_GT(allocationCount, 0u);
}

} // namespace
