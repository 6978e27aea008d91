#pragma once

// The console's static files (web/ at the top of the tree), built into the binary
// (cmake/embed_web.cmake): the daemon serves them at / and /static/ without reading anything at
// run time, and the installed binary cannot be out of step with its page.

#include <span>
#include <string_view>

namespace onair::control {

struct web_asset {
    std::string_view path; // relative to web/: "index.html", "i18n/lo.json"
    std::string_view content_type;
    std::string_view body;
};

std::span<const web_asset> web_assets();

// The asset for a request path: "/" is index.html, "/static/X" is X; null when there is none.
const web_asset* find_web_asset(std::string_view request_path);

} // namespace onair::control
