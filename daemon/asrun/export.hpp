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

// One row as an export prints it: the only place the columns are formatted. Keeps the last
// zone it used (rows come grouped by time and share one or two zones), so reuse one formatter
// for a run of rows.
class row_formatter {
public:
    row_formatter();
    ~row_formatter();
    row_formatter(row_formatter&&) noexcept;
    row_formatter& operator=(row_formatter&&) noexcept;
    // One CSV line, with its newline.
    std::string csv_row(const airing& row);
    // One JSON object on one line, without separator or newline.
    std::string json_object(const airing& row);

private:
    zone_cache& zone_of(const airing& row);
    std::string zone_name_;
    std::unique_ptr<zone_cache> zone_;
};

// The same, for a single row.
std::string csv_row(const airing& row);
std::string json_object(const airing& row);

// The JSON array around the objects: "[" first, then before object number `index` (from 0)
// its separator, and the end after `count` objects. Together: "[]\n" when empty, else one
// object per line.
extern const char* const json_open;
const char* json_before(std::size_t index);
const char* json_close(std::size_t count);

// Writes the header at construction, then one line per row.
class csv_writer {
public:
    explicit csv_writer(std::ostream& out);
    void write(const airing& row);

private:
    std::ostream& out_;
    row_formatter format_;
};

// "[" at the first row, one object per line, and "]" at finish(): a complete JSON array, also
// when no row came ("[]").
class json_writer {
public:
    explicit json_writer(std::ostream& out);
    void write(const airing& row);
    void finish();

private:
    std::ostream& out_;
    std::size_t rows_ = 0;
    row_formatter format_;
};

enum class export_format { csv, json };

// An export in pieces of `page_rows` rows, for a server that sends it in chunks: each next()
// runs one bounded query (rows after the last one sent, in scheduled start then id order), so
// memory stays constant and no read transaction stays open between pieces. The pieces
// together are byte for byte what export_airings writes for the same rows.
class export_pager {
public:
    // `s` must outlive the pager. A null store is a log with no rows yet.
    export_pager(const store* s, filter f, export_format format, std::size_t page_rows = 200);
    export_pager(const store& s, filter f, export_format format, std::size_t page_rows = 200)
        : export_pager(&s, std::move(f), format, page_rows) {}
    // Appends the next piece to `out`: the header (CSV) or "[" (JSON) with the first page, the
    // closing "]" with the last. True when more pieces follow; false once the last is appended
    // (and on every call after it, appending nothing).
    bool next(std::string& out);
    std::size_t rows() const { return rows_; }

private:
    const store* store_;
    filter filter_;
    export_format format_;
    std::size_t page_rows_;
    row_formatter format_rows_;
    bool begun_ = false;
    bool done_ = false;
    std::size_t rows_ = 0;
    std::optional<page_key> after_;
};

// Streams the rows of `s` that match `f` to `out`. Returns the number of rows written.
std::size_t export_airings(const store& s, const filter& f, export_format format,
                           std::ostream& out);
// What an export of an empty log looks like (a missing store is no error).
void export_nothing(export_format format, std::ostream& out);

} // namespace onair::asrun
