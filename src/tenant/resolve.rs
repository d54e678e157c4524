//! Which tenant and environment a connection is for: the TLS server name
//! (SNI, looked up by the caller), then the startup parameters
//! `user@tenant[.env]`, then `options` (`-c pgtenant.tenant=acme
//! -c pgtenant.env=staging`), then the database name `tenant[.env]`.
//!
//! The admin role is recognised by name on database `pgtenant`.

use std::collections::HashMap;

/// The environment used when a connection names none.
pub const DEFAULT_ENV: &str = "prod";

/// Who a connection claims to be, before authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Login {
    /// The admin role, connected to the management database.
    Admin { user: String },
    /// A tenant user on one environment of one tenant.
    Tenant {
        user: String,
        tenant: String,
        env: String,
    },
}

/// Why a login could not be resolved. Reported as an authentication failure
/// so that nothing reveals whether a tenant exists.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    #[error("no user name in the startup packet")]
    NoUser,
    #[error(
        "no tenant named: use user@tenant, options -c pgtenant.tenant=..., or database tenant"
    )]
    NoTenant,
    #[error("invalid tenant or environment name")]
    InvalidName,
    #[error("tenant named twice with different values")]
    Conflict,
    #[error("database \"pgtenant\" is reserved for the admin role")]
    AdminDatabase,
    #[error("the TLS server name names no tenant environment")]
    UnknownHost,
}

/// What the TLS server name (SNI) pointed at, when it looked like a tenant's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerName<'a> {
    Environment {
        tenant: &'a str,
        env: &'a str,
    },
    /// Shaped like a tenant hostname, but no such environment.
    Unknown,
}

/// Tenant and environment names become file names: `^[a-z0-9][a-z0-9_-]{0,62}$`.
pub fn valid_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_' || *c == b'-')
}

/// Parses `-c name=value` / `--name=value` pairs of the startup `options`
/// parameter, as PostgreSQL does (backslash escapes a space).
pub fn parse_options(options: &str) -> HashMap<String, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut chars = options.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            c if c.is_whitespace() => {
                if !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    let mut out = HashMap::new();
    let mut it = words.into_iter();
    while let Some(w) = it.next() {
        let pair = if w == "-c" {
            it.next()
        } else if let Some(rest) = w.strip_prefix("--") {
            Some(rest.to_owned())
        } else {
            w.strip_prefix("-c").map(str::to_owned)
        };
        if let Some((k, v)) = pair.as_deref().and_then(|p| p.split_once('=')) {
            out.insert(
                k.trim().replace('-', "_").to_ascii_lowercase(),
                v.to_owned(),
            );
        }
    }
    out
}

fn split_env(s: &str) -> (&str, Option<&str>) {
    match s.split_once('.') {
        Some((t, e)) => (t, Some(e)),
        None => (s, None),
    }
}

/// Records a tenant (and environment) named by one source, refusing a
/// different name from another source.
fn offer(
    tenant: &mut Option<String>,
    env: &mut Option<String>,
    t: &str,
    e: Option<&str>,
) -> Result<(), ResolveError> {
    match tenant {
        Some(prev) if prev != t => return Err(ResolveError::Conflict),
        Some(_) => {}
        None => *tenant = Some(t.to_owned()),
    }
    if let Some(e) = e {
        match env {
            Some(prev) if prev != e => return Err(ResolveError::Conflict),
            Some(_) => {}
            None => *env = Some(e.to_owned()),
        }
    }
    Ok(())
}

/// Resolves a login from the startup parameters.
pub fn resolve(params: &HashMap<String, String>, admin_user: &str) -> Result<Login, ResolveError> {
    resolve_with(params, admin_user, None)
}

