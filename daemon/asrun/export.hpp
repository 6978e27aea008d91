#pragma once

// The as-run log as CSV or JSON (the columns of the spec's section 5), written one row at a
// time so an export of any length runs in constant memory.
//
// Timestamps are ISO 8601 with milliseconds and the offset of the row's own zone
// ("2026-12-01T06:58:00.000+07:00"); a row whose zone this system does not know prints in UTC.

#include "asrun/airing.hpp"
#include "asrun/store.hpp"
#include "asrun/zone_cache.hpp"

#include <iosfwd>
#include <memory>
#include <string>

namespace onair::asrun {

// The first line of a CSV export, with its newline.
extern const char* const csv_header;

// One field, quoted as RFC 4180 asks when it holds a comma, a double quote or a line break.
std::string csv_field(const std::string& text);

// Writes the header at construction, then one line per row.
class csv_writer {
public:
    explicit csv_writer(std::ostream& out);
    ~csv_writer();
    void write(const airing& row);

private:
    std::ostream& out_;
    std::string zone_name_;
    std::unique_ptr<zone_cache> zone_;
};

// "[" at the first row, one object per line, and "]" at finish(): a complete JSON array, also
// when no row came ("[]").
class json_writer {
public:
    explicit json_writer(std::ostream& out);
    ~json_writer();
    void write(const airing& row);
    void finish();

private:
    std::ostream& out_;
    std::size_t rows_ = 0;
    std::string zone_name_;
    std::unique_ptr<zone_cache> zone_;
};

enum class export_format { csv, json };

// Streams the rows of `s` that match `f` to `out`. Returns the number of rows written.
std::size_t export_airings(const store& s, const filter& f, export_format format,
                           std::ostream& out);
// What an export of an empty log looks like (a missing store is no error).
void export_nothing(export_format format, std::ostream& out);

} // namespace onair::asrun
