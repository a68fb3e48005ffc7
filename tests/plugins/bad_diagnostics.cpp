// An indicator whose declaration of itself the engine refuses before the first step,
// naming the plugin, the call and what was expected (docs/plugin_guide.md): the
// parameter "defect" picks one.
#include <algorithm>
#include <string>

#include <strata/sdk.hpp>

namespace {
using namespace strata;

constexpr sdk::ParamDecl params[] = {
    sdk::choice_param("defect", "\"none\"", "none|negative_count|null_name|duplicate|bad_name|unknown_input",
                      "what the declaration gets wrong"),
};
constexpr sdk::Descriptor descriptor{STRATA_SDK_VERSION, "bad_diagnostics", sdk::PluginKind::indicator, "0.0.1",
                                     "test plugin: declares its diagnostics or inputs wrongly", params, 1};

class BadDiagnostics final : public sdk::Indicator {
 public:
  BadDiagnostics(const sdk::Params& p, const sdk::SetupInfo&, const sdk::Host& host)
      : Indicator(host), defect_(p.string("defect")) {}
  unsigned inputs() const override { return defect_ == "unknown_input" ? 8u : 0u; }
  int n_diagnostics() const override { return defect_ == "negative_count" ? -1 : 2; }
  const char* diagnostic_name(int k) const override {
    if (k == 1 && defect_ == "null_name") return nullptr;
    if (k == 1 && defect_ == "duplicate") return "level";
    if (k == 1 && defect_ == "bad_name") return "a b\x01";
    return k == 0 ? "level" : "spare";
  }
  sdk::Status propose(const sdk::IndicatorInput& in, std::int8_t* next, double* const* diag) override {
    const std::size_t n = static_cast<std::size_t>(in.nx) * in.ny;
    std::fill_n(next, n, std::int8_t{0});
    for (int k = 0; k < 2; ++k) std::fill_n(diag[k], n, 0.0);
    return sdk::Status::ok;
  }

 private:
  std::string defect_;
};

}  // namespace

STRATA_PLUGIN(BadDiagnostics, descriptor)
