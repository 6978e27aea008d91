#pragma once

#include <string>
#include <vector>

namespace onair::core {

// A place in an input file, 1-based as editors and compilers show it.
struct location {
    std::string file;
    int line = 0;
    int column = 0;

    bool operator==(const location&) const = default;
};

enum class severity { error, warning };

struct diagnostic {
    location where;
    severity level = severity::error;
    std::string message;
};

// Collects every problem found in a run so that all of them are reported at once.
class diagnostics {
public:
    void error(const location& where, std::string message);
    void warning(const location& where, std::string message);
    void add(diagnostic d);
    void append(const diagnostics& other);

    bool has_errors() const;
    std::size_t error_count() const;
    const std::vector<diagnostic>& all() const { return items_; }
    bool empty() const { return items_.empty(); }

    // Sorted by file, line, column; stable for equal places; exact duplicates removed.
    std::vector<diagnostic> sorted() const;

private:
    std::vector<diagnostic> items_;
};

const char* to_string(severity s);

// "FILE:LINE:COL: error: MESSAGE" (the place is omitted when it has no file).
std::string format(const diagnostic& d);

} // namespace onair::core
