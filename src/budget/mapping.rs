//! The mapping table outside the page: exported as CSV (in the reviewer's spreadsheet
//! style) or JSON, and imported from either, each rule checked as it is read so a bad
//! row is named by its file, line and column (or JSON path).

use serde::{Deserialize, Serialize};

use super::table::{from_csv, to_csv};
use crate::error::{from_json_with_path, Error, Position};
use crate::outputs::CsvStyle;
use crate::settings::budget::{AllocationRuleText, MatchField};

/// The JSON form: `{"mapping": [rules]}` (a bare list of rules is read too).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingDocument {
    mapping: Vec<AllocationRuleText>,
}

pub fn mapping_csv(rules: &[AllocationRuleText], style: CsvStyle) -> String {
    let rows = rules
        .iter()
        .map(|r| {
            AllocationRuleText::COLUMNS
                .iter()
                .map(|c| r.get(c).to_string())
                .collect()
        })
        .collect();
    to_csv(style, &AllocationRuleText::COLUMNS, rows)
}

pub fn mapping_json(rules: &[AllocationRuleText]) -> String {
    let document = MappingDocument {
        mapping: rules.to_vec(),
    };
    serde_json::to_string_pretty(&document).expect("rules are plain strings") + "\n"
}

/// Reads a mapping table exported by [`mapping_csv`] or [`mapping_json`] (or written by
/// hand the same way); JSON when the text starts with `{` or `[`.
pub fn import_mapping(file: &str, text: &str) -> Result<Vec<AllocationRuleText>, Error> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        let in_file = |e: Error| Error {
            position: Box::new(Position {
                file: file.to_string(),
                ..*e.position
            }),
            ..e
        };
        let rules = if trimmed.starts_with('[') {
            from_json_with_path::<Vec<AllocationRuleText>>(trimmed).map_err(in_file)?
        } else {
            from_json_with_path::<MappingDocument>(trimmed)
                .map_err(in_file)?
                .mapping
        };
        for (i, rule) in rules.iter().enumerate() {
            MatchField::parse(&rule.field).map_err(|m| {
                let position = Position {
                    file: file.to_string(),
                    path: Some(format!("mapping[{i}].field")),
                    ..Position::default()
                };
                Error::data(position, m)
            })?;
        }
        return Ok(rules);
    }
    let rows = from_csv(file, trimmed, &AllocationRuleText::COLUMNS)?;
    let mut rules = Vec::new();
    for row in rows {
        let mut rule = AllocationRuleText::default();
        for column in AllocationRuleText::COLUMNS {
            if let Some(slot) = rule.field_mut(column) {
                *slot = row.get(column).to_string();
            }
        }
        MatchField::parse(&rule.field).map_err(|m| Error::data(row.at(file, "field"), m))?;
        if rule.value.is_empty() {
            let message = "expected the value the field holds, but found nothing";
            return Err(Error::data(row.at(file, "value"), message));
        }
        rules.push(rule);
    }
    Ok(rules)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outputs::CsvLocale;

    fn rules() -> Vec<AllocationRuleText> {
        vec![
            AllocationRuleText {
                field: "token".into(),
                value: "prod-search".into(),
                owner: "search".into(),
                environment: "prod".into(),
                request_class: "chat".into(),
                budget_bucket: "search-prod".into(),
            },
            AllocationRuleText {
                field: "tag".into(),
                value: "=batch, nightly".into(),
                owner: "data".into(),
                ..AllocationRuleText::default()
            },
        ]
    }

    #[test]
    fn export_then_import_gives_the_same_table() {
        let style = CsvStyle {
            locale: CsvLocale::Semicolon,
            byte_order_mark: true,
        };
        let csv = mapping_csv(&rules(), style);
        assert_eq!(import_mapping("m.csv", &csv).unwrap(), rules());
        assert_eq!(
            import_mapping("m.json", &mapping_json(&rules())).unwrap(),
            rules()
        );
        let bare = serde_json::to_string(&rules()).unwrap();
        assert_eq!(import_mapping("m.json", &bare).unwrap(), rules());
    }

    #[test]
    fn a_bad_row_is_named_where_it_is() {
        let cases = [
            ("m.csv", "field,value,owner\ntoken,k,a\ncolour,x,b\n", "m.csv, line 3, column field: expected token, group, tag, project, environment, tenant, route or model, but found \"colour\""),
            ("m.csv", "field,value,owner\ntoken,,a\n", "m.csv, line 2, column value: expected the value the field holds, but found nothing"),
            ("m.json", r#"{"mapping":[{"field":"token","value":"k"},{"field":"x"}]}"#, "m.json, mapping[1].field: expected token, group, tag, project, environment, tenant, route or model, but found \"x\""),
            ("m.json", r#"{"mapping":[{"field":"token","owner":7}]}"#, "m.json, mapping[0].owner: expected the value in quotes, such as \"0.01\" (figures are kept as text so nothing is rounded), but found a number"),
        ];
        for (file, text, want) in cases {
            assert_eq!(import_mapping(file, text).unwrap_err().to_string(), want);
        }
    }
}
