//! The accepted rows of a file, kept compact.
//!
//! A [`GatewayRow`] is 400 bytes on x86-64 (the logged ratios alone are eleven optional
//! decimals) plus its model name on the heap, so a million rows would hold ~400 MB. Here
//! model names and ratio sets are interned (a log has a handful of each) and every row is
//! a few varints: a header byte, a bitmask of the non-zero token counts, the time as a
//! delta from the previous row, the model and ratio-set indexes, the quota and the
//! non-zero counts. Typical rows take 12–20 bytes (see README, Benchmarks).
//!
//! The mask's first byte covers the seven counts every log row may have; its top bit says
//! a second byte follows, for what a typical gateway row lacks: a sub-second time, audio
//! counts, the text split of an audio row, and a request count other than 1 (a usage
//! bucket's). So those cost nothing on the rows that do not have them.
//!
//! [`Rows::iter`] gives back exactly the rows that were pushed (same values, same decimal
//! scales). [`Rows::to_bytes`] / [`Rows::from_bytes`] carry them from the web worker to
//! the page; the bytes are checked on the way in, so decoding never panics.

use std::fmt;
use std::sync::Arc;

use crate::ingest::formats::row::GatewayRow;

mod append;
mod builder;
mod iter;
mod layout;

#[cfg(test)]
pub(crate) use append::SLICE;
pub use append::{Window, WireBytes};
pub use builder::RowsBuilder;
pub use iter::{RowIter, RowMark};
pub use layout::put_varint;
pub(crate) use layout::Reader as ByteReader;
use layout::{decimal_field, ratio_key, ratios_from, Reader, Store, RATIO_FIELDS, RATIO_KEY};

const MAGIC: &[u8; 4] = b"SRR2";

/// Immutable and cheap to clone (the page's reducer clones its state on every action).
#[derive(Clone, Default)]
pub struct Rows(Arc<Store>);

impl Rows {
    pub fn len(&self) -> usize {
        self.0.len
    }

    pub fn is_empty(&self) -> bool {
        self.0.len == 0
    }

    /// Bytes the encoded rows take (the interned tables aside).
    pub fn encoded_len(&self) -> usize {
        self.0.data.len()
    }

    /// Every model label of the accepted rows, in order of first appearance.
    pub fn models(&self) -> &[String] {
        &self.0.models
    }

    /// The distinct ratio sets the rows logged, in order of first appearance (what
    /// [`RowIter::ratio_set`] indexes).
    pub fn ratio_sets(&self) -> &[crate::ingest::formats::row::LoggedRatios] {
        &self.0.ratios
    }

    pub fn iter(&self) -> RowIter<'_> {
        RowIter::from_mark(&self.0, RowMark::default())
    }

    /// The rows after `mark` (where an earlier pass stopped: [`RowIter::mark`]).
    pub fn iter_from(&self, mark: RowMark) -> RowIter<'_> {
        RowIter::from_mark(&self.0, mark)
    }

    /// A self-contained binary form: the interned tables, then the encoded rows.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = self.tables();
        out.extend_from_slice(&self.0.data);
        out
    }

    /// The start of [`Rows::to_bytes`]: everything but the encoded rows, which follow it
    /// ([`Rows::data`]); the worker copies both straight into one transferable buffer.
    pub fn tables(&self) -> Vec<u8> {
        let s = &self.0;
        let mut out = Vec::with_capacity(64 * s.models.len() + RATIO_KEY * s.ratios.len() + 32);
        out.extend_from_slice(MAGIC);
        put_varint(&mut out, s.models.len() as u64);
        for model in &s.models {
            put_varint(&mut out, model.len() as u64);
            out.extend_from_slice(model.as_bytes());
        }
        put_varint(&mut out, s.ratios.len() as u64);
        for ratios in &s.ratios {
            out.extend_from_slice(&ratio_key(ratios));
        }
        put_varint(&mut out, s.len as u64);
        out
    }

    pub fn data(&self) -> &[u8] {
        &self.0.data
    }

    /// Reads [`Rows::to_bytes`] back, refusing anything that does not decode cleanly. The
    /// buffer becomes the store (the tables are cut off its front), so it is not copied.
    pub fn from_bytes(mut bytes: Vec<u8>) -> Result<Rows, String> {
        let bad = || "the rows sent by the reader are damaged".to_string();
        let mut rest = bytes.as_slice();
        let Tables {
            models,
            ratios,
            len,
        } = Tables::read(&mut rest).ok_or_else(bad)?;
        let tables_end = bytes.len() - rest.len();
        bytes.drain(..tables_end);
        let data = bytes;
        let rows = Rows(Arc::new(Store {
            models,
            ratios,
            len,
            data,
        }));
        // Checked once here (without building rows), so iterating later cannot fail.
        let mut iter = rows.iter();
        for _ in 0..len {
            iter.fields().ok_or_else(bad)?;
        }
        if iter.at != rows.0.data.len() {
            return Err(bad());
        }
        Ok(rows)
    }
}

