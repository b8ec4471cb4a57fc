use std::collections::BTreeMap;

use proptest::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{from_bytes, to_bytes, WireError};

#[derive(Debug, PartialEq, Serialize, Deserialize)]
enum Shape {
    Unit,
    Newtype(u32),
    Tuple(i64, String),
    Struct { at: Option<u64>, names: Vec<String> },
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Sample {
    #[serde(with = "rust_decimal::serde::str")]
    amount: Decimal,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u64>,
    #[serde(skip_serializing_if = "String::is_empty")]
    note: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    shapes: Vec<Shape>,
    #[serde(skip)]
    local: u8,
    by_name: BTreeMap<String, i32>,
    small: (u8, i8, char, bool),
    wide: (u128, i128),
}

fn sample() -> Sample {
    Sample {
        amount: "-12.3400".parse().unwrap(),
        line: Some(300),
        note: "é".into(),
        shapes: vec![
            Shape::Unit,
            Shape::Newtype(u32::MAX),
            Shape::Tuple(i64::MIN, "x".into()),
            Shape::Struct {
                at: None,
                names: vec!["a".into(), String::new()],
            },
        ],
        local: 0,
        by_name: [("b".to_string(), -1), ("a".to_string(), 7)].into(),
        small: (255, -128, '€', true),
        wide: (u128::MAX, i128::MIN),
    }
}

#[test]
fn values_come_back_as_they_went() {
    let full = sample();
    assert_eq!(
        from_bytes::<Sample>(&to_bytes(&full).unwrap()).unwrap(),
        full
    );
    // Fields `skip_serializing_if` left out read back as absent and empty.
    let bare = Sample {
        line: None,
        note: String::new(),
        shapes: Vec::new(),
        ..sample()
    };
    assert_eq!(
        from_bytes::<Sample>(&to_bytes(&bare).unwrap()).unwrap(),
        bare
    );
    // The exact decimal, trailing zeros and all.
    let back: Sample = from_bytes(&to_bytes(&full).unwrap()).unwrap();
    assert_eq!(back.amount.to_string(), "-12.3400");
}

#[test]
fn numbers_are_varints() {
    let cases: [(u64, &[u8]); 5] = [
        (0, &[0]),
        (127, &[127]),
        (128, &[0x80, 1]),
        (300, &[0xac, 2]),
        (
            u64::MAX,
            &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1],
        ),
    ];
    for (n, bytes) in cases {
        assert_eq!(to_bytes(&n).unwrap(), bytes, "{n}");
        assert_eq!(from_bytes::<u64>(bytes).unwrap(), n);
    }
    assert_eq!(to_bytes(&-1i32).unwrap(), [1]);
    assert_eq!(to_bytes(&Some("ab")).unwrap(), [1, 2, b'a', b'b']);
}

#[test]
fn what_cannot_be_read_says_why() {
    #[derive(Debug, Serialize, Deserialize)]
    struct Inner {
        b: u8,
    }
    #[derive(Debug, Serialize, Deserialize)]
    struct Flat {
        a: u8,
        #[serde(flatten)]
        inner: Inner,
    }
    let error = |e: WireError| e.to_string();
    let cases: [(String, &str); 8] = [
        (error(from_bytes::<u64>(&[0x80]).unwrap_err()), "expected a number, but found the end of the bytes"),
        (error(from_bytes::<u64>(&[0xff; 11]).unwrap_err()), "expected a number of at most 64 bits, but found a longer one"),
        (error(from_bytes::<u8>(&[0xac, 2]).unwrap_err()), "expected an 8-bit count, but found 300"),
        (error(from_bytes::<u8>(&[1, 2]).unwrap_err()), "expected the end of the value, but found 1 more bytes"),
        (error(from_bytes::<Option<u8>>(&[2]).unwrap_err()), "expected an option (0 or 1), but found 2"),
        (error(from_bytes::<String>(&[2, 0xff, 0xfe]).unwrap_err()), "expected UTF-8 text, but found other bytes"),
        (error(from_bytes::<String>(&[5, b'a']).unwrap_err()), "expected text, but found the end of the bytes"),
        (
            error(to_bytes(&Flat { a: 1, inner: Inner { b: 2 } }).unwrap_err()),
            "expected a sequence or map of known length (not a #[serde(flatten)] struct), but found one without",
        ),
    ];
    for (got, want) in cases {
        assert_eq!(got, want);
    }
    assert_eq!(
        to_bytes(&0.5f32).unwrap_err().to_string(),
        "expected an exact number (text or integer), but found a float"
    );
    let refused = from_bytes::<Flat>(&[1, 2]).unwrap_err().to_string();
    assert!(
        refused.starts_with("expected a value of a type the reader names"),
        "{refused}"
    );
}

proptest! {
    #[test]
    fn any_value_comes_back(
        items in proptest::collection::vec(
            (any::<u64>(), any::<i64>(), ".{0,12}", proptest::option::of(any::<bool>()), any::<u32>()),
            0..20,
        ),
    ) {
        let bytes = to_bytes(&items).unwrap();
        prop_assert_eq!(from_bytes::<Vec<(u64, i64, String, Option<bool>, u32)>>(&bytes).unwrap(), items);
    }

    /// Bytes cut short or damaged are an error, never a panic nor another value's bytes
    /// read as this one (for a cut: every value needs all its bytes).
    #[test]
    fn damaged_bytes_are_refused(cut in 0usize..200, flip in 0usize..200, to in any::<u8>()) {
        let bytes = to_bytes(&sample()).unwrap();
        let cut = cut % bytes.len();
        prop_assert!(from_bytes::<Sample>(&bytes[..cut]).is_err());
        let mut damaged = bytes.clone();
        let at = flip % bytes.len();
        damaged[at] = to;
        let _ = from_bytes::<Sample>(&damaged);
    }
}
