// A collision model whose calls fail in every way a plugin call can: a non-ok
// status with a message, a std::exception, and an exception of another type.
// Built as strata_throwing.so (descriptor name "throwing") and as strata_misnamed.so
// with the same descriptor name, which the loader must refuse.
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

}  // namespace

STRATA_PLUGIN(TestModel, descriptor)
