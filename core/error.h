#pragma once
// One exception type for every failure the user can cause (bad file, bad option, bad input).
// The message always names the thing at fault: "<file>: <what is wrong>".
#include <stdexcept>
#include <string>

namespace pb {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Thrown when a Progress callback asked to stop; callers keep their previous results.
class Cancelled : public std::runtime_error {
public:
    Cancelled() : std::runtime_error("cancelled") {}
};

}  // namespace pb
