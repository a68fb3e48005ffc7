#pragma once
// The kinetic store: where the distribution of every kinetic cell lives. Slots
// [0, n_kinetic) are the kinetic cells this rank updates (Domain::owned), layer 1 first, then layer 2; slots
// [n_kinetic, n_slots) are the halo cells whose distribution is derived each stage
// (copies, mirrors or Maxwellian reconstructions, kinetic_transport.cpp, or another
// rank's stage values, partition.hpp). Storage
// follows the regime map: only kinetic cells and their halo hold distributions.
//
// Arrays, each n_kinetic (stage values: n_slots) records of S N^3 values:
//   f          f^n, the state
//   stage      the stage values Y_i of PR(2,2,2) and the halo distributions
//   rhs        the implicit solve's right-hand side of stage 1
//   sum        the growing sum for f^{n+1}; after a step (advance()) it holds f^n,
//              which restore() brings back if the step is refused
//   transport  the explicit right-hand side q_i: -div(v f) and E(Y_i)/eps
//   explicit   E(Y_i) of the layers whose collision model has an explicit part
// All in the memory of `host` (host_memory.hpp): a GPU plugin's pinned pages when it
// offers them, since f, rhs, stage and explicit cross the bus at every stage.
#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "coupling.hpp"
#include "domain.hpp"
#include "faces.hpp"
#include "host_memory.hpp"

namespace strata::core {

class KineticStore {
 public:
  KineticStore(const Coupling& coupling, std::shared_ptr<const HostMemory> host);
  const Coupling& coupling() const { return coupling_; }

  // Slots for the kinetic cells of the regime map and the cells the kinetic faces'
  // stencils read; every distribution zero.
  void lay_out(const Domain& domain, const FaceSet& faces);
  // After a change of the regime map (already installed in `domain`, faces already
  // classified): f moves with the cells that stay kinetic, cells that become kinetic
  // start from the Maxwellian reconstruction of their state U (paper §4.5), and cells
  // that came from another rank take their `arrived` distribution. Leaves the store
  // as it was (the scratch arrays' contents aside) on every rank when a reconstruction
  // or an allocation fails on any (and throws). The new f
  // is built in the transport array (scratch between stages) and the arrays keep their
  // storage where it is large enough: no allocation (a GPU plugin's pinned pages are
  // costly to get) unless the store grows, and then with 1/8 to spare.
  void relayout(const Domain& domain, const FaceSet& faces, const std::vector<double>& U, int nvar,
                const std::unordered_map<std::size_t, const double*>& arrived = {});

  std::size_t n_kinetic() const { return n_layer_[0] + n_layer_[1]; }
  std::size_t n_layer(int layer) const { return n_layer_[layer - 1]; }  // layer 1 or 2
  std::size_t first_slot(int layer) const { return layer == 1 ? 0 : n_layer_[0]; }
  std::size_t n_slots() const { return slot_cell_.size(); }
  std::size_t slot_cell(std::size_t slot) const { return slot_cell_[slot]; }
  std::int64_t slot_of(std::size_t cell) const { return cell_slot_[cell]; }  // -1: none
  std::size_t values_per_cell() const { return nf_; }

  KineticArray& f() { return f_; }
  const KineticArray& f() const { return f_; }
  double* f(std::size_t slot) { return &f_[slot * nf_]; }
  const double* f(std::size_t slot) const { return &f_[slot * nf_]; }
  KineticArray& stage() { return stage_; }
  const KineticArray& stage() const { return stage_; }
  KineticArray& rhs() { return rhs_; }
  KineticArray& sum() { return sum_; }
  KineticArray& transport() { return transport_; }
  const KineticArray& transport() const { return transport_; }
  KineticArray& explicit_part() { return explicit_; }
  void size_explicit_part(std::size_t rows);  // E(Y) of `rows` cells, contents undefined
  // Whose memory the arrays are in (summary.json): a plugin's name or "system".
  std::string memory() const { return f_.get_allocator().memory() ? f_.get_allocator().memory()->plugin : "system"; }
  const double* velocity(int d) const { return velocity_[d].data(); }  // v_d of the N^3 points

  // U at the kinetic cells of slots [0, slots) := the moments of `f` (f() or stage()).
  void project_to(const KineticArray& f, std::vector<double>& U, int nvar, std::size_t slots) const;
  void project_to(const KineticArray& f, std::vector<double>& U, int nvar) const { project_to(f, U, nvar, n_kinetic()); }
  // The same at the listed slots alone.
  void project_to(const KineticArray& f, std::vector<double>& U, int nvar, const std::vector<std::size_t>& slots) const;
  // Changes with every new layout and every restore: a device copy of f
  // (layer2_device.hpp) is then out of date. A restart writes f right after its
  // lay_out, before any step, so the version bumped by the layout covers it.
  std::uint64_t host_version() const { return host_version_; }
  // The step's last stage builds f^{n+1} in sum(); advance() makes it f and keeps
  // f^n in sum() (a swap, no copy) until the next keep(), so that restore() can
  // bring f^n back after a step that fails later (an unphysical state).
  void keep() { advanced_ = false; }  // before a step
  // f^n of a slot after the step (advance() done), else null.
  const double* previous_f(std::size_t slot) const { return advanced_ ? &sum_[slot * nf_] : nullptr; }
  void advance() { f_.swap(sum_), advanced_ = true; }
  void restore() {  // after a failed step: f^n again
    if (advanced_) f_.swap(sum_), ++host_version_;
    advanced_ = false;
  }

 private:
  // Which cell each slot holds, for a regime map and its kinetic faces.
  struct Slots {
    std::vector<std::size_t> slot_cell;
    std::vector<std::int64_t> cell_slot;
    std::size_t n_layer[2] = {0, 0};
    std::size_t n_kinetic() const { return n_layer[0] + n_layer[1]; }
  };
  static Slots plan(const Domain& domain, const FaceSet& faces);
  void install(Slots slots, bool keep_f);  // and every array (but f if kept) zero, sized for them

  const Coupling& coupling_;
  std::size_t nf_;
  std::vector<std::size_t> slot_cell_;
  std::vector<std::int64_t> cell_slot_;
  std::size_t n_layer_[2] = {0, 0};
  KineticArray f_, stage_, rhs_, sum_, transport_, explicit_;
  bool advanced_ = false;
  std::uint64_t host_version_ = 0;
  std::vector<double> velocity_[3];
};

}  // namespace strata::core
