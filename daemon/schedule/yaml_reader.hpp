#pragma once

// Strict reading of YAML into the model: every value is checked for type and range, unknown
// and duplicate keys are refused, and every problem is collected with its file:line:col.

#include "core/diagnostics.hpp"
#include "core/time.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace onair::schedule::detail {

// A parsed file and the text it was parsed from (yaml-cpp counts columns in bytes; the text turns
// them into characters, so a column after Lao text is where an editor shows it).
struct yaml_file {
    YAML::Node root;
    std::shared_ptr<const std::string> text;
};

// Reads and parses a YAML file. Empty files, files that are not UTF-8, YAML syntax errors and a
// top level that is not a map are reported; the result is then empty. A file that cannot be
// opened is reported at `named_at` (the value that names it) when that has a line.
std::optional<yaml_file> read_yaml_file(const std::filesystem::path& file,
                                        const std::string& display, const core::location& named_at,
                                        core::diagnostics& diags);

// One value in the document, with where it was found and what the user calls it.
struct field {
    YAML::Node value;
    bool exists = false;   // the key is in the file (its value may still be null)
    std::string name;      // dotted path, e.g. "channels.police-tv.video.width"
    core::location key_at; // the key (or the parent map when absent)
    core::location value_at;

    bool present() const { return exists; }
    bool is_null() const { return exists && value.IsNull(); }
};

// The reading context of one file.
class reader {
public:
    reader(std::string display_file, std::filesystem::path base_dir, core::diagnostics& diags,
           std::shared_ptr<const std::string> text = nullptr)
        : file_(std::move(display_file)), base_dir_(std::move(base_dir)), diags_(diags),
          text_(std::move(text)) {}

    core::location at(const YAML::Mark& m) const;
    core::location at(const YAML::Node& n) const { return at(n.Mark()); }
    void error(const core::location& where, std::string message) {
        diags_.error(where, std::move(message));
    }
    void warning(const core::location& where, std::string message) {
        diags_.warning(where, std::move(message));
    }
    const std::string& file() const { return file_; }
    const std::filesystem::path& base_dir() const { return base_dir_; }
    core::diagnostics& diags() { return diags_; }

    // Typed values. Each reports a problem at the value and returns nothing when it is wrong.
    std::optional<std::string> string(const field& f);
    std::optional<std::string> id(const field& f);
    std::optional<long long> integer(const field& f, long long min, long long max);
    std::optional<double> number(const field& f, double min, double max);
    std::optional<core::milliseconds> duration(const field& f, bool positive = true);
    std::optional<core::milliseconds> time_of_day(const field& f);
    std::optional<core::day_window> window(const field& f);
    std::optional<core::local_days> date(const field& f);
    std::optional<unsigned> weekdays(const field& f); // a sequence of mon..sun, as a bit set
    // A path relative to the file that names it; absolute and lexically normal.
    std::optional<std::filesystem::path> file_path(const field& f);
    // A sequence; elements are fields named NAME[i].
    std::optional<std::vector<field>> sequence(const field& f);
    // One of the given words. A plain `null` reads as the word "null" when that is allowed (the
    // output type is called null, and YAML would otherwise read it as nothing).
    std::optional<std::string> choice(const field& f, const std::vector<std::string>& allowed);
    // Whether the value is written as YAML's null word (null, Null, NULL, ~) rather than left out.
    bool is_null_word(const YAML::Node& n) const;

    void type_error(const field& f, const std::string& expected);

private:
    // A scalar read by one of core's parsers: its error is reported at the value, naming the
    // field.
    template <typename Parse>
    auto parsed(const field& f, const std::string& expected, Parse parse)
        -> std::optional<std::decay_t<decltype(*parse(std::string_view{}))>> {
        if (!f.value.IsScalar()) {
            type_error(f, expected);
            return std::nullopt;
        }
        auto v = parse(f.value.Scalar());
        if (!v) {
            error(f.value_at, "field '" + f.name + "': " + v.error());
            return std::nullopt;
        }
        return *v;
    }
    // A number written whole (from_chars), within [min, max].
    template <typename T>
    std::optional<T> ranged(const field& f, T min, T max, const std::string& expected);

    std::string file_;
    std::filesystem::path base_dir_;
    core::diagnostics& diags_;
    std::shared_ptr<const std::string> text_;
};

// The closest of `candidates` to `word`, when it is close enough to be a likely typo.
std::optional<std::string> closest(std::string_view word,
                                   const std::vector<std::string>& candidates);

// The entry f (an item of a list such as `breaks`) renamed SECTION.ID when it is a map with a
// valid `id`, so that messages about it say "breaks.hourly" rather than "breaks[0]".
field named_by_id(const field& f, const std::string& section);

// A user's text as quoted in a message: long values are cut (at a character boundary).
std::string shorten(std::string_view text, std::size_t max_bytes = 80);

// Describes what a node is, for "found ..." in messages.
std::string describe(const YAML::Node& n);

// The keys of one map. Duplicate keys are reported on construction; keys that were never asked
// for are reported as unknown (with a suggestion) by finish().
class map_fields {
public:
    // Reports duplicate keys and keys not in `allowed` (with a suggestion when one is close).
    map_fields(reader& r, const field& f, std::vector<std::string> allowed);
    map_fields(const map_fields&) = delete;
    map_fields& operator=(const map_fields&) = delete;

    bool ok() const { return ok_; }
    field get(std::string_view key) const;
    // Reports a missing key at the map, unless an unknown key was already reported as a likely
    // misspelling of it (one mistake, one message).
    field require(std::string_view key) const;
    void set_name(std::string name) { name_ = std::move(name); }
    const std::string& name() const { return name_; }
    const core::location& where() const { return where_; }

private:
    reader& r_;
    YAML::Node map_;
    std::string name_;
    core::location where_;
    bool ok_ = false;
    std::vector<std::string> suggested_; // keys offered as "did you mean"
};

} // namespace onair::schedule::detail
