//! Which export a file is, from its first record (JSON lines, a JSON array), its header
//! line (CSV) or the start of its JSON document (report pages), and how a report page
//! becomes records. Gateway logs are decided first, so a CometAPI / new-api log is never
//! read as anything else; a file that matches nothing is read as a gateway log, whose
//! reader explains which columns it expected.

use serde_json::{Map, Value};

use super::Format;

mod buckets;

pub use buckets::{buckets, in_buckets, Buckets, UNDECIDED};

/// Keys that only a gateway log row has.
const GATEWAY_KEYS: &[&str] = &["quota", "model_name", "other", "token_name", "use_time"];

/// Whether any key of a record names a gateway-log column (by its name or a UI label).
pub fn gateway_like(map: &Map<String, Value>) -> bool {
    map.keys()
        .any(|k| super::newapi::Column::from_header(k).is_some_and(|c| c.names_a_log()))
}

/// From the keys of the first JSON record.
pub fn record(map: &Map<String, Value>) -> Option<Format> {
    let has = |k: &str| map.contains_key(k);
    if GATEWAY_KEYS.iter().any(|k| has(k)) {
        return None;
    }
    let object = map.get("object").and_then(Value::as_str).unwrap_or("");
    if map.get("event_type").and_then(Value::as_str) == Some("ai_request_cost_observation")
        || has("usage_from_response")
    {
        return Some(Format::CostObservation);
    }
    if has("spend") && (has("request_id") || has("startTime")) {
        return Some(Format::LiteLlmSpendLogs);
    }
    if object == "organization.costs.result" || (has("amount") && has("line_item")) {
        return Some(Format::OpenAiCosts);
    }
    if object.starts_with("organization.usage.") || has("num_model_requests") {
        return Some(Format::OpenAiUsageReport);
    }
    if has("cost_type") || has("token_type") {
        return Some(Format::AnthropicCostReport);
    }
    if has("uncached_input_tokens") {
        return Some(Format::AnthropicUsageReport);
    }
    if has("quota_used") && has("date") {
        return Some(Format::CometApiAccount);
    }
    // The object that holds the usage: the record, or its `response`.
    let holder = match map.get("response") {
        Some(Value::Object(response)) if response.contains_key("usage") => response,
        _ => map,
    };
    let usage = match holder.get("usage") {
        Some(Value::Object(usage)) => usage,
        _ => holder,
    };
    let in_usage = |k: &str| usage.contains_key(k);
    let anthropic = in_usage("cache_read_input_tokens")
        || in_usage("cache_creation_input_tokens")
        || holder.get("type").and_then(Value::as_str) == Some("message");
    if in_usage("input_tokens") && in_usage("output_tokens") {
        return Some(if anthropic {
            Format::ClientAnthropic
        } else {
            Format::ClientOpenAiResponses
        });
    }
    if in_usage("prompt_tokens") && in_usage("completion_tokens") {
        return Some(Format::ClientOpenAiChat);
    }
    None
}

/// From a CSV header line's cells.
pub fn header(names: &[String]) -> Option<Format> {
    let has = |k: &str| names.iter().any(|n| n.trim() == k);
    if has("BilledCost") && has("ChargePeriodStart") {
        return Some(Format::Focus);
    }
    if has("amount_value") && has("line_item") {
        return Some(Format::OpenAiCostCsv);
    }
    if has("num_model_requests") && has("input_tokens") {
        return Some(Format::OpenAiUsageReport);
    }
    if has("spend") && (has("request_id") || has("startTime")) {
        return Some(Format::LiteLlmSpendLogs);
    }
    let map: Map<String, Value> = names
        .iter()
        .map(|n| (n.trim().to_string(), Value::Null))
        .collect();
    record(&map)
}

