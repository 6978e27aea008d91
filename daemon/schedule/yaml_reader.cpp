#include "schedule/yaml_reader.hpp"

#include "core/ids.hpp"
#include "schedule/load.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

namespace onair::schedule::detail {

std::string shorten(std::string_view text, std::size_t max_bytes) {
    if (text.size() <= max_bytes) {
        return std::string(text);
    }
    std::size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
        --cut; // never split a UTF-8 sequence
    }
    return std::string(text.substr(0, cut)) + "...";
}

namespace {

// Returns the byte offset of the first invalid UTF-8 sequence, or npos.
std::size_t invalid_utf8_at(const std::string& s) {
    std::size_t i = 0;
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    while (i < s.size()) {
        unsigned char c = p[i];
        std::size_t n = 0;
        unsigned cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3;
            cp = c & 0x07;
        } else {
            return i;
        }
        for (std::size_t k = 1; k <= n; ++k) {
            if (i + k >= s.size() || (p[i + k] & 0xC0) != 0x80) {
                return i;
            }
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        bool overlong = (n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000);
        if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return i;
        }
        i += n + 1;
    }
    return std::string::npos;
}

core::location location_of_offset(const std::string& display, const std::string& text,
                                  std::size_t offset) {
    int line = 1, col = 1;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            col = 1;
        } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
            ++col;
        }
    }
    return {display, line, col};
}

bool is_blank_document(const std::string& text) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        auto first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos || line[first] == '#') {
            continue;
        }
        if (line.compare(first, 3, "---") == 0 &&
            line.find_first_not_of(" \t\r", first + 3) == std::string::npos) {
            continue;
        }
        return false;
    }
    return true;
}

std::string quoted(const YAML::Node& n) {
    return "'" + shorten(n.Scalar()) + "'";
}

// Characters (not bytes) from the start of the line to `offset`, 1-based.
int column_at(const std::string& text, std::size_t offset) {
    std::size_t start = text.rfind('\n', offset == 0 ? 0 : offset - 1);
    start = (start == std::string::npos || offset == 0) ? 0 : start + 1;
    int col = 1;
    for (std::size_t i = start; i < offset && i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
            ++col;
        }
    }
    return col;
}

// The first tab in the indentation of a line up to `last_line` (1-based). YAML indents with
// spaces only, and yaml-cpp's message for a tab ("illegal map value", "illegal block entry")
// often points past it.
std::optional<core::location> tab_in_indentation(const std::string& display,
                                                 const std::string& text, int last_line) {
    std::istringstream in(text);
    std::string line;
    for (int n = 1; n <= last_line && std::getline(in, line); ++n) {
        auto first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos || line[first] == '#') {
            continue;
        }
        if (auto tab = line.find('\t'); tab < first) {
            return core::location{display, n, static_cast<int>(tab) + 1};
        }
    }
    return std::nullopt;
}

