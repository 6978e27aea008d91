#include "media/check.hpp"

#include <set>

namespace onair::media {

namespace {

using schedule::channel;
using schedule::channel_kind;

std::string quoted(const std::filesystem::path& p) {
    return "'" + p.string() + "'";
}

// One probe per file for the whole check, however many channels and schedules name it (the
// prober may have no cache file behind it). Files named up front are probed together, in
// parallel.
class probe_once {
public:
    explicit probe_once(prober& p) : prober_(p) {}

    void prefetch(const std::vector<std::filesystem::path>& files) {
        auto results = prober_.probe_all(files);
        for (std::size_t i = 0; i < files.size(); ++i) {
            done_.emplace(files[i], std::move(results[i]));
        }
    }

    const probe_result& operator()(const std::filesystem::path& file) {
        auto it = done_.find(file);
        if (it == done_.end()) {
            it = done_.emplace(file, prober_.probe(file)).first;
        }
        return it->second;
    }

private:
    prober& prober_;
    std::map<std::filesystem::path, probe_result> done_;
};

void filler_files(const schedule::filler& f, std::vector<std::filesystem::path>& out) {
    if (f.type == schedule::filler_type::slate) {
        out.push_back(f.image);
    } else if (f.type == schedule::filler_type::loop) {
        out.insert(out.end(), f.media.begin(), f.media.end());
    } else if (f.type == schedule::filler_type::live && f.fallback) {
        filler_files(*f.fallback, out);
    }
}

// Whether the channel can air what the file holds. `what` names the file in messages
// ("media 'tip-lo-30'", "loop filler '/abs/bed.ogg'"). Returns false on an error.
bool check_kind(const std::string& what, const probe_result& r, const channel& ch,
                const core::location& where, core::diagnostics& diags) {
    if (ch.kind == channel_kind::tv) {
        if (!r.has_video) {
            diags.error(where, what + " has no video stream; channel '" + ch.id +
                                   "' is tv and airs video");
            return false;
        }
        if (r.still_image) {
            diags.error(where, what + " is a still image, not a clip; channel '" + ch.id +
                                   "' cannot air it for a duration");
            return false;
        }
        if (!r.has_audio) {
            diags.warning(where, what + " has no audio stream; channel '" + ch.id +
                                     "' airs silence under it");
        }
        return true;
    }
    if (!r.has_audio) {
        diags.error(where,
                    what + " has no audio stream; channel '" + ch.id + "' is radio and airs audio");
        return false;
    }
    return true;
}

void check_filler(const schedule::filler& f, const channel& ch, probe_once& probe,
                  core::diagnostics& diags) {
    switch (f.type) {
    case schedule::filler_type::black:
        return;
    case schedule::filler_type::slate: {
        const auto& r = probe(f.image);
        if (!r.ok) {
            diags.error(f.where, "slate: cannot air " + quoted(f.image) + ": " + r.error);
        } else if (!r.has_video) {
            // A still is what a slate is for, but any picture will do: the first frame is frozen.
            diags.error(f.where, "slate: " + quoted(f.image) + " has no picture");
        }
        return;
    }
    case schedule::filler_type::loop:
        for (const auto& file : f.media) {
            const auto& r = probe(file);
            if (!r.ok) {
                diags.error(f.where, "loop filler: cannot air " + quoted(file) + ": " + r.error);
            } else {
                check_kind("loop filler " + quoted(file), r, ch, f.where, diags);
            }
        }
        return;
    case schedule::filler_type::live:
        if (f.fallback) {
            check_filler(*f.fallback, ch, probe, diags);
        }
        return;
    }
}

} // namespace

durations media_durations(const schedule::schedule& s, prober& p, core::diagnostics& diags) {
    std::vector<std::filesystem::path> undeclared;
    for (const auto& [id, m] : s.media) {
        if (!m.duration) {
            undeclared.push_back(m.file);
        }
    }
    probe_once probe(p);
    probe.prefetch(undeclared);
    durations out;
    for (const auto& [id, m] : s.media) {
        if (m.duration) {
            out[id] = *m.duration;
            continue;
        }
        const auto& r = probe(m.file);
        if (!r.ok) {
            diags.error(m.file_where,
                        "media '" + id + "': cannot air " + quoted(m.file) + ": " + r.error);
        } else if (r.still_image) {
            diags.error(m.file_where, "media '" + id + "': " + quoted(m.file) +
                                          " is a still image and has no duration of its own");
        } else {
            out[id] = r.duration;
        }
    }
    return out;
}

std::vector<durations> check_media(const schedule::station& st, prober& p,
                                   core::diagnostics& diags) {
    probe_once probe(p);
    std::vector<std::filesystem::path> files;
    for (std::size_t i = 0; i < st.cfg.channels.size(); ++i) {
        if (i < st.schedules.size() && st.schedules[i]) {
            for (const auto& [id, m] : st.schedules[i]->media) {
                files.push_back(m.file);
            }
        }
        filler_files(st.cfg.channels[i].fill, files);
    }
    probe.prefetch(files);
    std::set<const schedule::schedule*> seen; // schedules shared by channels are checked once
    std::vector<durations> out;
    for (std::size_t i = 0; i < st.cfg.channels.size(); ++i) {
        const channel& ch = st.cfg.channels[i];
        const schedule::schedule* s = i < st.schedules.size() ? st.schedules[i].get() : nullptr;
        durations d;
        if (s != nullptr) {
            bool first_time = seen.insert(s).second;
            for (const auto& [id, m] : s->media) {
                const auto& r = probe(m.file);
                std::string what = "media '" + id + "'";
                if (!r.ok) {
                    if (first_time) {
                        diags.error(m.file_where,
                                    what + ": cannot air " + quoted(m.file) + ": " + r.error);
                    }
                    continue;
                }
                bool airable = check_kind(what, r, ch, m.file_where, diags);
                if (!r.still_image && m.duration && *m.duration > r.duration && first_time) {
                    // Shorter is fine (the clip is cut); longer would leave a hole in the plan.
                    diags.error(m.duration_where, what + ": declared duration " +
                                                      core::format_duration(*m.duration) +
                                                      " is longer than the file (" +
                                                      format_seconds(r.duration) + ")");
                }
                if (airable && !r.still_image) {
                    // As media_durations gives them, so check and plan see the same plan.
                    d[id] = m.duration ? *m.duration : r.duration;
                }
            }
        }
        check_filler(ch.fill, ch, probe, diags);
        out.push_back(std::move(d));
    }
    return out;
}

} // namespace onair::media
