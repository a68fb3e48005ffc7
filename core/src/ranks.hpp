#pragma once
// The ranks of a run (docs/architecture.md §11): this process among the MPI processes
// of `mpirun -np N strata run`, and the collective operations through which every rank
// takes the same decisions. A program not started by mpirun (or built without MPI) is
// one rank, and every operation here is then the identity.
#include <cstdint>
#include <exception>
#include <string>
#include <vector>

namespace strata::core::ranks {

// MPI_Init_thread when the process was started by mpirun and Strata was built with
// MPI; nothing otherwise. finalize() ends MPI where init() started it.
void init(int& argc, char**& argv);
void finalize();
// "Open MPI 4.1.4, Zoltan 3.901" or "no (built without MPI)".
std::string library_versions();

int rank();
int size();
int size_on_this_machine();  // the ranks sharing this machine's memory (1 without MPI)
inline bool root() { return rank() == 0; }

// Every rank calls agree() at the same point with the error of its own work since the
// last agreement (null when none). When any rank failed, every rank throws the same
// exception: the error of the lowest failing rank, of the same kind (CaseError,
// UnphysicalState, DamagedCheckpoint, PluginError, std::bad_alloc or RunError) and with its message,
// prefixed by "rank r: " when there are several ranks. With one rank the error is
// rethrown as it is.
void agree(std::exception_ptr error);
// True once agree() has thrown here: every rank is on the same failure path and may
// end normally. An error on one of several ranks that did not pass through agree()
// must end every rank (abort_all): the others may wait in a collective call.
bool failure_agreed();
// Called where an error that no agreement point saw ends a rank: when every rank arrives
// here within `seconds`, each with an error of its own (a problem of the case that the
// set-up finds is met by every rank alike), they agree on it as agree() does, on a
// communicator of their own, and every rank throws the lowest failing rank's error.
// Returns false when some rank is still at work, which abort_all must then end.
bool agree_when_all_failed(std::exception_ptr error, double seconds);
// Same as agree(), for the very common "catch everything from f, then agree".
template <class F>
void agreed(F&& f) {
  std::exception_ptr error;
  try {
    f();
  } catch (...) {
    error = std::current_exception();
  }
  agree(error);
}

// Reductions over all ranks (in place).
void sum(double* values, int n);
double max(double value);  // a NaN on any rank gives NaN
bool any(bool value);

// Every rank's `mine` (counts may differ) concatenated in rank order.
std::vector<double> all_gather(const std::vector<double>& mine);
std::vector<std::int64_t> all_gather(const std::vector<std::int64_t>& mine);
// What root receives from every rank, in rank order (empty elsewhere).
std::vector<double> gather_to_root(const std::vector<double>& mine);
std::vector<std::int64_t> gather_to_root(const std::vector<std::int64_t>& mine);

// Point-to-point exchange: send[r] goes to rank r, the result's [r] came from rank r.
// The receive counts must be known (`receive_counts[r]` values from rank r).
std::vector<std::vector<double>> exchange(const std::vector<std::vector<double>>& send,
                                          const std::vector<std::size_t>& receive_counts);
// The same when the receivers do not know the counts (set-up, migration).
std::vector<std::vector<std::int64_t>> exchange(const std::vector<std::vector<std::int64_t>>& send);
std::vector<std::vector<double>> exchange(const std::vector<std::vector<double>>& send);

// Ends every rank at once after an error outside an agreement point (MPI_Abort).
[[noreturn]] void abort_all(const std::string& message, int code);

}  // namespace strata::core::ranks
