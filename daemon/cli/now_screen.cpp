#include "cli/now_screen.hpp"

#include "core/redact.hpp"

#include <algorithm>
#include <cstdint>
#include <iomanip>
#include <sstream>
#include <vector>

namespace onair::cli {
namespace {

using json = nlohmann::json;

bool combining(std::uint32_t cp) {
    return (cp >= 0x0300 && cp <= 0x036F) || cp == 0x0E31 || (cp >= 0x0E34 && cp <= 0x0E3A) ||
           (cp >= 0x0E47 && cp <= 0x0E4E) || cp == 0x0EB1 || (cp >= 0x0EB4 && cp <= 0x0EBC) ||
           (cp >= 0x0EC8 && cp <= 0x0ECE) || (cp >= 0x200B && cp <= 0x200F);
}

// Decodes the code point at `i` (advancing it); a broken sequence counts as one column.
std::uint32_t next_code_point(const std::string& s, std::size_t& i) {
    const auto b = static_cast<unsigned char>(s[i]);
    const int extra = b < 0x80         ? 0
                      : (b >> 5) == 6  ? 1
                      : (b >> 4) == 14 ? 2
                      : (b >> 3) == 30 ? 3
                                       : 0;
    std::uint32_t cp = extra == 0 ? b : b & (0x3F >> extra);
    ++i;
    for (int k = 0; k < extra && i < s.size(); ++k, ++i) {
        cp = (cp << 6) | (static_cast<unsigned char>(s[i]) & 0x3F);
    }
    return cp;
}

std::int64_t ms_of(const json& j, const char* key) {
    return j.is_object() && j.contains(key) && j[key].is_number_integer()
               ? j[key].get<std::int64_t>()
               : -1;
}

std::string bar(std::int64_t elapsed, std::int64_t total, int cells) {
    const auto filled =
        total > 0 ? static_cast<int>(std::clamp<std::int64_t>(elapsed * cells / total, 0, cells))
                  : 0;
    return "[" + std::string(static_cast<std::size_t>(filled), '#') +
           std::string(static_cast<std::size_t>(cells - filled), '-') + "]";
}

void channel_lines(std::vector<std::string>& lines, const json& c, int width) {
    const bool airing = c.value("airing", false);
    std::string state = airing ? "ON AIR" : "DOWN";
    if (!airing && c.contains("down_reason") && c["down_reason"].is_string()) {
        state += ": " + c["down_reason"].get<std::string>();
    }
    lines.push_back(text_of(c, "id") + "  " + text_of(c, "name", "") + "  " + state);
    const json none = json::object();
    const json& now = c.contains("now") && c["now"].is_object() ? c["now"] : none;
    if (now.empty()) {
        lines.emplace_back("  now   filler (nothing scheduled)");
    } else {
        lines.push_back("  now   " + clock_of(now, "start", "--:--:--") + "  " +
                        text_of(now, "kind") + "  " + text_of(now, "media") + "  " +
                        text_of(now, "title", ""));
        const auto elapsed = ms_of(now, "elapsed_ms"), remaining = ms_of(now, "remaining_ms");
        if (elapsed >= 0 && remaining >= 0) {
            const int cells = std::clamp(width - 48, 10, 40);
            lines.push_back("        " + bar(elapsed, elapsed + remaining, cells) + " " +
                            hh_mm_ss(elapsed) + " / " + hh_mm_ss(elapsed + remaining) + "  " +
                            hh_mm_ss(remaining) + " left");
        }
    }
    if (c.contains("next") && c["next"].is_object()) {
        const auto& next = c["next"];
        lines.push_back("  next  " + clock_of(next, "start", "--:--:--") + "  " +
                        text_of(next, "kind") + "  " + text_of(next, "media") + "  " +
                        text_of(next, "title", ""));
    }
    if (c.contains("outputs") && c["outputs"].is_array()) {
        for (const auto& o : c["outputs"]) {
            std::string line = "  out   " + text_of(o, "name") + "  " + text_of(o, "state");
            if (text_of(o, "state") != "up" && o.contains("last_error") &&
                o["last_error"].is_string()) {
                line += ": " + o["last_error"].get<std::string>();
            }
            lines.push_back(std::move(line));
        }
    }
}

} // namespace

std::string text_of(const json& j, const char* key, const char* none) {
    if (!j.is_object() || !j.contains(key) || !j[key].is_string()) {
        return none;
    }
    return j[key].get<std::string>();
}

std::string clock_of(const json& item, const char* key, const char* none) {
    const auto iso = text_of(item, key, "");
    return iso.size() >= 19 ? iso.substr(11, 8) : none;
}

std::string hh_mm_ss(std::int64_t ms) {
    const auto s = std::max<std::int64_t>(0, ms) / 1000;
    std::ostringstream out;
    out << std::setfill('0') << std::setw(2) << s / 3600 << ':' << std::setw(2) << s / 60 % 60
        << ':' << std::setw(2) << s % 60;
    return out.str();
}

int display_width(const std::string& text) {
    int w = 0;
    for (std::size_t i = 0; i < text.size();) {
        w += combining(next_code_point(text, i)) ? 0 : 1;
    }
    return w;
}

std::string fit(const std::string& text, int width) {
    if (display_width(text) <= width) {
        return text;
    }
    int w = 0;
    std::size_t i = 0, cut = 0;
    while (i < text.size()) {
        std::size_t at = i;
        const bool zero = combining(next_code_point(text, i));
        if (!zero && w + 1 > width - 1) {
            cut = at;
            break;
        }
        w += zero ? 0 : 1;
        cut = i;
    }
    return text.substr(0, cut) + "…";
}

std::string now_screen(const json& channels, const json& health, const std::string& where,
                       const std::string& problem, int width) {
    std::vector<std::string> lines;
    std::string state = "unknown";
    if (health.is_object()) {
        state = text_of(health, "status", "unknown");
    }
    lines.push_back("onair now  " + where + "  health: " + state + "  (q quits)");
    if (!problem.empty()) {
        lines.push_back("! " + problem);
    }
    if (channels.is_object() && channels.contains("channels") && channels["channels"].is_array()) {
        for (const auto& c : channels["channels"]) {
            lines.emplace_back();
            channel_lines(lines, c, width);
        }
    }
    std::vector<std::string> alarms;
    if (health.is_object() && health.contains("degraded") && health["degraded"].is_array()) {
        for (const auto& d : health["degraded"]) {
            if (d.is_string()) {
                alarms.push_back("  " + d.get<std::string>());
            }
        }
    }
    if (!alarms.empty()) {
        lines.emplace_back();
        lines.emplace_back("alarms");
        lines.insert(lines.end(), alarms.begin(), alarms.end());
    }
    std::string out;
    for (const auto& line : lines) {
        // What a channel airs may be named by a URI (a live feed): no secret reaches the screen.
        out += fit(core::redact(line), width) + '\n';
    }
    return out;
}

} // namespace onair::cli