/// The interned tables at the front of [`Rows::to_bytes`] ([`Rows::tables`]), with the
/// count of the rows that follow them.
pub struct Tables {
    pub models: Vec<String>,
    pub ratios: Vec<crate::ingest::formats::row::LoggedRatios>,
    pub len: usize,
}

impl Tables {
    /// Reads the tables from the front of `bytes` (the rest of `bytes` is what follows);
    /// None when they do not decode.
    pub fn read(bytes: &mut &[u8]) -> Option<Tables> {
        let rest = bytes.strip_prefix(MAGIC)?;
        let mut r = Reader { bytes: rest, at: 0 };
        let mut models = Vec::new();
        for _ in 0..r.varint()? {
            let len = usize::try_from(r.varint()?).ok()?;
            models.push(String::from_utf8(r.take(len)?.to_vec()).ok()?);
        }
        let mut ratios = Vec::new();
        for _ in 0..r.varint()? {
            let key = r.take(RATIO_KEY)?;
            let mut fields = [None; RATIO_FIELDS];
            for (i, field) in fields.iter_mut().enumerate() {
                *field = decimal_field(&key[i * 17..i * 17 + 17])?;
            }
            ratios.push(ratios_from(fields)?);
        }
        let len = usize::try_from(r.varint()?).ok()?;
        *bytes = &rest[r.at..];
        Some(Tables {
            models,
            ratios,
            len,
        })
    }
}

