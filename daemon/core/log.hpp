#pragma once

// Log lines for journald: no timestamp (journald adds one), a constant message and key=value
// fields, on stderr. One logger is made by main and passed to whoever logs (the service, the
// playout engine, media probing): there is no global one. Thread-safe: GStreamer's streaming
// threads may log through it.

#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>

namespace onair::core {

// A value as one token: quoted when it holds a space, a quote, '=' or a control
// character; newlines and other control characters escaped, so one event is one line.
inline std::string log_value(std::string_view text) {
    bool plain = !text.empty();
    for (unsigned char c : text) {
        if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f) {
            plain = false;
            break;
        }
    }
    if (plain) {
        return std::string(text);
    }
    std::string out = "\"";
    for (unsigned char c : text) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (c < 0x20 || c == 0x7f) {
                static const char hex[] = "0123456789abcdef";
                out += "\\x";
                out += hex[c >> 4];
                out += hex[c & 15];
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    out += '"';
    return out;
}

enum class level { debug, info, warning, error };

class logger {
public:
    // `journal`: stderr goes to journald (JOURNAL_STREAM is set), which files each line under
    // the level in its "<N>" prefix.
    explicit logger(std::ostream& out = std::cerr, level min = level::info, bool journal = false)
        : out_(out), min_(min), journal_(journal) {}

    // fields: alternating keys and values ("channel", id, "media", m, ...)
    template <typename... Fields>
    void log(level l, std::string_view message, const Fields&... fields) {
        if (l < min_) {
            return;
        }
        std::ostringstream line;
        line << (journal_ ? syslog_prefix(l) : "") << label(l);
        for (char c : message) { // a message is one line whatever it holds
            line << (c == '\n' || c == '\r' ? ' ' : c);
        }
        append(line, fields...);
        line << '\n';
        std::lock_guard lock(mutex_);
        out_ << line.str() << std::flush;
    }
    template <typename... F> void debug(std::string_view m, const F&... f) {
        log(level::debug, m, f...);
    }
    template <typename... F> void info(std::string_view m, const F&... f) {
        log(level::info, m, f...);
    }
    template <typename... F> void warning(std::string_view m, const F&... f) {
        log(level::warning, m, f...);
    }
    template <typename... F> void error(std::string_view m, const F&... f) {
        log(level::error, m, f...);
    }

private:
    static const char* syslog_prefix(level l) {
        switch (l) {
        case level::debug:
            return "<7>";
        case level::info:
            return "<6>";
        case level::warning:
            return "<4>";
        case level::error:
            return "<3>";
        }
        return "";
    }
    static const char* label(level l) {
        switch (l) {
        case level::warning:
            return "warning: ";
        case level::error:
            return "error: ";
        default:
            return "";
        }
    }
    static void append(std::ostringstream&) {}
    template <typename K, typename V, typename... Rest>
    static void append(std::ostringstream& line, const K& key, const V& value,
                       const Rest&... rest) {
        std::ostringstream v;
        v << value;
        const std::string text = v.str();
        line << ' ' << key << '=';
        line << log_value(text);
        append(line, rest...);
    }

    std::ostream& out_;
    level min_;
    bool journal_;
    std::mutex mutex_;
};

} // namespace onair::core