/// Report pages (`{"data":[{…,"results":[…]}]}`) and bare arrays of their buckets,
/// CometAPI's balance answer and JSON arrays of client records are read as evidence;
/// None leaves the file to the gateway reader (or to Map columns). Decided on the start
/// of the document only (buckets still undecided there: see [`buckets`]).
pub fn document(head: &str) -> Option<Format> {
    if let Buckets::Report(format) = buckets(head) {
        return Some(format);
    }
    if head.trim_start().starts_with('[') {
        return first_element(head).as_ref().and_then(record);
    }
    let marker = |k: &str| head.contains(&format!("\"{k}\""));
    if marker("daily_quota") || marker("total_used_quota") {
        return Some(Format::CometApiAccount);
    }
    None
}

/// The first element of a JSON array that starts `head`, when it is an object whole in it.
pub fn first_element(head: &str) -> Option<Map<String, Value>> {
    let first = head.trim_start().strip_prefix('[')?.trim_start();
    let mut stream = serde_json::Deserializer::from_str(first).into_iter::<Map<String, Value>>();
    stream.next()?.ok()
}

/// The records of a whole JSON document: each bucket result with its bucket's times,
/// each CometAPI daily entry with its date, or each element of an array. None stands for
/// a bucket, result or element that is not a JSON object (a rejected row).
pub fn records(document: Value) -> Result<Vec<Option<Map<String, Value>>>, &'static str> {
    let root = match document {
        Value::Object(mut map) if map.get("data").is_some_and(|d| d.is_object()) => {
            match map.remove("data") {
                Some(Value::Object(data)) if data.contains_key("daily_quota") => {
                    Value::Object(data)
                }
                Some(other) => {
                    map.insert("data".into(), other);
                    Value::Object(map)
                }
                None => Value::Object(map),
            }
        }
        other => other,
    };
    match root {
        Value::Array(items) => Ok(items.into_iter().map(object).collect()),
        Value::Object(mut map) => {
            if let Some(Value::Object(days)) = map.remove("daily_quota") {
                return Ok(daily(days).into_iter().map(Some).collect());
            }
            match map.remove("data") {
                Some(Value::Array(buckets)) => Ok(buckets.into_iter().flat_map(results).collect()),
                _ => Err("expected report buckets under data, but found none"),
            }
        }
        _ => Err("expected a JSON object or list, but found a single value"),
    }
}

