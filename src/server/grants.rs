//! GRANT and REVOKE in a tenant session: the grantees are checked against
//! the tenant's users (42704 for an unknown one), only an owner-role user
//! may change privileges (42501), then the tenant database applies it
//! (`backend::sqlite::grant`).

use std::sync::Arc;

use super::session::{Identity, Outcome, Session};
use crate::backend::sqlite::grant::{self, Grantee};
use crate::backend::sqlite::guard::Role;
use crate::backend::sqlite::privileges::{role_default, PUBLIC};
use crate::sql::errors::{from_sqlite, SqlError};
use crate::sql::translate::{AlterOwner, Grant, GrantTarget, GRANT_CURRENT_USER};
use pgwire::api::results::Tag;

impl Session {
    pub(super) async fn grant(self: &Arc<Self>, g: &Grant) -> Result<Outcome, SqlError> {
        let tag = if g.revoke { "REVOKE" } else { "GRANT" };
        let (tenant, user, role) = self.tenant_identity(tag)?;
        // As PostgreSQL: the grantees first, then the right to grant.
        let grantees = self.grantees(tenant, user, &g.grantees).await?;
        if Role::parse(role) != Role::Owner {
            return Err(SqlError::new(
                "42501",
                format!("permission denied: role {role} may not {tag} privileges"),
            )
            .with_detail("Only users with role owner may run GRANT and REVOKE."));
        }
        let done = Outcome::Command(Tag::new(tag));
        match &g.target {
            GrantTarget::Nothing => return Ok(done),
            GrantTarget::Schemas(names) => {
                self.require_schemas(names.iter().map(String::as_str))
                    .await?;
                return Ok(done);
            }
            GrantTarget::Tables(names) | GrantTarget::Sequences(names) => {
                // A user schema's relation: 3F000 first when it is missing.
                let schemas = names
                    .iter()
                    .filter_map(|n| crate::sql::translate::schemas::split(n))
                    .map(|(s, _)| s);
                self.require_schemas(schemas).await?;
            }
            GrantTarget::Databases(names) => {
                let own = self.database.get().map(String::as_str).unwrap_or(user);
                return match names.iter().find(|n| *n != own) {
                    Some(n) => Err(SqlError::new(
                        "3D000",
                        format!("database \"{n}\" does not exist"),
                    )),
                    None => Ok(done),
                };
            }
            GrantTarget::FutureTables => return future_tables(g, &grantees).map(|()| done),
            _ => {}
        }
        let db = self
            .tenant_db()
            .ok_or_else(|| SqlError::new("55006", "the session has no database connection"))?;
        if db.is_remote() {
            return Err(SqlError::new(
                "0A000",
                "GRANT and REVOKE on tables are not supported on remote libSQL tenants",
            ));
        }
        let acl = db.acl.clone();
        let (g, grantor) = (g.clone(), user.clone());
        let permit = self.writer_for_statement().await?;
        self.with_local_conn_releasing(permit, move |c| {
            grant::apply(c.sqlite_mut(), &g, &grantees, &grantor, &acl)
        })
        .await?;
        Ok(Outcome::Command(Tag::new(tag)))
    }

    /// The session's tenant, user and role; `what` (GRANT, ALTER TABLE ...)
    /// is refused in the admin database, which has no tenant objects.
    fn tenant_identity(&self, what: &str) -> Result<(&String, &String, &String), SqlError> {
        match &self.identity {
            Identity::Tenant {
                tenant, user, role, ..
            } => Ok((tenant, user, role)),
            _ => Err(SqlError::new(
                "42501",
                format!("permission denied: {what} in the admin database"),
            )),
        }
    }

