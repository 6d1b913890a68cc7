//===- Png.cpp - A minimal PNG writer for grayscale images ----------------===//

#include "Png.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace kiln::examples {
namespace {

void appendBigEndian(std::string &out, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((value >> shift) & 0xff));
}

/// A chunk: length, type, data, then the CRC-32 of type and data.
void appendChunk(std::string &out, const char type[4],
                 const std::string &data) {
  appendBigEndian(out, static_cast<uint32_t>(data.size()));
  std::string typed(type, 4);
  typed += data;
  out += typed;
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, reinterpret_cast<const Bytef *>(typed.data()),
              static_cast<uInt>(typed.size()));
  appendBigEndian(out, static_cast<uint32_t>(crc));
}

} // namespace

std::string encodeGrayscalePng(const std::vector<uint8_t> &pixels,
                               uint32_t width, uint32_t height) {
  if (width == 0 || height == 0 ||
      pixels.size() != static_cast<size_t>(width) * height)
    throw std::runtime_error("PNG: the pixels do not fill the image");
  // Each scanline starts with its filter type (0: none).
  std::string raw;
  raw.reserve(static_cast<size_t>(width + 1) * height);
  for (uint32_t row = 0; row < height; ++row) {
    raw.push_back(0);
    raw.append(reinterpret_cast<const char *>(pixels.data()) +
                   static_cast<size_t>(row) * width,
               width);
  }
  uLongf compressedSize = compressBound(raw.size());
  std::string compressed(compressedSize, '\0');
  if (compress2(reinterpret_cast<Bytef *>(compressed.data()), &compressedSize,
                reinterpret_cast<const Bytef *>(raw.data()), raw.size(),
                Z_BEST_COMPRESSION) != Z_OK)
    throw std::runtime_error("PNG: zlib could not compress the image");
  compressed.resize(compressedSize);

  std::string header;
  appendBigEndian(header, width);
  appendBigEndian(header, height);
  header += std::string("\x08\x00\x00\x00\x00", 5); // 8-bit gray, defaults

  std::string png("\x89PNG\r\n\x1a\n", 8);
  appendChunk(png, "IHDR", header);
  appendChunk(png, "IDAT", compressed);
  appendChunk(png, "IEND", "");
  return png;
}

std::vector<uint8_t> imageGrid(const float *images, int64_t count, int64_t size,
                               int64_t scale, int64_t gap, uint32_t &width,
                               uint32_t &height) {
  int64_t columns = static_cast<int64_t>(std::ceil(std::sqrt(count)));
  int64_t rows = (count + columns - 1) / columns;
  int64_t cell = size * scale + gap;
  width = static_cast<uint32_t>(columns * cell + gap);
  height = static_cast<uint32_t>(rows * cell + gap);
  std::vector<uint8_t> pixels(static_cast<size_t>(width) * height, 96);
  for (int64_t image = 0; image < count; ++image) {
    int64_t top = gap + (image / columns) * cell;
    int64_t left = gap + (image % columns) * cell;
    for (int64_t y = 0; y < size * scale; ++y)
      for (int64_t x = 0; x < size * scale; ++x) {
        float value =
            images[image * size * size + (y / scale) * size + x / scale];
        float level = std::clamp((value + 1.0f) * 127.5f, 0.0f, 255.0f);
        pixels[(top + y) * width + left + x] =
            static_cast<uint8_t>(std::lround(level));
      }
  }
  return pixels;
}

} // namespace kiln::examples
