// The moment-realizability indicator of the paper (§3, §4.5, Algorithm 1):
//   λ_A = max_k |λ_k - 1| over the eigenvalues of V = I - ξ1 D(u) - ξ2 ∇T⊗∇T (eqs. 3.15,
//         4.53–4.54), ξ1 = ε μ/(ρT), ξ2 = ε² (2/3) κ²/(ρ² T³), D(u) = ∇u + ∇uᵀ - (2/3) div u I;
//   λ_B = ε² (|∇T|²/T + |∇u|² + sqrt((|Δu|² + |Δρ/ρ|²)(1 + T²)))  (eq. 3.17, stencils 4.55–4.56);
//   the L¹ distance of f to its Maxwellian, relative to ρ (eq. 3.21), in kinetic cells.
// Algorithm 1: layer 2 stays if λ_B > η1, else goes to 1; layer 1 goes to 2 if λ_B > η1,
// to 0 if λ_A <= η0 and the distance <= δ0; layer 0 goes to 1 if λ_A > η0.
#include <cmath>
#include <limits>

#include <strata/sdk.hpp>
#include <strata/toolkit/stencils.hpp>

namespace {
using namespace strata;
using sdk::Status;

constexpr sdk::ParamDecl params[] = {
    sdk::number_param("eta0", "1e-3", 0.0, sdk::unbounded, "", "threshold on λ_A between layers 0 and 1 (eq. 3.16)", true),
    sdk::number_param("eta1", "2.8e-5", 0.0, sdk::unbounded, "", "threshold on λ_B between layers 1 and 2 (eq. 3.18)", true),
    sdk::number_param("delta0", "1e-4", 0.0, sdk::unbounded, "",
                      "threshold on ||f - M[f]||_L1 / rho for kinetic cells to return to layer 0 (eq. 3.21)", true),
};

constexpr sdk::Descriptor descriptor{
    STRATA_SDK_VERSION, "realizability", sdk::PluginKind::indicator, "1.1.0",
    "moment-realizability criterion of the paper (Algorithm 1): lambda_A, lambda_B, L1 distance", params,
    static_cast<int>(std::size(params))};

const char* const names[] = {"lambda_A", "lambda_B", "distance"};

class Realizability final : public sdk::Indicator {
 public:
  Realizability(const sdk::Params& p, const sdk::SetupInfo&, const sdk::Host& host)
      : Indicator(host), eta0_(p.number("eta0")), eta1_(p.number("eta1")), delta0_(p.number("delta0")) {}

  unsigned inputs() const override {
    return sdk::indicator_input::transport_coefficients | sdk::indicator_input::distance_to_maxwellian;
  }
  int n_diagnostics() const override { return 3; }
  const char* diagnostic_name(int k) const override { return names[k]; }

  Status propose(const sdk::IndicatorInput& in, std::int8_t* next, double* const* diag) override {
    const toolkit::Stencil s{in};
#pragma omp parallel for schedule(static)
    for (int j = 0; j < in.ny; ++j)
      for (int i = 0; i < in.nx; ++i) {
        const std::int64_t c = s.at(i, j), out = static_cast<std::int64_t>(j) * in.nx + i;
        const int layer = in.regime[c];
        if (layer < 0) {
          next[out] = -1;
          diag[0][out] = diag[1][out] = diag[2][out] = std::numeric_limits<double>::quiet_NaN();
          continue;
        }
        const double rho = in.rho[c], T = in.T[c], eps = in.knudsen[c];
        const double* u[3] = {in.ux, in.uy, in.uz};
        double G[2][3];  // ∂_i u_j, i in {x, y}
        for (int d = 0; d < 3; ++d) {
          G[0][d] = s.dx(u[d], i, j);
          G[1][d] = s.dy(u[d], i, j);
        }
        const double Tx = s.dx(in.T, i, j), Ty = s.dy(in.T, i, j);
        const double div = G[0][0] + G[1][1];
        // D(u) = ∇u + ∇uᵀ - (2/3) div u I (xx, yy, zz, xy, xz, yz); ∂_z = 0 in 2D.
        const std::array<double, 6> D = {2 * G[0][0] - 2 * div / 3, 2 * G[1][1] - 2 * div / 3, -2 * div / 3,
                                         G[0][1] + G[1][0], G[0][2], G[1][2]};
        const double xi1 = eps * in.viscosity[c] / (rho * T);
        const double k = in.conductivity[c];
        const double xi2 = eps * eps * (2.0 / 3.0) * k * k / (rho * rho * T * T * T);
        const std::array<double, 6> V = {1 - xi1 * D[0] - xi2 * Tx * Tx, 1 - xi1 * D[1] - xi2 * Ty * Ty,
                                         1 - xi1 * D[2], -xi1 * D[3] - xi2 * Tx * Ty, -xi1 * D[4], -xi1 * D[5]};
        double lambda_a = 0;
        for (double e : toolkit::symmetric_eigenvalues(V)) lambda_a = std::max(lambda_a, std::abs(e - 1));
        double grad_u2 = 0;
        for (auto& row : G)
          for (double g : row) grad_u2 += g * g;
        const double lap_ux = s.laplacian(in.ux, i, j), lap_uy = s.laplacian(in.uy, i, j);
        const double lap_rho = s.laplacian(in.rho, i, j) / rho;
        const double lambda_b = eps * eps * ((Tx * Tx + Ty * Ty) / T + grad_u2 +
                                             std::sqrt((lap_ux * lap_ux + lap_uy * lap_uy + lap_rho * lap_rho) * (1 + T * T)));
        const double distance = in.distance_to_maxwellian[c];
        diag[0][out] = lambda_a;
        diag[1][out] = lambda_b;
        diag[2][out] = distance;
        std::int8_t r = static_cast<std::int8_t>(layer);
        if (layer == 2) r = lambda_b > eta1_ ? 2 : 1;
        else if (layer == 1) r = lambda_b > eta1_ ? 2 : (lambda_a <= eta0_ && distance <= delta0_) ? 0 : 1;
        else r = lambda_a > eta0_ ? 1 : 0;
        next[out] = r;
      }
    return Status::ok;
  }

 private:
  double eta0_, eta1_, delta0_;
};

}  // namespace

STRATA_PLUGIN(Realizability, descriptor)
