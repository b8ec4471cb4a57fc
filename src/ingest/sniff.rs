//! Decides what a file is before reading it: encoding, and JSON versus delimited text.
//! Files we cannot read at all get one sentence saying what they look like instead.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Json,
    Delimited,
}

/// Turns the bytes into text (UTF-8 with or without BOM, UTF-16 with BOM) and says
/// which shape it has, or why the file cannot be read.
pub fn sniff(bytes: &[u8]) -> Result<(String, Shape), String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err("the file is empty".into());
    }
    if let Some(what) = foreign_format(bytes) {
        return Err(what);
    }
    let text = decode(bytes)?;
    let first = text.trim_start().chars().next();
    let lower = text
        .trim_start()
        .get(..15)
        .unwrap_or("")
        .to_ascii_lowercase();
    if lower.starts_with("<!doctype html") || lower.starts_with("<html") {
        return Err(
            "this is a web page (HTML), not an export; save the export itself as CSV or JSON"
                .into(),
        );
    }
    let shape = if matches!(first, Some('{' | '[')) {
        Shape::Json
    } else {
        Shape::Delimited
    };
    Ok((text, shape))
}

fn foreign_format(bytes: &[u8]) -> Option<String> {
    let says = |what: &str| Some(format!("this is {what}, not a CSV or JSON export"));
    if bytes.starts_with(b"PK\x03\x04") {
        return says("a zip archive or an Excel workbook (.xlsx); save the sheet as CSV");
    }
    if bytes.starts_with(b"%PDF") {
        return says("a PDF document");
    }
    if bytes.starts_with(&[0x1f, 0x8b]) {
        return says("a gzip-compressed file; decompress it first");
    }
    if bytes.starts_with(&[0xd0, 0xcf, 0x11, 0xe0]) {
        return says("an old Excel workbook (.xls); save the sheet as CSV");
    }
    None
}

fn decode(bytes: &[u8]) -> Result<String, String> {
    let utf16 = |body: &[u8], little: bool| {
        let units = body.chunks_exact(2).map(|p| {
            if little {
                u16::from_le_bytes([p[0], p[1]])
            } else {
                u16::from_be_bytes([p[0], p[1]])
            }
        });
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map_err(|_| "the file says it is UTF-16 but holds invalid characters".to_string())
    };
    match bytes {
        [0xef, 0xbb, 0xbf, rest @ ..] => utf8(rest),
        [0xff, 0xfe, rest @ ..] => utf16(rest, true),
        [0xfe, 0xff, rest @ ..] => utf16(rest, false),
        _ => utf8(bytes),
    }
}

fn utf8(bytes: &[u8]) -> Result<String, String> {
    let sample = &bytes[..bytes.len().min(8192)];
    if sample.contains(&0) {
        return Err("this is a binary file, not a CSV or JSON export".into());
    }
    String::from_utf8(bytes.to_vec()).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        format!("line {line}: expected UTF-8 text, but found bytes that are not (save the export as UTF-8)")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniff_table() {
        let ok: [(&[u8], &str, Shape); 5] = [
            (b"{\"data\":1}", "{\"data\":1}", Shape::Json),
            (b"  [1]", "  [1]", Shape::Json),
            (b"\xef\xbb\xbfa,b\n", "a,b\n", Shape::Delimited),
            (b"\xff\xfea\x00,\x00b\x00", "a,b", Shape::Delimited),
            (b"\xfe\xff\x00a\x00;\x00b", "a;b", Shape::Delimited),
        ];
        for (bytes, text, shape) in ok {
            assert_eq!(sniff(bytes), Ok((text.to_string(), shape)));
        }
        let bad: [(&[u8], &str); 6] = [
            (b"", "the file is empty"),
            (b"PK\x03\x04xx", "this is a zip archive or an Excel workbook (.xlsx); save the sheet as CSV, not a CSV or JSON export"),
            (b"%PDF-1.7", "this is a PDF document, not a CSV or JSON export"),
            (b"<!DOCTYPE html><p>502", "this is a web page (HTML), not an export; save the export itself as CSV or JSON"),
            (b"a,b\n\x00\x01", "this is a binary file, not a CSV or JSON export"),
            (b"a,b\nc,\xff\n", "line 2: expected UTF-8 text, but found bytes that are not (save the export as UTF-8)"),
        ];
        for (bytes, message) in bad {
            assert_eq!(sniff(bytes), Err(message.to_string()));
        }
    }
}
