// A collision model whose calls fail in every way a plugin call can: a non-ok
// status with a message, a std::exception, and an exception of another type. It also
// offers host memory (STRATA_HOST_MEMORY) that marks its blocks, so that a test can
// see memory taken from it; with STRATA_TEST_HALF_HOST_MEMORY it exports only the
// allocation half, which the loader must refuse.
// Built as strata_throwing.so (descriptor name "throwing") and as strata_misnamed.so
// with the same descriptor name, which the loader must refuse.
#include <cstdlib>
#include <stdexcept>

#include <strata/sdk.hpp>

#ifndef STRATA_TEST_MODEL_NAME
#error "define STRATA_TEST_MODEL_NAME"
#endif

namespace {
using namespace strata;

constexpr sdk::Descriptor descriptor{
    STRATA_SDK_VERSION, STRATA_TEST_MODEL_NAME, sdk::PluginKind::collision_model, "0.0.1",
    "test plugin: every call fails", nullptr, 0};

class TestModel final : public sdk::CollisionModel {
 public:
  TestModel(const sdk::Params&, const sdk::SetupInfo&, const sdk::Host& host)
      : CollisionModel(host) {}
  bool has_explicit_part() const override { return true; }
  sdk::Status explicit_part(sdk::ConstRows, sdk::Rows) override { throw 42; }
  sdk::Status implicit_solve(sdk::ConstRows, const double*, sdk::Rows) override {
    throw std::runtime_error("boom in implicit_solve");
  }
  sdk::Status transport_coefficients(sdk::ConstRows, double*, double*) override {
    return fail(sdk::Status::unphysical, "negative temperature");
  }
};

// Blocks start with a marker byte pattern, for the test to recognise.
void* marked_allocate(std::size_t bytes) {
  auto* p = static_cast<unsigned char*>(std::malloc(bytes));
  if (p && bytes >= 8)
    for (int k = 0; k < 8; ++k) p[k] = 0xA5;
  return p;
}
[[maybe_unused]] void marked_release(void* p, std::size_t) { std::free(p); }

}  // namespace

STRATA_PLUGIN(TestModel, descriptor)
#ifdef STRATA_TEST_HALF_HOST_MEMORY
BOOST_DLL_ALIAS(marked_allocate, strata_host_allocate)
#else
STRATA_HOST_MEMORY(marked_allocate, marked_release)
#endif
