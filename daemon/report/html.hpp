#pragma once

// The campaign report as one self-contained HTML document (`onair report --format html`):
// inline CSS and SVG, no script, readable offline and printable on A4. Summary first, then per
// campaign the delivery by day, the heat map of airings by weekday and hour, the spots' shares
// against their rotation, the estimated reach, the outcomes beside the airings, and at the end
// the chain check and what the report was made from.

#include "report/gather.hpp"

#include <filesystem>
#include <string>

namespace onair::report {

struct html_options {
    // A Lao font embedded (as a data: URL) when the document has Lao text, so that it reads the
    // same on a computer without one. Empty or unreadable: the reader's fonts are named instead.
    std::filesystem::path lao_font = "/usr/share/fonts/truetype/lao/Phetsarath_OT.ttf";
    std::string version; // onair's, for the footer
};

std::string to_html(const document& doc, const html_options& options = {});

// The same document as JSON (the API's and `--format json`'s answer for a campaign report).
std::string to_json(const document& doc);

// Whether `text` has a character of the Lao block (U+0E80..U+0EFF).
bool has_lao(const std::string& text);

} // namespace onair::report
