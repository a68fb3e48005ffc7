// A collision model whose descriptor is wrong in one way, chosen by
// STRATA_TEST_DEFECT; built once per defect as strata_bad_<defect>.so. The loader
// must refuse each at load, naming the file and the parameter
// (tests/integration/test_plugin_descriptors.cpp).
#include <strata/sdk.hpp>

#ifndef STRATA_TEST_DEFECT
#error "define STRATA_TEST_DEFECT"
#endif
#define STRATA_TEST_STRING(x) #x
#define STRATA_TEST_NAME(x) "bad_" STRATA_TEST_STRING(x)

namespace {
using namespace strata;
// One enumerator per defect, to compare STRATA_TEST_DEFECT with.
enum Defect {
  number_default,   // a default outside its own range
  choice_default,   // a default that is not one of its choices
  integer_default,  // a default that is not an integer
  default_not_json,
  min_above_max,
  integer_range,  // an integer range that holds no integer
  duplicate,
  reserved_name,  // "plugin", the section's key
  name_pattern,
  negative_count,
  descriptor_sdk,  // the descriptor's sdk_version differs from the library's
  null_doc,        // a doc string that is a null pointer
};
constexpr Defect defect = STRATA_TEST_DEFECT;

constexpr sdk::ParamDecl params[] = {
    defect == number_default     ? sdk::number_param("nu", "-3", 0.0, sdk::unbounded, "", "rate", true)
    : defect == choice_default   ? sdk::choice_param("mode", "\"c\"", "a|b", "mode")
    : defect == integer_default  ? sdk::integer_param("cells", "2.5", 0, 10, "count")
    : defect == default_not_json ? sdk::number_param("nu", "1.0.0", 0.0, sdk::unbounded, "", "rate")
    : defect == min_above_max    ? sdk::number_param("nu", "1.5", 2.0, 1.0, "", "rate")
    : defect == integer_range    ? sdk::integer_param("cells", nullptr, 0.2, 0.8, "count")
    : defect == reserved_name    ? sdk::choice_param("plugin", "\"a\"", "a|b", "mode")
    : defect == name_pattern     ? sdk::number_param("Nu Rate", "1", 0.0, sdk::unbounded, "", "rate")
    : defect == null_doc         ? sdk::number_param("nu", "1", 0.0, sdk::unbounded, "", nullptr)
                                 : sdk::number_param("nu", "1", 0.0, sdk::unbounded, "", "rate"),
    sdk::number_param(defect == duplicate ? "nu" : "beta", "0.5", 0.0, 1.0, "", "other"),
};
constexpr sdk::Descriptor descriptor{defect == descriptor_sdk ? STRATA_SDK_VERSION - 1 : STRATA_SDK_VERSION,
                                     STRATA_TEST_NAME(STRATA_TEST_DEFECT),
                                     sdk::PluginKind::collision_model,
                                     "0.0.1",
                                     "test plugin: a wrong descriptor",
                                     params,
                                     defect == negative_count ? -1 : 2};

class BadDescriptor final : public sdk::CollisionModel {
 public:
  BadDescriptor(const sdk::Params&, const sdk::SetupInfo&, const sdk::Host& host) : CollisionModel(host) {}
  bool has_explicit_part() const override { return false; }
  sdk::Status explicit_part(sdk::ConstRows, sdk::Rows) override { return sdk::Status::ok; }
  sdk::Status implicit_solve(sdk::ConstRows, const double*, sdk::Rows) override { return sdk::Status::ok; }
  sdk::Status transport_coefficients(sdk::ConstRows, double*, double*) override { return sdk::Status::ok; }
};

}  // namespace

STRATA_PLUGIN(BadDescriptor, descriptor)
