#include "core/diagnostics.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace onair::core {
namespace {

std::vector<std::string> lines(const std::vector<diagnostic>& ds) {
    std::vector<std::string> out;
    for (const auto& d : ds) {
        out.push_back(format(d));
    }
    return out;
}

TEST(diagnostics, format_prints_file_line_column_severity_and_message) {
    EXPECT_EQ(format({{"a.yaml", 3, 7}, severity::error, "field 'x': bad"}),
              "a.yaml:3:7: error: field 'x': bad");
    EXPECT_EQ(format({{"a.yaml", 1, 1}, severity::warning, "unused"}),
              "a.yaml:1:1: warning: unused");
}

TEST(diagnostics, format_omits_what_the_place_does_not_have) {
    // a file-level problem (no such file): no line or column
    EXPECT_EQ(format({{"a.yaml", 0, 0}, severity::error, "no such file"}),
              "a.yaml: error: no such file");
    // not from a file at all
    EXPECT_EQ(format({{"", 0, 0}, severity::error, "no channel"}), "error: no channel");
}

TEST(diagnostics, counts_errors_but_not_warnings) {
    diagnostics d;
    EXPECT_TRUE(d.empty());
    EXPECT_FALSE(d.has_errors());
    d.warning({"a", 1, 1}, "w");
    EXPECT_FALSE(d.empty());
    EXPECT_FALSE(d.has_errors());
    EXPECT_EQ(d.error_count(), 0u);
    d.error({"a", 2, 1}, "e1");
    d.add({{"a", 3, 1}, severity::error, "e2"});
    EXPECT_TRUE(d.has_errors());
    EXPECT_EQ(d.error_count(), 2u);
    EXPECT_EQ(d.all().size(), 3u);
}

TEST(diagnostics, append_keeps_both_sets_in_order) {
    diagnostics a, b;
    a.error({"a", 1, 1}, "first");
    b.error({"b", 1, 1}, "second");
    a.append(b);
    ASSERT_EQ(a.all().size(), 2u);
    EXPECT_EQ(a.all()[0].message, "first");
    EXPECT_EQ(a.all()[1].message, "second");
}

TEST(diagnostics, sorted_orders_by_file_then_line_then_column) {
    diagnostics d;
    d.error({"b.yaml", 1, 1}, "b1");
    d.error({"a.yaml", 10, 2}, "a10.2");
    d.error({"a.yaml", 2, 30}, "a2.30");
    d.error({"a.yaml", 2, 4}, "a2.4");
    d.error({"a.yaml", 0, 0}, "a-file"); // file-level first: it usually explains the rest
    EXPECT_EQ(lines(d.sorted()), (std::vector<std::string>{
                                     "a.yaml: error: a-file",
                                     "a.yaml:2:4: error: a2.4",
                                     "a.yaml:2:30: error: a2.30",
                                     "a.yaml:10:2: error: a10.2",
                                     "b.yaml:1:1: error: b1",
                                 }));
}

TEST(diagnostics, sorted_is_numeric_not_lexical_on_lines) {
    diagnostics d;
    d.error({"a", 10, 1}, "ten");
    d.error({"a", 9, 1}, "nine");
    EXPECT_EQ(lines(d.sorted()),
              (std::vector<std::string>{"a:9:1: error: nine", "a:10:1: error: ten"}));
}

TEST(diagnostics, sorted_keeps_insertion_order_at_the_same_place) {
    diagnostics d;
    d.error({"a", 5, 5}, "zeta");
    d.error({"a", 5, 5}, "alpha");
    EXPECT_EQ(lines(d.sorted()),
              (std::vector<std::string>{"a:5:5: error: zeta", "a:5:5: error: alpha"}));
}

TEST(diagnostics, sorted_removes_exact_duplicates_even_when_not_adjacent) {
    diagnostics d;
    d.error({"a", 5, 5}, "same");
    d.error({"a", 5, 5}, "other");
    d.error({"a", 1, 1}, "first");
    d.error({"a", 5, 5}, "same");
    d.warning({"a", 5, 5}, "same"); // a different severity is a different diagnostic
    d.error({"b", 5, 5}, "same");   // so is a different file
    EXPECT_EQ(lines(d.sorted()), (std::vector<std::string>{
                                     "a:1:1: error: first",
                                     "a:5:5: error: same",
                                     "a:5:5: error: other",
                                     "a:5:5: warning: same",
                                     "b:5:5: error: same",
                                 }));
    EXPECT_EQ(d.all().size(), 6u); // sorted() is a view; the collection is untouched
}

TEST(diagnostics, severity_names) {
    EXPECT_STREQ(to_string(severity::error), "error");
    EXPECT_STREQ(to_string(severity::warning), "warning");
}

} // namespace
} // namespace onair::core
