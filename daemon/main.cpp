#include "cli/cli.hpp"

int main(int argc, char** argv) {
    return onair::cli::main(argc, argv);
}
