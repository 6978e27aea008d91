#pragma once

#include "core/diagnostics.hpp"
#include "media/probe.hpp"
#include "schedule/load.hpp"

#include <map>
#include <string>

namespace onair::media {

// Media id -> how long it airs: the declared `duration` where given, else the probed length.
using durations = std::map<std::string, core::milliseconds>;

// The durations of a schedule's media, probing (through the cache) only those without a
// declared duration. Files that cannot be probed are reported at the line naming them and left
// out.
durations media_durations(const schedule::schedule& s, prober& p, core::diagnostics& diags);

// What `onair check` does with media: probe every file each channel uses (its schedule's media,
// the slate, the loop files) and report, at the line that names it, a file that cannot air
// (missing, unreadable, truncated, not media), a declared duration longer than the file, and
// media the channel's kind cannot air (no video on a tv channel, no audio on a radio channel).
// Returns the durations of each channel's schedule, index-aligned with st.cfg.channels.
std::vector<durations> check_media(const schedule::station& st, prober& p,
                                   core::diagnostics& diags);

} // namespace onair::media
