//! The root component: holds the reducer, runs the effects that talk to the worker,
//! and lays out the steps of a review.

use yew::prelude::*;

use super::browser;
use super::components::{
    BudgetLog, BudgetMapping, BudgetReview, Charges, Charts, CrossChecks, Downloads,
    DualLedgerTable, Factors, FilePicker, FileSummaries, IncidentReview, KeepFiles, Later,
    LoadProgress, PolicyForm, RateTable, Results, ReviewForm, Summary, VerifyRecord, WindowForm,
};
use super::keep;
use super::state::{Action, State, Verifying};
use super::worker::Loader;
use crate::settings::{Settings, SettingsEdit};

/// The sample review "Try with sample data" loads, bundled with the page (tested to be
/// valid and to read completely by `tests/pipeline.rs`).
const SAMPLE_LOG: &str = include_str!("../../samples/cometapi-sample-log.json");
const SAMPLE_SETTINGS: &str = include_str!("../../samples/sample-settings.json");

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(|| State::new(browser::load_settings().unwrap_or_default()));
    {
        // Everything typed is kept in this browser, so a reload or a crash loses nothing.
        let settings = state.settings.clone();
        use_effect_with(settings, browser::save_settings);
    }
    let dispatch = {
        let state = state.clone();
        Callback::from(move |action: Action| state.dispatch(action))
    };
    // The file reader: File handles and the worker, kept outside the plain-data state.
    let loader = {
        let (rules, dispatch) = (state.rules.clone(), dispatch.clone());
        use_memo((), move |_| Loader::new(rules, dispatch))
    };
    {
        // Before a file is read (next effect, or a pick): both workers file its rows under
        // the settings of the moment as they read them.
        let (loader, state) = (loader.clone(), state.clone());
        use_effect_with(state.generation, move |_| {
            loader.borrow_mut().set_settings(state.settings.to_json())
        });
    }
    {
        // Only a new window or outcome policy reads the files again; rates never do.
        let loader = loader.clone();
        use_effect_with(state.rules.clone(), move |rules| {
            loader.borrow_mut().reread(rules.clone())
        });
    }
    {
        // Before the request below, which only uses jobs kept here.
        let loader = loader.clone();
        use_effect_with((state.kept_jobs(), state.seen), move |(jobs, seen)| {
            loader.borrow_mut().keep(jobs, *seen)
        });
    }
    {
        // Each new generation of settings or files: the worker computes the figures.
        let (loader, state) = (loader.clone(), state.clone());
        use_effect_with(state.generation, move |generation| {
            if state.recomputing() {
                let settings = state.settings.to_json();
                loader
                    .borrow_mut()
                    .compute(*generation, &settings, &state.current_jobs());
            }
        });
    }
    {
        // The files kept in this browser come back once, when the page opens.
        let (loader, dispatch) = (loader.clone(), dispatch.clone());
        use_effect_with((), move |_| {
            keep::report(dispatch, async move {
                if !keep::enabled() {
                    return None;
                }
                let (files, problem) = keep::restore().await;
                if !files.is_empty() {
                    loader.borrow_mut().load(files);
                }
                problem
            })
        });
    }
    // Files to keep in this browser once their figures are shown and their digests are
    // in: writing a copy while the file is read took a core's worth of the browser's
    // time from the reading (1M rows: figures 0.7 s later, docs/benchmarks.md), and
    // while it is hashed, from the hash the record waits for.
    let to_keep = use_mut_ref(Vec::<web_sys::File>::new);
    // The files' digests as last shown, for the copies written after they came.
    let digests_now = use_mut_ref(Vec::<(String, String)>::new);
    {
        let (loader, dispatch, to_keep) = (loader.clone(), dispatch.clone(), to_keep.clone());
        let latest = digests_now.clone();
        // After the digests too: the record waits for them, the copy can wait longer.
        let hashed = (state.files.iter()).all(|f| !f.report.fingerprint.sha256.is_empty());
        let settled = !state.recomputing() && state.loading.is_none() && hashed;
        use_effect_with((settled, state.computed), move |(settled, _)| {
            if !*settled || to_keep.borrow().is_empty() {
                return;
            }
            // Only files still loaded (not cancelled, removed or refused meanwhile).
            let loaded: Vec<String> = loader.borrow().files().iter().map(|f| f.name()).collect();
            let files: Vec<web_sys::File> = (to_keep.borrow_mut().drain(..))
                .filter(|f| loaded.contains(&f.name()))
                .collect();
            if !files.is_empty() {
                keep::report(dispatch, async move {
                    let problem = keep::store(files).await;
                    // Digests that came before the copies were written go beside them now.
                    let digests = latest.borrow().clone();
                    problem.or(keep::note_digests(&digests))
                });
            }
        });
    }
    {
        // Each file's SHA-256, once read, goes beside its kept copy (and a copy that no
        // longer matches is said).
        let digests: Vec<(String, String)> = state
            .files
            .iter()
            .filter(|f| !f.report.fingerprint.sha256.is_empty())
            .map(|f| (f.report.name.clone(), f.report.fingerprint.sha256.clone()))
            .collect();
        let (dispatch, to_keep, latest) = (dispatch.clone(), to_keep.clone(), digests_now.clone());
        use_effect_with(digests, move |digests| {
            latest.borrow_mut().clone_from(digests);
            // A file waiting to be kept replaces the copy of that name: not compared.
            let waiting: Vec<String> = to_keep.borrow().iter().map(|f| f.name()).collect();
            let compared: Vec<(String, String)> = (digests.iter())
                .filter(|(name, _)| !waiting.contains(name))
                .cloned()
                .collect();
            if let Some(problem) = keep::note_digests(&compared) {
                keep::report(dispatch, async move { Some(problem) });
            }
        });
    }
    // What the components emit, as the reducer's actions.
    let on_edit = dispatch.reform(Action::Edit);
    let on_edit_downloads = on_edit.clone();
    let on_edit_review = on_edit.clone();
    let on_paste = dispatch.reform(|edit| Action::Import(Ok(edit)));
    let on_import = dispatch.reform(Action::Import);
    let on_notice = dispatch.reform(|notice| Action::Notice(Some(notice)));
    let on_notice_review = on_notice.clone();
    // Files picked, dropped or bundled: read, and kept in this browser when that is on.
    let load = {
        let (loader, to_keep) = (loader.clone(), to_keep.clone());
        Callback::from(move |files: Vec<web_sys::File>| {
            if keep::enabled() {
                to_keep.borrow_mut().extend(files.iter().cloned());
            }
            loader.borrow_mut().load(files);
        })
    };
    let on_files = load.clone();
    // The reader's module is fetched and compiled while the user chooses a file.
    let on_intent = {
        let loader = loader.clone();
        Callback::from(move |()| loader.borrow_mut().warm())
    };
    let on_sample = {
        let dispatch = dispatch.clone();
        Callback::from(move |()| {
            let settings =
                Settings::from_json(SAMPLE_SETTINGS).expect("the sample settings are valid");
            dispatch.emit(Action::Edit(SettingsEdit::Replace(Box::new(settings))));
            match browser::file_of("cometapi-sample-log.json", SAMPLE_LOG.as_bytes()) {
                Ok(file) => load.emit(vec![file]),
                Err(problem) => dispatch.emit(Action::Notice(Some(problem))),
            }
        })
    };
    let on_cancel = {
        let (loader, dispatch) = (loader.clone(), dispatch.clone());
        Callback::from(move |()| {
            // A file not read is not in the review: its kept copy goes too.
            let names = loader.borrow_mut().cancel();
            keep::report(dispatch.clone(), async move {
                for name in names {
                    keep::remove(&name).await;
                }
                None
            });
        })
    };
    let on_verify = {
        let (loader, dispatch) = (loader.clone(), dispatch.clone());
        Callback::from(
            move |(record, files): (web_sys::File, Vec<web_sys::File>)| {
                dispatch.emit(Action::Verify(Verifying::Running));
                loader.borrow_mut().verify(&record, &files);
            },
        )
    };
    let kept_loader = loader.clone();
    let on_remove = {
        let dispatch = dispatch.clone();
        Callback::from(move |(index, name): (usize, String)| {
            loader.borrow_mut().forget(&name);
            dispatch.emit(Action::RemoveFile(index));
            keep::report(dispatch.clone(), async move {
                keep::remove(&name).await;
                None
            });
        })
    };
    let on_keep = {
        let dispatch = dispatch.clone();
        Callback::from(move |on: bool| {
            keep::set_enabled(on);
            dispatch.emit(Action::KeepChoice(on));
            // On: what is loaded now is kept; off: the copies go.
            let files = kept_loader.borrow().files().to_vec();
            keep::report(dispatch.clone(), async move {
                if on {
                    keep::store(files).await
                } else {
                    keep::forget().await
                }
            });
        })
    };
    let on_forget = {
        let dispatch = dispatch.clone();
        Callback::from(move |()| keep::report(dispatch.clone(), keep::forget()))
    };
    // The page validates the settings as typed (cheap); each problem shows beside its
    // field, and the figures stay the last good ones meanwhile.
    let settings_errors = state.settings.validate().err().unwrap_or_default();
    let budget_errors = state
        .settings
        .budget_review
        .validate()
        .err()
        .unwrap_or_default();
    let shown = state.shown_review();
    let unpriced = state.settings.unpriced(&state.review.models);
    let recomputing = state.recomputing();
    // The figures below are the last ones computed until the worker answers.
    let busy = recomputing.then_some("true");
    html! {
        <div class="app" data-testid="app">
            <header>
                <h1>{ "Spend Reconciler" }</h1>
                <p class="tagline">
                    { "Reconcile CometAPI / new-api spend in exact decimal. Everything stays in this browser: nothing you load is uploaded." }
                </p>
            </header>
            if let Some(notice) = &state.notice {
                <p class="notice" role="alert" data-testid="notice">{ notice }</p>
            }
            if !settings_errors.is_empty() && shown.figures.is_ok() {
                <p class="warning" role="status" data-testid="settings-have-errors">
                    { "The settings have problems (each is marked beside its field): the figures below are for the settings as they last were valid." }
                </p>
            }
            if let Ok(figures) = &shown.figures {
                <Summary figures={figures.clone()} />
            }
            // Each step is a labelled region (a landmark to jump to); the settings steps
            // (form-step) are left out of the printed report, which keeps the figures and
            // their provenance (styles/app.css).
            <section class="step" aria-labelledby="step-evidence">
                <h2 id="step-evidence">{ "1. Evidence" }</h2>
                <FilePicker {on_files} {on_sample} {on_intent} />
                <KeepFiles status={state.keep.clone()} on_toggle={on_keep} {on_forget} />
                <LoadProgress loading={state.loading.clone()} {on_cancel} />
                <FileSummaries files={state.files.clone()} rules={state.rules.clone()} {on_remove}
                    counted={state.files.iter().map(|f| state.counted(f).cloned()).collect::<Vec<_>>()}
                    on_read_as={dispatch.reform(|(file, format)| Action::Edit(SettingsEdit::ReadAs { file, format }))}
                    on_save_mapping={dispatch.reform(|m| Action::Edit(SettingsEdit::SaveMapping(Box::new(m))))}
                    fingerprinting={state.fingerprinting.clone()} />
            </section>
            <section class="step form-step" aria-labelledby="step-window">
                <h2 id="step-window">{ "2. Incident window and tolerance" }</h2>
                <WindowForm settings={state.settings.clone()} errors={settings_errors.clone()} on_edit={on_edit.clone()} />
            </section>
            <section class="step form-step" aria-labelledby="step-rates">
                <h2 id="step-rates">{ "3. Verified rates" }</h2>
                if !unpriced.is_empty() {
                    <p class="problem" data-testid="unpriced-models">
                        { format!("No verified rate yet for {}: enter its prices, or add the name as an alias of the entry that prices it. Until then its usage is unpriced, never $0.", unpriced.join(", ")) }
                    </p>
                }
                <RateTable rates={state.settings.rates.clone()} quota_per_usd={state.settings.quota_per_usd.clone()} on_edit={on_edit.clone()} {on_paste} />
                <h3>{ "Factors" }</h3>
                <Factors factors={state.settings.factors.clone()} on_edit={on_edit.clone()} />
            </section>
            <section class="step form-step" aria-labelledby="step-policies">
                <h2 id="step-policies">{ "4. Policies" }</h2>
                <PolicyForm settings={state.settings.clone()} errors={settings_errors.clone()} on_edit={on_edit.clone()} />
            </section>
            <section class="step form-step" aria-labelledby="step-review-frame">
                <h2 id="step-review-frame">{ "Incident review: roles, time zone, forecast, sources" }</h2>
                <ReviewForm settings={state.settings.clone()} errors={settings_errors.clone()} {on_edit} />
            </section>
            if !settings_errors.is_empty() {
                <ul class="errors" data-testid="settings-errors">
                    { for settings_errors.iter().map(|e| html! { <li>{ e.to_string() }</li> }) }
                </ul>
            }
            if recomputing {
                <p class="hint recomputing" role="status" data-testid="recomputing">
                    { "Recomputing the figures… (the ones below are for the settings as they were)" }
                </p>
            }
            <section id="expected-charge" class="step" aria-busy={busy} aria-labelledby="step-charge">
                <h2 id="step-charge">{ "5. Expected charge" }</h2>
                if let Ok(figures) = &shown.figures {
                    if let Some(pricing) = &figures.pricing {
                        // A line per model and dimension: laid out a frame after the answer
                        // and the totals, which are then on screen ~30 ms sooner (later.rs).
                        <Later>
                            <Charges pricing={pricing.clone()} currency={figures.settings.billing_currency.clone()}
                                quota_check={figures.quota_check().cloned()} unapplied={figures.unapplied_prices.clone()} />
                        </Later>
                    } else {
                        <p class="hint" data-testid="charge-lines-absent">{ "Not computed: no usage evidence. Load a gateway log, a client request log or a provider usage report for the window; a billing export or account totals alone say what was charged, not what was used." }</p>
                    }
                }
            </section>
            <section id="results" class="step" aria-busy={busy} aria-labelledby="step-results">
                <h2 id="step-results">{ "6. Expected versus recorded" }</h2>
                <Results review={shown.clone()} />
                if let Ok(figures) = &shown.figures {
                    <Later>
                        <Charts figures={figures.clone()} />
                        <DualLedgerTable zone={figures.dual_ledger.zone.clone()} estimated_from={figures.dual_ledger.estimated_from} reconciled_from={figures.dual_ledger.reconciled_from}
                            lines={figures.dual_ledger.lines_at(browser::now(), figures.settings.quota_per_usd)} currency={figures.settings.billing_currency.clone()} />
                        <CrossChecks priced={figures.priced_stream} recorded={figures.recorded_stream} streams={figures.streams.clone()} checks={figures.cross_checks.clone()} currency={figures.settings.billing_currency.clone()} usage={figures.usage_confidence.clone()} chosen={figures.settings.provider_side} expected_side={figures.settings.expected_side} />
                    </Later>
                }
                <Downloads review={state.review.clone()} settings={state.settings.clone()} {recomputing} fingerprinting={state.fingerprint_pending()} on_import={on_import.clone()} on_notice={on_notice.clone()} on_edit={on_edit_downloads} />
            </section>
            if let Ok(figures) = &shown.figures {
                <section id="incident-review" class="step" aria-busy={busy} aria-labelledby="step-review">
                    <h2 id="step-review">{ "7. Incident review" }</h2>
                    <Later>
                        <IncidentReview figures={figures.clone()} review={state.settings.review.clone()} on_edit={on_edit_review.clone()} on_notice={on_notice_review.clone()} />
                    </Later>
                </section>
            }
            <section id="budget-review" class="step" aria-busy={busy} aria-labelledby="step-budget">
                <h2 id="step-budget">{ "8. Budget review" }</h2>
                <BudgetMapping settings={state.settings.clone()} errors={budget_errors}
                    on_edit={dispatch.reform(|edit| Action::Edit(SettingsEdit::Budget(edit)))}
                    on_import={on_import.clone()} on_notice={on_notice.clone()} />
                <BudgetReview answer={state.budget.clone()} files={state.review.files.clone()} settings={state.settings.clone()} {recomputing} on_notice={on_notice.clone()} />
                <BudgetLog settings={state.settings.clone()} on_edit={dispatch.reform(|edit| Action::Edit(SettingsEdit::Budget(edit)))}
                    {on_import} {on_notice} />
            </section>
            <section class="step no-print" aria-labelledby="step-verify">
                <h2 id="step-verify">{ "Verify a record" }</h2>
                <VerifyRecord verification={state.verification.clone()} {on_verify} />
            </section>
        </div>
    }
}
