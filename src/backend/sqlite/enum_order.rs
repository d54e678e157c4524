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

type Labels = Arc<HashMap<Box<str>, f64>>;

/// (database file, type name).
type TypeKey = (Box<str>, Box<str>);

/// (database file, type) → label → sort position.
static ORDERS: LazyLock<RwLock<HashMap<TypeKey, Labels>>> = LazyLock::new(Default::default);

fn path_of(conn: &Connection) -> Box<str> {
    conn.path().unwrap_or_default().into()
}

/// Reads every enum type of `conn`'s database into the table.
pub fn load(conn: &Connection) -> rusqlite::Result<()> {
    let path = path_of(conn);
    let defined: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM main.sqlite_schema WHERE name = 'pgcat__enum')",
        [],
        |r| r.get(0),
    )?;
    if !defined {
        return Ok(());
    }
    let mut types: HashMap<Box<str>, HashMap<Box<str>, f64>> = HashMap::new();
    let mut stmt = conn.prepare("SELECT type, label, sort FROM main.pgcat__enum")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (t, l, s): (String, String, f64) = (r.get(0)?, r.get(1)?, r.get(2)?);
        types.entry(t.into()).or_default().insert(l.into(), s);
    }
    let mut all = ORDERS.write().unwrap_or_else(|p| p.into_inner());
    all.retain(|(p, _), _| *p != path);
    for (t, labels) in types {
        all.insert((path.clone(), t), Arc::new(labels));
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
    let key: TypeKey = (path_of(conn), type_name.into());
    conn.create_collation(name, move |a, b| compare(&key, a, b))
}

fn compare(key: &TypeKey, a: &str, b: &str) -> Ordering {
    let labels = ORDERS
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .get(key)
        .cloned();
    let position = |s: &str| labels.as_ref().and_then(|l| l.get(s).copied());
    match (position(a), position(b)) {
        (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}
