// Layer 0: compressible Euler equations (paper §4.2, eqs. 4.4–4.8) for a gas of S
// species sharing one velocity and temperature. Finite volumes with CWENO3
// reconstruction of the conserved variables and the local Lax–Friedrichs flux;
// the engine drives the TVD RK2 stages and calls face_flux on blocks of faces, from
// several threads at once, each stage.
#include <algorithm>
#include <cmath>
#include <span>
#include <string>
#include <vector>

#include <strata/sdk.hpp>
#include <strata/toolkit/format.hpp>

namespace {
using namespace strata;
using sdk::Status;

constexpr sdk::ParamDecl params[] = {
    sdk::number_param("gamma", "1.6666666666666667", 1.0, 3.0, "",
                      "ratio of specific heats; the kinetic layers are monatomic, keep 5/3 in hybrid runs",
                      true, false),
    sdk::choice_param("reconstruction", "\"cweno3\"", "cweno3|first_order",
                      "face states: third-order CWENO (paper §4.2) or cell averages (first order)"),
};

constexpr sdk::Descriptor descriptor{
    STRATA_SDK_VERSION, "euler", sdk::PluginKind::fluid_model, "1.0.0",
    "compressible Euler, CWENO3 reconstruction and local Lax-Friedrichs flux (paper 4.2)",
    params, static_cast<int>(std::size(params))};

class Euler final : public sdk::FluidModel {
 public:
  Euler(const sdk::Params& p, const sdk::SetupInfo& setup, const sdk::Host& host)
      : FluidModel(host),
        gamma_(p.number("gamma")),
        cweno_(p.string("reconstruction") == "cweno3"),
        mass_(setup.species_mass, setup.species_mass + setup.n_species),
        layout_{setup.n_species},
        h_(std::min(setup.dx, setup.dy)) {}

  Status face_flux(int direction, sdk::ConstRows stencils, sdk::Rows flux,
                   double* max_speed) override {
    const int nv = layout_.n_vars();
    if (stencils.cols != 4 * nv || flux.cols != nv || stencils.rows != flux.rows)
      return fail(Status::invalid_argument, "face_flux: stencil or flux rows of the wrong width");
    double speed = 0.0;
    std::string inadmissible;  // the first face's reconstructed state without a flux
    // Work rows: UL, UR, FL, FR and the two CWENO candidates. The engine spreads the
    // blocks of faces over its threads, so the loop runs on the calling thread.
    std::vector<double> work(6 * nv);
    double *UL = work.data(), *UR = UL + nv, *FL = UR + nv, *FR = FL + nv, *tmp = FR + nv;
    for (std::int64_t f = 0; f < stencils.rows; ++f) {
      reconstruct(stencils.row(f), UL, UR, tmp);
      double aL = 0, aR = 0;
      const bool left = physical_flux(direction, UL, FL, aL), right = physical_flux(direction, UR, FR, aR);
      if (!(left && right) && inadmissible.empty()) inadmissible = no_flux(left ? UR : UL, left ? "right" : "left");
      const double a = std::max(aL, aR);
      speed = std::max(speed, a);
      double* out = flux.row(f);
      for (int v = 0; v < nv; ++v) out[v] = 0.5 * (FL[v] + FR[v]) - 0.5 * a * (UR[v] - UL[v]);
    }
    *max_speed = speed;
    if (!inadmissible.empty()) return fail(Status::unphysical, inadmissible);
    return Status::ok;
  }

  Status max_wave_speed(sdk::ConstRows cells, double* speed) override {
    double s = 0.0;
    for (std::int64_t c = 0; c < cells.rows; ++c) {
      const double* U = cells.row(c);
      const double rho = toolkit::total_density(layout_, U);
      const double sound = std::sqrt(gamma_ * pressure(U) / rho);
      for (int d = 0; d < 2; ++d) s = std::max(s, std::abs(U[layout_.momentum(d)] / rho) + sound);
    }
    *speed = s;
    return std::isfinite(s) ? Status::ok : fail(Status::unphysical, "max_wave_speed: non-finite state");
  }

