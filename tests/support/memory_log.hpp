#pragma once

// The runner's airing log as a list a test reads back: every row as the store would hold it.

#include "service/airing_log.hpp"

#include <vector>

namespace onair::testing {

class memory_log final : public service::airing_log {
public:
    std::vector<asrun::airing> rows; // in the order they were opened or recorded

    ticket open(const asrun::airing& row) override {
        rows.push_back(row);
        return rows.size();
    }
    void close(ticket t, core::instant end, asrun::airing_status status,
               std::optional<std::string> detail) override {
        auto& r = rows.at(t - 1);
        r.actual_end = end;
        r.status = status;
        r.detail = std::move(detail);
    }
    void record(const asrun::airing& row) override { rows.push_back(row); }
};

} // namespace onair::testing
