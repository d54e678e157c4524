//! Hostnames of tenant environments: canonical ones made from configured
//! patterns such as `{tenant}-{env}.db.example.com`, and the syntax check
//! for custom ones bound with `pgtenant.set_hostname`.

use super::resolve::{valid_name, DEFAULT_ENV};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Tenant,
    Env,
}

/// A parsed hostname pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    text: String,
    parts: Vec<Part>,
}

impl Pattern {
    /// Parses a pattern; it must name `{tenant}` once and may name `{env}` once.
    pub fn parse(text: &str) -> Result<Pattern, String> {
        let lower = text.to_ascii_lowercase();
        let mut parts = Vec::new();
        let mut rest = lower.as_str();
        let (mut tenants, mut envs) = (0, 0);
        while !rest.is_empty() {
            match rest.find('{') {
                Some(0) => {
                    let end = rest
                        .find('}')
                        .ok_or_else(|| format!("hostname pattern \"{text}\": unclosed '{{'"))?;
                    match &rest[1..end] {
                        "tenant" => {
                            tenants += 1;
                            parts.push(Part::Tenant)
                        }
                        "env" => {
                            envs += 1;
                            parts.push(Part::Env)
                        }
                        other => {
                            return Err(format!(
                                "hostname pattern \"{text}\": unknown placeholder {{{other}}} (use {{tenant}} and {{env}})"
                            ))
                        }
                    }
                    rest = &rest[end + 1..];
                }
                found => {
                    let end = found.unwrap_or(rest.len());
                    let lit = &rest[..end];
                    if !lit
                        .bytes()
                        .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'.')
                    {
                        return Err(format!(
                            "hostname pattern \"{text}\": only letters, digits, '-' and '.' may surround the placeholders"
                        ));
                    }
                    parts.push(Part::Literal(lit.to_owned()));
                    rest = &rest[end..];
                }
            }
        }
        if tenants != 1 || envs > 1 {
            return Err(format!(
                "hostname pattern \"{text}\" must contain {{tenant}} exactly once and {{env}} at most once"
            ));
        }
        if parts
            .windows(2)
            .any(|w| !matches!(w[0], Part::Literal(_)) && !matches!(w[1], Part::Literal(_)))
        {
            return Err(format!(
                "hostname pattern \"{text}\": placeholders must be separated by a literal such as '-' or '.'"
            ));
        }
        Ok(Pattern { text: lower, parts })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn has_env(&self) -> bool {
        self.parts.contains(&Part::Env)
    }

    pub fn render(&self, tenant: &str, env: &str) -> String {
        let mut out = String::with_capacity(self.text.len() + tenant.len() + env.len());
        for p in &self.parts {
            match p {
                Part::Literal(l) => out.push_str(l),
                Part::Tenant => out.push_str(tenant),
                Part::Env => out.push_str(env),
            }
        }
        out
    }

    /// Every (tenant, env) this pattern could have produced `host` from
    /// (names may contain '-', so `a-b-c` splits more than one way). A
    /// pattern without `{env}` yields `prod`.
    pub fn matches(&self, host: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut tenant = None;
        let mut env = None;
        self.walk(0, host, &mut tenant, &mut env, &mut out);
        out
    }

    fn walk<'h>(
        &self,
        i: usize,
        rest: &'h str,
        tenant: &mut Option<&'h str>,
        env: &mut Option<&'h str>,
        out: &mut Vec<(String, String)>,
    ) {
        let Some(part) = self.parts.get(i) else {
            if rest.is_empty() {
                if let Some(t) = *tenant {
                    out.push((t.to_owned(), env.unwrap_or(DEFAULT_ENV).to_owned()));
                }
            }
            return;
        };
        match part {
            Part::Literal(l) => {
                if let Some(r) = rest.strip_prefix(l.as_str()) {
                    self.walk(i + 1, r, tenant, env, out);
                }
            }
            Part::Tenant | Part::Env => {
                for end in 1..=rest.len().min(63) {
                    let (name, r) = rest.split_at(end);
                    if !valid_name(name) {
                        // Names never hold '.', so no longer prefix is valid either.
                        if name.ends_with('.') {
                            break;
                        }
                        continue;
                    }
                    let slot = if *part == Part::Tenant {
                        &mut *tenant
                    } else {
                        &mut *env
                    };
                    *slot = Some(name);
                    self.walk(i + 1, r, tenant, env, out);
                    let slot = if *part == Part::Tenant {
                        &mut *tenant
                    } else {
                        &mut *env
                    };
                    *slot = None;
                }
            }
        }
    }
}

