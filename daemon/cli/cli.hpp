#pragma once

namespace onair::cli {

// Exit status: 0 success, 1 an error in the input or at run time, 2 a usage error.
enum exit_code : int { ok = 0, input_error = 1, usage_error = 2 };

int main(int argc, char** argv);

} // namespace onair::cli
