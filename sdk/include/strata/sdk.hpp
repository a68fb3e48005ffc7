#pragma once
// Everything a plugin author includes: the interface, the export macro and the toolkit.
#include "strata/sdk/descriptor.hpp"
#include "strata/sdk/export.hpp"
#include "strata/sdk/params.hpp"
#include "strata/sdk/plugin.hpp"
#include "strata/sdk/types.hpp"
#include "strata/sdk/version.hpp"
#include "strata/toolkit/cweno.hpp"
#include "strata/toolkit/gas.hpp"
#include "strata/toolkit/imex.hpp"
#include "strata/toolkit/maxwellian.hpp"
#include "strata/toolkit/moments.hpp"
#include "strata/toolkit/velocity_grid.hpp"
