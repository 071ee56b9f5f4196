//! Facts about this machine that decide what the suite can do.
