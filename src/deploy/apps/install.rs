//! `check_app`, `install_app` / `upgrade_app` and `uninstall_app`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use rusqlite::params;

use crate::tenant::catalog::Exec;

use super::{installed, seed, Installed, Manifest};
use crate::deploy::apply::{live_schema, Job};
use crate::deploy::desired::{self, Desired};
use crate::deploy::history::History;
use crate::deploy::rollout::{blocking, checksum, deploy_one, Kind};
use crate::deploy::schema::{key, Schema};
use crate::deploy::scope::Scope;
use crate::deploy::target::{self, Selector, Target};
use crate::server::Server;
use crate::sql::errors::SqlError;
use crate::tenant::catalog::now_text;

pub const CHECK_COLUMNS: &[&str] = &["ok", "kind", "object", "owner", "detail"];
pub const INSTALL_COLUMNS: &[&str] = &["app", "version", "object", "action", "seeded_rows"];
pub const UNINSTALL_COLUMNS: &[&str] = &["app", "object", "action"];

struct Prepared {
    manifest: Manifest,
    desired: Desired,
    target: Target,
    history: Arc<History>,
    installed: Option<Installed>,
    /// Objects of other apps (name -> app).
    others: BTreeMap<String, String>,
    live: Schema,
}

struct Finding {
    kind: &'static str,
    object: String,
    owner: String,
    detail: String,
}

fn one_target(target: &str, what: &str) -> Result<(String, String), SqlError> {
    match target::parse(target)? {
        Selector::Named { list, single: true } => Ok(list[0].clone()),
        _ => Err(SqlError::new(
            "22023",
            format!("pgtenant.{what} takes one tenant (or tenant.environment)"),
        )),
    }
}

async fn prepare(
    server: &Arc<Server>,
    target: &str,
    manifest: &str,
    what: &str,
) -> Result<Prepared, SqlError> {
    let (tenant, env) = one_target(target, what)?;
    let manifest = manifest.to_owned();
    let srv = server.clone();
    blocking(move || {
        let manifest = Manifest::parse(&manifest)?;
        let desired = desired::from_postgres(&manifest.schema)?;
        if let Some(t) = manifest.seed.keys().find(|t| !desired.schema.tables.contains_key(&key(t))) {
            return Err(SqlError::new(
                "22023",
                format!("invalid app manifest: seed rows for \"{t}\", which the app's schema does not create"),
            ));
        }
        let history = History::new(srv.catalog.clone());
        let target = target::lookup(&srv, &tenant, &env)?;
        let mut apps = installed(&history, &target)?;
        let mine = apps
            .iter()
            .position(|a| a.name == manifest.name)
            .map(|i| apps.remove(i));
        let others = apps
            .into_iter()
            .flat_map(|a| {
                let name = a.name;
                a.tables
                    .into_iter()
                    .chain(a.views)
                    .map(move |t| (t, name.clone()))
            })
            .collect();
        let (live, _) = live_schema(&target.db, target.shared_client(&srv)?)?;
        Ok(Prepared {
            manifest,
            desired,
            target,
            history: Arc::new(history),
            installed: mine,
            others,
            live,
        })
    })
    .await
}

