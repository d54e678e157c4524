//! Session settings: what SET, SHOW and RESET see. Most are remembered and
//! reported back; a few change behaviour (statement_timeout) and a few are
//! refused because they would cross the tenant boundary.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::sql::errors::SqlError;
use crate::sql::interval_style::IntervalStyle;
use crate::sql::zone::SessionZone;

/// Settings with a PostgreSQL default, in `SHOW ALL` order.
const DEFAULTS: &[(&str, &str, &str)] = &[
    (
        "application_name",
        "",
        "Sets the application name to be reported in statistics and logs.",
    ),
    (
        "client_encoding",
        "UTF8",
        "Sets the client's character set encoding.",
    ),
    (
        "client_min_messages",
        "notice",
        "Sets the message levels that are sent to the client.",
    ),
    (
        "datestyle",
        "ISO, MDY",
        "Sets the display format for date and time values.",
    ),
    (
        "default_table_access_method",
        "heap",
        "Sets the default table access method for new tables.",
    ),
    (
        "default_text_search_config",
        "pg_catalog.english",
        "Sets default text search configuration.",
    ),
    (
        "default_transaction_isolation",
        "serializable",
        "Sets the transaction isolation level of each new transaction.",
    ),
    (
        "default_transaction_read_only",
        "off",
        "Sets the default read-only status of new transactions.",
    ),
    (
        "extra_float_digits",
        "1",
        "Sets the number of digits displayed for floating-point values.",
    ),
    (
        "idle_in_transaction_session_timeout",
        "0",
        "Sets the maximum allowed idle time between queries, when in a transaction.",
    ),
    (
        "idle_session_timeout",
        "0",
        "Sets the maximum allowed idle time between queries, when not in a transaction.",
    ),
    (
        "integer_datetimes",
        "on",
        "Shows whether datetimes are integer based.",
    ),
    (
        "intervalstyle",
        "postgres",
        "Sets the display format for interval values.",
    ),
    (
        "jit",
        "off",
        "Allow JIT compilation (asyncpg reads it before introspecting types).",
    ),
    (
        "lc_messages",
        "C",
        "Sets the language in which messages are displayed.",
    ),
    (
        "lock_timeout",
        "0",
        "Sets the maximum allowed duration of any wait for a lock.",
    ),
    (
        "max_identifier_length",
        "63",
        "Shows the maximum identifier length.",
    ),
    (
        "search_path",
        "\"$user\", public",
        "Sets the schema search order for names that are not schema-qualified.",
    ),
    (
        "server_encoding",
        "UTF8",
        "Shows the server (database) character set encoding.",
    ),
    ("server_version", "15.8", "Shows the server version."),
    (
        "server_version_num",
        "150008",
        "Shows the server version as an integer.",
    ),
    (
        "standard_conforming_strings",
        "on",
        "Causes '...' strings to treat backslashes literally.",
    ),
    (
        "statement_timeout",
        "0",
        "Sets the maximum allowed duration of any statement.",
    ),
    (
        "timezone",
        "UTC",
        "Sets the time zone for displaying and interpreting time stamps.",
    ),
    (
        "transaction_isolation",
        "serializable",
        "Sets the current transaction's isolation level.",
    ),
    (
        "transaction_read_only",
        "off",
        "Shows whether the current transaction is read-only.",
    ),
    ("bytea_output", "hex", "Sets the output format for bytea."),
    // pg_dump sets these on connect; they change nothing here.
    (
        "synchronize_seqscans",
        "on",
        "Enable synchronized sequential scans.",
    ),
    ("row_security", "on", "Enable row security."),
    (
        "quote_all_identifiers",
        "off",
        "When generating SQL fragments, quote all identifiers.",
    ),
    (
        "is_superuser",
        "off",
        "Shows whether the current user is a superuser.",
    ),
];

/// Settings whose changes the client is told of (ParameterStatus), as
/// PostgreSQL 15 reports them; the ones no SET can change are left out.
const REPORTED: &[&str] = &[
    "application_name",
    "client_encoding",
    "datestyle",
    "default_transaction_read_only",
    "intervalstyle",
    "standard_conforming_strings",
    "timezone",
];

