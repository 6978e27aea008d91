#pragma once

// The HTML report printed to PDF by headless Chromium (Debian's `chromium`): the same engine
// the console is tested in, so the PDF is the HTML document exactly as a browser prints it,
// with its A4 page rules, SVG charts and HarfBuzz's shaping of Lao. Chromium is not a
// dependency of the daemon: only `--format pdf` needs it (the package Suggests it).

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

namespace onair::report {

struct pdf_options {
    std::filesystem::path browser; // empty: $ONAIR_CHROMIUM, else chromium on the PATH
    std::chrono::seconds timeout{120};
};

// The PDF's bytes, or empty with `error` saying why (no browser, it failed, it timed out).
std::optional<std::string> html_to_pdf(const std::string& html, std::string& error,
                                       const pdf_options& options = {});

} // namespace onair::report