/// Tables, views and indexes the app would take from someone else.
fn conflicts(p: &Prepared) -> Vec<Finding> {
    let mine = |k: &str| {
        p.installed
            .as_ref()
            .is_some_and(|a| a.tables.contains(k) || a.views.contains(k))
    };
    let owner = |k: &str| p.others.get(k).cloned().unwrap_or_else(|| "user".into());
    let mut out = Vec::new();
    for (k, want) in &p.desired.schema.tables {
        if mine(k) {
            continue;
        }
        if let Some(have) = p.live.tables.get(k) {
            let cols = |t: &crate::deploy::schema::Table| {
                t.columns
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            out.push(Finding {
                kind: "table",
                object: want.name.clone(),
                owner: owner(k),
                detail: format!(
                    "existing columns ({}); app columns ({})",
                    cols(have),
                    cols(want)
                ),
            });
        } else if p.live.views.contains_key(k) {
            out.push(Finding {
                kind: "table",
                object: want.name.clone(),
                owner: owner(k),
                detail: "a view has this name".into(),
            });
        }
    }
    for (k, want) in &p.desired.schema.views {
        if !mine(k) && (p.live.views.contains_key(k) || p.live.tables.contains_key(k)) {
            out.push(Finding {
                kind: "view",
                object: want.name.clone(),
                owner: owner(k),
                detail: "the name is taken".into(),
            });
        }
    }
    for (k, want) in &p.desired.schema.indexes {
        if let Some(have) = p.live.indexes.get(k) {
            if !mine(&have.table) {
                out.push(Finding {
                    kind: "index",
                    object: want.name.clone(),
                    owner: owner(&have.table),
                    detail: format!("index of table {}", have.table),
                });
            }
        }
    }
    out
}

/// Install, upgrade, or why not (version).
fn action(p: &Prepared) -> Result<String, Finding> {
    let new = p.manifest.semver().map_err(|e| Finding {
        kind: "version",
        object: p.manifest.name.clone(),
        owner: String::new(),
        detail: e.message,
    })?;
    let Some(inst) = &p.installed else {
        return Ok("new install".into());
    };
    let old = semver::Version::parse(&inst.version).unwrap_or(semver::Version::new(0, 0, 0));
    let finding = |detail: String| Finding {
        kind: "version",
        object: p.manifest.name.clone(),
        owner: p.manifest.name.clone(),
        detail,
    };
    match new.cmp(&old) {
        std::cmp::Ordering::Greater => Ok(format!("upgrade from {old} to {new}")),
        std::cmp::Ordering::Equal => Err(finding(format!("version {old} is already installed"))),
        std::cmp::Ordering::Less => Err(finding(format!(
            "version {old} is installed; {new} would be a downgrade"
        ))),
    }
}

/// `pgtenant.check_app(tenant, manifest)`: one `ok` row, or one row per problem.
pub async fn check_app(
    server: &Arc<Server>,
    target: &str,
    manifest: &str,
) -> Result<Vec<Vec<String>>, SqlError> {
    let p = prepare(server, target, manifest, "check_app").await?;
    let mut problems = conflicts(&p);
    if let Err(e) = p.manifest.compatible() {
        problems.insert(
            0,
            Finding {
                kind: "version",
                object: "pgtenant".into(),
                owner: String::new(),
                detail: e.message,
            },
        );
    }
    let action = action(&p);
    if let Err(f) = action.as_ref() {
        problems.insert(
            0,
            Finding {
                kind: f.kind,
                object: f.object.clone(),
                owner: f.owner.clone(),
                detail: f.detail.clone(),
            },
        );
    }
    if problems.is_empty() {
        return Ok(vec![vec![
            "t".into(),
            "ok".into(),
            p.manifest.name.clone(),
            String::new(),
            action.unwrap_or_default(),
        ]]);
    }
    Ok(problems
        .into_iter()
        .map(|f| vec!["f".into(), f.kind.into(), f.object, f.owner, f.detail])
        .collect())
}

/// `pgtenant.install_app` and `pgtenant.upgrade_app` (`upgrade`: the app must be installed).
pub async fn install_app(
    server: &Arc<Server>,
    target: &str,
    manifest_text: &str,
    config: &str,
    allow_destructive: bool,
    upgrade: bool,
) -> Result<Vec<Vec<String>>, SqlError> {
    let what = if upgrade {
        "upgrade_app"
    } else {
        "install_app"
    };
    let config_value: serde_json::Value = serde_json::from_str(config)
        .ok()
        .filter(serde_json::Value::is_object)
        .ok_or_else(|| SqlError::new("22023", "app config must be a JSON object"))?;
    let p = prepare(server, target, manifest_text, what).await?;
    p.manifest.compatible()?;
    if upgrade && p.installed.is_none() {
        return Err(SqlError::new(
            "42704",
            format!(
                "app \"{}\" is not installed in \"{}\"",
                p.manifest.name, p.target.tenant
            ),
        ));
    }
    if let Err(f) = action(&p) {
        let code = if f.detail.contains("already installed") {
            "42710"
        } else {
            "22023"
        };
        return Err(SqlError::new(
            code,
            format!("app \"{}\": {}", p.manifest.name, f.detail),
        ));
    }
    let problems = conflicts(&p);
    if !problems.is_empty() {
        let list: Vec<String> = problems
            .iter()
            .map(|f| format!("{} {} (owned by {})", f.kind, f.object, f.owner))
            .collect();
        return Err(SqlError::new(
            "42P07",
            format!(
                "app \"{}\" conflicts with existing objects: {}",
                p.manifest.name,
                list.join(", ")
            ),
        )
        .with_detail("See pgtenant.check_app for details."));
    }
    let Prepared {
        manifest,
        desired,
        target,
        history,
        installed,
        ..
    } = p;
    let mut tables: std::collections::BTreeSet<String> =
        desired.schema.tables.keys().cloned().collect();
    let mut views: std::collections::BTreeSet<String> =
        desired.schema.views.keys().cloned().collect();
    let record_tables = tables.iter().cloned().collect::<Vec<_>>().join(",");
    let record_views = views.iter().cloned().collect::<Vec<_>>().join(",");
    if let Some(i) = &installed {
        tables.extend(i.tables.iter().cloned());
        views.extend(i.views.iter().cloned());
    }
    let scope = Scope::App {
        name: manifest.name.clone(),
        tables,
        views,
    };
    let kind = Kind {
        name: format!("app:{}@{}", manifest.name, manifest.version),
        checksum: checksum(&desired.schema.ddl()),
        hints: serde_json::to_string(&desired.hints).unwrap_or_default(),
        quota: true,
    };
    let report: Arc<Mutex<Vec<Vec<String>>>> = Arc::default();
    let mut job = Job::new(desired.schema, desired.hints, allow_destructive, false);
    {
        let report = report.clone();
        let m = manifest.clone();
        job.after = Some(Box::new(move |tx, planned| {
            let mut rows = Vec::new();
            for s in &planned.plan.steps {
                let mut seeded = String::new();
                if s.action == "create_table" {
                    if let Some((_, seed_rows)) =
                        m.seed.iter().find(|(t, _)| key(t) == key(&s.object))
                    {
                        seeded = seed::insert(tx, &s.object, seed_rows)?.to_string();
                    }
                }
                rows.push(vec![
                    m.name.clone(),
                    m.version.clone(),
                    s.object.clone(),
                    s.action.to_owned(),
                    seeded,
                ]);
            }
            *report.lock().unwrap_or_else(|p| p.into_inner()) = rows;
            Ok(())
        }));
    }
    let outcome = deploy_one(
        server,
        Arc::new(job),
        history.clone(),
        target.clone(),
        kind,
        Some(scope),
    )
    .await;
    if let Some(e) = outcome.error {
        return Err(e);
    }
    let config_text = config_value.to_string();
    let manifest_text = manifest_text.to_owned();
    blocking(move || {
        let now = now_text();
        history
            .catalog()
            .conn()?
            .execute(
                "INSERT INTO app_install (tenant, environment, name, version, description, tables, views,
                     config, manifest, installed_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)
                 ON CONFLICT (tenant, environment, name) DO UPDATE SET version = excluded.version,
                     description = excluded.description, tables = excluded.tables, views = excluded.views,
                     config = excluded.config, manifest = excluded.manifest, updated_at = excluded.updated_at",
                params![
                    target.tenant,
                    target.env,
                    manifest.name,
                    manifest.version,
                    manifest.description,
                    record_tables,
                    record_views,
                    config_text,
                    manifest_text,
                    now
                ],
            )?;
        Ok(())
    })
    .await?;
    let rows = std::mem::take(&mut *report.lock().unwrap_or_else(|p| p.into_inner()));
    Ok(rows)
}

