#pragma once

// Helpers shared by the loader tests: scratch directories, files, a scoped working directory,
// and diagnostics as the lines `onair check` would print.

#include "core/diagnostics.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace onair::core {
// So that gtest prints a place as people read it, not as bytes.
inline void PrintTo(const location& l, std::ostream* os) {
    *os << l.file << ":" << l.line << ":" << l.column;
}
} // namespace onair::core

namespace onair::test {

namespace fs = std::filesystem;

// A fresh directory under $TMPDIR, removed with everything in it at the end of the test.
class temp_dir {
public:
    temp_dir() {
        std::string tmpl = (fs::temp_directory_path() / "onair-test-XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) {
            throw std::runtime_error("mkdtemp failed");
        }
        // canonical: the loaders make paths absolute and normal, so compare against the same
        path_ = fs::canonical(tmpl);
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;

    const fs::path& path() const { return path_; }
    fs::path operator/(const fs::path& p) const { return path_ / p; }

private:
    fs::path path_;
};

// Writes bytes exactly as given (no newline translation), creating parent directories.
inline fs::path write_file(const fs::path& p, std::string_view text) {
    if (p.has_parent_path()) {
        fs::create_directories(p.parent_path());
    }
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (!out) {
        throw std::runtime_error("cannot write " + p.string());
    }
    return p;
}

inline std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Changes the working directory for one scope. The loaders display paths relative to it, so
// the golden files depend on it.
class scoped_cwd {
public:
    explicit scoped_cwd(const fs::path& dir) : saved_(fs::current_path()) { fs::current_path(dir); }
    ~scoped_cwd() {
        std::error_code ec;
        fs::current_path(saved_, ec);
    }
    scoped_cwd(const scoped_cwd&) = delete;
    scoped_cwd& operator=(const scoped_cwd&) = delete;

private:
    fs::path saved_;
};

// Every diagnostic as `onair check` prints it: sorted, duplicates dropped.
inline std::vector<std::string> lines_of(const core::diagnostics& d) {
    std::vector<std::string> out;
    for (const auto& x : d.sorted()) {
        out.push_back(core::format(x));
    }
    return out;
}

inline std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) {
        out += l + "\n";
    }
    return out;
}

} // namespace onair::test
