// A plugin that needs a function no library provides: refused at load, naming the symbol,
// rather than ended by the dynamic linker at its first call.
#include <strata/sdk.hpp>

double strata_test_missing_function();  // defined nowhere

namespace {
using namespace strata;

constexpr sdk::Descriptor descriptor{STRATA_SDK_VERSION, "undefined_symbol", sdk::PluginKind::indicator, "0.0.1",
                                     "test plugin: needs a symbol no library defines", nullptr, 0};

class UndefinedSymbol final : public sdk::Indicator {
 public:
  UndefinedSymbol(const sdk::Params&, const sdk::SetupInfo&, const sdk::Host& host) : Indicator(host) {
    (void)strata_test_missing_function();
  }
  int n_diagnostics() const override { return 0; }
  const char* diagnostic_name(int) const override { return ""; }
  sdk::Status propose(const sdk::IndicatorInput&, std::int8_t*, double* const*) override { return sdk::Status::ok; }
};
}  // namespace

STRATA_PLUGIN(UndefinedSymbol, descriptor)
