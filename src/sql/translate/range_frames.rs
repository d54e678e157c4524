//! Window frames with interval offsets over a date or timestamp
//! (`RANGE BETWEEN INTERVAL '7 days' PRECEDING AND CURRENT ROW`). SQLite's
//! RANGE offsets are numbers over one numeric ORDER BY term, so the term
//! becomes its epoch seconds (`unixepoch(e, 'subsec')`, which sorts as the
//! dates do) and the offset its length in seconds. Months and years have
//! no fixed length in seconds: such an offset is 0A000.

use super::ast::{number, string_literal, take, template};
use super::error::{other, unsupported};
use super::TranslateError;
use crate::sql::encode::interval::Interval;
use sqlparser::ast::{
    DataType, Expr, NamedWindowExpr, Select, WindowFrameBound, WindowFrameUnits, WindowSpec,
    WindowType,
};

/// A window function's own frame (`OVER (...)`).
pub(super) fn rewrite_call(expr: &mut Expr) -> Result<(), TranslateError> {
    match expr {
        Expr::Function(f) => match &mut f.over {
            Some(WindowType::WindowSpec(spec)) => rewrite(spec),
            _ => Ok(()),
        },
        _ => Ok(()),
    }
}

/// The frames of a select's named windows (`WINDOW w AS (...)`).
pub(super) fn rewrite_named(select: &mut Select) -> Result<(), TranslateError> {
    for window in &mut select.named_window {
        if let NamedWindowExpr::WindowSpec(spec) = &mut window.1 {
            rewrite(spec)?;
        }
    }
    Ok(())
}

fn rewrite(spec: &mut WindowSpec) -> Result<(), TranslateError> {
    let Some(frame) = &mut spec.window_frame else {
        return Ok(());
    };
    if frame.units != WindowFrameUnits::Range {
        return Ok(());
    }
    let mut offsets = 0;
    for bound in std::iter::once(&mut frame.start_bound).chain(frame.end_bound.as_mut()) {
        let (WindowFrameBound::Preceding(Some(offset)) | WindowFrameBound::Following(Some(offset))) =
            bound
        else {
            continue;
        };
        let Some(length) = interval_literal(offset) else {
            continue;
        };
        **offset = number(seconds(&length)?);
        offsets += 1;
    }
    if offsets == 0 {
        return Ok(());
    }
    match spec.order_by.as_mut_slice() {
        [only] => {
            only.expr = template("unixepoch($1, 'subsec')", [take(&mut only.expr)]);
            Ok(())
        }
        _ => Err(other(
            "42P20",
            "RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column",
        )),
    }
}

/// The text of `INTERVAL '7 days'`, `INTERVAL '7' DAY` or `'7 days'::interval`.
fn interval_literal(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Interval(i) => {
            let text = string_literal(&i.value)?;
            Some(match &i.leading_field {
                Some(field) => format!("{text} {field}"),
                None => text.to_owned(),
            })
        }
        Expr::Cast {
            expr,
            data_type: DataType::Interval { .. },
            ..
        } => string_literal(expr).map(str::to_owned),
        Expr::Nested(inner) => interval_literal(inner),
        _ => None,
    }
}

/// The offset's length in seconds, as SQL number text.
fn seconds(text: &str) -> Result<String, TranslateError> {
    let interval = Interval::parse(text).ok_or_else(|| {
        other(
            "22007",
            format!("invalid input syntax for type interval: \"{text}\""),
        )
    })?;
    if interval.months != 0 {
        return Err(unsupported(
            "a RANGE frame offset in months or years (their length in days varies)",
        ));
    }
    let usecs = i128::from(interval.days) * 86_400_000_000 + i128::from(interval.usecs);
    if usecs < 0 {
        return Err(other(
            "22013",
            "invalid preceding or following size in window function",
        ));
    }
    Ok(if usecs % 1_000_000 == 0 {
        (usecs / 1_000_000).to_string()
    } else {
        format!("{}", usecs as f64 / 1e6)
    })
}
