#pragma once

// The runners' airing log over the as-run store.

#include "asrun/store.hpp"
#include "core/log.hpp"
#include "service/airing_log.hpp"

#include <map>
#include <memory>

namespace onair::service {

class store_log final : public airing_log {
public:
    store_log(asrun::store& store, core::logger& log) : store_(store), log_(log) {}

    ticket open(const asrun::airing& row) override {
        const ticket t = ++last_;
        try {
            ids_[t] = store_.open_airing(row);
        } catch (const std::exception& e) {
            log_.error("as-run row not written", "reason", e.what());
        }
        return t;
    }
    void close(ticket t, core::instant end, asrun::airing_status status,
               std::optional<std::string> detail) override {
        auto it = ids_.find(t);
        if (it == ids_.end()) {
            return;
        }
        try {
            store_.close_airing(it->second, end, status, detail);
        } catch (const std::exception& e) {
            log_.error("as-run row not written", "reason", e.what());
        }
        ids_.erase(it);
    }
    void record(const asrun::airing& row) override {
        try {
            store_.record(row);
        } catch (const std::exception& e) {
            log_.error("as-run row not written", "reason", e.what());
        }
    }

private:
    asrun::store& store_;
    core::logger& log_;
    ticket last_ = 0;
    std::map<ticket, std::int64_t> ids_;
};

} // namespace onair::service
