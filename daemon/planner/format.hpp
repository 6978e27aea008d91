#pragma once

// The rundown as SPEC section 4 shows it: JSON, CSV and a text form for people.

#include "planner/planner.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace onair::planner {

struct rundown_header {
    std::string channel_id;
    std::string channel_name;
    const date::time_zone* zone = nullptr;
    instant from;
    instant to;
};

nlohmann::ordered_json to_json(const rundown_header& h, const rundown& r);
std::string to_csv(const rundown& r, const date::time_zone& zone);
std::string to_text(const rundown_header& h, const rundown& r);

// RFC 4180 field quoting.
std::string csv_field(const std::string& s);

} // namespace onair::planner
