#include "output.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>

#include "engine_types.hpp"
#include "strata/toolkit/format.hpp"

namespace strata::core {
namespace fs = std::filesystem;

namespace {
// fsync of a file or a folder; the errno of a failure, 0 when synced.
int sync_to_disk(const fs::path& path, bool folder) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | (folder ? O_DIRECTORY : 0));
  const int error = fd < 0 || ::fsync(fd) != 0 ? errno : 0;
  if (fd >= 0) ::close(fd);
  return error;
}
}  // namespace

std::string write_error_text(int error) {
  std::string text = std::strerror(error);
  rlimit size{};
  if (error == EFBIG && ::getrlimit(RLIMIT_FSIZE, &size) == 0 && size.rlim_cur != RLIM_INFINITY)
    text += " (this process may write files of at most " +
            toolkit::format_number(static_cast<double>(size.rlim_cur) / (1 << 20)) + " MiB: ulimit -f)";
  return text;
}

fs::path temporary_path(const fs::path& path) { return path.string() + ".tmp" + std::to_string(::getpid()); }

void abandon_write(const fs::path& tmp, const std::string& why) {
  std::error_code ec;
  fs::remove(tmp, ec);
  const fs::space_info space = fs::space(tmp.parent_path().empty() ? fs::path(".") : tmp.parent_path(), ec);
  throw RunError(why + (ec ? std::string() : " (" + toolkit::format_number(static_cast<double>(space.available) / (1 << 20)) +
                                                 " MiB free on its disk, the partial file removed)"));
}

void commit_file(const fs::path& tmp, const fs::path& path) {
  if (const int error = sync_to_disk(tmp, false))
    abandon_write(tmp, tmp.string() + ": cannot be synced to disk: " + write_error_text(error));
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) abandon_write(tmp, path.string() + ": cannot be put in place: " + ec.message());
  sync_to_disk(path.parent_path().empty() ? fs::path(".") : path.parent_path(), true);
}

void write_atomically(const fs::path& path, const std::string& content) {
  const fs::path tmp = temporary_path(path);
  {
    errno = 0;
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) {
      const int error = errno;
      out.close();
      abandon_write(tmp, path.string() + ": cannot be written: " + (error ? write_error_text(error) : "write failed"));
    }
  }
  commit_file(tmp, path);
}

