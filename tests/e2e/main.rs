//! The end-to-end suite in one test binary: each module is one feature,
//! driven through real clients over real sockets. One binary instead of one
//! per file: linking ~45 binaries of the whole server took minutes and ~6 GB
//! of disk. Tests that read process-wide state (the global metrics, open file
//! descriptors, environment variables they set) keep their own binary under
//! tests/. Run one module with `cargo test --test e2e copy_clients::`.

#[path = "../common/mod.rs"]
mod common;
#[path = "../common/hrana.rs"]
mod hrana;

mod abrupt_clients;
mod admin_functions;
mod advisory_locks;
mod alter_constraints;
mod apps;
mod attack_suite;
mod auth_failures;
mod backups;
mod binary_results;
mod cancel;
mod catalog;
mod column_dates;
mod copy_clients;
mod copy_tokio_postgres;
mod crash_safety;
mod datetime_input;
mod deep_expressions;
mod deploy;
mod describe_types;
mod disk_full;
mod environments;
mod error_codes;
mod explain;
mod extended_protocol;
mod grants;
mod idle_release;
mod insert_defaults;
mod isolation;
mod libsql_remote;
mod lifecycle;
mod merge;
mod modifying_with;
mod orm_statements;
mod panic_boundary;
mod pg_checks;
mod portals;
mod psql_session;
mod quotas;
mod reconcile;
mod roles;
mod sequences;
mod serial_key_types;
mod session_settings;
mod shutdown;
mod simple_protocol;
mod sqlx_client;
mod statement_timeout;
mod tls_sni;
mod transactions;
mod trigger_returning;
mod vacuum;
