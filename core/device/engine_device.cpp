// engine_device.so: the engine's device part (core/src/device_engine.hpp) on the CUDA
// runtime and the kernels of layer2_kernels.hpp. Plain C++: it builds against the CUDA
// toolkit here and against the host stand-ins of tests/gpu/emulation there. Every call
// runs on the default stream: the copies wait for the kernels before them.
#include <chrono>
#include <cstdio>
#include <stdexcept>

#include <cuda_runtime.h>

#include "device_engine.hpp"
#include "layer2_kernels.hpp"

namespace {

using strata::core::DeviceEngine;
namespace device = strata::core::device;

void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(e));
}

// The engine works on the thread's current CUDA device: the one the layer-2 collision
// model chose when it was created (boltzmann_cufft: local MPI rank modulo the devices),
// before the engine's first allocation. Both libraries link the shared CUDA runtime, so
// they share its current device and its default stream.
class CudaEngine final : public DeviceEngine {
 public:
  std::string device_name() const override {
    int device = 0;
    check(cudaGetDevice(&device), "cudaGetDevice");
    cudaDeviceProp p{};
    check(cudaGetDeviceProperties(&p, device), "cudaGetDeviceProperties");
    return p.name;
  }
  void* allocate(std::size_t bytes) override {
    void* p = nullptr;
    check(cudaMalloc(&p, bytes), ("cudaMalloc of " + std::to_string(bytes) + " bytes").c_str());
    return p;
  }
  void release(void* p) noexcept override { cudaFree(p); }
  void to_device(void* device, const void* host, std::size_t bytes) override {
    timed(bytes, up_, [&] { check(cudaMemcpy(device, host, bytes, cudaMemcpyHostToDevice), "copy to the device"); });
  }
  void to_host(void* host, const void* device, std::size_t bytes) override {
    timed(bytes, down_, [&] { check(cudaMemcpy(host, device, bytes, cudaMemcpyDeviceToHost), "copy to the host"); });
  }
  void zero(void* device, std::size_t bytes) override { check(cudaMemset(device, 0, bytes), "cudaMemset"); }
  void synchronize() override {
    check(cudaGetLastError(), "a layer-2 kernel's launch");
    check(cudaDeviceSynchronize(), "a layer-2 kernel");
  }
  void pr222_first(const device::Pr222& c, const double* f, const double* Y, const double* q, double* sum,
                   double* rhs, std::size_t n) override {
    device::pr222_first(c, f, Y, q, sum, rhs, n);
  }
  void pr222_second(const device::Pr222& c, const double* rhs, const double* Y, const double* q, double* sum,
                    std::size_t n) override {
    device::pr222_second(c, rhs, Y, q, sum, n);
  }
  void face_lines(const device::FaceLines& L, const double* Y, double* q) override { device::face_lines(L, Y, q); }
  void add_explicit(double* q, const double* E, const double* inv_eps, std::size_t nf, std::size_t n) override {
    device::add_explicit(q, E, inv_eps, nf, n);
  }
  void gather_rows(const double* from, const std::int64_t* rows, std::size_t n_rows, std::size_t width,
                   double* to) override {
    device::gather_rows(from, rows, n_rows, width, to);
  }
  void scatter_rows(const double* from, const std::int64_t* rows, std::size_t n_rows, std::size_t width, double* to,
                    bool add) override {
    device::scatter_rows(from, rows, n_rows, width, to, add);
  }
  void conserved_moments(int n, double L, const double* f, std::size_t blocks, double* moments) override {
    device::conserved_moments(n, L, f, blocks, moments);
  }
  void entropy_sums(const double* f, std::size_t rows, std::size_t width, double* sums) override {
    device::entropy_sums(f, rows, width, sums);
  }
  void bus_traffic(double& bytes_up, double& bytes_down, double& seconds) const override {
    bytes_up = up_, bytes_down = down_, seconds = seconds_;
  }

 private:
  // A copy's own time: measured after the kernels before it have finished.
  template <class Copy>
  void timed(std::size_t bytes, double& total, Copy copy) {
    synchronize();
    const auto t0 = std::chrono::steady_clock::now();
    copy();
    seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    total += static_cast<double>(bytes);
  }
  double up_ = 0.0, down_ = 0.0, seconds_ = 0.0;
};

}  // namespace

extern "C" __attribute__((visibility("default"))) DeviceEngine* strata_engine_device_create(int interface_version,
                                                                                            char* error,
                                                                                            std::size_t error_size) {
  try {
    if (interface_version != strata::core::kDeviceEngineInterface)
      throw std::runtime_error("the library was built with engine interface " +
                               std::to_string(strata::core::kDeviceEngineInterface) + ", the program asks for " +
                               std::to_string(interface_version));
    int count = 0;
    check(cudaGetDeviceCount(&count), "no usable CUDA device (cudaGetDeviceCount)");
    if (count == 0) throw std::runtime_error("no CUDA device");
    return new CudaEngine();
  } catch (const std::exception& e) {
    std::snprintf(error, error_size, "%s", e.what());
    return nullptr;
  }
}
