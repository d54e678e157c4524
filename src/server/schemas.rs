//! `DROP SCHEMA` of a schema the tenant made: its objects are listed in the
//! tenant's file (their names carry the schema, see `translate::schemas`),
//! then dropped with the schema's row in one statement, so a failure leaves
//! the schema as it was.

use std::sync::Arc;

use pgwire::api::results::Tag;

use super::session::{Outcome, Session};
use crate::sql::errors::SqlError;
use crate::sql::translate::{schemas, StmtKind, Translation};

impl Session {
    /// Translates `sql` as this session reads names: the server's shared,
    /// cached translation, unless `search_path` names a user schema; then
    /// unqualified names are looked up in the path's schemas (see
    /// `translate::schemas::SearchPath`), uncached.
    pub async fn translate(self: &Arc<Self>, sql: &str) -> Result<Arc<Vec<Translation>>, SqlError> {
        let schemas = {
            let settings = self.settings.lock().unwrap_or_else(|p| p.into_inner());
            settings
                .get_lower("search_path")
                .and_then(schemas::search_path_schemas)
        };
        let Some(schemas) = schemas else {
            return self.server.translate(sql);
        };
        if self.is_remote() {
            return self.server.translate(sql);
        }
        let path = self
            .with_local_conn(move |c| {
                search_path(c.sqlite(), schemas).map_err(|e| crate::sql::errors::from_sqlite(&e))
            })
            .await?;
        schemas::with_search_path(path, || crate::sql::translate::translate(sql))
            .map(Arc::new)
            .map_err(SqlError::from)
    }

    pub(super) async fn drop_schemas(
        self: &Arc<Self>,
        names: &[String],
        if_exists: bool,
        cascade: bool,
        format: &pgwire::api::portal::Format,
    ) -> Result<Outcome, SqlError> {
        if self.is_remote() {
            return Err(SqlError::new(
                "0A000",
                "schemas other than public are not supported on remote libSQL tenants",
            ));
        }
        let mut sql = Vec::new();
        for name in names {
            let (exists, objects) = self.schema_objects(name).await?;
            if !exists {
                if if_exists {
                    self.notice(format!("schema \"{name}\" does not exist, skipping"));
                    continue;
                }
                return Err(SqlError::new(
                    "3F000",
                    format!("schema \"{name}\" does not exist"),
                ));
            }
            let described: Vec<String> = objects
                .iter()
                .map(|(kind, object)| format!("{kind} {}", schemas::display_name(object)))
                .collect();
            if !objects.is_empty() && !cascade {
                return Err(SqlError::new(
                    "2BP01",
                    format!("cannot drop schema {name} because other objects depend on it"),
                )
                .with_detail(
                    described
                        .iter()
                        .map(|d| format!("{d} depends on schema {name}"))
                        .collect::<Vec<_>>()
                        .join("\n"),
                )
                .with_hint("Use DROP ... CASCADE to drop the dependent objects too."));
            }
            self.cascade_notice(&described);
            let drops = schemas::drop_objects_sql(&objects);
            for t in self.server.translate(&drops)?.iter() {
                // (DROP TABLE ... CASCADE: the schema's views go first,
                // above; its batch is the tables' drop itself.)
                let t = match &t.kind {
                    StmtKind::DropTablesCascade { then, .. } => then.as_ref(),
                    _ => t,
                };
                sql.push(t.sql.clone());
            }
            sql.push(schemas::forget_sql(name));
        }
        if sql.is_empty() {
            return Ok(Outcome::Command(Tag::new("DROP SCHEMA")));
        }
        let t = Translation {
            sql: sql.join("; "),
            ..Translation::command(StmtKind::Query {
                tag: "DROP SCHEMA",
                returns_rows: false,
            })
        };
        Box::pin(self.execute_inner(&t, Vec::new(), format, None)).await
    }

    /// 3F000 unless each of the user schemas `names` exists (local
    /// tenants; a remote one has none).
    pub(super) async fn require_schemas<'a>(
        self: &Arc<Self>,
        names: impl Iterator<Item = &'a str>,
    ) -> Result<(), SqlError> {
        let checks: Vec<String> = names.map(schemas::require_schema).collect();
        if checks.is_empty() || self.is_remote() {
            return Ok(());
        }
        self.with_local_conn(move |c| {
            c.sqlite()
                .execute_batch(&checks.join("; "))
                .map_err(|e| crate::sql::errors::from_sqlite(&e))
        })
        .await
    }

    /// Whether schema `name` exists, and its tables and views (`(kind,
    /// name)` with the name as PostgreSQL prints it, `cd.members`).
    async fn schema_objects(
        self: &Arc<Self>,
        name: &str,
    ) -> Result<(bool, Vec<(String, String)>), SqlError> {
        let exists = schemas::exists_query(name);
        let list = schemas::objects_query(name);
        self.with_local_conn(move |c| {
            let db = c.sqlite();
            let err = |e: rusqlite::Error| crate::sql::errors::from_sqlite(&e);
            let found = db
                .prepare(&exists)
                .and_then(|mut s| s.exists([]))
                .map_err(err)?;
            let mut s = db.prepare(&list).map_err(err)?;
            let objects = s
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
                .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
                .map_err(err)?;
            Ok((found, objects))
        })
        .await
    }

    /// PostgreSQL's NOTICE for objects a CASCADE drops along (`view v`,
    /// `table s.t`): the one object, or their count with each listed.
    pub(super) fn cascade_notice(&self, described: &[String]) {
        match described {
            [] => {}
            [one] => self.notice(format!("drop cascades to {one}")),
            many => self.notice_with_detail(
                format!("drop cascades to {} other objects", many.len()),
                many.iter()
                    .map(|d| format!("drop cascades to {d}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
        }
    }

    fn notice(&self, message: String) {
        self.raise_notice(
            "NOTICE",
            pgwire::error::ErrorInfo::new("NOTICE".into(), "00000".into(), message),
        );
    }

    fn notice_with_detail(&self, message: String, detail: String) {
        let mut info = pgwire::error::ErrorInfo::new("NOTICE".into(), "00000".into(), message);
        info.detail = Some(detail);
        self.raise_notice("NOTICE", info);
    }
}

/// The search path's existing schemas, in order, and the tenant's relation
/// names.
fn search_path(
    db: &rusqlite::Connection,
    schemas: Vec<String>,
) -> rusqlite::Result<schemas::SearchPath> {
    let mut exists = db.prepare_cached("SELECT 1 FROM pgcat__schema WHERE name = ?1")?;
    let mut order = Vec::with_capacity(schemas.len());
    for s in schemas {
        if s == "public" || exists.exists([&s])? {
            order.push(s);
        }
    }
    let mut list = db.prepare_cached(
        "SELECT lower(name) FROM main.sqlite_schema WHERE type IN ('table', 'view')",
    )?;
    let names = list
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(schemas::SearchPath { order, names })
}
