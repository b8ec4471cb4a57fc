//! The labels a budget review allocates a row by, read from the row as it is filed and
//! hashed at once (`store::labels`): a gateway row's token name and group; the fields
//! a client request log, a usage report or a mapped export names them by.

use crate::ingest::formats::client::http_outcome;
use crate::ingest::formats::record_fields::Fields;
use crate::ingest::formats::row::Parts;
use crate::ingest::store::evidence::id_hash;
use crate::ingest::store::labels::{FailureDetail, LabelField, Labels};

/// Where records keep each label, first match wins: the names the seed's cost
/// observation event, LiteLLM's spend logs (and their `metadata`), the OpenAI usage
/// API's groupings and common request logs use.
const FIELDS: [(LabelField, &[&str]); 6] = [
    (
        LabelField::Key,
        &[
            "token_name",
            "api_key_name",
            "key_name",
            "key_alias",
            "api_key_alias",
            "user_api_key_alias",
            "metadata.user_api_key_alias",
            "api_key_id",
        ],
    ),
    (LabelField::Group, &["group", "key_group", "metadata.group"]),
    (
        LabelField::Project,
        &["project", "project_id", "project_name", "metadata.project"],
    ),
    (
        LabelField::Environment,
        &["environment", "env", "metadata.environment"],
    ),
    (
        LabelField::Tenant,
        &[
            "tenant_id_hash",
            "tenant_id",
            "tenant",
            "end_user",
            "metadata.tenant",
            "user_id",
            "user",
        ],
    ),
    (
        LabelField::Route,
        &[
            "route",
            "endpoint",
            "api_route",
            "call_type",
            "metadata.route",
        ],
    ),
];

const TAGS: &[&str] = &["tags", "request_tags", "metadata.tags"];
const ATTEMPT: &[&str] = &["retry_attempt", "attempt"];
const STATUS: &[&str] = &["http_status", "status_code"];
const CATEGORY: &[&str] = &[
    "error_category",
    "error_type",
    "failure_class",
    "outcome_class",
];
/// Where the request id is, as the client log reader looks for it.
const REQUEST_ID: &[&str] = &[
    "request_id",
    "request_correlation_id",
    "cometapi_response_id",
    "id",
    "response.id",
];

/// A gateway row's labels: its token name and group.
pub fn of_gateway(parts: &Parts) -> (Labels, u64) {
    let mut labels = Labels::default();
    labels.set(LabelField::Key, parts.token_name);
    labels.set(LabelField::Group, parts.group);
    (labels, parts.request_id.map_or(0, id_hash))
}

/// A record's labels and its request id's hash. Values that do not read (a retry
/// attempt that is not a count) are left out: the record's own reader says what is
/// wrong with it, and a label never rejects a row.
pub fn of_record(fields: &Fields) -> (Labels, u64) {
    let mut labels = Labels::default();
    for (field, paths) in FIELDS {
        labels.set(field, fields.text(paths).as_deref());
    }
    let tags = fields.list(TAGS);
    labels.set_tags(tags.iter().map(String::as_str));
    labels.attempt = fields
        .count(ATTEMPT)
        .ok()
        .flatten()
        .and_then(|n| u32::try_from(n).ok());
    labels.status = fields.count(STATUS).ok().flatten().and_then(http_outcome);
    labels.failure = failure(fields);
    let request = fields.text(REQUEST_ID).map_or(0, |id| id_hash(&id));
    (labels, request)
}

/// A network failure or a validation error before calling, by a flag or a category word.
fn failure(fields: &Fields) -> Option<FailureDetail> {
    if fields.flag(&["network_error", "network_failure"]) == Ok(Some(true)) {
        return Some(FailureDetail::NetworkFailure);
    }
    if fields.flag(&["validation_error"]) == Ok(Some(true)) {
        return Some(FailureDetail::ValidationError);
    }
    let word = fields.text(CATEGORY)?.to_ascii_lowercase();
    if ["network", "connection", "dns", "socket"]
        .iter()
        .any(|w| word.contains(w))
    {
        Some(FailureDetail::NetworkFailure)
    } else if word.contains("validation") {
        Some(FailureDetail::ValidationError)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::formats::times::CellFormat;
    use crate::ingest::store::labels::label_hash;
    use crate::policy::Outcome;

    fn labels_of(json: &str) -> (Labels, u64) {
        let map = serde_json::from_str(json).unwrap();
        of_record(&Fields::Json(&map, &CellFormat::default()))
    }

    #[test]
    fn records_give_their_labels_hashed() {
        // (record, field, the value it holds)
        let cases = [
            (r#"{"environment":"prod"}"#, LabelField::Environment, "PROD"),
            (r#"{"tenant_id_hash":"t-9"}"#, LabelField::Tenant, "t-9"),
            (
                r#"{"metadata":"{\"user_api_key_alias\":\"search\"}"}"#,
                LabelField::Key,
                "search",
            ),
            (
                r#"{"project_id":"proj_1","user":"u"}"#,
                LabelField::Project,
                "proj_1",
            ),
            (
                r#"{"endpoint":"/v1/chat/completions"}"#,
                LabelField::Route,
                "/v1/chat/completions",
            ),
        ];
        for (json, field, value) in cases {
            let (labels, _) = labels_of(json);
            assert_eq!(labels.field(field), label_hash(value), "{json}");
        }
        let (labels, request) = labels_of(
            r#"{"request_tags":["a","b"],"retry_attempt":2,"http_status":503,"request_correlation_id":"r-1"}"#,
        );
        assert!(labels.has_tag(label_hash("a")) && labels.has_tag(label_hash("b")));
        assert_eq!(labels.attempt, Some(2));
        assert_eq!(labels.status, Some(Outcome::ServerError5xx));
        assert_eq!(request, id_hash("r-1"));
        let (labels, request) = labels_of(r#"{"tags":"x, y","retry_attempt":"soon"}"#);
        assert!(labels.has_tag(label_hash("y")));
        assert_eq!(
            (labels.attempt, request),
            (None, 0),
            "a bad attempt is left out"
        );
    }

    #[test]
    fn failures_are_named_by_flag_or_category() {
        let cases = [
            (
                r#"{"network_error":true}"#,
                Some(FailureDetail::NetworkFailure),
            ),
            (
                r#"{"error_category":"connection_reset"}"#,
                Some(FailureDetail::NetworkFailure),
            ),
            (
                r#"{"error_type":"Validation"}"#,
                Some(FailureDetail::ValidationError),
            ),
            (
                r#"{"validation_error":"yes"}"#,
                Some(FailureDetail::ValidationError),
            ),
            (r#"{"error_category":"rate_limit"}"#, None),
            (r#"{}"#, None),
        ];
        for (json, want) in cases {
            assert_eq!(labels_of(json).0.failure, want, "{json}");
        }
    }
}
