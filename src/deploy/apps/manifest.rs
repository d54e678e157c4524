//! An app bundle's JSON manifest.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::sql::errors::SqlError;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// snake_case, 1 to 63 characters.
    pub name: String,
    /// Semantic version.
    pub version: String,
    #[serde(default)]
    pub description: String,
    /// PostgreSQL DDL: CREATE TABLE / INDEX / VIEW.
    pub schema: String,
    /// Rows inserted when a table is created, per table.
    #[serde(default)]
    pub seed: BTreeMap<String, Vec<serde_json::Map<String, serde_json::Value>>>,
    /// The oldest pgtenant that can install it.
    #[serde(default)]
    pub min_pgtenant_version: Option<String>,
}

/// This server's version, as apps see it.
pub const SERVER_VERSION: &str = env!("CARGO_PKG_VERSION");

fn invalid(why: String) -> SqlError {
    SqlError::new("22023", format!("invalid app manifest: {why}"))
}

fn snake_case(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name.as_bytes()[0].is_ascii_lowercase()
        && name
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
}

impl Manifest {
    pub fn parse(text: &str) -> Result<Manifest, SqlError> {
        let m: Manifest = serde_json::from_str(text).map_err(|e| invalid(e.to_string()))?;
        if !snake_case(&m.name) {
            return Err(invalid(format!(
                "name \"{}\" must be snake_case (a-z, 0-9, _; starting with a letter)",
                m.name
            )));
        }
        m.semver()?;
        if let Some(min) = &m.min_pgtenant_version {
            semver::Version::parse(min)
                .map_err(|e| invalid(format!("min_pgtenant_version \"{min}\": {e}")))?;
        }
        Ok(m)
    }

    /// Whether this server is recent enough (0A000 if not).
    pub fn compatible(&self) -> Result<(), SqlError> {
        let Some(min) = &self.min_pgtenant_version else {
            return Ok(());
        };
        let min = semver::Version::parse(min)
            .map_err(|e| invalid(format!("min_pgtenant_version \"{min}\": {e}")))?;
        let ours = semver::Version::parse(SERVER_VERSION).expect("crate version is semver");
        if min > ours {
            return Err(SqlError::new(
                "0A000",
                format!(
                    "app \"{}\" {} needs pgtenant {min} or later; this server is {ours}",
                    self.name, self.version
                ),
            ));
        }
        Ok(())
    }

    pub fn semver(&self) -> Result<semver::Version, SqlError> {
        semver::Version::parse(&self.version)
            .map_err(|e| invalid(format!("version \"{}\": {e}", self.version)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation() {
        let ok = r#"{"name":"crm","version":"1.2.0","schema":"CREATE TABLE c (id int)"}"#;
        assert_eq!(Manifest::parse(ok).unwrap().name, "crm");
        for bad in [
            r#"{"name":"Crm","version":"1.0.0","schema":""}"#,
            r#"{"name":"crm","version":"1.0","schema":""}"#,
            r#"{"name":"crm","version":"1.0.0"}"#,
            r#"{"name":"crm","version":"1.0.0","schema":"","extra":1}"#,
        ] {
            assert_eq!(Manifest::parse(bad).unwrap_err().code, "22023", "{bad}");
        }
        let future =
            r#"{"name":"crm","version":"1.0.0","schema":"","min_pgtenant_version":"99.0.0"}"#;
        assert_eq!(
            Manifest::parse(future)
                .unwrap()
                .compatible()
                .unwrap_err()
                .code,
            "0A000"
        );
    }
}