fn object(value: Value) -> Option<Map<String, Value>> {
    match value {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// The records of one bucket: each of its results with the bucket's times (a result's
/// own time wins); a bucket without a `results` list is a record itself, an empty list
/// gives none (a bucket without usage is no row). The same for a page's `data` and for
/// the elements of a bare array of buckets, so both forms read alike.
pub fn results(bucket: Value) -> Vec<Option<Map<String, Value>>> {
    let Value::Object(mut bucket) = bucket else {
        return vec![None];
    };
    let Some(Value::Array(results)) = bucket.remove("results") else {
        return vec![Some(bucket)];
    };
    let times: Vec<(String, Value)> = ["start_time", "end_time", "starting_at", "ending_at"]
        .iter()
        .filter_map(|k| Some((k.to_string(), bucket.get(*k)?.clone())))
        .collect();
    results
        .into_iter()
        .map(|r| {
            let mut map = object(r)?;
            for (k, v) in &times {
                map.entry(k.clone()).or_insert_with(|| v.clone());
            }
            Some(map)
        })
        .collect()
}

fn daily(days: Map<String, Value>) -> Vec<Map<String, Value>> {
    let mut out = Vec::new();
    for (date, entries) in days {
        let entries = match entries {
            Value::Array(entries) => entries,
            other => vec![other],
        };
        for entry in entries {
            let mut map = match entry {
                Value::Object(map) => map,
                _ => Map::new(),
            };
            map.insert("date".into(), Value::String(date.clone()));
            // The key's name identifies a person or a service: never carried further.
            map.remove("token_name");
            out.push(map);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(json: &str) -> Option<Format> {
        record(&serde_json::from_str(json).unwrap())
    }

    #[test]
    fn records_are_told_apart_by_their_keys() {
        let cases: [(&str, Option<Format>); 10] = [
            // A gateway row with usage-looking keys is still a gateway row.
            (
                r#"{"quota":1,"prompt_tokens":1,"completion_tokens":1}"#,
                None,
            ),
            (
                r#"{"model":"m","usage":{"prompt_tokens":1,"completion_tokens":1}}"#,
                Some(Format::ClientOpenAiChat),
            ),
            (
                r#"{"model":"m","usage":{"input_tokens":1,"output_tokens":1}}"#,
                Some(Format::ClientOpenAiResponses),
            ),
            (
                r#"{"response":{"type":"message","usage":{"input_tokens":1,"output_tokens":1}}}"#,
                Some(Format::ClientAnthropic),
            ),
            (
                r#"{"usage":{"input_tokens":1,"output_tokens":1,"cache_read_input_tokens":0}}"#,
                Some(Format::ClientAnthropic),
            ),
            (
                r#"{"request_id":"r","spend":0.1}"#,
                Some(Format::LiteLlmSpendLogs),
            ),
            (
                r#"{"event_type":"ai_request_cost_observation"}"#,
                Some(Format::CostObservation),
            ),
            (
                r#"{"object":"organization.costs.result","amount":{}}"#,
                Some(Format::OpenAiCosts),
            ),
            (
                r#"{"amount":"1","cost_type":"tokens"}"#,
                Some(Format::AnthropicCostReport),
            ),
            (r#"{"id":1,"name":"x"}"#, None),
        ];
        for (json, expected) in cases {
            assert_eq!(keys(json), expected, "{json}");
        }
    }

    #[test]
    fn documents_are_told_apart_by_their_start() {
        let cases: [(&str, Option<Format>); 6] = [
            (r#"{"success":true,"data":{"items":[{"quota":1}]}}"#, None),
            (
                r#"{"object":"page","data":[{"results":[{"object":"organization.costs.result"}]}]}"#,
                Some(Format::OpenAiCosts),
            ),
            (
                r#"{"data":[{"starting_at":"x","results":[{"uncached_input_tokens":1}]}]}"#,
                Some(Format::AnthropicUsageReport),
            ),
            (
                r#"{"total_used_quota":"1","daily_quota":{}}"#,
                Some(Format::CometApiAccount),
            ),
            (
                r#"[{"model":"m","usage":{"prompt_tokens":1,"completion_tokens":2}}]"#,
                Some(Format::ClientOpenAiChat),
            ),
            (r#"[{"created_at":1,"quota":5}]"#, None),
        ];
        for (json, expected) in cases {
            assert_eq!(document(json), expected, "{json}");
        }
    }

    #[test]
    fn report_pages_become_one_record_per_result_with_its_bucket_times() {
        let page = serde_json::json!({"data": [
            {"start_time": 1, "end_time": 2, "results": [{"a": 1}, {"a": 2, "end_time": 9}]},
            {"starting_at": "s", "results": []}
        ]});
        let records = records_of(page);
        assert_eq!(records.len(), 2);
        assert_eq!(records[0]["start_time"], 1);
        assert_eq!(
            records[1]["end_time"], 9,
            "a result's own time wins over its bucket's"
        );
        let account = serde_json::json!({"success": true, "data": {"daily_quota": {"2026-01-01": [{"token_name": "k", "quota_used": 1}]}}});
        let records = records_of(account);
        assert_eq!(records[0]["date"], "2026-01-01");
        assert!(
            !records[0].contains_key("token_name"),
            "key names are never carried further"
        );
        assert_eq!(
            records_err(serde_json::json!({"data": 5})),
            "expected report buckets under data, but found none"
        );
    }

    fn records_of(v: Value) -> Vec<Map<String, Value>> {
        records(v).unwrap().into_iter().flatten().collect()
    }

    fn records_err(v: Value) -> &'static str {
        records(v).unwrap_err()
    }
}
