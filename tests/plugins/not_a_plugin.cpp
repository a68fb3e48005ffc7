// A shared library without Strata's entry points.
extern "C" int not_a_strata_symbol() { return 0; }
