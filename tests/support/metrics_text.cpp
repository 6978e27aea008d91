#include "metrics_text.hpp"

#include <cstdlib>
#include <limits>
#include <sstream>

namespace onair::test_support {

std::optional<double> metric_value(const std::string& text, const std::string& series) {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
            line[series.size()] == ' ') {
            return std::strtod(line.c_str() + series.size() + 1, nullptr);
        }
    }
    return std::nullopt;
}

std::map<double, double> histogram_buckets(const std::string& text, const std::string& name) {
    std::map<double, double> buckets;
    const std::string prefix = name + "_bucket{";
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (line.rfind(prefix, 0) != 0) {
            continue;
        }
        const auto le = line.find("le=\"");
        const auto close = line.find('}');
        if (le == std::string::npos || close == std::string::npos) {
            continue;
        }
        const auto end = line.find('"', le + 4);
        const std::string bound = line.substr(le + 4, end - le - 4);
        const double b = bound == "+Inf" ? std::numeric_limits<double>::infinity()
                                         : std::strtod(bound.c_str(), nullptr);
        buckets[b] += std::strtod(line.c_str() + close + 1, nullptr);
    }
    return buckets;
}

std::optional<double> quantile_bound(const std::map<double, double>& before,
                                     const std::map<double, double>& after, double q) {
    auto count_in = [&](double bound) {
        const auto a = after.find(bound);
        const auto b = before.find(bound);
        return (a == after.end() ? 0.0 : a->second) - (b == before.end() ? 0.0 : b->second);
    };
    if (after.empty()) {
        return std::nullopt;
    }
    const double total = count_in(after.rbegin()->first);
    if (total <= 0) {
        return std::nullopt;
    }
    for (const auto& [bound, _] : after) {
        if (count_in(bound) >= q * total) {
            return bound;
        }
    }
    return after.rbegin()->first;
}

} // namespace onair::test_support
