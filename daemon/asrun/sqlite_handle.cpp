#include "asrun/sqlite_handle.hpp"

namespace onair::asrun::sqlite {

void fail(sqlite3* db, int rc, const std::string& what) {
    // The connection's message is the most specific one, but only while it belongs to this rc.
    std::string message = db != nullptr && sqlite3_extended_errcode(db) == rc ? sqlite3_errmsg(db)
                                                                              : sqlite3_errstr(rc);
    throw store_error(what + ": " + message, rc);
}

db_ptr open(const std::string& file, int flags) {
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(file.c_str(), &raw, flags | SQLITE_OPEN_EXRESCODE, nullptr);
    // Even a failed open may allocate a handle, which carries the message and must be closed.
    db_ptr db(raw);
    if (rc != SQLITE_OK) {
        fail(db.get(), rc, "cannot open " + file);
    }
    return db;
}

stmt_ptr prepare(sqlite3* db, const std::string& sql) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v3(db, sql.c_str(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    stmt_ptr s(raw);
    check(db, rc, "cannot prepare '" + sql + "'");
    return s;
}

void exec(sqlite3* db, const std::string& sql) {
    check(db, sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), "'" + sql + "' failed");
}

std::string query_text(sqlite3* db, const std::string& sql) {
    auto s = prepare(db, sql);
    int rc = sqlite3_step(s.get());
    if (rc != SQLITE_ROW) {
        fail(db, rc == SQLITE_DONE ? SQLITE_ERROR : rc, "'" + sql + "' returned no row");
    }
    const auto* text = sqlite3_column_text(s.get(), 0);
    return text == nullptr ? std::string{} : reinterpret_cast<const char*>(text);
}

std::int64_t query_int(sqlite3* db, const std::string& sql) {
    auto s = prepare(db, sql);
    int rc = sqlite3_step(s.get());
    if (rc != SQLITE_ROW) {
        fail(db, rc == SQLITE_DONE ? SQLITE_ERROR : rc, "'" + sql + "' returned no row");
    }
    return sqlite3_column_int64(s.get(), 0);
}

void bind_int(sqlite3* db, sqlite3_stmt* s, int index, std::int64_t v) {
    check(db, sqlite3_bind_int64(s, index, v), "cannot bind parameter");
}

void bind_text(sqlite3* db, sqlite3_stmt* s, int index, const std::string& v) {
    check(db, sqlite3_bind_text64(s, index, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
          "cannot bind parameter");
}

void bind_null(sqlite3* db, sqlite3_stmt* s, int index) {
    check(db, sqlite3_bind_null(s, index), "cannot bind parameter");
}

} // namespace onair::asrun::sqlite