namespace {

std::string base64(const std::string& bytes) {
  static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t k = 0;
  for (; k + 2 < bytes.size(); k += 3) {
    const unsigned v = (static_cast<unsigned char>(bytes[k]) << 16) |
                       (static_cast<unsigned char>(bytes[k + 1]) << 8) |
                       static_cast<unsigned char>(bytes[k + 2]);
    for (int s = 18; s >= 0; s -= 6) out += table[(v >> s) & 63];
  }
  if (const std::size_t rest = bytes.size() - k; rest > 0) {
    unsigned v = static_cast<unsigned char>(bytes[k]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(bytes[k + 1]) << 8;
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += rest == 2 ? table[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// A VTK binary DataArray: base64 of a UInt64 byte count followed by the doubles.
void data_array(std::ostringstream& out, const std::string& name, const std::vector<double>& v,
                int components = 1) {
  const std::uint64_t bytes = v.size() * sizeof(double);
  std::string raw(reinterpret_cast<const char*>(&bytes), sizeof bytes);
  raw.append(reinterpret_cast<const char*>(v.data()), bytes);
  out << "<DataArray type=\"Float64\" Name=\"" << name << "\" NumberOfComponents=\""
      << components << "\" format=\"binary\">" << base64(raw) << "</DataArray>\n";
}

}  // namespace

OutputWriter::OutputWriter(fs::path dir, const Mesh& mesh, const std::vector<std::string>& extra_columns,
                           const std::vector<std::string>& loads_columns)
    : dir_(std::move(dir)), mesh_(mesh) {
  fs::create_directories(dir_);
  std::ostringstream header;
  for (const auto& c : history_columns()) header << (header.tellp() ? "," : "") << c;
  for (const auto& c : extra_columns) header << "," << c;
  history_ = header.str() + "\n";
  if (!loads_columns.empty()) {
    loads_ = "step,t";
    for (const auto& c : loads_columns) loads_ += "," + c;
    loads_ += "\n";
  }
}

void OutputWriter::restore(Record r) {
  history_ = std::move(r.history);
  if (!r.loads.empty()) loads_ = std::move(r.loads);
  probes_ = std::move(r.probes);
  series_ = std::move(r.series);
  const std::size_t end_of_header = history_.find('\n');
  if (end_of_header == std::string::npos || history_.substr(0, end_of_header).find(",residual,") != std::string::npos)
    return;
  // Before `residual` came `wall_seconds`: the column goes in front of it in every line.
  std::istringstream in(history_);
  std::string out, line;
  int at = -1;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream row(line);
    for (std::string c; std::getline(row, c, ',');) cells.push_back(c);
    if (at < 0) at = static_cast<int>(std::find(cells.begin(), cells.end(), "wall_seconds") - cells.begin());
    if (at <= static_cast<int>(cells.size()))
      cells.insert(cells.begin() + at, out.empty() ? std::string("residual") : std::string("nan"));
    for (std::size_t k = 0; k < cells.size(); ++k) out += (k ? "," : "") + cells[k];
    out += '\n';
  }
  history_ = std::move(out);
}

const std::vector<std::string>& OutputWriter::history_columns() {
  static const std::vector<std::string> columns = {
      "step", "t", "dt", "mass", "momentum_x", "momentum_y", "momentum_z", "energy", "entropy",
      "cells_layer0", "cells_layer1", "cells_layer2", "residual", "wall_seconds"};
  return columns;
}

std::string OutputWriter::vti(const SnapshotData& d, const Extent* piece,
                              std::vector<std::pair<std::string, int>>* arrays) const {
  const Fields& f = d.fields;
  const Extent e = piece ? *piece : Extent{0, mesh_.nx, 0, mesh_.ny};
  std::ostringstream out;
  out.precision(17);
  out << "<?xml version=\"1.0\"?>\n<VTKFile type=\"ImageData\" version=\"1.0\" "
         "byte_order=\"LittleEndian\" header_type=\"UInt64\">\n"
      << "<ImageData WholeExtent=\"0 " << mesh_.nx << " 0 " << mesh_.ny << " 0 0\" Origin=\""
      << mesh_.x0 << " " << mesh_.y0 << " 0\" Spacing=\"" << mesh_.dx << " " << mesh_.dy
      << " 1\">\n<Piece Extent=\"" << e.i0 << " " << e.i1 << " " << e.j0 << " " << e.j1
      << " 0 0\">\n<CellData Scalars=\"rho\">\n";
  // Each array: the piece's cells (x fastest), `components` values per cell.
  auto array = [&](const std::string& name, const std::vector<double>& v, int components = 1) {
    std::vector<double> cut;
    cut.reserve(static_cast<std::size_t>(e.i1 - e.i0) * (e.j1 - e.j0) * components);
    for (int j = e.j0; j < e.j1; ++j) {
      const auto row = (static_cast<std::size_t>(j) * mesh_.nx + e.i0) * components;
      cut.insert(cut.end(), v.begin() + static_cast<std::ptrdiff_t>(row),
                 v.begin() + static_cast<std::ptrdiff_t>(row + static_cast<std::size_t>(e.i1 - e.i0) * components));
    }
    data_array(out, name, cut, components);
    if (arrays) arrays->emplace_back(name, components);
  };
  array("rho", f.rho);
  array("ux", f.ux);
  array("uy", f.uy);
  array("uz", f.uz);
  array("T", f.T);
  array("p", f.p);
  array("regime", std::vector<double>(d.regime.begin(), d.regime.end()));
  array("knudsen", d.knudsen);
  std::vector<double> velocity(3 * f.rho.size());
  for (std::size_t c = 0; c < f.rho.size(); ++c) {
    velocity[3 * c] = f.ux[c];
    velocity[3 * c + 1] = f.uy[c];
    velocity[3 * c + 2] = f.uz[c];
  }
  array("velocity", velocity, 3);
  // VTK's symmetric tensor order: xx, yy, zz, xy, yz, xz.
  std::vector<double> pressure(6 * f.rho.size()), heat(3 * f.rho.size());
  for (std::size_t c = 0; c < f.rho.size(); ++c) {
    const auto& P = f.pressure[c];
    const double vtk[6] = {P[0], P[1], P[2], P[3], P[5], P[4]};
    std::copy(vtk, vtk + 6, &pressure[6 * c]);
    std::copy(f.heat_flux[c].begin(), f.heat_flux[c].end(), &heat[3 * c]);
  }
  array("pressure_tensor", pressure, 6);
  array("heat_flux", heat, 3);
  for (const auto& [name, values] : d.extra) array(name, values);
  if (f.rho_species.size() > 1)
    for (std::size_t s = 0; s < f.rho_species.size(); ++s) array("rho_" + d.species_names[s], f.rho_species[s]);
  out << "</CellData>\n</Piece>\n</ImageData>\n</VTKFile>\n";
  return out.str();
}

void OutputWriter::snapshot(double t, const SnapshotData& data) {
  char name[32];
  std::snprintf(name, sizeof name, "snapshot_%04zu", series_.size());
  std::string file = std::string(name) + ".vti";
  if (pieces_.size() <= 1) {
    write_atomically(dir_ / file, vti(data));
  } else {  // parallel VTK: the pieces, then the .pvti that lists them
    std::vector<std::pair<std::string, int>> arrays;
    std::ostringstream pvti;
    pvti.precision(17);
    pvti << "<?xml version=\"1.0\"?>\n<VTKFile type=\"PImageData\" version=\"1.0\" "
            "byte_order=\"LittleEndian\" header_type=\"UInt64\">\n<PImageData WholeExtent=\"0 "
         << mesh_.nx << " 0 " << mesh_.ny << " 0 0\" GhostLevel=\"0\" Origin=\"" << mesh_.x0 << " " << mesh_.y0
         << " 0\" Spacing=\"" << mesh_.dx << " " << mesh_.dy << " 1\">\n";
    std::ostringstream list;
    for (std::size_t r = 0; r < pieces_.size(); ++r) {
      const Extent& e = pieces_[r];
      const std::string piece = std::string(name) + "_p" + std::to_string(r) + ".vti";
      write_atomically(dir_ / piece, vti(data, &e, arrays.empty() ? &arrays : nullptr));
      list << "<Piece Extent=\"" << e.i0 << " " << e.i1 << " " << e.j0 << " " << e.j1 << " 0 0\" Source=\""
           << piece << "\"/>\n";
    }
    pvti << "<PCellData Scalars=\"rho\">\n";
    for (const auto& [array, components] : arrays)
      pvti << "<PDataArray type=\"Float64\" Name=\"" << array << "\" NumberOfComponents=\"" << components
           << "\"/>\n";
    pvti << "</PCellData>\n" << list.str() << "</PImageData>\n</VTKFile>\n";
    file = std::string(name) + ".pvti";
    write_atomically(dir_ / file, pvti.str());
  }
  series_.emplace_back(t, file);
  std::ostringstream pvd;
  pvd.precision(17);
  pvd << "<?xml version=\"1.0\"?>\n<VTKFile type=\"Collection\" version=\"1.0\" "
         "byte_order=\"LittleEndian\" header_type=\"UInt64\">\n<Collection>\n";
  for (const auto& [time, f] : series_)
    pvd << "<DataSet timestep=\"" << time << "\" part=\"0\" file=\"" << f << "\"/>\n";
  pvd << "</Collection>\n</VTKFile>\n";
  write_atomically(dir_ / "snapshots.pvd", pvd.str());
}

void OutputWriter::last_good(const SnapshotData& data) {
  write_atomically(dir_ / "last_good.vti", vti(data));
  wrote_last_good_ = true;
}

void OutputWriter::profile(double t, const SnapshotData& d, int j) {
  std::ostringstream out;
  // Round-trip precision: runs of two builds or paths are compared through these
  // files (tools/compare_runs.py, the tests), and 12 digits showed round-off of 1e-16
  // as a difference of 1e-11.
  out.precision(std::numeric_limits<double>::max_digits10);
  out << "x,rho,ux,uy,T,p,regime\n";
  for (int i = 0; i < mesh_.nx; ++i) {
    const std::size_t c = static_cast<std::size_t>(j) * mesh_.nx + i;
    out << mesh_.xc(i) << ',' << d.fields.rho[c] << ',' << d.fields.ux[c] << ','
        << d.fields.uy[c] << ',' << d.fields.T[c] << ',' << d.fields.p[c] << ','
        << static_cast<int>(d.regime[c]) << '\n';
  }
  write_atomically(dir_ / ("profile_" + toolkit::format_number(t) + ".csv"), out.str());
}

namespace {

// One line of a series file: the values to 16 digits, or to the digits that read back as
// the same double (`exact`: loads.csv, whose last row summary.json repeats).
std::string csv_line(const std::vector<double>& values, bool exact = false) {
  std::ostringstream out;
  out.precision(exact ? std::numeric_limits<double>::max_digits10 : 16);
  for (std::size_t k = 0; k < values.size(); ++k) out << (k ? "," : "") << values[k];
  return out.str() + "\n";
}

}  // namespace

void OutputWriter::history_row(const std::vector<double>& values) { history_ += csv_line(values); }

void OutputWriter::loads_row(const std::vector<double>& values) { loads_ += csv_line(values, true); }

void OutputWriter::surface(double t, const std::vector<BoundaryPart>& parts, const std::vector<FaceLoad>& faces,
                           const std::optional<ReferenceState>& reference) {
  std::ostringstream out;
  out.precision(std::numeric_limits<double>::max_digits10);  // as the profiles
  out << "part,position,x,y,nx,ny,mass,fx,fy,fz,p,tau,heat" << (reference ? ",Cp,Cf,Ch" : "") << '\n';
  for (const FaceLoad& f : faces) {
    // p along the normal into the part, tau along the tangent (-ny, nx): the normal
    // turned counter-clockwise (+x on a bottom wall, +y on an obstacle's front face).
    const double p = f.load.fx * f.nx + f.load.fy * f.ny, tau = -f.load.fx * f.ny + f.load.fy * f.nx;
    out << parts[static_cast<std::size_t>(f.part)].name << ',' << f.position << ',' << f.x << ',' << f.y << ',' << f.nx
        << ',' << f.ny << ',' << f.load.mass << ',' << f.load.fx << ',' << f.load.fy << ',' << f.load.fz << ',' << p << ','
        << tau << ',' << f.load.heat;
    if (reference) {  // on walls and obstacles; an open side's momentum flux is no surface pressure
      const double q = 0.5 * reference->rho * reference->speed * reference->speed;
      if (!parts[static_cast<std::size_t>(f.part)].surface())
        out << ",nan,nan,nan";
      else
        out << ',' << (p - reference->p) / q << ',' << tau / q << ',' << f.load.heat / (q * reference->speed);
    }
    out << '\n';
  }
  write_atomically(dir_ / ("surface_" + toolkit::format_number(t) + ".csv"), out.str());
}

void OutputWriter::probe_row(const std::string& name, const std::vector<double>& values) {
  auto it = std::find_if(probes_.begin(), probes_.end(), [&](const auto& p) { return p.first == name; });
  if (it == probes_.end()) {
    probes_.emplace_back(name, "t,rho,ux,uy,uz,T,Pxx,Pyy,Pzz,Pxy,Pxz,Pyz,qx,qy,qz,regime\n");
    it = probes_.end() - 1;
  }
  it->second += csv_line(values);
}

void OutputWriter::flush_history() {
  write_atomically(dir_ / "history.csv", history_);
  if (!loads_.empty()) write_atomically(dir_ / "loads.csv", loads_);
  for (const auto& [name, text] : probes_) write_atomically(dir_ / ("probe_" + name + ".csv"), text);
}

void OutputWriter::summary(const nlohmann::json& summary) {
  write_atomically(dir_ / "summary.json", summary.dump(2) + "\n");
}

}  // namespace strata::core