  Status to_primitive(sdk::ConstRows conserved, sdk::Rows primitive) override {
    for (std::int64_t c = 0; c < conserved.rows; ++c)
      toolkit::conserved_to_primitive(layout_, mass_, gamma_, conserved.row(c), primitive.row(c));
    return Status::ok;
  }

  Status to_conserved(sdk::ConstRows primitive, sdk::Rows conserved) override {
    for (std::int64_t c = 0; c < primitive.rows; ++c)
      toolkit::primitive_to_conserved(layout_, mass_, gamma_, primitive.row(c), conserved.row(c));
    return Status::ok;
  }

 private:
  double pressure(const double* U) const {
    const double rho = toolkit::total_density(layout_, U);
    double kinetic = 0;
    for (int d = 0; d < 3; ++d) kinetic += 0.5 * U[layout_.momentum(d)] * U[layout_.momentum(d)] / rho;
    return (gamma_ - 1.0) * (U[layout_.energy()] - kinetic);
  }

  // Face states of face i+1/2 from cells i-1, i, i+1, i+2 (stencil rows 0..3):
  // left = cell i's reconstruction at its right face, right = cell i+1's at its
  // left face. A state that would lose positivity falls back to the cell average.
  // `tmp` holds 2 * n_vars doubles of scratch.
  void reconstruct(const double* s, double* UL, double* UR, double* tmp) const {
    const int nv = layout_.n_vars();
    const double *c0 = s, *c1 = s + nv, *c2 = s + 2 * nv, *c3 = s + 3 * nv;
    std::copy_n(c1, nv, UL);
    std::copy_n(c2, nv, UR);
    if (!cweno_) return;
    double *L = tmp, *R = tmp + nv;
    for (int v = 0; v < nv; ++v) {
      L[v] = toolkit::cweno3_right_scaled(c0[v], c1[v], c2[v], h_);
      R[v] = toolkit::cweno3_right_scaled(c3[v], c2[v], c1[v], h_);  // mirrored: left face of cell i+1
    }
    if (admissible(L)) std::copy_n(L, nv, UL);
    if (admissible(R)) std::copy_n(R, nv, UR);
  }

  bool admissible(const double* U) const {
    for (int s = 0; s < layout_.n_species; ++s)
      if (!(U[s] >= 0)) return false;
    return toolkit::total_density(layout_, U) > 0 && pressure(U) > 0;
  }

  // Physical flux in `direction` and the largest wave speed |u_n| + c.
  // Why a face's reconstructed state U on `side` has no flux, for the failure message.
  std::string no_flux(const double* U, const char* side) const {
    return std::string("face_flux: the state reconstructed on the ") + side + " of the face has density " +
           toolkit::format_number(toolkit::total_density(layout_, U)) + " and pressure " +
           toolkit::format_number(pressure(U)) +
           (cweno_ ? " (CWENO3 overshoots beside a near vacuum or a strong shock; a smaller time step, or "
                     "fluid.reconstruction \"first_order\", may hold it)"
                   : " (a near vacuum or a strong shock; a smaller time step may hold it)");
  }

  bool physical_flux(int direction, const double* U, double* F, double& speed) const {
    const double rho = toolkit::total_density(layout_, U);
    const double p = pressure(U);
    if (!(rho > 0) || !(p > 0)) return false;
    const double un = U[layout_.momentum(direction)] / rho;
    for (int s = 0; s < layout_.n_species; ++s) F[s] = U[s] * un;
    for (int d = 0; d < 3; ++d) F[layout_.momentum(d)] = U[layout_.momentum(d)] * un;
    F[layout_.momentum(direction)] += p;
    F[layout_.energy()] = (U[layout_.energy()] + p) * un;
    speed = std::abs(un) + std::sqrt(gamma_ * p / rho);
    return true;
  }

  double gamma_;
  bool cweno_;
  std::vector<double> mass_;
  toolkit::StateLayout layout_;
  double h_;
};

}  // namespace

STRATA_PLUGIN(Euler, descriptor)
