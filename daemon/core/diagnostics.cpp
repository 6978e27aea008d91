#include "core/diagnostics.hpp"

#include <algorithm>
#include <tuple>

namespace onair::core {

void diagnostics::error(const location& where, std::string message) {
    items_.push_back({where, severity::error, std::move(message)});
}

void diagnostics::warning(const location& where, std::string message) {
    items_.push_back({where, severity::warning, std::move(message)});
}

void diagnostics::add(diagnostic d) {
    items_.push_back(std::move(d));
}

void diagnostics::append(const diagnostics& other) {
    items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

bool diagnostics::has_errors() const {
    return error_count() > 0;
}

std::size_t diagnostics::error_count() const {
    return static_cast<std::size_t>(std::count_if(
        items_.begin(), items_.end(), [](const auto& d) { return d.level == severity::error; }));
}

std::vector<diagnostic> diagnostics::sorted() const {
    // Drop exact duplicates first, wherever they are: the same problem can be found twice along
    // different paths (a shared schedule, a re-read section) with other messages at the same
    // place in between, which std::unique after sorting would not catch.
    std::vector<diagnostic> out;
    out.reserve(items_.size());
    for (const auto& d : items_) {
        bool seen = std::any_of(out.begin(), out.end(), [&](const diagnostic& o) {
            return o.where == d.where && o.level == d.level && o.message == d.message;
        });
        if (!seen) {
            out.push_back(d);
        }
    }
    auto key = [](const diagnostic& d) {
        return std::tie(d.where.file, d.where.line, d.where.column);
    };
    std::stable_sort(out.begin(), out.end(),
                     [&](const diagnostic& a, const diagnostic& b) { return key(a) < key(b); });
    return out;
}

const char* to_string(severity s) {
    return s == severity::error ? "error" : "warning";
}

std::string format(const diagnostic& d) {
    std::string out;
    if (!d.where.file.empty()) {
        out += d.where.file;
        if (d.where.line > 0) {
            out += ':' + std::to_string(d.where.line) + ':' + std::to_string(d.where.column);
        }
        out += ": ";
    }
    out += to_string(d.level);
    out += ": ";
    out += d.message;
    return out;
}

} // namespace onair::core
