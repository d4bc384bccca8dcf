//! Integration tests of the `chokepoint` binary.
