//===- cuda/Libraries.cpp - Loading cuDNN and cuBLAS once per process -----===//
//
// Finds cuDNN 9 and cuBLAS in $KILN_CUDA_LIBRARY_PATH, the dynamic loader's
// path, PyTorch's wheels and the CUDA toolkit, in that order, and resolves
// the entry points of Libraries.h. A failure names every file tried, so that
// a user can see where Kiln looked.
//
//===----------------------------------------------------------------------===//

#include "cuda/Libraries.h"

#include <cstdlib>
#include <dlfcn.h>
#include <glob.h>
#include <mutex>

using namespace kiln::internal::cuda;

namespace {

/// The folders that hold `package`'s libraries in Python installations:
/// pip's nvidia-cudnn-cu12/13 and nvidia-cublas-cu12/13 wheels, which
/// PyTorch depends on, put them in site-packages/nvidia/<package>/lib.
std::vector<std::string> pythonPackageDirectories(const std::string &package) {
  std::vector<std::string> patterns = {
      "/usr/lib/python3/dist-packages/nvidia/" + package + "/lib",
      "/usr/local/lib/python3*/dist-packages/nvidia/" + package + "/lib",
      "/usr/local/lib/python3*/site-packages/nvidia/" + package + "/lib",
      "/usr/lib/python3*/site-packages/nvidia/" + package + "/lib"};
  if (const char *home = std::getenv("HOME"); home && *home)
    patterns.push_back(std::string(home) +
                       "/.local/lib/python3*/site-packages/" + "nvidia/" +
                       package + "/lib");
  // A virtual environment's packages come first: it is what the user runs.
  if (const char *venv = std::getenv("VIRTUAL_ENV"); venv && *venv)
    patterns.insert(patterns.begin(), std::string(venv) +
                                          "/lib/python3*/site-packages/"
                                          "nvidia/" +
                                          package + "/lib");
  std::vector<std::string> directories;
  for (const std::string &pattern : patterns) {
    glob_t matches{};
    if (::glob(pattern.c_str(), GLOB_ONLYDIR, nullptr, &matches) == 0)
      for (size_t i = 0; i < matches.gl_pathc; ++i)
        directories.emplace_back(matches.gl_pathv[i]);
    ::globfree(&matches);
  }
  return directories;
}

/// The entries of $KILN_CUDA_LIBRARY_PATH, empty ones skipped.
std::vector<std::string> environmentDirectories() {
  std::vector<std::string> directories;
  const char *text = std::getenv("KILN_CUDA_LIBRARY_PATH");
  if (!text)
    return directories;
  std::string list = text;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(':', start);
    if (end == std::string::npos)
      end = list.size();
    if (end > start)
      directories.push_back(list.substr(start, end - start));
    start = end + 1;
  }
  return directories;
}

LibrarySearch searchFor(std::vector<std::string> names,
                        const std::string &package) {
  LibrarySearch search;
  search.names = std::move(names);
  search.firstDirectories = environmentDirectories();
  search.lastDirectories = pythonPackageDirectories(package);
  for (const char *toolkit : {"/usr/local/cuda/lib64", "/usr/local/cuda/lib"})
    search.lastDirectories.emplace_back(toolkit);
  return search;
}

/// Opens the first candidate of `search`; NULL when none opens. `tried`
/// lists the candidates, `errors` what dlopen said about files that exist
/// but do not load (a missing dependency, the wrong architecture).
void *openFirst(const LibrarySearch &search, std::string &path,
                std::string &tried, std::string &errors) {
  auto attempt = [&](const std::string &candidate) -> void * {
    tried += (tried.empty() ? "" : ", ") + candidate;
    void *library = ::dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (library) {
      path = candidate;
      return library;
    }
    const char *error = ::dlerror();
    std::string detail = error ? error : "";
    // A missing candidate is expected; anything else (a missing dependency,
    // the wrong architecture) is worth telling.
    bool missing = detail.rfind(candidate + ":", 0) == 0 &&
                   detail.find("No such file") != std::string::npos;
    if (!detail.empty() && !missing)
      errors += "; " + detail;
    return nullptr;
  };
  auto inDirectories =
      [&](const std::vector<std::string> &directories) -> void * {
    for (const std::string &directory : directories)
      for (const std::string &name : search.names)
        if (void *library = attempt(directory + "/" + name))
          return library;
    return nullptr;
  };
  if (void *library = inDirectories(search.firstDirectories))
    return library;
  if (search.useLoaderPath)
    for (const std::string &name : search.names)
      if (void *library = attempt(name))
        return library;
  return inDirectories(search.lastDirectories);
}

