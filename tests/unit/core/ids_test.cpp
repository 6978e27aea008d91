#include "core/ids.hpp"

#include <gtest/gtest.h>

namespace onair::core {
namespace {

TEST(ids, valid_ids_are_lower_case_letters_digits_and_dashes) {
    EXPECT_TRUE(is_valid_id("tip-2026"));
    EXPECT_TRUE(is_valid_id("a"));
    EXPECT_TRUE(is_valid_id("0"));
    EXPECT_TRUE(is_valid_id("-"));
    EXPECT_FALSE(is_valid_id(""));
    EXPECT_FALSE(is_valid_id("Tip-2026"));
    EXPECT_FALSE(is_valid_id("tip_2026"));
    EXPECT_FALSE(is_valid_id("tip 2026"));
    EXPECT_FALSE(is_valid_id("tip.2026"));
    EXPECT_FALSE(is_valid_id("ລາວ")); // ids name files and URLs: ASCII only
}

TEST(ids, edit_distance_counts_insertions_deletions_and_substitutions) {
    EXPECT_EQ(edit_distance("", ""), 0u);
    EXPECT_EQ(edit_distance("abc", ""), 3u);
    EXPECT_EQ(edit_distance("", "abc"), 3u);
    EXPECT_EQ(edit_distance("same", "same"), 0u);
    EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
    EXPECT_EQ(edit_distance("chanels", "channels"), 1u);    // deletion
    EXPECT_EQ(edit_distance("channnels", "channels"), 1u);  // insertion
    EXPECT_EQ(edit_distance("tip-lo-31", "tip-lo-30"), 1u); // substitution
    EXPECT_EQ(edit_distance("flaw", "lawn"), 2u);
    EXPECT_EQ(edit_distance("ab", "ba"), 2u); // no transpositions: plain Levenshtein
}

TEST(ids, edit_distance_is_symmetric) {
    for (auto [a, b] : {std::pair{"rotation", "rotaton"}, std::pair{"every", "evry"},
                        std::pair{"", "x"}, std::pair{"programmes", "programs"}}) {
        EXPECT_EQ(edit_distance(a, b), edit_distance(b, a)) << a << " / " << b;
    }
}

} // namespace
} // namespace onair::core
