//===- Weights.h - Weights kept in a file beside the compiled module ------===//
//
// Names shared by `kiln-externalize-weights`, `kiln-emit-module-info` and the
// driver, and the helper with which the driver takes the weights blob out of
// a lowered module to write it as a file.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_WEIGHTS_H
#define KILN_CODEGEN_CPU_WEIGHTS_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kiln {

/// The module attribute in which `kiln-externalize-weights` leaves the blob:
/// {file = "name", size = N : i64, fnv1a64 = H : i64, data = dense_resource}.
inline constexpr llvm::StringLiteral kWeightsAttrName = "kiln.weights";
/// The internal `kiln_abi_weights` table that `kiln-externalize-weights`
/// emits and `kiln-emit-module-info` points to.
inline constexpr llvm::StringLiteral kWeightsTableSymbol = "__kiln_weights";
/// An optional integer module attribute: the arena size a session should
/// allocate for the module's runs. No pass sets it yet.
inline constexpr llvm::StringLiteral kArenaSizeAttrName = "kiln.arena_size";
/// An optional integer module attribute: the largest arena
/// `kiln-plan-memory` planned for a function, which a run allocates itself
/// (`kiln_abi_module_info::planned_arena_size`).
inline constexpr llvm::StringLiteral kPlannedArenaSizeAttrName =
    "kiln.planned_arena_size";
/// Integer attributes `kiln-plan-memory` puts on each function it planned:
/// its arena's bytes, and what the buffers placed in it add up to.
inline constexpr llvm::StringLiteral kArenaBytesAttrName = "kiln.arena_bytes";
inline constexpr llvm::StringLiteral kArenaBufferBytesAttrName =
    "kiln.arena_buffer_bytes";
/// Segments of the weights file start at multiples of this.
inline constexpr uint64_t kWeightsSegmentAlignment = 64;

/// The 64-bit FNV-1a hash, as the runtime computes it (kiln_checksum()).
inline uint64_t fnv1a64(llvm::ArrayRef<char> bytes) {
  uint64_t hash = 0xcbf29ce484222325ull;
  for (char byte : bytes) {
    hash ^= static_cast<unsigned char>(byte);
    hash *= 0x100000001b3ull;
  }
  return hash;
}

/// A weights file's name and contents.
struct WeightsBlob {
  std::string fileName;
  std::vector<char> bytes;
};

/// Removes the `kiln.weights` attribute from `module` and returns what it
/// held; nothing when the module has no such attribute.
std::optional<WeightsBlob> takeWeightsBlob(mlir::ModuleOp module);

} // namespace kiln

#endif // KILN_CODEGEN_CPU_WEIGHTS_H
