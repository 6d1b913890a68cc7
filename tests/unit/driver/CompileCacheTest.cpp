//===- CompileCacheTest.cpp - Tests of the compile cache ------------------===//
//
// Keys change with everything they cover; a stored entry verifies and loads;
// truncated, corrupted or misplaced entries are reported invalid (and so are
// never loaded); a failed store leaves nothing.
//
//===----------------------------------------------------------------------===//

#include "kiln/Driver/CompileCache.h"

#include "DriverTestSupport.h"

#include <gmock/gmock.h>

#include <cstdlib>

using namespace kiln;
using namespace kiln::test;
using ::testing::HasSubstr;
using EntryState = driver::CompileCache::EntryState;

namespace {

class CompileCacheTest : public ::testing::Test {
protected:
  CompileCacheTest() : cache(dir.pathIn("cache")) {}

  /// Stores the dense layer, compiled, under `key`.
  void storeDense(const std::string &key) {
    llvm::Error error = cache.store(key, [&](llvm::StringRef path) {
      auto module = parseOrFail(compiler, kDenseLayer);
      return compiler.compileToFile(*module, path,
                                    driver::OutputKind::SharedLibrary);
    });
    ASSERT_FALSE(static_cast<bool>(error)) << llvm::toString(std::move(error));
  }

  /// Rewrites the entry of `key` with `edit` applied to its bytes.
  void editEntry(const std::string &key,
                 const std::function<void(std::string &)> &edit) {
    std::string bytes = dir.read("cache/" + key + ".so");
    edit(bytes);
    std::error_code error;
    llvm::raw_fd_ostream stream(cache.entryPath(key), error);
    stream << bytes;
  }

  TempDirectory dir;
  driver::Compiler compiler;
  driver::CompileCache cache;
  std::string key =
      driver::CompileCache::computeKey(kDenseLayer, ".mlir", "O2");
};

TEST_F(CompileCacheTest, KeysCoverModelKindAndOptions) {
  EXPECT_EQ(key.size(), 64u);
  EXPECT_EQ(key, driver::CompileCache::computeKey(kDenseLayer, ".mlir", "O2"));
  EXPECT_NE(key, driver::CompileCache::computeKey(kDenseLayer, ".mlir", "O3"));
  EXPECT_NE(key, driver::CompileCache::computeKey(kDenseLayer, ".onnx", "O2"));
  std::string other = std::string(kDenseLayer) + " ";
  EXPECT_NE(key, driver::CompileCache::computeKey(other, ".mlir", "O2"));
  // Fields are length-prefixed: moving a byte between fields changes the key.
  EXPECT_NE(driver::CompileCache::computeKey("ab", ".mlir", "c"),
            driver::CompileCache::computeKey("b", ".mlir", "ca"));
}

TEST_F(CompileCacheTest, StoredEntryVerifiesAndLoads) {
  EXPECT_EQ(cache.check(key), EntryState::Missing);
  storeDense(key);
  std::string reason;
  EXPECT_EQ(cache.check(key, &reason), EntryState::Valid) << reason;
  // The entry is still a loadable library: the trailer follows its contents.
  rt::Module module = rt::Module::load(cache.entryPath(key));
  EXPECT_EQ(runDense(module.function("dense")), kDenseExpected);
  EXPECT_EQ(dir.entries(), std::set<std::string>{"cache"});
}

TEST_F(CompileCacheTest, TruncatedEntryIsInvalid) {
  storeDense(key);
  editEntry(key, [](std::string &bytes) { bytes.resize(bytes.size() / 2); });
  std::string reason;
  EXPECT_EQ(cache.check(key, &reason), EntryState::Invalid);
  EXPECT_THAT(reason, HasSubstr("no valid trailer"));
  editEntry(key, [](std::string &bytes) { bytes.resize(10); });
  EXPECT_EQ(cache.check(key, &reason), EntryState::Invalid);
  EXPECT_THAT(reason, HasSubstr("truncated"));
}

TEST_F(CompileCacheTest, CorruptEntryIsInvalid) {
  storeDense(key);
  editEntry(key, [](std::string &bytes) { bytes[bytes.size() / 3] ^= 0x20; });
  std::string reason;
  EXPECT_EQ(cache.check(key, &reason), EntryState::Invalid);
  EXPECT_THAT(reason, HasSubstr("corrupt"));
  // Storing again repairs it.
  storeDense(key);
  EXPECT_EQ(cache.check(key), EntryState::Valid);
}

TEST_F(CompileCacheTest, EntryUnderAnotherKeyIsInvalid) {
  storeDense(key);
  std::string otherKey =
      driver::CompileCache::computeKey(kDenseLayer, ".mlir", "O1");
  ASSERT_FALSE(static_cast<bool>(llvm::sys::fs::copy_file(
      cache.entryPath(key), cache.entryPath(otherKey))));
  std::string reason;
  EXPECT_EQ(cache.check(otherKey, &reason), EntryState::Invalid);
  EXPECT_THAT(reason, HasSubstr("another key"));
}

TEST_F(CompileCacheTest, FailedStoreLeavesNothing) {
  llvm::Error error = cache.store(key, [](llvm::StringRef) {
    return llvm::createStringError("compile failed");
  });
  EXPECT_EQ(llvm::toString(std::move(error)), "compile failed");
  EXPECT_EQ(cache.check(key), EntryState::Missing);
  EXPECT_TRUE(dir.read("cache").empty());
  std::error_code ec;
  EXPECT_EQ(llvm::sys::fs::directory_iterator(dir.pathIn("cache"), ec),
            llvm::sys::fs::directory_iterator());
}

TEST_F(CompileCacheTest, MalformedKeyIsMissingAndNotStored) {
  EXPECT_EQ(cache.check("../../etc/passwd"), EntryState::Missing);
  llvm::Error error = cache.store(
      "not-a-key", [](llvm::StringRef) { return llvm::Error::success(); });
  EXPECT_THAT(llvm::toString(std::move(error)),
              HasSubstr("malformed cache key"));
}

TEST_F(CompileCacheTest, DefaultDirectoryFollowsXdgThenHome) {
  const char *savedXdg = std::getenv("XDG_CACHE_HOME");
  const char *savedHome = std::getenv("HOME");
  std::string xdg = savedXdg ? savedXdg : "", home = savedHome ? savedHome : "";
  ::setenv("XDG_CACHE_HOME", "/tmp/xdg-test", 1);
  EXPECT_EQ(*driver::CompileCache::defaultDirectory(), "/tmp/xdg-test/kiln");
  ::setenv("XDG_CACHE_HOME", "relative/ignored", 1);
  ::setenv("HOME", "/home/tester", 1);
  EXPECT_EQ(*driver::CompileCache::defaultDirectory(),
            "/home/tester/.cache/kiln");
  ::unsetenv("XDG_CACHE_HOME");
  ::unsetenv("HOME");
  auto none = driver::CompileCache::defaultDirectory();
  EXPECT_FALSE(static_cast<bool>(none));
  llvm::consumeError(none.takeError());
  savedXdg ? ::setenv("XDG_CACHE_HOME", xdg.c_str(), 1)
           : ::unsetenv("XDG_CACHE_HOME");
  savedHome ? ::setenv("HOME", home.c_str(), 1) : ::unsetenv("HOME");
}

} // namespace
