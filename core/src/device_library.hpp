#pragma once
// engine_device.so (docs/architecture.md §6.2) loaded at run time, and the DeviceEngine
// it made: what gives the program, and the benchmarks, device memory and the engine's
// kernels without a CUDA dependency of their own.
#include <filesystem>
#include <memory>
#include <vector>

#include <boost/dll/shared_library.hpp>

#include "device_engine.hpp"

namespace strata::core {

class DeviceLibrary {
 public:
  DeviceLibrary(boost::dll::shared_library library, DeviceEngine* engine) : library_(std::move(library)), engine_(engine) {}
  ~DeviceLibrary() { engine_.reset(); }  // before the library's code goes
  DeviceLibrary(const DeviceLibrary&) = delete;
  DeviceLibrary& operator=(const DeviceLibrary&) = delete;
  DeviceEngine& engine() const { return *engine_; }

 private:
  boost::dll::shared_library library_;
  std::unique_ptr<DeviceEngine> engine_;
};

// The engine_device.so of the first folder of `dirs` that has one (so that a folder of
// tests/gpu/emulation's builds put first picks the emulated one), on the thread's
// current CUDA device. Throws std::runtime_error naming the folders searched, or the
// library and why it cannot serve (no usable device, another interface version).
std::shared_ptr<DeviceLibrary> load_device_library(const std::vector<std::filesystem::path>& dirs);

}  // namespace strata::core
