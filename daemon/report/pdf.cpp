#include "report/pdf.hpp"

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace onair::report {
namespace {

std::filesystem::path find_browser(const pdf_options& o) {
    if (!o.browser.empty()) {
        return o.browser;
    }
    if (const char* env = std::getenv("ONAIR_CHROMIUM"); env != nullptr && *env != '\0') {
        return env;
    }
    const char* path = std::getenv("PATH");
    std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
    std::size_t start = 0;
    while (start <= dirs.size()) {
        const auto end = std::min(dirs.find(':', start), dirs.size());
        for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
            auto candidate = std::filesystem::path(dirs.substr(start, end - start)) / name;
            if (::access(candidate.c_str(), X_OK) == 0) {
                return candidate;
            }
        }
        start = end + 1;
    }
    return {};
}

// A private temporary folder, removed when it goes out of scope.
struct temp_dir {
    std::filesystem::path path;
    temp_dir() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "onair-pdf-XXXXXX").string();
        if (::mkdtemp(pattern.data()) != nullptr) {
            path = pattern;
        }
    }
    ~temp_dir() {
        std::error_code ec;
        if (!path.empty()) {
            std::filesystem::remove_all(path, ec);
        }
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
};

// Runs `args` (its output thrown away) in a process group of its own, waiting at most
// `timeout`; the whole group is killed after. Its exit status, or empty with `error` set.
std::optional<int> run_browser(std::vector<std::string> args, std::chrono::seconds timeout,
                               std::string& error) {
    std::vector<char*> argv;
    for (auto& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
        error = "cannot start " + args[0] + ": " + std::strerror(rc);
        return std::nullopt;
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (::waitpid(pid, &status, WNOHANG) != pid) {
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(-pid, SIGKILL); // its whole group: chromium leaves helpers behind
            ::waitpid(pid, &status, 0);
            error =
                args[0] + " did not finish the PDF in " + std::to_string(timeout.count()) + " s";
            return std::nullopt;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(-pid, SIGKILL); // helpers of the group that outlived it, if any
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

} // namespace

std::optional<std::string> html_to_pdf(const std::string& html, std::string& error,
                                       const pdf_options& options) {
    const auto browser = find_browser(options);
    if (browser.empty()) {
        error = "no chromium to print the PDF with: install Debian's chromium package (or set "
                "ONAIR_CHROMIUM), or use --format html";
        return std::nullopt;
    }
    temp_dir dir;
    if (dir.path.empty()) {
        error = "cannot create a temporary folder for the PDF";
        return std::nullopt;
    }
    const auto in = dir.path / "report.html";
    const auto out = dir.path / "report.pdf";
    {
        std::ofstream f(in, std::ios::binary);
        f << html;
        if (!f) {
            error = "cannot write " + in.string();
            return std::nullopt;
        }
    }
    std::vector<std::string> args{browser.string(),
                                  "--headless",
                                  "--no-sandbox", // as root (a service or a test) it refuses else
                                  "--disable-gpu",
                                  "--disable-dev-shm-usage",
                                  "--no-first-run",
                                  "--no-default-browser-check",
                                  "--disable-extensions",
                                  "--disable-background-networking",
                                  "--user-data-dir=" + (dir.path / "profile").string(),
                                  "--no-pdf-header-footer",
                                  "--print-to-pdf=" + out.string(),
                                  "file://" + in.string()};
    const auto status = run_browser(std::move(args), options.timeout, error);
    if (!status) {
        return std::nullopt;
    }
    std::ifstream f(out, std::ios::binary);
    std::string bytes{std::istreambuf_iterator<char>(f), {}};
    if (bytes.size() < 5 || bytes.compare(0, 5, "%PDF-") != 0) {
        error = browser.string() + " wrote no PDF (exit status " + std::to_string(*status) + ")";
        return std::nullopt;
    }
    return bytes;
}

} // namespace onair::report
