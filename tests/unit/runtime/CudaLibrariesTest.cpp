//===- CudaLibrariesTest.cpp - Finding cuDNN and cuBLAS without a GPU -----===//
//
// The loader of the CUDA library kernels (runtime/src/cuda/Libraries.cpp,
// compiled into this test): where it looks, what it says when a library is
// missing or wrong, and, where cuDNN 9 and cuBLAS are installed, that it
// opens them and resolves every entry point the kernels call, which checks
// the symbol names against the real libraries on machines without a GPU.
//
//===----------------------------------------------------------------------===//

#include "cuda/Libraries.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <unistd.h>

using namespace kiln::internal::cuda;

namespace {

/// Sets an environment variable for the life of the object.
class ScopedEnvironment {
public:
  ScopedEnvironment(const char *name, const char *value) : name(name) {
    if (const char *old = std::getenv(name))
      previous = old, hadPrevious = true;
    ::setenv(name, value, 1);
  }
  ~ScopedEnvironment() {
    if (hadPrevious)
      ::setenv(name, previous.c_str(), 1);
    else
      ::unsetenv(name);
  }

private:
  const char *name;
  std::string previous;
  bool hadPrevious = false;
};

/// Whether `search` can open one of its libraries by name through the
/// dynamic loader or its folders: what the tests that load need.
bool fileExists(const std::string &path) {
  return ::access(path.c_str(), F_OK) == 0;
}

TEST(CudaLibrariesTest, LibraryPathEntriesComeFirstAndTheToolkitLast) {
  ScopedEnvironment path("KILN_CUDA_LIBRARY_PATH", "/opt/a::/opt/b:");
  LibrarySearch search = cudnnSearch();
  EXPECT_EQ(search.names,
            (std::vector<std::string>{"libcudnn.so.9", "libcudnn.so"}));
  EXPECT_EQ(search.firstDirectories,
            (std::vector<std::string>{"/opt/a", "/opt/b"}));
  EXPECT_TRUE(search.useLoaderPath);
  ASSERT_FALSE(search.lastDirectories.empty());
  EXPECT_EQ(search.lastDirectories[search.lastDirectories.size() - 2],
            "/usr/local/cuda/lib64");
  for (const std::string &directory : search.lastDirectories)
    if (directory.find("site-packages") != std::string::npos ||
        directory.find("dist-packages") != std::string::npos)
      EXPECT_NE(directory.find("/nvidia/cudnn/lib"), std::string::npos)
          << directory;
  EXPECT_EQ(cublasSearch().names,
            (std::vector<std::string>{"libcublas.so.13", "libcublas.so.12",
                                      "libcublas.so"}));
}

TEST(CudaLibrariesTest, MissingCudnnSaysWhereItLookedAndWhatToDo) {
  LibrarySearch search;
  search.names = {"libcudnn.so.9", "libcudnn.so"};
  search.firstDirectories = {::testing::TempDir() + "kiln_no_cudnn_here"};
  search.useLoaderPath = false;
  Cudnn library;
  std::string reason;
  EXPECT_FALSE(loadCudnn(search, library, reason));
  EXPECT_NE(reason.find("cuDNN not found (tried " + search.firstDirectories[0] +
                        "/libcudnn.so.9, " + search.firstDirectories[0] +
                        "/libcudnn.so)"),
            std::string::npos)
      << reason;
  EXPECT_NE(reason.find("install cuDNN 9 or set KILN_CUDA_LIBRARY_PATH"),
            std::string::npos)
      << reason;
  EXPECT_EQ(library.convolutionForward, nullptr);
}

TEST(CudaLibrariesTest, MissingCublasSaysSo) {
  LibrarySearch search;
  search.names = {"libcublas_kiln_missing.so"};
  Cublas library;
  std::string reason;
  EXPECT_FALSE(loadCublas(search, library, reason));
  EXPECT_NE(reason.find("cuBLAS not found (tried libcublas_kiln_missing.so)"),
            std::string::npos)
      << reason;
  EXPECT_NE(reason.find("KILN_CUDA_LIBRARY_PATH"), std::string::npos);
}

TEST(CudaLibrariesTest, InstalledCudnnLoadsWithEveryEntryPoint) {
  Cudnn library;
  std::string reason;
  if (!loadCudnn(cudnnSearch(), library, reason)) {
    if (reason.find("not found") != std::string::npos)
      GTEST_SKIP() << "no cuDNN here: " << reason;
    FAIL() << reason;
  }
  EXPECT_FALSE(library.path.empty());
#define KILN_EXPECT_RESOLVED(field, symbol)                                    \
  EXPECT_NE(library.field, nullptr) << #symbol;
  KILN_CUDNN_FUNCTIONS(KILN_EXPECT_RESOLVED)
  // These need no device.
  EXPECT_EQ(library.getVersion() / 10000, 9u);
  EXPECT_STREQ(library.getErrorString(CUDNN_STATUS_SUCCESS),
               "CUDNN_STATUS_SUCCESS");
  // Descriptors are host objects: create, set and destroy one.
  cudnnTensorDescriptor_t tensor = nullptr;
  ASSERT_EQ(library.createTensorDescriptor(&tensor), CUDNN_STATUS_SUCCESS);
  EXPECT_EQ(library.setTensor4dDescriptor(tensor, CUDNN_TENSOR_NCHW,
                                          CUDNN_DATA_FLOAT, 2, 3, 4, 5),
            CUDNN_STATUS_SUCCESS);
  EXPECT_EQ(library.destroyTensorDescriptor(tensor), CUDNN_STATUS_SUCCESS);
}

TEST(CudaLibrariesTest, InstalledCublasLoadsWithEveryEntryPoint) {
  Cublas library;
  std::string reason;
  if (!loadCublas(cublasSearch(), library, reason)) {
    if (reason.find("not found") != std::string::npos)
      GTEST_SKIP() << "no cuBLAS here: " << reason;
    FAIL() << reason;
  }
  EXPECT_FALSE(library.path.empty());
  KILN_CUBLAS_FUNCTIONS(KILN_EXPECT_RESOLVED)
#undef KILN_EXPECT_RESOLVED
}

TEST(CudaLibrariesTest, LibraryPathFolderIsUsed) {
  const std::string folder = "/usr/local/cuda/lib64";
  if (!fileExists(folder + "/libcudnn.so.9"))
    GTEST_SKIP() << "no " << folder << "/libcudnn.so.9";
  ScopedEnvironment path("KILN_CUDA_LIBRARY_PATH", folder.c_str());
  LibrarySearch search = cudnnSearch();
  search.useLoaderPath = false;
  search.lastDirectories.clear();
  Cudnn library;
  std::string reason;
  ASSERT_TRUE(loadCudnn(search, library, reason)) << reason;
  EXPECT_EQ(library.path, folder + "/libcudnn.so.9");
}

TEST(CudaLibrariesTest, AnotherLibraryIsNotTakenForCudnn) {
  LibrarySearch search;
  search.names = {"libcublas.so.13", "libcublas.so.12"};
  Cudnn library;
  std::string reason;
  if (loadCudnn(search, library, reason) ||
      reason.find("not found") != std::string::npos)
    GTEST_SKIP() << "no cuBLAS to stand in: " << reason;
  EXPECT_NE(reason.find("has no cudnnGetVersion"), std::string::npos) << reason;
}

} // namespace
