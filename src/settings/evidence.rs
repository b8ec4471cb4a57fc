//! The settings that say how to read exports we do not detect on our own: which format
//! a file is (overriding detection), and column mappings for exports we do not know.

use serde::{Deserialize, Serialize};

use super::Settings;
use crate::decimal::quote;
use crate::error::Error;
use crate::ingest::mapping::{Mapping, MappingText};
use crate::ingest::Format;

/// "Read FILE as FORMAT" (the format's snake_case name, as the record writes it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FormatOverride {
    pub file: String,
    pub format: String,
}

impl Settings {
    /// Reads `file` as `format` (a format's snake_case name; empty: as detected).
    pub fn read_as(&mut self, file: &str, format: &str) {
        self.format_overrides.retain(|o| o.file != file);
        if !format.trim().is_empty() {
            self.format_overrides.push(FormatOverride {
                file: file.to_string(),
                format: format.trim().to_string(),
            });
        }
    }

    /// Saves a column mapping, replacing one made for the same header line.
    pub fn save_mapping(&mut self, mapping: MappingText) {
        let same = |m: &MappingText| {
            m.header
                .iter()
                .map(|h| h.trim())
                .eq(mapping.header.iter().map(|h| h.trim()))
        };
        self.column_mappings.retain(|m| !same(m));
        self.column_mappings.push(mapping);
    }

    /// Checks the mappings and format overrides; problems go to `errors` by path.
    pub(super) fn validate_evidence(
        &self,
        errors: &mut Vec<Error>,
    ) -> (Vec<Mapping>, Vec<(String, Format)>) {
        let mut mappings = Vec::new();
        for (i, text) in self.column_mappings.iter().enumerate() {
            match Mapping::parse(text) {
                Ok(mapping) => mappings.push(mapping),
                Err(found) => errors.extend(found.into_iter().map(|e| {
                    let field = e.position.path.as_deref().unwrap_or_default();
                    Error::field(&format!("column_mappings[{i}].{field}"), e.message)
                })),
            }
        }
        let mut format_overrides = Vec::new();
        for (i, o) in self.format_overrides.iter().enumerate() {
            match Format::from_name(&o.format) {
                Some(format) => format_overrides.push((o.file.clone(), format)),
                None => errors.push(Error::field(&format!("format_overrides[{i}].format"), format!(
                        "expected one of the formats the record names (such as client_open_ai_chat or focus), but found {}",
                        quote(&o.format)
                    ),
                )),
            }
        }
        (mappings, format_overrides)
    }
}
