#include "control/web_assets.hpp"

namespace onair::control {

const web_asset* find_web_asset(std::string_view request_path) {
    std::string_view path;
    if (request_path == "/") {
        path = "index.html";
    } else if (request_path.substr(0, 8) == "/static/") {
        path = request_path.substr(8);
    } else {
        return nullptr;
    }
    for (const auto& a : web_assets()) {
        if (a.path == path) {
            return &a;
        }
    }
    return nullptr;
}

} // namespace onair::control
