#pragma once
// The layout fingerprint of the SDK's boundary structs: a 64-bit FNV-1a hash over
// the size, alignment, offset and kind of every member of every struct that
// crosses the library boundary, and over the size of every boundary enum. A plugin
// exports the value its own copy of the headers gave (strata_sdk_layout); the core
// refuses a plugin whose value differs from its own, so a struct changed without an
// SDK version bump cannot be read with the wrong layout (docs/plugin_guide.md,
// "Compatibility rules"). FNV-1a: Fowler, Noll and Vo, IETF draft
// draft-eastlake-fnv ("The FNV Non-Cryptographic Hash Algorithm").
//
// A new boundary struct or enum is added in one place: the list in
// layout_fingerprint() below, one STRATA_SDK_FIELD per member in declaration order.
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <type_traits>

#include "strata/sdk/descriptor.hpp"
#include "strata/sdk/plugin.hpp"
#include "strata/sdk/types.hpp"

namespace strata::sdk::layout_detail {

class Fnv1a {
 public:
  constexpr void add(std::uint64_t value) {
    for (int byte = 0; byte < 8; ++byte) {
      hash_ ^= (value >> (8 * byte)) & 0xffu;
      hash_ *= 1099511628211ull;  // the 64-bit FNV prime
    }
  }
  constexpr std::uint64_t value() const { return hash_; }

 private:
  std::uint64_t hash_ = 14695981039346656037ull;  // the 64-bit FNV offset basis
};

// What kind of value a member holds, so that a double replaced by an int64_t (same
// size and offset) still changes the fingerprint.
template <class T>
constexpr std::uint64_t type_code() {
  if constexpr (std::is_same_v<T, bool>) return 1;
  else if constexpr (std::is_floating_point_v<T>) return 2;
  else if constexpr (std::is_integral_v<T>) return std::is_signed_v<T> ? 3 : 4;
  else if constexpr (std::is_enum_v<T>) return 5;
  else if constexpr (std::is_pointer_v<T> && std::is_function_v<std::remove_pointer_t<T>>) return 6;
  else if constexpr (std::is_pointer_v<T>) return 7;
  else if constexpr (std::is_array_v<T>) return 8;
  else if constexpr (std::is_class_v<T>) return 9;
  else return 10;
}

struct Field {
  std::size_t offset, size, align;
  std::uint64_t code;
};

template <class Member>
constexpr Field field(std::size_t offset) {
  return {offset, sizeof(Member), alignof(Member), type_code<Member>()};
}

// Not constexpr: reaching a call of it while the fingerprint is computed stops the
// compilation with its name in the message.
inline void a_member_is_missing_from_the_layout_list_in_layout_hpp() {}

// Hashes one struct: its size and alignment, then each member. Members must come in
// declaration order and cover the whole struct, up to padding: a member added to a
// struct but not to the list leaves a hole or a tail that fails the compilation.
template <class S>
constexpr void add_struct(Fnv1a& h, std::initializer_list<Field> fields) {
  static_assert(std::is_standard_layout_v<S>, "a boundary struct must be standard-layout");
  h.add(sizeof(S));
  h.add(alignof(S));
  h.add(fields.size());
  std::size_t end = 0;
  for (const Field& f : fields) {
    if (f.offset < end || f.offset - end >= f.align)
      a_member_is_missing_from_the_layout_list_in_layout_hpp();
    h.add(f.offset);
    h.add(f.size);
    h.add(f.align);
    h.add(f.code);
    end = f.offset + f.size;
  }
  if (sizeof(S) - end >= alignof(S)) a_member_is_missing_from_the_layout_list_in_layout_hpp();
}

template <class E>
constexpr void add_enum(Fnv1a& h) {
  static_assert(std::is_enum_v<E>);
  h.add(sizeof(std::underlying_type_t<E>));
  h.add(std::is_signed_v<std::underlying_type_t<E>>);
}

}  // namespace strata::sdk::layout_detail

// One member of a boundary struct, for the list below.
#define STRATA_SDK_FIELD(S, MEMBER) \
  ::strata::sdk::layout_detail::field<decltype(S::MEMBER)>(offsetof(S, MEMBER))

