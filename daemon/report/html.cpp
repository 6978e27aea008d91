#include "report/html.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <set>

namespace onair::report {
namespace {

using json = nlohmann::ordered_json;

std::string esc(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

using asrun::decimal;

// 1234567 -> "1,234,567"
std::string grouped(std::int64_t n) {
    std::string digits = std::to_string(n < 0 ? -n : n);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) {
            out += ',';
        }
        out += digits[i];
    }
    return n < 0 ? "-" + out : out;
}

std::string pct(const asrun::report_counts& c) {
    auto p = c.delivery_pct();
    return p ? decimal(*p, 1) + "&#8239;%" : "&ndash;";
}

std::string hours(core::milliseconds d) {
    const double s = static_cast<double>(d.count()) / 1000.0;
    if (s < 3600) {
        return decimal(s / 60.0, 1) + " min";
    }
    return decimal(s / 3600.0, 1) + " h";
}

std::int64_t not_whole(const asrun::report_counts& c) {
    return c.truncated + c.failed + c.skipped + c.interrupted;
}

std::string base64(const std::string& bytes) {
    static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                           (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                           static_cast<unsigned char>(bytes[i + 2]);
        out += table[(v >> 18) & 63];
        out += table[(v >> 12) & 63];
        out += table[(v >> 6) & 63];
        out += table[v & 63];
    }
    if (i + 1 == bytes.size()) {
        const unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
        out += table[(v >> 18) & 63];
        out += table[(v >> 12) & 63];
        out += "==";
    } else if (i + 2 == bytes.size()) {
        const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                           (static_cast<unsigned char>(bytes[i + 1]) << 8);
        out += table[(v >> 18) & 63];
        out += table[(v >> 12) & 63];
        out += table[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

constexpr const char* css = R"(
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Phetsarath OT", "Noto Sans Lao", sans-serif; color: #1a1a1a;
       font-size: 10pt; line-height: 1.35; margin: 0 auto; max-width: 190mm; padding: 8mm 0; }
.lao, body { font-family: "Lao report", "DejaVu Sans", "Phetsarath OT", "Noto Sans Lao", sans-serif; }
h1 { font-size: 17pt; margin: 0 0 2mm; }
h2 { font-size: 13pt; margin: 7mm 0 2mm; border-bottom: 1.5pt solid #1f4e79; padding-bottom: 1mm;
     break-after: avoid; }
h3 { font-size: 11pt; margin: 5mm 0 1.5mm; break-after: avoid; }
p { margin: 1mm 0 2mm; }
.meta { color: #444; font-size: 9pt; }
table { border-collapse: collapse; width: 100%; margin: 1mm 0 3mm; font-size: 8.5pt; }
th, td { border-bottom: 0.5pt solid #bbb; padding: 0.7mm 1.1mm; text-align: left; vertical-align: top; }
th { background: #eef2f7; font-size: 7.5pt; }
.k { white-space: nowrap; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr { break-inside: avoid; }
tr.total td { font-weight: bold; border-top: 1pt solid #555; }
.good { color: #1b6e20; } .warn { color: #9a5b00; } .bad { color: #a31515; }
.chart { width: 100%; height: auto; break-inside: avoid; margin: 1mm 0 2mm; }
.note { background: #f6f6f0; border-left: 3pt solid #c9b458; padding: 1.5mm 3mm; font-size: 9pt; }
.estimate { background: #f0f4fa; border-left: 3pt solid #6d8fc7; padding: 1.5mm 3mm; font-size: 9pt; }
.campaign { break-before: page; }
.key span { display: inline-block; width: 3mm; height: 3mm; margin: 0 1mm 0 3mm; vertical-align: -0.3mm; }
code { font-size: 8.5pt; word-break: break-all; }
@media screen { body { padding: 10mm; } }
)";

// Colours for the statuses, the same everywhere in the document.
constexpr const char* colour_aired = "#2e7d32";
constexpr const char* colour_planned = "#c7d3e0";
constexpr const char* colour_missed = "#c62828";

// Delivery by day: the planned count as a pale bar, aired as a green bar in front of it, the
// airings that did not air whole stacked in red above the green. One group per day.
std::string day_chart(const asrun::campaign_figures& f) {
    if (f.by_day.empty()) {
        return "<p>No airing planned or aired in the period.</p>";
    }
    const double width = 700, height = 220, left = 42, bottom = 34, top = 10;
    std::int64_t max = 1;
    for (const auto& [_, c] : f.by_day) {
        max = std::max({max, c.planned, c.aired + c.made_good + not_whole(c)});
    }
    // a round top for the axis
    double step = std::pow(10.0, std::floor(std::log10(static_cast<double>(max))));
    double axis = std::ceil(static_cast<double>(max) / step) * step;
    const double plot_h = height - bottom - top;
    const double n = static_cast<double>(f.by_day.size());
    const double slot = (width - left - 24) / n; // room on the right for the last date
    const double bar = std::max(1.0, slot * 0.8);
    auto y = [&](double v) { return top + plot_h - v / axis * plot_h; };
    std::string s = "<svg class=\"chart\" viewBox=\"0 0 " + decimal(width, 0) + " " +
                    decimal(height, 0) +
                    "\" role=\"img\" aria-label=\"planned and aired airings per day\" "
                    "xmlns=\"http://www.w3.org/2000/svg\" font-size=\"10\" "
                    "font-family=\"DejaVu Sans, sans-serif\">";
    for (int k = 0; k <= 4; ++k) {
        const double v = axis * k / 4;
        s += "<line x1=\"" + decimal(left, 1) + "\" x2=\"" + decimal(width - 2, 1) + "\" y1=\"" +
             decimal(y(v), 1) + "\" y2=\"" + decimal(y(v), 1) + "\" stroke=\"#ddd\"/>";
        s += "<text x=\"" + decimal(left - 4, 1) + "\" y=\"" + decimal(y(v) + 3.5, 1) +
             "\" text-anchor=\"end\">" + grouped(static_cast<std::int64_t>(v)) + "</text>";
    }
    const std::size_t label_every = std::max<std::size_t>(1, f.by_day.size() / 12);
    std::size_t i = 0;
    for (const auto& [day, c] : f.by_day) {
        const double x = left + 2 + slot * static_cast<double>(i) + (slot - bar) / 2;
        const std::string date = core::format_date(day);
        const std::string tip = date + ": planned " + std::to_string(c.planned) + ", aired " +
                                std::to_string(c.aired) + ", not aired whole " +
                                std::to_string(not_whole(c));
        s += "<g><title>" + esc(tip) + "</title>";
        s += "<rect x=\"" + decimal(x, 2) + "\" y=\"" +
             decimal(y(static_cast<double>(c.planned)), 2) + "\" width=\"" + decimal(bar, 2) +
             "\" height=\"" + decimal(plot_h * static_cast<double>(c.planned) / axis, 2) +
             "\" fill=\"" + colour_planned + "\"/>";
        const double inner = bar * 0.6, ix = x + (bar - inner) / 2;
        const auto delivered = static_cast<double>(c.aired + c.made_good);
        s += "<rect x=\"" + decimal(ix, 2) + "\" y=\"" + decimal(y(delivered), 2) + "\" width=\"" +
             decimal(inner, 2) + "\" height=\"" + decimal(plot_h * delivered / axis, 2) +
             "\" fill=\"" + colour_aired + "\"/>";
        if (not_whole(c) > 0) {
            const double top_v = static_cast<double>(c.aired + c.made_good + not_whole(c));
            s += "<rect x=\"" + decimal(ix, 2) + "\" y=\"" + decimal(y(top_v), 2) + "\" width=\"" +
                 decimal(inner, 2) + "\" height=\"" +
                 decimal(plot_h * static_cast<double>(not_whole(c)) / axis, 2) + "\" fill=\"" +
                 colour_missed + "\"/>";
        }
        s += "</g>";
        if (i % label_every == 0) {
            s += "<text x=\"" + decimal(x + bar / 2, 1) + "\" y=\"" +
                 decimal(height - bottom + 13, 1) + "\" text-anchor=\"middle\">" + date.substr(5) +
                 "</text>";
        }
        ++i;
    }
    s += "</svg>";
    s += "<p class=\"key\"><span style=\"background:" + std::string(colour_planned) +
         "\"></span>planned<span style=\"background:" + colour_aired +
         "\"></span>aired or made good<span style=\"background:" + colour_missed +
         "\"></span>not aired whole (truncated, failed, skipped, interrupted)</p>";
    return s;
}

// Airings by weekday (rows) and local hour (columns), shaded by count.
std::string heat_map(const asrun::campaign_figures::heat_map& heat) {
    static const char* days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    std::int64_t max = 0;
    for (const auto& row : heat) {
        for (auto v : row) {
            max = std::max(max, v);
        }
    }
    const double cell = 26, left = 34, top = 16;
    std::string s = "<svg class=\"chart\" viewBox=\"0 0 " + decimal(left + cell * 24 + 2, 0) + " " +
                    decimal(top + cell * 7 + 2, 0) +
                    "\" role=\"img\" aria-label=\"airings by weekday and hour\" "
                    "xmlns=\"http://www.w3.org/2000/svg\" font-size=\"9\" "
                    "font-family=\"DejaVu Sans, sans-serif\">";
    for (int h = 0; h < 24; h += 2) {
        s += "<text x=\"" + decimal(left + cell * h + cell / 2, 1) + "\" y=\"11\" " +
             "text-anchor=\"middle\">" + (h < 10 ? "0" : "") + std::to_string(h) + "</text>";
    }
    for (std::size_t d = 0; d < 7; ++d) {
        const double yy = top + cell * static_cast<double>(d);
        s += "<text x=\"0\" y=\"" + decimal(yy + cell / 2 + 3, 1) + "\">" + days[d] + "</text>";
        for (std::size_t h = 0; h < 24; ++h) {
            const auto v = heat[d][h];
            const double t = max == 0 ? 0 : static_cast<double>(v) / static_cast<double>(max);
            // white to the aired green
            const int r = static_cast<int>(255 - t * (255 - 0x2e));
            const int g = static_cast<int>(255 - t * (255 - 0x7d));
            const int b = static_cast<int>(255 - t * (255 - 0x32));
            char fill[8];
            std::snprintf(fill, sizeof fill, "#%02x%02x%02x", r, g, b);
            const double xx = left + cell * static_cast<double>(h);
            s += "<g><title>" + std::string(days[d]) + " " + (h < 10 ? "0" : "") +
                 std::to_string(h) + ":00: " + std::to_string(v) + " aired</title><rect x=\"" +
                 decimal(xx, 1) + "\" y=\"" + decimal(yy, 1) + "\" width=\"" +
                 decimal(cell - 1, 1) + "\" height=\"" + decimal(cell - 1, 1) + "\" fill=\"" +
                 fill + "\" stroke=\"#e4e4e4\"/>";
            if (v > 0) {
                s += "<text x=\"" + decimal(xx + cell / 2 - 0.5, 1) + "\" y=\"" +
                     decimal(yy + cell / 2 + 3, 1) + "\" text-anchor=\"middle\" fill=\"" +
                     (t > 0.55 ? "#fff" : "#222") + "\">" + std::to_string(v) + "</text>";
            }
            s += "</g>";
        }
    }
    s += "</svg>";
    return s;
}

// Two series over the same days, each scaled to its own maximum: airings as bars, the outcome
// as a line.
std::string outcome_chart(const std::map<core::local_days, double>& airings,
                          const std::map<core::local_days, double>& outcome,
                          const std::string& name) {
    const double width = 700, height = 170, left = 8, top = 8, bottom = 24;
    double max_a = 0, max_o = 0;
    for (const auto& [_, v] : airings) {
        max_a = std::max(max_a, v);
    }
    for (const auto& [d, v] : outcome) {
        if (airings.count(d) != 0) {
            max_o = std::max(max_o, v);
        }
    }
    const double n = static_cast<double>(std::max<std::size_t>(1, airings.size()));
    const double slot = (width - left * 2) / n;
    const double plot_h = height - top - bottom;
    std::string s = "<svg class=\"chart\" viewBox=\"0 0 " + decimal(width, 0) + " " +
                    decimal(height, 0) + "\" role=\"img\" aria-label=\"daily airings and " +
                    esc(name) +
                    "\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"10\" "
                    "font-family=\"DejaVu Sans, sans-serif\">";
    std::string line;
    std::size_t i = 0;
    const std::size_t label_every = std::max<std::size_t>(1, airings.size() / 10);
    for (const auto& [day, a] : airings) {
        const double x = left + slot * static_cast<double>(i);
        const double h = max_a > 0 ? a / max_a * plot_h : 0;
        s += "<rect x=\"" + decimal(x + slot * 0.1, 2) + "\" y=\"" + decimal(top + plot_h - h, 2) +
             "\" width=\"" + decimal(slot * 0.8, 2) + "\" height=\"" + decimal(h, 2) +
             "\" fill=\"" + colour_planned + "\"><title>" + core::format_date(day) + ": " +
             decimal(a, 0) + " aired</title></rect>";
        if (auto o = outcome.find(day); o != outcome.end() && max_o > 0) {
            line += (line.empty() ? "M" : " L") + decimal(x + slot / 2, 2) + " " +
                    decimal(top + plot_h - o->second / max_o * plot_h, 2);
        }
        if (i % label_every == 0) {
            s += "<text x=\"" + decimal(x + slot / 2, 1) + "\" y=\"" + decimal(height - 8, 1) +
                 "\" text-anchor=\"middle\">" + core::format_date(day).substr(5) + "</text>";
        }
        ++i;
    }
    if (!line.empty()) {
        s += "<path d=\"" + line + "\" fill=\"none\" stroke=\"#b0471e\" stroke-width=\"2\"/>";
    }
    s += "</svg>";
    s += "<p class=\"key\"><span style=\"background:" + std::string(colour_planned) +
         "\"></span>airings per day (aired)<span style=\"background:#b0471e\"></span>" + esc(name) +
         " per day (each scaled to its own highest day)</p>";
    return s;
}

std::string counts_cells(const asrun::report_counts& c) {
    return "<td class=\"n\">" + grouped(c.planned) + "</td><td class=\"n\">" + grouped(c.aired) +
           "</td><td class=\"n\">" + grouped(c.made_good) + "</td><td class=\"n\">" + pct(c) +
           "</td><td class=\"n\">" + grouped(c.truncated) + "</td><td class=\"n\">" +
           grouped(c.failed) + "</td><td class=\"n\">" + grouped(c.skipped) +
           "</td><td class=\"n\">" + grouped(c.interrupted) + "</td><td class=\"n\">" +
           hours(c.airtime) + "</td>";
}

constexpr const char* counts_head =
    "<th class=\"n\">planned</th><th class=\"n\">aired</th><th class=\"n\">made good</th>"
    "<th class=\"n\">delivery</th>"
    "<th class=\"n\">truncated</th><th class=\"n\">failed</th><th class=\"n\">skipped</th>"
    "<th class=\"n\">interrupted</th><th class=\"n\">airtime</th>";

std::string status_class(const asrun::report_counts& c) {
    auto p = c.delivery_pct();
    if (!p) {
        return "";
    }
    return *p >= 98 ? "good" : *p >= 90 ? "warn" : "bad";
}

const channel_meta* meta_of(const document& doc, const std::string& id) {
    for (const auto& c : doc.channels) {
        if (c.id == id) {
            return &c;
        }
    }
    return nullptr;
}

std::string channel_name(const document& doc, const std::string& id) {
    const auto* m = meta_of(doc, id);
    return m && !m->name.empty() && m->name != id
               ? esc(m->name) + " <span class=\"meta\">(" + esc(id) + ")</span>"
               : esc(id);
}

std::string summary_section(const document& doc) {
    std::string s = "<h2>Summary</h2>";
    s += "<table><thead><tr><th>campaign</th><th>channel</th>" + std::string(counts_head) +
         "</tr></thead><tbody>";
    for (const auto& r : doc.rows) {
        if (r.type == asrun::evidence_row_type::item) {
            continue;
        }
        const bool total = r.type == asrun::evidence_row_type::total;
        s += std::string("<tr") + (total ? " class=\"total\"" : "") + "><td>" + esc(r.campaign) +
             "</td><td>" + (total ? std::string("all channels") : channel_name(doc, r.channel)) +
             "</td>" + counts_cells(r.counts) + "</tr>";
    }
    if (doc.rows.empty()) {
        s += "<tr><td colspan=\"11\">No campaign airing planned or aired in the period.</td></tr>";
    }
    s += "</tbody></table>";
    s += "<p class=\"meta\">Delivery is whole airings against the plan ((aired + made good) "
         "&divide; planned); a make-good is a spot aired again in a later break for one that did "
         "not air, and counts for the airing it makes good. "
         "Truncated airings count as not aired whole; a spot aired twice can take delivery above "
         "100&#8239;%. Campaigns are matched by their id across every channel's schedule.</p>";

    // missed airings, grouped by why (all of them, however many are listed)
    std::map<std::pair<std::string, std::string>, std::int64_t> why;
    for (const auto& r : doc.missed_reasons) {
        why[{asrun::to_string(r.status), r.detail}] += r.count;
    }
    s += "<h3>Not aired whole, and why</h3>";
    if (why.empty()) {
        s += "<p>Every planned airing that ended in the period aired whole.</p>";
    } else {
        s += "<table><thead><tr><th>status</th><th>reason (the as-run's detail)</th><th "
             "class=\"n\">airings</th></tr></thead><tbody>";
        std::vector<std::pair<std::int64_t, std::pair<std::string, std::string>>> sorted;
        for (const auto& [k, n] : why) {
            sorted.emplace_back(n, k);
        }
        std::stable_sort(sorted.begin(), sorted.end(),
                         [](const auto& a, const auto& b) { return a.first > b.first; });
        for (const auto& [n, k] : sorted) {
            s += "<tr><td>" + esc(k.first) + "</td><td>" +
                 (k.second.empty() ? "&ndash;" : esc(k.second)) + "</td><td class=\"n\">" +
                 grouped(n) + "</td></tr>";
        }
        s += "</tbody></table>";
    }
    return s;
}

std::string missed_list(const document& doc, const std::string& campaign) {
    constexpr std::size_t limit = 200;
    std::string rows;
    std::size_t n = 0, total = 0;
    for (const auto& r : doc.missed_reasons) {
        total += r.campaign == campaign ? static_cast<std::size_t>(r.count) : 0;
    }
    for (const auto& m : doc.missed) {
        if (m.campaign != campaign || n++ >= limit) {
            continue;
        }
        rows += "<tr><td>" + esc(m.local_start.substr(0, 19)) + "</td><td>" + esc(m.channel) +
                "</td><td>" + esc(m.media) + "</td><td>" + esc(asrun::to_string(m.status)) +
                "</td><td>" + (m.detail.empty() ? "&ndash;" : esc(m.detail)) + "</td></tr>";
    }
    if (total == 0) {
        return "";
    }
    std::string s = "<h3>Airings not aired whole</h3><table><thead><tr><th>scheduled (local)</th>"
                    "<th>channel</th><th>spot</th><th>status</th><th>reason</th></tr></thead>"
                    "<tbody>" +
                    rows + "</tbody></table>";
    if (total > limit) {
        s += "<p class=\"meta\">The first " + std::to_string(limit) + " of " +
             grouped(static_cast<std::int64_t>(total)) +
             "; every one is in <code>onair report --campaign " + esc(campaign) +
             " --format csv</code> and in <code>onair asrun</code>.</p>";
    }
    return s;
}

std::string rotation_section(const asrun::campaign_figures& f) {
    std::int64_t planned = 0, aired = 0;
    for (const auto& [_, c] : f.by_media) {
        planned += c.planned;
        aired += c.aired;
    }
    // the campaign's spots as declared, then any other that aired under its name
    std::vector<std::string> spots = f.info.spots;
    for (const auto& [m, _] : f.by_media) {
        if (std::find(spots.begin(), spots.end(), m) == spots.end()) {
            spots.push_back(m);
        }
    }
    const double rotation_share =
        f.info.spots.empty() ? 0 : 100.0 / static_cast<double>(f.info.spots.size());
    std::string s = "<h3>Spots: their share of the airings against the rotation</h3><table><thead>"
                    "<tr><th>spot</th><th class=\"n\">rotation share</th><th class=\"n\">planned"
                    "</th><th class=\"n\">planned share</th><th class=\"n\">aired</th><th "
                    "class=\"n\">aired share</th><th style=\"width:30%\"></th></tr></thead><tbody>";
    for (const auto& m : spots) {
        auto it = f.by_media.find(m);
        const asrun::report_counts c = it == f.by_media.end() ? asrun::report_counts{} : it->second;
        const double ps =
            planned ? 100.0 * static_cast<double>(c.planned) / static_cast<double>(planned) : 0;
        const double as =
            aired ? 100.0 * static_cast<double>(c.aired) / static_cast<double>(aired) : 0;
        const bool declared =
            std::find(f.info.spots.begin(), f.info.spots.end(), m) != f.info.spots.end();
        s += "<tr><td class=\"k\">" + esc(m) + "</td><td class=\"n\">" +
             (declared ? decimal(rotation_share, 1) + "&#8239;%"
                       : std::string("not in the rotation")) +
             "</td><td class=\"n\">" + grouped(c.planned) + "</td><td class=\"n\">" +
             decimal(ps, 1) + "&#8239;%</td><td class=\"n\">" + grouped(c.aired) +
             "</td><td class=\"n\">" + decimal(as, 1) +
             "&#8239;%</td><td><svg viewBox=\"0 0 100 8\" width=\"100%\" height=\"9\" "
             "xmlns=\"http://www.w3.org/2000/svg\" preserveAspectRatio=\"none\">"
             "<rect width=\"" +
             decimal(as, 2) + "\" height=\"8\" fill=\"" + colour_aired + "\"/>" +
             (declared ? "<line x1=\"" + decimal(rotation_share, 2) + "\" x2=\"" +
                             decimal(rotation_share, 2) +
                             "\" y1=\"0\" y2=\"8\" stroke=\"#111\" stroke-width=\"0.8\"/>"
                       : std::string()) +
             "</svg></td></tr>";
    }
    s += "</tbody></table><p class=\"meta\">The rotation gives each of the campaign's spots an "
         "equal share of its airings (the campaign's weight, " +
         std::to_string(f.info.weight) +
         ", is its share of break time against other campaigns). The mark on each bar is the "
         "rotation's share; the bar is the aired share.</p>";
    return s;
}

std::string reach_section(const document& doc, const asrun::campaign_figures& f) {
    const auto lines = estimate_reach(f, doc.channels);
    if (lines.empty()) {
        return "";
    }
    std::int64_t total_airings = 0, total_impr = 0;
    std::set<std::string> sources;
    for (const auto& l : lines) {
        total_airings += l.airings;
        total_impr += l.impressions;
        if (!l.source.empty()) {
            sources.insert(l.source);
        }
    }
    std::string s = "<h3>Estimated reach</h3><div class=\"estimate\"><b>Estimates</b>, not "
                    "measurements: the audience of each window comes from the station's own "
                    "figures";
    if (!sources.empty()) {
        s += " (source: ";
        bool first = true;
        for (const auto& src : sources) {
            s += (first ? "" : "; ") + esc(src);
            first = false;
        }
        s += ")";
    }
    s += ", multiplied by the airings aired in it. A person who saw the spot twice counts "
         "twice (impressions, not people).</div>";
    s += "<table><thead><tr><th>channel</th><th>window</th><th>source</th><th class=\"n\">"
         "audience (persons)</th><th class=\"n\">airings</th><th class=\"n\">share of airings"
         "</th><th class=\"n\">estimated impressions</th></tr></thead><tbody>";
    for (const auto& l : lines) {
        const double share = total_airings ? 100.0 * static_cast<double>(l.airings) /
                                                 static_cast<double>(total_airings)
                                           : 0;
        s += "<tr><td>" + esc(l.channel) + "</td><td class=\"k\">" + esc(l.window) + "</td><td>" +
             (l.source.empty() ? "&ndash;" : esc(l.source)) + "</td><td class=\"n\">" +
             (l.window == "no estimate" ? std::string("&ndash;") : grouped(l.persons)) +
             "</td><td class=\"n\">" + grouped(l.airings) + "</td><td class=\"n\">" +
             decimal(share, 1) + "&#8239;%</td><td class=\"n\">" + grouped(l.impressions) +
             "</td></tr>";
    }
    s += "<tr class=\"total\"><td colspan=\"4\">all</td><td class=\"n\">" + grouped(total_airings) +
         "</td><td class=\"n\">100.0&#8239;%</td><td class=\"n\">" + grouped(total_impr) +
         "</td></tr></tbody></table>";
    return s;
}

// Below this |r| the page says there is no clear association rather than naming a lag.
constexpr double weak_association = 0.3;

std::string outcomes_section(const document& doc, const asrun::campaign_figures& f) {
    if (doc.outcomes.empty() || doc.windows.empty()) {
        return "";
    }
    core::local_days from = doc.windows.front().from, to = doc.windows.front().to;
    for (const auto& w : doc.windows) {
        from = std::min(from, w.from);
        to = std::max(to, w.to);
    }
    const auto airings = daily_airings(f, from, to);
    std::string s = "<h3>Outcomes beside the airings</h3><div class=\"note\">These figures were "
                    "supplied beside the as-run. The correlation below shows how the two moved "
                    "together over these days: it is an <b>association, not evidence that the "
                    "airings caused</b> the change. Other events, seasons and reporting habits "
                    "move such figures too.</div>";
    for (const auto& series : doc.outcomes) {
        const auto lags = lagged_correlation(airings, series.by_day, from, to);
        const auto best = strongest(lags);
        s += "<h3>" + esc(series.name) + "</h3>";
        s += outcome_chart(airings, series.by_day, series.name);
        if (best && std::abs(*best->r) < weak_association) {
            s += "<p>No clear association: r stays between " + decimal(-weak_association, 1) +
                 " and " + decimal(weak_association, 1) + " at every lag from 0 to 14 days.</p>";
        } else if (best) {
            s += "<p>The strongest association is at a lag of <b>" +
                 std::to_string(best->lag_days) + " day" + (best->lag_days == 1 ? "" : "s") +
                 "</b> (r = " + decimal(*best->r, 2) + " over " + std::to_string(best->pairs) +
                 " days): days with more airings were followed " + std::to_string(best->lag_days) +
                 " day" + (best->lag_days == 1 ? "" : "s") + " later by " +
                 (*best->r >= 0 ? "higher" : "lower") + " " + esc(series.name) +
                 ". Association only.</p>";
        } else {
            s += "<p>Too few days where both are known to compute an association.</p>";
        }
        s += "<table><thead><tr><th>lag (days)</th>";
        for (const auto& l : lags) {
            s += "<th class=\"n\">" + std::to_string(l.lag_days) + "</th>";
        }
        s += "</tr></thead><tbody><tr><td>r</td>";
        for (const auto& l : lags) {
            s += "<td class=\"n\">" + (l.r ? decimal(*l.r, 2) : std::string("&ndash;")) + "</td>";
        }
        s += "</tr></tbody></table>";
    }
    return s;
}

std::string campaign_section(const document& doc, const asrun::campaign_figures& f) {
    std::string s =
        "<section class=\"campaign\"><h2>" + esc(f.info.id) +
        (f.info.title.empty() ? ""
                              : " &mdash; <span class=\"lao\">" + esc(f.info.title) + "</span>") +
        "</h2>";
    if (f.info.from.time_since_epoch().count() != 0 ||
        f.info.until.time_since_epoch().count() != 0) {
        s += "<p class=\"meta\">Flight " + core::format_date(f.info.from) + " to " +
             core::format_date(f.info.until) + "; dayparts: ";
        const auto labels = asrun::daypart_labels(f.info.dayparts);
        for (std::size_t i = 0; i < labels.size(); ++i) {
            s += (i ? ", " : "") + esc(labels[i]);
        }
        s += "; channels: ";
        for (std::size_t i = 0; i < f.channels.size(); ++i) {
            s += (i ? ", " : "") + esc(f.channels[i]);
        }
        s += ".</p>";
    }
    s += "<p><b class=\"" + status_class(f.total) + "\">" + pct(f.total) +
         " delivered</b>: " + grouped(f.total.aired) + " of " + grouped(f.total.planned) +
         " planned airings aired whole" +
         (f.total.made_good ? " and " + grouped(f.total.made_good) +
                                  (f.total.made_good == 1 ? " was" : " were") + " made good"
                            : std::string()) +
         " (" + hours(f.total.airtime) + " on air); " + grouped(not_whole(f.total)) +
         " did not air whole.</p>";
    s += "<h3>Delivery by day</h3>" + day_chart(f);

    // per channel and daypart
    std::map<std::pair<std::string, std::string>, asrun::report_counts> by_cd;
    for (const auto& r : doc.rows) {
        if (r.type == asrun::evidence_row_type::item && r.campaign == f.info.id) {
            by_cd[{r.channel, r.daypart}].add(r.counts);
        }
    }
    s += "<h3>By channel and daypart</h3><table><thead><tr><th>channel</th><th>daypart</th>" +
         std::string(counts_head) + "</tr></thead><tbody>";
    for (const auto& [k, c] : by_cd) {
        s += "<tr><td class=\"k\">" + esc(k.first) + "</td><td class=\"k\">" + esc(k.second) +
             "</td>" + counts_cells(c) + "</tr>";
    }
    s += "</tbody></table>";
    s += "<h3>Airings by weekday and hour (local time of each channel)</h3>" + heat_map(f.heat);
    s += rotation_section(f);
    s += reach_section(doc, f);
    s += outcomes_section(doc, f);
    s += missed_list(doc, f.info.id);
    s += "</section>";
    return s;
}

std::string font_face(const document& doc, const html_options& o, const std::string& body) {
    (void)doc;
    if (o.lao_font.empty() || !has_lao(body)) {
        return "";
    }
    std::ifstream in(o.lao_font, std::ios::binary);
    std::string bytes{std::istreambuf_iterator<char>(in), {}};
    if (bytes.empty()) {
        return "";
    }
    return "@font-face { font-family: \"Lao report\"; src: url(data:font/ttf;base64," +
           base64(bytes) + ") format(\"truetype\"); unicode-range: U+0E80-0EFF; }\n";
}

} // namespace

bool has_lao(const std::string& text) {
    // U+0E80..U+0EFF is E0 BA 80 .. E0 BB BF in UTF-8
    for (std::size_t i = 0; i + 1 < text.size(); ++i) {
        if (static_cast<unsigned char>(text[i]) == 0xE0 &&
            (static_cast<unsigned char>(text[i + 1]) == 0xBA ||
             static_cast<unsigned char>(text[i + 1]) == 0xBB)) {
            return true;
        }
    }
    return false;
}

std::string to_html(const document& doc, const html_options& options) {
    std::string body;
    body += "<header><h1>Campaign delivery report" +
            (doc.campaign ? ": " + esc(*doc.campaign) : std::string()) + "</h1>";
    body += "<p class=\"meta\">Planned against aired, from the as-run log of ";
    for (std::size_t i = 0; i < doc.channels.size(); ++i) {
        body += (i ? ", " : "") + channel_name(doc, doc.channels[i].id);
    }
    body += ". Period: ";
    for (std::size_t i = 0; i < doc.windows.size(); ++i) {
        const auto& w = doc.windows[i];
        body += (i ? "; " : "") + esc(w.channel) + " " + core::format_date(w.from) + " to " +
                core::format_date(w.to) + " (" + esc(w.timezone) + ")";
    }
    body += ".</p></header>";
    body += summary_section(doc);
    for (const auto& f : doc.figures) {
        body += campaign_section(doc, f);
    }
    body += "<section><h2>Chain check</h2>";
    if (!doc.chain.done) {
        body += "<p>The chain was not checked for this report (<code>--no-verify</code>). Chain "
                "head: <code>" +
                esc(doc.chain.head) + "</code></p>";
    } else if (doc.chain.ok) {
        body += "<p class=\"good\"><b>The as-run chain holds</b>: " +
                grouped(static_cast<std::int64_t>(doc.chain.rows)) +
                " completed rows checked, none altered, removed or reordered.</p><p>Chain head: "
                "<code>" +
                esc(doc.chain.head) + "</code></p>";
    } else {
        body += "<p class=\"bad\"><b>The as-run chain does not hold</b>: " +
                grouped(static_cast<std::int64_t>(doc.chain.faults)) + " fault(s) in " +
                grouped(static_cast<std::int64_t>(doc.chain.rows)) +
                " rows. The numbers above may not be what aired.</p><ul>";
        for (const auto& f : doc.chain.first_faults) {
            body += "<li>" + esc(f) + "</li>";
        }
        body += "</ul><p>Chain head: <code>" + esc(doc.chain.head) + "</code></p>";
    }
    body += "<p class=\"meta\">Keep the head: <code>onair asrun --verify --head HEAD</code> later "
            "shows whether any row up to it was changed since.</p></section>";
    body += "<footer><h2>Made from</h2><p class=\"meta\">Config <code>" + esc(doc.config_file) +
            "</code>; as-run log of the station; generated " + esc(doc.generated) + " by onair " +
            esc(options.version) +
            ". Planned counts come from the schedules as they are now; the as-run from what "
            "left the outputs.</p></footer>";

    std::string html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                       "<title>Campaign delivery report" +
                       (doc.campaign ? ": " + esc(*doc.campaign) : std::string()) +
                       "</title><style>\n" + font_face(doc, options, body) + css +
                       "</style></head><body>\n" + body + "\n</body></html>\n";
    return html;
}

namespace {

json rows_json(const std::vector<asrun::evidence_row>& rows_in) {
    json rows = json::array();
    auto text_or_null = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
    for (const auto& r : rows_in) {
        const auto& c = r.counts;
        auto p = c.delivery_pct();
        rows.push_back({{"row", asrun::to_string(r.type)},
                        {"campaign", r.campaign},
                        {"channel", text_or_null(r.channel)},
                        {"day", r.day ? json(core::format_date(*r.day)) : json(nullptr)},
                        {"daypart", text_or_null(r.daypart)},
                        {"media", text_or_null(r.media)},
                        {"planned", c.planned},
                        {"aired", c.aired},
                        {"made_good", c.made_good},
                        {"truncated", c.truncated},
                        {"failed", c.failed},
                        {"skipped", c.skipped},
                        {"interrupted", c.interrupted},
                        {"on_air", c.on_air},
                        {"delivery_pct", p ? json(std::stod(decimal(*p, 1))) : json(nullptr)},
                        {"airtime_s", static_cast<double>(c.airtime.count()) / 1000.0}});
    }
    return rows;
}

json reasons_json(const std::vector<asrun::missed_reason>& reasons) {
    json out = json::array();
    for (const auto& r : reasons) {
        out.push_back({{"campaign", r.campaign},
                       {"channel", r.channel},
                       {"status", asrun::to_string(r.status)},
                       {"detail", r.detail.empty() ? json(nullptr) : json(r.detail)},
                       {"count", r.count}});
    }
    return out;
}

json missed_json(const std::vector<asrun::missed_airing>& missed_in) {
    json missed = json::array();
    for (const auto& m : missed_in) {
        missed.push_back({{"campaign", m.campaign},
                          {"channel", m.channel},
                          {"media", m.media},
                          {"title", m.title},
                          {"scheduled_start", m.local_start},
                          {"status", asrun::to_string(m.status)},
                          {"detail", m.detail.empty() ? json(nullptr) : json(m.detail)}});
    }
    return missed;
}

// The estimated reach and the outcomes' lagged correlations of every campaign.
std::pair<json, json> analysis_json(const document& doc) {
    json reach = json::array();
    json outcomes = json::array();
    for (const auto& f : doc.figures) {
        for (const auto& l : estimate_reach(f, doc.channels)) {
            reach.push_back({{"campaign", f.info.id},
                             {"channel", l.channel},
                             {"window", l.window},
                             {"source", l.source.empty() ? json(nullptr) : json(l.source)},
                             {"persons", l.persons},
                             {"airings", l.airings},
                             {"impressions", l.impressions},
                             {"estimate", true}});
        }
        if (doc.windows.empty()) {
            continue;
        }
        core::local_days from = doc.windows.front().from, to = doc.windows.front().to;
        for (const auto& w : doc.windows) {
            from = std::min(from, w.from);
            to = std::max(to, w.to);
        }
        const auto airings = daily_airings(f, from, to);
        for (const auto& series : doc.outcomes) {
            json lags = json::array();
            for (const auto& l : lagged_correlation(airings, series.by_day, from, to)) {
                lags.push_back({{"lag_days", l.lag_days},
                                {"r", l.r ? json(std::stod(decimal(*l.r, 4))) : json(nullptr)},
                                {"pairs", l.pairs}});
            }
            outcomes.push_back({{"campaign", f.info.id}, {"series", series.name}, {"lags", lags}});
        }
    }
    return {reach, outcomes};
}

} // namespace

std::string to_json(const document& doc) {
    json windows = json::array();
    for (const auto& w : doc.windows) {
        windows.push_back({{"channel", w.channel},
                           {"timezone", w.timezone},
                           {"from", core::format_date(w.from)},
                           {"to", core::format_date(w.to)}});
    }
    auto [reach, outcomes] = analysis_json(doc);
    json chain = {{"checked", doc.chain.done},
                  {"ok", doc.chain.done ? json(doc.chain.ok) : json(nullptr)},
                  {"rows", doc.chain.rows},
                  {"faults", doc.chain.faults},
                  {"head", doc.chain.head}};
    json out = {{"campaign", doc.campaign ? json(*doc.campaign) : json(nullptr)},
                {"generated", doc.generated},
                {"config", doc.config_file},
                {"windows", windows},
                {"rows", rows_json(doc.rows)},
                {"missed", missed_json(doc.missed)},
                {"missed_reasons", reasons_json(doc.missed_reasons)},
                {"reach", reach},
                {"outcomes", outcomes},
                {"chain", chain}};
    return out.dump(2) + "\n";
}

} // namespace onair::report