// The innermost '[' (or '{') still open at `end`. yaml-cpp reports an unclosed flow collection
// where it gave up, often lines later; the opening bracket is what the user has to fix.
std::optional<std::size_t> unclosed_bracket(const std::string& text, std::size_t end, char open) {
    std::vector<std::size_t> stack;
    char quote = 0;
    for (std::size_t i = 0; i < end && i < text.size(); ++i) {
        char c = text[i];
        if (quote) {
            if (c == quote) {
                quote = 0;
            } else if (c == '\n' && stack.empty()) {
                quote = 0; // a stray quote in a plain scalar: do not let it swallow the file
            }
            continue;
        }
        if (c == '#' &&
            (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\t' || text[i - 1] == '\n')) {
            while (i < end && text[i] != '\n') {
                ++i;
            }
            continue;
        }
        if ((c == '"' || c == '\'') &&
            (i == 0 || std::string_view(" \t\n[{,:").find(text[i - 1]) != std::string::npos)) {
            quote = c;
        } else if (c == '[' || c == '{') {
            stack.push_back(i);
        } else if ((c == ']' || c == '}') && !stack.empty()) {
            stack.pop_back();
        }
    }
    for (auto it = stack.rbegin(); it != stack.rend(); ++it) {
        if (text[*it] == open) {
            return *it;
        }
    }
    return std::nullopt;
}

// yaml-cpp's messages name the parser's state; add what the user most likely has to do.
std::string syntax_message(const std::string& msg) {
    static const std::map<std::string, std::string> hints{
        {"end of map not found", "check the indentation of this line"},
        {"end of sequence not found", "check the indentation of this line"},
        {"illegal map value", "a ':' where none can go: check the indentation, or quote a value "
                              "that contains ': '"},
        {"illegal block entry", "a '- ' list item where no list can start: check the indentation"},
        {"illegal tab when looking for indentation", "indent with spaces, not tabs"},
    };
    auto it = hints.find(msg);
    return "YAML syntax error: " + msg + (it == hints.end() ? "" : " (" + it->second + ")");
}

// A document over a bound of shape, found by the pre-pass.
struct shape_exceeded {
    YAML::Mark mark;
    std::string message;
};

// The pre-pass: yaml-cpp's events, counted before any node is built. A document too deep or too
// large is refused here, in a few ms and little memory, where building it would take seconds
// and hundreds of MB (2 million list items fit in 4 MiB), and where an alias can repeat a large
// list many times over ("billion laughs") or refer to the list it is in (a cycle, which would
// make any walk over the document endless).
class shape_guard : public YAML::EventHandler {
public:
    void OnDocumentStart(const YAML::Mark&) override { done_.clear(); } // anchors are per document
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { leaf(mark, anchor); }
    void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  const std::string&) override {
        leaf(mark, anchor);
    }
    void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
        auto it = done_.find(anchor);
        if (it == done_.end()) {
            // yaml-cpp lets an alias name a list or map still open around it (an unknown anchor
            // is a syntax error before this is called)
            throw shape_exceeded{mark, "an alias to the list or map it is inside (a cycle); "
                                       "expected an alias to a finished value"};
        }
        count(mark, it->second.nodes);
        reach(mark, depth_ + it->second.height);
    }
    void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                         YAML::EmitterStyle::value) override {
        open(mark, anchor);
    }
    void OnSequenceEnd() override { close(); }
    void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                    YAML::EmitterStyle::value) override {
        open(mark, anchor);
    }
    void OnMapEnd() override { close(); }

private:
    struct extent {
        std::size_t nodes = 0;
        int height = 0; // levels of lists and maps, itself included
    };
    struct open_collection {
        YAML::anchor_t anchor;
        std::size_t nodes_before;
        int depth;
        int deepest;
    };

    void count(const YAML::Mark& mark, std::size_t n) {
        nodes_ += n;
        if (nodes_ > limits::yaml_nodes) {
            throw shape_exceeded{
                mark, "the document has more than " + std::to_string(limits::yaml_nodes) +
                          " keys, values and list items (an alias counts as all it repeats); "
                          "expected at most " +
                          std::to_string(limits::yaml_nodes)};
        }
    }
    void reach(const YAML::Mark& mark, int depth) {
        if (depth > limits::yaml_depth) {
            throw shape_exceeded{mark, "lists and maps nested more than " +
                                           std::to_string(limits::yaml_depth) +
                                           " deep; expected at most " +
                                           std::to_string(limits::yaml_depth) + " levels"};
        }
        if (!open_.empty()) {
            open_.back().deepest = std::max(open_.back().deepest, depth);
        }
    }
    void leaf(const YAML::Mark& mark, YAML::anchor_t anchor) {
        count(mark, 1);
        if (anchor != YAML::NullAnchor) {
            done_[anchor] = {1, 0};
        }
    }
    void open(const YAML::Mark& mark, YAML::anchor_t anchor) {
        count(mark, 1);
        ++depth_;
        reach(mark, depth_);
        open_.push_back({anchor, nodes_ - 1, depth_, depth_});
    }
    void close() {
        const open_collection c = open_.back();
        open_.pop_back();
        --depth_;
        if (!open_.empty()) {
            open_.back().deepest = std::max(open_.back().deepest, c.deepest);
        }
        if (c.anchor != YAML::NullAnchor) {
            done_[c.anchor] = {nodes_ - c.nodes_before, c.deepest - c.depth + 1};
        }
    }

    std::size_t nodes_ = 0;
    int depth_ = 0;
    std::vector<open_collection> open_;
    std::map<YAML::anchor_t, extent> done_;
};

} // namespace

std::string describe(const YAML::Node& n) {
    if (!n.IsDefined() || n.IsNull()) {
        return "nothing (null)";
    }
    if (n.IsMap()) {
        return "a map";
    }
    if (n.IsSequence()) {
        return "a list";
    }
    return quoted(n);
}

