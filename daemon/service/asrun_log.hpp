#pragma once

// The runners' airing log over the as-run writer (its own thread; a spill journal when SQLite
// is away): every call returns at once.

#include "asrun/writer.hpp"
#include "service/airing_log.hpp"

#include <functional>
#include <map>
#include <memory>

namespace onair::service {

class writer_log final : public airing_log {
public:
    explicit writer_log(asrun::writer& w) : writer_(w) {}

    ticket open(const asrun::airing& row) override { return writer_.open_airing(row); }
    void close(ticket t, core::instant end, asrun::airing_status status,
               std::optional<std::string> detail) override {
        writer_.close_airing(t, end, status, std::move(detail));
    }
    void record(const asrun::airing& row) override { writer_.record(row); }

private:
    asrun::writer& writer_;
};

// An airing log that also tells of every row it completes (closed, or recorded without going to
// air), whole: the console's `asrun` event. On the runners' thread, like the log it wraps.
class announcing_log final : public airing_log {
public:
    announcing_log(std::unique_ptr<airing_log> inner,
                   std::function<void(const asrun::airing&)> completed)
        : inner_(std::move(inner)), completed_(std::move(completed)) {}

    ticket open(const asrun::airing& row) override {
        const auto t = inner_->open(row);
        open_.emplace(t, row);
        return t;
    }
    void close(ticket t, core::instant end, asrun::airing_status status,
               std::optional<std::string> detail) override {
        inner_->close(t, end, status, detail);
        if (auto it = open_.find(t); it != open_.end()) {
            it->second.actual_end = end;
            it->second.status = status;
            it->second.detail = std::move(detail);
            completed_(it->second);
            open_.erase(it);
        }
    }
    void record(const asrun::airing& row) override {
        inner_->record(row);
        completed_(row);
    }

private:
    std::unique_ptr<airing_log> inner_;
    std::function<void(const asrun::airing&)> completed_;
    std::map<ticket, asrun::airing> open_; // on air now: as many as channels
};

} // namespace onair::service
