#include "process.hpp"

#include <gtest/gtest.h>

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace onair::test_support {

const char* onair_binary() {
    return ONAIR_BINARY;
}

std::string run_capture(const std::string& args) {
    std::string out;
    const std::string cmd = std::string(ONAIR_BINARY) + " " + args + " 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    if (p == nullptr) {
        return out;
    }
    std::array<char, 4096> buf{};
    while (std::fgets(buf.data(), buf.size(), p) != nullptr) {
        out += buf.data();
    }
    ::pclose(p);
    return out;
}

run_result run_onair(const std::string& args) {
    run_result r;
    FILE* p = ::popen((std::string(ONAIR_BINARY) + " " + args).c_str(), "r");
    if (p == nullptr) {
        return r;
    }
    std::array<char, 4096> buf{};
    for (std::size_t n; (n = std::fread(buf.data(), 1, buf.size(), p)) > 0;) {
        r.out.append(buf.data(), n);
    }
    const int status = ::pclose(p);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

daemon_process::daemon_process(const std::filesystem::path& config,
                               const std::filesystem::path& log,
                               const std::vector<std::string>& env,
                               const std::vector<std::string>& args) {
    // the argument vector is made before the fork: the child only execs
    std::vector<std::string> words{ONAIR_BINARY, "run", "--config", config.string()};
    words.insert(words.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& w : words) {
        argv.push_back(w.data());
    }
    argv.push_back(nullptr);
    pid = ::fork();
    if (pid == 0) {
        for (const auto& e : env) {
            const auto eq = e.find('=');
            ::setenv(e.substr(0, eq).c_str(), e.substr(eq + 1).c_str(), 1);
        }
        const std::string l = log.string();
        std::freopen(l.c_str(), "a", stderr);
        std::freopen(l.c_str(), "a", stdout);
        ::execv(ONAIR_BINARY, argv.data());
        std::_Exit(127);
    }
}

int daemon_process::stop(int sig) {
    if (pid > 0) {
        ::kill(pid, sig);
        int st = 0;
        ::waitpid(pid, &st, 0);
        pid = -1;
        status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    }
    return status_;
}

bool daemon_process::running() {
    if (pid <= 0) {
        return false;
    }
    int st = 0;
    if (::waitpid(pid, &st, WNOHANG) == pid) {
        pid = -1;
        status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        return false;
    }
    return true;
}

daemon_process::~daemon_process() {
    if (pid > 0) {
        stop(SIGKILL);
    }
}

notify_socket::notify_socket() : name("onair-test-notify-" + std::to_string(::getpid())) {
    fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::copy(name.begin(), name.end(), a.sun_path + 1); // sun_path[0] = 0: abstract
    const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), len) != 0) {
        ADD_FAILURE() << "cannot bind the notify socket";
    }
}

notify_socket::~notify_socket() {
    ::close(fd);
}

void notify_socket::collect(std::chrono::steady_clock::time_point until) {
    for (auto now = std::chrono::steady_clock::now(); now < until;
         now = std::chrono::steady_clock::now()) {
        pollfd p{fd, POLLIN, 0};
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - now);
        if (::poll(&p, 1, static_cast<int>(left.count()) + 1) == 1) {
            std::array<char, 4096> buf{};
            const auto n = ::recv(fd, buf.data(), buf.size(), 0);
            if (n > 0) {
                received.push_back({std::chrono::steady_clock::now(),
                                    std::string(buf.data(), static_cast<std::size_t>(n))});
            }
        }
    }
}

std::vector<std::chrono::steady_clock::time_point>
notify_socket::times_of(const std::string& text) const {
    std::vector<std::chrono::steady_clock::time_point> t;
    for (const auto& m : received) {
        if (m.text.find(text) != std::string::npos) {
            t.push_back(m.at);
        }
    }
    return t;
}

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

int count_of(const std::string& hay, const std::string& needle) {
    int n = 0;
    for (auto at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) {
        ++n;
    }
    return n;
}

} // namespace onair::test_support
