// The golden corpus: every file tests/fixtures/bad/NAME.yaml is a broken input and
// NAME.expected holds, line for line, what the loader must say about it.
//
// Conventions:
//   config-*.yaml  a config, loaded with load_station (so the schedules it names are loaded too)
//   good-*.yaml    helpers that configs point at; not cases themselves, and must load cleanly
//   other *.yaml   a schedule, loaded with load_schedule
// The test runs inside tests/fixtures/bad and names each file relatively, so the file names in
// the messages are the bare fixture names on every machine.
//
// ONAIR_UPDATE_GOLDEN=1 rewrites the .expected files from what the loader says now. Read every
// one you regenerate: each line must point at the offending value and say what was expected.

#include "schedule/load.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <sstream>

namespace onair::schedule {
namespace {

namespace fs = std::filesystem;
using test::joined;
using test::lines_of;

const fs::path bad_dir = fs::path(ONAIR_FIXTURES_DIR) / "bad";

bool is_helper(const std::string& name) {
    return name.rfind("good-", 0) == 0;
}
bool is_config(const std::string& name) {
    return name.rfind("config-", 0) == 0;
}

std::vector<std::string> corpus() {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(bad_dir, ec)) {
        if (e.path().extension() == ".yaml" && !is_helper(e.path().stem().string())) {
            names.push_back(e.path().stem().string());
        }
    }
    std::sort(names.begin(), names.end());
    return names;
}

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        out.push_back(line);
    }
    return out;
}

// A line diff (longest common subsequence): "  " same, "- " only expected, "+ " only actual.
std::string diff(const std::vector<std::string>& want, const std::vector<std::string>& got) {
    const std::size_t n = want.size(), m = got.size();
    std::vector<std::vector<std::size_t>> lcs(n + 1, std::vector<std::size_t>(m + 1, 0));
    for (std::size_t i = n; i-- > 0;) {
        for (std::size_t j = m; j-- > 0;) {
            lcs[i][j] =
                want[i] == got[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
        }
    }
    std::string out;
    std::size_t i = 0, j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && want[i] == got[j]) {
            out += "  " + want[i++] + "\n";
            ++j;
        } else if (j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j])) {
            out += "+ " + got[j++] + "\n";
        } else {
            out += "- " + want[i++] + "\n";
        }
    }
    return out;
}

std::vector<std::string> load_fixture(const std::string& name) {
    test::scoped_cwd cwd(bad_dir);
    core::diagnostics diags;
    const fs::path file = name + ".yaml";
    if (is_config(name)) {
        load_station(file, diags);
    } else {
        load_schedule(file, {}, diags);
    }
    return lines_of(diags);
}

class golden : public ::testing::TestWithParam<std::string> {};

TEST_P(golden, diagnostics_match_the_expected_file) {
    const std::string name = GetParam();
    const auto actual = load_fixture(name);
    const fs::path expected_file = bad_dir / (name + ".expected");

    if (const char* update = std::getenv("ONAIR_UPDATE_GOLDEN"); update && *update == '1') {
        test::write_file(expected_file, joined(actual));
        GTEST_SKIP() << "rewrote " << expected_file.string();
    }

    // A broken input that loads without an error is itself a failure, whatever the file says.
    EXPECT_TRUE(std::any_of(actual.begin(), actual.end(),
                            [](const std::string& l) { return l.find(": error: ") != l.npos; }))
        << name << ".yaml loads without an error:\n"
        << joined(actual);

    ASSERT_TRUE(fs::exists(expected_file))
        << "no " << expected_file.string() << " (ONAIR_UPDATE_GOLDEN=1 writes it); the loader "
        << "says:\n"
        << joined(actual);
    const auto expected = split_lines(test::read_file(expected_file));
    // Only the diff: gtest's dump of two vectors is one long line each.
    EXPECT_TRUE(expected == actual) << name << ".yaml: expected (-) vs actual (+):\n"
                                    << diff(expected, actual);
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
    std::string out = info.param;
    std::replace_if(
        out.begin(), out.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); },
        '_');
    return out;
}

INSTANTIATE_TEST_SUITE_P(bad, golden, ::testing::ValuesIn(corpus()), test_name);

TEST(golden_corpus, is_large_and_has_no_orphans) {
    const auto names = corpus();
    EXPECT_GE(names.size(), 40u);
    std::set<std::string> cases(names.begin(), names.end());
    for (const auto& e : fs::directory_iterator(bad_dir)) {
        const std::string stem = e.path().stem().string();
        if (e.path().extension() == ".expected") {
            EXPECT_TRUE(cases.count(stem)) << e.path().filename() << " has no " << stem << ".yaml";
        }
    }
}

TEST(golden_corpus, helpers_load_cleanly) {
    // If a helper were broken, the config cases using it would test the wrong thing.
    test::scoped_cwd cwd(bad_dir);
    for (const auto& e : fs::directory_iterator(bad_dir)) {
        const std::string stem = e.path().stem().string();
        if (e.path().extension() == ".yaml" && is_helper(stem)) {
            core::diagnostics diags;
            EXPECT_TRUE(load_schedule(e.path().filename(), {}, diags)) << stem;
            EXPECT_TRUE(diags.empty()) << stem << ":\n" << joined(lines_of(diags));
        }
    }
}

TEST(golden_diff, marks_missing_and_extra_lines) {
    EXPECT_EQ(diff({"a", "b", "c"}, {"a", "x", "c"}), "  a\n+ x\n- b\n  c\n");
    EXPECT_EQ(diff({}, {"a"}), "+ a\n");
    EXPECT_EQ(diff({"a"}, {}), "- a\n");
}

} // namespace
} // namespace onair::schedule
