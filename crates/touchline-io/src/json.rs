//! JSON helpers shared by the line-per-frame JSON loaders (SkillCorner, PFF).

use std::borrow::Cow;
use std::path::Path;

use serde_json::{Map, Value};

use crate::{IoError, Result};

/// Replaces bare `NaN`, `Infinity` and `-Infinity` tokens outside strings by
/// `null`, so that JSON written by Python parses (and the values count as missing).
pub(crate) fn null_nonfinite(line: &str) -> Cow<'_, str> {
    if !line.contains("NaN") && !line.contains("Infinity") {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len());
    let mut in_str = false;
    let mut escaped = false;
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        if in_str {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
            }
        } else if c == '"' {
            in_str = true;
        } else {
            let token = ["-Infinity", "Infinity", "NaN"].into_iter().find(|t| rest.starts_with(t));
            if let Some(t) = token {
                out.push_str("null");
                rest = &rest[t.len()..];
                continue;
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    Cow::Owned(out)
}

/// A JSON line parse error with its 1-based line number.
pub(crate) fn json_line(line: &str, path: &Path, lineno: usize) -> Result<Map<String, Value>> {
    let fixed = null_nonfinite(line);
    match serde_json::from_str::<Value>(&fixed) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(other) => {
            Err(IoError::parse(path, lineno, format!("expected a JSON object, found {}", kind(&other))))
        }
        Err(e) => Err(IoError::parse(path, lineno, format!("invalid JSON: {e}"))),
    }
}

/// Name of a JSON value's type, for messages.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// An optional finite-or-missing number: absent/null give `None`.
pub(crate) fn opt_f64(v: Option<&Value>, what: &str, path: &Path, line: usize) -> Result<Option<f64>> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64().filter(|x| x.is_finite())),
        Some(other) => {
            Err(IoError::parse(path, line, format!("`{what}` must be a number, found {}", kind(other))))
        }
    }
}

/// An optional integer: absent/null give `None`; integral floats (`10517.0`) are accepted.
pub(crate) fn opt_i64(v: Option<&Value>, what: &str, path: &Path, line: usize) -> Result<Option<i64>> {
    let bad = |found: &str| IoError::parse(path, line, format!("`{what}` must be an integer, found {found}"));
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => {
            if let Some(i) = n.as_i64() {
                return Ok(Some(i));
            }
            match n.as_f64() {
                Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(Some(f as i64)),
                _ => Err(bad(&n.to_string())),
            }
        }
        Some(other) => Err(bad(kind(other))),
    }
}

/// An optional boolean.
pub(crate) fn opt_bool(v: Option<&Value>, what: &str, path: &Path, line: usize) -> Result<Option<bool>> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => {
            Err(IoError::parse(path, line, format!("`{what}` must be true/false, found {}", kind(other))))
        }
    }
}

/// A whole JSON document (bare `NaN`/`Infinity` read as `null`); errors name the line.
pub(crate) fn json_file(bytes: &[u8], path: &Path) -> Result<Value> {
    let text = crate::bytes_to_text(bytes.to_vec(), path)?;
    serde_json::from_str(&null_nonfinite(&text))
        .map_err(|e| IoError::parse(path, e.line(), format!("invalid JSON: {e}")))
}
