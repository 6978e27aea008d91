#pragma once

// An engine a test drives by hand, for the runner's unit tests: it records the clips it is
// given and the calls made on it, its clock follows a manual clock, and the test decides when
// clips start, end or fail, when the output moves and when the pipeline dies.

#include "manual_clock.hpp"
#include "service/engine.hpp"

#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace onair::testing {

struct fake_clip {
    std::uint64_t serial = 0;
    playout::clip clip;
    bool cancelled = false;
};

// What every engine the factory made shares with the test (a runner rebuilds its engine).
struct fake_pipeline {
    const manual_clock* clock = nullptr;
    std::vector<fake_clip> clips; // every clip scheduled, in order
    std::vector<std::string> titles;
    int builds = 0; // engines made
    int starts = 0; // engines started
    int stops = 0;
    int finishes = 0;         // finish_outputs calls
    int fail_next_builds = 0; // the factory throws this many times
    bool moving = true;       // the output advances with the clock
    bool dead = false;        // dispatch_pending() reports the pipeline finished
    std::string fatal = "";
    int throw_in_dispatch = 0; // dispatch_pending() throws this many times
    std::map<std::uint64_t, std::string> fail_on_schedule; // serial -> reason (missing file)
    std::function<void(const playout::event&)> emit;       // the live engine's event callback

    fake_clip* find(const std::string& media) {
        for (auto it = clips.rbegin(); it != clips.rend(); ++it) {
            if (it->clip.id == media && !it->cancelled) {
                return &*it;
            }
        }
        return nullptr;
    }
    // The engine reports the clip's first frame at its planned running time (+ late).
    void start(const std::string& media, std::chrono::milliseconds late = {}) {
        auto* c = find(media);
        if (c == nullptr) {
            throw std::logic_error("no clip " + media);
        }
        event(playout::event_kind::started, *c, c->clip.start + late);
    }
    void end(const std::string& media, std::optional<playout::nanoseconds> at = {}) {
        auto* c = find(media);
        if (c == nullptr) {
            throw std::logic_error("no clip " + media);
        }
        event(playout::event_kind::ended, *c, at.value_or(c->clip.start + c->clip.duration));
    }
    void fail(const std::string& media, const std::string& why) {
        auto* c = find(media);
        if (c == nullptr) {
            throw std::logic_error("no clip " + media);
        }
        playout::event e;
        e.kind = playout::event_kind::failed;
        e.serial = c->serial;
        e.clip_id = media;
        e.reason = why;
        emit(e);
    }

private:
    void event(playout::event_kind k, const fake_clip& c, playout::nanoseconds rt) {
        playout::event e;
        e.kind = k;
        e.serial = c.serial;
        e.clip_id = c.clip.id;
        e.running_time = rt;
        emit(e);
    }
};

class fake_engine final : public service::engine {
public:
    explicit fake_engine(fake_pipeline& p) : p_(p) {}

    void start(playout::nanoseconds running_time) override {
        ++p_.starts;
        started_at_ = p_.clock->steady();
        rt0_ = running_time;
        p_.dead = false;
    }
    int bus_fd() const override { return -1; }
    bool dispatch_pending() override {
        if (p_.throw_in_dispatch > 0) {
            --p_.throw_in_dispatch;
            throw std::runtime_error("a bug in the engine");
        }
        return !p_.dead;
    }
    std::string fatal_error() const override { return p_.fatal; }
    playout::nanoseconds clock_running_time() const override {
        return rt0_ + (p_.clock->steady() - started_at_);
    }
    playout::nanoseconds running_time_now() const override {
        if (p_.moving) {
            frozen_ = clock_running_time();
        }
        return frozen_;
    }
    playout::nanoseconds frame_duration() const override { return std::chrono::milliseconds(40); }
    std::uint64_t schedule_clip(const playout::clip& c) override {
        const auto serial = ++serial_base_;
        p_.clips.push_back(fake_clip{serial, c, false});
        if (auto f = p_.fail_on_schedule.find(serial); f != p_.fail_on_schedule.end()) {
            playout::event e;
            e.kind = playout::event_kind::failed;
            e.serial = serial;
            e.clip_id = c.id;
            e.reason = f->second;
            p_.emit(e);
        }
        return serial;
    }
    bool cancel_clip(std::uint64_t serial) override {
        for (auto& c : p_.clips) {
            if (c.serial == serial) {
                c.cancelled = true;
                return true;
            }
        }
        return false;
    }
    void set_stream_title(const std::string& title) override { p_.titles.push_back(title); }
    std::vector<playout::output_status> outputs() const override { return {}; }
    bool finish_outputs(std::chrono::milliseconds) override {
        ++p_.finishes;
        return true;
    }
    void stop() override { ++p_.stops; }

    // Serials are unique across the engines one pipeline record sees.
    static inline std::uint64_t serial_base_ = 0;

private:
    fake_pipeline& p_;
    std::chrono::steady_clock::time_point started_at_{};
    playout::nanoseconds rt0_{0};
    mutable playout::nanoseconds frozen_{0};
};

inline service::engine_factory fake_engines(fake_pipeline& p) {
    return [&p](const schedule::channel&, std::function<void(const playout::event&)> on_event)
               -> std::unique_ptr<service::engine> {
        ++p.builds;
        if (p.fail_next_builds > 0) {
            --p.fail_next_builds;
            throw std::runtime_error("no element 'x264enc'");
        }
        p.emit = std::move(on_event);
        return std::make_unique<fake_engine>(p);
    };
}

// A teardown that holds what it is given until the test releases it: what a slow drain on a
// teardown thread looks like to the runner.
class held_teardown final : public service::engine_teardown {
public:
    explicit held_teardown(core::logger& log) : log_(log) {}
    void retire(const std::string& channel, std::unique_ptr<service::engine> e,
                bool finish) override {
        held.push_back({channel, std::move(e), finish});
    }
    bool busy(const std::string& channel) const override {
        for (const auto& h : held) {
            if (h.channel == channel) {
                return true;
            }
        }
        return false;
    }
    // Finishes and stops everything held, as the teardown thread would.
    void release() {
        for (auto& h : held) {
            service::finish_and_stop(*h.e, h.finish, h.channel, log_);
        }
        held.clear();
    }

    struct entry {
        std::string channel;
        std::unique_ptr<service::engine> e;
        bool finish = false;
    };
    std::vector<entry> held;

private:
    core::logger& log_;
};

} // namespace onair::testing