// Long: the limits checked before yaml-cpp sees a byte (size, depth, values, aliases), in order.
std::optional<yaml_file> read_yaml_file(const std::filesystem::path& file,
                                        const std::string& display, const core::location& named_at,
                                        core::diagnostics& diags) {
    bool named = named_at.line > 0;
    core::location whole = named ? named_at : core::location{display, 0, 0};
    std::string prefix = named ? "cannot open '" + display + "': " : "";
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec)) {
        diags.error(whole, prefix + "is a directory, expected a YAML file");
        return std::nullopt;
    }
    // Too large a file is refused before it is read: yaml-cpp builds a node of some hundred
    // bytes for every value, so a few MB of text would cost the daemon a GB of memory.
    auto too_large = [&](const std::string& size) {
        diags.error(named ? named_at : core::location{display, 1, 1},
                    (named ? "'" + display + "' " : std::string("the file ")) + size +
                        "; a YAML file may have at most " +
                        std::to_string(limits::yaml_file_bytes) +
                        " bytes (4 MiB), and nothing in it was read");
    };
    if (auto size = std::filesystem::file_size(file, ec); !ec && size > limits::yaml_file_bytes) {
        too_large("is " + std::to_string(size) + " bytes");
        return std::nullopt;
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        diags.error(whole, prefix + (std::filesystem::exists(file, ec)
                                         ? "cannot read the file (permission denied?)"
                                         : "no such file"));
        return std::nullopt;
    }
    // Read no more than the limit even when the size said otherwise: a device or a pipe has no
    // size, and a file can grow while it is read.
    auto text = std::make_shared<std::string>();
    char chunk[16384];
    while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
        text->append(chunk, std::size_t(in.gcount()));
        if (text->size() > limits::yaml_file_bytes) {
            too_large("has more than " + std::to_string(limits::yaml_file_bytes) + " bytes");
            return std::nullopt;
        }
    }
    if (text->size() >= 3 && text->compare(0, 3, "\xEF\xBB\xBF") == 0) {
        text->erase(0, 3); // a UTF-8 byte order mark is harmless
    }
    if (auto bad = invalid_utf8_at(*text); bad != std::string::npos) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>((*text)[bad]));
        diags.error(location_of_offset(display, *text, bad),
                    std::string("the file is not valid UTF-8 (byte ") + hex +
                        "); save it as UTF-8");
        return std::nullopt;
    }
    if (auto nul = text->find('\0'); nul != std::string::npos) {
        diags.error(location_of_offset(display, *text, nul),
                    "the file contains a NUL byte; expected YAML text");
        return std::nullopt;
    }
    if (is_blank_document(*text)) {
        diags.error({display, 1, 1}, "the file is empty; expected a YAML map");
        return std::nullopt;
    }
    yaml_file out;
    out.text = text;
    try {
        {
            std::istringstream in(*text);
            YAML::Parser parser(in);
            shape_guard guard;
            while (parser.HandleNextDocument(guard)) {
            }
        }
        auto docs = YAML::LoadAll(*text);
        if (docs.size() > 1) {
            diags.error({display, 1, 1}, "the file holds " + std::to_string(docs.size()) +
                                             " YAML documents; expected one");
            return std::nullopt;
        }
        out.root = docs.empty() ? YAML::Node() : docs.front();
    } catch (const shape_exceeded& e) {
        diags.error({display, e.mark.line + 1, column_at(*text, std::size_t(e.mark.pos))},
                    e.message);
        return std::nullopt;
    } catch (const YAML::DeepRecursion& e) {
        // Not expected past the pre-pass (its bound is lower); yaml-cpp's own message for this
        // is "bad file"
        diags.error({display, e.mark.is_null() ? 1 : e.mark.line + 1,
                     e.mark.is_null() ? 1 : column_at(*text, std::size_t(e.mark.pos))},
                    "lists and maps nested more than " + std::to_string(e.depth()) + " deep");
        return std::nullopt;
    } catch (const YAML::Exception& e) {
        const int line = e.mark.is_null() ? 1 : e.mark.line + 1;
        const std::size_t pos = e.mark.is_null() ? text->size() : std::size_t(e.mark.pos);
        if (auto tab = tab_in_indentation(display, *text, line)) {
            diags.error(*tab, "YAML syntax error: a tab in the indentation; YAML indents with "
                              "spaces only");
            return std::nullopt;
        }
        for (auto [what, open, close, kind] :
             {std::tuple{"end of sequence flow not found", '[', ']', "list"},
              std::tuple{"end of map flow not found", '{', '}', "map"}}) {
            if (e.msg == what) {
                if (auto at = unclosed_bracket(*text, pos, open)) {
                    diags.error(location_of_offset(display, *text, *at),
                                std::string("YAML syntax error: this '") + open +
                                    "' is never closed; expected '" + close + "' to end the " +
                                    kind);
                    return std::nullopt;
                }
            }
        }
        diags.error({display, line, e.mark.is_null() ? 1 : column_at(*text, pos)},
                    syntax_message(e.msg));
        return std::nullopt;
    }
    if (!out.root.IsMap()) {
        const auto& m = out.root.Mark();
        diags.error({display, m.is_null() ? 1 : m.line + 1,
                     m.is_null() ? 1 : column_at(*text, std::size_t(m.pos))},
                    "expected a map of settings at the top level, found " + describe(out.root));
        return std::nullopt;
    }
    return out;
}

