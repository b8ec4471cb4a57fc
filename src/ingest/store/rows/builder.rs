//! [`RowsBuilder`]: the accepted rows of a file, encoded one at a time as they are read
//! (the format is described in `rows/mod.rs`). Model names and ratio sets are interned; a
//! ratio set is also remembered by the text it was logged as, so each distinct set is
//! parsed from decimal text once per file rather than once per row.

use std::collections::HashMap;
use std::sync::Arc;

use rust_decimal::Decimal;

use super::layout::{
    mask, put_varint, ratio_key, zigzag, Store, ADDITIVE, EXPLICIT_PRICE, HAS_RATIOS, KINDS, MORE,
    RATIO_KEY, REQUESTS,
};
use super::{RowIter, RowMark, Rows};
use crate::ingest::formats::newapi::{Other, RatioSets};
use crate::ingest::formats::row::{GatewayRow, LoggedRatios, Parts, TokenSemantic};
use crate::policy::Outcome;

/// Builds a [`Rows`] one accepted row at a time.
#[derive(Default)]
pub struct RowsBuilder {
    pub(super) store: Store,
    pub(super) model_ids: HashMap<String, u32, Fx>,
    pub(super) ratio_ids: HashMap<[u8; RATIO_KEY], u32, Fx>,
    /// Ratio sets by the text they were logged as, so each is parsed once per file.
    ratio_texts: HashMap<String, Option<u32>, Fx>,
    scratch: String,
    pub(super) last_second: i64,
}

/// FxHash (rustc's): the keys are the file's own model names and ratio texts, hashed
/// once a row, so speed matters and flooding resistance does not.
#[derive(Clone, Copy, Default)]
pub(super) struct Fx;

impl std::hash::BuildHasher for Fx {
    type Hasher = FxHasher;
    fn build_hasher(&self) -> FxHasher {
        FxHasher(0)
    }
}

pub(super) struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let mut w = [0u8; 8];
            w.copy_from_slice(word);
            self.add(u64::from_le_bytes(w));
        }
        for &b in words.remainder() {
            self.add(u64::from(b));
        }
    }

    fn write_u8(&mut self, b: u8) {
        self.add(u64::from(b));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl RowsBuilder {
    /// Room for the rest of the file's rows ([`crate::ingest::store::room`]).
    pub fn reserve(&mut self, expected: crate::ingest::store::room::Expected) {
        expected.reserve(&mut self.store.data);
    }

    pub fn len(&self) -> usize {
        self.store.len
    }

    pub fn is_empty(&self) -> bool {
        self.store.len == 0
    }

    /// The rows stored so far after `mark`, as [`Rows::iter_from`] gives them once
    /// finished: a reader can file each chunk's rows while the file is still read.
    pub fn iter_from(&self, mark: RowMark) -> RowIter<'_> {
        RowIter::from_mark(&self.store, mark)
    }

    /// Adds a row built elsewhere (tests, [`FromIterator`]).
    pub fn push(&mut self, row: &GatewayRow) {
        let ratios = row.ratios.as_ref().map(|r| self.ratio_id(r));
        // model_price is normally what the ratios say; keep it apart only when it is not.
        let derived = row
            .ratios
            .as_ref()
            .and_then(|r| r.model_price)
            .filter(|p| !p.is_sign_negative());
        let parts = Parts {
            at: row.at,
            kind: row.kind,
            outcome: row.outcome,
            model: &row.model,
            quota: row.quota,
            counts: row.counts(),
            requests: row.requests,
            semantic: row.semantic,
            ratios,
            request_id: None,
            id: None,
            token_name: None,
            group: None,
            stream: None,
        };
        let explicit = (row.model_price != derived).then_some(row.model_price);
        self.encode(&parts, explicit);
    }

    /// Adds a row read by a format's reader (its ratio set interned here already).
    pub fn push_parts(&mut self, parts: &Parts) {
        self.encode(parts, None);
    }

    fn encode(&mut self, row: &Parts, explicit_price: Option<Option<Decimal>>) {
        let model = self.model_id(row.model);
        self.encode_as(row, model, explicit_price);
    }

    /// [`RowsBuilder::encode`] with the row's model already interned as `model`.
    fn encode_as(&mut self, row: &Parts, model: u32, explicit_price: Option<Option<Decimal>>) {
        let kind = KINDS.iter().position(|k| *k == row.kind).unwrap_or(0) as u8;
        let outcome = Outcome::ALL
            .iter()
            .position(|o| *o == row.outcome)
            .unwrap_or(0) as u8;
        let mut header = kind | outcome << 2;
        if row.semantic == TokenSemantic::Additive {
            header |= ADDITIVE;
        }
        if row.ratios.is_some() {
            header |= HAS_RATIOS;
        }
        if explicit_price.is_some() {
            header |= EXPLICIT_PRICE;
        }
        let counts = row.counts.as_array();
        let nanos = row.at.subsec_nanosecond();
        let mask = mask(&counts, nanos != 0, row.requests);
        let out = &mut self.store.data;
        out.push(header);
        out.push(mask[0]);
        if mask[0] & MORE != 0 {
            out.push(mask[1]);
        }
        let second = row.at.as_second();
        put_varint(out, zigzag(second.wrapping_sub(self.last_second)));
        self.last_second = second;
        if nanos != 0 {
            put_varint(out, zigzag(i64::from(nanos)));
        }
        put_varint(out, u64::from(model));
        if let Some(id) = row.ratios {
            put_varint(out, u64::from(id));
        }
        put_varint(out, zigzag(row.quota));
        for count in counts.into_iter().filter(|c| *c != 0) {
            put_varint(out, count);
        }
        if mask[1] & REQUESTS != 0 {
            put_varint(out, row.requests.unwrap_or(1));
        }
        match explicit_price {
            Some(Some(price)) => {
                out.push(1);
                out.extend_from_slice(&price.serialize());
            }
            Some(None) => out.push(0),
            None => {}
        }
        self.store.len += 1;
    }

    pub(super) fn model_id(&mut self, model: &str) -> u32 {
        if let Some(id) = self.model_ids.get(model) {
            return *id;
        }
        let id = self.store.models.len() as u32;
        self.store.models.push(model.to_string());
        self.model_ids.insert(model.to_string(), id);
        id
    }

    pub(super) fn ratio_id(&mut self, ratios: &LoggedRatios) -> u32 {
        let key = ratio_key(ratios);
        if let Some(id) = self.ratio_ids.get(&key) {
            return *id;
        }
        let id = self.store.ratios.len() as u32;
        self.store.ratios.push(ratios.clone());
        self.ratio_ids.insert(key, id);
        id
    }

    pub fn finish(mut self) -> Rows {
        self.store.data.shrink_to_fit();
        Rows(Arc::new(self.store))
    }
}

