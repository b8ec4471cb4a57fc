//! Rows filed in groups as they are read. A reader that knows the settings files each
//! chunk's rows once they are stored, while they are still in the cache, so when the
//! last byte is read only the groups are left to price: [`FiledAsRead`]. It runs the
//! same filer over the same rows in the same order as one pass over the finished
//! store, so its groups are that pass's, to the last digit.

use super::filer::{Filer, Places};
use super::Groups;
use crate::ingest::{GatewayRow, RowIter, RowMark};
use crate::settings::ValidSettings;

/// Where each of a store's ratio sets and models stands in the filer: each set placed
/// once, in the store's order, not each row's; each model when a row first names it.
#[derive(Default)]
pub(super) struct StoredPass {
    sets: Vec<u32>,
    models: Vec<Option<u32>>,
}

impl StoredPass {
    /// Files the rows `rows` gives, `left` of them at most, decoded one at a time into
    /// `row`. A store only grows, so the sets and models it has gained since the last
    /// call are placed first, in its order, as one pass over it places them.
    pub(super) fn file(
        &mut self,
        filer: &mut Filer,
        rows: &mut RowIter<'_>,
        left: &mut usize,
        row: &mut Option<GatewayRow>,
        settings: &ValidSettings,
        out: &mut Groups,
    ) -> Result<(), &'static str> {
        let sets = rows.ratio_sets();
        for set in sets.get(self.sets.len()..).unwrap_or_default() {
            self.sets.push(filer.ratio_set(set));
        }
        self.models
            .resize(rows.models().len().max(self.models.len()), None);
        while *left > 0 && rows.next_into(row) {
            *left -= 1;
            let Some(row) = row.as_ref() else { break };
            let model = match rows.model().and_then(|i| self.models.get_mut(i)) {
                Some(place) => *place.get_or_insert_with(|| filer.model_id(&row.model)),
                None => filer.model_id(&row.model),
            };
            let ratios = match rows.ratio_set() {
                Some(i) => Some(*self.sets.get(i).ok_or("a row's ratio set is not stored")?),
                None => None,
            };
            filer.file(row, Places { ratios, model }, settings, out)?;
        }
        Ok(())
    }
}

/// The groups of a file's rows, filed a chunk at a time as the file is read
/// (`Ingestor::rows_from` gives each chunk's rows), under settings known before it was.
pub struct FiledAsRead {
    settings: ValidSettings,
    groups: Groups,
    /// None once a row declined the groups (or the settings decline every row).
    filer: Option<Filer>,
    pass: StoredPass,
    /// Where the rows filed so far end in the store.
    mark: RowMark,
    /// The row each is decoded into.
    row: Option<GatewayRow>,
}

impl FiledAsRead {
    pub fn new(settings: ValidSettings) -> FiledAsRead {
        let (groups, filer) = Groups::start(&settings);
        FiledAsRead {
            settings,
            groups,
            filer,
            pass: StoredPass::default(),
            mark: RowMark::default(),
            row: None,
        }
    }

    /// Files the rows stored since the last call: `after` gives the rows after a mark
    /// (`Ingestor::rows_from`, `Rows::iter_from`). Rows that do not follow those filed
    /// (a pass that did not start at the mark) decline the groups.
    pub fn file<'a>(&mut self, after: impl FnOnce(RowMark) -> RowIter<'a>) {
        self.file_from(&mut after(self.mark));
    }

    fn file_from(&mut self, rows: &mut RowIter<'_>) {
        let Some(filer) = &mut self.filer else { return };
        let filed = if rows.mark() != self.mark {
            Err("the rows to file do not follow those filed")
        } else {
            let (settings, groups, mut left) = (&self.settings, &mut self.groups, usize::MAX);
            (self.pass).file(filer, rows, &mut left, &mut self.row, settings, groups)
        };
        if let Err(why) = filed {
            self.groups.decline(why);
            self.filer = None;
        }
        self.mark = rows.mark();
    }

    /// The groups, once the rest (the rows `after` gives after the mark) is filed too,
    /// when the rows filed are then every row of the store it reads; None when they are
    /// not (a file found unreadable drops the rows it held) or a row declined the
    /// groups: the figures then file the rows, as without.
    pub fn finish<'a>(mut self, after: impl FnOnce(RowMark) -> RowIter<'a>) -> Option<Groups> {
        let mut rest = after(self.mark);
        self.file_from(&mut rest);
        (self.groups.declined.is_none() && rest.ends_at(self.mark)).then_some(self.groups)
    }
}
