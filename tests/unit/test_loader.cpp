#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <sys/mman.h>
#include <unistd.h>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "host_memory.hpp"
#include "plugin_loader.hpp"
#include "strata/sdk/layout.hpp"
#include "strata/sdk/plugin.hpp"
#include "strata/sdk/version.hpp"
#include "strata/toolkit/maxwellian.hpp"
#include "strata/toolkit/moments.hpp"

using namespace strata;
using core::PluginCatalog;
using core::PluginError;

namespace {
PluginCatalog test_catalog() { return PluginCatalog({STRATA_TEST_PLUGIN_DIR, STRATA_PLUGIN_BUILD_DIR}); }

std::string load_error(const std::string& name) {
  try {
    test_catalog().load(name);
  } catch (const PluginError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("loader: an unknown plugin is refused with the available ones listed") {
  const std::string e = load_error("eulerr");
  CHECK(e.find("unknown plugin \"eulerr\"") != std::string::npos);
  CHECK(e.find("euler") != std::string::npos);
  CHECK(e.find("bgk_example") != std::string::npos);
}

TEST_CASE("loader: a name that is a path is refused before any file access") {
  for (const char* name : {"../euler", "/tmp/x", "Euler", "a.so"})
    CHECK(load_error(name).find("invalid plugin name") != std::string::npos);
}

TEST_CASE("loader: a plugin built for another SDK version is refused") {
  const std::string e = load_error("wrong_sdk");
  CHECK(e.find("SDK version 999") != std::string::npos);
  CHECK(e.find("SDK version " + std::to_string(strata::sdk::sdk_version)) != std::string::npos);
}

TEST_CASE("loader: a plugin whose boundary structs had another layout is refused") {
  const std::string e = load_error("wrong_layout");
  CHECK(e.find("strata_wrong_layout.so was built against SDK headers whose struct layout differs") !=
        std::string::npos);
  CHECK(e.find("rebuild it against this SDK") != std::string::npos);
  std::ostringstream ours;
  ours << std::hex << strata::sdk::sdk_layout;
  CHECK(e.find(ours.str()) != std::string::npos);
}

TEST_CASE("loader: a plugin without the layout fingerprint is refused like another SDK version") {
  const std::string e = load_error("no_layout");
  CHECK(e.find("no strata_sdk_layout symbol") != std::string::npos);
  CHECK(e.find("rebuild the plugin against this SDK") != std::string::npos);
}

TEST_CASE("loader: the layout fingerprint is a compile-time constant of the SDK headers") {
  static_assert(strata::sdk::sdk_layout == strata::sdk::layout_fingerprint());
  CHECK(strata::sdk::sdk_layout != 0);
}

TEST_CASE("loader: a plugin whose descriptor names another plugin than its file is refused") {
  // strata_misnamed.so says it is "throwing": a case naming "misnamed" must not get it.
  const std::string e = load_error("misnamed");
  CHECK(e.find("strata_misnamed.so: the plugin's descriptor names it \"throwing\"") != std::string::npos);
  CHECK(e.find("its file must be strata_throwing.so") != std::string::npos);
  CHECK(load_error("throwing").empty());  // the same code under the right name loads
}

TEST_CASE("loader: a plugin folder that shadows another is reported with both paths") {
  namespace fs = std::filesystem;
  const fs::path root = fs::temp_directory_path() / ("strata_shadow_" + std::to_string(::getpid()));
  fs::remove_all(root);
  const fs::path first = root / "first", second = root / "second";
  for (const auto& dir : {first, second}) {
    fs::create_directories(dir);
    fs::copy_file(fs::path(STRATA_TEST_PLUGIN_DIR) / "strata_bgk_example.so", dir / "strata_bgk_example.so");
  }
  const std::string used = fs::canonical(first / "strata_bgk_example.so").string();
  const std::string shadowed = fs::canonical(second / "strata_bgk_example.so").string();
  std::ostringstream log;
  const auto previous = spdlog::default_logger();
  spdlog::set_default_logger(
      std::make_shared<spdlog::logger>("capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(log)));
  std::string error;
  try {
    const PluginCatalog catalog({first, second});
    REQUIRE(catalog.find_all("bgk_example").size() == 2);
    CHECK(catalog.load("bgk_example")->path() == used);
    // The same folder twice shadows nothing.
    const PluginCatalog twice({first, first});
    CHECK(twice.find_all("bgk_example").size() == 1);
    twice.load("bgk_example");
  } catch (const std::exception& e) {
    error = e.what();
  }
  spdlog::set_default_logger(previous);
  fs::remove_all(root);
  CHECK(error.empty());
  const std::string text = log.str();
  CHECK(text.find("plugin 'bgk_example': using " + used + ", which shadows " + shadowed) != std::string::npos);
  CHECK(text.find("shadows") == text.rfind("shadows"));  // one warning: not for the folder named twice
}

TEST_CASE("loader: a library without the entry points is refused") {
  CHECK(load_error("not_a_plugin").find("not a Strata plugin") != std::string::npos);
}

TEST_CASE("loader: a library needing a symbol that no library defines is refused, naming the symbol") {
  const std::string e = load_error("undefined_symbol");
  CHECK_MESSAGE(e.find("strata_undefined_symbol.so: cannot be loaded: undefined symbol: "
                       "_Z28strata_test_missing_functionv") != std::string::npos,
                e);
}

TEST_CASE("loader: a library's host memory (STRATA_HOST_MEMORY) is found, used by kinetic arrays, or refused if half") {
  const bool example_offers = test_catalog().load("bgk_example")->host_allocate() != nullptr;
  CHECK_FALSE(example_offers);
  CHECK(load_error("half_host_memory").find("without the other") != std::string::npos);
  auto library = test_catalog().load("throwing");
  const bool offers = library->host_allocate() != nullptr && library->host_release() != nullptr;
  REQUIRE(offers);
  auto memory = std::make_shared<const core::HostMemory>(
      core::HostMemory{library->host_allocate(), library->host_release(), library, "throwing"});
  library.reset();  // the arrays keep it loaded
  core::KineticArray a{core::HostAllocator<double>(memory)}, b{a.get_allocator()};
  double* block = a.get_allocator().allocate(16);  // the plugin's block, marked
  const auto* bytes = reinterpret_cast<const unsigned char*>(block);
  CHECK(std::all_of(bytes, bytes + 8, [](unsigned char c) { return c == 0xA5; }));
  a.get_allocator().deallocate(block, 16);
  a.resize(64);
  a[3] = 7.0;
  b.assign(10, 1.0);
  a.swap(b);  // storage and allocator move together (KineticStore::advance)
  CHECK(b[3] == 7.0);
  CHECK(a.size() == 10);
  CHECK(a.get_allocator().memory() == memory);
  const core::KineticArray moved(std::move(b));  // a moved-from array keeps its memory
  CHECK(b.get_allocator().memory() == memory);
  const core::KineticArray plain;  // no HostMemory: system_allocate
  CHECK(plain.get_allocator().memory() == nullptr);
}

namespace {
// The VmFlags line of the memory area of /proc/self/smaps that holds p ("" if none).
std::string area_flags(const void* p) {
  std::ifstream smaps("/proc/self/smaps");
  const auto at = reinterpret_cast<std::uintptr_t>(p);
  bool inside = false;
  for (std::string line; std::getline(smaps, line);) {
    std::uintptr_t begin = 0, end = 0;
    if (std::sscanf(line.c_str(), "%lx-%lx ", &begin, &end) == 2)  // an area's first line
      inside = begin <= at && at < end;
    else if (inside && line.rfind("VmFlags:", 0) == 0)
      return line;
  }
  return "";
}
}  // namespace

TEST_CASE("kinetic arrays without a plugin's memory: 2 MiB and more on huge pages where offered, less as before") {
  constexpr std::size_t huge = std::size_t{2} << 20, per_huge = huge / sizeof(double);
  core::KineticArray large(3 * per_huge, 1.5), exact(per_huge, 0.5), below(per_huge - 1, 0.25), small(100, 2.5);
  for (const auto* a : {&large, &exact}) CHECK(reinterpret_cast<std::uintptr_t>(a->data()) % huge == 0);
  CHECK(large.back() == 1.5);
  CHECK(exact.back() == 0.5);
  CHECK(below.back() == 0.25);
  CHECK(small.back() == 2.5);
  // Where this kernel takes the advice (as on the project's machines), the large
  // array's memory area carries it ("hg"); the small ones are not asked to.
  void* probe = ::operator new(huge, std::align_val_t{huge});
  const bool advice_taken = madvise(probe, huge, MADV_HUGEPAGE) == 0;
  ::operator delete(probe, std::align_val_t{huge});
  if (advice_taken) CHECK(area_flags(large.data()).find(" hg") != std::string::npos);
  large.swap(small);  // each storage goes back the way it came (aligned delete for the large one)
  large.clear();
  large.shrink_to_fit();
  CHECK(small.size() == 3 * per_huge);
}

TEST_CASE("loader: a plugin object keeps its library alive; calls and errors cross the boundary") {
  core::PluginObject<sdk::CollisionModel> model;
  const toolkit::VelocityGrid grid{12, 6.0};
  const double mass = 1.0;
  {
    const auto library = test_catalog().load("bgk_example");
    CHECK(library->descriptor().kind == sdk::PluginKind::collision_model);
    sdk::SetupInfo setup;
    setup.species_mass = &mass;
    setup.velocity_points = grid.n;
    setup.velocity_bound = grid.L;
    model = library->create<sdk::CollisionModel>(sdk::PluginKind::collision_model,
                                                 R"({"nu": 2.0})", setup);
    // Asking for the wrong kind is an error, not a bad cast.
    CHECK_THROWS_AS(library->create<sdk::FluidModel>(sdk::PluginKind::fluid_model, "{}", setup),
                    PluginError);
  }  // the catalog's handle is gone; the object must still work.
  // Two cells of a far-from-equilibrium (bimodal) gas.
  std::vector<double> f(2 * grid.size()), y(f.size()), M(grid.size());
  toolkit::sampled_maxwellian(grid, mass, 0.6, {1.0, 0.0, 0.0}, 0.5, f.data());
  toolkit::sampled_maxwellian(grid, mass, 0.4, {-1.0, 0.5, 0.0}, 0.8, M.data());
  for (std::size_t k = 0; k < grid.size(); ++k) {
    f[k] += M[k];
    f[grid.size() + k] = 2 * M[k];
  }
  const double h[2] = {0.5, 1e6};
  const auto n = static_cast<std::int64_t>(grid.size());
  model.check(model->implicit_solve({f.data(), 2, n, n}, h, {y.data(), 2, n, n}), "implicit_solve");
  for (int c = 0; c < 2; ++c) {
    const auto a = toolkit::conserved_moments(grid, &f[c * grid.size()]);
    const auto b = toolkit::conserved_moments(grid, &y[c * grid.size()]);
    // BGK relaxation toward the discrete Maxwellian conserves to round-off.
    CHECK(b.rho == doctest::Approx(a.rho).epsilon(1e-13));
    CHECK(b.energy == doctest::Approx(a.energy).epsilon(1e-13));
    for (int d = 0; d < 3; ++d) CHECK(std::abs(b.momentum[d] - a.momentum[d]) < 1e-13);
  }
  // A wrongly sized batch comes back as a status with the plugin's message.
  try {
    model.check(model->implicit_solve({f.data(), 1, 7, 7}, h, {y.data(), 1, 7, 7}), "implicit_solve");
    FAIL("expected an error");
  } catch (const PluginError& e) {
    CHECK(std::string(e.what()).find("not N^3 long") != std::string::npos);
  }
}

TEST_CASE("loader: a plugin constructor's exception becomes a clear error") {
  const auto library = test_catalog().load("bgk_example");
  sdk::SetupInfo setup;  // no velocity grid
  const double mass = 1.0;
  setup.species_mass = &mass;
  try {
    library->create<sdk::CollisionModel>(sdk::PluginKind::collision_model, "{\"nu\": 1}", setup);
    FAIL("expected an error");
  } catch (const PluginError& e) {
    CHECK(std::string(e.what()).find("needs a velocity grid") != std::string::npos);
  }
}

TEST_CASE("loader: call() turns a failing status and an escaping exception into PluginError") {
  const auto library = test_catalog().load("throwing");
  const auto model = library->create<sdk::CollisionModel>(sdk::PluginKind::collision_model, "{}", sdk::SetupInfo{});
  double row[4] = {}, out[4] = {}, nu = 0, kappa = 0;
  const double h = 1;
  auto error = [&](auto&& f) -> std::string {
    try {
      f();
    } catch (const PluginError& e) {
      return e.what();
    }
    return "";
  };
  CHECK(error([&] {
          model.call("implicit_solve", [&] { return model->implicit_solve({row, 1, 4, 4}, &h, {out, 1, 4, 4}); });
        }) == "plugin 'throwing', implicit_solve: threw: boom in implicit_solve");
  CHECK(error([&] {
          model.call("explicit_part", [&] { return model->explicit_part({row, 1, 4, 4}, {out, 1, 4, 4}); });
        }) == "plugin 'throwing', explicit_part: threw: an exception that is not a std::exception");
  // A status other than ok reads as check() has it.
  const std::string failed = error([&] {
    model.call("transport_coefficients", [&] { return model->transport_coefficients({row, 1, 4, 4}, &nu, &kappa); });
  });
  CHECK(failed == "plugin 'throwing', transport_coefficients: negative temperature");
  CHECK(failed == error([&] {
          model.check(model->transport_coefficients({row, 1, 4, 4}, &nu, &kappa), "transport_coefficients");
        }));
  CHECK(error([&] { model.call("nothing", [] { return sdk::Status::ok; }); }).empty());
}

TEST_CASE("loader: a very long plugin name is refused without a regular expression") {
  // A 30 000-character name once overflowed the stack of std::regex_match.
  const std::string e = load_error(std::string(30000, 'a'));
  CHECK(e.find("invalid plugin name \"aaaa") != std::string::npos);
  CHECK(e.find("(30000 characters)") != std::string::npos);
  CHECK(load_error(std::string(65, 'a')).find("invalid plugin name") != std::string::npos);
}

TEST_CASE("loader: a truncated or foreign file is refused before dlopen, naming the file") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("strata_truncated_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path euler = fs::path(STRATA_PLUGIN_BUILD_DIR) / "strata_euler.so";
  const auto size = fs::file_size(euler);
  auto truncated_copy = [&](const std::string& name, std::uintmax_t bytes) {
    fs::copy_file(euler, dir / ("strata_" + name + ".so"));
    fs::resize_file(dir / ("strata_" + name + ".so"), bytes);
  };
  truncated_copy("half", size / 2);      // segments past the end: SIGBUS in dlopen
  truncated_copy("tiny", 20);            // not even an ELF header
  std::ofstream(dir / "strata_text.so") << std::string(200, 'x');  // longer than a header
  fs::copy_file(fs::read_symlink("/proc/self/exe"), dir / "strata_program.so");  // an executable (PIE: ET_DYN too)
  const PluginCatalog catalog({dir});
  auto error = [&](const std::string& name) {
    try {
      catalog.load(name);
    } catch (const PluginError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  const std::string half = error("half");
  CHECK(half.find((dir / "strata_half.so").string() + ": not a loadable shared object: truncated") !=
        std::string::npos);
  CHECK(error("tiny").find("shorter than an ELF header") != std::string::npos);
  CHECK(error("text").find("no ELF magic number") != std::string::npos);
  const std::string program = error("program");
  CHECK_MESSAGE((program.find("not a loadable shared object: a program (a position-independent executable)") !=
                     std::string::npos ||
                 program.find("not a 64-bit little-endian ELF shared object") != std::string::npos),  // built without PIE
                program);
  fs::remove_all(dir);
}

TEST_CASE("loader: a plugin's error messages are kept per calling thread") {
  // Two threads whose calls into one plugin object fail at once each get their own
  // message; a message reported from another thread (a plugin's own worker) is taken by
  // the next failed call that has none of its own.
  core::HostChannel channel("p");
  const sdk::Host& host = channel.host();
  std::string first, second;
  std::thread a([&] {
    host.error(host.context, "a failed");
    std::thread b([&] {
      host.error(host.context, "b failed");
      second = channel.take_error();
    });
    b.join();
    first = channel.take_error();
  });
  a.join();
  CHECK(first == "a failed");
  CHECK(second == "b failed");
  std::thread worker([&] { host.error(host.context, "from a worker"); });
  worker.join();
  CHECK(channel.take_error() == "from a worker");
  CHECK(channel.take_error() == "failed without a message");
}