    /// `ALTER ... OWNER TO role` (see `translate::owner`): nothing to
    /// change once the role exists, the user may own objects, and the
    /// object exists.
    pub(super) async fn alter_owner(
        self: &Arc<Self>,
        owner: &AlterOwner,
    ) -> Result<Outcome, SqlError> {
        let (tenant, user, role) = self.tenant_identity(&owner.tag)?;
        // pg_roles lists pg_database_owner beside the tenant's users.
        if owner.role != "pg_database_owner" {
            self.grantees(tenant, user, std::slice::from_ref(&owner.role))
                .await?;
        }
        if Role::parse(role) != Role::Owner {
            return Err(SqlError::new(
                "42501",
                format!("permission denied: role {role} may not change owners"),
            )
            .with_detail("Only users with role owner may run ALTER ... OWNER TO."));
        }
        if let (Some(check), Some(db)) = (&owner.check, self.tenant_db()) {
            if !db.is_remote() {
                let check = check.clone();
                self.with_local_conn(move |c| {
                    c.sqlite_mut()
                        .execute_batch(&check)
                        .map_err(|e| from_sqlite(&e))
                })
                .await?;
            }
        }
        Ok(Outcome::Command(Tag::new(&owner.tag)))
    }

    /// Reads the database's privileges again after a statement that
    /// dropped or renamed relations (and so their rows of `pgcat__acl`).
    pub(super) async fn reload_privileges(self: &Arc<Self>) -> Result<(), SqlError> {
        let Some(acl) = self
            .tenant_db()
            .filter(|db| !db.is_remote())
            .map(|db| db.acl.clone())
        else {
            return Ok(());
        };
        self.with_local_conn_releasing(None, move |c| {
            acl.load(c.sqlite()).map_err(|e| from_sqlite(&e))
        })
        .await
    }

    /// The grantees by name, with their roles; PUBLIC has none.
    async fn grantees(
        &self,
        tenant: &str,
        user: &str,
        names: &[String],
    ) -> Result<Vec<Grantee>, SqlError> {
        let (server, tenant, user, names) = (
            self.server.clone(),
            tenant.to_owned(),
            user.to_owned(),
            names.to_vec(),
        );
        tokio::task::spawn_blocking(move || {
            names
                .into_iter()
                .map(|n| {
                    let name = if n == GRANT_CURRENT_USER {
                        user.clone()
                    } else {
                        n
                    };
                    if name == PUBLIC {
                        return Ok(Grantee { name, role: None });
                    }
                    match server.catalog.user_role(&tenant, &name)? {
                        Some(r) => Ok(Grantee {
                            role: Some(Role::parse(&r)),
                            name,
                        }),
                        None => Err(SqlError::new(
                            "42704",
                            format!("role \"{name}\" does not exist"),
                        )),
                    }
                })
                .collect()
        })
        .await
        .map_err(|e| SqlError::internal("looking up grantees", e))?
    }
}

/// Whether a statement with this tag may drop or rename relations whose
/// privileges are kept.
pub(super) fn moves_privileges(tag: &str) -> bool {
    matches!(
        tag,
        "DROP TABLE"
            | "DROP VIEW"
            | "DROP SEQUENCE"
            | "DROP MATERIALIZED VIEW"
            | "ALTER TABLE"
            | "ALTER SEQUENCE"
    )
}

/// `ALTER DEFAULT PRIVILEGES ... ON TABLES`: accepted when it changes
/// nothing, since every user's role already gives its privileges on tables
/// created later (and PUBLIC has none to revoke).
fn future_tables(g: &Grant, grantees: &[Grantee]) -> Result<(), SqlError> {
    let covered = grantees.iter().all(|e| match (e.role, g.revoke) {
        (None, revoke) => revoke,
        (Some(role), false) => role_default(role) & g.privileges == g.privileges,
        (Some(role), true) => role_default(role) & g.privileges == 0,
    });
    if covered {
        return Ok(());
    }
    Err(SqlError::new(
        "0A000",
        "ALTER DEFAULT PRIVILEGES beyond what the grantees' roles give is not supported",
    )
    .with_detail(
        "A user's role (owner, readwrite, readonly) gives its privileges on every table; \
         GRANT ... ON ALL TABLES IN SCHEMA public after creating tables adds more.",
    ))
}
