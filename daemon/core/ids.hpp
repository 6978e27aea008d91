#pragma once

#include <string>
#include <string_view>

namespace onair::core {

// Ids of channels, media, campaigns, breaks and programmes: [a-z0-9-]+.
bool is_valid_id(std::string_view id);

// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

} // namespace onair::core