core::location reader::at(const YAML::Mark& m) const {
    if (m.is_null()) {
        return {file_, 1, 1};
    }
    if (text_ && m.pos >= 0 && std::size_t(m.pos) <= text_->size()) {
        return {file_, m.line + 1, column_at(*text_, std::size_t(m.pos))};
    }
    return {file_, m.line + 1, m.column + 1};
}

bool reader::is_null_word(const YAML::Node& n) const {
    if (!n.IsNull() || !text_ || n.Mark().is_null() || n.Mark().pos < 0) {
        return false;
    }
    std::string_view rest(*text_);
    rest.remove_prefix(std::min<std::size_t>(std::size_t(n.Mark().pos), rest.size()));
    // An empty value carries the mark of whatever follows it, which may itself start with
    // "null" (a key "null_x:"): the word must end there.
    for (std::string_view word : {"null", "Null", "NULL", "~"}) {
        if (rest.substr(0, word.size()) == word &&
            (rest.size() == word.size() ||
             std::string_view(" \t\r\n,]}#").find(rest[word.size()]) != std::string_view::npos)) {
            return true;
        }
    }
    return false;
}

std::optional<std::string> closest(std::string_view word,
                                   const std::vector<std::string>& candidates) {
    // Two edits turn most short words into other short words ("ads" -> "all"): short words get
    // one, longer ones a third of their length (at least two, for a swapped pair: "titel").
    if (word.size() <= 2 || word.size() > 64) {
        // "b" is one edit from every other one-letter id; nobody mistypes a 65-letter key (and
        // the distance is quadratic)
        return std::nullopt;
    }
    std::string best;
    std::size_t best_d = (word.size() < 5 ? 1 : std::max<std::size_t>(2, word.size() / 3)) + 1;
    for (const auto& c : candidates) {
        if (auto d = core::edit_distance(word, c); d < best_d) {
            best_d = d;
            best = c;
        }
    }
    if (best.empty()) {
        return std::nullopt;
    }
    return best;
}

field named_by_id(const field& f, const std::string& section) {
    field out = f;
    if (!f.value.IsMap()) {
        return out;
    }
    // Not map["id"]: for a missing key yaml-cpp returns an invalid node that throws when asked
    // anything.
    for (auto it = f.value.begin(); it != f.value.end(); ++it) {
        if (it->first.IsScalar() && it->first.Scalar() == "id") {
            if (it->second.IsScalar() && core::is_valid_id(it->second.Scalar())) {
                out.name = section + "." + it->second.Scalar();
            }
            break;
        }
    }
    return out;
}

void reader::type_error(const field& f, const std::string& expected) {
    error(f.value_at,
          "field '" + f.name + "': expected " + expected + ", found " + describe(f.value));
}

std::optional<std::string> reader::string(const field& f) {
    if (!f.value.IsScalar()) {
        type_error(f, "a string");
        return std::nullopt;
    }
    return f.value.Scalar();
}

