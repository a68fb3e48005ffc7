// A collision model whose constructor reads its parameter "nu" as the parameter
// "read" says: as declared, with the wrong accessor, or under a name it does not
// declare. sdk::Params must name the parameter and both types
// (tests/integration/test_plugin_descriptors.cpp). Its name is longer than 18
// characters, for the column of `strata plugins`.
#include <string>

#include <strata/sdk.hpp>

namespace {
using namespace strata;

constexpr sdk::ParamDecl params[] = {
    sdk::number_param("nu", "1.5", 0.0, sdk::unbounded, "1/time", "collision frequency", true),
    sdk::choice_param("read", "\"as_declared\"", "as_declared|as_string|as_integer|undeclared",
                      "how the constructor reads nu"),
};
constexpr sdk::Descriptor descriptor{STRATA_SDK_VERSION, "reads_parameters_wrongly", sdk::PluginKind::collision_model,
                                     "0.0.1", "test plugin: reads its parameters wrongly", params, 2};

class MisreadParameters final : public sdk::CollisionModel {
 public:
  MisreadParameters(const sdk::Params& p, const sdk::SetupInfo&, const sdk::Host& host) : CollisionModel(host) {
    const std::string read = p.string("read");
    if (read == "as_declared") p.number("nu");
    if (read == "as_string") p.string("nu");
    if (read == "as_integer") p.integer("nu");
    if (read == "undeclared") p.number("not_declared");
  }
  bool has_explicit_part() const override { return false; }
  sdk::Status explicit_part(sdk::ConstRows, sdk::Rows) override { return sdk::Status::ok; }
  sdk::Status implicit_solve(sdk::ConstRows, const double*, sdk::Rows) override { return sdk::Status::ok; }
  sdk::Status transport_coefficients(sdk::ConstRows, double*, double*) override { return sdk::Status::ok; }
};

}  // namespace

STRATA_PLUGIN(MisreadParameters, descriptor)
