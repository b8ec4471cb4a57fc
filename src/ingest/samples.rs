//! Generated files for the ingest's tests (and the native shell's): new-api log rows in
//! every layout we read (JSON lines, a log-API page, a JSON array, semicolon CSV with a
//! quoted `other`) and every encoding (UTF-8, with a byte-order mark, UTF-16 LE and BE),
//! damaged where a test asks.

use proptest::prelude::*;

/// One log row as the generator writes it: (created_at, type, model, quota, prompt,
/// completion, `other` JSON or empty).
pub type Row = (u32, u8, &'static str, i32, u32, u32, String);

pub fn row() -> impl Strategy<Value = Row> {
    let other = prop_oneof![
        Just(String::new()),
        (1u32..400, 0u32..3, 0usize..5).prop_map(|(cache, semantic, ratio)| format!(
            r#"{{"model_ratio":{},"completion_ratio":4,"cache_tokens":{cache},"group_ratio":1,"model_price":-1{}}}"#,
            ["1.25", "2", "0.5", "1.250", "7"][ratio],
            if semantic == 0 { r#","usage_semantic":"anthropic""# } else { "" }
        )),
        Just(r#"{"model_ratio":0,"model_price":0.1,"tool_surcharges":[{"count":2,"price":10}]}"#.to_string()),
    ];
    (
        1_767_225_000u32..1_767_230_000,
        prop_oneof![Just(2u8), Just(5), Just(6), Just(4)],
        prop_oneof![Just("gpt-4o"), Just("claude-sonnet-4-5"), Just("模型-ü")],
        -5i32..20_000,
        0u32..5_000,
        0u32..900,
        other,
    )
}

fn json_row(r: &Row) -> String {
    let other = serde_json::to_string(&r.6).unwrap();
    // Two rows in three carry a request id, a few of them the same (the incident
    // review's facts list them by place: a file read in parts must list them alike).
    let request_id = match r.0 % 3 {
        0 => String::new(),
        _ => format!(r#","request_id":"req-{}""#, r.0 % 11),
    };
    format!(
        r#"{{"id":1,"created_at":{},"type":{},"model_name":"{}","quota":{},"prompt_tokens":{},"completion_tokens":{},"content":"a [tricky] {{prompt}} \"x\"","other":{other}{request_id}}}"#,
        r.0, r.1, r.2, r.3, r.4, r.5
    )
}

pub fn file(rows: &[Row], layout: u8, encoding: u8) -> Vec<u8> {
    let text = match layout {
        0 => rows.iter().map(|r| json_row(r) + "\n").collect::<String>(),
        1 => format!(
            "{{\"success\":true,\"message\":\"\",\"data\":{{\"items\":[\n{}\n],\"total\":1}}}}\n",
            rows.iter().map(json_row).collect::<Vec<_>>().join(",\n  ")
        ),
        2 => format!(
            "[{}]",
            rows.iter().map(json_row).collect::<Vec<_>>().join(",")
        ),
        _ => {
            let head = "created_at;type;model_name;quota;prompt_tokens;completion_tokens;other\r\n";
            let body = rows.iter().map(|r| {
                let other = r.6.replace('"', "\"\"").replace(",\"", ",\n\"");
                format!(
                    "{};{};{};{};{};{};\"{other}\"\r\n",
                    r.0, r.1, r.2, r.3, r.4, r.5
                )
            });
            std::iter::once(head.to_string()).chain(body).collect()
        }
    };
    match encoding {
        0 => text.into_bytes(),
        1 => [&b"\xef\xbb\xbf"[..], text.as_bytes()].concat(),
        2 => [0xff, 0xfe]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect(),
        _ => [0xfe, 0xff]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
            .collect(),
    }
}

/// `bytes` with the given bytes overwritten (anywhere, by index).
pub fn damaged(mut bytes: Vec<u8>, damage: &[(prop::sample::Index, u8)]) -> Vec<u8> {
    for (at, byte) in damage {
        if !bytes.is_empty() {
            let at = at.index(bytes.len());
            bytes[at] = *byte;
        }
    }
    bytes
}

/// An invalid byte written mid-file: where (within the file's last two thirds, so past
/// its first lines when it has a few dozen) and which.
pub type Invalid = (prop::sample::Index, u8);

/// Stands for "the continuation of the next multi-byte character becomes ASCII".
const CUT_CHARACTER: u8 = b'x';

/// Bytes that are never valid where they land in UTF-8 text: 0xFF, a lone continuation
/// (0x80), a lead with no continuation (0xC3, 0xE6), a high byte of UTF-16 surrogate
/// halves (0xD8, 0xDC); or a multi-byte character whose continuation became ASCII.
pub fn invalid() -> impl Strategy<Value = Vec<Invalid>> {
    let byte = prop_oneof![
        Just(0xff),
        Just(0x80),
        Just(0xc3),
        Just(0xe6),
        Just(0xd8),
        Just(0xdc),
        Just(CUT_CHARACTER),
    ];
    proptest::collection::vec((any::<prop::sample::Index>(), byte), 0..4)
}

/// `bytes` with the invalid bytes written in, and where each was written (chunkings
/// cut there and one byte on, to split a bad byte or a character from its neighbour).
pub fn with_invalid(mut bytes: Vec<u8>, invalid: &[Invalid]) -> (Vec<u8>, Vec<usize>) {
    let mut written = Vec::new();
    let third = bytes.len() / 3;
    for (at, byte) in invalid {
        if bytes.len() - third < 2 {
            continue;
        }
        let mut at = third + at.index(bytes.len() - third);
        if *byte == CUT_CHARACTER {
            // The lead byte of a character at or after `at`, if any: its next byte.
            match bytes[at..].iter().position(|b| *b >= 0xc0) {
                Some(lead) if at + lead + 1 < bytes.len() => at += lead + 1,
                _ => continue,
            }
        }
        bytes[at] = *byte;
        written.push(at);
    }
    (bytes, written)
}