std::optional<std::string> reader::id(const field& f) {
    if (!f.value.IsScalar()) {
        type_error(f, "an id of [a-z0-9-]+");
        return std::nullopt;
    }
    const std::string& s = f.value.Scalar();
    if (!core::is_valid_id(s)) {
        // Offer the id the user most likely meant: lower case, anything else a dash.
        std::string fixed;
        for (char c : s) {
            if (c >= 'A' && c <= 'Z') {
                fixed += char(c - 'A' + 'a');
            } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') {
                fixed += c;
            } else if (static_cast<unsigned char>(c) < 0x80 || (c & 0xC0) == 0xC0) {
                fixed += '-'; // one dash per character, not per byte
            }
        }
        std::string hint = core::is_valid_id(fixed) ? " (did you mean '" + fixed + "'?)" : "";
        error(f.value_at, "field '" + f.name +
                              "': expected an id of lower-case letters, digits and '-', found " +
                              quoted(f.value) + hint);
        return std::nullopt;
    }
    return s;
}

template <typename T>
std::optional<T> reader::ranged(const field& f, T min, T max, const std::string& expected) {
    if (!f.value.IsScalar()) {
        type_error(f, expected);
        return std::nullopt;
    }
    const std::string& s = f.value.Scalar();
    T v{};
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    bool whole = ec == std::errc() && p == s.data() + s.size() && !s.empty();
    if constexpr (std::is_floating_point_v<T>) {
        whole = whole && std::isfinite(v);
    }
    if (!whole) {
        type_error(f, expected);
        return std::nullopt;
    }
    if (v < min || v > max) {
        error(f.value_at,
              "field '" + f.name + "': " + s + " is out of range, expected " + expected);
        return std::nullopt;
    }
    return v;
}

std::optional<long long> reader::integer(const field& f, long long min, long long max) {
    return ranged(f, min, max,
                  "an integer from " + std::to_string(min) + " to " + std::to_string(max));
}

std::optional<double> reader::number(const field& f, double min, double max) {
    auto show = [](double d) {
        std::ostringstream o;
        o << d;
        return o.str();
    };
    return ranged(f, min, max, "a number from " + show(min) + " to " + show(max));
}

std::optional<core::milliseconds> reader::duration(const field& f, bool positive) {
    auto d = parsed(f, "a duration such as 500ms, 30s, 45m, 1h or 1h30m",
                    [](std::string_view s) { return core::parse_duration(s); });
    if (d && positive && d->count() <= 0) {
        error(f.value_at, "field '" + f.name + "': expected a duration greater than zero, found " +
                              quoted(f.value));
        return std::nullopt;
    }
    return d;
}

std::optional<core::milliseconds> reader::time_of_day(const field& f) {
    return parsed(f, "a time of day HH:MM or HH:MM:SS",
                  [](std::string_view s) { return core::parse_time_of_day(s); });
}

std::optional<core::day_window> reader::window(const field& f) {
    return parsed(f, "a window \"HH:MM-HH:MM\"",
                  [](std::string_view s) { return core::parse_window(s); });
}

std::optional<core::local_days> reader::date(const field& f) {
    return parsed(f, "a date YYYY-MM-DD", [](std::string_view s) { return core::parse_date(s); });
}

std::optional<unsigned> reader::weekdays(const field& f) {
    auto items = sequence(f);
    if (!items) {
        return std::nullopt;
    }
    if (items->empty()) {
        error(f.value_at, "field '" + f.name + "': expected at least one weekday, found none");
        return std::nullopt;
    }
    unsigned set = 0;
    bool ok = true;
    for (const auto& item : *items) {
        if (!item.value.IsScalar()) {
            type_error(item, "a weekday mon, tue, wed, thu, fri, sat or sun");
            ok = false;
            continue;
        }
        auto d = core::parse_weekday(item.value.Scalar());
        if (!d) {
            error(item.value_at, "field '" + item.name + "': " + d.error());
            ok = false;
            continue;
        }
        if (set & (1u << *d)) {
            error(item.value_at,
                  "field '" + item.name + "': weekday " + quoted(item.value) + " is listed twice");
            ok = false;
        }
        set |= 1u << *d;
    }
    if (!ok) {
        return std::nullopt;
    }
    return set;
}

std::optional<std::filesystem::path> reader::file_path(const field& f) {
    auto s = string(f);
    if (!s) {
        return std::nullopt;
    }
    if (s->empty()) {
        error(f.value_at, "field '" + f.name + "': expected a path, found an empty string");
        return std::nullopt;
    }
    std::filesystem::path p(*s);
    if (p.is_relative()) {
        p = base_dir_ / p;
    }
    return std::filesystem::absolute(p).lexically_normal();
}

