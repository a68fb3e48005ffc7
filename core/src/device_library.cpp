#include "device_library.hpp"

#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>

namespace strata::core {

std::shared_ptr<DeviceLibrary> load_device_library(const std::vector<std::filesystem::path>& dirs) {
  std::string searched;
  for (const auto& dir : dirs) {
    const std::filesystem::path file = dir / "engine_device.so";
    searched += searched.empty() ? "" : ", ";
    searched += dir.string();
    std::error_code missing;
    if (!std::filesystem::exists(file, missing)) continue;
    boost::dll::shared_library library;
    try {
      library.load(file, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
    } catch (const std::exception& e) {
      throw std::runtime_error(file.string() + " does not load: " + e.what());
    }
    if (!library.has("strata_engine_device_create"))
      throw std::runtime_error(file.string() + " has no strata_engine_device_create: not Strata's engine library");
    char error[512] = "";
    DeviceEngine* engine = library.get<CreateDeviceEngineFn>("strata_engine_device_create")(
        kDeviceEngineInterface, error, sizeof error);
    if (!engine) throw std::runtime_error(file.string() + ": " + error);
    return std::make_shared<DeviceLibrary>(std::move(library), engine);
  }
  throw std::runtime_error("no engine_device.so in the plugin folders (" + searched +
                           "); it is built with the GPU parts, where a CUDA toolkit is found");
}

}  // namespace strata::core