namespace strata::sdk {

constexpr std::uint64_t layout_fingerprint() {
  using namespace layout_detail;
  Fnv1a h;
  // ---- Every type that crosses the plugin boundary. Add new ones here. ----
  add_enum<Status>(h);
  add_enum<LogLevel>(h);
  add_enum<MemorySpace>(h);
  add_enum<PluginKind>(h);
  add_enum<ParamType>(h);
  add_struct<ConstRows>(h, {STRATA_SDK_FIELD(ConstRows, data), STRATA_SDK_FIELD(ConstRows, rows),
                            STRATA_SDK_FIELD(ConstRows, cols), STRATA_SDK_FIELD(ConstRows, row_stride),
                            STRATA_SDK_FIELD(ConstRows, space)});
  add_struct<Rows>(h, {STRATA_SDK_FIELD(Rows, data), STRATA_SDK_FIELD(Rows, rows),
                       STRATA_SDK_FIELD(Rows, cols), STRATA_SDK_FIELD(Rows, row_stride),
                       STRATA_SDK_FIELD(Rows, space)});
  add_struct<Host>(h, {STRATA_SDK_FIELD(Host, context), STRATA_SDK_FIELD(Host, log),
                       STRATA_SDK_FIELD(Host, error)});
  add_struct<SetupInfo>(h, {STRATA_SDK_FIELD(SetupInfo, n_species),
                            STRATA_SDK_FIELD(SetupInfo, species_mass),
                            STRATA_SDK_FIELD(SetupInfo, species_name),
                            STRATA_SDK_FIELD(SetupInfo, velocity_points),
                            STRATA_SDK_FIELD(SetupInfo, velocity_bound),
                            STRATA_SDK_FIELD(SetupInfo, dx), STRATA_SDK_FIELD(SetupInfo, dy),
                            STRATA_SDK_FIELD(SetupInfo, threads)});
  add_struct<IndicatorInput>(
      h, {STRATA_SDK_FIELD(IndicatorInput, nx), STRATA_SDK_FIELD(IndicatorInput, ny),
          STRATA_SDK_FIELD(IndicatorInput, halo), STRATA_SDK_FIELD(IndicatorInput, stride),
          STRATA_SDK_FIELD(IndicatorInput, dx), STRATA_SDK_FIELD(IndicatorInput, dy),
          STRATA_SDK_FIELD(IndicatorInput, rho), STRATA_SDK_FIELD(IndicatorInput, ux),
          STRATA_SDK_FIELD(IndicatorInput, uy), STRATA_SDK_FIELD(IndicatorInput, uz),
          STRATA_SDK_FIELD(IndicatorInput, T), STRATA_SDK_FIELD(IndicatorInput, knudsen),
          STRATA_SDK_FIELD(IndicatorInput, viscosity),
          STRATA_SDK_FIELD(IndicatorInput, conductivity),
          STRATA_SDK_FIELD(IndicatorInput, distance_to_maxwellian),
          STRATA_SDK_FIELD(IndicatorInput, regime)});
  add_struct<ParamDecl>(h, {STRATA_SDK_FIELD(ParamDecl, name), STRATA_SDK_FIELD(ParamDecl, type),
                            STRATA_SDK_FIELD(ParamDecl, default_json),
                            STRATA_SDK_FIELD(ParamDecl, min), STRATA_SDK_FIELD(ParamDecl, max),
                            STRATA_SDK_FIELD(ParamDecl, min_open),
                            STRATA_SDK_FIELD(ParamDecl, max_open),
                            STRATA_SDK_FIELD(ParamDecl, choices), STRATA_SDK_FIELD(ParamDecl, unit),
                            STRATA_SDK_FIELD(ParamDecl, doc)});
  add_struct<Descriptor>(h, {STRATA_SDK_FIELD(Descriptor, sdk_version),
                             STRATA_SDK_FIELD(Descriptor, name), STRATA_SDK_FIELD(Descriptor, kind),
                             STRATA_SDK_FIELD(Descriptor, version),
                             STRATA_SDK_FIELD(Descriptor, description),
                             STRATA_SDK_FIELD(Descriptor, params),
                             STRATA_SDK_FIELD(Descriptor, n_params)});
  add_struct<ViscosityLaw>(h, {STRATA_SDK_FIELD(ViscosityLaw, n), STRATA_SDK_FIELD(ViscosityLaw, temperature),
                               STRATA_SDK_FIELD(ViscosityLaw, viscosity)});
  // ---- end of the list ----
  return h.value();
}

// The value for these headers, computed at compile time.
inline constexpr std::uint64_t sdk_layout = layout_fingerprint();

}  // namespace strata::sdk
