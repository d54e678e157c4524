//! Enum labels sort in declaration order, as PostgreSQL's enums do: an enum
//! column is declared `COLLATE "pgcat_enum_<type>"`, and that collation
//! compares labels by their `sort` in `pgcat__enum`. SQLite asks for a
//! collation by name when a statement first needs it (`collation_needed`);
//! the comparator reads the label order from a process-wide table keyed by
//! database file and type, loaded when a database opens and reloaded after
//! CREATE/ALTER/DROP TYPE. ORDER BY, comparisons, DISTINCT and indexes of the
//! column all follow it. A label missing from the table (another process
//! added it) sorts after the known ones, by its text.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, RwLock};

use rusqlite::Connection;

/// Collation names: this prefix plus the enum type's name.
pub const COLLATION_PREFIX: &str = "pgcat_enum_";

/// Label → sort position.
type Labels = Arc<HashMap<Box<str>, f64>>;

/// A database's enum types: type name → labels.
type Types = HashMap<Box<str>, Labels>;

/// Database file → its enum types (one entry replaced per load, so opening
/// a database costs nothing per other tenant).
static ORDERS: LazyLock<RwLock<HashMap<Box<str>, Types>>> = LazyLock::new(Default::default);

fn path_of(conn: &Connection) -> Box<str> {
    conn.path().unwrap_or_default().into()
}

/// Reads every enum type of `conn`'s database into the table.
pub fn load(conn: &Connection) -> rusqlite::Result<()> {
    let path = path_of(conn);
    let mut types: HashMap<Box<str>, HashMap<Box<str>, f64>> = HashMap::new();
    if super::catalog::has_relation(conn, "pgcat__enum")? {
        let mut stmt = conn.prepare("SELECT type, label, sort FROM main.pgcat__enum")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let (t, l, s): (String, String, f64) = (r.get(0)?, r.get(1)?, r.get(2)?);
            types.entry(t.into()).or_default().insert(l.into(), s);
        }
    }
    let types: Types = types.into_iter().map(|(t, l)| (t, Arc::new(l))).collect();
    let mut all = ORDERS.write().unwrap_or_else(|p| p.into_inner());
    if types.is_empty() {
        all.remove(&path);
    } else {
        all.insert(path, types);
    }
    Ok(())
}

/// Lets SQLite find the enum collations on `conn` when it needs them.
pub fn install(conn: &Connection) -> rusqlite::Result<()> {
    conn.collation_needed(needed)
}

fn needed(conn: &Connection, name: &str) -> rusqlite::Result<()> {
    let Some(type_name) = name.strip_prefix(COLLATION_PREFIX) else {
        return Ok(());
    };
    let (path, type_name): (Box<str>, Box<str>) = (path_of(conn), type_name.into());
    conn.create_collation(name, move |a, b| compare(&path, &type_name, a, b))
}

fn compare(path: &str, type_name: &str, a: &str, b: &str) -> Ordering {
    let labels = ORDERS
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .get(path)
        .and_then(|types| types.get(type_name))
        .cloned();
    let position = |s: &str| labels.as_ref().and_then(|l| l.get(s).copied());
    match (position(a), position(b)) {
        (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}
