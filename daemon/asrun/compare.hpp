#pragma once

// `onair asrun --compare`: two as-run logs of the same station side by side (a main and its
// backup, which air the same plan), slot by slot. A slot is what the plan put on air: a
// channel, a scheduled start, a kind and a media. Pure: the caller reads the rows (the store,
// another file, another daemon's API) and says how long a frame is on each channel.

#include "asrun/airing.hpp"
#include "core/result.hpp"

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace onair::asrun {

// One frame of a channel as an exact fraction of a millisecond, num/den ms: 40/1 at 25 fps,
// 1001000/30000 at 29.97, 10/1 for radio (spec section 7: a radio spot starts within 10 ms).
struct frame_length {
    std::int64_t num = 40;
    std::int64_t den = 1;
    bool operator==(const frame_length&) const = default;
};

// The frame of a video of `fps_num`/`fps_den` frames a second.
frame_length video_frame(int fps_num, int fps_den);
inline constexpr frame_length radio_frame{10, 1};

// What differs in a slot, as the CSV and JSON name it.
enum class difference {
    only_local,   // the other log has no row for it
    only_other,   // this log has no row for it
    status,       // both completed, with different statuses
    actual_start, // more than one frame apart, or known on one side only
    media_sha256, // both know the file's hash, and they differ
};
const char* to_string(difference d);

struct slot_difference {
    std::optional<airing> local; // empty: only in the other log
    std::optional<airing> other; // empty: only in this log
    std::vector<difference> what;
    frame_length frame;
    // other's actual_start - local's, when both have one
    std::optional<core::milliseconds> apart;

    const airing& row() const { return local ? *local : *other; }
};

struct comparison {
    std::size_t slots = 0;                    // slots compared, differing or not
    std::vector<slot_difference> differences; // in scheduled order (then channel, kind, media)
    bool agree() const { return differences.empty(); }
};

// Matches the rows of `local` and `other` by (channel, scheduled_start, kind, media) and lists
// every slot where they differ. A slot logged several times on one side (a programme cut by a
// crash and joined again) pairs its rows in the order given (the store's: by id); the ones left
// over are missing from the other side. A row still on air (open) on either side is not
// compared by status, which it does not have yet. `frame_of` gives the frame of a channel.
comparison compare_airings(std::vector<airing> local, std::vector<airing> other,
                           const std::function<frame_length(const std::string&)>& frame_of);

// The rows of a JSON as-run export (`onair asrun --format json`, GET /api/v1/asrun): the
// fields compare_airings reads, and title, detail and campaign. Timestamps must carry their
// offset; `timezone` is set to `zone_name` (the export does not carry it). Fails naming the
// first row that is not an as-run row.
core::result<std::vector<airing>> airings_from_json(std::string_view text,
                                                    const std::string& zone_name = "UTC");

// The comparison as `onair asrun --compare` prints it. `local_name` and `other_name` say what
// was compared (the store's path, the other file or URL).
enum class compare_format { text, csv, json };
struct compare_labels {
    std::string local_name;
    std::string other_name;
    std::optional<std::string> from; // the window, as given (ISO 8601), for JSON
    std::optional<std::string> to;
};
void print_comparison(const comparison& c, compare_format format, const compare_labels& labels,
                      std::ostream& out);

} // namespace onair::asrun
