#pragma once

// `onair asrun --verify`: walks the chain of completed rows and names what does not hold.

#include "asrun/store.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace onair::asrun {

struct chain_fault {
    std::int64_t id = 0; // the row where the chain breaks
    std::string channel;
    core::instant scheduled_start{};
    std::string timezone; // the row's zone, to print scheduled_start as the export does
    std::string what;     // e.g. "content altered: its chain does not match its fields"
};

struct verify_result {
    std::size_t rows = 0;            // completed rows checked (of the channel, when one is given)
    std::size_t open = 0;            // rows on air now (not chained yet, not faults)
    std::string head;                // chain value of the last completed row (zeros when none)
    std::size_t fault_count = 0;     // every fault found
    std::vector<chain_fault> faults; // the first max_faults of them, in chain order
    // With a kept head (a chain head printed earlier and kept elsewhere): whether a completed
    // row still carries it (always, for the zero head of an empty log), and how many rows of
    // the whole store were completed after it. Rows removed from the end of the chain, or a
    // file replaced by another, leave no fault in the walk: only this shows them.
    std::optional<bool> kept_head_found;
    std::size_t rows_after_kept_head = 0;
    bool ok() const { return fault_count == 0 && kept_head_found.value_or(true); }
};

// Walks the whole chain in completion order. For each row: its seq follows the previous one
// (else rows were removed before it), and its chain equals SHA-256(previous row's stored
// chain || its content) (else its fields were altered, or the row before it was removed or
// altered in a way that changes the link). Also a fault: a completed row with no place in the
// chain, and an open row that carries one. With `channel`, only that channel's rows are
// checked and counted, but a gap in the sequence is reported whatever row follows it: the
// chain is one for the whole store, and a removed row's channel cannot be known. With
// `kept_head`, also looks for it in the chain (see verify_result::kept_head_found).
// The walk verify_chain makes, one completed row at a time in seq order (rows read from
// elsewhere too: the shared database's copy of a store's chain, asrun_pg).
class chain_walk {
public:
    chain_walk(std::optional<std::string> channel, std::size_t max_faults,
               std::optional<std::string> kept_head);
    void next(const airing& row);
    void fault(const airing& row, std::string what);
    void count_open() { ++r_.open; } // a row on air now: not chained yet, not a fault
    // The result so far (head: the last row's chain).
    const verify_result& result() const { return r_; }

private:
    std::optional<std::string> channel_;
    std::size_t max_faults_;
    std::optional<std::string> kept_head_;
    verify_result r_;
    std::int64_t previous_seq_ = 0;
    std::string previous_chain_;
};

verify_result verify_chain(const store& s, const std::optional<std::string>& channel = {},
                           std::size_t max_faults = 20,
                           const std::optional<std::string>& kept_head = {});

} // namespace onair::asrun