/// `pgtenant.uninstall_app(tenant, name, keep_data => true)`: forgets the
/// app; without `keep_data` its tables and views are dropped too.
pub async fn uninstall_app(
    server: &Arc<Server>,
    target: &str,
    name: &str,
    keep_data: bool,
) -> Result<Vec<Vec<String>>, SqlError> {
    let (tenant, env) = one_target(target, "uninstall_app")?;
    let srv = server.clone();
    let app = name.to_owned();
    let (history, t, inst) = blocking(move || {
        let history = History::new(srv.catalog.clone());
        let t = target::lookup(&srv, &tenant, &env)?;
        let inst = installed(&history, &t)?
            .into_iter()
            .find(|a| a.name == app)
            .ok_or_else(|| {
                SqlError::new(
                    "42704",
                    format!("app \"{app}\" is not installed in \"{tenant}\""),
                )
            })?;
        Ok((Arc::new(history), t, inst))
    })
    .await?;
    let mut rows = Vec::new();
    if keep_data {
        for o in inst.tables.iter().chain(&inst.views) {
            rows.push(vec![inst.name.clone(), o.clone(), "kept".into()]);
        }
    } else {
        let scope = Scope::App {
            name: inst.name.clone(),
            tables: inst.tables.clone(),
            views: inst.views.clone(),
        };
        let kind = Kind {
            name: format!("app_uninstall:{}", inst.name),
            checksum: checksum(""),
            hints: String::new(),
            quota: false,
        };
        let report: Arc<Mutex<Vec<Vec<String>>>> = Arc::default();
        let mut job = Job::new(Schema::default(), Default::default(), true, false);
        {
            let report = report.clone();
            let app = inst.name.clone();
            job.after = Some(Box::new(move |_, planned| {
                *report.lock().unwrap_or_else(|p| p.into_inner()) = planned
                    .plan
                    .steps
                    .iter()
                    .map(|s| vec![app.clone(), s.object.clone(), s.action.to_owned()])
                    .collect();
                Ok(())
            }));
        }
        let outcome = deploy_one(
            server,
            Arc::new(job),
            history.clone(),
            t.clone(),
            kind,
            Some(scope),
        )
        .await;
        if let Some(e) = outcome.error {
            return Err(e);
        }
        rows = std::mem::take(&mut *report.lock().unwrap_or_else(|p| p.into_inner()));
    }
    let app = inst.name.clone();
    blocking(move || {
        history.catalog().conn()?.execute(
            "DELETE FROM app_install WHERE tenant = ?1 AND environment = ?2 AND name = ?3",
            params![t.tenant, t.env, app],
        )?;
        Ok(())
    })
    .await?;
    Ok(rows)
}
