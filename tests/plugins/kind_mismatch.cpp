// Must NOT compile: a fluid model exported with a collision-model descriptor.
// STRATA_PLUGIN refuses it with a static_assert (the ctest
// plugin_kind_checked_at_compile_time builds this file and expects that message).
#include <strata/sdk.hpp>

namespace {
using namespace strata;

constexpr sdk::Descriptor descriptor{STRATA_SDK_VERSION, "kind_mismatch",
                                     sdk::PluginKind::collision_model, "0.0.1",
                                     "test: wrong kind", nullptr, 0};

class Fluid final : public sdk::FluidModel {
 public:
  Fluid(const sdk::Params&, const sdk::SetupInfo&, const sdk::Host& host) : FluidModel(host) {}
  sdk::Status face_flux(int, sdk::ConstRows, sdk::Rows, double*) override { return sdk::Status::ok; }
  sdk::Status max_wave_speed(sdk::ConstRows, double*) override { return sdk::Status::ok; }
  sdk::Status to_primitive(sdk::ConstRows, sdk::Rows) override { return sdk::Status::ok; }
  sdk::Status to_conserved(sdk::ConstRows, sdk::Rows) override { return sdk::Status::ok; }
};

}  // namespace

STRATA_PLUGIN(Fluid, descriptor)
