//! A running DO block's variables (`translate::do_block`): each a value in
//! PostgreSQL's text form with its type, as results and Bind parameters
//! carry them, so a value read from one statement's row reaches the next
//! statement as a client's parameter would.

use rusqlite::types::Value;

use crate::sql::decode::decode_param;
use crate::sql::errors::SqlError;
use crate::sql::pgtype::PgType;
use crate::sql::translate::{DoTarget, VarDef, VarRef};

/// Rows a statement of the block returned (as text), or its row count.
#[derive(Default)]
pub struct Rows {
    pub names: Vec<String>,
    pub types: Vec<PgType>,
    /// The first rows (as many as were asked for).
    pub rows: Vec<Vec<Option<String>>>,
    /// Rows returned or affected.
    pub count: u64,
}

pub struct Env {
    slots: Vec<Slot>,
    names: Vec<String>,
    /// The last statement's row count (GET DIAGNOSTICS ROW_COUNT).
    pub row_count: u64,
    /// The errors the running handlers caught, innermost last.
    pub caught: Vec<SqlError>,
    /// When statement_timeout stops the block.
    pub deadline: Option<std::time::Instant>,
}

struct Slot {
    value: Option<String>,
    ty: PgType,
    /// A declared type stays; `%TYPE` variables take the assigned one.
    declared: bool,
    record: bool,
    /// A record's fields, once assigned.
    fields: Option<Vec<Field>>,
}

struct Field {
    name: String,
    value: Option<String>,
    ty: PgType,
}

impl Env {
    pub fn new(defs: &[VarDef]) -> Env {
        Env {
            slots: defs
                .iter()
                .map(|d| Slot {
                    value: None,
                    ty: d.ty.unwrap_or(PgType::Text),
                    declared: d.ty.is_some(),
                    record: d.record,
                    fields: None,
                })
                .collect(),
            names: defs.iter().map(|d| d.name.clone()).collect(),
            row_count: 0,
            caught: Vec::new(),
            deadline: None,
        }
    }

    /// A variable back to NULL (an unassigned record), as a block entered.
    pub fn reset(&mut self, slot: usize) {
        let s = &mut self.slots[slot];
        s.value = None;
        s.fields = None;
    }

    pub fn name(&self, slot: usize) -> &str {
        self.names.get(slot).map_or("", |n| n.as_str())
    }

    pub fn set(&mut self, slot: usize, value: Option<String>, ty: PgType) {
        let s = &mut self.slots[slot];
        s.value = value;
        if !s.declared {
            s.ty = ty;
        }
    }

    pub fn set_found(&mut self, found: bool) {
        let v = if found { "t" } else { "f" };
        self.set(0, Some(v.to_owned()), PgType::Bool);
    }

    /// `rec.field := value`.
    pub fn set_field(
        &mut self,
        slot: usize,
        name: &str,
        value: Option<String>,
        ty: PgType,
    ) -> Result<(), SqlError> {
        let fields = self.fields(slot)?;
        let Some(pos) = fields.iter().position(|f| f.name == name) else {
            return Err(self.no_field(slot, name));
        };
        if let Some(f) = self.slots[slot]
            .fields
            .as_mut()
            .and_then(|fs| fs.get_mut(pos))
        {
            f.value = value;
            f.ty = ty;
        }
        Ok(())
    }

    /// A row (or, with none, NULLs) into INTO's or a FOR loop's target.
    pub fn store(&mut self, target: &DoTarget, rows: &Rows, row: Option<&[Option<String>]>) {
        let at = |i: usize| row.and_then(|r| r.get(i).cloned().flatten());
        match target {
            DoTarget::Record(slot) => {
                let fields = rows
                    .names
                    .iter()
                    .enumerate()
                    .map(|(i, name)| Field {
                        name: name.clone(),
                        value: at(i),
                        ty: rows.types.get(i).copied().unwrap_or(PgType::Text),
                    })
                    .collect();
                self.slots[*slot].fields = Some(fields);
            }
            DoTarget::Vars(slots) => {
                for (i, &slot) in slots.iter().enumerate() {
                    let ty = rows.types.get(i).copied().unwrap_or(PgType::Text);
                    self.set(slot, at(i), ty);
                }
            }
        }
    }

    /// The parameters a statement's variables stand for.
    pub fn params(&self, binds: &[VarRef]) -> Result<Vec<Value>, SqlError> {
        binds
            .iter()
            .map(|b| {
                let (value, ty) = match b {
                    VarRef::Var(slot) if self.slots[*slot].record => {
                        return Ok(self.row_text(*slot)?.map_or(Value::Null, Value::Text))
                    }
                    VarRef::Var(slot) => {
                        let s = &self.slots[*slot];
                        (s.value.as_deref(), s.ty)
                    }
                    VarRef::Field(slot, name) => {
                        let f = self
                            .fields(*slot)?
                            .iter()
                            .find(|f| f.name == *name)
                            .ok_or_else(|| self.no_field(*slot, name))?;
                        (f.value.as_deref(), f.ty)
                    }
                };
                Ok(match value {
                    None => Value::Null,
                    Some(text) => decode_param(Some(text.as_bytes()), ty, false)
                        .unwrap_or_else(|_| Value::Text(text.to_owned())),
                })
            })
            .collect()
    }

    fn fields(&self, slot: usize) -> Result<&[Field], SqlError> {
        self.slots[slot].fields.as_deref().ok_or_else(|| {
            SqlError::new(
                "55000",
                format!("record \"{}\" is not assigned yet", self.name(slot)),
            )
            .with_detail("The tuple structure of a not-yet-assigned record is indeterminate.")
        })
    }

    fn no_field(&self, slot: usize, name: &str) -> SqlError {
        SqlError::new(
            "42703",
            format!("record \"{}\" has no field \"{name}\"", self.name(slot)),
        )
    }

    /// A record as a row's text, `(a,b)` (RAISE NOTICE '%', r).
    fn row_text(&self, slot: usize) -> Result<Option<String>, SqlError> {
        let fields = self.fields(slot)?;
        let mut out = String::from("(");
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            if let Some(v) = &f.value {
                let quote = v.is_empty()
                    || v.bytes()
                        .any(|b| matches!(b, b',' | b'(' | b')' | b'"' | b'\\' | b' '));
                if quote {
                    out.push('"');
                    for ch in v.chars() {
                        if matches!(ch, '"' | '\\') {
                            out.push(ch);
                        }
                        out.push(ch);
                    }
                    out.push('"');
                } else {
                    out.push_str(v);
                }
            }
        }
        out.push(')');
        Ok(Some(out))
    }
}
