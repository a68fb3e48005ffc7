// Two-species BGK model of Klingenberg–Pirner–Puppo as analysed by Bae–Klingenberg–
// Pirner–Yun ("Mixture BGK model near a global Maxwellian", eq. 1.1), in the engine's mass densities f_k = m_k F_k:
//   P_1(f) = ν11 (M[ρ1, U1, T1] - f1) + ν12 (M[ρ1, U12, T12] - f1),
//   P_2(f) = ν22 (M[ρ2, U2, T2] - f2) + ν21 (M[ρ2, U21, T21] - f2),
// with ν_kk = c_intra n_k, ν_kj = c_inter n_j (the paper: n_j), and
//   U12 = δ U1 + (1-δ) U2,   U21 = (m1/m2)(1-δ) U1 + (1 - (m1/m2)(1-δ)) U2,
//   T12 = ω T1 + (1-ω) T2 + γ |U2-U1|²,
//   T21 = (1-ω) T1 + ω T2 + ((m1/3)(1-δ)((m1/m2)(δ-1) + 1 + δ) - γ) |U2-U1|².
// Admissible parameters (after eq. 1.2): (m1/m2 - 1)/(1 + m1/m2) <= δ < 1, 0 <= ω < 1,
// 0 <= γ <= (m1/3)(1-δ)[(1 + m1/m2)δ + 1 - m1/m2]; m1 >= m2.
// Implicit step y = rhs + h P(y): species densities are those of rhs; the velocities and
// then the temperatures of y solve 2 x 2 linear systems (the moment equations of the
// step), after which y_k = (rhs_k + h Σ ν M) / (1 + h Σ ν) with discrete Maxwellians.
// Each species' mass, total momentum and total energy are conserved to round-off, and
// the step is asymptotic preserving (h -> infinity gives the common equilibrium).
#include <array>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include <strata/sdk.hpp>
#include <strata/toolkit/format.hpp>
#include <strata/toolkit/parallel.hpp>

namespace {
using namespace strata;
using sdk::Status;
using Vec3 = std::array<double, 3>;

constexpr sdk::ParamDecl params[] = {
    sdk::number_param("delta", "0.5", -1.0, 1.0, "",
                      "momentum interchange rate; admissible: (m1/m2 - 1)/(1 + m1/m2) <= delta < 1", false, true),
    sdk::number_param("omega", "0.5", 0.0, 1.0, "", "temperature interchange rate, 0 <= omega < 1", false, true),
    sdk::number_param("gamma", "0", 0.0, sdk::unbounded, "",
                      "free parameter of T12; admissible: 0 <= gamma <= (m1/3)(1 - delta)[(1 + m1/m2) delta + 1 - m1/m2]"),
    sdk::number_param("c_intra", "1", 0.0, sdk::unbounded, "", "nu_kk = c_intra n_k (the paper: 1)", true),
    sdk::number_param("c_inter", "1", 0.0, sdk::unbounded, "", "nu_kj = c_inter n_j (the paper: 1)", true),
};

constexpr sdk::Descriptor descriptor{
    STRATA_SDK_VERSION, "mixture_bgk", sdk::PluginKind::collision_model, "1.1.0",
    "two-species BGK mixture (Klingenberg-Pirner-Puppo; paper 000 eq. 1.1)", params,
    static_cast<int>(std::size(params))};

std::string range_text(double lo, bool lo_open, double hi, bool hi_open) {
  return (lo_open ? "(" : "[") + toolkit::format_number(lo) + ", " + toolkit::format_number(hi) + (hi_open ? ")" : "]");
}

// Solve [[a, b], [c, d]] x = r.
std::array<double, 2> solve2(double a, double b, double c, double d, double r0, double r1) {
  const double det = a * d - b * c;
  return {(r0 * d - b * r1) / det, (a * r1 - c * r0) / det};
}

class MixtureBgk final : public sdk::CollisionModel {
 public:
  MixtureBgk(const sdk::Params& p, const sdk::SetupInfo& setup, const sdk::Host& host)
      : CollisionModel(host),
        delta_(p.number("delta")), omega_(p.number("omega")), gamma_(p.number("gamma")),
        c_intra_(p.number("c_intra")), c_inter_(p.number("c_inter")),
        grid_{setup.velocity_points, setup.velocity_bound} {
    if (setup.n_species != 2)
      throw std::invalid_argument("mixture_bgk models exactly two species; the case has " + std::to_string(setup.n_species));
    m1_ = setup.species_mass[0];
    m2_ = setup.species_mass[1];
    if (m1_ < m2_)
      throw std::invalid_argument("mixture_bgk needs m1 >= m2 (list the heavier species first); got m1 = " +
                                  toolkit::format_number(m1_) + ", m2 = " + toolkit::format_number(m2_));
    const double r = m1_ / m2_, delta_min = (r - 1) / (1 + r);
    if (!(delta_ >= delta_min && delta_ < 1))
      throw std::invalid_argument("delta = " + toolkit::format_number(delta_) + " is outside the admissible range " +
                                  range_text(delta_min, false, 1, true) + " for m1 = " + toolkit::format_number(m1_) +
                                  ", m2 = " + toolkit::format_number(m2_) + " (paper 000, after eq. 1.2)");
    const double gamma_max = m1_ / 3 * (1 - delta_) * ((1 + r) * delta_ + 1 - r);
    if (!(gamma_ >= 0 && gamma_ <= gamma_max + 1e-15))
      throw std::invalid_argument("gamma = " + toolkit::format_number(gamma_) + " is outside the admissible range " +
                                  range_text(0, false, gamma_max, false) + " for delta = " + toolkit::format_number(delta_) +
                                  " (paper 000, after eq. 1.2)");
    if (grid_.n <= 0) throw std::invalid_argument("mixture_bgk needs a velocity grid");
  }

