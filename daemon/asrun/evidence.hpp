#pragma once

// The numbers of a campaign report (`onair report --campaign`, the HTML and PDF documents):
// campaigns seen across every channel that airs them, matched by campaign id. Pure like
// report.hpp: it is handed what the plans say and what the as-run summary says, one local hour
// at a time, and knows nothing of the planner, the store or the clock.
//
// Granularity is the local hour of the scheduled start: the as-run summary keeps no finer time,
// and the plan is bucketed the same way so that planned and aired always meet in the same cell.
// A spot's daypart is the first of its campaign's dayparts (as that channel's schedule declares
// them) that overlaps its hour; a campaign without dayparts has one, "all day".

#include "asrun/airing.hpp"
#include "asrun/report.hpp"
#include "core/time.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace onair::asrun {

constexpr const char* all_day = "all day";

// A campaign as one channel's schedule declares it: the report names and frames it from this.
struct campaign_info {
    std::string id;
    std::string title;
    core::local_days from;
    core::local_days until;
    std::vector<std::string> spots;
    int weight = 1;
    std::vector<core::day_window> dayparts; // empty: all day
};

// One cell of the campaign view: a campaign on one channel, local day, daypart and spot.
struct evidence_key {
    std::string campaign;
    std::string channel;
    core::local_days day;
    std::string daypart;
    std::string media;
    auto tie() const { return std::tie(campaign, channel, day, daypart, media); }
    bool operator<(const evidence_key& o) const { return tie() < o.tie(); }
    bool operator==(const evidence_key& o) const { return tie() == o.tie(); }
};

enum class evidence_row_type {
    item,          // one cell
    channel_total, // one campaign on one channel over the period
    total,         // one campaign over every channel
};
const char* to_string(evidence_row_type t);

struct evidence_row {
    evidence_row_type type = evidence_row_type::item;
    std::string campaign;
    std::string channel;                 // empty in a campaign's total
    std::optional<core::local_days> day; // items only
    std::string daypart;                 // items only
    std::string media;                   // items only
    report_counts counts;
    bool operator==(const evidence_row&) const = default;
};

// A spot that did not air whole, and why (the as-run row's detail).
struct missed_airing {
    std::string campaign;
    std::string channel;
    std::string media;
    std::string title;
    core::instant scheduled_start{};
    std::string local_start; // ISO 8601 with the channel's offset, as the station saw it
    airing_status status = airing_status::failed;
    std::string detail;
};

// What one campaign's document shows beside its table.
struct campaign_figures {
    campaign_info info; // from the first channel (in config order) whose schedule has it
    std::vector<std::string> channels; // that air or plan it
    std::map<std::pair<std::string, core::local_days>, report_counts> by_channel_day;
    std::map<core::local_days, report_counts> by_day;             // every channel
    using heat_map = std::array<std::array<std::int64_t, 24>, 7>; // [weekday mon=0][hour]
    heat_map heat{};                                              // aired, every channel
    std::map<std::string, heat_map> heat_by_channel;              // aired
    std::map<std::string, report_counts> by_media;                // every channel and day
    std::map<std::string, report_counts> by_daypart;              // every channel and day
    report_counts total;
};

class evidence_builder {
public:
    // `only`: one campaign id, or every campaign when empty.
    explicit evidence_builder(std::optional<std::string> only = std::nullopt);

    // What `channel`'s schedule says of a campaign (for its dayparts and the document's
    // header). Call before adding that channel's entries.
    void declare(const std::string& channel, const campaign_info& info);

    // One planned spot; `hour` is the local hour of its start.
    void add_planned(const std::string& channel, const std::string& campaign, core::local_days day,
                     int hour, const std::string& media, std::int64_t count = 1);
    // `count` completed as-run rows of one kind and status (`airtime` their summed airtime),
    // or rows still on air when `status` is empty. Make-goods come with the day and hour of the
    // airing they make good: those that aired count there as made good (delivered); the others
    // leave that airing missed and count nowhere.
    void add_aired(const std::string& channel, const std::string& campaign, core::local_days day,
                   int hour, const std::string& media, airing_kind kind,
                   std::optional<airing_status> status, std::int64_t count,
                   core::milliseconds airtime);
    void add_missed(missed_airing m);

    // Per campaign (by id): its items by channel, day, daypart and media, then its total per
    // channel, then its total. Totals sum their items exactly.
    std::vector<evidence_row> rows() const;
    std::vector<campaign_figures> figures() const;
    const std::vector<missed_airing>& missed() const { return missed_; }

    // The daypart label of `hour` for a campaign on a channel.
    std::string daypart_of(const std::string& channel, const std::string& campaign, int hour) const;

private:
    bool wanted(const std::string& campaign) const;
    report_counts& cell(const std::string& channel, const std::string& campaign,
                        core::local_days day, int hour, const std::string& media);

    std::optional<std::string> only_;
    std::map<std::pair<std::string, std::string>, campaign_info> declared_; // (channel, campaign)
    std::map<std::string, campaign_info> first_info_;                       // by campaign
    std::map<evidence_key, report_counts> cells_;
    // aired per campaign and channel, weekday and hour
    std::map<std::pair<std::string, std::string>, campaign_figures::heat_map> heat_;
    std::vector<missed_airing> missed_;
};

// The formats of `onair report --campaign` (docs/asrun.md).
extern const char* const evidence_csv_header;
std::string evidence_csv(const std::vector<evidence_row>& rows);
std::string evidence_text(const std::vector<report_window>& windows,
                          const std::vector<evidence_row>& rows,
                          const std::vector<missed_airing>& missed);

// "HH:MM-HH:MM" labels of a campaign's dayparts, in declaration order ("all day" when none).
std::vector<std::string> daypart_labels(const std::vector<core::day_window>& dayparts);

} // namespace onair::asrun