/// Equal when they hold the same rows, as `Vec<GatewayRow>` equality would say.
impl PartialEq for Rows {
    fn eq(&self, other: &Rows) -> bool {
        // Clones share their store: the page compares props on every render, cheaply.
        Arc::ptr_eq(&self.0, &other.0) || self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for Rows {}

impl fmt::Debug for Rows {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a> IntoIterator for &'a Rows {
    type Item = GatewayRow;
    type IntoIter = RowIter<'a>;

    fn into_iter(self) -> RowIter<'a> {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::layout::{zigzag, KINDS};
    use super::*;
    use crate::ingest::formats::row::{Counts, LoggedRatios, TokenSemantic};
    use crate::policy::Outcome;
    use jiff::Timestamp;
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    fn ratios() -> impl Strategy<Value = Option<LoggedRatios>> {
        let decimal = (any::<i64>(), 0u32..=28).prop_map(|(m, s)| Decimal::new(m, s));
        let field = proptest::option::of(decimal.clone());
        (proptest::collection::vec(field, 13), decimal, any::<bool>()).prop_map(
            |(f, surcharge, some)| {
                some.then(|| LoggedRatios {
                    model_ratio: f[0],
                    completion_ratio: f[1],
                    cache_ratio: f[2],
                    cache_creation_ratio: f[3],
                    cache_creation_ratio_1h: f[4],
                    group_ratio: f[5],
                    model_price: f[6],
                    tool_surcharge_usd: surcharge,
                    audio_ratio: f[7],
                    audio_completion_ratio: f[8],
                    audio_input_price: f[9],
                    factors: f[10],
                    images: f[11],
                    seconds: f[12],
                })
            },
        )
    }

    prop_compose! {
        fn row()(
            second in -1_000_000_000i64..4_000_000_000,
            nanos in prop_oneof![Just(0i32), 0i32..1_000_000_000],
            kind in 0usize..4,
            outcome in 0usize..8,
            model in "[a-z0-9-]{0,12}",
            quota in any::<i64>(),
            counts in proptest::collection::vec(prop_oneof![Just(0u64), any::<u64>()], Counts::LEN),
            // Mostly 1 (a request), else a bucket's count (0, 1, 2 and any) or unknown.
            requests in prop_oneof![3 => Just(Some(1u64)), 1 => proptest::option::of(prop_oneof![0u64..3, any::<u64>()])],
            additive in any::<bool>(),
            ratios in ratios(),
            price in proptest::option::of((any::<i64>(), 0u32..=28)),
            explicit in any::<bool>(),
        ) -> GatewayRow {
            let derived = ratios.as_ref().and_then(|r| r.model_price).filter(|p| !p.is_sign_negative());
            GatewayRow {
                at: Timestamp::new(second, if second < 0 { -nanos } else { nanos }).unwrap(),
                kind: KINDS[kind],
                outcome: Outcome::ALL[outcome],
                model,
                quota,
                prompt_tokens: counts[0],
                completion_tokens: counts[1],
                cache_read_tokens: counts[2],
                cache_write_tokens: counts[3],
                cache_write_1h_tokens: counts[4],
                reasoning_tokens: counts[5],
                tool_calls: counts[6],
                audio_input_tokens: counts[7],
                audio_cached_input_tokens: counts[8],
                audio_output_tokens: counts[9],
                text_input_tokens: counts[10],
                text_output_tokens: counts[11],
                requests,
                semantic: if additive { TokenSemantic::Additive } else { TokenSemantic::Inclusive },
                model_price: if explicit { price.map(|(m, s)| Decimal::new(m, s)) } else { derived },
                ratios,
            }
        }
    }

    /// One sent row, rewritten where `damage` says, joined with the check: each damage
    /// leaves bytes of the right shape that `Rows::from_bytes` still refuses, and the
    /// join must refuse them too, in the one pass that copies the rows.
    #[test]
    fn a_sent_row_that_would_not_read_back_does_not_join() {
        use super::layout::{put_varint, MORE};
        // Two mask bytes (a sub-second time), a time, and an explicit price.
        let row = GatewayRow {
            at: Timestamp::new(1_750_000_000, 5).unwrap(),
            quota: 1_234,
            model_price: Some(Decimal::new(25, 1)),
            ..crate::price::tests::row("gpt-4o", 10, 0)
        };
        let sent: Rows = [row.clone()].into_iter().collect();
        let tables = Tables::read(&mut sent.tables().as_slice()).unwrap();
        // The row's parts: header, two mask bytes, time, sub-second, then the rest.
        let data = sent.data();
        let mut r = Reader { bytes: data, at: 3 };
        r.varint().unwrap();
        let nanos = r.at;
        r.varint().unwrap();
        let rest = r.at;
        let with = |time: u64, subsecond: u64| {
            let mut out = data[..3].to_vec();
            put_varint(&mut out, time);
            put_varint(&mut out, subsecond);
            out.extend_from_slice(&data[rest..]);
            out
        };
        let (time, subsecond) = (zigzag(row.at.as_second()), zigzag(5));
        assert_eq!(with(time, subsecond), data, "the row as written");
        let mut mask = data.to_vec();
        mask[2] |= MORE;
        let mut price = data.to_vec();
        let scale = price.len() - 16 + 2;
        price[scale] = 29;
        let cases: [(&str, Vec<u8>); 5] = [
            ("as sent", data.to_vec()),
            ("a second mask byte with its top bit set", mask),
            ("a sub-second beyond 32 bits", with(time, zigzag(1 << 31))),
            (
                "a time past the last timestamp",
                with(zigzag(1 << 40), subsecond),
            ),
            ("a price of scale 29", price),
        ];
        assert!(nanos < rest);
        for (what, bytes) in cases {
            let whole = [sent.tables(), bytes.clone()].concat();
            let reads_back = Rows::from_bytes(whole).is_ok();
            let one: Rows = [row.clone()].into_iter().collect();
            let mut builder = RowsBuilder::default();
            builder.push(&row);
            let joined = builder.append_sent(&tables, &bytes, 0..bytes.len(), true);
            assert_eq!(joined, what == "as sent", "{what}");
            assert_eq!(reads_back, joined, "{what}: as Rows::from_bytes judges it");
            if !joined {
                assert_eq!(
                    builder.finish().to_bytes(),
                    one.to_bytes(),
                    "{what}: left as it was"
                );
            }
        }
    }

    /// Same values *and* scales: `1.50` must not come back as `1.5`.
    fn exact(row: &GatewayRow) -> String {
        format!("{row:?}")
    }

    proptest! {
        #[test]
        fn rows_round_trip_exactly(rows in proptest::collection::vec(row(), 0..40)) {
            let store: Rows = rows.iter().cloned().collect();
            let back: Vec<String> = store.iter().map(|r| exact(&r)).collect();
            let want: Vec<String> = rows.iter().map(exact).collect();
            prop_assert_eq!(&back, &want);
            let wire = Rows::from_bytes(store.to_bytes()).unwrap();
            let back: Vec<String> = wire.iter().map(|r| exact(&r)).collect();
            prop_assert_eq!(&back, &want);
            // Decoded into one reused row, the same rows.
            let (mut into, mut slot, mut iter) = (Vec::new(), None, store.iter());
            while iter.next_into(&mut slot) {
                into.push(exact(slot.as_ref().unwrap()));
            }
            prop_assert!(slot.is_none());
            prop_assert_eq!(into, want);
        }

        /// Rows sent from a later part join as if pushed here, byte for byte, tables
        /// and all; damaged, they join only if every row still decodes, or not at all,
        /// leaving the builder as it was (the next row pushed is encoded the same).
        #[test]
        fn sent_rows_join_as_pushed_or_not_at_all(
            head in proptest::collection::vec(row(), 0..20),
            tail in proptest::collection::vec(row(), 0..60),
            next in row(),
            damage in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..3),
        ) {
            let sent: Rows = tail.iter().cloned().collect();
            let tables = Tables::read(&mut sent.tables().as_slice()).unwrap();
            let mut data = sent.data().to_vec();
            for (at, byte) in &damage {
                if !data.is_empty() {
                    let at = at.index(data.len());
                    data[at] = *byte;
                }
            }
            let built = |rows: &mut dyn Iterator<Item = &GatewayRow>| {
                let mut builder = RowsBuilder::default();
                rows.for_each(|r| builder.push(r));
                builder
            };
            let mut joined = built(&mut head.iter());
            let len = data.len();
            let added = joined.append_sent(&tables, &data, 0..len, true);
            joined.push(&next);
            let joined = joined.finish();
            let (with, without) = (head.iter().chain(&tail), head.iter());
            let want = built(&mut with.chain([&next])).finish();
            let before = built(&mut without.chain([&next])).finish();
            if data == sent.data() {
                prop_assert!(added);
                prop_assert_eq!(joined.to_bytes(), want.to_bytes());
            } else if added {
                prop_assert_eq!(joined.len(), head.len() + tail.len() + 1);
                prop_assert!(Rows::from_bytes(joined.to_bytes()).is_ok());
            } else {
                prop_assert_eq!(joined.to_bytes(), before.to_bytes());
            }
        }

        #[test]
        fn what_a_typical_row_lacks_costs_it_no_byte(row in row(), which in 0usize..5, value in 2u64..100_000) {
            // A log row as the gateway writes it: whole seconds, one request, no audio.
            let plain = GatewayRow {
                at: Timestamp::from_second(row.at.as_second()).unwrap(),
                audio_input_tokens: 0,
                audio_cached_input_tokens: 0,
                audio_output_tokens: 0,
                text_input_tokens: 0,
                text_output_tokens: 0,
                requests: Some(1),
                ..row
            };
            let mut extra = plain.clone();
            // Each of these costs the second mask byte and its own varint, nothing more.
            let varint = match which {
                0 => { extra.audio_input_tokens = value; value }
                1 => { extra.text_output_tokens = value; value }
                2 => { extra.requests = Some(value); value }
                3 => { extra.requests = None; 1 }
                _ => {
                    let nanos = i32::try_from(value).unwrap();
                    let second = plain.at.as_second();
                    extra.at = Timestamp::new(second, if second < 0 { -nanos } else { nanos }).unwrap();
                    zigzag(i64::from(extra.at.subsec_nanosecond()))
                }
            };
            let mut written = Vec::new();
            put_varint(&mut written, varint);
            let len = |row: &GatewayRow| Rows::from_iter([row.clone()]).encoded_len();
            prop_assert_eq!(len(&extra), len(&plain) + 1 + written.len());
            let back: Vec<GatewayRow> = Rows::from_iter([extra.clone()]).iter().collect();
            prop_assert_eq!(back, vec![extra]);
        }

        #[test]
        fn damaged_bytes_are_refused_not_panicked_on(rows in proptest::collection::vec(row(), 1..8), cut in any::<prop::sample::Index>(), flip in any::<u8>()) {
            let mut bytes = Rows::from_iter(rows).to_bytes();
            let at = cut.index(bytes.len());
            bytes[at] ^= flip | 1;
            if let Ok(rows) = Rows::from_bytes(bytes.clone()) {
                prop_assert_eq!(rows.iter().count(), rows.len());
            }
            let _ = Rows::from_bytes(bytes[..at].to_vec());
        }
    }
}
