//! Tenants: who a connection is for, the catalog that knows them, and the
//! registry of their open databases.

pub mod backup;
pub mod catalog;
pub mod enforce;
pub mod hostname;
pub mod lifecycle;
pub mod limits;
pub mod provision;
pub mod quota;
pub mod reconcile;
pub mod registry;
pub mod remote_db;
pub mod resolve;
pub mod scram;
pub mod secrets;
