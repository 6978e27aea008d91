#pragma once

// A connection to PostgreSQL through libpq, as the sink and the national tools use it: text
// parameters and text results, every failure a pg_error with the server's message. libpq stays
// private to this library (no header includes libpq-fe.h).

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

struct pg_conn;
struct pg_result;

namespace onair::asrun_pg {

class pg_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A parameter: a value, or SQL NULL.
using param = std::optional<std::string>;

// A query's rows, every value as text (NULL as nullopt).
class result {
public:
    explicit result(pg_result* r);
    ~result();
    result(result&&) noexcept;
    result& operator=(result&&) noexcept;

    int rows() const;
    int columns() const;
    std::optional<std::string> get(int row, int column) const;
    std::string text(int row, int column) const;     // "" for NULL
    std::int64_t integer(int row, int column) const; // 0 for NULL
    std::optional<std::int64_t> maybe_integer(int row, int column) const;

private:
    pg_result* r_;
};

class connection {
public:
    // Connects (at most `timeout` to reach the server) or throws pg_error. `dsn` is a libpq
    // connection string or a postgresql:// URI.
    explicit connection(const std::string& dsn,
                        std::chrono::seconds timeout = std::chrono::seconds(10));
    ~connection();
    connection(connection&&) noexcept;
    connection& operator=(connection&&) noexcept;

    // Runs one statement with text parameters ($1, $2, ...).
    result exec(const std::string& sql, const std::vector<param>& params = {});
    // Prepares `sql` under `name` once per connection; exec_prepared runs it.
    void prepare(const std::string& name, const std::string& sql, int n_params);
    result exec_prepared(const std::string& name, const std::vector<param>& params);
    // Whether the connection is still usable (no broken socket seen).
    bool ok() const;

private:
    pg_conn* c_;
};

// The dsn as it may be shown (logs, errors): passwords and user info hidden.
std::string display_dsn(const std::string& dsn);

} // namespace onair::asrun_pg