/// The configured canonical hostname patterns.
#[derive(Debug, Clone, Default)]
pub struct Patterns {
    /// For every environment (and `prod` when `prod` is unset).
    pub env: Option<Pattern>,
    pub prod: Option<Pattern>,
}

impl Patterns {
    pub fn from_config(env: Option<&str>, prod: Option<&str>) -> Result<Patterns, String> {
        let env = env.map(Pattern::parse).transpose()?;
        if let Some(p) = &env {
            if !p.has_env() {
                return Err(format!(
                    "hostname_pattern \"{}\" must contain {{env}} (prod_hostname_pattern names prod)",
                    p.as_str()
                ));
            }
        }
        let prod = prod.map(Pattern::parse).transpose()?;
        Ok(Patterns { env, prod })
    }

    /// The pattern giving an environment its canonical hostname.
    pub fn for_env(&self, env: &str) -> Option<&Pattern> {
        if env == DEFAULT_ENV {
            self.prod.as_ref().or(self.env.as_ref())
        } else {
            self.env.as_ref()
        }
    }

    pub fn canonical(&self, tenant: &str, env: &str) -> Option<String> {
        self.for_env(env).map(|p| p.render(tenant, env))
    }

    /// Every (tenant, env) some pattern could have produced `host` from.
    /// The prod pattern is tried for prod only, the general one for any env.
    pub fn candidates(&self, host: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Some(p) = &self.prod {
            for (t, _) in p.matches(host) {
                out.push((t, DEFAULT_ENV.to_owned()));
            }
        }
        if let Some(p) = &self.env {
            out.extend(p.matches(host));
        }
        out.sort();
        out.dedup();
        out
    }
}

/// A DNS host name: dot-separated labels of `[a-z0-9-]`, each 1 to 63 long,
/// not starting or ending with '-'; 253 characters at most.
pub fn valid_hostname(host: &str) -> bool {
    host.len() <= 253
        && host.split('.').all(|label| {
            let b = label.as_bytes();
            !b.is_empty()
                && b.len() <= 63
                && b[0] != b'-'
                && b[b.len() - 1] != b'-'
                && b.iter()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(t: &str, e: &str) -> (String, String) {
        (t.to_owned(), e.to_owned())
    }

    #[test]
    fn render_and_match() {
        let p = Patterns::from_config(
            Some("{tenant}-{env}.db.example.com"),
            Some("{tenant}.db.example.com"),
        )
        .unwrap();
        assert_eq!(
            p.canonical("acme", "prod").as_deref(),
            Some("acme.db.example.com")
        );
        assert_eq!(
            p.canonical("acme", "staging").as_deref(),
            Some("acme-staging.db.example.com")
        );
        assert_eq!(
            p.candidates("acme.db.example.com"),
            vec![pair("acme", "prod")]
        );
        assert_eq!(
            p.candidates("acme-staging.db.example.com"),
            vec![pair("acme", "staging"), pair("acme-staging", "prod")]
        );
        // a dash inside the tenant name: every split is a candidate
        assert_eq!(
            p.candidates("my-app-dev.db.example.com"),
            vec![
                pair("my", "app-dev"),
                pair("my-app", "dev"),
                pair("my-app-dev", "prod")
            ]
        );
        assert!(p.candidates("db.example.com").is_empty());
        assert!(p.candidates("acme.db.example.org").is_empty());
        assert!(p.candidates("a.b.db.example.com").is_empty());
    }

    #[test]
    fn bad_patterns() {
        assert!(Pattern::parse("{tenant}{env}.x").is_err());
        assert!(Pattern::parse("{env}.x").is_err());
        assert!(Pattern::parse("{tenant}.{tenant}.x").is_err());
        assert!(Pattern::parse("{tenant}.{nope}.x").is_err());
        assert!(Pattern::parse("{tenant}_x").is_err());
        assert!(Patterns::from_config(Some("{tenant}.x"), None).is_err());
    }

    #[test]
    fn hostnames() {
        assert!(valid_hostname("db.acme.com"));
        assert!(valid_hostname("localhost"));
        assert!(!valid_hostname("DB.acme.com"));
        assert!(!valid_hostname("-x.acme.com"));
        assert!(!valid_hostname("a..b"));
        assert!(!valid_hostname("a_b.com"));
        assert!(!valid_hostname(""));
    }
}
