// Plugins whose answers the engine must refuse, naming the plugin, the call and the cell
// (docs/plugin_guide.md): built as strata_bad_layer.so, an indicator proposing layer 7
// for every cell; as strata_reads_undeclared.so, an indicator reading the viscosity it
// did not declare (a null pointer: the process ends, and the report names the plugin and
// its call); as strata_nan_viscosity.so, a collision model without collisions
// (y = rhs) whose transport_coefficients report a NaN viscosity; and as strata_leaky.so,
// one that loses a thousandth of f at every stage (y = 0.999 rhs); and as
// strata_deep_recursion.so, an indicator that recurses without end on the second thread of
// an OpenMP team (a stack overflow off the main thread: the report must still name it).
#include <algorithm>
#include <limits>

#ifdef STRATA_TEST_DEEP_RECURSION
#include <omp.h>
#endif

#include <strata/sdk.hpp>

namespace {
using namespace strata;
using sdk::Status;

#if defined(STRATA_TEST_BAD_INDICATOR) || defined(STRATA_TEST_UNDECLARED_INPUT) || defined(STRATA_TEST_DEEP_RECURSION)
#ifdef STRATA_TEST_BAD_INDICATOR
constexpr sdk::Descriptor descriptor{STRATA_SDK_VERSION, "bad_layer", sdk::PluginKind::indicator, "0.0.1",
                                     "test plugin: proposes layer 7", nullptr, 0};
#elif defined(STRATA_TEST_DEEP_RECURSION)
constexpr sdk::Descriptor descriptor{STRATA_SDK_VERSION, "deep_recursion", sdk::PluginKind::indicator, "0.0.1",
                                     "test plugin: recurses without end on a second thread", nullptr, 0};
// Each frame keeps a kilobyte the compiler cannot drop, and the call is not the last
// thing the frame does: no tail call turns the recursion into a loop. The stack ends long
// before depth could come back below 0.
int recurse(int depth) {
  if (depth < 0) return 0;
  volatile char frame[1024];
  frame[depth % sizeof frame] = static_cast<char>(depth);
  return recurse(depth + 1) + frame[0];
}
#else
constexpr sdk::Descriptor descriptor{STRATA_SDK_VERSION, "reads_undeclared", sdk::PluginKind::indicator, "0.0.1",
                                     "test plugin: reads the viscosity it did not declare", nullptr, 0};
#endif

class BadAnswers final : public sdk::Indicator {
 public:
  BadAnswers(const sdk::Params&, const sdk::SetupInfo&, const sdk::Host& host) : Indicator(host) {}
  unsigned inputs() const override { return 0; }
  int n_diagnostics() const override { return 0; }
  const char* diagnostic_name(int) const override { return ""; }
  Status propose(const sdk::IndicatorInput& in, std::int8_t* next, double* const*) override {
#ifdef STRATA_TEST_BAD_INDICATOR
    std::fill_n(next, static_cast<std::size_t>(in.nx) * in.ny, std::int8_t{7});
#elif defined(STRATA_TEST_DEEP_RECURSION)
    int depth = 0;
#pragma omp parallel num_threads(2)
    if (omp_get_thread_num() == 1) depth = recurse(0);
    std::fill_n(next, static_cast<std::size_t>(in.nx) * in.ny, std::int8_t(depth > 0));
#else
    const volatile double* viscosity = in.viscosity;  // null: not declared in inputs()
    std::fill_n(next, static_cast<std::size_t>(in.nx) * in.ny, std::int8_t{viscosity[0] > 1.0});
#endif
    return Status::ok;
  }
};
#else
#ifdef STRATA_TEST_LEAKY
constexpr sdk::Descriptor descriptor{STRATA_SDK_VERSION, "leaky", sdk::PluginKind::collision_model, "0.0.1",
                                     "test plugin: loses 1e-3 of f at every stage", nullptr, 0};
constexpr double kept = 0.999, viscosity_reported = 1.0;
#else
constexpr sdk::Descriptor descriptor{STRATA_SDK_VERSION, "nan_viscosity", sdk::PluginKind::collision_model, "0.0.1",
                                     "test plugin: no collisions, a NaN viscosity", nullptr, 0};
constexpr double kept = 1.0, viscosity_reported = std::numeric_limits<double>::quiet_NaN();
#endif

class BadAnswers final : public sdk::CollisionModel {
 public:
  BadAnswers(const sdk::Params&, const sdk::SetupInfo&, const sdk::Host& host) : CollisionModel(host) {}
  bool has_explicit_part() const override { return false; }
  Status explicit_part(sdk::ConstRows, sdk::Rows) override { return Status::ok; }
  Status implicit_solve(sdk::ConstRows rhs, const double*, sdk::Rows y) override {
    for (std::int64_t r = 0; r < rhs.rows; ++r)
      for (std::int64_t k = 0; k < rhs.cols; ++k) y.row(r)[k] = kept * rhs.row(r)[k];
    return Status::ok;
  }
  Status transport_coefficients(sdk::ConstRows primitive, double* viscosity, double* conductivity) override {
    std::fill_n(viscosity, primitive.rows, viscosity_reported);
    std::fill_n(conductivity, primitive.rows, 1.0);
    return Status::ok;
  }
};
#endif

}  // namespace

STRATA_PLUGIN(BadAnswers, descriptor)
