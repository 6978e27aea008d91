// Writes the campaign report's scenario (campaign_scenario.hpp) into the folder it is given.

#include "campaign_scenario.hpp"

#include <iostream>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: report_scenario DIR\n";
        return 2;
    }
    try {
        onair::test::write_campaign_scenario(argv[1]);
    } catch (const std::exception& e) {
        std::cerr << "report_scenario: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
