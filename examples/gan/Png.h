//===- Png.h - A minimal PNG writer for grayscale images ------------------===//
//
// Enough of PNG for a picture of generated digits: one 8-bit grayscale
// image, no interlacing, every scanline with filter 0, compressed with zlib
// (which also gives the chunks' CRC-32).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_EXAMPLES_GAN_PNG_H
#define KILN_EXAMPLES_GAN_PNG_H

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::examples {

/// The bytes of a PNG file holding `pixels` (row-major, `width` x `height`,
/// 0 black to 255 white). Throws std::runtime_error when the sizes do not
/// match or zlib fails.
std::string encodeGrayscalePng(const std::vector<uint8_t> &pixels,
                               uint32_t width, uint32_t height);

/// Lays out `count` images of `size` x `size` values in [-1, 1] (row-major,
/// one after the other) as a grid, each pixel `scale` x `scale`, with a
/// `gap` of gray between them; returns the pixels and sets `width` and
/// `height`.
std::vector<uint8_t> imageGrid(const float *images, int64_t count, int64_t size,
                               int64_t scale, int64_t gap, uint32_t &width,
                               uint32_t &height);

} // namespace kiln::examples

#endif // KILN_EXAMPLES_GAN_PNG_H