std::optional<std::vector<field>> reader::sequence(const field& f) {
    if (!f.value.IsSequence()) {
        type_error(f, "a list");
        return std::nullopt;
    }
    std::vector<field> out;
    std::size_t i = 0;
    for (const auto& item : f.value) {
        field e;
        e.value = static_cast<const YAML::Node&>(item);
        e.exists = true;
        e.name = f.name + "[" + std::to_string(i++) + "]";
        e.value_at = at(item);
        e.key_at = e.value_at;
        if (item.IsNull()) {
            e.value_at = f.value_at; // an empty item has no useful mark of its own
        }
        out.push_back(std::move(e));
    }
    return out;
}

std::optional<std::string> reader::choice(const field& f, const std::vector<std::string>& allowed) {
    std::string expected = "one of ";
    for (std::size_t i = 0; i < allowed.size(); ++i) {
        expected += (i ? (i + 1 == allowed.size() ? " or " : ", ") : "") + allowed[i];
    }
    if (is_null_word(f.value) &&
        std::find(allowed.begin(), allowed.end(), "null") != allowed.end()) {
        return std::string("null");
    }
    if (!f.value.IsScalar()) {
        type_error(f, expected);
        return std::nullopt;
    }
    for (const auto& a : allowed) {
        if (a == f.value.Scalar()) {
            return a;
        }
    }
    auto best = closest(f.value.Scalar(), allowed);
    error(f.value_at, "field '" + f.name + "': expected " + expected + ", found " +
                          describe(f.value) + (best ? " (did you mean '" + *best + "'?)" : ""));
    return std::nullopt;
}

map_fields::map_fields(reader& r, const field& f, std::vector<std::string> allowed)
    : r_(r), map_(f.value), name_(f.name), where_(f.value_at) {
    if (!f.value.IsMap()) {
        r.type_error(f, "a map");
        return;
    }
    ok_ = true;
    // A missing key is reported where the map is named ("tip-lo-30:", "filler:", "- id: x"):
    // the map's own mark is its first key, often on another line and about something else.
    where_ = f.key_at.line > 0 ? f.key_at : r.at(f.value);
    std::map<std::string, int> seen;
    for (auto it = map_.begin(); it != map_.end(); ++it) {
        // A copy: `it->` is a proxy object, and a reference into it dangles after this line.
        const YAML::Node key = it->first;
        core::location key_at = r.at(key);
        if (!key.IsScalar()) {
            r.error(key_at, "expected a field name, found " + describe(key));
            continue;
        }
        const std::string& k = key.Scalar();
        const std::string shown = shorten(k);
        auto [pos, inserted] = seen.emplace(k, key_at.line);
        if (!inserted) {
            r.error(key_at, "duplicate key '" + shown + "'" +
                                (name_.empty() ? "" : " in '" + name_ + "'") +
                                " (first given at line " + std::to_string(pos->second) + ")");
            continue;
        }
        if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
            std::string msg =
                "unknown field '" + shown + "'" + (name_.empty() ? "" : " in '" + name_ + "'");
            if (auto best = closest(k, allowed)) {
                msg += " (did you mean '" + *best + "'?)";
                suggested_.push_back(*best);
            } else {
                msg += "; expected one of:";
                for (const auto& a : allowed) {
                    msg += " " + a;
                }
            }
            r.error(key_at, msg);
        }
    }
}

field map_fields::get(std::string_view key) const {
    field f;
    f.name = name_.empty() ? std::string(key) : name_ + "." + std::string(key);
    f.key_at = where_;
    f.value_at = where_;
    if (!ok_) {
        return f;
    }
    for (auto it = map_.begin(); it != map_.end(); ++it) {
        if (it->first.IsScalar() && it->first.Scalar() == key) {
            f.value = it->second;
            f.exists = true;
            f.key_at = r_.at(it->first);
            // An empty value carries the mark of whatever follows it: point at the key instead.
            f.value_at = it->second.IsNull() ? f.key_at : r_.at(it->second);
            break;
        }
    }
    return f;
}

field map_fields::require(std::string_view key) const {
    field f = get(key);
    if (ok_ && !f.present() &&
        std::find(suggested_.begin(), suggested_.end(), key) == suggested_.end()) {
        r_.error(where_, "missing required field '" + f.name + "'");
    }
    return f;
}

} // namespace onair::schedule::detail
