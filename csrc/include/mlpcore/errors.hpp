// Exception types thrown by the kernels.
//
// Kernels validate their own preconditions (shapes, enum values) and throw these before
// touching memory; the Python bindings check everything earlier with argument-naming
// messages, so reaching one of these from Python indicates a binding bug. Both derive
// from std::invalid_argument, which pybind11 translates to ValueError.
#pragma once

#include <stdexcept>
#include <string>

namespace mlpcore {

// Base class of all mlpcore argument errors.
class Error : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

// Operand shapes are inconsistent with each other.
class ShapeError : public Error {
public:
    using Error::Error;
};

// A name (activation, loss) or scalar argument is not acceptable.
class ValueError : public Error {
public:
    using Error::Error;
};

}  // namespace mlpcore
