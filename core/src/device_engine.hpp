#pragma once
// The engine's device part, as the strata program sees it (docs/architecture.md §6.2):
// device memory, copies and the layer-2 kernels of core/device, behind an interface, so
// that the program itself has no CUDA dependency. The library engine_device.so
// (core/device/engine_device.cpp, built where a CUDA toolkit is found) creates one; an
// emulated build of the same source on host stand-ins (tests/gpu/emulation) lets the
// machines without a GPU run the device path. Engine-internal: built with the program,
// not part of the SDK; kDeviceEngineInterface changes whenever this class does.
#include <cstddef>
#include <cstdint>
#include <string>

#include "../device/layer2_pointwise.hpp"

namespace strata::core {

inline constexpr int kDeviceEngineInterface = 1;

class DeviceEngine {
 public:
  virtual ~DeviceEngine() = default;
  virtual std::string device_name() const = 0;
  // Device memory; allocate throws std::runtime_error (with CUDA's message) when refused.
  virtual void* allocate(std::size_t bytes) = 0;
  virtual void release(void* p) noexcept = 0;
  virtual void to_device(void* device, const void* host, std::size_t bytes) = 0;
  virtual void to_host(void* host, const void* device, std::size_t bytes) = 0;
  virtual void zero(void* device, std::size_t bytes) = 0;
  // Waits for the kernels launched so far; throws std::runtime_error naming a failed one.
  virtual void synchronize() = 0;
  // The kernels (core/device/layer2_kernels.hpp), asynchronous.
  virtual void pr222_first(const device::Pr222& c, const double* f, const double* Y, const double* q, double* sum,
                           double* rhs, std::size_t n) = 0;
  virtual void pr222_second(const device::Pr222& c, const double* rhs, const double* Y, const double* q, double* sum,
                            std::size_t n) = 0;
  virtual void face_lines(const device::FaceLines& L, const double* Y, double* q) = 0;
  virtual void add_explicit(double* q, const double* E, const double* inv_eps, std::size_t nf, std::size_t n) = 0;
  virtual void gather_rows(const double* from, const std::int64_t* rows, std::size_t n_rows, std::size_t width,
                           double* to) = 0;
  virtual void scatter_rows(const double* from, const std::int64_t* rows, std::size_t n_rows, std::size_t width,
                            double* to, bool add) = 0;
  virtual void conserved_moments(int n, double L, const double* f, std::size_t blocks, double* moments) = 0;
  virtual void entropy_sums(const double* f, std::size_t rows, std::size_t width, double* sums) = 0;
  // Bytes copied each way so far, and the seconds the copies took (summary.json).
  virtual void bus_traffic(double& bytes_up, double& bytes_down, double& seconds) const = 0;
};

// The library's one export: a new DeviceEngine on the current CUDA device, or nullptr
// with the reason in `error` (no device, a driver too old, another interface version).
using CreateDeviceEngineFn = DeviceEngine*(int interface_version, char* error, std::size_t error_size);

}  // namespace strata::core
