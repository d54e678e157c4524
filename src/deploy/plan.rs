//! A migration plan: ordered steps, each one or more SQLite statements, and
//! the result rows of `pgtenant.plan`.

use crate::sql::errors::SqlError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// `create_table`, `drop_table`, `rename_table`, `rename_column`,
    /// `add_column`, `drop_column`, `rebuild_table`, `create_index`,
    /// `drop_index`, `create_view`, `drop_view`.
    pub action: &'static str,
    pub object: String,
    /// The statements, each ending in `;`, one per line.
    pub sql: String,
    /// What this step loses, e.g. `drop column orders.note`; empty = safe.
    pub destructive: Vec<String>,
    pub detail: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub steps: Vec<Step>,
}

/// Columns of `pgtenant.plan`.
pub const COLUMNS: &[&str] = &["step", "action", "object", "sql", "destructive", "detail"];

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Every destructive change, in step order.
    pub fn destructive(&self) -> Vec<&str> {
        self.steps
            .iter()
            .flat_map(|s| s.destructive.iter().map(String::as_str))
            .collect()
    }

    /// All statements of the plan, as recorded in `pgtenant.deployments`.
    pub fn sql(&self) -> String {
        let mut out = String::new();
        for s in &self.steps {
            out.push_str(&s.sql);
            out.push('\n');
        }
        out
    }

    pub fn rows(&self) -> Vec<Vec<String>> {
        self.steps
            .iter()
            .enumerate()
            .map(|(i, s)| {
                vec![
                    (i + 1).to_string(),
                    s.action.to_owned(),
                    s.object.clone(),
                    s.sql.clone(),
                    if s.destructive.is_empty() { "f" } else { "t" }.to_owned(),
                    s.detail.clone(),
                ]
            })
            .collect()
    }

    /// The refusal when destructive steps are not allowed (None if there are none).
    ///
    /// SQLSTATE 2BP01 (dependent_objects_still_exist) is what PostgreSQL
    /// answers a DROP that would take more with it than asked; as there, the
    /// caller opts in explicitly (`allow_destructive => true` for CASCADE).
    pub fn refusal(&self, tenant: &str) -> Option<SqlError> {
        let list = self.destructive();
        if list.is_empty() {
            return None;
        }
        Some(
            SqlError::new(
                "2BP01",
                format!(
                    "deployment to \"{tenant}\" has destructive steps: {}",
                    list.join(", ")
                ),
            )
            .with_detail("Pass allow_destructive => true to apply them, or add a rename hint (-- pgtenant: rename TABLE.OLD to NEW) if a column was renamed."),
        )
    }
}