/// The names PostgreSQL reports with their own capitalisation.
fn display_name(name: &str) -> &str {
    match name {
        "datestyle" => "DateStyle",
        "timezone" => "TimeZone",
        "intervalstyle" => "IntervalStyle",
        other => other,
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    values: BTreeMap<String, String>,
    initial: BTreeMap<String, String>,
    pub statement_timeout: Option<Duration>,
    /// The TimeZone setting, resolved.
    zone: SessionZone,
    /// The IntervalStyle setting, resolved.
    interval_style: IntervalStyle,
    /// The reported settings' values the client was last told of.
    reported: Vec<(&'static str, String)>,
    /// A value may have changed since `changed_reports` last looked: every
    /// statement asks, and almost none changes a setting.
    dirty: bool,
    /// Inside a transaction block, once a setting changed: what to go back to.
    block: Option<Box<BlockChanges>>,
}

/// A block's setting changes: the values before its first SET or RESET
/// (ROLLBACK restores them, as PostgreSQL undoes a rolled-back SET) and
/// the names SET LOCAL changed (restored when the block ends either way).
#[derive(Debug, Clone)]
struct BlockChanges {
    before: BTreeMap<String, String>,
    local: Vec<String>,
}

/// A duration in PostgreSQL's SHOW form: the largest unit that divides it.
fn show_ms(ms: u64) -> String {
    match ms {
        0 => "0".to_owned(),
        ms if ms % 86_400_000 == 0 => format!("{}d", ms / 86_400_000),
        ms if ms % 3_600_000 == 0 => format!("{}h", ms / 3_600_000),
        ms if ms % 60_000 == 0 => format!("{}min", ms / 60_000),
        ms if ms % 1000 == 0 => format!("{}s", ms / 1000),
        ms => format!("{ms}ms"),
    }
}

/// Parses a PostgreSQL duration setting (`5000`, `5s`, `1min`, `250ms`) in milliseconds.
fn parse_ms(value: &str) -> Option<u64> {
    let v = value.trim().trim_matches('\'');
    let split = v
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(v.len());
    let (num, unit) = v.split_at(split);
    let n: f64 = num.parse().ok()?;
    let mult = match unit.trim() {
        "" | "ms" => 1.0,
        "s" => 1000.0,
        "min" => 60_000.0,
        "h" => 3_600_000.0,
        "d" => 86_400_000.0,
        "us" => 0.001,
        _ => return None,
    };
    Some((n * mult) as u64)
}

impl Settings {
    pub fn new(
        server_version: &str,
        statement_timeout: Option<Duration>,
        startup: &[(String, String)],
    ) -> Settings {
        let mut values: BTreeMap<String, String> = DEFAULTS
            .iter()
            .map(|(k, v, _)| (k.to_string(), v.to_string()))
            .collect();
        values.insert("server_version".into(), server_version.to_owned());
        if let Some(t) = statement_timeout {
            values.insert("statement_timeout".into(), show_ms(t.as_millis() as u64));
        }
        let mut s = Settings {
            initial: BTreeMap::new(),
            values,
            statement_timeout,
            zone: SessionZone::Utc,
            interval_style: IntervalStyle::Postgres,
            reported: Vec::new(),
            dirty: false,
            block: None,
        };
        for (k, v) in startup {
            // Startup parameters act like SET; bad ones are ignored as libpq
            // clients cannot recover from a startup failure over a setting.
            let _ = s.set(k, v);
        }
        s.initial = s.values.clone();
        s.reported = REPORTED
            .iter()
            .map(|&n| (n, s.values.get(n).cloned().unwrap_or_default()))
            .collect();
        s
    }

    /// The reported settings (GUC_REPORT in PostgreSQL) whose value changed
    /// since the client was last told, as (name, value) for ParameterStatus
    /// messages before the next ReadyForQuery. Drivers read them: psycopg
    /// takes TimeZone for binary timestamptz values, pgjdbc checks DateStyle.
    pub fn changed_reports(&mut self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if !std::mem::take(&mut self.dirty) {
            return out;
        }
        for (name, last) in &mut self.reported {
            let now = self.values.get(*name).map(String::as_str).unwrap_or("");
            if now != last {
                *last = now.to_owned();
                out.push((display_name(name).to_owned(), now.to_owned()));
            }
        }
        out
    }

    /// [`Self::get`] for a name already in lower case, without the
    /// folded copy (asked on every statement).
    pub fn get_lower(&self, name: &str) -> Option<&str> {
        debug_assert_eq!(name, name.to_ascii_lowercase());
        self.values.get(name).map(String::as_str)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// `SHOW name`: the value and the column name PostgreSQL uses.
    pub fn show(&self, name: &str) -> Result<(String, String), SqlError> {
        let lower = name.to_ascii_lowercase();
        let lower = if lower == "time zone" {
            "timezone".to_owned()
        } else {
            lower
        };
        match self.values.get(&lower) {
            Some(v) => Ok((display_name(&lower).to_owned(), v.clone())),
            None => Err(SqlError::new(
                "42704",
                format!("unrecognized configuration parameter \"{name}\""),
            )),
        }
    }

    /// `SHOW ALL`: (name, setting, description).
    pub fn all(&self) -> Vec<(String, String, String)> {
        self.values
            .iter()
            .map(|(k, v)| {
                let desc = DEFAULTS
                    .iter()
                    .find(|(n, _, _)| n == k)
                    .map(|(_, _, d)| d.to_string())
                    .unwrap_or_default();
                (display_name(k).to_owned(), v.clone(), desc)
            })
            .collect()
    }

    /// `SET name = value`.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), SqlError> {
        self.dirty = true;
        let name = name.to_ascii_lowercase();
        let value = value.trim();
        match name.as_str() {
            n if n.starts_with("pgtenant.") => {
                return Err(SqlError::new(
                    "42501",
                    format!("permission denied to set parameter \"{n}\""),
                )
                .with_detail("The tenant of a session is fixed when it connects."))
            }
            "role" | "session_authorization" => {
                return Err(SqlError::new(
                    "42501",
                    format!("permission denied to set parameter \"{name}\""),
                ))
            }
            "client_encoding" => {
                let norm = value.to_ascii_uppercase().replace(['-', '_', '\''], "");
                if norm != "UTF8" && norm != "UNICODE" {
                    return Err(SqlError::new(
                        "22023",
                        format!("invalid value for parameter \"client_encoding\": \"{value}\""),
                    )
                    .with_detail("pgtenant speaks UTF8 only."));
                }
                self.values.insert(name, "UTF8".into());
                return Ok(());
            }
            "standard_conforming_strings" => {
                if !matches!(
                    value.to_ascii_lowercase().as_str(),
                    "on" | "true" | "1" | "yes"
                ) {
                    return Err(SqlError::new(
                        "0A000",
                        "standard_conforming_strings cannot be turned off",
                    ));
                }
                self.values.insert(name, "on".into());
                return Ok(());
            }
            "timezone" => {
                let zone = SessionZone::parse(value).ok_or_else(|| {
                    SqlError::new(
                        "22023",
                        format!("invalid value for parameter \"TimeZone\": \"{value}\""),
                    )
                })?;
                self.zone = zone;
                self.values.insert(name, zone.display(value));
                return Ok(());
            }
            "intervalstyle" => {
                let style = IntervalStyle::parse(value).ok_or_else(|| {
                    SqlError::new(
                        "22023",
                        format!("invalid value for parameter \"intervalstyle\": \"{value}\""),
                    )
                    .with_hint(
                        "Available values: postgres, postgres_verbose, sql_standard, iso_8601.",
                    )
                })?;
                self.interval_style = style;
                self.values.insert(name, style.name().to_owned());
                return Ok(());
            }
            "statement_timeout" => {
                let ms = parse_ms(value).ok_or_else(|| {
                    SqlError::new(
                        "22023",
                        format!("invalid value for parameter \"statement_timeout\": \"{value}\""),
                    )
                })?;
                self.statement_timeout = (ms > 0).then(|| Duration::from_millis(ms));
                self.values.insert(name, show_ms(ms));
                return Ok(());
            }
            // Other durations: kept in PostgreSQL's display form (`1000`
            // shows as `1s`), and refused as PostgreSQL refuses bad ones.
            "lock_timeout" | "idle_in_transaction_session_timeout" | "idle_session_timeout" => {
                let ms = parse_ms(value).ok_or_else(|| {
                    SqlError::new(
                        "22023",
                        format!("invalid value for parameter \"{name}\": \"{value}\""),
                    )
                })?;
                self.values.insert(name, show_ms(ms));
                return Ok(());
            }
            "server_version"
            | "server_version_num"
            | "server_encoding"
            | "integer_datetimes"
            | "max_identifier_length"
            | "is_superuser" => {
                return Err(SqlError::new(
                    "55P02",
                    format!("parameter \"{name}\" cannot be changed"),
                ))
            }
            _ => {}
        }
        // Known settings and custom `prefix.name` ones are remembered; unknown
        // plain names are refused as PostgreSQL does.
        if self.values.contains_key(&name)
            || name.contains('.')
            || ACCEPTED.contains(&name.as_str())
        {
            self.values.insert(name, value.to_owned());
            Ok(())
        } else {
            Err(SqlError::new(
                "42704",
                format!("unrecognized configuration parameter \"{name}\""),
            ))
        }
    }

    /// A SET or RESET inside a transaction block is about to run
    /// (`local`: SET LOCAL of `name`).
    pub fn changing_in_block(&mut self, name: Option<&str>, local: bool) {
        let values = &self.values;
        let block = self.block.get_or_insert_with(|| {
            Box::new(BlockChanges {
                before: values.clone(),
                local: Vec::new(),
            })
        });
        if let (true, Some(n)) = (local, name) {
            block.local.push(n.to_ascii_lowercase());
        }
    }

    /// The block ended: a ROLLBACK undoes its changes, and SET LOCAL's go
    /// either way.
    pub fn end_transaction(&mut self, commit: bool) {
        let Some(block) = self.block.take() else {
            return;
        };
        self.dirty = true;
        if commit {
            for name in &block.local {
                match block.before.get(name) {
                    Some(v) => self.values.insert(name.clone(), v.clone()),
                    None => self.values.remove(name),
                };
            }
        } else {
            self.values = block.before;
        }
        self.derive();
    }

    /// The resolved forms of settings, after their text changed wholesale.
    fn derive(&mut self) {
        self.statement_timeout = self
            .get("statement_timeout")
            .and_then(parse_ms)
            .filter(|&ms| ms > 0)
            .map(Duration::from_millis);
        self.zone = self
            .get("timezone")
            .and_then(SessionZone::parse)
            .unwrap_or_default();
        self.interval_style = self
            .get("intervalstyle")
            .and_then(IntervalStyle::parse)
            .unwrap_or_default();
    }

    /// The session's IntervalStyle.
    pub fn interval_style(&self) -> IntervalStyle {
        self.interval_style
    }

    /// The session's time zone.
    pub fn zone(&self) -> SessionZone {
        self.zone
    }

    /// `RESET name` / `RESET ALL` (None).
    pub fn reset(&mut self, name: Option<&str>) {
        self.dirty = true;
        match name {
            None => {
                self.values = self.initial.clone();
            }
            Some(n) => {
                let n = n.to_ascii_lowercase();
                match self.initial.get(&n) {
                    Some(v) => {
                        self.values.insert(n.clone(), v.clone());
                    }
                    None => {
                        self.values.remove(&n);
                    }
                }
            }
        }
        self.derive();
    }
}

/// Settings clients commonly send that pgtenant accepts without a default to show.
const ACCEPTED: &[&str] = &[
    "geqo",
    "jit",
    "work_mem",
    "maintenance_work_mem",
    "synchronous_commit",
    "row_security",
    "check_function_bodies",
    "xmloption",
    "enable_seqscan",
    "enable_indexscan",
    "random_page_cost",
    "effective_cache_size",
    "default_with_oids",
    "escape_string_warning",
    "session_replication_role",
    "temp_buffers",
    "plan_cache_mode",
    "default_tablespace",
    "constraint_exclusion",
    "cursor_tuple_fraction",
    "log_statement",
    "trace_notify",
];

/// A boolean setting's value read as PostgreSQL reads one (`boolin`:
/// `on`, `true`, `yes`, `1` and their prefixes); unset is off. Asked at
/// every BEGIN and write: no allocation.
pub fn is_on(value: Option<&str>) -> bool {
    value.and_then(|v| crate::sql::encode::scalar::parse_bool(v.as_bytes())) == Some(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_show_reset() {
        let mut s = Settings::new("15.8", None, &[("application_name".into(), "psql".into())]);
        assert_eq!(s.show("application_name").unwrap().1, "psql");
        assert_eq!(
            s.show("DateStyle").unwrap(),
            ("DateStyle".into(), "ISO, MDY".into())
        );
        s.set("statement_timeout", "5s").unwrap();
        assert_eq!(s.statement_timeout, Some(Duration::from_millis(5000)));
        s.set("myapp.x", "1").unwrap();
        assert_eq!(s.set("nonsense", "1").unwrap_err().code, "42704");
        assert_eq!(s.set("pgtenant.tenant", "other").unwrap_err().code, "42501");
        assert_eq!(
            s.set("client_encoding", "LATIN1").unwrap_err().code,
            "22023"
        );
        s.set("client_encoding", "'utf-8'").unwrap();
        s.reset(None);
        assert_eq!(s.statement_timeout, None);
        assert_eq!(s.show("application_name").unwrap().1, "psql");
    }
}
