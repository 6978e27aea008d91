#include "service/playout_engine.hpp"

#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>
#include <stdexcept>

namespace onair::service {

namespace {

class playout_engine final : public engine {
public:
    playout_engine(const schedule::channel& channel,
                   std::function<void(const playout::event&)> on_event, core::logger& log)
        : engine_(channel, playout::mode::live, log) {
        for (const auto& out : channel.outputs) {
            if (out.type == schedule::output_type::file && out.file.has_parent_path()) {
                std::error_code ec;
                std::filesystem::create_directories(out.file.parent_path(), ec);
            }
            try {
                engine_.add_output(out);
            } catch (const std::exception& e) {
                log.error("output cannot be built", "channel", channel.id, "type",
                          schedule::to_string(out.type), "reason", e.what());
            }
        }
        engine_.on_event(std::move(on_event));
    }

    void start(playout::nanoseconds running_time) override { engine_.start(running_time); }
    int bus_fd() const override { return engine_.bus_fd(); }
    bool dispatch_pending() override { return engine_.dispatch_pending(); }
    std::string fatal_error() const override { return engine_.fatal_error(); }
    playout::nanoseconds clock_running_time() const override {
        return engine_.clock_running_time();
    }
    playout::nanoseconds running_time_now() const override { return engine_.running_time_now(); }
    playout::nanoseconds frame_duration() const override { return engine_.frame_duration(); }
    std::uint64_t schedule_clip(const playout::clip& c) override {
        return engine_.schedule_clip(c);
    }
    bool cancel_clip(std::uint64_t serial) override { return engine_.cancel_clip(serial); }
    void set_stream_title(const std::string& title) override { engine_.set_stream_title(title); }
    std::vector<playout::output_status> outputs() const override { return engine_.outputs(); }
    std::shared_ptr<const std::string> preview() override { return engine_.preview(); }
    std::optional<playout::audio_levels> levels() const override { return engine_.levels(); }
    bool finish_outputs(std::chrono::milliseconds wait) override {
        return engine_.finish_outputs(wait);
    }
    void stop() override { engine_.stop(); }

private:
    playout::channel_engine engine_;
};

} // namespace

engine_factory playout_engines(core::logger& log) {
    // A drill (and the tests' way to a channel that cannot air): $ONAIR_FAULT_BUILD names
    // channels, comma-separated, whose pipeline then fails to build, as a missing plugin would
    // make it (docs/run.md).
    std::set<std::string> failing;
    if (const char* env = std::getenv("ONAIR_FAULT_BUILD")) {
        std::stringstream list(env);
        for (std::string id; std::getline(list, id, ',');) {
            failing.insert(id);
        }
    }
    return [&log, failing](
               const schedule::channel& channel,
               std::function<void(const playout::event&)> on_event) -> std::unique_ptr<engine> {
        if (failing.count(channel.id) != 0) {
            throw std::runtime_error("the pipeline cannot be built (ONAIR_FAULT_BUILD drill)");
        }
        return std::make_unique<playout_engine>(channel, std::move(on_event), log);
    };
}

} // namespace onair::service