/// Resolves a login from the TLS server name and the startup parameters.
/// A tenant named by SNI needs no other source; any other source naming a
/// different tenant or environment is a conflict.
pub fn resolve_with(
    params: &HashMap<String, String>,
    admin_user: &str,
    sni: Option<ServerName<'_>>,
) -> Result<Login, ResolveError> {
    let raw_user = params.get("user").map(String::as_str).unwrap_or("");
    if raw_user.is_empty() {
        return Err(ResolveError::NoUser);
    }
    let database = params
        .get("database")
        .map(String::as_str)
        .unwrap_or(raw_user);
    let options = params
        .get("options")
        .map(|o| parse_options(o))
        .unwrap_or_default();

    // Candidates in priority order; any two that are present must agree.
    let mut tenant: Option<String> = None;
    let mut env: Option<String> = None;
    match sni {
        Some(ServerName::Unknown) => return Err(ResolveError::UnknownHost),
        Some(ServerName::Environment { tenant: t, env: e }) => {
            offer(&mut tenant, &mut env, t, Some(e))?
        }
        None => {}
    }
    let user = match raw_user.rsplit_once('@') {
        Some((u, t)) => {
            let (t, e) = split_env(t);
            offer(&mut tenant, &mut env, t, e)?;
            u.to_owned()
        }
        None => raw_user.to_owned(),
    };
    if let Some(t) = options.get("pgtenant.tenant") {
        offer(
            &mut tenant,
            &mut env,
            t,
            options.get("pgtenant.env").map(String::as_str),
        )?;
    } else if let Some(e) = options.get("pgtenant.env") {
        if env.as_deref().is_some_and(|prev| prev != e) {
            return Err(ResolveError::Conflict);
        }
        env = Some(e.clone());
    }

    if tenant.is_none() {
        if user == admin_user && database == "pgtenant" {
            return Ok(Login::Admin { user });
        }
        // Database name `tenant` or `tenant.env`, for clients that can set
        // neither the user name nor options.
        let (t, e) = split_env(database);
        offer(&mut tenant, &mut env, t, e)?;
    }
    if database == "pgtenant" {
        return Err(ResolveError::AdminDatabase);
    }
    let tenant = tenant.ok_or(ResolveError::NoTenant)?;
    let env = env.unwrap_or_else(|| DEFAULT_ENV.to_owned());
    if !valid_name(&tenant) || !valid_name(&env) {
        return Err(ResolveError::InvalidName);
    }
    if user.is_empty() {
        return Err(ResolveError::NoUser);
    }
    Ok(Login::Tenant { user, tenant, env })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn tenant(user: &str, tenant: &str, env: &str) -> Login {
        Login::Tenant {
            user: user.into(),
            tenant: tenant.into(),
            env: env.into(),
        }
    }

    #[test]
    fn user_at_tenant() {
        let l = resolve(
            &p(&[("user", "alice@acme"), ("database", "app")]),
            "pgtenant",
        );
        assert_eq!(l, Ok(tenant("alice", "acme", "prod")));
        let l = resolve(&p(&[("user", "alice@acme.staging")]), "pgtenant");
        assert_eq!(l, Ok(tenant("alice", "acme", "staging")));
    }

    #[test]
    fn options_and_database() {
        let l = resolve(
            &p(&[
                ("user", "alice"),
                ("database", "x"),
                ("options", "-c pgtenant.tenant=acme -c pgtenant.env=dev"),
            ]),
            "pgtenant",
        );
        assert_eq!(l, Ok(tenant("alice", "acme", "dev")));
        let l = resolve(
            &p(&[("user", "alice"), ("database", "acme.dev")]),
            "pgtenant",
        );
        assert_eq!(l, Ok(tenant("alice", "acme", "dev")));
    }

    #[test]
    fn admin_and_conflicts() {
        let l = resolve(
            &p(&[("user", "pgtenant"), ("database", "pgtenant")]),
            "pgtenant",
        );
        assert_eq!(
            l,
            Ok(Login::Admin {
                user: "pgtenant".into()
            })
        );
        let l = resolve(
            &p(&[("user", "a@acme"), ("options", "-c pgtenant.tenant=other")]),
            "pgtenant",
        );
        assert_eq!(l, Err(ResolveError::Conflict));
        let l = resolve(&p(&[("user", "a@../etc")]), "pgtenant");
        assert_eq!(l, Err(ResolveError::InvalidName));
        // a tenant user may not reach the admin database by naming it
        let l = resolve(
            &p(&[("user", "a@acme"), ("database", "pgtenant")]),
            "pgtenant",
        );
        assert_eq!(l, Err(ResolveError::AdminDatabase));
    }

    #[test]
    fn server_name_first() {
        let acme = Some(ServerName::Environment {
            tenant: "acme",
            env: "staging",
        });
        // a plain user name is enough
        let l = resolve_with(&p(&[("user", "alice")]), "pgtenant", acme);
        assert_eq!(l, Ok(tenant("alice", "acme", "staging")));
        let l = resolve_with(
            &p(&[("user", "alice@acme"), ("database", "other")]),
            "pgtenant",
            acme,
        );
        assert_eq!(l, Ok(tenant("alice", "acme", "staging")));
        for params in [
            p(&[("user", "bob@beta")]),
            p(&[("user", "alice@acme.prod")]),
            p(&[("user", "a"), ("options", "-c pgtenant.tenant=beta")]),
            p(&[("user", "a"), ("options", "-c pgtenant.env=prod")]),
        ] {
            assert_eq!(
                resolve_with(&params, "pgtenant", acme),
                Err(ResolveError::Conflict)
            );
        }
        let l = resolve_with(
            &p(&[("user", "alice@acme")]),
            "pgtenant",
            Some(ServerName::Unknown),
        );
        assert_eq!(l, Err(ResolveError::UnknownHost));
    }

    #[test]
    fn names() {
        assert!(valid_name("acme"));
        assert!(valid_name("a-b_c9"));
        assert!(!valid_name("Acme"));
        assert!(!valid_name("-acme"));
        assert!(!valid_name(""));
        assert!(!valid_name("a.b"));
        assert!(!valid_name(&"a".repeat(64)));
    }

    #[test]
    fn options_parsing() {
        let o = parse_options("-c a=1 -cb=2 --c-d=3 -c e=x\\ y");
        assert_eq!(o["a"], "1");
        assert_eq!(o["b"], "2");
        assert_eq!(o["c_d"], "3");
        assert_eq!(o["e"], "x y");
    }
}
