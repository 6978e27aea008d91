#include "report/outcomes.hpp"

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

namespace onair::report {
namespace {

std::string trim(std::string s) {
    const auto b = s.find_first_not_of(" \t\r");
    const auto e = s.find_last_not_of(" \t\r");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// Splits one CSV line into cells with their 1-based columns; quotes are allowed around a cell.
std::vector<std::pair<std::string, int>> split(const std::string& line) {
    std::vector<std::pair<std::string, int>> out;
    std::string cell;
    int column = 1;
    bool quoted = false;
    for (std::size_t i = 0; i <= line.size(); ++i) {
        const char c = i < line.size() ? line[i] : ',';
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                cell += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                cell += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            out.emplace_back(trim(cell), column);
            cell.clear();
            column = static_cast<int>(i) + 2;
        } else {
            cell += c;
        }
    }
    return out;
}

} // namespace

std::optional<std::vector<outcome_series>>
parse_outcomes(const std::string& text, const std::string& name, core::diagnostics& diags) {
    std::map<std::string, outcome_series> series;
    std::istringstream in(text);
    std::string line;
    int line_no = 0;
    bool ok = true;
    bool header = true;
    auto error = [&](int column, const std::string& message) {
        diags.error(core::location{name, line_no, column}, message);
        ok = false;
    };
    while (std::getline(in, line)) {
        ++line_no;
        if (trim(line).empty()) {
            continue;
        }
        auto cells = split(line);
        if (header) {
            header = false;
            const bool good = cells.size() == 3 && cells[0].first == "date" &&
                              cells[1].first == "series" && cells[2].first == "value";
            if (!good) {
                error(1, "the first line must be the header 'date,series,value'");
                return std::nullopt;
            }
            continue;
        }
        if (cells.size() != 3) {
            error(1, "expected 3 cells (date,series,value), found " + std::to_string(cells.size()));
            continue;
        }
        auto day = core::parse_date(cells[0].first);
        if (!day) {
            error(cells[0].second, "date: " + day.error());
            continue;
        }
        if (cells[1].first.empty()) {
            error(cells[1].second, "series: empty name");
            continue;
        }
        const std::string& v = cells[2].first;
        double value = 0;
        const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), value);
        if (ec != std::errc() || end != v.data() + v.size() || !std::isfinite(value)) {
            error(cells[2].second, "value: '" + v + "' is not a number");
            continue;
        }
        auto& s = series[cells[1].first];
        s.name = cells[1].first;
        s.by_day[*day] += value;
    }
    if (header) {
        error(1, "empty file: expected the header 'date,series,value' and rows");
    }
    if (!ok) {
        return std::nullopt;
    }
    std::vector<outcome_series> out;
    for (auto& [_, s] : series) {
        out.push_back(std::move(s));
    }
    return out;
}

std::optional<std::vector<outcome_series>> read_outcomes(const std::filesystem::path& file,
                                                         core::diagnostics& diags) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        diags.error(core::location{file.string(), 0, 0}, "cannot read the outcomes file");
        return std::nullopt;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_outcomes(ss.str(), file.string(), diags);
}

std::vector<lagged_r> lagged_correlation(const std::map<core::local_days, double>& airings,
                                         const std::map<core::local_days, double>& outcome,
                                         core::local_days from, core::local_days to, int max_lag) {
    std::vector<lagged_r> out;
    for (int lag = 0; lag <= max_lag; ++lag) {
        std::vector<std::pair<double, double>> xy;
        for (auto d = from; d <= to; d += date::days{1}) {
            auto o = outcome.find(d + date::days{lag});
            if (o == outcome.end()) {
                continue;
            }
            auto a = airings.find(d);
            xy.emplace_back(a == airings.end() ? 0.0 : a->second, o->second);
        }
        lagged_r l;
        l.lag_days = lag;
        l.pairs = static_cast<int>(xy.size());
        if (xy.size() >= 3) {
            double mx = 0, my = 0;
            for (auto [x, y] : xy) {
                mx += x;
                my += y;
            }
            mx /= static_cast<double>(xy.size());
            my /= static_cast<double>(xy.size());
            double sxy = 0, sxx = 0, syy = 0;
            for (auto [x, y] : xy) {
                sxy += (x - mx) * (y - my);
                sxx += (x - mx) * (x - mx);
                syy += (y - my) * (y - my);
            }
            if (sxx > 0 && syy > 0) {
                l.r = sxy / std::sqrt(sxx * syy);
            }
        }
        out.push_back(l);
    }
    return out;
}

std::optional<lagged_r> strongest(const std::vector<lagged_r>& lags) {
    std::optional<lagged_r> best;
    for (const auto& l : lags) {
        if (l.r && l.pairs >= min_pairs_to_name && (!best || std::abs(*l.r) > std::abs(*best->r))) {
            best = l;
        }
    }
    return best;
}

} // namespace onair::report
