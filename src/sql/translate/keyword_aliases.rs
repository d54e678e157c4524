//! Names PostgreSQL takes after `AS` that SQLite reserves: Sequelize's
//! index query says `ix.indisprimary AS primary, ix.indisunique AS unique`,
//! which SQLite would not parse. A select-list or FROM alias that is an
//! SQLite keyword is printed quoted, folded to lower case as PostgreSQL
//! folds an unquoted name (SQLite matches names without regard to case, so
//! references to it still resolve).

use sqlparser::ast::{Ident, Select, SelectItem, TableFactor};

pub(super) fn quote(select: &mut Select) {
    for item in &mut select.projection {
        if let SelectItem::ExprWithAlias { alias, .. } = item {
            quote_keyword(alias);
        }
    }
    for twj in &mut select.from {
        let factors =
            std::iter::once(&mut twj.relation).chain(twj.joins.iter_mut().map(|j| &mut j.relation));
        for factor in factors {
            if let TableFactor::Table { alias: Some(a), .. }
            | TableFactor::Derived { alias: Some(a), .. } = factor
            {
                quote_keyword(&mut a.name);
            }
        }
    }
}

fn quote_keyword(id: &mut Ident) {
    if id.quote_style.is_none() && is_sqlite_keyword(&id.value) {
        id.value = id.value.to_lowercase();
        id.quote_style = Some('"');
    }
}

fn is_sqlite_keyword(word: &str) -> bool {
    let Ok(len) = std::ffi::c_int::try_from(word.len()) else {
        return false;
    };
    // SAFETY: SQLite reads `len` bytes of the string and keeps nothing.
    unsafe { rusqlite::ffi::sqlite3_keyword_check(word.as_ptr().cast(), len) != 0 }
}
