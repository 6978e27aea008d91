#pragma once

// A real PostgreSQL (Debian's `postgresql`) for the tests of the as-run sink and the national
// tools: its own cluster in a temp folder (initdb), on a free loopback port, its socket in that
// folder, stopped and started again at will. As root the server runs as the `postgres` user
// (PostgreSQL refuses root). Authentication is `trust` on loopback: it is a test server.

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace onair::test_support {

class postgres_server {
public:
    // initdb in a new temp folder; the server is not started yet. Fails the test (and
    // available() is false) when PostgreSQL is not installed.
    postgres_server();
    postgres_server(const postgres_server&) = delete;
    postgres_server& operator=(const postgres_server&) = delete;
    ~postgres_server(); // stops it and removes the folder

    bool available() const { return !bin_.empty(); }
    // pg_ctl start -w / stop -m fast -w; true on success.
    bool start();
    bool stop();
    int port() const { return port_; }
    // postgresql://onair@127.0.0.1:PORT/DB
    std::string dsn(const std::string& db = "postgres") const;
    // psql -c SQL on `db`: its output (tuples only, unaligned), or "ERROR..." text.
    std::string sql(const std::string& statement, const std::string& db = "postgres") const;

private:
    std::string as_owner(const std::string& command) const;
    std::filesystem::path bin_;
    std::filesystem::path dir_;
    int port_ = 0;
    bool root_ = false;
};

} // namespace onair::test_support
