//===- Initializer.cpp - A parameter's first values -----------------------===//
//
// Random values come from std::mt19937_64, whose output the C++ standard
// fixes, turned into doubles here (53 random bits; Box-Muller for normal
// values), because the distributions of <random> differ between standard
// libraries and a seed must give the same model everywhere.
//
//===----------------------------------------------------------------------===//

#include "kiln/Frontends/Native/GraphBuilder.h"

#include <cmath>
#include <random>

namespace kiln::native {
namespace {

/// A double in [0, 1) from the engine's next 64 bits.
double unitUniform(std::mt19937_64 &engine) {
  return static_cast<double>(engine() >> 11) * 0x1.0p-53;
}

} // namespace

Initializer Initializer::zeros() { return Initializer(); }

Initializer Initializer::ones() {
  Initializer initializer;
  initializer.kind = Kind::Ones;
  return initializer;
}

Initializer Initializer::uniform(double low, double high, uint64_t seed) {
  Initializer initializer;
  initializer.kind = Kind::Uniform;
  initializer.low = low;
  initializer.high = high;
  initializer.seed = seed;
  return initializer;
}

Initializer Initializer::normal(double mean, double standardDeviation,
                                uint64_t seed) {
  Initializer initializer;
  initializer.kind = Kind::Normal;
  initializer.mean = mean;
  initializer.standardDeviation = standardDeviation;
  initializer.seed = seed;
  return initializer;
}

Initializer Initializer::given(std::vector<float> values) {
  Initializer initializer;
  initializer.kind = Kind::Values;
  initializer.values = std::move(values);
  return initializer;
}

std::vector<float> Initializer::materialize(int64_t count) const {
  switch (kind) {
  case Kind::Zeros:
    return std::vector<float>(count, 0.0f);
  case Kind::Ones:
    return std::vector<float>(count, 1.0f);
  case Kind::Values:
    if (static_cast<int64_t>(values.size()) != count)
      throw BuildError("the initializer gives " +
                       std::to_string(values.size()) + " values for " +
                       std::to_string(count) + " elements");
    return values;
  case Kind::Uniform: {
    if (!(low < high))
      throw BuildError("a uniform initializer needs low < high, not [" +
                       std::to_string(low) + ", " + std::to_string(high) + ")");
    std::mt19937_64 engine(seed);
    std::vector<float> result(count);
    for (float &value : result)
      value = static_cast<float>(low + (high - low) * unitUniform(engine));
    return result;
  }
  case Kind::Normal: {
    if (!(standardDeviation >= 0))
      throw BuildError("a normal initializer needs a standard deviation of "
                       "0 or more");
    std::mt19937_64 engine(seed);
    std::vector<float> result(count);
    for (float &value : result) {
      // 1 - u lies in (0, 1], so the logarithm is finite.
      double radius = std::sqrt(-2.0 * std::log(1.0 - unitUniform(engine)));
      double angle = 2.0 * M_PI * unitUniform(engine);
      value = static_cast<float>(mean +
                                 standardDeviation * radius * std::cos(angle));
    }
    return result;
  }
  }
  throw BuildError("unknown initializer kind");
}

} // namespace kiln::native