impl RatioSets for RowsBuilder {
    /// The interned ratio set of a row's `other`; parsed only the first time its text
    /// is seen (a set with tool surcharges is parsed every time: its sum depends on counts).
    // Inlined into the row parser, its one caller (see `check_consistency` there).
    #[inline(always)]
    fn ratio_set(&mut self, other: &Other) -> Result<Option<u32>, String> {
        let mut key = std::mem::take(&mut self.scratch);
        key.clear();
        let cacheable = other.ratio_key(&mut key);
        if let Some(id) = cacheable.then(|| self.ratio_texts.get(&key)).flatten() {
            let id = *id;
            self.scratch = key;
            return Ok(id);
        }
        let parsed = other.ratios();
        let id = parsed
            .as_ref()
            .ok()
            .and_then(|r| r.as_ref().map(|r| self.ratio_id(r)));
        if cacheable && parsed.is_ok() {
            self.ratio_texts.insert(key.clone(), id);
        }
        self.scratch = key;
        parsed.map(|_| id)
    }
}

impl FromIterator<GatewayRow> for Rows {
    fn from_iter<I: IntoIterator<Item = GatewayRow>>(rows: I) -> Rows {
        let mut builder = RowsBuilder::default();
        for row in rows {
            builder.push(&row);
        }
        builder.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_distinct_ratio_set_is_its_own_entry() {
        let mut rows = RowsBuilder::default();
        // (text of `other`, interned set): a set is remembered by its text, and a text
        // that differs in any ratio (the 1h cache-write ratio too) is a set of its own.
        let cases = [
            (r#"{"model_ratio":1,"cache_creation_ratio_1h":2}"#, Some(0)),
            (r#"{"model_ratio":1,"cache_creation_ratio_1h":3}"#, Some(1)),
            (r#"{"model_ratio":1,"user_group_ratio":0.5}"#, Some(2)),
            (r#"{"model_ratio":1}"#, Some(3)),
            (r#"{"frt":5,"model_ratio":1}"#, Some(3)),
            (r#"{"model_ratio":1.0}"#, Some(4)),
            (r#"{"cache_creation_ratio_1h":2,"model_ratio":1}"#, Some(0)),
            (r#"{"frt":5}"#, None),
        ];
        for (text, want) in cases {
            let other = Other::parse(text).unwrap();
            assert_eq!(rows.ratio_set(&other), Ok(want), "{text}");
        }
    }
}