  bool has_explicit_part() const override { return false; }

  Status explicit_part(sdk::ConstRows, sdk::Rows out) override {
    for (std::int64_t c = 0; c < out.rows; ++c) std::fill_n(out.row(c), out.cols, 0.0);
    return Status::ok;
  }

  Status implicit_solve(sdk::ConstRows rhs, const double* h, sdk::Rows y) override {
    const auto n3 = static_cast<std::int64_t>(grid_.size());
    if (rhs.cols != 2 * n3 || y.cols != rhs.cols || y.rows != rhs.rows)
      return fail(Status::invalid_argument, "implicit_solve: rows must hold 2 N^3 values");
    const std::string error = toolkit::first_problem(
        static_cast<std::size_t>(rhs.rows), toolkit::Schedule::static_chunks,
        [&] { return std::vector<double>(4 * grid_.size()); },
        [&](std::size_t c, std::vector<double>& M) { return relax(rhs.row(c), h[c], y.row(c), M.data()); });
    return error.empty() ? Status::ok : fail(Status::unphysical, error);
  }

  // BGK-type transport coefficients of the mixture. Species k relaxes towards isotropic
  // Maxwellians (paper 000 eq. 1.1) at nu_k = c_intra n_k + c_inter n_j, so its stress and
  // heat flux decay at nu_k: mu = Σ_k p_k / nu_k and kappa = Σ_k (5/2) p_k / (m_k nu_k),
  // p_k = n_k T (Chapman–Enskog for each species, Prandtl number 1; the species'
  // diffusion is not a viscosity and is left out).
  Status transport_coefficients(sdk::ConstRows primitive, double* viscosity, double* conductivity) override {
    for (std::int64_t c = 0; c < primitive.rows; ++c) {
      const double* W = primitive.row(c);  // rho1, rho2, u (3), T
      const double n[2] = {W[0] / m1_, W[1] / m2_}, m[2] = {m1_, m2_};
      viscosity[c] = conductivity[c] = 0;
      for (int k = 0; k < 2; ++k) {
        const double nu = c_intra_ * n[k] + c_inter_ * n[1 - k], p = n[k] * W[5];
        if (!(nu > 0)) continue;  // an absent species carries nothing
        viscosity[c] += p / nu;
        conductivity[c] += 2.5 * p / (m[k] * nu);
      }
    }
    return Status::ok;
  }

 private:
  struct Species {
    double n, rho;
    Vec3 U;
    double T, E;  // temperature, energy ½ρ|U|² + (3/2) n T
  };

  Species moments(const double* f, double m) const {
    const auto c = toolkit::conserved_moments(grid_, f);
    Species s{c.rho / m, c.rho, {c.momentum[0] / c.rho, c.momentum[1] / c.rho, c.momentum[2] / c.rho}, 0, c.energy};
    const double kinetic = 0.5 * c.rho * (s.U[0] * s.U[0] + s.U[1] * s.U[1] + s.U[2] * s.U[2]);
    s.T = (c.energy - kinetic) / (1.5 * s.n);
    return s;
  }

