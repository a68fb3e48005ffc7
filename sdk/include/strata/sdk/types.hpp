#pragma once
// Plain data that crosses the library boundary between the core and a plugin:
// status codes, memory views and host callbacks. Nothing here owns memory, throws,
// or depends on the C++ standard library's ABI.
#include <cstdint>

namespace strata::sdk {

enum class Status : int {
  ok = 0,
  invalid_argument = 1,  // the call's inputs break the contract (sizes, layout)
  unphysical = 2,        // the state is not admissible (negative density, ...)
  failure = 3,           // anything else (allocation, device error, ...)
};

enum class LogLevel : int { debug = 0, info = 1, warning = 2, error = 3 };

enum class MemorySpace : int { host = 0, cuda_device = 1 };

// A batch of `rows` records of `cols` doubles each; record r starts at
// data + r * row_stride. Records are cells (or faces) of one batch.
struct ConstRows {
  const double* data = nullptr;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::int64_t row_stride = 0;
  MemorySpace space = MemorySpace::host;

  const double* row(std::int64_t r) const { return data + r * row_stride; }
};

struct Rows {
  double* data = nullptr;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::int64_t row_stride = 0;
  MemorySpace space = MemorySpace::host;

  double* row(std::int64_t r) const { return data + r * row_stride; }
  operator ConstRows() const { return {data, rows, cols, row_stride, space}; }
};

// Callbacks the host gives every plugin. `error` records the message of a failed
// call; the call then returns a Status other than ok.
struct Host {
  void* context = nullptr;
  void (*log)(void* context, LogLevel level, const char* message) = nullptr;
  void (*error)(void* context, const char* message) = nullptr;
};

// A viscosity law mu(T) tabulated at n >= 1 temperatures, strictly ascending and
// positive, with positive viscosities (for a gas of binary collisions mu does not
// depend on the density). The arrays belong to the caller and need only live for the
// call that receives the law (CollisionModel::adopt_viscosity).
struct ViscosityLaw {
  int n = 0;
  const double* temperature = nullptr;  // n values
  const double* viscosity = nullptr;    // n values, mu(temperature[k])
};

// What the engine tells a plugin when it creates it.
struct SetupInfo {
  int n_species = 1;
  const double* species_mass = nullptr;        // n_species values
  const char* const* species_name = nullptr;   // n_species names
  int velocity_points = 0;  // N points per dimension on [-L, L]^3 (0: no kinetic layer)
  double velocity_bound = 0.0;  // L
  double dx = 0.0, dy = 0.0;    // mesh spacing
  int threads = 1;              // threads the plugin may use inside one call
};

}  // namespace strata::sdk
