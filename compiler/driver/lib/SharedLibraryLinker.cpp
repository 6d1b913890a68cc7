//===- SharedLibraryLinker.cpp - Object code to a shared library ----------===//
//
// Uses the system C compiler driver as the linker: it knows the platform's crt
// files and libc. `-z defs` makes any symbol the generated code needs but
// nothing provides a link error here rather than a failure when the library is
// loaded.
//
//===----------------------------------------------------------------------===//

#include "SharedLibraryLinker.h"

#include "kiln/runtime.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <dlfcn.h>

namespace kiln::driver {

static std::string chooseLinker(llvm::StringRef requested) {
  if (!requested.empty())
    return requested.str();
  if (std::optional<std::string> fromEnvironment =
          llvm::sys::Process::GetEnv("KILN_LINKER"))
    return *fromEnvironment;
  return "cc";
}

/// A unique temporary path next to `outputPath` with the given suffix.
static llvm::Expected<std::string> makeTemporaryPath(llvm::StringRef outputPath,
                                                     llvm::StringRef suffix) {
  llvm::SmallString<256> path;
  int fd = -1;
  if (std::error_code error = llvm::sys::fs::createUniqueFile(
          outputPath + ".tmp-%%%%%%" + suffix, fd, path))
    return llvm::createStringError(error, "cannot create a file next to '" +
                                              outputPath +
                                              "': " + error.message());
  llvm::sys::Process::SafelyCloseFileDescriptor(fd);
  return path.str().str();
}

/// The path of the libkiln_runtime loaded in this process (the compiler
/// links it), found from one of its functions.
static llvm::Expected<std::string> findRuntimeLibrary() {
  Dl_info info;
  if (!dladdr(reinterpret_cast<void *>(&kiln_module_load), &info) ||
      !info.dli_fname)
    return llvm::createStringError(
        "cannot find the libkiln_runtime this compiler uses, which the "
        "module's library kernels are linked against");
  return std::string(info.dli_fname);
}

llvm::Error linkSharedLibrary(llvm::ArrayRef<char> object,
                              llvm::StringRef outputPath,
                              llvm::StringRef linker, bool needsRuntime) {
  std::string linkerName = chooseLinker(linker);
  llvm::ErrorOr<std::string> linkerPath =
      llvm::sys::findProgramByName(linkerName);
  // findProgramByName returns a path with a slash unchanged, so check it is
  // there.
  if (!linkerPath || !llvm::sys::fs::can_execute(*linkerPath))
    return llvm::createStringError(
        "cannot find the linker '" + linkerName +
        "' needed to build a shared library: install a C compiler "
        "(Debian: build-essential) or set KILN_LINKER");

  auto objectPath = makeTemporaryPath(outputPath, ".o");
  if (!objectPath)
    return objectPath.takeError();
  llvm::FileRemover removeObject(*objectPath);
  auto libraryPath = makeTemporaryPath(outputPath, ".so");
  if (!libraryPath)
    return libraryPath.takeError();
  llvm::FileRemover removeLibrary(*libraryPath);
  auto logPath = makeTemporaryPath(outputPath, ".log");
  if (!logPath)
    return logPath.takeError();
  llvm::FileRemover removeLog(*logPath);

  {
    std::error_code error;
    llvm::raw_fd_ostream stream(*objectPath, error);
    if (error)
      return llvm::createStringError(error, "cannot write '" + *objectPath +
                                                "': " + error.message());
    stream.write(object.data(), object.size());
  }

  llvm::SmallVector<llvm::StringRef> arguments = {
      *linkerPath,          "-shared",   "-o",
      *libraryPath,         *objectPath, "-Wl,-z,defs",
      "-Wl,-z,noexecstack", "-lm"};
  // The runtime is named by its path; the library records only its soname
  // (no rpath): whoever loads the module has loaded libkiln_runtime already.
  std::string runtimePath;
  if (needsRuntime) {
    auto found = findRuntimeLibrary();
    if (!found)
      return found.takeError();
    runtimePath = std::move(*found);
    arguments.push_back(runtimePath);
  }
  std::optional<llvm::StringRef> redirects[] = {
      std::nullopt, llvm::StringRef(*logPath), llvm::StringRef(*logPath)};
  std::string executionError;
  int status = llvm::sys::ExecuteAndWait(*linkerPath, arguments, std::nullopt,
                                         redirects, 0, 0, &executionError);
  if (status != 0) {
    std::string log;
    if (auto buffer = llvm::MemoryBuffer::getFile(*logPath))
      log = (*buffer)->getBuffer().trim().str();
    return llvm::createStringError(
        "linking the shared library with '" + *linkerPath + "' failed" +
        (executionError.empty() ? "" : ": " + executionError) +
        (log.empty() ? "" : ":\n" + log));
  }
  if (std::error_code error = llvm::sys::fs::rename(*libraryPath, outputPath))
    return llvm::createStringError(error, "cannot write '" + outputPath +
                                              "': " + error.message());
  removeLibrary.releaseFile();
  return llvm::Error::success();
}

} // namespace kiln::driver
