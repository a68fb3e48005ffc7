"""Reading numeric columns of a CSV file a Strata run wrote (history.csv, profile_<t>.csv,
probe_<name>.csv) for the tools. A row cut short (a run killed while writing, a copy cut
mid-file) or a value that is not a number is reported with the file and line, not read as
a shorter table or a wrong last value."""
import csv


class TableError(Exception):
    """Why the file cannot be read as the table asked for; the message names the file (and line)."""


def read_columns(path, columns):
    """{column: [one float per data row]} of the CSV file at path, whose header line names
    at least columns. Blank lines are skipped; a header-only file gives empty lists."""
    try:
        with open(path, newline="") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise TableError(f"{path}: cannot read it ({getattr(e, 'strerror', None) or e})")
    reader = csv.reader(text.splitlines())
    rows = [(reader.line_num, r) for r in reader if any(c.strip() for c in r)]
    if not rows:
        raise TableError(f"{path}: empty file (expected a header line naming {', '.join(columns)})")
    header = [h.strip() for h in rows[0][1]]
    missing = [c for c in columns if c not in header]
    if missing:
        raise TableError(f"{path}: the header lacks the column(s) {', '.join(missing)}")
    # Strata ends every line: a last line without its end was cut, even where its field count is right.
    cut = not text.endswith(("\n", "\r"))
    table = {c: [] for c in columns}
    for line, r in rows[1:]:
        if len(r) != len(header):
            raise TableError(f"{path}:{line}: {len(r)} fields, the header has {len(header)} (a row cut short?)")
        if cut and line == rows[-1][0]:
            raise TableError(f"{path}:{line}: the file ends mid-row (cut short)")
        for c in columns:
            value = r[header.index(c)]
            try:
                table[c].append(float(value))
            except ValueError:
                raise TableError(f"{path}:{line}: column {c} is not a number: {value!r}")
    return table
