#pragma once

// The append-only file where as-run events wait while the store is unavailable: one line per
// event, fsync'd after each append. Used by the writer thread only. Private to onair::asrun.

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace onair::asrun {

class spill_journal {
public:
    explicit spill_journal(std::filesystem::path file);
    ~spill_journal();
    spill_journal(const spill_journal&) = delete;
    spill_journal& operator=(const spill_journal&) = delete;

    // Counts the complete lines a file left by an earlier run holds, and cuts a partial last
    // line (a crash mid-append: that event was never acknowledged). Returns an error text when
    // the file exists but cannot be read or cut.
    std::optional<std::string> load();
    // Appends `text` (whole lines, each ending in '\n') and fsyncs. On failure the file is cut
    // back to what it held before, so it never ends in half a line; returns the errno text.
    std::optional<std::string> append(const std::string& text, std::size_t lines);
    // Calls `each` with every line, in order, and its number (from 1).
    void each(const std::function<void(std::string_view line, std::size_t number)>& each) const;
    // Removes the file (all its events are in the store); returns an error text on failure.
    std::optional<std::string> clear();

    std::size_t lines() const { return lines_; }
    const std::filesystem::path& path() const { return file_; }

private:
    void close_fd();

    std::filesystem::path file_;
    int fd_ = -1;
    long long size_ = 0; // bytes of complete lines
    std::size_t lines_ = 0;
};

} // namespace onair::asrun
