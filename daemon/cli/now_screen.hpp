#pragma once

// The screen of `onair now`: what each channel airs now and next, how far into it, its outputs,
// and what the daemon's health names as wrong. Built from the API's answers, so it is the same
// on a terminal and in a test.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace onair::cli {

// `channels` is GET /api/v1/channels, `health` GET /api/v1/health (either may be null when the
// question failed; `problem` then says why). Lines are cut to `width` columns.
std::string now_screen(const nlohmann::json& channels, const nlohmann::json& health,
                       const std::string& where, const std::string& problem, int width);

// Reading the API's answers: a string field (`none` when absent or not a string); the local
// clock time of an ISO timestamp field ("06:58:30"); milliseconds as HH:MM:SS.
std::string text_of(const nlohmann::json& j, const char* key, const char* none = "-");
std::string clock_of(const nlohmann::json& item, const char* key, const char* none = "-");
std::string hh_mm_ss(std::int64_t ms);

// Columns `text` takes on a terminal: UTF-8 code points, less the combining marks (Lao and Thai
// vowel and tone marks, Latin diacritics) that sit on the letter before them.
int display_width(const std::string& text);
// `text` cut to at most `width` columns, with "…" where it was cut.
std::string fit(const std::string& text, int width);

} // namespace onair::cli
