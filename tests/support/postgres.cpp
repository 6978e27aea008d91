#include "postgres.hpp"

#include "process.hpp"

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <memory>
#include <random>

namespace onair::test_support {

namespace {

// The newest /usr/lib/postgresql/N/bin.
std::filesystem::path find_bin() {
    std::filesystem::path best;
    int best_version = -1;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
        const auto bin = e.path() / "bin";
        int v = -1;
        try {
            v = std::stoi(e.path().filename().string());
        } catch (const std::exception&) {
            continue;
        }
        if (v > best_version && std::filesystem::exists(bin / "initdb", ec)) {
            best = bin;
            best_version = v;
        }
    }
    return best;
}

int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t n = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &n);
    ::close(fd);
    return ntohs(a.sin_port);
}

std::string quoted(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') {
            out += "'\\''";
        } else {
            out += c;
        }
    }
    return out + "'";
}

// The command's stdout and stderr, and its exit status.
std::pair<int, std::string> shell(const std::string& command) {
    std::string out;
    FILE* p = ::popen((command + " 2>&1").c_str(), "r");
    if (p == nullptr) {
        return {-1, ""};
    }
    std::array<char, 4096> buf{};
    while (std::fgets(buf.data(), buf.size(), p) != nullptr) {
        out += buf.data();
    }
    const int status = ::pclose(p);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

} // namespace

postgres_server::postgres_server() : bin_(find_bin()), root_(::geteuid() == 0) {
    if (bin_.empty()) {
        ADD_FAILURE() << "PostgreSQL is not installed (/usr/lib/postgresql/N/bin/initdb): "
                         "`make test` installs the postgresql package";
        return;
    }
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() /
           ("onair-pg-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
    if (root_) {
        const passwd* pw = ::getpwnam("postgres");
        if (pw == nullptr) {
            ADD_FAILURE() << "no `postgres` user to run the server as";
            bin_.clear();
            return;
        }
        if (::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
            ADD_FAILURE() << "cannot hand " << dir_ << " to postgres";
        }
    }
    port_ = free_port();
    const auto [code, out] = shell(as_owner(quoted((bin_ / "initdb").string()) + " -D " +
                                            quoted((dir_ / "data").string()) +
                                            " -A trust -U onair -E UTF8 --locale=C --no-sync"));
    if (code != 0) {
        ADD_FAILURE() << "initdb failed: " << out;
        bin_.clear();
    }
}

postgres_server::~postgres_server() {
    if (!bin_.empty()) {
        stop();
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

std::string postgres_server::as_owner(const std::string& command) const {
    return root_ ? "runuser -u postgres -- sh -c " + quoted("cd / && " + command) : command;
}

bool postgres_server::start() {
    // durability off (a test server): fsync, full pages; the socket beside the data
    const std::string options = "-p " + std::to_string(port_) + " -k " + dir_.string() +
                                " -c listen_addresses=127.0.0.1 -c fsync=off "
                                "-c full_page_writes=off -c synchronous_commit=off";
    const auto [code, out] = shell(as_owner(
        quoted((bin_ / "pg_ctl").string()) + " -D " + quoted((dir_ / "data").string()) + " -l " +
        quoted((dir_ / "server.log").string()) + " -o " + quoted(options) + " -w -t 30 start"));
    if (code != 0) {
        ADD_FAILURE() << "pg_ctl start failed: " << out << slurp(dir_ / "server.log");
    }
    return code == 0;
}

bool postgres_server::stop() {
    const auto [code, out] =
        shell(as_owner(quoted((bin_ / "pg_ctl").string()) + " -D " +
                       quoted((dir_ / "data").string()) + " -m fast -w -t 30 stop"));
    return code == 0;
}

std::string postgres_server::dsn(const std::string& db) const {
    return "postgresql://onair@127.0.0.1:" + std::to_string(port_) + "/" + db;
}

std::string postgres_server::sql(const std::string& statement, const std::string& db) const {
    return shell(quoted((bin_ / "psql").string()) + " -X -q -t -A -d " + quoted(dsn(db)) + " -c " +
                 quoted(statement))
        .second;
}

} // namespace onair::test_support
