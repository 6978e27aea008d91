// A cheap fuzz: mutated copies of the example schedule and config go through the loaders. They
// must return (no crash, no exception) and every diagnostic must point somewhere real: a line
// and column from 1, or no line at all for a file-level problem. Deterministic: a fixed seed
// and std::mt19937, whose sequence the standard fixes, so a failure reproduces anywhere.

#include "schedule/load.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <random>
#include <sstream>

namespace onair::schedule {
namespace {

namespace fs = std::filesystem;
using test::temp_dir;

// Bytes that mean something to YAML or to our parsers, plus a few that should never appear.
const std::string interesting = ":-[]{},#&*!|>'\"%@` \t\n?0123456789hmsz.\xff\xe9\x01";

class mutator {
public:
    explicit mutator(std::uint32_t seed) : rng_(seed) {}

    std::string operator()(std::string text) {
        const int edits = 1 + below(4);
        for (int i = 0; i < edits && !text.empty(); ++i) {
            switch (below(6)) {
            case 0: // replace a byte
                text[below(text.size())] = interesting[below(interesting.size())];
                break;
            case 1: // insert a byte
                text.insert(text.begin() + below(text.size()),
                            interesting[below(interesting.size())]);
                break;
            case 2: // drop a line
                edit_line(text, [](std::vector<std::string>& l, std::size_t n) {
                    l.erase(l.begin() + static_cast<long>(n));
                });
                break;
            case 3: // repeat a line (duplicate keys, duplicate ids)
                edit_line(text, [](std::vector<std::string>& l, std::size_t n) {
                    l.insert(l.begin() + static_cast<long>(n), l[n]);
                });
                break;
            case 4: // shift a line's indentation
                edit_line(text, [this](std::vector<std::string>& l, std::size_t n) {
                    if (below(2) == 0) {
                        l[n] = "  " + l[n];
                    } else if (!l[n].empty() && l[n][0] == ' ') {
                        l[n].erase(0, 1);
                    }
                });
                break;
            default: // cut the file short
                text.resize(below(text.size()));
                break;
            }
        }
        return text;
    }

private:
    std::size_t below(std::size_t n) { return n == 0 ? 0 : rng_() % n; }

    template <class F> void edit_line(std::string& text, F f) {
        std::vector<std::string> lines;
        std::istringstream in(text);
        for (std::string l; std::getline(in, l);) {
            lines.push_back(l);
        }
        if (lines.empty()) {
            return;
        }
        f(lines, below(lines.size()));
        text.clear();
        for (const auto& l : lines) {
            text += l + "\n";
        }
    }

    std::mt19937 rng_;
};

void expect_well_placed(const core::diagnostics& diags, const std::string& file,
                        const std::string& input) {
    for (const auto& d : diags.all()) {
        EXPECT_FALSE(d.message.empty());
        EXPECT_EQ(d.where.file, file) << core::format(d);
        if (d.where.line == 0) {
            EXPECT_EQ(d.where.column, 0) << core::format(d);
        } else {
            EXPECT_GE(d.where.line, 1) << core::format(d) << "\n--- input:\n" << input;
            EXPECT_GE(d.where.column, 1) << core::format(d) << "\n--- input:\n" << input;
        }
    }
}

TEST(fuzz, mutated_schedules_never_crash_and_point_at_real_places) {
    const auto original = test::read_file(fs::path(ONAIR_SOURCE_DIR) / "playlists/police-tv.yaml");
    ASSERT_FALSE(original.empty());
    temp_dir dir;
    test::scoped_cwd cwd(dir.path());
    mutator mutate(20261201);
    for (int i = 0; i < 300; ++i) {
        const std::string text = mutate(original);
        test::write_file("s.yaml", text);
        core::diagnostics diags;
        EXPECT_NO_THROW(load_schedule("s.yaml", {}, diags)) << "--- input:\n" << text;
        expect_well_placed(diags, "s.yaml", text);
        if (HasFailure()) {
            break; // one reproducible case is enough to read
        }
    }
}

TEST(fuzz, mutated_configs_never_crash_and_point_at_real_places) {
    const auto original = test::read_file(fs::path(ONAIR_SOURCE_DIR) / "config/onair.yaml");
    ASSERT_FALSE(original.empty());
    temp_dir dir;
    test::scoped_cwd cwd(dir.path());
    mutator mutate(8750);
    for (int i = 0; i < 150; ++i) {
        const std::string text = mutate(original);
        test::write_file("c.yaml", text);
        core::diagnostics diags;
        // load_config, not load_station: the schedules it names are not in the scratch dir
        EXPECT_NO_THROW(load_config("c.yaml", diags)) << "--- input:\n" << text;
        expect_well_placed(diags, "c.yaml", text);
        if (HasFailure()) {
            break;
        }
    }
}

TEST(fuzz, pathological_documents) {
    temp_dir dir;
    test::scoped_cwd cwd(dir.path());
    const std::vector<std::string> inputs{
        std::string(5000, '['), // deep nesting
        std::string(5000, '{'),
        "media:\n" + std::string(200000, 'a') + "\n", // a very long line
        "a: &x [*x]\n",                               // an alias inside its own anchor
        "media: *nowhere\n",                          // an undefined alias
        "? [media]\n: x\n",                           // a complex key
        "media: !!binary aGVsbG8=\n",
        "breaks:\n  - {id: a, every: 1h, length: 60s, length: 60s, length: 60s}\n",
        "media:\n  a: {file: x}\n  a: {file: x}\n  a: {file: x}\n",
        "\xEF\xBB\xBF", // only a byte order mark
        "---\n...\n",
        "%YAML 1.2\n---\nmedia: {}\n",
        "breaks:\n  - id: a\n    every: 99999999999h\n    length: 1ms\n",
        "campaigns:\n  c:\n    from: 9999-12-31\n    until: 0000-01-01\n    spots: [x]\n",
        "media: {a: {file: \"\\0\"}}\n",
        std::string("media: {}\n\0", 11),
    };
    for (const auto& text : inputs) {
        test::write_file("p.yaml", text);
        core::diagnostics diags;
        EXPECT_NO_THROW(load_schedule("p.yaml", {}, diags)) << text.substr(0, 80);
        expect_well_placed(diags, "p.yaml", text.substr(0, 200));
    }
}

} // namespace
} // namespace onair::schedule