  std::string relax(const double* rhs, double h, double* out, double* M) const {
    const std::size_t n3 = grid_.size();
    const Species a = moments(rhs, m1_), b = moments(rhs + n3, m2_);
    if (const bool ta = trace(a, b), tb = trace(b, a); ta || tb) return relax_alone(ta ? 0 : 1, rhs, h, out, M);
    if (!(a.n > 0 && b.n > 0 && a.T > 0 && b.T > 0)) return "implicit_solve: non-positive density or temperature";
    const double r = m1_ / m2_;
    const double nu11 = c_intra_ * a.n, nu12 = c_inter_ * b.n, nu22 = c_intra_ * b.n, nu21 = c_inter_ * a.n;
    // Velocities: U1 = U1r + h ν12 (1-δ)(U2 - U1), U2 = U2r + h ν21 r (1-δ)(U1 - U2).
    const double p = h * nu12 * (1 - delta_), q = h * nu21 * r * (1 - delta_);
    Vec3 U1, U2;
    for (int d = 0; d < 3; ++d) {
      const auto x = solve2(1 + p, -p, -q, 1 + q, a.U[d], b.U[d]);
      U1[d] = x[0];
      U2[d] = x[1];
    }
    Vec3 U12, U21;
    double dU2 = 0;
    for (int d = 0; d < 3; ++d) {
      U12[d] = delta_ * U1[d] + (1 - delta_) * U2[d];
      U21[d] = r * (1 - delta_) * U1[d] + (1 - r * (1 - delta_)) * U2[d];
      dU2 += (U2[d] - U1[d]) * (U2[d] - U1[d]);
    }
    auto sq = [](const Vec3& v) { return v[0] * v[0] + v[1] * v[1] + v[2] * v[2]; };
    const double g21 = m1_ / 3 * (1 - delta_) * (r * (delta_ - 1) + 1 + delta_) - gamma_;
    // Energies: (3/2) n_k T_k = E_k^r - ½ρ_k|U_k|² + h ν_kj [½ρ_k(|U_kj|² - |U_k|²) + (3/2) n_k (T_kj - T_k)],
    // T12 - T1 = (1-ω)(T2 - T1) + γ|ΔU|², T21 - T2 = (1-ω)(T1 - T2) + g21 |ΔU|².
    const double s1 = 1.5 * a.n, s2 = 1.5 * b.n, w = 1 - omega_;
    const double r1 = a.E - 0.5 * a.rho * sq(U1) + h * nu12 * (0.5 * a.rho * (sq(U12) - sq(U1)) + s1 * gamma_ * dU2);
    const double r2 = b.E - 0.5 * b.rho * sq(U2) + h * nu21 * (0.5 * b.rho * (sq(U21) - sq(U2)) + s2 * g21 * dU2);
    const auto T = solve2(s1 * (1 + h * nu12 * w), -s1 * h * nu12 * w, -s2 * h * nu21 * w, s2 * (1 + h * nu21 * w), r1, r2);
    const double T12 = omega_ * T[0] + w * T[1] + gamma_ * dU2, T21 = w * T[0] + omega_ * T[1] + g21 * dU2;
    if (!(T[0] > 0 && T[1] > 0 && T12 > 0 && T21 > 0)) return "implicit_solve: a temperature of the step is not positive";
    double* M11 = M;
    double* M12 = M + n3;
    double* M22 = M + 2 * n3;
    double* M21 = M + 3 * n3;
    const bool ok = toolkit::discrete_maxwellian(grid_, m1_, a.rho, U1, T[0], M11).converged &&
                    toolkit::discrete_maxwellian(grid_, m1_, a.rho, U12, T12, M12).converged &&
                    toolkit::discrete_maxwellian(grid_, m2_, b.rho, U2, T[1], M22).converged &&
                    toolkit::discrete_maxwellian(grid_, m2_, b.rho, U21, T21, M21).converged;
    if (!ok) return "implicit_solve: a discrete Maxwellian did not converge (velocity grid too coarse or too narrow)";
    const double k1 = 1 / (1 + h * (nu11 + nu12)), k2 = 1 / (1 + h * (nu22 + nu21));
    for (std::size_t k = 0; k < n3; ++k) {
      out[k] = (rhs[k] + h * (nu11 * M11[k] + nu12 * M12[k])) * k1;
      out[n3 + k] = (rhs[n3 + k] + h * (nu22 * M22[k] + nu21 * M21[k])) * k2;
    }
    return "";
  }

  // A species without mass in the cell (ρ_s ≥ 0 is allowed, docs/user_guide.md §3.4), or
  // a trace of it whose moments are not those of a gas: next to cells without it the
  // transport's reconstruction undershoots (measured: n_s = -3e-6 n beside a jump from
  // 0 to half the mixture). Up to trace_fraction of the cell's particles it is left out
  // of the relaxation.
  static constexpr double trace_fraction = 1e-4;
  static bool trace(const Species& s, const Species& other) {
    return !(s.n > 0 && s.T > 0) && std::abs(s.n) <= trace_fraction * (std::abs(s.n) + std::abs(other.n));
  }

  // Species `absent` left out (trace above): ν_kj = c_inter n_j vanishes for the species
  // present, which relaxes by its own BGK term alone; the absent one's values stay as they
  // are. Each species' mass, the momentum and the energy are conserved as in relax().
  std::string relax_alone(int absent, const double* rhs, double h, double* out, double* M) const {
    const std::size_t n3 = grid_.size();
    const int present = 1 - absent;
    const double m = present == 0 ? m1_ : m2_;
    const double* f = rhs + present * n3;
    const Species s = moments(f, m);
    if (!(s.n > 0 && s.T > 0)) return "implicit_solve: non-positive density or temperature";
    if (!toolkit::discrete_maxwellian(grid_, m, s.rho, s.U, s.T, M).converged)
      return "implicit_solve: a discrete Maxwellian did not converge (velocity grid too coarse or too narrow)";
    const double nu = c_intra_ * s.n, k = 1 / (1 + h * nu);
    for (std::size_t p = 0; p < n3; ++p) {
      out[present * n3 + p] = (f[p] + h * nu * M[p]) * k;
      out[absent * n3 + p] = rhs[absent * n3 + p];
    }
    return "";
  }

  double delta_, omega_, gamma_, c_intra_, c_inter_;
  toolkit::VelocityGrid grid_;
  double m1_ = 1, m2_ = 1;
};

}  // namespace

STRATA_PLUGIN(MixtureBgk, descriptor)