/// The message for a library that was not found.
std::string notFound(const char *what, const char *install,
                     const std::string &tried, const std::string &errors) {
  return std::string(what) + " not found (tried " +
         (tried.empty() ? std::string("nothing") : tried) + ")" + errors +
         ": install " + install +
         " or set KILN_CUDA_LIBRARY_PATH to its "
         "folder";
}

/// Resolves `symbol` into `field`; false with the reason when it is missing.
template <typename Function>
bool resolveOne(void *library, const char *symbol, Function &field,
                const char *what, const std::string &path,
                std::string &reason) {
  field = reinterpret_cast<Function>(::dlsym(library, symbol));
  if (field)
    return true;
  reason = std::string(what) + " at '" + path + "' has no " + symbol +
           ": it is too old or not " + what;
  return false;
}

} // namespace

LibrarySearch kiln::internal::cuda::cudnnSearch() {
  // Unversioned last: it may be another major version, which loadCudnn
  // rejects by its version number.
  return searchFor({"libcudnn.so.9", "libcudnn.so"}, "cudnn");
}

LibrarySearch kiln::internal::cuda::cublasSearch() {
  return searchFor({"libcublas.so.13", "libcublas.so.12", "libcublas.so"},
                   "cublas");
}

bool kiln::internal::cuda::loadCudnn(const LibrarySearch &search, Cudnn &out,
                                     std::string &reason) {
  std::string path, tried, errors;
  void *library = openFirst(search, path, tried, errors);
  if (!library) {
    reason = notFound("cuDNN", "cuDNN 9", tried, errors);
    return false;
  }
  out.path = path;
#define KILN_RESOLVE(field, symbol)                                            \
  if (!resolveOne(library, #symbol, out.field, "cuDNN", path, reason))         \
    return false;
  KILN_CUDNN_FUNCTIONS(KILN_RESOLVE)
  // The kernels use cuDNN 9's legacy convolution API, whose entry points
  // earlier versions have under the same names with other behaviour.
  size_t version = out.getVersion();
  if (version / 10000 != 9) {
    reason = "cuDNN at '" + path + "' is version " +
             std::to_string(version / 10000) + "." +
             std::to_string(version / 100 % 100) +
             "; Kiln needs cuDNN 9 (set KILN_CUDA_LIBRARY_PATH to its folder)";
    return false;
  }
  return true;
}

bool kiln::internal::cuda::loadCublas(const LibrarySearch &search, Cublas &out,
                                      std::string &reason) {
  std::string path, tried, errors;
  void *library = openFirst(search, path, tried, errors);
  if (!library) {
    reason = notFound("cuBLAS", "cuBLAS (CUDA 12 or 13)", tried, errors);
    return false;
  }
  out.path = path;
  KILN_CUBLAS_FUNCTIONS(KILN_RESOLVE)
#undef KILN_RESOLVE
  return true;
}

namespace {

/// A library loaded once: never freed, like the driver, since thread-exit
/// handlers may still destroy handles during process exit.
template <typename Library> struct Loaded {
  Library library;
  std::string reason;
  bool usable = false;
};

} // namespace

const Cudnn *kiln::internal::cuda::cudnn(std::string &reason) {
  static auto *state = new Loaded<Cudnn>;
  static std::once_flag once;
  std::call_once(once, [] {
    try {
      state->usable = loadCudnn(cudnnSearch(), state->library, state->reason);
    } catch (...) {
      state->reason = "out of memory while loading cuDNN";
    }
  });
  if (state->usable)
    return &state->library;
  reason = state->reason;
  return nullptr;
}

const Cublas *kiln::internal::cuda::cublas(std::string &reason) {
  static auto *state = new Loaded<Cublas>;
  static std::once_flag once;
  std::call_once(once, [] {
    try {
      state->usable = loadCublas(cublasSearch(), state->library, state->reason);
    } catch (...) {
      state->reason = "out of memory while loading cuBLAS";
    }
  });
  if (state->usable)
    return &state->library;
  reason = state->reason;
  return nullptr;
}
