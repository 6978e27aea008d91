#include "asrun_pg/connection.hpp"

#include "core/redact.hpp"

#include <libpq-fe.h>

#include <utility>

namespace onair::asrun_pg {

namespace {

std::string message_of(const PGconn* c) {
    std::string m = PQerrorMessage(c);
    while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) {
        m.pop_back();
    }
    return core::redact(m);
}

// The result, or pg_error with the server's message (the result is freed either way).
result checked(PGconn* c, PGresult* r) {
    const auto status = PQresultStatus(r);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
        return result(r);
    }
    std::string m = r != nullptr ? PQresultErrorMessage(r) : "";
    PQclear(r);
    if (m.empty()) {
        m = message_of(c);
    }
    while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) {
        m.pop_back();
    }
    throw pg_error(core::redact(m));
}

struct raw_params {
    std::vector<const char*> values;
    explicit raw_params(const std::vector<param>& params) {
        values.reserve(params.size());
        for (const auto& p : params) {
            values.push_back(p ? p->c_str() : nullptr);
        }
    }
};

} // namespace

result::result(PGresult* r) : r_(r) {}
result::~result() {
    if (r_ != nullptr) {
        PQclear(r_);
    }
}
result::result(result&& o) noexcept : r_(std::exchange(o.r_, nullptr)) {}
result& result::operator=(result&& o) noexcept {
    std::swap(r_, o.r_);
    return *this;
}
int result::rows() const {
    return PQntuples(r_);
}
int result::columns() const {
    return PQnfields(r_);
}
std::optional<std::string> result::get(int row, int column) const {
    if (PQgetisnull(r_, row, column) != 0) {
        return std::nullopt;
    }
    return std::string(PQgetvalue(r_, row, column),
                       static_cast<std::size_t>(PQgetlength(r_, row, column)));
}
std::string result::text(int row, int column) const {
    return get(row, column).value_or("");
}
std::optional<std::int64_t> result::maybe_integer(int row, int column) const {
    auto v = get(row, column);
    if (!v) {
        return std::nullopt;
    }
    return std::stoll(*v);
}
std::int64_t result::integer(int row, int column) const {
    return maybe_integer(row, column).value_or(0);
}

connection::connection(const std::string& dsn, std::chrono::seconds timeout) {
    // connect_timeout and keepalives bound how long a vanished server can hold the caller;
    // expand_dbname lets `dsn` be a URI or key=value pairs
    const std::string limit = std::to_string(timeout.count());
    const char* keys[] = {"dbname",
                          "connect_timeout",
                          "keepalives",
                          "keepalives_idle",
                          "keepalives_interval",
                          "keepalives_count",
                          "application_name",
                          nullptr};
    const char* values[] = {dsn.c_str(), limit.c_str(), "1", "10", "5", "3", "onair", nullptr};
    c_ = PQconnectdbParams(keys, values, 1);
    if (c_ == nullptr) {
        throw pg_error("out of memory connecting to PostgreSQL");
    }
    if (PQstatus(c_) != CONNECTION_OK) {
        std::string m = message_of(c_);
        PQfinish(c_);
        c_ = nullptr;
        throw pg_error(m);
    }
    // every statement bounded: a server that stops answering mid-query does not hold a
    // caller (the sink's thread, a report) for ever
    exec("SET statement_timeout = '60s'");
    exec("SET client_min_messages = warning");
}

connection::~connection() {
    if (c_ != nullptr) {
        PQfinish(c_);
    }
}
connection::connection(connection&& o) noexcept : c_(std::exchange(o.c_, nullptr)) {}
connection& connection::operator=(connection&& o) noexcept {
    std::swap(c_, o.c_);
    return *this;
}

result connection::exec(const std::string& sql, const std::vector<param>& params) {
    if (params.empty()) {
        // PQexec runs several statements in one string (a migration step)
        return checked(c_, PQexec(c_, sql.c_str()));
    }
    raw_params raw(params);
    return checked(c_, PQexecParams(c_, sql.c_str(), static_cast<int>(raw.values.size()), nullptr,
                                    raw.values.data(), nullptr, nullptr, 0));
}

void connection::prepare(const std::string& name, const std::string& sql, int n_params) {
    checked(c_, PQprepare(c_, name.c_str(), sql.c_str(), n_params, nullptr));
}

result connection::exec_prepared(const std::string& name, const std::vector<param>& params) {
    raw_params raw(params);
    return checked(c_, PQexecPrepared(c_, name.c_str(), static_cast<int>(raw.values.size()),
                                      raw.values.data(), nullptr, nullptr, 0));
}

bool connection::ok() const {
    return c_ != nullptr && PQstatus(c_) == CONNECTION_OK;
}

std::string display_dsn(const std::string& dsn) {
    return core::redact(dsn);
}

} // namespace onair::asrun_pg
