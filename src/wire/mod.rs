//! The bytes the page's worker and the page send each other: a file's report, the
//! figures and the budget review, as serde values in a compact positional form.
//!
//! JSON was the wire before. Every type that crossed it carried a JSON reader and writer
//! of its own in the WebAssembly, ~135 KB of the first load gzipped
//! (docs/benchmarks.md). This form is what serde's data model needs and no more, so its
//! code per type is small: a struct is its fields in order (no names), an enum variant
//! its index, a length or integer a LEB128 varint (signed ones zigzagged), text its length
//! and UTF-8 bytes, an option a 0 or a 1 before its value. A Decimal crosses as its
//! text (`rust_decimal::serde::str`), exact as in JSON.
//!
//! Both ends are this crate at the same version (the page's and the reader's modules
//! come from one build, and the page names the reader by its content hash), so the form has no version and no names: what one end writes, the other
//! reads with the same types. It refuses a float (money is exact, and the core holds
//! none), a sequence or map of unknown length and a value that must describe itself
//! (`deserialize_any`: `#[serde(flatten)]`, `serde_json::Value`); a type that is also
//! JSON with such a shape asks `is_human_readable` (as `crosscheck::IdRef` does). A
//! field skipped by `skip_serializing_if` is written as a 0 byte, which reads back as
//! `None`, `""` or an empty list, so such a field must be one of those.

use std::fmt;

mod de;
mod ser;

/// Why a value could not be written or read; lowercase, "expected …, but found …".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WireError(String);

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for WireError {}

impl serde::ser::Error for WireError {
    fn custom<T: fmt::Display>(message: T) -> WireError {
        WireError(message.to_string())
    }
}

impl serde::de::Error for WireError {
    fn custom<T: fmt::Display>(message: T) -> WireError {
        WireError(message.to_string())
    }
}

fn no_float() -> WireError {
    WireError("expected an exact number (text or integer), but found a float".into())
}

/// `value` in the wire form.
pub fn to_bytes<T: serde::Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, WireError> {
    let mut out = ser::Writer(Vec::new());
    value.serialize(&mut out)?;
    Ok(out.0)
}

/// The value `bytes` hold, every byte of them.
pub fn from_bytes<'de, T: serde::Deserialize<'de>>(bytes: &'de [u8]) -> Result<T, WireError> {
    let mut reader = de::Reader { bytes, at: 0 };
    let value = T::deserialize(&mut reader)?;
    match bytes.len() - reader.at {
        0 => Ok(value),
        more => Err(WireError(format!(
            "expected the end of the value, but found {more} more bytes"
        ))),
    }
}

#[cfg(test)]
mod tests;
