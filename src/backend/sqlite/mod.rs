//! The embedded engine: one local SQLite file per tenant environment.

pub mod exec;
pub mod functions;
pub mod guard;
pub mod open;
pub mod pgfuncs;
