//===- OutputFiles.cpp - Several output files written as one unit ---------===//

#include "kiln/Driver/OutputFiles.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Signals.h"

namespace kiln::driver {

OutputFiles::~OutputFiles() {
  if (committed)
    return;
  for (const Entry &entry : entries) {
    llvm::sys::fs::remove(entry.temporary);
    llvm::sys::DontRemoveFileOnSignal(entry.temporary);
  }
}

llvm::Expected<std::string> OutputFiles::add(llvm::StringRef finalPath) {
  llvm::SmallString<256> path;
  int fd = -1;
  if (std::error_code error =
          llvm::sys::fs::createUniqueFile(finalPath + ".tmp-%%%%%%", fd, path))
    return llvm::createStringError(error, "cannot create a file next to '" +
                                              finalPath +
                                              "': " + error.message());
  llvm::sys::Process::SafelyCloseFileDescriptor(fd);
  // An interrupted compile leaves nothing either.
  llvm::sys::RemoveFileOnSignal(path);
  entries.push_back({path.str().str(), finalPath.str()});
  return entries.back().temporary;
}

llvm::Error
OutputFiles::write(llvm::StringRef finalPath,
                   llvm::function_ref<void(llvm::raw_ostream &)> writer) {
  auto temporary = add(finalPath);
  if (!temporary)
    return temporary.takeError();
  std::error_code error;
  llvm::raw_fd_ostream stream(*temporary, error);
  if (!error) {
    writer(stream);
    stream.close();
    error = stream.error();
  }
  if (error)
    return llvm::createStringError(error, "cannot write '" + finalPath +
                                              "': " + error.message());
  return llvm::Error::success();
}

llvm::Error OutputFiles::write(llvm::StringRef finalPath,
                               llvm::ArrayRef<char> bytes) {
  return write(finalPath, [&](llvm::raw_ostream &os) {
    os.write(bytes.data(), bytes.size());
  });
}

llvm::Error OutputFiles::commit() {
  for (size_t i = entries.size(); i-- > 0;) {
    const Entry &entry = entries[i];
    if (std::error_code error =
            llvm::sys::fs::rename(entry.temporary, entry.final)) {
      for (size_t j = i + 1; j < entries.size(); ++j)
        llvm::sys::fs::remove(entries[j].final);
      return llvm::createStringError(error, "cannot write '" + entry.final +
                                                "': " + error.message());
    }
  }
  committed = true;
  for (const Entry &entry : entries)
    llvm::sys::DontRemoveFileOnSignal(entry.temporary);
  return llvm::Error::success();
}

} // namespace kiln::driver
