#include "core/redact.hpp"

#include <array>
#include <cctype>

namespace onair::core {
namespace {

constexpr std::string_view mask = "***";

constexpr std::array<std::string_view, 8> secret_names{
    "passphrase", "password", "passwd", "pass", "key", "streamid", "token", "secret"};

char lower(char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

bool iequal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) {
            return false;
        }
    }
    return true;
}

bool is_secret_name(std::string_view name) {
    for (auto s : secret_names) {
        if (iequal(name, s)) {
            return true;
        }
    }
    return false;
}

bool scheme_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '-' || c == '.';
}

// Where a URI stops: white space, control characters, quotes and the characters a URI never
// holds unescaped and prose puts around one.
bool ends_uri(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= ' ' || u == 0x7f || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`' ||
           c == '{' || c == '}' || c == '|' || c == '\\' || c == '^';
}

// Where a NAME=VALUE outside a URI stops.
bool ends_value(char c) {
    return ends_uri(c) || c == '&' || c == ';' || c == ',' || c == ')';
}

// What may come right before a NAME=VALUE for NAME to be a whole word.
bool starts_word(std::string_view text, std::size_t i) {
    if (i == 0) {
        return true;
    }
    const char c = text[i - 1];
    const auto u = static_cast<unsigned char>(c);
    return u <= ' ' || c == '?' || c == '&' || c == ';' || c == ',' || c == '(' || c == '[' ||
           c == '{' || c == '"' || c == '\'';
}

// The end of the URI found in the run of scheme characters starting at i (a URI is
// "scheme://..." with a scheme that starts with a letter), or npos when there is none; then
// `run_end` is where the run of scheme characters ends. `scheme_at` is where the scheme starts.
std::size_t uri_end(std::string_view text, std::size_t i, std::size_t& scheme_at,
                    std::size_t& run_end) {
    std::size_t j = i;
    while (j < text.size() && scheme_char(text[j])) {
        ++j;
    }
    run_end = j;
    scheme_at = i;
    while (scheme_at < j && std::isalpha(static_cast<unsigned char>(text[scheme_at])) == 0) {
        ++scheme_at;
    }
    if (scheme_at == j || text.substr(j, 3) != "://") {
        return std::string_view::npos;
    }
    j += 3;
    while (j < text.size() && !ends_uri(text[j])) {
        ++j;
    }
    return j;
}

// "a=1&passphrase=x" -> "a=1&passphrase=***". The whole rest of the URI counts as the query
// (a '#' included): SRT stream ids are often written "#!::r=..." unescaped.
void redact_query(std::string_view query, std::string& out) {
    while (true) {
        const auto amp = query.find_first_of("&;");
        const auto part = query.substr(0, amp);
        const auto eq = part.find('=');
        if (eq != std::string_view::npos && eq + 1 < part.size() &&
            is_secret_name(part.substr(0, eq))) {
            out.append(part.substr(0, eq + 1));
            out.append(mask);
        } else {
            out.append(part);
        }
        if (amp == std::string_view::npos) {
            return;
        }
        out += query[amp];
        query.remove_prefix(amp + 1);
    }
}

void redact_uri(std::string_view uri, std::string& out) {
    const auto sep = uri.find("://");
    const auto scheme = uri.substr(0, sep);
    out.append(uri.substr(0, sep + 3));
    auto rest = uri.substr(sep + 3);
    const auto authority_end = std::min(rest.find_first_of("/?#"), rest.size());
    const auto authority = rest.substr(0, authority_end);
    if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
        out.append(mask);
        out.append(authority.substr(at));
    } else {
        out.append(authority);
    }
    rest.remove_prefix(authority_end);
    const auto query_at = std::min(rest.find('?'), rest.size());
    auto path = rest.substr(0, query_at);
    if (iequal(scheme, "rtmp") || iequal(scheme, "rtmps")) {
        // The stream key is the last segment of the path ("/live2/KEY"), a trailing slash
        // aside. A path of one segment is hidden as well: rtmp puts the key there too.
        auto end = path.size();
        while (end > 0 && path[end - 1] == '/') {
            --end;
        }
        const auto slash = path.rfind('/', end == 0 ? 0 : end - 1);
        if (slash != std::string_view::npos && slash + 1 < end) {
            out.append(path.substr(0, slash + 1));
            out.append(mask);
            out.append(path.substr(end));
            path = {};
        }
    }
    out.append(path);
    if (query_at < rest.size()) {
        out += '?';
        redact_query(rest.substr(query_at + 1), out);
    }
}

// The length of a secret NAME=VALUE starting at i (its value not empty), or 0.
std::size_t name_length_at(std::string_view text, std::size_t i) {
    if (!starts_word(text, i)) {
        return 0;
    }
    for (auto s : secret_names) {
        if (i + s.size() < text.size() && text[i + s.size()] == '=' &&
            iequal(text.substr(i, s.size()), s)) {
            return s.size();
        }
    }
    return 0;
}

} // namespace

std::string redact(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        if (const auto n = name_length_at(text, i); n > 0) {
            const std::size_t v = i + n + 1;
            std::size_t end = v;
            if (v < text.size() && (text[v] == '"' || text[v] == '\'')) {
                // A quoted value runs to its closing quote (or to the end of the text).
                const auto close = text.find(text[v], v + 1);
                end = close == std::string_view::npos ? text.size() : close + 1;
            } else {
                while (end < text.size() && !ends_value(text[end])) {
                    ++end;
                }
            }
            if (end > v) {
                out.append(text.substr(i, n + 1));
                out.append(mask);
                i = end;
                continue;
            }
        }
        if (!scheme_char(text[i])) {
            out += text[i];
            ++i;
            continue;
        }
        // A run of scheme characters: a URI when "://" follows it. No name can start inside
        // the run (a name must follow a separator), so the run is passed over whole: linear.
        std::size_t scheme_at = i, run_end = i;
        const auto end = uri_end(text, i, scheme_at, run_end);
        if (end == std::string_view::npos) {
            out.append(text.substr(i, run_end - i));
            i = run_end;
            continue;
        }
        out.append(text.substr(i, scheme_at - i));
        redact_uri(text.substr(scheme_at, end - scheme_at), out);
        i = end;
    }
    return out;
}

} // namespace onair::core
