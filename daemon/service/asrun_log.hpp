#pragma once

// The runners' airing log over the as-run writer (its own thread; a spill journal when SQLite
// is away): every call returns at once.

#include "asrun/writer.hpp"
#include "service/airing_log.hpp"

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

} // namespace onair::service
