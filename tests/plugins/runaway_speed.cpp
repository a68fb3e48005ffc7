// A fluid model whose wave speed runs away: max_wave_speed reports 1 for its first
// `finite_calls` calls and +inf after them, which makes Δt = 0 (docs/numerics.md,
// "Time step"). Fluxes are zero; conversions are the monatomic gas's.
#include <limits>
#include <vector>

#include <strata/sdk.hpp>

namespace {
using namespace strata;
using sdk::Status;

constexpr sdk::ParamDecl params[] = {
    sdk::integer_param("finite_calls", "0", 0, 1000, "calls of max_wave_speed that report a finite speed"),
};

constexpr sdk::Descriptor descriptor{
    STRATA_SDK_VERSION, "runaway_speed", sdk::PluginKind::fluid_model, "0.0.1",
    "test plugin: an infinite wave speed after finite_calls calls", params, static_cast<int>(std::size(params))};

class RunawaySpeed final : public sdk::FluidModel {
 public:
  RunawaySpeed(const sdk::Params& p, const sdk::SetupInfo& setup, const sdk::Host& host)
      : FluidModel(host),
        finite_calls_(p.integer("finite_calls")),
        mass_(setup.species_mass, setup.species_mass + setup.n_species),
        layout_{setup.n_species} {}

  Status face_flux(int, sdk::ConstRows, sdk::Rows flux, double* max_speed) override {
    for (std::int64_t f = 0; f < flux.rows; ++f)
      for (std::int64_t v = 0; v < flux.cols; ++v) flux.row(f)[v] = 0.0;
    *max_speed = 0.0;
    return Status::ok;
  }

  Status max_wave_speed(sdk::ConstRows, double* speed) override {
    *speed = calls_++ < finite_calls_ ? 1.0 : std::numeric_limits<double>::infinity();
    return Status::ok;
  }

  Status to_primitive(sdk::ConstRows conserved, sdk::Rows primitive) override {
    for (std::int64_t c = 0; c < conserved.rows; ++c)
      toolkit::conserved_to_primitive(layout_, mass_, toolkit::monatomic_gamma, conserved.row(c), primitive.row(c));
    return Status::ok;
  }

  Status to_conserved(sdk::ConstRows primitive, sdk::Rows conserved) override {
    for (std::int64_t c = 0; c < primitive.rows; ++c)
      toolkit::primitive_to_conserved(layout_, mass_, toolkit::monatomic_gamma, primitive.row(c), conserved.row(c));
    return Status::ok;
  }

 private:
  std::int64_t finite_calls_, calls_ = 0;
  std::vector<double> mass_;
  toolkit::StateLayout layout_;
};

}  // namespace

STRATA_PLUGIN(RunawaySpeed, descriptor)
